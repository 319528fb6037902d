"""The offline workbook as written in write-only mode: how its cells look, and its benchmark."""

from __future__ import annotations

import dataclasses
import io

import openpyxl

from audit_app.returns.models import ReturnStatus
from audit_app.workbooks import benchmark
from audit_app.workbooks import workbook as wb
from tests.unit.workbooks.test_workbook import KEY, build, contents, row_of


def test_cells_look_as_they_did_before_write_only_mode() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(build()))["Child A"]
    heading = sheet["A1"]
    assert heading.font.b and heading.font.sz == 14
    for column in "ABCDEF":
        header = sheet[f"{column}{wb.HEADER_ROW}"]
        assert header.font.b and header.fill.fgColor.rgb.endswith("DDE4EE")
        assert header.alignment.wrap_text
    overall = row_of(sheet, "overall")
    for cell in (sheet[f"C{overall}"], sheet[f"D{overall}"]):  # to fill in
        assert cell.fill.fgColor.rgb.endswith("FFF7D6") and not cell.protection.locked
    why_not_used = sheet[f"D{row_of(sheet, 'confidence')}"]
    assert why_not_used.fill.fgColor.rgb.endswith("F3F2F1") and why_not_used.protection.locked
    question = sheet[f"B{overall}"]
    assert question.alignment.wrap_text and question.alignment.vertical == "top"
    assert question.fill.fill_type is None and question.font.sz == 11
    assert sheet.protection.formatColumns is False and sheet.protection.formatRows is False


def test_a_sheet_with_an_answer_too_long_for_a_cell_keeps_the_other_drop_downs() -> None:
    """Sheets share their drop-downs unless an answer is left out of its cell."""
    first, second = contents().returns
    too_long = dataclasses.replace(
        first, answers={**first.answers, "overall": ("good", "x" * (wb.MAX_CELL_TEXT + 1))}
    )
    book = openpyxl.load_workbook(io.BytesIO(build(too_long, second)))
    shared = {str(dv.sqref) for dv in book["Child B"].data_validations.dataValidation}
    left = {str(dv.sqref) for dv in book["Child A"].data_validations.dataValidation}
    overall = f"C{row_of(book['Child A'], 'overall')}"
    assert overall in shared and left == shared - {overall}
    answer = book["Child A"][overall]
    assert "too long for a spreadsheet cell" in answer.value and answer.protection.locked


def test_the_benchmark_writes_the_same_cells_plainly() -> None:
    sample = benchmark.sample_contents(children=2, questions=12)
    assert len(sample.definition.questions) == 12
    assert all(state.status is ReturnStatus.DRAFT for state in sample.returns)
    # Four rows above the questions, then six cells a question (the Why cell when answered).
    assert benchmark.cell_count(sample) > 2 * 12 * 5
    assert benchmark.baseline_write_only_seconds(sample, repeat=1) > 0
    assert benchmark.build_seconds(sample, repeat=1) > 0
    assert benchmark.read_seconds(sample, repeat=1) > 0
    assert (
        wb.read_workbook(
            wb.build_workbook(sample, KEY),
            key=KEY,
            definition=sample.definition,
            audit_id=sample.audit_id,
            agency_id=sample.agency_id,
        )
        .returns[0]
        .edits
        == {}
    )


def test_every_sheet_says_how_far_its_cells_go() -> None:
    """A reader finds each sheet's size at its top (openpyxl otherwise reads the whole sheet
    on opening it to find out)."""
    raw = build()
    full = openpyxl.load_workbook(io.BytesIO(raw))
    quick = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
    for sheet in full.worksheets:
        claimed = quick[sheet.title]
        assert (claimed.max_row, claimed.max_column) == (sheet.max_row, sheet.max_column)
