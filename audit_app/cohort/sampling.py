"""The cohort draw: filter the population list, fingerprint it, choose children at random.

The draw is reproducible and checkable outside the service. Nothing here uses Python's
``random``: a child's place in the draw is the SHA-256 of the seed and the child's local id,
so the same seed and the same list give the same children in the same order in any
language, on any machine, in any year. ``docs/sampling.md`` describes the algorithm for
people who want to check a draw themselves; :mod:`audit_app.cohort_cli` re-runs it
(``audit-app cohort draw``).

Filters and strata are plain strings, stored and shown to people exactly as
:func:`parse_filter` and :func:`parse_strata` give them back:

- ``COLUMN=VALUE``: the cell equals VALUE, ignoring case and surrounding spaces
- ``COLUMN>=YYYY-MM-DD`` and ``COLUMN<=YYYY-MM-DD``: the cell's date is on or after / before
- ``age(COLUMN)@YYYY-MM-DD=MIN-MAX``: age in whole years on that date is MIN to MAX
- strata: a column name, or ``age(COLUMN)@YYYY-MM-DD:0-10,11-13,14-15,16-17``
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise

from audit_app.cohort.population import (
    ColumnMapping,
    ImportProblem,
    Population,
    cap_problems,
    check_local_ids,
    parse_date,
    unknown_column,
)

METHOD_SIMPLE = "sha256-key-order-v1"
METHOD_STRATIFIED = "sha256-key-order-stratified-v1"
MAX_SEED_LENGTH = 100
MAX_AGE = 150
BLANK_STRATUM = "(blank)"
FILTER_SYNTAX = (
    "COLUMN=VALUE, COLUMN>=YYYY-MM-DD, COLUMN<=YYYY-MM-DD or age(COLUMN)@YYYY-MM-DD=MIN-MAX"
)
STRATA_SYNTAX = "a column name, or age(COLUMN)@YYYY-MM-DD:0-10,11-13,14-15,16-17"


class SamplingError(Exception):
    """The draw cannot be made; ``problems`` says every reason, each where it is."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


def _fail(message: str) -> SamplingError:
    return SamplingError([ImportProblem(message)])


# --- Filters -----------------------------------------------------------------------------

_AGE = re.compile(
    r"age\((?P<column>.*)\)\s*@\s*(?P<on>[^=:]+?)\s*(?P<sep>[=:])\s*(?P<rest>.*)", re.I
)
_RANGE = re.compile(r"(\d{1,3})(?:\s*-\s*(\d{1,3}))?")


def _age_range(text: str, where: str) -> tuple[int, int]:
    match = _RANGE.fullmatch(text.strip())
    if not match:
        raise ValueError(
            f"{where}: '{text.strip()}' is not an age range: write it as MIN-MAX, as in 11-13"
        )
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) is not None else low
    if low > high:
        raise ValueError(f"{where}: the age range {low}-{high} runs backwards: write {high}-{low}")
    if high > MAX_AGE:
        raise ValueError(f"{where}: {high} is not a possible age")
    return low, high


def _on_date(text: str, where: str) -> date:
    try:
        return parse_date(text)
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None


@dataclass(frozen=True)
class Filter:
    """One condition a row must meet to be in the filtered population.

    ``kind`` is ``"="`` (``value`` is the text to match), ``">="`` or ``"<="`` (``on`` is the
    date), or ``"age"`` (``on`` is the date, ``low``-``high`` the ages in whole years).
    """

    column: str
    kind: str
    value: str = ""
    on: date | None = None
    low: int = 0
    high: int = 0

    def __str__(self) -> str:
        if self.kind == "age":
            assert self.on is not None
            return f"age({self.column})@{self.on.isoformat()}={self.low}-{self.high}"
        if self.kind == "=":
            return f"{self.column}={self.value}"
        assert self.on is not None
        return f"{self.column}{self.kind}{self.on.isoformat()}"

    def matches(self, population: Population, index: int) -> bool:
        """Whether row ``index`` meets the condition; a cell that is not a date raises
        SamplingError naming the row and column."""
        cell = population.rows[index][self.column]
        if self.kind == "=":
            return cell.strip().casefold() == self.value.casefold()
        when = _cell_date(population, index, self.column)
        assert self.on is not None
        if self.kind == ">=":
            return when >= self.on
        if self.kind == "<=":
            return when <= self.on
        return self.low <= age_on(when, self.on) <= self.high


