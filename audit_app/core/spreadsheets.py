"""The one spreadsheet writer: every .xlsx the service makes is written through it.

It writes in openpyxl's write-only mode, a row at a time, and every value goes through
:func:`put`, so text a spreadsheet could run as a formula (beginning ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) is stored as text, never as a formula, and characters a
spreadsheet cannot hold are dropped.

Two ways to use it:

- :class:`Cells` and :func:`create_sheet`, the low level, for a workbook laid out cell by
  cell (the offline returns workbook);
- :class:`TableWorkbook`, for exports: each sheet one real Excel table with a meaningful
  name, one header row, frozen, with filters, sensible column widths, no merged cells and
  no blank rows, following the accessible spreadsheet conventions.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from copy import copy
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from itertools import zip_longest
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.styles.fonts import DEFAULT_FONT
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet takes for the start of a formula (or of a DDE payload)."""
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
"""Characters XML 1.0 cannot hold: the C0 controls but tab, line feed and carriage return,
U+FFFE, U+FFFF and lone surrogates. Every .xlsx and .docx the service writes is XML, so
these are dropped from what it writes (the Word reports use the same pattern)."""
ILLEGAL_CHARACTERS = NOT_XML
"""Characters a spreadsheet cannot hold."""
MAX_SHEET_NAME = 31
EXCEL_CELL_LIMIT = 32_767
"""Excel keeps at most this many characters in a cell."""
CUT_NOTE = " [cut: the whole text is in the service]"


def safe_text(value: str) -> str:
    """Text as a cell can hold it: characters a spreadsheet cannot hold dropped, and a text
    too long for a cell cut with a note saying so."""
    if ILLEGAL_CHARACTERS.search(value) is not None:
        value = ILLEGAL_CHARACTERS.sub("", value)
    if len(value) > EXCEL_CELL_LIMIT:
        value = value[: EXCEL_CELL_LIMIT - len(CUT_NOTE)] + CUT_NOTE
    return value


def put(cell: Any, value: Any) -> None:
    """Write a value into a cell. Text is always stored as text (type ``s``), never as a
    formula, whatever it begins with (``=``, ``+``, ``-``, ``@``, a tab, a carriage
    return), nor as an error value such as ``#N/A``: openpyxl's own setter would take
    ``=...`` for a formula and ``#N/A`` for an error. Numbers and booleans are stored as
    such; dates and times through openpyxl's setter, which gives them a date format."""
    if isinstance(value, str):
        cell._value = safe_text(value)
        cell.data_type = "s"
    elif value is None:
        cell._value = None
        cell.data_type = "n"
    elif isinstance(value, bool):
        cell._value = value
        cell.data_type = "b"
    elif isinstance(value, int | float):
        cell._value = value
        cell.data_type = "n"
    else:
        cell.value = value
        if isinstance(value, date) and cell.number_format in _ISO_FORMATS:
            # A date as people in the UK read it, unless the cell's style says otherwise.
            cell.number_format = _ISO_FORMATS[cell.number_format]


_ISO_FORMATS = {"yyyy-mm-dd": "DD/MM/YYYY", "yyyy-mm-dd h:mm:ss": "DD/MM/YYYY HH:MM"}

# --- The low level: write-only sheets of ready-made cells ---------------------------------


class CellSheet(WriteOnlyWorksheet):
    """A write-only sheet whose rows are appended as cells made ready by :class:`Cells`.

    openpyxl's own sheet first tries each appended cell as a value, failing at some cost;
    this one only places the cells (a None is a column left empty). It also says how many
    rows and columns it will have (``size``, set before its first row): a reader finds them
    at the top of the sheet, instead of reading the whole sheet to find out.
    """

    size: tuple[int, int] = (0, 0)

    def calculate_dimension(self) -> str:
        """The range the sheet's cells fill, as Excel writes it ("A1" when empty)."""
        rows, columns = self.size
        return f"A1:{get_column_letter(columns)}{rows}" if rows and columns else "A1"

    def _values_to_row(self, values: Iterable[Any], row_idx: int) -> Iterator[Cell]:
        for col_idx, cell in enumerate(values, 1):
            if cell is None:
                continue
            cell.column = col_idx
            cell.row = row_idx
            yield cell


