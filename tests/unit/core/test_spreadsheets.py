"""The one spreadsheet writer: no text ever becomes a formula, text comes back as written
(less what a spreadsheet cannot hold), and each sheet is one accessible table."""

from __future__ import annotations

import io
import zipfile
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from audit_app.core.spreadsheets import (
    CUT_NOTE,
    DATE,
    EXCEL_CELL_LIMIT,
    FORMULA_START,
    NUMBER,
    Column,
    TableWorkbook,
    safe_text,
)

# Text as people type it, and text built to be taken for a formula.
TEXT = st.one_of(
    st.text(max_size=200),
    st.builds(
        lambda start, rest: start + rest, st.sampled_from(FORMULA_START), st.text(max_size=60)
    ),
    st.sampled_from(
        [
            "=1+1",
            '=HYPERLINK("http://x","y")',
            "+44 24 7683 1234",
            "-1",
            "@SUM(A1)",
            "\t=cmd|' /C calc'!A0",
            "\r=1",
            "=",
            "#N/A",
            "ok\uffffx",
            "\ufffe",
            "a lone \ud800 surrogate",
            "\x00\x07 controls",
        ]
    ),
)


def _book(values: list[str]) -> bytes:
    book = TableWorkbook()
    book.add_table("Text", [Column("Text", 40), Column("Again", 40)], [(v, v) for v in values])
    return book.save()


def _sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        return "".join(
            package.read(name).decode()
            for name in package.namelist()
            if name.startswith("xl/worksheets/sheet")
        )


@settings(max_examples=60, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=8))
def test_no_text_is_ever_written_as_a_formula(values: list[str]) -> None:
    content = _book(values)
    xml = _sheet_xml(content)
    assert "<f>" not in xml and "<f " not in xml
    sheet = load_workbook(io.BytesIO(content))["Text"]
    for row, value in enumerate(values, 2):
        cell = sheet.cell(row, 1)
        expected = safe_text(value)
        assert cell.data_type != "f"
        assert (cell.value or "") == expected


def test_characters_a_spreadsheet_cannot_hold_are_dropped_and_long_text_is_cut() -> None:
    assert safe_text("a\x00b\x07c\x1fd\te\nf") == "abcd\te\nf"
    assert safe_text("ok\uffffx\ufffe\ud800!") == "okx!"
    long = "x" * (EXCEL_CELL_LIMIT + 10)
    cut = safe_text(long)
    assert len(cut) == EXCEL_CELL_LIMIT and cut.endswith(CUT_NOTE)


def test_each_sheet_is_one_named_table_with_a_frozen_header_and_filters() -> None:
    book = TableWorkbook()
    book.add_table(
        "A sheet whose title is far longer than thirty-one characters",
        [
            Column("When", 12, DATE),
            Column("How many", 10, NUMBER),
            Column("State", 20, choices=("Open", "Closed, signed off")),
        ],
        [(date(2026, 1, 2), 3, "Open")],
        table_name="Dates and numbers",
    )
    book.add_table("Empty", [Column("Nothing", 20)], [])
    loaded = load_workbook(io.BytesIO(book.save()))
    first, empty, lists = loaded.worksheets
    assert len(first.title) == 31
    table = first.tables["Dates_and_numbers"]
    assert table.ref == "A1:C2" and table.autoFilter.ref == "A1:C2"
    assert [c.name for c in table.tableColumns] == ["When", "How many", "State"]
    assert first.freeze_panes == "A2"
    assert (
        first["A2"].value.date() == date(2026, 1, 2) and first["A2"].number_format == "DD/MM/YYYY"
    )
    assert first["B2"].value == 3
    check = first.data_validations.dataValidation[0]
    assert check.formula1 == "'Lists'!$A$2:$A$3"
    assert [lists["A2"].value, lists["A3"].value] == ["Open", "Closed, signed off"]
    assert empty["A2"].value == "None recorded"  # a table is never a header alone
    assert loaded.active.title == first.title