def parse_filter(text: str) -> Filter:
    """The filter a string describes (ValueError, saying how to write it, for bad syntax).

    Whether the column exists is checked when the filter is applied to a list.
    """
    source = text.strip()
    where = f"the filter '{source}'"
    if match := _AGE.fullmatch(source):
        column = match.group("column").strip()
        if not column:
            raise ValueError(f"{where}: give the date of birth column inside age( )")
        if match.group("sep") != "=":
            raise ValueError(f"{where} is not a filter: write {FILTER_SYNTAX}")
        on = _on_date(match.group("on"), where)
        low, high = _age_range(match.group("rest"), where)
        return Filter(column, "age", on=on, low=low, high=high)
    position = source.find("=")
    if position < 0:
        raise ValueError(f"'{source}' is not a filter: write {FILTER_SYNTAX}")
    kind = "="
    if position > 0 and source[position - 1] in "<>":
        kind = source[position - 1] + "="
    column = source[: position - len(kind) + 1].strip()
    value = source[position + 1 :].strip()
    if not column:
        raise ValueError(f"{where} has no column name before '{kind}': write {FILTER_SYNTAX}")
    if kind == "=":
        return Filter(column, "=", value=value)
    if not value:
        raise ValueError(
            f"{where} has no date after '{kind}': write it as {column}{kind}2020-01-31"
        )
    return Filter(column, kind, on=_on_date(value, where))