class TableSheet(CellSheet):
    """A sheet of an export: it does not say its size at the top (its rows are written as
    they are read, so the size is known only at the end); readers count the rows. A row's
    height is kept as the attributes its ``<row>`` element takes, only until the row is
    written (openpyxl's row objects cost more than the row's cells)."""

    calculate_dimension = None  # type: ignore[assignment]

    def __init__(self, parent: Any, title: str) -> None:
        super().__init__(parent, title)
        self.row_dimensions: dict[int, dict[str, str]] = {}  # type: ignore[assignment]


def create_sheet(book: Workbook, title: str, kind: type[CellSheet] = CellSheet) -> CellSheet:
    """A new sheet at the end of the write-only workbook."""
    sheet = kind(parent=book, title=title)
    book._add_sheet(sheet)
    return sheet


class StyledCell(Cell):
    """A cell of one named style for good: its style's number is looked up once, not at every
    write (a date, which may set a cell's number format, never goes in one)."""

    __slots__ = ("_style_number", "_styled")

    def __init__(self, sheet: CellSheet, style: str | None) -> None:
        super().__init__(sheet)
        if style is not None:
            self.style = style
        self._styled = super().has_style
        self._style_number = super().style_id

    @property
    def style_id(self) -> int:
        return self._style_number

    @property
    def has_style(self) -> bool:
        return self._styled


class Cells:
    """Cells to append to a workbook's write-only sheets.

    A write-only sheet writes each row as it is appended, so one cell per column and style
    can be given the next row's value: the style is set once, not once per cell. A cell only
    reaches its workbook through its sheet, so the cells of one workbook serve all its sheets.
    Every value goes through :func:`put`, so text a spreadsheet could run as a formula
    stays text.
    """

    def __init__(
        self, sheet: CellSheet, reused: dict[tuple[int, str | None], StyledCell] | None = None
    ) -> None:
        self.sheet = sheet
        """Where :meth:`append` writes (and, for the cells, the way to their workbook)."""
        self.reused = {} if reused is None else reused

    def on(self, sheet: CellSheet) -> Cells:
        """The same cells, appended to another sheet of the workbook."""
        return Cells(sheet, self.reused)

    def __call__(self, column: int, value: Any, style: str | None = None) -> Cell:
        """The column's cell of the style, holding the value until the next row."""
        if isinstance(value, date | time | timedelta):
            return self.fixed(value, style)
        cell = self.reused.get((column, style))
        if cell is None:
            cell = self.reused[(column, style)] = StyledCell(self.sheet, style)
        put(cell, value)
        return cell

    def fixed(self, value: Any, style: str | None = None) -> Cell:
        """A cell of its own, to write the same value on several sheets."""
        if isinstance(value, date | time | timedelta):
            cell = Cell(self.sheet)
            if style is not None:
                cell.style = style
        else:
            cell = StyledCell(self.sheet, style)
        put(cell, value)
        return cell

    def append(self, *cells: Cell | None) -> None:
        """Write a row of cells (None leaves a column empty) after the sheet's last row."""
        self.sheet.append(list(cells))


def sheet_name(text: str, used: set[str], fallback: str = "Sheet") -> str:
    """A valid sheet name for the text, unique among ``used`` (casefolded; it is added)."""
    base = re.sub(r"[\[\]:*?/\\]", "-", ILLEGAL_CHARACTERS.sub("", text)).strip().strip("'")
    base = (base or fallback)[:MAX_SHEET_NAME]
    name, number = base, 2
    while name.casefold() in used:
        suffix = f" ({number})"
        name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
        number += 1
    used.add(name.casefold())
    return name


# --- Exports: a workbook of tables ---------------------------------------------------------

HEADER = "Export header"
TEXT = "Export text"
WRAPPED = "Export wrapped text"
DATE = "Export date"
DATE_TIME = "Export date and time"
NUMBER = "Export number"
STYLES = (TEXT, WRAPPED, DATE, DATE_TIME, NUMBER)
LISTS_SHEET = "Lists"
"""The sheet holding the choices of the drop-down lists, a column per list."""


def _export_styles() -> list[NamedStyle]:
    top = Alignment(vertical="top")
    wrap = Alignment(wrap_text=True, vertical="top")
    return [
        NamedStyle(
            HEADER,
            font=Font(bold=True),
            fill=PatternFill("solid", fgColor="DDE4EE"),
            alignment=wrap,
        ),
        NamedStyle(TEXT, font=copy(DEFAULT_FONT), alignment=top),
        NamedStyle(WRAPPED, font=copy(DEFAULT_FONT), alignment=wrap),
        NamedStyle(DATE, font=copy(DEFAULT_FONT), alignment=top, number_format="DD/MM/YYYY"),
        NamedStyle(
            DATE_TIME, font=copy(DEFAULT_FONT), alignment=top, number_format="DD/MM/YYYY HH:MM"
        ),
        NamedStyle(NUMBER, font=copy(DEFAULT_FONT), alignment=top, number_format="General"),
    ]


