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
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import re
import warnings
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.accounts.models import User
from audit_app.audits.models import Audit, AuditAgency, AuditStatus
from audit_app.cohort.models import CohortMember
from audit_app.core.errors import DomainError
from audit_app.questionnaires.answer_types import (
    EARLIEST_YEAR,  # noqa: F401 (kept importable from here)
    LATEST_YEAR,  # noqa: F401
    CellCheck,
    CellError,
    answer_type,
    blank,
    normal_answer,
    plain_text,
    short,
    text_of,
)
from audit_app.questionnaires.definitions import AuditTemplateDefinition, Choice, Question
from audit_app.questionnaires.library import definition_of
from audit_app.returns.answering import EDITABLE, save_section
from audit_app.returns.models import AgencyReturn, Answer, ReturnStatus

FORMAT = "audit-app workbook 1"
MAX_BYTES = 10 * 1024 * 1024
MAX_PROBLEMS = 100
MAX_CELL_TEXT = 32_000
"""Excel keeps at most 32,767 characters in a cell (openpyxl reads no more): a longer
answer is left out of the workbook and can only be changed online."""
PART_SIZE = 30_000
"""The signed details are split over cells of at most this many characters."""
MAX_PARTS = 2_000
EXTRA_ROWS = 500
"""Rows read beyond the template's questions, to find answers written in added rows."""

INSTRUCTIONS_SHEET = "Instructions"
LISTS_SHEET = "Lists"
ABOUT_SHEET = "About this workbook"
RESERVED_SHEETS = frozenset(
    name.casefold() for name in (INSTRUCTIONS_SHEET, LISTS_SHEET, ABOUT_SHEET, "History")
)

# The child sheets: a heading, then a header row, then a row per question.
HEADER_ROW = 4
FIRST_ROW = HEADER_ROW + 1
COLUMNS = ("Section", "Question", "Answer", "Why this grade?", "Hint", "Question id")
SECTION_COL, QUESTION_COL, ANSWER_COL, WHY_COL, HINT_COL, ID_COL = "ABCDEF"
COLUMN_WIDTHS = {"A": 22, "B": 48, "C": 45, "D": 40, "E": 45, "F": 22}

# The "About this workbook" sheet: labels in column A, values in column B.
ABOUT_ROWS = {
    "audit_title": 4,
    "audit": 5,
    "agency_name": 6,
    "agency": 7,
    "template_title": 8,
    "template": 9,
    "downloaded": 10,
    "format": 11,
    "signature": 12,
    "parts": 13,
}
FIRST_PART_ROW = 14
CHECKED_FACTS = ("audit", "agency", "template")
"""About-sheet cells a person can read that must match the signed details."""

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

_BOLD = Font(bold=True)
_HEADING = Font(bold=True, size=14)
_WRAP = Alignment(wrap_text=True, vertical="top")
_TO_FILL = PatternFill("solid", fgColor="FFF7D6")
_NOT_USED = PatternFill("solid", fgColor="F3F2F1")
_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
_UNLOCKED = Protection(locked=False)

Pair = tuple[Any, str | None]
"""An answer: its stored value and the written reason for a grade."""


# --- Problems ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkbookProblem:
    """One thing wrong with an uploaded workbook, and the sheet and cell where it is."""

    message: str
    sheet: str | None = None
    cell: str | None = None

    @property
    def where(self) -> str:
        if self.sheet and self.cell:
            return f"Sheet '{self.sheet}', cell {self.cell}"
        if self.sheet:
            return f"Sheet '{self.sheet}'"
        return ""

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class WorkbookError(Exception):
    """The workbook cannot be used; ``problems`` lists every problem found (up to 100)."""

    def __init__(self, problems: list[WorkbookProblem]) -> None:
        if len(problems) > MAX_PROBLEMS:
            more = len(problems) - MAX_PROBLEMS
            problems = [
                *problems[:MAX_PROBLEMS],
                WorkbookProblem(f"There are {more:,} more problems like these, not listed here."),
            ]
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


def _refuse(message: str, sheet: str | None = None, cell: str | None = None) -> WorkbookError:
    return WorkbookError([WorkbookProblem(message, sheet, cell)])


_CellProblem = CellError  # a cell that cannot be read as an answer (the registry says why)


# --- What the workbook is made from --------------------------------------------------------


@dataclass(frozen=True)
class ReturnState:
    """One return as it is in the database now."""

    return_id: int
    child_code: str
    version: int
    status: ReturnStatus
    editable: bool
    answers: dict[str, Pair]


@dataclass(frozen=True)
class AgencyWorkbook:
    """An agency's returns for an audit, as the workbook shows them."""

    audit_id: int
    audit_title: str
    agency_id: int
    agency_name: str
    definition: AuditTemplateDefinition
    collecting: bool
    returns: list[ReturnState]
    deadline: date | None = None


