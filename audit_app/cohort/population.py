"""The eligible population list: read an uploaded CSV or XLSX file, check how its columns map.

An audit lead uploads a list of the children who could be chosen for the audit (for example a
hospital ward's discharge list), says which column holds each child's local id, name and date
of birth, then draws a sample from it (see :mod:`audit_app.sampling` and ``docs/sampling.md``).

Reading is all-or-nothing: :func:`read_population` either returns the whole list or raises
:class:`PopulationError` listing every problem it found, each naming the spreadsheet row (the
header is row 1) and the column where there is one. Every value is kept as trimmed text, so
the list means the same whichever program wrote it.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from difflib import get_close_matches
from pathlib import PurePath
from typing import Any

from audit_app.core.uploads import (
    XLSX_MAX_RATIO,
    XLSX_MAX_UNCOMPRESSED,
    Unsafe,
    UnsafeWorkbook,
    check_workbook_archive,
)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
MAX_PROBLEMS = 100
"""At most this many problems are listed; one more problem says how many were left out."""


CSV_EXTENSIONS = (".csv", ".txt")
XLSX_EXTENSIONS = (".xlsx",)
ACCEPTED = "a CSV file (.csv) or an Excel workbook (.xlsx)"


# --- Problems ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with an uploaded list, and where it is.

    ``row`` is the spreadsheet's own row number (the header is row 1, the first data row is
    row 2); ``column`` is the column's header text.
    """

    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"Row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'" if where else f"Column '{self.column}'")
        if not where:
            return self.message[:1].upper() + self.message[1:]
        return f"{', '.join(where)}: {self.message}"


class PopulationError(Exception):
    """The list cannot be used; ``problems`` holds every problem found, not just the first."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


def cap_problems(problems: list[ImportProblem]) -> list[ImportProblem]:
    """The first :data:`MAX_PROBLEMS` problems, and a last one saying how many more there are."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    more = len(problems) - MAX_PROBLEMS
    return [
        *problems[:MAX_PROBLEMS],
        ImportProblem(f"there are {more:,} more problems like these, not listed here"),
    ]


def _refuse(message: str) -> PopulationError:
    return PopulationError([ImportProblem(message)])


# --- The population ----------------------------------------------------------------------


@dataclass(frozen=True)
class Population:
    """The rows of an uploaded list, every value as trimmed text ("" for a blank cell).

    ``row_numbers`` holds each row's number in the spreadsheet, because fully blank rows are
    skipped; when it is empty (a population built by hand) row ``i`` is spreadsheet row
    ``i + 2``.
    """

    columns: tuple[str, ...]
    rows: tuple[dict[str, str], ...]
    source_name: str
    row_numbers: tuple[int, ...] = ()

    def row_number(self, index: int) -> int:
        """The spreadsheet row number of ``rows[index]`` (the header is row 1)."""
        if self.row_numbers:
            return self.row_numbers[index]
        return index + 2

    def __len__(self) -> int:
        return len(self.rows)


def column_position(index: int) -> str:
    """A column's position in words a spreadsheet user recognises: 0 -> "column 1 (A)"."""
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return f"column {index + 1} ({letters})"


def unknown_column(population: Population, name: str, what: str = "") -> ImportProblem:
    """The problem "there is no column NAME", suggesting a column that is probably meant."""
    lower = {column.casefold(): column for column in population.columns}
    guess = lower.get(name.strip().casefold())
    if guess is None:
        close = get_close_matches(name, population.columns, n=1, cutoff=0.75)
        guess = close[0] if close else None
    message = f"there is no column '{name}' in the list"
    if what:
        message = f"{what}: {message}"
    if guess is not None:
        message += f"; did you mean '{guess}'?"
    else:
        shown = ", ".join(f"'{column}'" for column in population.columns[:12])
        if len(population.columns) > 12:
            shown += ", ..."
        message += f" (its columns are {shown})"
    return ImportProblem(message)


# --- Reading a file ----------------------------------------------------------------------


def read_population(
    raw: bytes,
    filename: str,
    *,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
) -> Population:
    """Read an uploaded list (CSV or XLSX, chosen by the file name's extension).

    Raises :class:`PopulationError` for anything that cannot be read as a list with one
    header row; nothing is returned in part.
    """
    extension = PurePath(filename).suffix.lower()
    if extension not in CSV_EXTENSIONS + XLSX_EXTENSIONS:
        kind = f"a {extension} file" if extension else "a file without an extension"
        raise _refuse(
            f"'{filename}' is {kind}, which cannot be read here: upload {ACCEPTED}. "
            "In Excel, use File > Save As and choose 'CSV UTF-8' or 'Excel Workbook'."
        )
    if (too_big := size_problem(len(raw), max_bytes)) is not None:
        raise PopulationError([too_big])
    if not raw.strip(b" \t\r\n\x00").removeprefix(b"\xef\xbb\xbf").strip():
        raise _refuse("the file is empty")
    if extension in CSV_EXTENSIONS:
        rows: Iterable[tuple[int, list[str]]] = _csv_rows(raw)
    else:
        rows = _xlsx_rows(raw, filename, max_rows)
    return _build(rows, filename, max_rows)