@dataclass(frozen=True)
class Column:
    """A column of an exported table: its header, width (in characters) and style; a column
    of choices gets a drop-down list of them."""

    header: str
    width: int = 18
    style: str = TEXT
    choices: tuple[str, ...] = ()


@dataclass
class WrittenTable:
    """What was written: the sheet's and table's names and how many rows of data."""

    sheet: str
    table: str
    rows: int
    columns: list[Column] = field(default_factory=list)


_TABLE_NAME = re.compile(r"[^A-Za-z0-9_]")


class TableWorkbook:
    """A workbook of sheets, each holding one Excel table, written in write-only mode."""

    def __init__(self) -> None:
        self.book = Workbook(write_only=True)
        for style in _export_styles():
            self.book.add_named_style(style)
        self._sheet_names: set[str] = set()
        self._table_names: set[str] = set()
        self._cells: Cells | None = None
        self.written: list[WrittenTable] = []
        self._lists: dict[tuple[str, ...], tuple[str, str]] = {}

    def _table_name(self, wanted: str) -> str:
        base = _TABLE_NAME.sub("_", wanted.strip()) or "Table"
        if not base[0].isalpha():
            base = "T_" + base
        name, number = base, 2
        while name.casefold() in self._table_names:
            name = f"{base}_{number}"
            number += 1
        self._table_names.add(name.casefold())
        return name

    def add_table(
        self,
        sheet_title: str,
        columns: Sequence[Column],
        rows: Iterable[Sequence[Any]],
        *,
        table_name: str | None = None,
        empty: str = "None recorded",
        sheet: CellSheet | None = None,
    ) -> WrittenTable:
        """A sheet holding one table: the header row, then a row per item of ``rows`` (each
        a value per column). A table with no rows says ``empty`` in its first row, so that
        it is never a header alone. ``sheet``: a sheet :meth:`reserve` made earlier (the
        title is then its own)."""
        if sheet is None:
            sheet = self.reserve(sheet_title)
        cells = self._cells.on(sheet) if self._cells else Cells(sheet)
        self._cells = cells
        for number, column in enumerate(columns, 1):
            sheet.column_dimensions[get_column_letter(number)].width = column.width
        sheet.freeze_panes = "A2"
        _print_setup(sheet)
        # Wrapped text needs its row's height set: a spreadsheet opening the file does not
        # always work it out, and the text would run over the rows below.
        wrapped = [
            (n, _characters_a_line(column.width))
            for n, column in enumerate(columns)
            if column.style == WRAPPED
        ]
        headers = [column.header for column in columns]
        _set_height(
            sheet, 1, headers, [(n, _characters_a_line(c.width)) for n, c in enumerate(columns)]
        )
        cells.append(*(cells(n, column.header, HEADER) for n, column in enumerate(columns, 1)))
        # One cell per column, given each row's value in turn (see Cells); the loop is the
        # whole cost of a large sheet, so it puts values itself rather than call put().
        row_cells = [StyledCell(sheet, column.style) for column in columns]
        width = len(columns)
        count = 0
        heights = sheet.row_dimensions
        append = sheet.append
        for row in rows:
            if len(row) != width:
                raise ValueError(f"A row of {len(row)} values for {width} columns")
            if wrapped:
                _set_height(sheet, count + 2, row, wrapped)
            out: list[Cell | None] = []
            for cell, value, column in zip(row_cells, row, columns, strict=True):
                kind = value.__class__
                if value is None or value == "":
                    out.append(None)
                elif kind is str:
                    cell._value = safe_text(value)
                    cell.data_type = "s"
                    out.append(cell)
                elif kind is int or kind is float:
                    cell._value = value
                    cell.data_type = "n"
                    out.append(cell)
                else:  # dates and anything else, through the one writer
                    out.append(cells.fixed(value, column.style))
            append(out)
            count += 1
            heights.pop(count + 1, None)  # written with its row: not kept for the next
        if count == 0:
            cells.append(cells(1, empty, TEXT))
        last_row = max(count, 1) + 1
        last_column = get_column_letter(len(columns))
        ref = f"A1:{last_column}{last_row}"
        name = self._table_name(table_name or sheet.title)
        table = Table(
            displayName=name,
            name=name,
            ref=ref,
            autoFilter=AutoFilter(ref=ref),
            tableStyleInfo=TableStyleInfo(name="TableStyleLight9", showRowStripes=True),
        )
        table.tableColumns = [
            TableColumn(id=n, name=_column_name(column.header))
            for n, column in enumerate(columns, 1)
        ]
        with warnings.catch_warnings():
            # openpyxl warns on every table of a write-only sheet that its columns must be
            # named by hand: they are, above.
            warnings.simplefilter("ignore", UserWarning)
            sheet.add_table(table)
        for number, column in enumerate(columns, 1):
            if column.choices and count:
                letter = get_column_letter(number)
                check = DataValidation(
                    type="list",
                    formula1=self._list_range(column),
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle=column.header[:32],
                    error=("Choose one from the list: " + "; ".join(column.choices))[:225],
                )
                check.add(f"{letter}2:{letter}{last_row}")
                sheet.data_validations.append(check)
        written = WrittenTable(sheet.title, name, count, list(columns))
        self.written.append(written)
        return written

    def _list_range(self, column: Column) -> str:
        """Where a column's drop-down list finds its choices: a column of the Lists sheet,
        written last (a list written into the check itself could not hold a comma)."""
        found = self._lists.get(column.choices)
        if found is None:
            letter = get_column_letter(len(self._lists) + 1)
            found = self._lists[column.choices] = (column.header, letter)
        _header, letter = found
        return f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(column.choices) + 1}"

    def _write_lists(self) -> None:
        if not self._lists:
            return
        lists = list(self._lists.items())
        self.add_table(
            LISTS_SHEET,
            [Column(header, 30) for _choices, (header, _letter) in lists],
            zip_longest(*(choices for choices, _found in lists)),
            table_name="Drop_down_lists",
        )

    def reserve(self, sheet_title: str) -> CellSheet:
        """A sheet in the next place, to fill later with :meth:`add_table` (a contents
        sheet, written once the sheets after it are)."""
        return create_sheet(self.book, sheet_name(sheet_title, self._sheet_names), TableSheet)

    def save(self) -> bytes:
        """The workbook as the bytes of an .xlsx file (it opens on its first sheet)."""
        self._write_lists()
        out = io.BytesIO()
        self.book.save(out)
        return out.getvalue()


