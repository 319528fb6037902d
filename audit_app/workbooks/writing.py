"""Writing the offline workbook: instructions, a sheet per child, drop-downs, signed details.

The workbook is written in openpyxl's write-only mode, a row at a time, with named styles
registered once per workbook (a few kinds of cell: headings, text, cells to fill in, cells
not used), so its time stays close to writing the bare cells.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from copy import copy
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill, Protection
from openpyxl.styles.fonts import DEFAULT_FONT
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation, DataValidationList

from audit_app.core.spreadsheets import Cells, CellSheet, create_sheet, sheet_name
from audit_app.questionnaires.answer_types import CellCheck, answer_type
from audit_app.questionnaires.definitions import AuditTemplateDefinition, Choice, Question
from audit_app.workbooks.cells import _hint, _too_long, cell_value, takes_reason
from audit_app.workbooks.contents import AgencyWorkbook, ReturnState
from audit_app.workbooks.layout import (
    ABOUT_ROWS,
    ABOUT_SHEET,
    ANSWER_COL,
    COLUMN_WIDTHS,
    COLUMNS,
    FIRST_PART_ROW,
    FIRST_ROW,
    FORMAT,
    ID_COL,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    PART_SIZE,
    RESERVED_SHEETS,
    _pack,
    _sign,
)

# The workbook's cell styles, registered once per workbook as named styles; a cell takes one
# by name. Every cell of a child's question rows wraps its text.
HEADING = "Workbook heading"
HEADING_WRAPPED = "Workbook heading, wrapped"
BOLD = "Workbook label"
BOLD_WRAPPED = "Workbook label, wrapped"
HEADER = "Workbook column header"
TEXT = "Workbook text"
TO_FILL = "Workbook answer"
NOT_USED = "Workbook cell not used"

_YELLOW = "FFF7D6"
_GREY = "F3F2F1"
_BLUE = "DDE4EE"


def _add_styles(book: Workbook, number_formats: Iterable[str]) -> None:
    """Register the named styles, and an answer style for each number format answers use."""
    wrap = Alignment(wrap_text=True, vertical="top")
    styles = [
        NamedStyle(HEADING, font=Font(bold=True, size=14)),
        NamedStyle(HEADING_WRAPPED, font=Font(bold=True, size=14), alignment=wrap),
        NamedStyle(BOLD, font=Font(bold=True)),
        NamedStyle(BOLD_WRAPPED, font=Font(bold=True), alignment=wrap),
        NamedStyle(
            HEADER, font=Font(bold=True), fill=PatternFill("solid", fgColor=_BLUE), alignment=wrap
        ),
        NamedStyle(TEXT, font=copy(DEFAULT_FONT), alignment=wrap),
        NamedStyle(
            NOT_USED,
            font=copy(DEFAULT_FONT),
            fill=PatternFill("solid", fgColor=_GREY),
            alignment=wrap,
        ),
    ]
    for number_format in (None, *sorted(set(number_formats))):
        styles.append(
            NamedStyle(
                _answer_style(number_format),
                font=copy(DEFAULT_FONT),
                fill=PatternFill("solid", fgColor=_YELLOW),
                alignment=wrap,
                protection=Protection(locked=False),
                number_format=number_format or "General",
            )
        )
    for style in styles:
        book.add_named_style(style)


def _answer_style(number_format: str | None) -> str:
    """The style of a cell to fill in, showing its value in the number format."""
    return f"{TO_FILL} ({number_format})" if number_format else TO_FILL


class _SharedValidations(DataValidationList):
    """The drop-down lists and checks of every child's sheet with all its answers in cells:
    the same on each such sheet, so written out once and copied."""

    tagname = DataValidationList.tagname
    __elements__ = DataValidationList.__elements__
    __attrs__ = DataValidationList.__attrs__
    _tree: Any = None

    def to_tree(self, tagname: str | None = None) -> Any:
        if self._tree is None:
            self._tree = super().to_tree(tagname)
        return self._tree


def sheet_names(codes: Iterable[str]) -> list[str]:
    """A valid, unique sheet name for each child code, in order."""
    used = set(RESERVED_SHEETS)
    return [sheet_name(code, used, fallback="Child") for code in codes]


def build_workbook(
    contents: AgencyWorkbook,
    key: str | bytes,
    *,
    upload_url: str | None = None,
    now: datetime | None = None,
) -> bytes:
    """The agency's workbook for the audit, as the bytes of an .xlsx file.

    ``key`` signs the details the workbook is made from; ``upload_url`` is where to upload it.
    Written in openpyxl's write-only mode, a row at a time, each sheet's layout (widths,
    frozen panes) set before its first row.
    """
    now = now or datetime.now(UTC)
    definition = contents.definition
    names = sheet_names(state.child_code for state in contents.returns)
    lists = _lists(definition)
    rows = _question_rows(definition, {question.id: cells for question, _, cells in lists})
    book = Workbook(write_only=True)
    _add_styles(book, (row.number_format for row in rows if row.number_format))
    instructions = create_sheet(book, INSTRUCTIONS_SHEET)
    _write_instructions(instructions, contents, names, upload_url, now)
    cells = Cells(instructions)
    fixed = [
        (
            cells.fixed(row.section, TEXT),
            cells.fixed(row.question.text, TEXT),
            cells.fixed(row.hint, TEXT),
            cells.fixed(row.question.id, TEXT),
        )
        for row in rows
    ]
    validations = _SharedValidations()
    for row in rows:
        if row.validation is not None:
            validations.append(row.validation)
    signed_returns = []
    for state, name in zip(contents.returns, names, strict=True):
        online_only = _write_child_sheet(
            cells.on(create_sheet(book, name)), state, contents, rows, fixed, validations
        )
        signed_returns.append(
            {
                "id": state.return_id,
                "sheet": name,
                "child": state.child_code,
                "version": state.version,
                "answers": {qid: list(pair) for qid, pair in sorted(state.answers.items())},
                "online_only": online_only,
            }
        )
    details = {
        "format": FORMAT,
        "audit": contents.audit_id,
        "audit_title": contents.audit_title,
        "agency": contents.agency_id,
        "agency_name": contents.agency_name,
        "template": definition.content_hash,
        "template_version": definition.version,
        "downloaded": now.isoformat(timespec="seconds"),
        "returns": signed_returns,
    }
    _write_lists(book, lists)
    _write_about(book, contents, details, key, now)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class _QuestionRow:
    """What a question's row says on every child's sheet (worked out once a workbook)."""

    question: Question
    section: str
    hint: str
    number_format: str | None
    takes_reason: bool
    validation: DataValidation | None
    """The drop-down list or check of its Answer cell, the same on every child's sheet."""