def age_on(born: date, on: date) -> int:
    """Age in whole years on a date: the years since birth, less one if the birthday has not
    come yet that year (someone born on 29 February is a year older on 1 March)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _cell_date(population: Population, index: int, column: str) -> date:
    try:
        return parse_date(population.rows[index][column])
    except ValueError as error:
        raise SamplingError(
            [ImportProblem(str(error), population.row_number(index), column)]
        ) from None


def _filters(filters: Iterable[Filter | str]) -> list[Filter]:
    return [item if isinstance(item, Filter) else parse_filter(item) for item in filters]


def apply_filters(population: Population, filters: Iterable[Filter | str]) -> list[int]:
    """The indexes of the rows that meet every filter, in file order.

    Filters are applied in turn: a row that fails one is not looked at by the next, so a bad
    date in a row another filter has already left out is not an error. Raises SamplingError
    for a column the list does not have, and for every cell that should be a date and is not.
    """
    parsed = _filters(filters)
    missing = [
        unknown_column(population, item.column, f"the filter '{item}'")
        for item in parsed
        if item.column not in population.columns
    ]
    if missing:
        raise SamplingError(missing)
    chosen: list[int] = []
    problems: list[ImportProblem] = []
    for index in range(len(population.rows)):
        try:
            if all(item.matches(population, index) for item in parsed):
                chosen.append(index)
        except SamplingError as error:
            problems.extend(error.problems)
    if problems:
        raise SamplingError(cap_problems(problems))
    return chosen


# --- Strata ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Strata:
    """How the population is split for a stratified draw: by a column's value, or by age band.

    For age bands ``column`` is the date of birth column, ``on`` the date ages are taken on
    and ``bands`` the (low, high) ages, inclusive, that do not overlap.
    """

    column: str
    on: date | None = None
    bands: tuple[tuple[int, int], ...] = ()

    def __str__(self) -> str:
        if self.on is None:
            return self.column
        bands = ",".join(f"{low}-{high}" for low, high in self.bands)
        return f"age({self.column})@{self.on.isoformat()}:{bands}"

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(f"{low}-{high}" for low, high in self.bands)

    def stratum(self, population: Population, index: int) -> str:
        """The stratum row ``index`` belongs to (SamplingError if it fits no band)."""
        cell = population.rows[index][self.column]
        if self.on is None:
            return cell.strip() or BLANK_STRATUM
        age = age_on(_cell_date(population, index, self.column), self.on)
        for (low, high), label in zip(self.bands, self.labels, strict=True):
            if low <= age <= high:
                return label
        raise SamplingError(
            [
                ImportProblem(
                    f"this child is {age} on {self.on.isoformat()}, which is in none of the "
                    f"age bands {', '.join(self.labels)}",
                    population.row_number(index),
                    self.column,
                )
            ]
        )


def parse_strata(text: str) -> Strata:
    """The strata a string describes: a column name or an age band spec (ValueError if bad)."""
    source = text.strip()
    if not source:
        raise ValueError(f"the strata are blank: give {STRATA_SYNTAX}")
    where = f"the strata '{source}'"
    match = _AGE.fullmatch(source)
    if not match:
        return Strata(source)
    column = match.group("column").strip()
    if match.group("sep") != ":":
        raise ValueError(f"{where} are not age bands: write {STRATA_SYNTAX}")
    if not column:
        raise ValueError(f"{where}: give the date of birth column inside age( )")
    on = _on_date(match.group("on"), where)
    bands = tuple(_age_range(part, where) for part in match.group("rest").split(","))
    ordered = sorted(bands)
    for (low_a, high_a), (low_b, high_b) in pairwise(ordered):
        if low_b <= high_a:
            raise ValueError(
                f"{where}: the age bands {low_a}-{high_a} and {low_b}-{high_b} overlap"
            )
    return Strata(column, on, bands)


def allocate(sizes: dict[str, int], size: int) -> dict[str, int]:
    """Share ``size`` places between strata in proportion to their sizes (largest remainder).

    Each stratum's quota is size x stratum size / population size. Each gets the whole part
    of its quota; the places left go one each to the strata with the largest fractional
    part, ties going to the stratum whose label comes first in Unicode order. Exact integer
    arithmetic: no rounding error on any machine.
    """
    total = sum(sizes.values())
    if total <= 0:
        return {label: 0 for label in sizes}
    places = {label: size * count // total for label, count in sizes.items()}
    remainders = {label: size * count % total for label, count in sizes.items()}
    left = size - sum(places.values())
    for label in sorted(sizes, key=lambda label: (-remainders[label], label))[:left]:
        places[label] += 1
    return places


# --- Keys, fingerprint, the draw ---------------------------------------------------------


def draw_key(seed: str, local_id: str) -> str:
    """A child's key: the SHA-256 (lower-case hex) of the UTF-8 bytes of seed, "\\n", local id."""
    return hashlib.sha256(f"{seed}\n{local_id}".encode()).hexdigest()


def canonical_form(population: Population, indexes: Iterable[int], mapping: ColumnMapping) -> str:
    """The rows as one text: a line of compact JSON per row (every column), sorted by local id."""
    lines = [
        (
            population.rows[index][mapping.local_id],
            json.dumps(
                population.rows[index], ensure_ascii=False, separators=(",", ":"), sort_keys=True
            ),
        )
        for index in indexes
    ]
    lines.sort()
    return "\n".join(line for _, line in lines)


def fingerprint(population: Population, indexes: Iterable[int], mapping: ColumnMapping) -> str:
    """The SHA-256 (lower-case hex) of the UTF-8 canonical form of the filtered rows.

    Changing any cell of any of these rows, or adding or removing a row, changes it; the order
    of the rows and of the columns in the file does not.
    """
    text = canonical_form(population, indexes, mapping)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_seed() -> str:
    """A fresh seed: 16 random hexadecimal characters from the operating system."""
    return secrets.token_hex(8)


def check_seed(seed: str) -> list[ImportProblem]:
    """Problems with a seed: it is any text of 1 to 100 characters, without spaces at either
    end or line breaks (so it reads back exactly as it was typed)."""
    if not seed.strip():
        return [ImportProblem("the seed is blank: give any text, or let the service make one")]
    problems = []
    if len(seed) > MAX_SEED_LENGTH:
        problems.append(
            ImportProblem(
                f"the seed is {len(seed)} characters long; the limit is {MAX_SEED_LENGTH}"
            )
        )
    if seed != seed.strip():
        problems.append(ImportProblem("the seed starts or ends with a space: remove it"))
    if any(ord(character) < 32 or ord(character) == 127 for character in seed):
        problems.append(ImportProblem("the seed holds a line break or another control character"))
    return problems