def agency_workbook(session: Session, audit: Audit, agency_id: int) -> AgencyWorkbook:
    """The agency's returns for the audit (children still in the cohort), answers included,
    in the same few queries whatever the cohort's size."""
    if audit.template_version is None:
        raise DomainError("This audit has no template")
    definition = definition_of(audit.template_version)
    link = session.scalar(
        select(AuditAgency).where(
            AuditAgency.audit_id == audit.id, AuditAgency.agency_id == agency_id
        )
    )
    if link is None:
        raise DomainError("Your agency is not taking part in this audit")
    rows = session.execute(
        select(AgencyReturn, CohortMember.code)
        .join(CohortMember, CohortMember.id == AgencyReturn.member_id)
        .where(
            AgencyReturn.audit_id == audit.id,
            AgencyReturn.agency_id == agency_id,
            CohortMember.removed_at.is_(None),
        )
        .order_by(CohortMember.position, AgencyReturn.id)
    ).all()
    ids = [agency_return.id for agency_return, _ in rows]
    answers: dict[int, dict[str, Pair]] = {return_id: {} for return_id in ids}
    if ids:
        for answer in session.scalars(select(Answer).where(Answer.return_id.in_(ids))):
            answers[answer.return_id][answer.question_id] = (answer.value, answer.rationale)
    collecting = audit.status is AuditStatus.COLLECTING
    return AgencyWorkbook(
        audit_id=audit.id,
        audit_title=audit.title,
        agency_id=agency_id,
        agency_name=link.agency.name,
        definition=definition,
        collecting=collecting,
        returns=[
            ReturnState(
                return_id=agency_return.id,
                child_code=code,
                version=agency_return.version,
                status=agency_return.status,
                editable=collecting and agency_return.status in EDITABLE,
                answers=answers[agency_return.id],
            )
            for agency_return, code in rows
        ],
        deadline=link.return_deadline or audit.return_deadline,
    )


def return_statuses(session: Session, audit: Audit, agency_id: int) -> list[ReturnStatus]:
    """The status of each of the agency's returns for the audit (children still in it)."""
    return list(
        session.scalars(
            select(AgencyReturn.status)
            .join(CohortMember, CohortMember.id == AgencyReturn.member_id)
            .where(
                AgencyReturn.audit_id == audit.id,
                AgencyReturn.agency_id == agency_id,
                CohortMember.removed_at.is_(None),
            )
        )
    )


# --- Answers as cells, and back ------------------------------------------------------------


def _blank(value: Any) -> bool:
    return blank(value)


def _choices(question: Question, definition: AuditTemplateDefinition) -> list[Choice] | None:
    return answer_type(question).choices(question, definition.scales)


def takes_reason(question: Question) -> bool:
    """Whether the question has a "Why this grade?" cell."""
    return answer_type(question).takes_reason(question)


def cell_value(question: Question, value: Any, definition: AuditTemplateDefinition) -> Any:
    """A stored answer as it is written in the Answer cell (None when not answered)."""
    return answer_type(question).to_cell(value, question, definition.scales)


def _too_long(cell: Any) -> bool:
    return isinstance(cell, str) and len(cell) > MAX_CELL_TEXT


_text_of = text_of
_short = short


def stored_value(question: Question, raw: Any, definition: AuditTemplateDefinition) -> Any:
    """What a cell says, as the answer is stored (None when blank).

    Raises :class:`CellError` (``_CellProblem``) saying what is wrong.
    """
    return answer_type(question).from_cell(raw, question, definition.scales)


def normal(question: Question | None, pair: Pair) -> tuple[Any, Any]:
    """An answer in a form that compares equal when a person would call it unchanged."""
    value, reason = pair
    return normal_answer(question, value), plain_text(reason) if reason else None


# --- Writing -----------------------------------------------------------------------------


def _put(cell: Any, value: Any) -> None:
    """Write a value; text a spreadsheet could run as a formula is kept as text."""
    if isinstance(value, str):
        value = _ILLEGAL.sub("", value)
        cell.value = value
        if value.startswith(_FORMULA_START):
            cell.data_type = "s"
    else:
        cell.value = value


def _sign(key: str | bytes, payload: str) -> str:
    secret = key.encode() if isinstance(key, str) else key
    return hmac.new(
        secret, b"audit-app offline workbook\x00" + payload.encode(), hashlib.sha256
    ).hexdigest()


def _pack(details: dict[str, Any]) -> str:
    """The details as compressed ASCII: compact, and nothing a spreadsheet would change."""
    text = json.dumps(details, sort_keys=True, separators=(",", ":"))
    return base64.b64encode(zlib.compress(text.encode(), 9)).decode()