def size_problem(size: int, max_bytes: int = MAX_BYTES) -> ImportProblem | None:
    """The problem with a file of ``size`` bytes, if it is over the limit."""
    if size <= max_bytes:
        return None
    return ImportProblem(
        f"the file is {_megabytes(size)}; the limit is {_megabytes(max_bytes)}. "
        "Remove the rows or columns you do not need and upload it again."
    )


def _megabytes(size: int) -> str:
    """A size in MB to one decimal place, rounded up (so a file just over 5 MB is 5.1 MB)."""
    tenths = -(-size * 10 // (1024 * 1024))
    whole, tenth = divmod(tenths, 10)
    return f"{whole} MB" if tenth == 0 else f"{whole}.{tenth} MB"


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without a byte order mark), else Windows-1252."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as error:
            raise _refuse(
                "the file's text is in an encoding that cannot be read (byte "
                f"{error.start + 1} is neither UTF-8 nor Windows-1252). In Excel, use "
                "File > Save As and choose 'CSV UTF-8'."
            ) from error
    if "\x00" in text or _mostly_control_characters(text):
        raise _refuse(
            "the file holds binary data, so it is not a CSV file: upload "
            f"{ACCEPTED}, not a renamed file"
        )
    return text


def _mostly_control_characters(text: str) -> bool:
    """Binary data (a picture, a PDF) decodes to text full of control characters."""
    sample = text[:4096]
    odd = sum(1 for c in sample if ord(c) < 32 and c not in "\t\r\n")
    return odd > max(8, len(sample) // 20)


def _csv_rows(raw: bytes) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) for every record; a newline inside quotes stays in its cell."""
    text = _decode(raw)
    # newline="" splits records on \r\n, \n and a bare \r alike and leaves quoted newlines be.
    # strict: a quote that is never closed is refused, rather than swallowing the rest of the
    # file into one cell.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise PopulationError(
                [
                    ImportProblem(
                        f'this row cannot be read as CSV ({error}): check for a quote mark (") '
                        "that is opened but never closed",
                        row=number + 1,
                    )
                ]
            ) from error
        number += 1
        yield number, [cell.strip() for cell in cells]


def check_workbook(raw: bytes, filename: str) -> None:
    """Refuse what is not a safe .xlsx file, saying what to do about it."""
    try:
        check_workbook_archive(raw)
    except UnsafeWorkbook as unsafe:
        raise _refuse(_UNSAFE[unsafe.reason].format(filename=filename)) from unsafe


_UNSAFE = {
    Unsafe.OLD_EXCEL: (
        "'{filename}' is an older Excel file (.xls) or a workbook with a password. "
        "Remove any password, then in Excel use File > Save As and choose "
        "'Excel Workbook (.xlsx)'."
    ),
    Unsafe.DAMAGED: (
        "'{filename}' is not a valid Excel workbook: it may be damaged, or be another kind "
        "of file renamed to .xlsx. Open it in Excel and save it again as 'Excel Workbook'."
    ),
    Unsafe.TOO_LARGE: (
        "'{filename}' looks damaged or is too large once unpacked (over "
        f"{_megabytes(XLSX_MAX_UNCOMPRESSED)}, or squeezed more than {XLSX_MAX_RATIO} "
        "to 1), so it has not been opened. Save the list again in Excel, or save it as CSV."
    ),
}


def _xlsx_rows(raw: bytes, filename: str, max_rows: int) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) for the rows of the first worksheet.

    Blank rows are left out, and reading stops after the header and ``max_rows + 1`` rows:
    enough for :func:`_build` to tell the list is too long.
    """
    check_workbook(raw, filename)
    # Imported here so that reading CSV does not load openpyxl. openpyxl parses the
    # workbook's XML with defusedxml (no entity expansion), and zipfile never unpacks a
    # member beyond the size its directory declares, which _check_zip has bounded.
    from openpyxl import load_workbook

    invalid = (
        f"'{filename}' is not a valid Excel workbook (it may be damaged). Open it in "
        "Excel and save it again as 'Excel Workbook', or save it as CSV."
    )
    rows: list[tuple[int, list[str]]] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
            try:
                if not workbook.worksheets:
                    raise _refuse(f"'{filename}' has no worksheet")
                sheet = workbook.worksheets[0]
                sheet.reset_dimensions()  # read every row there is, whatever the file claims
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                    cells = [_cell_text(value) for value in values]
                    if any(cells):  # blank rows are skipped; the numbers keep their place
                        rows.append((number, cells))
                        if len(rows) > max_rows + 1:
                            break
            finally:
                workbook.close()
    except PopulationError:
        raise
    except Exception as error:  # openpyxl raises many kinds of error for a damaged file
        raise _refuse(invalid) from error
    return iter(rows)