def pseudonym(index: int) -> str:
    """The pseudonymous code of the child in place ``index`` of the draw order.

    0 -> "Child A", 25 -> "Child Z", 26 -> "Child AA", 27 -> "Child AB", 701 -> "Child ZZ",
    702 -> "Child AAA" (like spreadsheet column letters).
    """
    if index < 0:
        raise ValueError("a child's place in the draw cannot be negative")
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return f"Child {letters}"


@dataclass(frozen=True)
class DrawResult:
    """What a draw chose, and everything needed to make it again."""

    chosen: tuple[int, ...]
    """Row indexes in draw order: Child A first."""
    fingerprint: str
    population_size: int
    """How many rows met the filters."""
    method: str
    seed: str
    filters: tuple[str, ...]
    strata: str | None
    allocation: dict[str, int] = field(default_factory=dict)
    """Stratum -> places (empty for a simple draw)."""
    chosen_ids: tuple[str, ...] = ()
    """The chosen children's local ids, in draw order."""
    stratum_sizes: dict[str, int] = field(default_factory=dict)
    """Stratum -> children in the filtered population (empty for a simple draw)."""

    @property
    def size(self) -> int:
        return len(self.chosen)


def _sort_key(seed: str, population: Population, column: str, index: int) -> tuple[str, str]:
    local_id = population.rows[index][column]
    return draw_key(seed, local_id), local_id


def draw(
    population: Population,
    mapping: ColumnMapping,
    size: int,
    seed: str,
    filters: Sequence[Filter | str] = (),
    strata: Strata | str | None = None,
) -> DrawResult:
    """Choose ``size`` children from the rows that meet ``filters``.

    Simple: order the rows by (key, local id) and take the first ``size``. Stratified: share
    the places between strata (:func:`allocate`), take each stratum's rows with the smallest
    keys, and put all the chosen rows in (key, local id) order. Raises SamplingError saying
    every reason it cannot be made.
    """
    problems = check_seed(seed)
    try:
        parsed_filters = _filters(filters)
        parsed_strata = parse_strata(strata) if isinstance(strata, str) else strata
    except ValueError as error:
        raise SamplingError([*problems, ImportProblem(str(error))]) from None
    if mapping.local_id not in population.columns:
        problems.append(unknown_column(population, mapping.local_id, "the local id column"))
    problems += [
        unknown_column(population, item.column, f"the filter '{item}'")
        for item in parsed_filters
        if item.column not in population.columns
    ]
    if parsed_strata is not None and parsed_strata.column not in population.columns:
        problems.append(unknown_column(population, parsed_strata.column, "the strata"))
    if size < 1:
        problems.append(ImportProblem("choose at least 1 child"))
    if problems:
        raise SamplingError(problems)
    id_problems = check_local_ids(population, mapping.local_id)
    if id_problems:
        raise SamplingError(cap_problems(id_problems))
    indexes = apply_filters(population, parsed_filters)
    if size > len(indexes):
        where = "match the filters" if parsed_filters else "are in the list"
        raise _fail(
            f"you asked for {size} {_children(size)} but only {len(indexes)} {where}"
            if indexes
            else f"you asked for {size} {_children(size)} but none {where}"
        )

    def order(index: int) -> tuple[str, str]:
        return _sort_key(seed, population, mapping.local_id, index)

    allocation: dict[str, int] = {}
    sizes: dict[str, int] = {}
    if parsed_strata is None:
        chosen = sorted(indexes, key=order)[:size]
    else:
        members: dict[str, list[int]] = {}
        errors: list[ImportProblem] = []
        for index in indexes:
            try:
                members.setdefault(parsed_strata.stratum(population, index), []).append(index)
            except SamplingError as error:
                errors.extend(error.problems)
        if errors:
            raise SamplingError(cap_problems(errors))
        labels = (
            [label for label in parsed_strata.labels if label in members]
            if parsed_strata.on is not None
            else sorted(members)
        )
        sizes = {label: len(members[label]) for label in labels}
        allocation = allocate(sizes, size)
        chosen = sorted(
            (
                index
                for label in labels
                for index in sorted(members[label], key=order)[: allocation[label]]
            ),
            key=order,
        )
    return DrawResult(
        chosen=tuple(chosen),
        fingerprint=fingerprint(population, indexes, mapping),
        population_size=len(indexes),
        method=METHOD_SIMPLE if parsed_strata is None else METHOD_STRATIFIED,
        seed=seed,
        filters=tuple(str(item) for item in parsed_filters),
        strata=None if parsed_strata is None else str(parsed_strata),
        allocation=allocation,
        chosen_ids=tuple(population.rows[index][mapping.local_id] for index in chosen),
        stratum_sizes=sizes,
    )