def _unpack(payload: str) -> Any:
    return json.loads(zlib.decompress(base64.b64decode(payload.encode())))


def sheet_names(codes: Iterable[str]) -> list[str]:
    """A valid, unique sheet name for each child code, in order."""
    used = set(RESERVED_SHEETS)
    names = []
    for code in codes:
        base = re.sub(r"[\[\]:*?/\\]", "-", _ILLEGAL.sub("", code)).strip().strip("'")
        base = (base or "Child")[:31]
        name, number = base, 2
        while name.casefold() in used:
            suffix = f" ({number})"
            name = base[: 31 - len(suffix)] + suffix
            number += 1
        used.add(name.casefold())
        names.append(name)
    return names


def _hint(question: Question, definition: AuditTemplateDefinition) -> str:
    kind = answer_type(question)
    how = kind.cell_hint(question, definition.scales)
    parts = [question.hint or "", how]
    if kind.needs_reason(question):
        parts.append("Say why you gave this grade in the 'Why this grade?' column.")
    elif takes_reason(question):
        parts.append("You can say why you gave this grade in the 'Why this grade?' column.")
    condition = definition.describe_condition(question)
    if condition:
        parts.append(condition + " Otherwise leave it blank.")
    if not question.required:
        parts.append("Optional.")
    return " ".join(part for part in parts if part)


def build_workbook(
    contents: AgencyWorkbook,
    key: str | bytes,
    *,
    upload_url: str | None = None,
    now: datetime | None = None,
) -> bytes:
    """The agency's workbook for the audit, as the bytes of an .xlsx file.

    ``key`` signs the details the workbook is made from; ``upload_url`` is where to upload it.
    """
    now = now or datetime.now(UTC)
    definition = contents.definition
    names = sheet_names(state.child_code for state in contents.returns)
    book = Workbook()
    instructions = book.active
    instructions.title = INSTRUCTIONS_SHEET
    lists = _lists(definition)
    list_ranges = {question.id: cells for question, _, cells in lists}
    signed_returns = []
    for state, name in zip(contents.returns, names, strict=True):
        online_only = _write_child_sheet(book.create_sheet(name), state, contents, list_ranges)
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
    _write_instructions(instructions, contents, names, upload_url, now)
    book.active = 0
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


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


def _write_lists(book: Any, lists: list[tuple[Question, list[Choice], str]]) -> None:
    sheet = book.create_sheet(LISTS_SHEET)
    for column, (_, choices, _) in enumerate(lists, start=1):
        for row, choice in enumerate(choices, start=1):
            _put(sheet.cell(row=row, column=column), choice.label)
    sheet.sheet_state = "hidden"
    sheet.protection.sheet = True


def _write_child_sheet(
    sheet: Any, state: ReturnState, contents: AgencyWorkbook, list_ranges: dict[str, str]
) -> list[str]:
    """One child's sheet; returns the ids of answers too long to put in a cell."""
    definition = contents.definition
    _put(sheet["A1"], f"{state.child_code}: {contents.agency_name}'s return")
    sheet["A1"].font = _HEADING
    status = (
        f"Status when downloaded: {state.status.label}. "
        f"Version of the return when downloaded: {state.version}."
    )
    if not state.editable:
        status += (
            " This return cannot be changed now (it has been sent in, or the audit is not "
            "collecting returns): changes made on this sheet will not be saved."
        )
    _put(sheet["A2"], status)
    _put(
        sheet["A3"],
        "Write your answers in the Answer column. Use the drop-down lists where there are "
        "some. Do not add, delete or move rows.",
    )
    for index, title in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=index, value=title)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = _WRAP
    for letter, width in COLUMN_WIDTHS.items():
        sheet.column_dimensions[letter].width = width
    sheet.column_dimensions[ID_COL].hidden = True
    sheet.freeze_panes = f"{ANSWER_COL}{FIRST_ROW}"

    validations: dict[str, DataValidation] = {}
    online_only: list[str] = []
    row = FIRST_ROW
    for section in definition.sections:
        for question in section.questions:
            value, reason = state.answers.get(question.id, (None, None))
            written = cell_value(question, value, definition)
            answer = sheet[f"{ANSWER_COL}{row}"]
            why = sheet[f"{WHY_COL}{row}"]
            if _too_long(written) or _too_long(reason):
                online_only.append(question.id)
                _put(
                    answer,
                    "This answer is too long for a spreadsheet cell. Change it online: "
                    "anything written here is not saved.",
                )
                answer.fill = why.fill = _NOT_USED
            else:
                _put(answer, written)
                answer.protection = _UNLOCKED
                answer.fill = _TO_FILL
                number_format = answer_type(question).cell_number_format
                if number_format:
                    answer.number_format = number_format
                _validate(question, answer.coordinate, list_ranges, validations)
                if takes_reason(question):
                    _put(why, reason)
                    why.protection = _UNLOCKED
                    why.fill = _TO_FILL
                else:
                    why.fill = _NOT_USED
            _put(sheet[f"{SECTION_COL}{row}"], section.title)
            _put(sheet[f"{QUESTION_COL}{row}"], question.text)
            _put(sheet[f"{HINT_COL}{row}"], _hint(question, definition))
            _put(sheet[f"{ID_COL}{row}"], question.id)
            for letter in COLUMN_WIDTHS:
                sheet[f"{letter}{row}"].alignment = _WRAP
            row += 1
    for validation in validations.values():
        sheet.add_data_validation(validation)
    # Only the Answer and Why cells can be typed in; columns and rows can still be resized.
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.protection.formatCells = False
    return online_only