def _question_rows(
    definition: AuditTemplateDefinition, list_ranges: dict[str, str]
) -> list[_QuestionRow]:
    """Each question's row, in order from :data:`FIRST_ROW`."""
    questions = [
        (section.title, question)
        for section in definition.sections
        for question in section.questions
    ]
    return [
        _QuestionRow(
            question=question,
            section=title,
            hint=_hint(question, definition),
            number_format=answer_type(question).cell_number_format,
            takes_reason=takes_reason(question),
            validation=_validation(question, f"{ANSWER_COL}{number}", list_ranges),
        )
        for number, (title, question) in enumerate(questions, start=FIRST_ROW)
    ]


def _lists(definition: AuditTemplateDefinition) -> list[tuple[Question, list[Choice], str]]:
    """The drop-down lists: a column of the hidden Lists sheet per question with set answers
    (several answers cannot be chosen from a drop-down), with the range each fills."""
    found = []
    for question in definition.questions:
        choices = answer_type(question).drop_down(question, definition.scales)
        if not choices:
            continue
        letter = get_column_letter(len(found) + 1)
        found.append((question, choices, f"'{LISTS_SHEET}'!${letter}$1:${letter}${len(choices)}"))
    return found


def _write_lists(book: Workbook, lists: list[tuple[Question, list[Choice], str]]) -> None:
    """The hidden Lists sheet: a column of choices per drop-down, written a row at a time."""
    sheet = create_sheet(book, LISTS_SHEET)
    sheet.sheet_state = "hidden"
    sheet.protection.sheet = True
    cells = Cells(sheet)
    longest = max((len(choices) for _, choices, _ in lists), default=0)
    sheet.size = (longest, len(lists))
    for row in range(longest):
        cells.append(
            *(
                cells(column, choices[row].label) if row < len(choices) else None
                for column, (_, choices, _) in enumerate(lists)
            )
        )