def _cell_text(value: Any) -> str:
    """A worksheet value as the text a person would read in the cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _build(rows: Iterable[tuple[int, list[str]]], source_name: str, max_rows: int) -> Population:
    """The header and the data rows, checked; every problem is collected before refusing."""
    iterator = iter(rows)
    header: list[str] | None = None
    header_number = 0
    for number, cells in iterator:
        if any(cells):
            header, header_number = cells, number
            break
    if header is None:
        raise _refuse(
            "there is no header row: every row is blank. The first row must hold the "
            "column names, such as 'Local id', 'Name' and 'Date of birth'."
        )
    width = max(index for index, cell in enumerate(header) if cell) + 1
    columns = header[:width]
    problems: list[ImportProblem] = []
    for index, name in enumerate(columns):
        if not name:
            problems.append(
                ImportProblem(
                    f"{column_position(index)} has no name: give every column a name in the "
                    "header row, or delete the empty column",
                    row=header_number,
                )
            )
    seen: dict[str, list[int]] = {}
    for index, name in enumerate(columns):
        if name:
            seen.setdefault(name, []).append(index)
    for name, positions in seen.items():
        if len(positions) > 1:
            where = _and([str(position + 1) for position in positions])
            problems.append(
                ImportProblem(
                    f"the column name '{name}' is used more than once (columns {where}): "
                    "give each column a different name",
                    row=header_number,
                )
            )
    data: list[dict[str, str]] = []
    numbers: list[int] = []
    for number, cells in iterator:
        if not any(cells):
            continue
        if len(data) >= max_rows:
            raise _refuse(
                f"the list has more than {max_rows:,} rows of data; the limit is {max_rows:,}. "
                "Remove the rows that cannot be in the audit, or split the list."
            )
        extra = [cell for cell in cells[width:] if cell]
        if extra:
            problems.append(
                ImportProblem(
                    f"this row has {len(cells) - _trailing_blanks(cells)} cells "
                    f"but there are only {width} columns: the extra value "
                    f"'{_short(extra[0])}' has no column name",
                    row=number,
                )
            )
            continue
        padded = cells[:width] + [""] * (width - len(cells[:width]))
        data.append(dict(zip(columns, padded, strict=True)))
        numbers.append(number)
    if not problems and not data:
        raise _refuse(
            f"the list has column names (row {header_number}) but no rows of children below them"
        )
    if problems:
        raise PopulationError(cap_problems(problems))
    return Population(tuple(columns), tuple(data), source_name, tuple(numbers))


def _trailing_blanks(cells: list[str]) -> int:
    count = 0
    for cell in reversed(cells):
        if cell:
            break
        count += 1
    return count


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _and(items: list[str]) -> str:
    """ "1", "1 and 2", "1, 2 and 3"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# --- Dates -------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?"
_ISO = re.compile(rf"(\d{{4}})-(\d{{1,2}})-(\d{{1,2}}){_TIME}")
_NUMERIC = re.compile(rf"(\d{{1,2}})([/.-])(\d{{1,2}})\2(\d{{4}}){_TIME}")
_WORDS = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-z]+)\.?,?[\s-]+(\d{4})")
_SHORT_YEAR = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2}")
DATE_FORMATS = "31/01/2009, 2009-01-31 or 31 January 2009"
MIN_YEAR, MAX_YEAR = 1900, 2100


def parse_date(text: str) -> date:
    """A date written the UK way (day first), or as YYYY-MM-DD.

    Accepts 2009-01-31, 31/01/2009, 31/1/2009, 31-01-2009, 31.01.2009, "31 January 2009",
    "31 Jan 2009" and "31-Jan-2009"; a time after the date (as in "31/01/2009 00:00") is
    ignored. A date is never read month first. Raises ValueError with a plain message.
    """
    value = text.strip()
    if match := _ISO.fullmatch(value):
        year, month, day = (int(part) for part in match.group(1, 2, 3))
    elif match := _NUMERIC.fullmatch(value):
        day, month, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
    elif match := _WORDS.fullmatch(value):
        day, year = int(match.group(1)), int(match.group(3))
        month_name = match.group(2).casefold()
        if month_name not in _MONTHS:
            raise ValueError(f"'{value}' is not a date: '{match.group(2)}' is not a month")
        month = _MONTHS[month_name]
    elif not value:
        raise ValueError("the date is blank")
    elif _SHORT_YEAR.fullmatch(value):
        raise ValueError(
            f"'{value}' has a two-digit year: write the year in full, as in 31/01/2009"
        )
    else:
        raise ValueError(f"'{value}' is not a date that can be read: write it as {DATE_FORMATS}")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"'{value}' is not a real date: the year must be {MIN_YEAR} to {MAX_YEAR}")
    try:
        return date(year, month, day)
    except ValueError:
        hint = ""
        if match.re is _NUMERIC and month > 12 and day <= 12:
            hint = " (dates are read day first, as in 31/01/2009)"
        raise ValueError(f"'{value}' is not a real date{hint}") from None