LINE_HEIGHT = 15.0
"""Points a line of text takes in the default font."""
MAX_ROW_HEIGHT = 409.0
"""The tallest row a spreadsheet allows, in points."""


def _characters_a_line(width: float) -> int:
    """About how many characters of the default font fit a line of a column this wide."""
    return max(1, int(width * 1.1))


_ROW_HEIGHTS = {
    lines: {"ht": f"{min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines):g}", "customHeight": "1"}
    for lines in range(2, int(MAX_ROW_HEIGHT // LINE_HEIGHT) + 2)
}
"""The attributes of a row of so many lines (made once: a workbook has many such rows)."""


def _set_height(
    sheet: CellSheet, row_number: int, values: Sequence[Any], wrapped: list[tuple[int, int]]
) -> None:
    """Give the row the height its longest wrapped text needs (rows of one line keep the
    default height, and nothing is stored for them)."""
    lines = 1
    for index, per_line in wrapped:
        value = values[index]
        if value.__class__ is not str or (len(value) <= per_line and "\n" not in value):
            continue
        if "\n" in value:
            needed = sum((len(part) + per_line - 1) // per_line or 1 for part in value.split("\n"))
        else:
            needed = (len(value) + per_line - 1) // per_line
        if needed > lines:
            lines = needed
    if lines > 1:
        sheet.row_dimensions[row_number] = _ROW_HEIGHTS[min(lines, len(_ROW_HEIGHTS) + 1)]


def _print_setup(sheet: CellSheet) -> None:
    """Printed (or made a PDF), a sheet is landscape, as wide as the page, its header row
    repeated on every page."""
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _column_name(header: str) -> str:
    """A table column's name: the header on one line (Excel keeps names of one line)."""
    return " ".join(ILLEGAL_CHARACTERS.sub("", header).split()) or "Column"