def _write_child_sheet(
    cells: Cells,
    state: ReturnState,
    contents: AgencyWorkbook,
    rows: list[_QuestionRow],
    fixed: list[tuple[Cell, Cell, Cell, Cell]],
    validations: _SharedValidations,
) -> list[str]:
    """One child's sheet (``cells`` on it); returns the ids of answers too long to put in a
    cell. ``fixed`` holds each question row's Section, Question, Hint and id cells, and
    ``validations`` the drop-downs and checks of a sheet with every answer in its cell."""
    definition = contents.definition
    sheet = cells.sheet
    for letter, width in COLUMN_WIDTHS.items():
        sheet.column_dimensions[letter].width = width
    sheet.column_dimensions[ID_COL].hidden = True
    sheet.freeze_panes = f"{ANSWER_COL}{FIRST_ROW}"
    # Only the Answer and Why cells can be typed in; columns and rows can still be resized.
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.protection.formatCells = False
    sheet.size = (FIRST_ROW - 1 + len(rows), len(COLUMNS))

    cells.append(cells(0, f"{state.child_code}: {contents.agency_name}'s return", HEADING))
    status = (
        f"Status when downloaded: {state.status.label}. "
        f"Version of the return when downloaded: {state.version}."
    )
    if not state.editable:
        status += (
            " This return cannot be changed now (it has been sent in, or the audit is not "
            "collecting returns): changes made on this sheet will not be saved."
        )
    cells.append(cells(0, status))
    cells.append(
        cells(
            0,
            "Write your answers in the Answer column. Use the drop-down lists where there are "
            "some. Do not add, delete or move rows.",
        )
    )
    cells.append(*(cells(column, title, HEADER) for column, title in enumerate(COLUMNS)))

    online_only: list[str] = []
    for row, (section, text, hint, question_id) in zip(rows, fixed, strict=True):
        question = row.question
        value, reason = state.answers.get(question.id, (None, None))
        written = cell_value(question, value, definition)
        if _too_long(written) or _too_long(reason):
            online_only.append(question.id)
            answer = cells(
                2,
                "This answer is too long for a spreadsheet cell. Change it online: "
                "anything written here is not saved.",
                NOT_USED,
            )
            why = cells(3, None, NOT_USED)
        else:
            answer = cells(2, written, _answer_style(row.number_format))
            why = cells(3, reason, TO_FILL) if row.takes_reason else cells(3, None, NOT_USED)
        cells.append(section, text, answer, why, hint, question_id)
    if online_only:
        left_out = set(online_only)
        for row in rows:
            if row.validation is not None and row.question.id not in left_out:
                sheet.data_validations.append(row.validation)
    else:
        sheet.data_validations = validations
    return online_only


def _validation(
    question: Question, coordinate: str, list_ranges: dict[str, str]
) -> DataValidation | None:
    """The drop-down list or check of a question's Answer cell, if it has one."""
    if question.id in list_ranges:
        validation = DataValidation(
            type="list",
            formula1=list_ranges[question.id],
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Choose from the list",
            error="Choose an answer from the drop-down list.",
        )
    elif (check := answer_type(question).cell_check(question)) is not None:
        validation = _data_validation(check)
    else:
        return None
    validation.add(coordinate)
    return validation


def _data_validation(check: CellCheck) -> DataValidation:
    return DataValidation(
        type=check.kind,
        operator="between",
        formula1=check.low,
        formula2=check.high,
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=check.title,
        error=check.message,
    )


def _write_about(
    book: Workbook,
    contents: AgencyWorkbook,
    details: dict[str, Any],
    key: str | bytes,
    now: datetime,
) -> None:
    """The hidden sheet of signed details the workbook was made from."""
    payload = _pack(details)
    parts = [payload[i : i + PART_SIZE] for i in range(0, len(payload), PART_SIZE)]
    definition = contents.definition
    sheet = create_sheet(book, ABOUT_SHEET)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 80
    sheet.sheet_state = "hidden"
    sheet.protection.sheet = True
    cells = Cells(sheet)
    shown = {
        "audit_title": ("Audit", contents.audit_title),
        "audit": ("Audit number", str(contents.audit_id)),
        "agency_name": ("Agency", contents.agency_name),
        "agency": ("Agency number", str(contents.agency_id)),
        "template_title": ("Template", f"{definition.title}, version {definition.version}"),
        "template": ("Template fingerprint", definition.content_hash),
        "downloaded": ("Downloaded", now.strftime("%d/%m/%Y %H:%M UTC")),
        "format": ("Format", FORMAT),
        "signature": ("Signature", _sign(key, payload)),
        "parts": ("Parts", str(len(parts))),
    }
    by_row: dict[int, tuple[str, str, str | None]] = {
        1: ("About this workbook", "", HEADING),
        2: (
            "The service uses this sheet to check the workbook when you upload it. "
            "Do not change anything on it.",
            "",
            None,
        ),
    }
    for name, (label, value) in shown.items():
        by_row[ABOUT_ROWS[name]] = (label, value, BOLD)
    for index, part in enumerate(parts):
        by_row[FIRST_PART_ROW + index] = (f"Part {index + 1}", part, None)
    sheet.size = (max(by_row), 2)
    for row in range(1, max(by_row) + 1):
        if row not in by_row:
            cells.append()
            continue
        label, value, style = by_row[row]
        cells.append(cells(0, label, style), cells(1, value) if value else None)