def _validate(
    question: Question,
    coordinate: str,
    list_ranges: dict[str, str],
    validations: dict[str, DataValidation],
) -> None:
    """Add the cell to its question's drop-down list or check (one per question a sheet)."""
    validation = validations.get(question.id)
    if validation is None:
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
            return
        validations[question.id] = validation
    validation.add(coordinate)


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
    book: Any, contents: AgencyWorkbook, details: dict[str, Any], key: str | bytes, now: datetime
) -> None:
    """The hidden sheet of signed details the workbook was made from."""
    payload = _pack(details)
    parts = [payload[i : i + PART_SIZE] for i in range(0, len(payload), PART_SIZE)]
    definition = contents.definition
    sheet = book.create_sheet(ABOUT_SHEET)
    _put(sheet["A1"], "About this workbook")
    sheet["A1"].font = _HEADING
    _put(
        sheet["A2"],
        "The service uses this sheet to check the workbook when you upload it. "
        "Do not change anything on it.",
    )
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
    for name, (label, value) in shown.items():
        row = ABOUT_ROWS[name]
        _put(sheet[f"A{row}"], label)
        sheet[f"A{row}"].font = _BOLD
        _put(sheet[f"B{row}"], value)
    for index, part in enumerate(parts):
        row = FIRST_PART_ROW + index
        _put(sheet[f"A{row}"], f"Part {index + 1}")
        _put(sheet[f"B{row}"], part)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 80
    sheet.sheet_state = "hidden"
    sheet.protection.sheet = True


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
    sheet: Any,
    contents: AgencyWorkbook,
    names: list[str],
    upload_url: str | None,
    now: datetime,
) -> None:
    definition = contents.definition
    upload = "7. Sign in to the service and upload the file on the audit's workbook page"
    upload += f": {upload_url}" if upload_url else "."
    lines: list[tuple[Font | None, str]] = [
        (_HEADING, f"Your agency's workbook: {contents.audit_title}"),
        (None, f"Agency: {contents.agency_name}"),
        (None, f"Template: {definition.title}, version {definition.version}"),
        (None, f"Downloaded: {now.strftime('%d/%m/%Y %H:%M')} (UTC)"),
    ]
    if contents.deadline:
        lines.append((None, f"Send your returns by: {contents.deadline.strftime('%d/%m/%Y')}"))
    lines += [
        (None, ""),
        (_BOLD, "What to do"),
        *((None, line) for line in _WHAT_TO_DO),
        (None, upload),
        (
            None,
            "8. Before anything is saved you will see every change the workbook makes. If "
            "someone changed an answer online after you downloaded this workbook, you choose "
            "which answer to keep. Your answers are saved as a draft: send each return from "
            "its page in the service when it is complete.",
        ),
        (None, ""),
        (_BOLD, "What not to do"),
        *((None, line) for line in _WHAT_NOT_TO_DO),
        (None, ""),
        (_BOLD, "Returns in this workbook"),
    ]
    for row, (font, text) in enumerate(lines, start=1):
        cell = sheet.cell(row=row, column=1)
        _put(cell, text)
        cell.alignment = _WRAP
        if font is not None:
            cell.font = font
    row = len(lines) + 1
    titles = ("Child", "Sheet", "Status when downloaded", "Version when downloaded")
    for column, title in enumerate(titles, start=1):
        sheet.cell(row=row, column=column, value=title).font = _BOLD
    for state, name in zip(contents.returns, names, strict=True):
        row += 1
        _put(sheet.cell(row=row, column=1), state.child_code)
        _put(sheet.cell(row=row, column=2), name)
        status = state.status.label + ("" if state.editable else " (cannot be changed)")
        _put(sheet.cell(row=row, column=3), status)
        sheet.cell(row=row, column=4, value=state.version)
    if not contents.returns:
        _put(sheet.cell(row=row + 1, column=1), "There are no returns for your agency yet.")
    sheet.column_dimensions["A"].width = 100
    for letter in "BCD":
        sheet.column_dimensions[letter].width = 24
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False


