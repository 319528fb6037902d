"""The offline workbook as written in write-only mode: how its cells look."""

from __future__ import annotations

import dataclasses
import io

import openpyxl

from audit_app.workbooks import workbook as wb
from tests.unit.workbooks.test_workbook import build, contents, row_of


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