_WHAT_TO_DO = (
    "1. There is one sheet for each child, named by the child's code. On each child's sheet, "
    "write your agency's answer to each question in the Answer column (the yellow cells).",
    "2. Where a cell has a drop-down list, choose from it.",
    "3. For a grade, say why you gave it in the 'Why this grade?' column when it asks.",
    "4. Write dates as DD/MM/YYYY, like 03/02/2021. For key events, write one event a line, "
    "starting with its date, like '05/06/2020: Seen in A&E'. In Excel, press Alt+Enter to "
    "start a new line in a cell.",
    "5. Where you can give several answers from a list, separate them with a semicolon (;).",
    "6. Save the file as an Excel Workbook (.xlsx).",
)
_WHAT_NOT_TO_DO = (
    "Do not rename, delete or move sheets, and do not change the hidden sheets.",
    "Do not add, delete or move rows or columns, or change the Section, Question and Hint columns.",
    "Do not type over the drop-down lists with answers of your own.",
    "Do not save the file in another format (.xls, .csv or .ods).",
    "Do not write children's names or other identifying details: use the child's code. Keep "
    "the file as securely as any case record, and delete it once you have uploaded it.",
    "Do not use a workbook for another agency or audit, or an old workbook: download a new "
    "one if in doubt.",
)


def _write_instructions(
    sheet: CellSheet,
    contents: AgencyWorkbook,
    names: list[str],
    upload_url: str | None,
    now: datetime,
) -> None:
    definition = contents.definition
    sheet.column_dimensions["A"].width = 100
    for letter in "BCD":
        sheet.column_dimensions[letter].width = 24
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    upload = "7. Sign in to the service and upload the file on the audit's workbook page"
    upload += f": {upload_url}" if upload_url else "."
    lines: list[tuple[str, str]] = [
        (HEADING_WRAPPED, f"Your agency's workbook: {contents.audit_title}"),
        (TEXT, f"Agency: {contents.agency_name}"),
        (TEXT, f"Template: {definition.title}, version {definition.version}"),
        (TEXT, f"Downloaded: {now.strftime('%d/%m/%Y %H:%M')} (UTC)"),
    ]
    if contents.deadline:
        lines.append((TEXT, f"Send your returns by: {contents.deadline.strftime('%d/%m/%Y')}"))
    lines += [
        (TEXT, ""),
        (BOLD_WRAPPED, "What to do"),
        *((TEXT, line) for line in _WHAT_TO_DO),
        (TEXT, upload),
        (
            TEXT,
            "8. Before anything is saved you will see every change the workbook makes. If "
            "someone changed an answer online after you downloaded this workbook, you choose "
            "which answer to keep. Your answers are saved as a draft: send each return from "
            "its page in the service when it is complete.",
        ),
        (TEXT, ""),
        (BOLD_WRAPPED, "What not to do"),
        *((TEXT, line) for line in _WHAT_NOT_TO_DO),
        (TEXT, ""),
        (BOLD_WRAPPED, "Returns in this workbook"),
    ]
    cells = Cells(sheet)
    sheet.size = (len(lines) + 1 + (len(contents.returns) or 1), 4)
    for style, text in lines:
        cells.append(cells(0, text, style))
    titles = ("Child", "Sheet", "Status when downloaded", "Version when downloaded")
    cells.append(*(cells(column, title, BOLD) for column, title in enumerate(titles)))
    for state, name in zip(contents.returns, names, strict=True):
        status = state.status.label + ("" if state.editable else " (cannot be changed)")
        cells.append(
            cells(0, state.child_code), cells(1, name), cells(2, status), cells(3, state.version)
        )
    if not contents.returns:
        cells.append(cells(0, "There are no returns for your agency yet."))