# --- Reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """An answer the workbook changes: what it was at download and what the workbook says."""

    question_id: str
    cell: str
    before: Pair
    after: Pair


@dataclass
class UploadedReturn:
    return_id: int
    sheet: str
    child_code: str
    version: int
    edits: dict[str, Edit] = field(default_factory=dict)
    at_download: dict[str, Pair] | None = None
    """Every answer at download; None when rebuilt from :meth:`UploadedWorkbook.to_data`."""


@dataclass
class UploadedWorkbook:
    audit_id: int
    agency_id: int
    template_hash: str
    downloaded: str
    returns: list[UploadedReturn]

    @property
    def downloaded_at(self) -> datetime | None:
        try:
            return datetime.fromisoformat(self.downloaded)
        except ValueError:
            return None

    def to_data(self) -> dict[str, Any]:
        """What confirming needs (the edits, not every answer), as plain JSON."""
        return {
            "audit": self.audit_id,
            "agency": self.agency_id,
            "template": self.template_hash,
            "downloaded": self.downloaded,
            "returns": [
                {
                    "id": r.return_id,
                    "sheet": r.sheet,
                    "child": r.child_code,
                    "version": r.version,
                    "edits": [
                        [e.question_id, e.cell, list(e.before), list(e.after)]
                        for e in r.edits.values()
                    ],
                }
                for r in self.returns
            ],
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> UploadedWorkbook:
        return cls(
            audit_id=int(data["audit"]),
            agency_id=int(data["agency"]),
            template_hash=str(data["template"]),
            downloaded=str(data["downloaded"]),
            returns=[
                UploadedReturn(
                    return_id=int(r["id"]),
                    sheet=str(r["sheet"]),
                    child_code=str(r["child"]),
                    version=int(r["version"]),
                    edits={
                        qid: Edit(qid, str(cell), (before[0], before[1]), (after[0], after[1]))
                        for qid, cell, before, after in r["edits"]
                    },
                )
                for r in data["returns"]
            ],
        )


def _check_file(raw: bytes, filename: str) -> None:
    """Refuse what is not an .xlsx file, or would unpack to far more than it is."""
    from audit_app.cohort.population import PopulationError, _check_zip

    if len(raw) > MAX_BYTES:
        raise _refuse(f"'{filename}' is too large: a workbook must be 10 MB or less.")
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(
            f"'{filename}' is an older Excel file (.xls) or a workbook with a password. "
            "Remove any password, then in Excel use File > Save As and choose "
            "'Excel Workbook (.xlsx)'."
        )
    try:
        _check_zip(raw, filename)
    except PopulationError as error:
        if "too large once unpacked" in str(error):
            raise _refuse(
                f"'{filename}' looks damaged or is far too large once unpacked, so it has "
                "not been opened. Download a new workbook and copy your answers into it."
            ) from None
        raise _refuse(
            f"'{filename}' is not an Excel workbook (.xlsx): it may be damaged, or be another "
            "kind of file. Upload the workbook you downloaded from this page, saved as "
            "'Excel Workbook (.xlsx)'."
        ) from None


def read_workbook(
    raw: bytes,
    *,
    key: str | bytes,
    definition: AuditTemplateDefinition,
    audit_id: int,
    agency_id: int,
    filename: str = "The workbook",
) -> UploadedWorkbook:
    """Check an uploaded workbook and read the answers in it.

    Raises :class:`WorkbookError` listing every problem, each naming its sheet and cell:
    a file that is not a workbook, a workbook changed where it must not be, one for another
    audit, agency or template version, or answers that cannot be read.
    """
    _check_file(raw, filename)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds of error for a damaged file
        raise _refuse(
            f"'{filename}' is not a valid Excel workbook (it may be damaged). Open it in "
            "Excel and save it again as 'Excel Workbook (.xlsx)'."
        ) from error
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _read(book, key, definition, audit_id, agency_id)
    except WorkbookError:
        raise
    except Exception as error:
        raise _refuse(
            f"'{filename}' could not be read (it may be damaged). Download a new workbook and "
            "copy your answers into it."
        ) from error
    finally:
        book.close()


def _rows(sheet: Any, last_row: int, last_col: int) -> list[tuple[Any, ...]]:
    sheet.reset_dimensions()  # read what is there, whatever the file claims
    return [
        tuple(row) + (None,) * (last_col - len(row))
        for row in sheet.iter_rows(min_row=1, max_row=last_row, max_col=last_col, values_only=True)
    ]


def _read(
    book: Any,
    key: str | bytes,
    definition: AuditTemplateDefinition,
    audit_id: int,
    agency_id: int,
) -> UploadedWorkbook:
    details = _signed_details(book, key)
    if details.get("audit") != audit_id:
        raise _refuse(
            f"This workbook is for another audit ('{details.get('audit_title')}'). Download "
            "the workbook from this audit's page.",
            ABOUT_SHEET,
            f"B{ABOUT_ROWS['audit']}",
        )
    if details.get("agency") != agency_id:
        raise _refuse(
            f"This workbook is for {details.get('agency_name')}, not your agency. Download "
            "your own agency's workbook from this page.",
            ABOUT_SHEET,
            f"B{ABOUT_ROWS['agency']}",
        )
    if details.get("template") != definition.content_hash:
        raise _refuse(
            f"This workbook was made with version {details.get('template_version')} of the "
            f"template, but the audit uses version {definition.version}. Download a new "
            "workbook and copy your answers into it.",
            ABOUT_SHEET,
            f"B{ABOUT_ROWS['template']}",
        )
    problems: list[WorkbookProblem] = []
    uploaded = []
    names = {name.casefold(): name for name in book.sheetnames}
    for signed in details.get("returns", []):
        name = names.get(str(signed["sheet"]).casefold())
        if name is None:
            problems.append(
                WorkbookProblem(
                    f"There is no sheet named '{signed['sheet']}' (for {signed['child']}). "
                    "Do not rename or delete sheets: download a new workbook if you need to.",
                    signed["sheet"],
                )
            )
            continue
        result = _read_child(book[name], name, signed, definition, problems)
        if result is not None:
            uploaded.append(result)
    if problems:
        raise WorkbookError(problems)
    return UploadedWorkbook(
        audit_id=audit_id,
        agency_id=agency_id,
        template_hash=definition.content_hash,
        downloaded=str(details.get("downloaded", "")),
        returns=uploaded,
    )


def _signed_details(book: Any, key: str | bytes) -> dict[str, Any]:
    """The details the workbook was made from, once its signature is checked."""
    if ABOUT_SHEET not in book.sheetnames:
        raise _refuse(
            f"There is no sheet named '{ABOUT_SHEET}', so this is not a workbook downloaded "
            "from this service, or it has been changed. Download a new workbook and copy your "
            "answers into it.",
            ABOUT_SHEET,
        )
    sheet = book[ABOUT_SHEET]
    rows = _rows(sheet, FIRST_PART_ROW + MAX_PARTS, 2)

    def value(row: int) -> Any:
        return rows[row - 1][1] if row <= len(rows) else None

    changed = (
        "This sheet has been changed since the workbook was downloaded, so the workbook "
        "cannot be trusted. Download a new workbook and copy your answers into it."
    )
    format_row = ABOUT_ROWS["format"]
    if value(format_row) != FORMAT:
        raise _refuse(
            "This is not a workbook from this service, or it was made by an older version "
            "of it. Download a new workbook and copy your answers into it.",
            ABOUT_SHEET,
            f"B{format_row}",
        )
    parts_row, signature_row = ABOUT_ROWS["parts"], ABOUT_ROWS["signature"]
    count = value(parts_row)
    if isinstance(count, str) and count.isdigit():
        count = int(count)
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_PARTS:
        raise _refuse(changed, ABOUT_SHEET, f"B{parts_row}")
    parts = [value(FIRST_PART_ROW + index) for index in range(count)]
    payload = "".join(part if isinstance(part, str) else "" for part in parts)
    signature = value(signature_row)
    if not isinstance(signature, str) or not hmac.compare_digest(
        signature.strip().encode(), _sign(key, payload).encode()
    ):
        last = FIRST_PART_ROW + count - 1
        cells = f"B{FIRST_PART_ROW}" if count == 1 else f"B{FIRST_PART_ROW} to B{last}"
        raise _refuse(
            f"The details in cells {cells} do not match the signature in cell "
            f"B{signature_row}: this sheet has been changed (tampered with) since the workbook "
            "was downloaded, so the workbook cannot be trusted. Download a new workbook and "
            "copy your answers into it.",
            ABOUT_SHEET,
            f"B{signature_row}",
        )
    details = _unpack(payload)
    if not isinstance(details, dict) or details.get("format") != FORMAT:
        raise _refuse(changed, ABOUT_SHEET, f"B{signature_row}")
    for name in CHECKED_FACTS:
        row = ABOUT_ROWS[name]
        if _text_of(value(row)) != str(details.get(name)):
            raise _refuse(
                "This cell has been changed (tampered with) since the workbook was "
                f"downloaded: it should say {details.get(name)}. Download a new workbook and "
                "copy your answers into it.",
                ABOUT_SHEET,
                f"B{row}",
            )
    return details


def _read_child(
    sheet: Any,
    name: str,
    signed: dict[str, Any],
    definition: AuditTemplateDefinition,
    problems: list[WorkbookProblem],
) -> UploadedReturn | None:
    questions = definition.questions
    online_only = set(signed.get("online_only") or [])
    at_download: dict[str, Pair] = {
        qid: (pair[0], pair[1]) for qid, pair in (signed.get("answers") or {}).items()
    }
    result = UploadedReturn(
        return_id=int(signed["id"]),
        sheet=name,
        child_code=str(signed["child"]),
        version=int(signed["version"]),
        at_download=at_download,
    )
    before_count = len(problems)
    seen: dict[str, int] = {}
    width = len(COLUMNS)
    for number, row in enumerate(
        _rows(sheet, HEADER_ROW + len(questions) + EXTRA_ROWS, width), start=1
    ):
        if number < FIRST_ROW:
            continue
        answer_raw, why_raw, qid_raw = row[2], row[3], row[5]
        qid = _text_of(qid_raw)
        answer_cell, why_cell = f"{ANSWER_COL}{number}", f"{WHY_COL}{number}"
        if not qid:
            for raw, cell in ((answer_raw, answer_cell), (why_raw, why_cell)):
                if _text_of(raw):
                    problems.append(
                        WorkbookProblem(
                            "This row is not one of the template's questions, so what is "
                            "written in it cannot be saved. Do not add rows: write each answer "
                            "in its question's row.",
                            name,
                            cell,
                        )
                    )
            continue
        question = definition.question(qid)
        if question is None:
            problems.append(
                WorkbookProblem(
                    f"The hidden question id '{_short(qid)}' has been changed, so this row "
                    "cannot be read. Download a new workbook and copy your answers into it.",
                    name,
                    f"{ID_COL}{number}",
                )
            )
            continue
        if qid in seen:
            problems.append(
                WorkbookProblem(
                    f"The question '{question.text}' is in row {seen[qid]} and again here. "
                    "Do not copy rows: keep one row per question.",
                    name,
                    f"{ID_COL}{number}",
                )
            )
            continue
        seen[qid] = number
        before = at_download.get(qid, (None, None))
        if qid in online_only:
            continue
        try:
            value = stored_value(question, answer_raw, definition)
        except _CellProblem as problem:
            problems.append(WorkbookProblem(problem.message, name, answer_cell))
            continue
        if takes_reason(question):
            reason = _text_of(why_raw) or None
        else:
            if _text_of(why_raw):
                problems.append(
                    WorkbookProblem(
                        f"'{question.text}' does not take a reason, so this cannot be saved. "
                        "Write the answer in the Answer column, or delete this.",
                        name,
                        why_cell,
                    )
                )
                continue
            reason = before[1]
        after: Pair = (value, reason)
        if normal(question, after) != normal(question, before):
            result.edits[qid] = Edit(qid, answer_cell, before, after)
    for question in questions:
        if question.id not in seen:
            problems.append(
                WorkbookProblem(
                    f"The row for the question '{question.text}' is missing. Do not delete "
                    "rows: download a new workbook and copy your answers into it.",
                    name,
                )
            )
    return result if len(problems) == before_count else None


# --- What will change ----------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One answer the workbook would change. A conflict was also changed online since the
    download, differently: the reviewer chooses which to keep."""

    question: Question
    cell: str
    online: Pair
    workbook: Pair
    conflict: bool

    def choice_name(self, return_id: int) -> str:
        return f"choice_{return_id}_{self.question.id}"


@dataclass
class ReturnPlan:
    return_id: int
    child_code: str
    sheet: str
    version: int
    """The return's version now: saving names it, so a save made meanwhile is not lost."""
    downloaded_version: int
    status: ReturnStatus
    editable: bool
    changes: list[Change] = field(default_factory=list)
    kept_online: list[Question] = field(default_factory=list)
    """Changed online since the download and not in the workbook: the online answer stays."""

    @property
    def conflicts(self) -> list[Change]:
        return [change for change in self.changes if change.conflict]

    @property
    def applied(self) -> list[Change]:
        return [change for change in self.changes if not change.conflict]


@dataclass
class ChangePlan:
    returns: list[ReturnPlan]
    gone: list[str] = field(default_factory=list)
    """Children in the workbook who are no longer in the audit: their answers are not saved."""

    @property
    def to_save(self) -> list[ReturnPlan]:
        return [plan for plan in self.returns if plan.editable and plan.changes]

    @property
    def locked(self) -> list[ReturnPlan]:
        """Returns with changes in the workbook that cannot be changed (sent in)."""
        return [plan for plan in self.returns if not plan.editable and plan.changes]

    @property
    def conflicts(self) -> list[tuple[ReturnPlan, Change]]:
        return [(plan, change) for plan in self.to_save for change in plan.conflicts]

    @property
    def change_count(self) -> int:
        return sum(len(plan.changes) for plan in self.to_save)

    @property
    def is_empty(self) -> bool:
        return not self.to_save and not self.locked

    def versions(self) -> dict[str, int]:
        return {str(plan.return_id): plan.version for plan in self.returns}


def plan_changes(uploaded: UploadedWorkbook, current: AgencyWorkbook) -> ChangePlan:
    """Every answer the workbook would change, against the returns as they are now.

    Per question: changed only in the workbook since the download, the workbook's answer is
    used; changed only online, the online answer stays; changed in both, differently, it is
    a conflict for the reviewer to decide.
    """
    definition = current.definition
    order = {question.id: index for index, question in enumerate(definition.questions)}
    now = {state.return_id: state for state in current.returns}
    plan = ChangePlan(returns=[])
    for uploaded_return in uploaded.returns:
        state = now.get(uploaded_return.return_id)
        if state is None:
            plan.gone.append(uploaded_return.child_code)
            continue
        return_plan = ReturnPlan(
            return_id=state.return_id,
            child_code=state.child_code,
            sheet=uploaded_return.sheet,
            version=state.version,
            downloaded_version=uploaded_return.version,
            status=state.status,
            editable=state.editable,
        )
        edits = sorted(uploaded_return.edits.values(), key=lambda e: order.get(e.question_id, 0))
        for edit in edits:
            question = definition.question(edit.question_id)
            if question is None:
                continue
            online = state.answers.get(edit.question_id, (None, None))
            if normal(question, online) == normal(question, edit.after):
                continue  # already as the workbook says
            online_changed = normal(question, online) != normal(question, edit.before)
            return_plan.changes.append(
                Change(question, edit.cell, online, edit.after, conflict=online_changed)
            )
        for question in definition.questions:
            if question.id in uploaded_return.edits or uploaded_return.at_download is None:
                continue
            before = uploaded_return.at_download.get(question.id, (None, None))
            online = state.answers.get(question.id, (None, None))
            if normal(question, online) != normal(question, before):
                return_plan.kept_online.append(question)
        plan.returns.append(return_plan)
    return plan


def describe(question: Question, pair: Pair, definition: AuditTemplateDefinition) -> str:
    """An answer in words, with the reason for a grade."""
    value, reason = pair
    text = answer_type(question).summary(value, question, definition.scales)
    if reason:
        text += f"\nWhy: {reason}"
    return text


# --- Saving ------------------------------------------------------------------------------


@dataclass
class SaveResult:
    saved: list[tuple[str, int]] = field(default_factory=list)
    """(child code, answers changed) for each return saved."""
    locked: list[str] = field(default_factory=list)
    """Children whose returns had changes in the workbook but could not be changed."""


def apply_plan(
    session: Session,
    plan: ChangePlan,
    choices: dict[str, str],
    user: User | None,
    *,
    agency_id: int,
    audit_id: int,
) -> SaveResult:
    """Save the workbook's changes as draft, one :func:`save_section` per return.

    ``choices`` says, for each conflict's :meth:`Change.choice_name`, "online" or "workbook".
    Raises :class:`DomainError` when a conflict has no choice, and whatever ``save_section``
    raises (``ReturnConflict`` when a return was saved since the plan was made); the caller
    rolls back, so nothing is saved unless everything is.
    """
    missing = [
        change.question.text
        for return_plan, change in plan.conflicts
        if choices.get(change.choice_name(return_plan.return_id)) not in ("online", "workbook")
    ]
    if missing:
        raise DomainError(
            "Choose which answer to keep for: " + "; ".join(f"'{text}'" for text in missing)
        )
    result = SaveResult(locked=[plan.child_code for plan in plan.locked])
    for return_plan in plan.to_save:
        values: dict[str, Any] = {}
        rationales: dict[str, str] = {}
        for change in return_plan.changes:
            name = change.choice_name(return_plan.return_id)
            if change.conflict and choices.get(name) != "workbook":
                continue
            value, reason = change.workbook
            values[change.question.id] = value
            if reason:
                rationales[change.question.id] = reason
        if not values:
            continue
        agency_return = session.get(AgencyReturn, return_plan.return_id)
        if (
            agency_return is None
            or agency_return.agency_id != agency_id
            or agency_return.audit_id != audit_id
        ):
            raise DomainError(f"The return for {return_plan.child_code} cannot be found")
        save_section(session, agency_return, return_plan.version, values, rationales, user)
        result.saved.append((return_plan.child_code, len(values)))
    return result
