"""The offline workbook without a database: writing, reading back, refusing, planning changes."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit_app.core.errors import DomainError
from audit_app.models import ReturnStatus
from audit_app.questionnaires.template_format import AuditTemplateDefinition, parse
from audit_app.workbooks import workbook as wb
from audit_app.workbooks.workbook import (
    ABOUT_SHEET,
    AgencyWorkbook,
    ReturnState,
    WorkbookError,
    plan_changes,
    read_workbook,
)

EXAMPLE = Path(__file__).resolve().parent.parent.parent / "fixtures" / "every-answer-type.yaml"
KEY = "a-test-key-that-is-long-enough-for-hmac"
AUDIT_ID, AGENCY_ID = 5, 7

# Every answer type of the example template, as stored and as written in the cell.
STORED = {
    "early_help_offered": ("no", None),
    "missed_opportunity": ("GP saw her twice in May", None),
    "who_referred": ("gp", None),
    "services": (["camhs", "social_care"], None),
    "overall": ("requires_improvement", "No plan after discharge"),
    "confidence": ("high", None),
    "referral_date": ("2021-02-03", None),
    "days_waited": (42, None),
    "safety": (7, None),
    "chronology": (
        [
            {"date": None, "text": "Told by school"},
            {"date": "2020-06-05", "text": "Seen in ED\nsecond line"},
        ],
        None,
    ),
}
WRITTEN = {
    "early_help_offered": "No",
    "missed_opportunity": "GP saw her twice in May",
    "who_referred": "GP",
    "services": "CAMHS; Social care",
    "overall": "Requires improvement",
    "confidence": "High",
    "referral_date": date(2021, 2, 3),
    "days_waited": 42,
    "safety": "7",
    "chronology": "Undated: Told by school\n05/06/2020: Seen in ED\nsecond line",
}


@cache
def definition() -> AuditTemplateDefinition:
    return parse(EXAMPLE.read_bytes(), EXAMPLE.name)


def contents(
    *states: ReturnState, audit_id: int = AUDIT_ID, agency_id: int = AGENCY_ID
) -> AgencyWorkbook:
    return AgencyWorkbook(
        audit_id=audit_id,
        audit_title="Children in crisis",
        agency_id=agency_id,
        agency_name="CAMHS",
        definition=definition(),
        collecting=True,
        returns=list(states)
        or [
            ReturnState(1, "Child A", 3, ReturnStatus.DRAFT, True, dict(STORED)),
            ReturnState(2, "Child B", 0, ReturnStatus.NOT_STARTED, True, {}),
        ],
    )


def build(*states: ReturnState, **kwargs: Any) -> bytes:
    return wb.build_workbook(contents(*states, **kwargs), KEY, upload_url="https://x/upload")


def read(raw: bytes, **kwargs: Any) -> wb.UploadedWorkbook:
    options = {
        "key": KEY,
        "definition": definition(),
        "audit_id": AUDIT_ID,
        "agency_id": AGENCY_ID,
        "filename": "workbook.xlsx",
        **kwargs,
    }
    return read_workbook(raw, **options)


def problems(raw: bytes, **kwargs: Any) -> list[wb.WorkbookProblem]:
    with pytest.raises(WorkbookError) as caught:
        read(raw, **kwargs)
    assert caught.value.problems
    return caught.value.problems


def edit(raw: bytes, change: Any) -> bytes:
    """Open the workbook as a person would, change it, save it."""
    book = openpyxl.load_workbook(io.BytesIO(raw))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row_of(sheet: Any, question_id: str) -> int:
    for row in range(wb.FIRST_ROW, sheet.max_row + 1):
        if sheet[f"F{row}"].value == question_id:
            return row
    raise AssertionError(question_id)


def fill(raw: bytes, sheet_name: str, answers: dict[str, Any], why: dict[str, str] | None = None):
    def change(book: Any) -> None:
        sheet = book[sheet_name]
        for question_id, value in answers.items():
            sheet[f"C{row_of(sheet, question_id)}"] = value
        for question_id, reason in (why or {}).items():
            sheet[f"D{row_of(sheet, question_id)}"] = reason

    return edit(raw, change)


# --- Writing -----------------------------------------------------------------------------


def test_the_workbook_has_instructions_a_sheet_per_child_and_hidden_sheets() -> None:
    book = openpyxl.load_workbook(io.BytesIO(build()))
    assert book.sheetnames == ["Instructions", "Child A", "Child B", "Lists", ABOUT_SHEET]
    assert [s.sheet_state for s in book.worksheets] == [
        "visible",
        "visible",
        "visible",
        "hidden",
        "hidden",
    ]
    instructions = " ".join(
        str(c.value) for row in book["Instructions"].iter_rows() for c in row if c.value
    )
    for said in (
        "Do not rename",
        "Do not add, delete or move rows",
        "drop-down",
        "Excel Workbook (.xlsx)",
        "https://x/upload",
        "Example multi-agency audit, version 1.0",
    ):
        assert said in instructions
    sheet = book["Child A"]
    assert [sheet.cell(row=wb.HEADER_ROW, column=c).value for c in range(1, 7)] == list(wb.COLUMNS)
    assert sheet.freeze_panes == "C5"
    assert sheet.column_dimensions["F"].hidden
    assert sheet.column_dimensions["B"].width == wb.COLUMN_WIDTHS["B"]
    assert sheet["C5"].alignment.wrap_text
    assert "Version of the return when downloaded: 3" in sheet["A2"].value
    # Every question has a row, even one only asked on a condition.
    ids = [sheet[f"F{row}"].value for row in range(wb.FIRST_ROW, sheet.max_row + 1)]
    assert ids == [q.id for q in definition().questions]
    # The Answer and Why cells can be typed in; the rest is protected.
    assert sheet.protection.sheet
    assert not sheet[f"C{row_of(sheet, 'overall')}"].protection.locked
    assert not sheet[f"D{row_of(sheet, 'overall')}"].protection.locked
    assert sheet[f"D{row_of(sheet, 'confidence')}"].protection.locked
    assert sheet["B5"].protection.locked


def test_answers_are_written_as_a_reviewer_would_write_them() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(build()))["Child A"]
    for question_id, written in WRITTEN.items():
        value = sheet[f"C{row_of(sheet, question_id)}"].value
        if isinstance(written, date):
            assert value.date() == written
            assert sheet[f"C{row_of(sheet, question_id)}"].number_format == "DD/MM/YYYY"
        else:
            assert value == written, question_id
    assert sheet[f"D{row_of(sheet, 'overall')}"].value == "No plan after discharge"


def test_choices_and_grades_have_drop_down_lists() -> None:
    book = openpyxl.load_workbook(io.BytesIO(build()))
    sheet = book["Child A"]
    by_cell = {
        str(dv.sqref): dv for dv in sheet.data_validations.dataValidation
    }  # one per question
    overall = by_cell[f"C{row_of(sheet, 'overall')}"]
    assert overall.type == "list"
    _, cells = overall.formula1.split("!")
    column = cells.split(":")[0].strip("$")[0]
    labels = [c.value for c in book["Lists"][column] if c.value]
    assert labels == ["Outstanding", "Good", "Requires improvement", "Inadequate"]
    assert by_cell[f"C{row_of(sheet, 'referral_date')}"].type == "date"
    days = by_cell[f"C{row_of(sheet, 'days_waited')}"]
    assert days.type == "whole" and days.formula1 == "0"
    assert f"C{row_of(sheet, 'services')}" not in by_cell  # several answers: typed, with a hint


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"])
def test_text_that_looks_like_a_formula_is_written_as_text(text: str) -> None:
    state = ReturnState(
        1, "Child A", 0, ReturnStatus.DRAFT, True, {"missed_opportunity": (text, None)}
    )
    raw = build(state)
    cell = openpyxl.load_workbook(io.BytesIO(raw))["Child A"][f"C{wb.FIRST_ROW + 1}"]
    assert cell.data_type == "s" and cell.value == text
    xml = zipfile.ZipFile(io.BytesIO(raw)).read("xl/worksheets/sheet2.xml")
    assert b"<f>" not in xml
    values = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)["Child A"]
    assert [r[2] for r in values.iter_rows(min_row=6, max_row=6, values_only=True)] == [text]
    assert read(raw).returns[0].edits == {}


def test_sheet_names_are_valid_and_unique() -> None:
    names = wb.sheet_names(["Child A", "child a", "Lists", "A/B: [x]?", "x" * 40, "'quoted'"])
    assert names == ["Child A", "child a (2)", "Lists (2)", "A-B- -x--", "x" * 31, "quoted"]


# --- Reading back ------------------------------------------------------------------------


def test_a_workbook_uploaded_unchanged_changes_nothing() -> None:
    uploaded = read(build())
    assert [r.return_id for r in uploaded.returns] == [1, 2]
    assert all(r.edits == {} for r in uploaded.returns)
    assert uploaded.returns[0].version == 3


def test_a_filled_workbook_reads_back_as_stored_answers() -> None:
    raw = fill(build(), "Child B", WRITTEN, {"overall": "No plan after discharge"})
    edits = read(raw).returns[1].edits
    assert {qid: e.after for qid, e in edits.items()} == STORED
    assert edits["overall"].cell == f"C{wb.FIRST_ROW + 4}"
    assert all(e.before == (None, None) for e in edits.values())


@pytest.mark.parametrize(
    ("question_id", "written", "stored"),
    [
        ("early_help_offered", "  not KNOWN ", "not_known"),
        ("early_help_offered", "not_known", "not_known"),
        ("who_referred", "school", "school"),
        ("services", "social care;camhs;", ["camhs", "social_care"]),
        ("services", "Social care\nCAMHS", ["camhs", "social_care"]),
        ("overall", "inadequate", "inadequate"),
        ("referral_date", "3/2/2021", "2021-02-03"),
        ("referral_date", "2021-02-03", "2021-02-03"),
        ("referral_date", datetime(2021, 2, 3), "2021-02-03"),
        ("days_waited", "42", 42),
        ("days_waited", 42.0, 42),
        ("chronology", "5/6/2020 - Seen", [{"date": "2020-06-05", "text": "Seen"}]),
        ("missed_opportunity", 12, "12"),
        ("missed_opportunity", "   ", None),
    ],
)
def test_cells_accept_labels_or_values_in_any_case(
    question_id: str, written: Any, stored: Any
) -> None:
    question = definition().question(question_id)
    assert wb.stored_value(question, written, definition()) == stored


@pytest.mark.parametrize(
    ("question_id", "written", "said"),
    [
        ("who_referred", "Police", "'Police' is not one of the answers to 'Who referred"),
        ("services", "CAMHS; Housing", "'Housing' is not one of the answers"),
        ("referral_date", "next week", "'next week' is not a date"),
        ("referral_date", "31/02/2021", "'31/02/2021' is not a real date"),
        ("referral_date", "01/01/1800", "must have a year from 1900"),
        ("days_waited", "lots", "'lots' is not a whole number"),
        ("days_waited", 4.5, "'4.5' is not a whole number"),
        ("days_waited", True, "is not a whole number"),
        ("days_waited", -1, "out of range: enter a whole number of 0 or more"),
        ("chronology", "Seen in ED", "does not start with a date"),
        ("chronology", "30/02/2020: x", "is not a real date"),
    ],
)
def test_bad_values_are_named_by_sheet_and_cell(question_id: str, written: Any, said: str) -> None:
    raw = build()
    raw = fill(raw, "Child B", {question_id: written})
    found = problems(raw)
    row = wb.FIRST_ROW + [q.id for q in definition().questions].index(question_id)
    assert len(found) == 1
    assert found[0].sheet == "Child B" and found[0].cell == f"C{row}"
    assert said in found[0].message
    assert str(found[0]).startswith(f"Sheet 'Child B', cell C{row}: ")


def test_every_bad_cell_is_listed_at_once() -> None:
    raw = fill(build(), "Child A", {"early_help_offered": "Maybe", "days_waited": "x"})
    raw = fill(raw, "Child B", {"referral_date": "soon"})
    assert [(p.sheet, p.cell) for p in problems(raw)] == [
        ("Child A", "C5"),
        ("Child A", "C12"),
        ("Child B", "C11"),
    ]


def test_rows_added_deleted_or_with_a_changed_id_are_named() -> None:
    def change(book: Any) -> None:
        sheet = book["Child A"]
        sheet["F5"] = "not_a_question"
        sheet["C40"] = "An answer in a row of my own"
        sheet["D6"] = "A reason where none is asked"

    found = problems(edit(build(), change))
    where = {(p.sheet, p.cell): p.message for p in found}
    assert "hidden question id 'not_a_question' has been changed" in where[("Child A", "F5")]
    assert "Do not add rows" in where[("Child A", "C40")]
    assert "does not take a reason" in where[("Child A", "D6")]
    assert "The row for the question 'Was early help offered" in where[("Child A", None)]

    def delete(book: Any) -> None:
        book["Child B"].delete_rows(7)

    found = problems(edit(build(), delete))
    assert [(p.sheet, p.cell) for p in found] == [("Child B", None)]
    assert "'Who referred the child?' is missing" in found[0].message


def test_a_renamed_sheet_is_named() -> None:
    def rename(book: Any) -> None:
        book["Child B"].title = "Bobby"

    found = problems(edit(build(), rename))
    assert found[0].sheet == "Child B" and "no sheet named 'Child B'" in found[0].message


# --- Refused: tampered, foreign, stale template, not a workbook ---------------------------


def test_a_changed_fact_on_the_hidden_sheet_is_refused_naming_the_cell() -> None:
    def change(book: Any) -> None:
        book[ABOUT_SHEET]["B7"] = "99"

    (found,) = problems(edit(build(), change))
    assert (found.sheet, found.cell) == (ABOUT_SHEET, "B7")
    assert "tampered" in found.message


def test_changed_signed_details_are_refused_naming_the_cells() -> None:
    def change(book: Any) -> None:
        cell = book[ABOUT_SHEET]["B14"]
        cell.value = cell.value[:-4] + ("AAAA" if not cell.value.endswith("AAAA") else "BBBB")

    (found,) = problems(edit(build(), change))
    assert (found.sheet, found.cell) == (ABOUT_SHEET, "B12")
    assert "cells B14" in found.message and "tampered" in found.message


def test_a_workbook_signed_with_another_key_is_refused() -> None:
    (found,) = problems(build(), key="another-key-entirely-another-key")
    assert (found.sheet, found.cell) == (ABOUT_SHEET, "B12")


def test_a_workbook_without_its_about_sheet_is_refused() -> None:
    def remove(book: Any) -> None:
        del book[ABOUT_SHEET]

    (found,) = problems(edit(build(), remove))
    assert found.sheet == ABOUT_SHEET and "no sheet named" in found.message


def test_another_agencys_audits_or_templates_workbook_is_refused() -> None:
    (found,) = problems(build(agency_id=8))
    assert (found.sheet, found.cell) == (ABOUT_SHEET, "B7")
    assert "This workbook is for CAMHS, not your agency" in found.message
    (found,) = problems(build(audit_id=6))
    assert (found.sheet, found.cell) == (ABOUT_SHEET, "B5")
    other = parse(EXAMPLE.read_bytes().replace(b'version: "1.0"', b'version: "1.1"'))
    (found,) = problems(build(), definition=other)
    assert (found.sheet, found.cell) == (ABOUT_SHEET, "B9")
    assert "version 1.0 of the template, but the audit uses version 1.1" in found.message


def test_a_workbook_made_before_a_migration_rewrote_its_template_still_uploads() -> None:
    """Migration 0011 made a 0-10 grade a scaling: the version's fingerprint changed, and the
    one it had before is kept (``replaced_content_hash``) for workbooks already downloaded."""
    before = parse(EXAMPLE.read_bytes().replace(b"type: scaling", b"type: grade"))
    assert before.content_hash != definition().content_hash
    state = ReturnState(1, "Child A", 3, ReturnStatus.DRAFT, True, {"safety": ("7", None)})
    raw = wb.build_workbook(
        AgencyWorkbook(AUDIT_ID, "Children in crisis", AGENCY_ID, "CAMHS", before, True, [state]),
        KEY,
        upload_url="https://x/upload",
    )
    (found,) = problems(raw)
    assert "version 1.0 of the template, but the audit uses version 1.0" in found.message
    raw = fill(raw, "Child A", {"safety": "8"})
    uploaded = read(raw, earlier_hashes=frozenset({before.content_hash}))
    assert uploaded.returns[0].edits["safety"].after[0] == 8  # read as the scaling it is now


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        (b"", "is not an Excel workbook"),
        (b"Name,Date\nx,y\n", "is not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "older Excel file (.xls)"),
        (zip_bytes({"hello.txt": b"hi"}), "is not a valid Excel workbook"),
        (zip_bytes({"xl/big.xml": b"\0" * (3 * 1024 * 1024)}), "far too large once unpacked"),
    ],
    ids=["empty", "csv", "xls", "not-xlsx-zip", "zip-bomb"],
)
def test_what_is_not_a_workbook_is_refused(raw: bytes, said: str) -> None:
    (found,) = problems(raw)
    assert said in found.message and found.sheet is None


def test_a_workbook_from_elsewhere_is_refused() -> None:
    book = openpyxl.Workbook()
    book.create_sheet(ABOUT_SHEET)
    out = io.BytesIO()
    book.save(out)
    (found,) = problems(out.getvalue())
    assert (found.sheet, found.cell) == (ABOUT_SHEET, "B11")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.binary(max_size=4096))
def test_random_bytes_are_refused_never_crash(raw: bytes) -> None:
    with pytest.raises(WorkbookError):
        read(raw)


@cache
def _valid() -> bytes:
    return build()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_damaged_workbook_is_refused_or_read_never_crashes(data: st.DataObject) -> None:
    raw = bytearray(_valid())
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position] = data.draw(st.integers(0, 255))
    try:
        read(bytes(raw))
    except WorkbookError as error:
        assert error.problems


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=200
    ),
    reason=st.text(max_size=50),
    days=st.integers(0, 10**6),
)
def test_any_answers_round_trip_unchanged(text: str, reason: str, days: int) -> None:
    answers = {
        "missed_opportunity": (text.strip() or None, None),
        "overall": ("good", reason.strip() or None),
        "days_waited": (days, None),
        "chronology": ([{"date": "2020-01-02", "text": text.strip()}], None),
    }
    state = ReturnState(1, "Child A", 0, ReturnStatus.DRAFT, True, answers)
    assert read(build(state)).returns[0].edits == {}


# --- Planning changes --------------------------------------------------------------------


def _now(answers: dict[str, Any], status: ReturnStatus = ReturnStatus.DRAFT) -> AgencyWorkbook:
    editable = status in (ReturnStatus.NOT_STARTED, ReturnStatus.DRAFT, ReturnStatus.RETURNED)
    return contents(
        ReturnState(1, "Child A", 4, status, editable, answers),
        ReturnState(2, "Child B", 0, ReturnStatus.NOT_STARTED, True, {}),
    )


def test_changes_and_conflicts_follow_the_download() -> None:
    raw = fill(
        build(),
        "Child A",
        {"who_referred": "School", "overall": "Good", "confidence": "Low"},
    )
    uploaded = read(raw)
    online = dict(STORED)
    online["overall"] = ("inadequate", "Worse than we thought")  # changed online, and in the file
    online["confidence"] = ("low", None)  # changed online to what the file says
    online["days_waited"] = (50, None)  # changed online only
    plan = plan_changes(uploaded, _now(online))
    (child_a,) = plan.to_save
    assert child_a.version == 4 and child_a.downloaded_version == 3
    assert [(c.question.id, c.conflict) for c in child_a.changes] == [
        ("who_referred", False),
        ("overall", True),
    ]
    conflict = child_a.conflicts[0]
    assert conflict.online == ("inadequate", "Worse than we thought")
    assert conflict.workbook == ("good", "No plan after discharge")
    assert conflict.cell == "C9"
    assert [q.id for q in child_a.kept_online] == ["days_waited"]
    assert plan.versions() == {"1": 4, "2": 0}

    # The page carries the edits only; the plan made from them is the same.
    again = plan_changes(wb.UploadedWorkbook.from_data(uploaded.to_data()), _now(online))
    assert [(c.question.id, c.conflict) for c in again.to_save[0].changes] == [
        ("who_referred", False),
        ("overall", True),
    ]


def test_returns_sent_in_or_gone_are_not_saved() -> None:
    raw = fill(build(), "Child A", {"who_referred": "School"})
    plan = plan_changes(read(raw), _now(dict(STORED), ReturnStatus.SUBMITTED))
    assert plan.to_save == [] and [p.child_code for p in plan.locked] == ["Child A"]
    gone = plan_changes(
        read(raw), contents(ReturnState(2, "Child B", 0, ReturnStatus.DRAFT, True, {}))
    )
    assert gone.gone == ["Child A"] and gone.is_empty


def test_apply_plan_needs_a_choice_for_every_conflict() -> None:
    raw = fill(build(), "Child A", {"overall": "Good"})
    online = {**STORED, "overall": ("inadequate", "x")}
    plan = plan_changes(read(raw), _now(online))
    with pytest.raises(DomainError, match="Choose which answer to keep for: 'Overall grade'"):
        wb.apply_plan(None, plan, {}, None, agency_id=AGENCY_ID, audit_id=AUDIT_ID)  # type: ignore[arg-type]


def test_too_long_answers_stay_online() -> None:
    long_text = "x" * (wb.MAX_CELL_TEXT + 1)
    state = ReturnState(
        1, "Child A", 0, ReturnStatus.DRAFT, True, {"missed_opportunity": (long_text, None)}
    )
    raw = build(state)
    sheet = openpyxl.load_workbook(io.BytesIO(raw))["Child A"]
    assert "too long for a spreadsheet cell" in sheet["C6"].value
    raw = fill(raw, "Child A", {"missed_opportunity": "short"})
    assert read(raw).returns[0].edits == {}
