"""Writing the offline workbook: instructions, a sheet per child, drop-downs, signed details."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from audit_app.questionnaires.answer_types import CellCheck, answer_type
from audit_app.questionnaires.definitions import AuditTemplateDefinition, Choice, Question
from audit_app.workbooks.cells import _ILLEGAL, _hint, _put, _too_long, cell_value, takes_reason
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
    HEADER_ROW,
    HINT_COL,
    ID_COL,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    PART_SIZE,
    QUESTION_COL,
    RESERVED_SHEETS,
    SECTION_COL,
    WHY_COL,
    _pack,
    _sign,
)

_BOLD = Font(bold=True)
_HEADING = Font(bold=True, size=14)
_WRAP = Alignment(wrap_text=True, vertical="top")
_TO_FILL = PatternFill("solid", fgColor="FFF7D6")
_NOT_USED = PatternFill("solid", fgColor="F3F2F1")
_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
_UNLOCKED = Protection(locked=False)


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