# --- Column mapping ----------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnMapping:
    """Which of the list's columns hold what the audit needs."""

    local_id: str
    """Each child's id in the list (e.g. ward number, NHS number); unique, never blank."""
    name: str
    date_of_birth: str | None = None
    reference_columns: tuple[str, ...] = ()
    """Other identities kept with the child (NHS number, social care id, police id...)."""


def check_local_ids(population: Population, column: str) -> list[ImportProblem]:
    """Every local id is there and different from every other (the column must exist)."""
    problems: list[ImportProblem] = []
    where: dict[str, list[int]] = {}
    for index, row in enumerate(population.rows):
        value = row[column]
        if not value:
            problems.append(
                ImportProblem(
                    "the local id is blank: every child needs one",
                    population.row_number(index),
                    column,
                )
            )
        else:
            where.setdefault(value, []).append(population.row_number(index))
    for value, numbers in where.items():
        if len(numbers) > 1:
            problems.append(
                ImportProblem(
                    f"rows {_and([str(n) for n in numbers])} have the same local id "
                    f"'{_short(value)}'",
                    column=column,
                )
            )
    return problems


_NAME_LIKE = re.compile(r"^[^\W\d_][^\W\d_'.-]*( [^\W\d_][^\W\d_'.-]*)+$")


def _looks_like_names(population: Population, column: str) -> bool:
    """Whether most of a column's cells read like "Firstname Lastname" (letters and spaces)."""
    if "name" in column.lower():
        return True
    cells = [row[column] for row in population.rows if row[column]]
    return bool(cells) and sum(bool(_NAME_LIKE.match(c)) for c in cells) > len(cells) / 2


MAX_LOCAL_ID = 100  # the lengths the identities table holds
MAX_NAME = 300


def check_mapping(population: Population, mapping: ColumnMapping) -> list[ImportProblem]:
    """Every problem that stops ``mapping`` being used with ``population`` ([] when none)."""
    named = [
        ("the local id column", mapping.local_id),
        ("the name column", mapping.name),
        *([("the date of birth column", mapping.date_of_birth)] if mapping.date_of_birth else []),
        *[("a reference column", column) for column in mapping.reference_columns],
    ]
    missing = [
        unknown_column(population, column, what)
        for what, column in named
        if column not in population.columns
    ]
    if missing:
        return missing
    identity = {mapping.name, mapping.date_of_birth} - {None}
    leaks = [column for column in mapping.reference_columns if column in identity]
    if leaks:
        # References may be released to agencies; a name or date of birth never is.
        return [
            ImportProblem(
                "the name and date of birth cannot be agency references: agencies never see them",
                None,
                column,
            )
            for column in leaks
        ]
    if mapping.local_id == mapping.name or _looks_like_names(population, mapping.local_id):
        # The local id can be released to agencies to find their files; a name never is.
        return [
            ImportProblem(
                "this column looks like children's names, not ids: choose the column that "
                "holds each child's local id (such as a ward, case or NHS number)",
                None,
                mapping.local_id,
            )
        ]
    problems = check_local_ids(population, mapping.local_id)
    for index, row in enumerate(population.rows):
        number = population.row_number(index)
        if not row[mapping.name]:
            problems.append(ImportProblem("the name is blank", number, mapping.name))
        for column in (mapping.local_id, mapping.name):
            if "\n" in row[column] or "\r" in row[column]:
                problems.append(
                    ImportProblem("this cell runs over more than one line", number, column)
                )
        if len(row[mapping.local_id]) > MAX_LOCAL_ID:
            problems.append(
                ImportProblem(
                    f"the local id is longer than {MAX_LOCAL_ID} characters",
                    number,
                    mapping.local_id,
                )
            )
        if len(row[mapping.name]) > MAX_NAME:
            problems.append(
                ImportProblem(
                    f"the name is longer than {MAX_NAME} characters", number, mapping.name
                )
            )
        if mapping.date_of_birth:
            try:
                parse_date(row[mapping.date_of_birth])
            except ValueError as error:
                problems.append(ImportProblem(str(error), number, mapping.date_of_birth))
    problems.sort(key=lambda problem: (problem.row is None, problem.row or 0))
    return cap_problems(problems)