def _children(count: int) -> str:
    return "child" if count == 1 else "children"


# --- Checking a recorded draw ------------------------------------------------------------


@dataclass(frozen=True)
class VerifyResult:
    """Whether re-running a recorded draw on a list gives what was recorded, in words."""

    ok: bool
    messages: list[str]


def verify(
    population: Population,
    mapping: ColumnMapping,
    *,
    size: int,
    seed: str,
    filters: Sequence[str],
    strata: str | None,
    fingerprint: str,
    chosen_local_ids: Sequence[str],
    method: str | None = None,
) -> VerifyResult:
    """Re-run a recorded draw on ``population`` and say what, if anything, differs."""
    expected_method = METHOD_SIMPLE if strata is None else METHOD_STRATIFIED
    if method is not None and method != expected_method:
        return VerifyResult(
            False,
            [
                f"This draw was made with the method '{method}', which this version of the "
                f"service cannot re-run (it makes draws with '{expected_method}')."
            ],
        )
    try:
        again = draw(population, mapping, size, seed, filters, strata)
    except SamplingError as error:
        return VerifyResult(
            False,
            [
                "The draw cannot be made again from this list:",
                *(str(problem) for problem in error.problems),
            ],
        )
    messages: list[str] = []
    same_list = again.fingerprint == fingerprint
    if same_list:
        messages.append(
            f"The population list is the one the children were drawn from "
            f"({again.population_size} children after the filters; fingerprint "
            f"{fingerprint[:12]}...)."
        )
    else:
        messages.append(
            "The fingerprint has changed: this population list is not the one the children "
            f"were drawn from (recorded {fingerprint[:12]}..., this list {again.fingerprint[:12]}"
            f"..., {again.population_size} children after the filters)."
        )
    recorded = tuple(chosen_local_ids)
    same_children = again.chosen_ids == recorded
    if same_children:
        messages.append(
            f"Re-running the draw gives the same {len(recorded)} {_children(len(recorded))} "
            "in the same order."
        )
    elif sorted(again.chosen_ids) == sorted(recorded):
        messages.append("Re-running the draw gives the same children, but in a different order.")
    else:
        messages.append("Re-running the draw gives different children:")
        for place in range(max(len(recorded), len(again.chosen_ids))):
            before = recorded[place] if place < len(recorded) else "nobody"
            now = again.chosen_ids[place] if place < len(again.chosen_ids) else "nobody"
            if before != now:
                messages.append(f"{pseudonym(place)} was '{before}', now '{now}'.")
    return VerifyResult(same_list and same_children, messages)


def reproduce_command(filename: str, mapping: ColumnMapping, result: DrawResult) -> str:
    """The shell command that makes the same draw with ``audit-app cohort draw``."""
    parts = [
        "audit-app",
        "cohort",
        "draw",
        "--population",
        filename,
        "--id-column",
        mapping.local_id,
        "--size",
        str(result.size),
        "--seed",
        result.seed,
    ]
    for item in result.filters:
        parts += ["--filter", item]
    if result.strata is not None:
        parts += ["--strata", result.strata]
    return " ".join(shlex.quote(part) for part in parts)
