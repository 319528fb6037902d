"""The offline workbook: an agency's returns for an audit as an Excel file, and back again.

A reviewer without reliable access downloads their agency's workbook (:func:`build_workbook`),
fills it in offline and uploads it (:func:`read_workbook`). Before anything is saved they see
every change (:func:`plan_changes`), choose for each answer changed both online and in the
workbook since the download, and save as draft (:func:`apply_plan`, through
:func:`audit_app.returns.save_section`).

The workbook has an instructions sheet; one sheet per child with a row per question
(columns Section, Question, Answer, Why this grade?, Hint and a hidden question id); a hidden
"Lists" sheet feeding the drop-down lists; and a hidden "About this workbook" sheet holding
what the workbook was made from (audit, agency, template fingerprint, each return's version
and answers at download), signed with HMAC-SHA256. An upload whose signed details do not
match, or that is for another audit, agency or template version, is refused; every problem
names its sheet and cell.

Answers are written as a reviewer would write them: labels, not internal values; dates as
DD/MM/YYYY; a dated list as one "DD/MM/YYYY: text" line per entry; several choices as labels
separated by "; ". User text that a spreadsheet could take for a formula is stored as text.
Nothing here imports Flask.

The work is split by job, in modules beside this one: :mod:`.layout` (where everything is,
the signed details), :mod:`.problems`, :mod:`.contents` (what a workbook is made from),
:mod:`.cells` (answers as cells and back, through the answer-type registry), :mod:`.writing`,
:mod:`.reading`, :mod:`.changes` (what an upload would change) and :mod:`.saving`. This
module gathers their public names, so ``workbook.<name>`` keeps working.
"""

from __future__ import annotations

from audit_app.questionnaires.answer_types import EARLIEST_YEAR, LATEST_YEAR
from audit_app.workbooks.cells import cell_value, normal, stored_value, takes_reason
from audit_app.workbooks.changes import Change, ChangePlan, ReturnPlan, describe, plan_changes
from audit_app.workbooks.contents import (
    AgencyWorkbook,
    ReturnState,
    agency_workbook,
    return_statuses,
)
from audit_app.workbooks.layout import (
    ABOUT_ROWS,
    ABOUT_SHEET,
    ANSWER_COL,
    CHECKED_FACTS,
    COLUMN_WIDTHS,
    COLUMNS,
    EXTRA_ROWS,
    FIRST_PART_ROW,
    FIRST_ROW,
    FORMAT,
    HEADER_ROW,
    HINT_COL,
    ID_COL,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    MAX_BYTES,
    MAX_CELL_TEXT,
    MAX_PARTS,
    MAX_PROBLEMS,
    PART_SIZE,
    QUESTION_COL,
    RESERVED_SHEETS,
    SECTION_COL,
    WHY_COL,
    Pair,
)
from audit_app.workbooks.problems import WorkbookError, WorkbookProblem, _CellProblem
from audit_app.workbooks.reading import Edit, UploadedReturn, UploadedWorkbook, read_workbook
from audit_app.workbooks.saving import SaveResult, apply_plan
from audit_app.workbooks.writing import build_workbook, sheet_names

__all__ = [
    "ABOUT_ROWS",
    "ABOUT_SHEET",
    "ANSWER_COL",
    "CHECKED_FACTS",
    "COLUMNS",
    "COLUMN_WIDTHS",
    "EARLIEST_YEAR",
    "EXTRA_ROWS",
    "FIRST_PART_ROW",
    "FIRST_ROW",
    "FORMAT",
    "HEADER_ROW",
    "HINT_COL",
    "ID_COL",
    "INSTRUCTIONS_SHEET",
    "LATEST_YEAR",
    "LISTS_SHEET",
    "MAX_BYTES",
    "MAX_CELL_TEXT",
    "MAX_PARTS",
    "MAX_PROBLEMS",
    "PART_SIZE",
    "QUESTION_COL",
    "RESERVED_SHEETS",
    "SECTION_COL",
    "WHY_COL",
    "AgencyWorkbook",
    "Change",
    "ChangePlan",
    "Edit",
    "Pair",
    "ReturnPlan",
    "ReturnState",
    "SaveResult",
    "UploadedReturn",
    "UploadedWorkbook",
    "WorkbookError",
    "WorkbookProblem",
    "_CellProblem",
    "agency_workbook",
    "apply_plan",
    "build_workbook",
    "cell_value",
    "describe",
    "normal",
    "plan_changes",
    "read_workbook",
    "return_statuses",
    "sheet_names",
    "stored_value",
    "takes_reason",
]
