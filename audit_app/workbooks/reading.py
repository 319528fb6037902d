"""Reading an uploaded workbook back: the file checked, the signature checked, every answer read."""

from __future__ import annotations

import hmac
import io
import warnings
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from openpyxl import load_workbook

from audit_app.core.uploads import Unsafe, UnsafeWorkbook, check_workbook_archive
from audit_app.questionnaires.definitions import AuditTemplateDefinition
from audit_app.workbooks.cells import _short, _text_of, normal, stored_value, takes_reason
from audit_app.workbooks.layout import (
    ABOUT_ROWS,
    ABOUT_SHEET,
    ANSWER_COL,
    CHECKED_FACTS,
    COLUMNS,
    EXTRA_ROWS,
    FIRST_PART_ROW,
    FIRST_ROW,
    FORMAT,
    HEADER_ROW,
    ID_COL,
    MAX_BYTES,
    MAX_PARTS,
    WHY_COL,
    Pair,
    _sign,
    _unpack,
)
from audit_app.workbooks.problems import WorkbookError, WorkbookProblem, _CellProblem, _refuse

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
    if len(raw) > MAX_BYTES:
        raise _refuse(f"'{filename}' is too large: a workbook must be 10 MB or less.")
    try:
        check_workbook_archive(raw)
    except UnsafeWorkbook as unsafe:
        if unsafe.reason is Unsafe.OLD_EXCEL:
            message = (
                f"'{filename}' is an older Excel file (.xls) or a workbook with a password. "
                "Remove any password, then in Excel use File > Save As and choose "
                "'Excel Workbook (.xlsx)'."
            )
        elif unsafe.reason is Unsafe.TOO_LARGE:
            message = (
                f"'{filename}' looks damaged or is far too large once unpacked, so it has "
                "not been opened. Download a new workbook and copy your answers into it."
            )
        else:
            message = (
                f"'{filename}' is not an Excel workbook (.xlsx): it may be damaged, or be "
                "another kind of file. Upload the workbook you downloaded from this page, "
                "saved as 'Excel Workbook (.xlsx)'."
            )
        raise _refuse(message) from None


def read_workbook(
    raw: bytes,
    *,
    key: str | bytes,
    definition: AuditTemplateDefinition,
    audit_id: int,
    agency_id: int,
    filename: str = "The workbook",
    earlier_hashes: frozenset[str] = frozenset(),
) -> UploadedWorkbook:
    """Check an uploaded workbook and read the answers in it.

    Raises :class:`WorkbookError` listing every problem, each naming its sheet and cell:
    a file that is not a workbook, a workbook changed where it must not be, one for another
    audit, agency or template version, or answers that cannot be read. ``earlier_hashes``
    are fingerprints the version had before a migration rewrote it: still its own.
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
            return _read(book, key, definition, audit_id, agency_id, earlier_hashes)
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
    earlier_hashes: frozenset[str] = frozenset(),
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
    if details.get("template") not in {definition.content_hash, *earlier_hashes}:
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
