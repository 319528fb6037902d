"""Reading the eligible population list: CSV and XLSX, every way a file is refused."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from functools import cache
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.styles import PatternFill

from audit_app.cohort import population as pop
from audit_app.cohort.population import (
    ColumnMapping,
    ImportProblem,
    Population,
    PopulationError,
    check_mapping,
    parse_date,
    read_population,
)
from audit_app.core import uploads

FIXTURE = Path(__file__).resolve().parent.parent.parent / "fixtures" / "population"
WARD14 = FIXTURE / "ward14-discharges.csv"
MAPPING = ColumnMapping(
    local_id="Ward number",
    name="Name",
    date_of_birth="Date of birth",
    reference_columns=("NHS number",),
)


def problems_of(raw: bytes, filename: str = "list.csv", **limits: int) -> list[str]:
    with pytest.raises(PopulationError) as caught:
        read_population(raw, filename, **limits)
    assert caught.value.problems, "a PopulationError always says what is wrong"
    return [str(problem) for problem in caught.value.problems]


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# --- Problems ----------------------------------------------------------------------------


def test_a_problem_says_where_it_is() -> None:
    problem = ImportProblem("'31/02/2009' is not a real date", 7, "Date of birth")
    assert str(problem) == "Row 7, column 'Date of birth': '31/02/2009' is not a real date"
    assert str(ImportProblem("the name is blank", row=3)) == "Row 3: the name is blank"
    assert str(ImportProblem("is odd", column="Ward")) == "Column 'Ward': is odd"
    assert str(ImportProblem("the file is empty")) == "The file is empty"


# --- CSV ---------------------------------------------------------------------------------


def test_the_fixture_reads_with_trimmed_text_and_spreadsheet_row_numbers() -> None:
    population = read_population(WARD14.read_bytes(), WARD14.name)
    assert population.columns == (
        "Ward number",
        "Name",
        "Date of birth",
        "Gender",
        "Discharge date",
        "NHS number",
    )
    assert len(population.rows) == 20
    assert population.rows[0]["Ward number"] == "W14-0193"
    assert population.rows[0]["Name"] == "Amara Okafor"
    assert population.source_name == "ward14-discharges.csv"
    assert population.row_number(0) == 2 and population.row_number(19) == 21
    assert check_mapping(population, MAPPING) == []


def test_cells_are_trimmed_short_rows_padded_and_blank_rows_skipped() -> None:
    raw = b" Id , Name ,DOB\n 1 ,  Ann  ,\n\n,,\n2,Bob\n3,Cy,1/2/2010\n\n"
    population = read_population(raw, "list.csv")
    assert population.columns == ("Id", "Name", "DOB")
    assert population.rows == (
        {"Id": "1", "Name": "Ann", "DOB": ""},
        {"Id": "2", "Name": "Bob", "DOB": ""},
        {"Id": "3", "Name": "Cy", "DOB": "1/2/2010"},
    )
    # Row numbers are the spreadsheet's own, counting the blank rows skipped.
    assert [population.row_number(i) for i in range(3)] == [2, 5, 6]


def test_a_population_built_by_hand_numbers_rows_from_2() -> None:
    population = Population(("Id",), ({"Id": "a"}, {"Id": "b"}), "by hand")
    assert population.row_number(0) == 2 and population.row_number(1) == 3


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("Id,Name\n1,Zoë Brontë\n".encode(), "Zoë Brontë"),
        (b"\xef\xbb\xbf" + "Id,Name\n1,Zoë Brontë\n".encode(), "Zoë Brontë"),
        ("Id,Name\n1,Renée paid £5\n".encode("cp1252"), "Renée paid £5"),
        (
            "Id,Name\n1,\u201cSmart\u201d quotes \u2013 dash\n".encode("cp1252"),
            "\u201cSmart\u201d quotes \u2013 dash",
        ),
    ],
    ids=["utf-8", "utf-8 with BOM", "windows-1252 pound and e-acute", "windows-1252 quotes"],
)
def test_csv_encodings(raw: bytes, name: str) -> None:
    population = read_population(raw, "list.csv")
    assert population.columns == ("Id", "Name")  # the BOM is not part of the first name
    assert population.rows[0]["Name"] == name


def test_text_that_is_neither_utf8_nor_windows_1252_is_refused() -> None:
    # 0x81 and 0x8D are undefined in Windows-1252 and not valid UTF-8 here.
    (message,) = problems_of(b"Id,Name\n1,\x81\x8d\n")
    assert "encoding" in message and "CSV UTF-8" in message


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"], ids=["CRLF", "LF", "bare CR"])
def test_every_newline_style(newline: str) -> None:
    text = newline.join(["Id,Name,Note", '1,Ann,"two' + newline + 'lines"', "2,Bob,", ""])
    population = read_population(text.encode(), "list.csv")
    assert [row["Id"] for row in population.rows] == ["1", "2"]
    assert population.rows[0]["Note"] == "two" + newline + "lines"
    assert population.row_number(1) == 3  # a quoted line break stays inside its row


def test_a_txt_file_is_read_as_csv() -> None:
    assert read_population(b"Id,Name\n1,Ann\n", "LIST.TXT").rows == ({"Id": "1", "Name": "Ann"},)


@pytest.mark.parametrize("raw", [b"", b"\xef\xbb\xbf", b"\r\n\n  \n"])
def test_an_empty_file_is_refused(raw: bytes) -> None:
    assert problems_of(raw) == ["The file is empty"]


def test_a_file_of_blank_rows_has_no_header_row() -> None:
    (message,) = problems_of(b",,\n , ,\n")
    assert message.startswith("There is no header row")


def test_column_names_without_children_are_refused() -> None:
    (message,) = problems_of(b"Id,Name\n,\n")
    assert "no rows of children" in message


def test_a_blank_column_name_names_its_position() -> None:
    (message,) = problems_of(b"Id,Name,,DOB\n1,Ann,x,2010-01-01\n")
    assert message == (
        "Row 1: column 3 (C) has no name: give every column a name in the header row, "
        "or delete the empty column"
    )


def test_empty_columns_after_the_last_named_one_are_ignored() -> None:
    population = read_population(b"Id,Name,,\n1,Ann,,\n2,Bob\n", "list.csv")
    assert population.columns == ("Id", "Name")


def test_duplicated_column_names_are_named() -> None:
    (message,) = problems_of(b"Id,Name,NHS number,Name\n1,Ann,1,Ann\n")
    assert "'Name' is used more than once (columns 2 and 4)" in message


def test_a_row_with_more_cells_than_columns_is_named() -> None:
    (message,) = problems_of(b"Id,Name\n1,Ann\n2,Bob,extra\n3,Cy\n")
    assert message.startswith("Row 3: this row has 3 cells but there are only 2 columns")
    assert "'extra'" in message


def test_every_problem_is_reported_not_just_the_first() -> None:
    messages = problems_of(b"Id,,Id\n1,a,b,c\n2,a,b\n3,a,b,c,d\n")
    assert len(messages) == 4
    assert messages[0].startswith("Row 1: column 2 (B) has no name")
    assert "'Id' is used more than once (columns 1 and 3)" in messages[1]
    assert messages[2].startswith("Row 2: this row has 4 cells")
    assert messages[3].startswith("Row 4: this row has 5 cells")


def test_hundreds_of_problems_are_listed_up_to_a_limit() -> None:
    raw = b"Id\n" + b"1,2\n" * 250
    messages = problems_of(raw)
    assert len(messages) == pop.MAX_PROBLEMS + 1
    assert messages[-1] == "There are 150 more problems like these, not listed here"


def test_more_rows_than_the_limit_is_refused_saying_the_limit() -> None:
    raw = b"Id\n" + b"".join(b"%d\n" % n for n in range(11))
    assert len(read_population(raw, "list.csv", max_rows=11).rows) == 11
    (message,) = problems_of(raw, max_rows=10)
    assert "more than 10 rows" in message and "the limit is 10" in message
    workbook = xlsx_bytes([["Id"], *[[n] for n in range(11)]])
    assert len(read_population(workbook, "list.xlsx", max_rows=11).rows) == 11
    (message,) = problems_of(workbook, "list.xlsx", max_rows=10)
    assert "more than 10 rows" in message


def test_a_file_over_the_size_limit_is_refused_saying_the_limit_in_mb() -> None:
    raw = b"Id\n" + b"1" * (6 * 1024 * 1024 - 3)
    (message,) = problems_of(raw, max_bytes=5 * 1024 * 1024)
    assert message == (
        "The file is 6 MB; the limit is 5 MB. Remove the rows or columns you do not need and "
        "upload it again."
    )
    (message,) = problems_of(b"Id\n" + b"1" * (5 * 1024 * 1024))  # just over: rounded up
    assert message.startswith("The file is 5.1 MB; the limit is 5 MB")
    (message,) = problems_of(b"Id\n" + b"1" * (2 * 1024 * 1024), max_bytes=1024 * 1024)
    assert message.startswith("The file is 2.1 MB; the limit is 1 MB")


@pytest.mark.parametrize("filename", ["list.xls", "list.ods", "list.pdf", "list", "list.xlsm"])
def test_other_file_types_are_refused_saying_which_are_accepted(filename: str) -> None:
    (message,) = problems_of(b"Id\n1\n", filename)
    assert "CSV file (.csv)" in message and "Excel workbook (.xlsx)" in message


def test_binary_data_named_csv_is_refused() -> None:
    (message,) = problems_of(b"Id,Name\n1,\x00\x00\x01\x02\n")
    assert "binary data" in message


# --- XLSX --------------------------------------------------------------------------------


def test_openpyxl_parses_workbooks_with_defusedxml() -> None:
    assert openpyxl.DEFUSEDXML is True


def test_xlsx_round_trip_with_dates_and_whole_numbers() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Ward number", " Name ", "Date of birth", "Admitted", "NHS number", "Score"])
    sheet.append(["W14-0193", "  Amara Okafor ", date(2007, 3, 14), None, 9990104729.0, 2.5])
    sheet.append([])  # a blank row in the middle is skipped but keeps its number
    sheet.append([193, "Ben Hughes", "2/11/2009", datetime(2020, 2, 3, 14, 30), 12345, True])
    sheet["C30"].fill = PatternFill("solid", fgColor="FFFF00")  # formatted, empty: trailing
    sheet["H2"].fill = PatternFill("solid", fgColor="FFFF00")  # formatted, empty: a column
    buffer = io.BytesIO()
    workbook.save(buffer)
    population = read_population(buffer.getvalue(), "Ward 14.XLSX")
    assert population.columns == (
        "Ward number",
        "Name",
        "Date of birth",
        "Admitted",
        "NHS number",
        "Score",
    )
    assert population.rows == (
        {
            "Ward number": "W14-0193",
            "Name": "Amara Okafor",
            "Date of birth": "2007-03-14",
            "Admitted": "",
            "NHS number": "9990104729",
            "Score": "2.5",
        },
        {
            "Ward number": "193",
            "Name": "Ben Hughes",
            "Date of birth": "2/11/2009",
            "Admitted": "2020-02-03",
            "NHS number": "12345",
            "Score": "TRUE",
        },
    )
    assert [population.row_number(i) for i in range(2)] == [2, 4]
    assert population.source_name == "Ward 14.XLSX"


def test_xlsx_problems_name_rows_and_columns() -> None:
    raw = xlsx_bytes([["Id", None, "Name", "Name"], [1, "x", "Ann", "Ann"], [2, 3, 4, 5, 6]])
    messages = problems_of(raw, "list.xlsx")
    assert messages[0].startswith("Row 1: column 2 (B) has no name")
    assert "'Name' is used more than once (columns 3 and 4)" in messages[1]
    assert messages[2].startswith("Row 3: this row has 5 cells but there are only 4 columns")


def test_only_the_first_worksheet_is_read() -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Id"])
    workbook.active.append(["first"])
    workbook.create_sheet("Other").append(["Other", "sheet"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read_population(buffer.getvalue(), "list.xlsx").rows == ({"Id": "first"},)


def test_an_empty_workbook_has_no_header_row() -> None:
    (message,) = problems_of(xlsx_bytes([]), "list.xlsx")
    assert message.startswith("There is no header row")


def test_a_file_that_is_not_a_zip_is_refused_as_not_a_workbook() -> None:
    (message,) = problems_of(b"Id,Name\n1,Ann\n", "list.xlsx")
    assert message.startswith("'list.xlsx' is not a valid Excel workbook")


def test_an_old_xls_or_password_protected_file_named_xlsx_says_so() -> None:
    (message,) = problems_of(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "list.xlsx")
    assert "older Excel file (.xls) or a workbook with a password" in message


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    raw = zip_bytes({"hello.txt": b"hello", "xl/workbook.xml": b"<not-a-workbook"})
    (message,) = problems_of(raw, "list.xlsx")
    assert message.startswith("'list.xlsx' is not a valid Excel workbook (it may be damaged)")


def test_a_workbook_with_a_damaged_worksheet_is_refused() -> None:
    good = xlsx_bytes([["Id"], [1]])
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members["xl/worksheets/sheet1.xml"] = b"<worksheet><sheetData><row><c"
    (message,) = problems_of(zip_bytes(members), "list.xlsx")
    assert "is not a valid Excel workbook" in message


def test_a_workbook_with_an_xml_entity_bomb_is_refused() -> None:
    good = xlsx_bytes([["Id"], [1]])
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    sheet = members["xl/worksheets/sheet1.xml"]
    members["xl/worksheets/sheet1.xml"] = laughs + sheet[sheet.index(b"<worksheet") :]
    (message,) = problems_of(zip_bytes(members), "list.xlsx")
    assert "is not a valid Excel workbook" in message


@cache
def zip_bomb() -> bytes:
    """A 200 MB worksheet of zeros squeezed into about 200 KB, written in 1 MB pieces."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = bytes(1024 * 1024)
            for _ in range(200):
                member.write(chunk)
    return buffer.getvalue()


def _no_openpyxl(*args: object, **kwargs: object) -> None:
    raise AssertionError("openpyxl must not open a zip bomb")


def test_a_zip_bomb_disguised_as_xlsx_is_refused_before_openpyxl_opens_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(openpyxl, "load_workbook", _no_openpyxl)
    raw = zip_bomb()
    assert len(raw) < pop.MAX_BYTES
    (message,) = problems_of(raw, "discharges.xlsx")
    assert message.startswith("'discharges.xlsx' looks damaged or is too large once unpacked")


def test_a_member_squeezed_more_than_100_to_1_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(openpyxl, "load_workbook", _no_openpyxl)
    raw = zip_bytes({"xl/worksheets/sheet1.xml": bytes(5 * 1024 * 1024)})  # 5 MB -> ~5 KB
    (message,) = problems_of(raw, "list.xlsx")
    assert "squeezed more than 100 to 1" in message


def test_a_member_compressed_other_than_as_excel_does_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(openpyxl, "load_workbook", _no_openpyxl)
    members = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}
    (message,) = problems_of(zip_bytes(members, zipfile.ZIP_BZIP2), "list.xlsx")
    assert message.startswith("'list.xlsx' is not a valid Excel workbook")


def test_a_zip_header_naming_a_version_zipfile_cannot_read_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Found by test_no_damaged_workbook_crashes_the_reader: zipfile raises
    NotImplementedError for a central directory entry needing zip version 6.4."""
    monkeypatch.setattr(openpyxl, "load_workbook", _no_openpyxl)
    raw = bytearray(zip_bytes({"[Content_Types].xml": b"<Types/>"}))
    entry = raw.index(b"PK\x01\x02")
    raw[entry + 6 : entry + 8] = (64).to_bytes(2, "little")  # "version needed to extract"
    (message,) = problems_of(bytes(raw), "list.xlsx")
    assert message.startswith("'list.xlsx' is not a valid Excel workbook")


def test_members_adding_up_to_more_than_the_limit_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(openpyxl, "load_workbook", _no_openpyxl)
    monkeypatch.setattr(uploads, "XLSX_MAX_UNCOMPRESSED", 1024 * 1024)
    stored = {f"xl/part{n}.xml": b"x" * 300_000 for n in range(4)}  # 1.2 MB stored as it is
    (message,) = problems_of(zip_bytes(stored, zipfile.ZIP_STORED), "list.xlsx")
    assert "too large once unpacked" in message


# --- Property tests ----------------------------------------------------------------------


@cache
def a_workbook() -> bytes:
    return xlsx_bytes(
        [["Id", "Name", "Date of birth"], ["W1", "Ann", date(2010, 1, 2)], ["W2", "Bob", 3.0]]
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.binary(max_size=400), filename=st.sampled_from(["list.csv", "list.xlsx"]))
def test_no_bytes_crash_the_reader(raw: bytes, filename: str) -> None:
    try:
        result = read_population(raw, filename)
    except PopulationError as error:
        assert error.problems
    else:
        assert isinstance(result, Population)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_no_damaged_workbook_crashes_the_reader(data: st.DataObject) -> None:
    raw = bytearray(a_workbook())
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    try:
        result = read_population(bytes(raw), "list.xlsx")
    except PopulationError as error:
        assert error.problems
    else:
        assert isinstance(result, Population)


_TEXT = st.text(
    # Text a spreadsheet's cells hold: no control characters (a file full of them is refused
    # as binary, see test_a_picture_renamed_to_csv_is_refused), but newlines and tabs kept.
    st.characters(
        exclude_categories=("Cs", "Cc"), include_characters="\t\n\r", exclude_characters="\ufeff"
    ),
    max_size=12,
)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    header = draw(st.lists(_TEXT.map(str.strip).filter(bool), min_size=1, max_size=5, unique=True))
    rows = draw(st.lists(st.lists(_TEXT, min_size=len(header), max_size=len(header)), max_size=8))
    return header, rows


@settings(max_examples=150, deadline=None)
@given(
    table=tables(),
    newline=st.sampled_from(["\r\n", "\n", "\r"]),
    bom=st.booleans(),
)
def test_any_csv_written_by_the_csv_module_round_trips(
    table: tuple[list[str], list[list[str]]], newline: str, bom: bool
) -> None:
    header, rows = table
    buffer = io.StringIO()
    # With "\r\n" the csv module quotes any cell holding \r or \n; with a lone "\n" or
    # "\r" it quotes only cells holding that one, so a bare line break of the other kind
    # would end the row (as it does in Excel): quote every cell then.
    quoting = csv.QUOTE_MINIMAL if newline == "\r\n" else csv.QUOTE_ALL
    csv.writer(buffer, lineterminator=newline, quoting=quoting).writerows([header, *rows])
    raw = ("\ufeff" if bom else "").encode() + buffer.getvalue().encode()
    expected = [[cell.strip() for cell in row] for row in rows]
    expected = [row for row in expected if any(row)]
    if not expected:
        with pytest.raises(PopulationError):
            read_population(raw, "list.csv")
        return
    population = read_population(raw, "list.csv")
    assert population.columns == tuple(header)
    assert [[row[column] for column in header] for row in population.rows] == expected


# --- Dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-02-03", date(2021, 2, 3)),
        ("03/02/2021", date(2021, 2, 3)),
        ("3/2/2021", date(2021, 2, 3)),
        ("03-02-2021", date(2021, 2, 3)),
        ("03.02.2021", date(2021, 2, 3)),
        ("3 February 2021", date(2021, 2, 3)),
        ("3 Feb 2021", date(2021, 2, 3)),
        ("3 feb 2021", date(2021, 2, 3)),
        ("3rd Sept 2021", date(2021, 9, 3)),
        ("03-Feb-2021", date(2021, 2, 3)),
        ("  03/02/2021  ", date(2021, 2, 3)),
        ("03/02/2021 00:00", date(2021, 2, 3)),
        ("2021-02-03 00:00:00", date(2021, 2, 3)),
        ("29/02/2008", date(2008, 2, 29)),
        ("01/01/1900", date(1900, 1, 1)),
        ("31/12/2100", date(2100, 12, 31)),
    ],
)
def test_dates_are_read_day_first(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/2009", "'31/02/2009' is not a real date"),
        ("29/02/2009", "'29/02/2009' is not a real date"),
        ("02/13/2009", "'02/13/2009' is not a real date (dates are read day first"),
        ("2009-13-01", "'2009-13-01' is not a real date"),
        ("03/02/21", "has a two-digit year"),
        ("31/12/1899", "the year must be 1900 to 2100"),
        ("01/01/2101", "the year must be 1900 to 2100"),
        ("3 Febuary 2021", "'Febuary' is not a month"),
        ("February 3, 2021", "is not a date that can be read"),
        ("2021/02/03", "is not a date that can be read"),
        ("yesterday", "is not a date that can be read: write it as 31/01/2009"),
        ("", "the date is blank"),
    ],
)
def test_bad_dates_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_date(text)
    assert message in str(caught.value)


# --- Column mapping ----------------------------------------------------------------------


def listing(*rows: str) -> Population:
    return read_population("\n".join(rows).encode(), "list.csv")


def test_a_mapping_to_missing_columns_suggests_the_one_meant() -> None:
    population = read_population(WARD14.read_bytes(), WARD14.name)
    mapping = ColumnMapping("ward number", "Name", "Date of Brith", ("Police id",))
    assert [str(problem) for problem in check_mapping(population, mapping)] == [
        "The local id column: there is no column 'ward number' in the list; "
        "did you mean 'Ward number'?",
        "The date of birth column: there is no column 'Date of Brith' in the list; "
        "did you mean 'Date of birth'?",
        "A reference column: there is no column 'Police id' in the list (its columns are "
        "'Ward number', 'Name', 'Date of birth', 'Gender', 'Discharge date', 'NHS number')",
    ]


def test_every_mapping_problem_is_named_by_row_and_column() -> None:
    population = listing(
        "Id,Name,DOB",
        "W14-0193,Ann,2010-01-01",  # row 2
        ",Bob,2010-01-01",  # row 3
        "W14-0193,Cy,31/02/2009",  # row 4
        "W14-0201,,2010-01-01",  # row 5
        "W14-0202,Di,",  # row 6
        "W14-0193,Ed,2010-01-01",  # row 7
    )
    problems = check_mapping(population, ColumnMapping("Id", "Name", "DOB"))
    assert [str(problem) for problem in problems] == [
        "Row 3, column 'Id': the local id is blank: every child needs one",
        "Row 4, column 'DOB': '31/02/2009' is not a real date",
        "Row 5, column 'Name': the name is blank",
        "Row 6, column 'DOB': the date is blank",
        "Column 'Id': rows 2, 4 and 7 have the same local id 'W14-0193'",
    ]


def test_duplicate_local_ids_name_both_rows() -> None:
    population = listing("Id,Name", "a,A", "b,B", "W14-0193,C", "c,D", "W14-0193,E")
    (problem,) = check_mapping(population, ColumnMapping("Id", "Name"))
    assert problem.message == "rows 4 and 6 have the same local id 'W14-0193'"


def test_a_clean_list_has_no_mapping_problems() -> None:
    population = listing("Id,Name,DOB,NHS", "1,Ann,3 Feb 2010,", "2,Bob,2010-02-03,123")
    assert check_mapping(population, ColumnMapping("Id", "Name", "DOB", ("NHS",))) == []


def test_an_unclosed_quote_is_refused_not_swallowed() -> None:
    with pytest.raises(PopulationError) as refused:
        read_population(b'id,name\n1,"Ann\n2,Bob\n3,Cy\n', "ward.csv")
    assert "opened but never closed" in str(refused.value.problems[0])


def test_a_picture_renamed_to_csv_is_refused() -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(1, 32)) * 40
    with pytest.raises(PopulationError) as refused:
        read_population(png, "notcsv.csv")
    assert "not a CSV file" in str(refused.value.problems[0])
