"""The answer-type registry: one domain type per template answer type, and all it does.

Each :class:`AnswerType` knows everything about its values and nothing about pages:

- the template keys the type takes and needs, and its own checks of a question definition
  (a grade needs a declared scale, a number's ``min`` cannot pass its ``max``);
- the possible answers (so a template can map each to a Signs of Safety column, and a
  condition can name one) and whether a question must say its column;
- a value: whether it is a valid stored value, its stored form, the column(s) it lands in,
  its summary in words;
- a spreadsheet cell: the value written, reading a value back from a cell (with what is
  wrong with a bad cell, as :class:`CellError`), the hint, the drop-down list or check;
- :meth:`AnswerType.aggregate` over many answers, for the panel and the exports.

Building a form field for a type is apart, in :mod:`audit_app.questionnaires.field_handlers`.
Adding a type is one class here, one there, and one entry in :data:`ANSWER_TYPES`. Nothing
outside ``audit_app/questionnaires/`` branches on a type's name: it asks this registry.

This module imports no Flask, no WTForms, no spreadsheet library: only the standard library
and the plain definitions.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from audit_app.questionnaires.definitions import (
    COLUMNS,
    DOES_NOT_APPLY,
    GAP_LABELS,
    NOT_KNOWN,
    SUB_HEADINGS,
    AuditTemplateDefinition,
    Choice,
    Question,
    Scale,
    column_of,
)

__all__ = [
    "ANSWER_TYPES",
    "COLUMNS",
    "COMMON_KEYS",
    "EARLIEST_YEAR",
    "LARGEST_NUMBER",
    "LATEST_YEAR",
    "Aggregate",
    "AnswerType",
    "CellCheck",
    "CellError",
    "Choice",
    "ChoiceAggregate",
    "DateAggregate",
    "DatedEntry",
    "DatedListAggregate",
    "NumberAggregate",
    "answer_type",
    "blank",
    "normal_answer",
    "plain_text",
    "range_message",
    "short",
    "text_of",
]

LARGEST_NUMBER = 1_000_000_000  # a whole number any database column and spreadsheet keeps exactly
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100

# Keys every question may have, whatever its type.
COMMON_KEYS = frozenset(
    {
        "id",
        "type",
        "text",
        "hint",
        "required",
        "column",
        "maps",
        "themes",
        "show_if",
        "asked_of",
        "lens",
        "urgent_if",
    }
)

Scales = dict[str, Scale]


def blank(value: Any) -> bool:
    """Whether a stored value means "not answered"."""
    return value is None or value == "" or value == [] or value == ()


# --- Cells --------------------------------------------------------------------------------


class CellError(Exception):
    """What a person wrote in a cell cannot be read as an answer; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CellCheck:
    """A spreadsheet's own check of what is typed in a cell (its "data validation")."""

    kind: str  # "date" or "whole"
    low: str
    high: str
    title: str
    message: str


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_DATE = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_ENTRY = re.compile(
    r"\s*(\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{4})\s*(?::|-|\u2013|\u2014)?\s*(.*)"
)
_UNDATED = re.compile(r"\s*undated\s*:?\s*(.*)", re.IGNORECASE)
_WHOLE = re.compile(r"[+-]?\d{1,15}")


def text_of(value: Any) -> str:
    """A cell's value as the text a person reads in it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def plain_text(value: Any) -> Any:
    """Text as a person would compare it: one kind of line break, no control characters."""
    if isinstance(value, str):
        text = _ILLEGAL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
        return text or None
    return value


def short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _uk_date(value: str) -> str:
    return date.fromisoformat(value).strftime("%d/%m/%Y")


def _real_date(day: int, month: int, year: int, shown: str) -> date:
    try:
        found = date(year, month, day)
    except ValueError:
        raise CellError(f"'{shown}' is not a real date. Write it as DD/MM/YYYY.") from None
    if not EARLIEST_YEAR <= found.year <= LATEST_YEAR:
        raise CellError(f"'{shown}' must have a year from {EARLIEST_YEAR} to {LATEST_YEAR}.")
    return found


def range_message(question: Question) -> str:
    """A number's bounds, as an instruction (lower case)."""
    if question.min is not None and question.max is not None:
        return f"enter a whole number from {question.min} to {question.max}"
    if question.min is not None:
        return f"enter a whole number of {question.min} or more"
    return f"enter a whole number of {question.max} or less"


# --- Aggregates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Aggregate:
    """Many answers to one question, taken together (blank answers are not counted)."""

    answered: int
    columns: dict[str, int]
    """How many answers land in each Signs of Safety column (an answer in two, in both)."""
    gaps: dict[str, int]
    """How many answers were "not known" and "does not apply", counted apart from the
    columns (by gap value: :data:`NOT_KNOWN`, :data:`DOES_NOT_APPLY`)."""


@dataclass(frozen=True)
class ChoiceAggregate(Aggregate):
    counts: dict[str, int]
    """How many answers chose each possible answer, by value, in the answers' order."""


@dataclass(frozen=True)
class NumberAggregate(Aggregate):
    minimum: int | None
    maximum: int | None
    median: float | None


@dataclass(frozen=True)
class DateAggregate(Aggregate):
    earliest: date | None
    latest: date | None


@dataclass(frozen=True)
class DatedListAggregate(Aggregate):
    entries: int
    """Entries across every answer."""


# --- The answer types -------------------------------------------------------------------------


class AnswerType:
    """The behaviour of one answer type. Subclasses fill in the class attributes."""

    name: ClassVar[str]
    label: ClassVar[str]
    extra_keys: ClassVar[frozenset[str]] = frozenset()
    required_keys: ClassVar[frozenset[str]] = frozenset()
    set_answers: ClassVar[bool] = False
    """The answers come from a set list (the template's options, or a scale's levels)."""
    cell_number_format: ClassVar[str | None] = None
    """How a spreadsheet shows the Answer cell (None: as it is)."""
    records_fact: ClassVar[bool] = False
    """Every answer of this type is a fact (a date, a number, a chronology): it carries
    no column."""
    is_scaling: ClassVar[bool] = False
    """A Signs of Safety scaling from 0 to 10, kept as its number (the panel compares the
    agencies' scalings and flags their spread)."""
    minutes_to_answer: ClassVar[int] = 1
    """About how long a reviewer takes to answer one from the records (the stated rule of
    ``estimated_minutes``): a minute to choose, date or count; four to write."""

    @property
    def allowed_keys(self) -> frozenset[str]:
        return COMMON_KEYS | self.extra_keys

    # --- The question definition ---------------------------------------------------------

    def choices(self, question: Question, scales: Scales) -> list[Choice] | None:
        """The possible answers, or None when the answer is free (text, a date, a number)
        or its list is missing (a grade on an undeclared scale)."""
        return None

    def default_column(self, value: str, question: Question, scales: Scales) -> str | None:
        """Where an answer falls when the template does not say (grades only): a column, or
        a sub-heading inside one."""
        return None

    def needs_column(self, question: Question) -> bool:
        """Whether the question must say its column (``column`` or ``maps``): a judgement
        must, a fact must not."""
        return not question.is_fact  # a date, number or list is a fact unless told otherwise

    def gap_choices(self, question: Question) -> list[Choice]:
        """The gap answers the question offers ("Not known", "Does not apply")."""
        return [
            Choice(value, GAP_LABELS[value])
            for value in (NOT_KNOWN, DOES_NOT_APPLY)
            if getattr(question, value)  # the flags are named after the answers they offer
        ]

    def descriptor(self, value: str, question: Question, scales: Scales) -> str | None:
        """What an answer (a grade) looks like, shown beside it (None: nothing to show)."""
        return None

    def takes_reason(self, question: Question) -> bool:
        """Whether a written reason is asked with the answer ("Why this grade?")."""
        return False

    def needs_reason(self, question: Question) -> bool:
        """Whether that written reason must be given before the return is sent."""
        return False

    def check_question(self, question: Question, scales: Scales) -> list[tuple[str, str]]:
        """This type's own problems with a question definition, as (key, message); the key
        is "" for the question itself."""
        return []

    # --- A value --------------------------------------------------------------------------

    def is_answered(self, stored: Any) -> bool:
        return not blank(stored)

    def validate(self, stored: Any, question: Question, scales: Scales) -> str | None:
        """What is wrong with a stored value for this question, or None when it is valid
        (a blank value is valid: whether one is required is checked apart)."""
        if blank(stored):
            return None
        return self._invalid(stored, question, scales)

    def _invalid(self, stored: Any, question: Question, scales: Scales) -> str | None:
        return None if isinstance(stored, str) else f"'{question.text}' needs text"

    def to_stored(self, data: Any) -> Any:
        """A value as it is kept (plain JSON); None when not answered. ``data`` is the
        natural Python value: text, a list of values, a date, a whole number, entries."""
        if blank(data):
            return None
        return data

    def to_form(self, stored: Any) -> Any:
        """A stored value as its natural Python value (the inverse of :meth:`to_stored`)."""
        return stored

    def summary(self, stored: Any, question: Question, scales: Scales) -> str:
        """The answer in words, for check-your-answers pages and the panel."""
        if blank(stored):
            return "Not answered"
        choices = self.choices(question, scales)
        if choices is not None:
            labels = {choice.value: choice.label for choice in choices}
            values = stored if isinstance(stored, list) else [stored]
            return ", ".join(labels.get(str(value), str(value)) for value in values)
        return str(stored)

    def placements(self, stored: Any, question: Question, scales: Scales) -> list[str]:
        """Where an answer lands: each a column, or a Signs of Safety sub-heading inside one
        (none when not answered, for a fact, and for "not known" or "does not apply")."""
        if blank(stored) or self.gap(stored, question) is not None:
            return []
        if question.column:
            return [question.column]
        values = stored if isinstance(stored, list) else [stored]
        found: list[str] = []
        for value in values:
            placement = question.maps.get(str(value)) or self.default_column(
                str(value), question, scales
            )
            if placement and placement not in found:
                found.append(placement)
        return found

    def columns(self, stored: Any, question: Question, scales: Scales) -> list[str]:
        """Every Signs of Safety column an answer lands in (none when not answered)."""
        found: list[str] = []
        for placement in self.placements(stored, question, scales):
            column = column_of(placement)
            if column not in found:
                found.append(column)
        return found

    def sub_headings(self, stored: Any, question: Question, scales: Scales) -> list[str]:
        """The Signs of Safety sub-headings an answer lands under (situation questions)."""
        return [p for p in self.placements(stored, question, scales) if p in SUB_HEADINGS]

    def gap(self, stored: Any, question: Question) -> str | None:
        """:data:`NOT_KNOWN` or :data:`DOES_NOT_APPLY` when the answer is one of those
        (counted apart from the columns), else None. A version written before gaps were
        kept apart may map "not known" to a column: there it is an answer like any other."""
        if not self.set_answers or not isinstance(stored, str) or stored not in GAP_LABELS:
            return None
        return None if stored in question.maps else stored

    def normal(self, stored: Any) -> Any:
        """A value in a form that compares equal when a person would call it unchanged."""
        if blank(stored):
            return None
        if isinstance(stored, str):
            return plain_text(stored)
        if isinstance(stored, list):
            return tuple(sorted(str(v) for v in stored))
        return stored

    # --- A spreadsheet cell -----------------------------------------------------------------

    def to_cell(self, stored: Any, question: Question, scales: Scales) -> Any:
        """A stored answer as it is written in a cell (None when not answered)."""
        if blank(stored):
            return None
        return str(stored)

    def from_cell(self, raw: Any, question: Question, scales: Scales) -> Any:
        """What a cell says, as the answer is stored (None when blank).

        Raises :class:`CellError` saying what is wrong.
        """
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        return self._from_cell(raw, question, scales)

    def _from_cell(self, raw: Any, question: Question, scales: Scales) -> Any:
        text = text_of(raw) if not isinstance(raw, str) else raw.strip()
        return text or None

    def cell_hint(self, question: Question, scales: Scales) -> str:
        """How to write the answer in a cell."""
        return "Free text."

    def drop_down(self, question: Question, scales: Scales) -> list[Choice] | None:
        """The answers a cell's drop-down list offers (None: no list)."""
        return None

    def cell_check(self, question: Question) -> CellCheck | None:
        """The spreadsheet's own check of the Answer cell (None: none)."""
        return None

    # --- Many answers -----------------------------------------------------------------------

    def aggregate(self, values: Iterable[Any], question: Question, scales: Scales) -> Aggregate:
        """Many stored answers to the question taken together, for the panel and exports."""
        given = [value for value in values if self.is_answered(value)]
        return Aggregate(
            len(given),
            self._column_counts(given, question, scales),
            self._gap_counts(given, question),
        )

    def _gap_counts(self, given: list[Any], question: Question) -> dict[str, int]:
        counts = dict.fromkeys(GAP_LABELS, 0)
        for value in given:
            gap = self.gap(value, question)
            if gap is not None:
                counts[gap] += 1
        return counts

    def _column_counts(
        self, given: list[Any], question: Question, scales: Scales
    ) -> dict[str, int]:
        counts = dict.fromkeys(COLUMNS, 0)
        for value in given:
            for column in self.columns(value, question, scales):
                counts[column] = counts.get(column, 0) + 1
        return counts


def _choice(text: str, choices: list[Choice], question: Question) -> str:
    by_label = {_key(c.label): c.value for c in choices}
    by_value = {_key(c.value): c.value for c in choices}
    found = by_label.get(_key(text)) or by_value.get(_key(text))
    if found is None:
        listed = "; ".join(c.label for c in choices)
        raise CellError(
            f"'{short(text)}' is not one of the answers to '{question.text}'. "
            f"Choose one from the drop-down list: {listed}."
        )
    return found


class ChoiceType(AnswerType):
    """Answers from a set list."""

    set_answers = True

    def aggregate(
        self, values: Iterable[Any], question: Question, scales: Scales
    ) -> ChoiceAggregate:
        given = [value for value in values if self.is_answered(value)]
        counts = {choice.value: 0 for choice in self.choices(question, scales) or []}
        for value in given:
            for chosen in value if isinstance(value, list) else [value]:
                counts[str(chosen)] = counts.get(str(chosen), 0) + 1
        return ChoiceAggregate(
            len(given),
            self._column_counts(given, question, scales),
            self._gap_counts(given, question),
            counts,
        )


class OneChoice(ChoiceType):
    """One answer chosen from a set list."""

    def _invalid(self, stored: Any, question: Question, scales: Scales) -> str | None:
        possible = [choice.value for choice in self.choices(question, scales) or []]
        if not isinstance(stored, str) or stored not in possible:
            return f"{stored!r} is not one of the answers to '{question.text}'"
        return None

    def to_cell(self, stored: Any, question: Question, scales: Scales) -> Any:
        if blank(stored):
            return None
        labels = {c.value: c.label for c in self.choices(question, scales) or []}
        return labels.get(str(stored), str(stored))

    def _from_cell(self, raw: Any, question: Question, scales: Scales) -> Any:
        return _choice(text_of(raw), self.choices(question, scales) or [], question)

    def cell_hint(self, question: Question, scales: Scales) -> str:
        return "Choose one answer from the drop-down list."

    def drop_down(self, question: Question, scales: Scales) -> list[Choice] | None:
        return self.choices(question, scales) or None


class YesNoUnknown(OneChoice):
    name = "yes_no_unknown"
    label = "Yes, no or not known"
    extra_keys = frozenset({"does_not_apply"})
    CHOICES = (Choice("yes", "Yes"), Choice("no", "No"), Choice(NOT_KNOWN, "Not known"))

    def choices(self, question: Question, scales: Scales) -> list[Choice]:
        return list(self.CHOICES) + [
            choice for choice in self.gap_choices(question) if choice.value != NOT_KNOWN
        ]


def _duplicate_options(question: Question) -> list[tuple[str, str]]:
    values = [option.value for option in question.options]
    return [
        ("options", f"the option {duplicate!r} appears twice")
        for duplicate in sorted({v for v in values if values.count(v) > 1})
    ]


class SingleChoice(OneChoice):
    name = "single_choice"
    label = "One answer from a list"
    extra_keys = frozenset({"options", "not_known", "does_not_apply"})
    required_keys = frozenset({"options"})

    def choices(self, question: Question, scales: Scales) -> list[Choice]:
        return list(question.options) + self.gap_choices(question)

    def check_question(self, question: Question, scales: Scales) -> list[tuple[str, str]]:
        return _duplicate_options(question)


class MultipleChoice(ChoiceType):
    """Any answers from a set list: one answer can land in several columns."""

    name = "multiple_choice"
    label = "Any answers from a list"
    extra_keys = frozenset({"options"})
    required_keys = frozenset({"options"})

    def choices(self, question: Question, scales: Scales) -> list[Choice]:
        return list(question.options)

    def check_question(self, question: Question, scales: Scales) -> list[tuple[str, str]]:
        return _duplicate_options(question)

    def _invalid(self, stored: Any, question: Question, scales: Scales) -> str | None:
        possible = [choice.value for choice in question.options]
        if not isinstance(stored, list):
            return f"'{question.text}' needs a list of answers"
        for value in stored:
            if not isinstance(value, str) or value not in possible:
                return f"{value!r} is not one of the answers to '{question.text}'"
        if len(set(stored)) != len(stored):
            return f"'{question.text}' has an answer chosen twice"
        return None

    def to_stored(self, data: Any) -> Any:
        return list(data) if data else None

    def to_cell(self, stored: Any, question: Question, scales: Scales) -> Any:
        if blank(stored):
            return None
        labels = {c.value: c.label for c in question.options}
        given = stored if isinstance(stored, list) else [stored]
        return "; ".join(labels.get(str(v), str(v)) for v in given)

    def _from_cell(self, raw: Any, question: Question, scales: Scales) -> Any:
        choices = list(question.options)
        parts = [part for part in re.split(r"[;\n]", text_of(raw)) if part.strip()]
        chosen = {_choice(part, choices, question) for part in parts}
        return [c.value for c in choices if c.value in chosen] or None

    def cell_hint(self, question: Question, scales: Scales) -> str:
        return (
            "Write any of these, separated by a semicolon (;): "
            + "; ".join(c.label for c in question.options)
            + "."
        )


class Grade(OneChoice):
    """A level of a named scale; each level lands in its scale's column unless mapped."""

    name = "grade"
    label = "A grade on a named scale"
    extra_keys = frozenset(
        {"scale", "rationale", "not_known", "does_not_apply", "descriptors", "evidence_strength"}
    )
    required_keys = frozenset({"scale"})

    def choices(self, question: Question, scales: Scales) -> list[Choice] | None:
        scale = scales.get(question.scale or "")
        if scale is None:
            return None
        levels = [Choice(level.value, level.label) for level in scale.levels]
        return levels + self.gap_choices(question)

    def descriptor(self, value: str, question: Question, scales: Scales) -> str | None:
        if value in question.descriptors:
            return question.descriptors[value]
        scale = scales.get(question.scale or "")
        for level in scale.levels if scale else ():
            if level.value == value:
                return level.descriptor
        return None

    def default_column(self, value: str, question: Question, scales: Scales) -> str | None:
        scale = scales.get(question.scale or "")
        if scale is None:
            return None
        for level in scale.levels:
            if level.value == value:
                return level.column
        return None

    def needs_column(self, question: Question) -> bool:
        return False  # the scale's levels say their columns

    def takes_reason(self, question: Question) -> bool:
        return question.rationale in ("required", "optional")

    def needs_reason(self, question: Question) -> bool:
        return question.rationale == "required"

    def check_question(self, question: Question, scales: Scales) -> list[tuple[str, str]]:
        if question.scale is not None and question.scale not in scales:
            declared = ", ".join(scales) or "none"
            return [
                (
                    "scale",
                    f"the scale {question.scale!r} is not declared in scales "
                    f"(declared: {declared})",
                )
            ]
        scale = scales.get(question.scale or "")
        if not question.descriptors or scale is None:
            return []  # a missing scale is reported apart
        levels = [level.value for level in scale.levels]
        problems = [
            (f"descriptors.{value}", f"{value!r} is not a grade of the scale {question.scale!r}")
            for value in question.descriptors
            if value not in levels
        ]
        missing = [value for value in levels if not question.descriptors.get(value, "").strip()]
        if missing:
            problems.append(
                (
                    "descriptors",
                    f"no descriptor for the grade(s): {', '.join(missing)}; say what each "
                    "grade looks like for this question",
                )
            )
        return problems


SCALING_LEVELS = tuple(str(point) for point in range(11))
"""A Signs of Safety scaling's levels, as a scale in a template writes them: 0 to 10."""


@dataclass(frozen=True)
class ScalingAggregate(ChoiceAggregate):
    """As for any grade, with the numbers' own figures (gaps are not numbers)."""

    minimum: int | None
    maximum: int | None
    median: float | None


class Scaling(Grade):
    """A Signs of Safety scaling, 0 to 10, on a scale whose levels are those numbers (each
    with its words and where it lands: 0 to 6 danger, 7 to 10 safety in the shipped
    templates). It is answered as a grade is, and kept as the whole number, so that the
    panel can compare agencies' scalings and take their spread without reading text."""

    name = "scaling"
    label = "A Signs of Safety scaling from 0 to 10"
    is_scaling = True
    extra_keys = frozenset({"scale", "rationale", "not_known", "does_not_apply", "descriptors"})

    def check_question(self, question: Question, scales: Scales) -> list[tuple[str, str]]:
        problems = super().check_question(question, scales)
        scale = scales.get(question.scale or "")
        levels = sorted(level.value for level in scale.levels) if scale else []
        if scale is not None and levels != sorted(SCALING_LEVELS):
            problems.append(
                (
                    "scale",
                    f"a scaling needs a scale whose levels are the numbers 0 to 10; "
                    f"{question.scale!r} has {', '.join(level.value for level in scale.levels)}",
                )
            )
        return problems

    def _invalid(self, stored: Any, question: Question, scales: Scales) -> str | None:
        gaps = [choice.value for choice in self.gap_choices(question)]
        if _whole(stored) and str(stored) in SCALING_LEVELS:
            return None
        if isinstance(stored, str) and stored in gaps:
            return None
        return f"{stored!r} is not one of the answers to '{question.text}'"

    def to_stored(self, data: Any) -> Any:
        if blank(data):
            return None
        if _whole(data):
            return data
        if isinstance(data, str) and data.strip() in SCALING_LEVELS:
            return int(data.strip())
        return data  # "not known", "does not apply", or what validation refuses

    def to_form(self, stored: Any) -> Any:
        return str(stored) if _whole(stored) else stored

    def normal(self, stored: Any) -> Any:
        return super().normal(self.to_stored(stored))

    def _from_cell(self, raw: Any, question: Question, scales: Scales) -> Any:
        if _whole(raw) or (isinstance(raw, float) and raw.is_integer()):
            raw = str(int(raw))
        return self.to_stored(super()._from_cell(raw, question, scales))

    def aggregate(
        self, values: Iterable[Any], question: Question, scales: Scales
    ) -> ScalingAggregate:
        values = list(values)
        choices = super().aggregate(values, question, scales)
        numbers = [value for value in values if _whole(value)]
        return ScalingAggregate(
            choices.answered,
            choices.columns,
            choices.gaps,
            choices.counts,
            min(numbers) if numbers else None,
            max(numbers) if numbers else None,
            statistics.median(numbers) if numbers else None,
        )


class FreeText(AnswerType):
    name = "free_text"
    minutes_to_answer = 4
    label = "Free text"

    def to_stored(self, data: Any) -> Any:
        text = (data or "").strip()
        return text or None


class DateAnswer(AnswerType):
    name = "date"
    records_fact = True
    label = "A date"
    cell_number_format = "DD/MM/YYYY"

    def _invalid(self, stored: Any, question: Question, scales: Scales) -> str | None:
        try:
            date.fromisoformat(stored)
        except (TypeError, ValueError):
            return f"'{question.text}' needs a date"
        return None

    def to_stored(self, data: Any) -> Any:
        return data.isoformat() if isinstance(data, date) else None

    def to_form(self, stored: Any) -> Any:
        return date.fromisoformat(stored) if stored else None

    def summary(self, stored: Any, question: Question, scales: Scales) -> str:
        if not stored:
            return "Not answered"
        return date.fromisoformat(stored).strftime("%-d %B %Y")

    def to_cell(self, stored: Any, question: Question, scales: Scales) -> Any:
        if blank(stored):
            return None
        try:
            return date.fromisoformat(str(stored))
        except ValueError:
            return str(stored)

    def _from_cell(self, raw: Any, question: Question, scales: Scales) -> Any:
        if isinstance(raw, date):  # a datetime is a date too
            return _real_date(raw.day, raw.month, raw.year, text_of(raw)).isoformat()
        text = text_of(raw)
        match = _DATE.fullmatch(text)
        if match:
            day, month, year = (int(part) for part in match.groups())
            return _real_date(day, month, year, text).isoformat()
        match = _ISO_DATE.fullmatch(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return _real_date(day, month, year, text).isoformat()
        raise CellError(
            f"'{short(text)}' is not a date. '{question.text}' needs a date written as "
            "DD/MM/YYYY, like 03/02/2021."
        )

    def cell_hint(self, question: Question, scales: Scales) -> str:
        return "A date, written as DD/MM/YYYY, like 03/02/2021."

    def cell_check(self, question: Question) -> CellCheck:
        return CellCheck(
            "date",
            f"DATE({EARLIEST_YEAR},1,1)",
            f"DATE({LATEST_YEAR},12,31)",
            "Enter a date",
            "Enter a date as DD/MM/YYYY, like 03/02/2021.",
        )

    def aggregate(self, values: Iterable[Any], question: Question, scales: Scales) -> DateAggregate:
        given = [value for value in values if self.is_answered(value)]
        dates = sorted(date.fromisoformat(value) for value in given)
        return DateAggregate(
            len(given),
            self._column_counts(given, question, scales),
            self._gap_counts(given, question),
            dates[0] if dates else None,
            dates[-1] if dates else None,
        )


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class NumberAnswer(AnswerType):
    name = "number"
    records_fact = True
    label = "A whole number"
    extra_keys = frozenset({"min", "max", "unit"})

    def check_question(self, question: Question, scales: Scales) -> list[tuple[str, str]]:
        if question.min is not None and question.max is not None and question.min > question.max:
            return [("min", "min is greater than max")]
        return []

    def _invalid(self, stored: Any, question: Question, scales: Scales) -> str | None:
        if not _whole(stored) or abs(stored) > LARGEST_NUMBER:
            return f"'{question.text}' needs a whole number"
        if (question.min is not None and stored < question.min) or (
            question.max is not None and stored > question.max
        ):
            return f"{stored} is out of range: {range_message(question)}"
        return None

    def to_stored(self, data: Any) -> Any:
        return int(data) if _whole(data) else None

    def summary(self, stored: Any, question: Question, scales: Scales) -> str:
        if stored is None:
            return "Not answered"
        return f"{stored} {question.unit}".strip() if question.unit else str(stored)

    def to_cell(self, stored: Any, question: Question, scales: Scales) -> Any:
        if blank(stored):
            return None
        return stored if _whole(stored) else str(stored)

    def _from_cell(self, raw: Any, question: Question, scales: Scales) -> Any:
        number: int | None = None
        if isinstance(raw, bool):
            number = None
        elif isinstance(raw, int):
            number = raw
        elif isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e15:
            number = int(raw)
        elif isinstance(raw, str) and _WHOLE.fullmatch(raw.strip()):
            number = int(raw.strip())
        if number is None:
            raise CellError(
                f"'{short(text_of(raw))}' is not a whole number. '{question.text}' needs a "
                "number only, like 12."
            )
        if (question.min is not None and number < question.min) or (
            question.max is not None and number > question.max
        ):
            raise CellError(f"{number} is out of range: {range_message(question)}.")
        return number

    def cell_hint(self, question: Question, scales: Scales) -> str:
        how = "A whole number" + (f" of {question.unit}" if question.unit else "")
        if question.min is not None or question.max is not None:
            how += f" ({range_message(question)})"
        return how + "."

    def cell_check(self, question: Question) -> CellCheck:
        low = question.min if question.min is not None else -(2**31)
        high = question.max if question.max is not None else 2**31 - 1
        return CellCheck(
            "whole",
            str(low),
            str(high),
            "Enter a whole number",
            (range_message(question).capitalize() + ".")[:255],
        )

    def aggregate(
        self, values: Iterable[Any], question: Question, scales: Scales
    ) -> NumberAggregate:
        given = [value for value in values if _whole(value)]
        return NumberAggregate(
            len(given),
            self._column_counts(given, question, scales),
            self._gap_counts(given, question),
            min(given) if given else None,
            max(given) if given else None,
            statistics.median(given) if given else None,
        )


@dataclass(frozen=True)
class DatedEntry:
    """One entry of a dated list, as its natural Python value."""

    when: date | None
    text: str = ""


class DatedList(AnswerType):
    """A repeating list of dated entries, for chronology-style questions. Stored as a list
    of ``{"date": "YYYY-MM-DD" or None, "text": ...}`` in date order (undated first)."""

    name = "dated_list"
    records_fact = True
    minutes_to_answer = 4
    label = "A list of dated entries"

    def _invalid(self, stored: Any, question: Question, scales: Scales) -> str | None:
        problem = f"'{question.text}' needs a list of dated entries"
        if not isinstance(stored, list):
            return problem
        for entry in stored:
            if not isinstance(entry, dict) or set(entry) != {"date", "text"}:
                return problem
            if not isinstance(entry["text"], str):
                return problem
            if entry["date"] is not None and DateAnswer()._invalid(entry["date"], question, {}):
                return problem
        return None

    def to_stored(self, data: Any) -> Any:
        entries = []
        for entry in data or []:
            when, what = entry.when, (entry.text or "").strip()
            if when is None and not what:
                continue
            entries.append({"date": when.isoformat() if when else None, "text": what})
        entries.sort(key=lambda entry: entry["date"] or "")
        return entries or None

    def to_form(self, stored: Any) -> Any:
        return [
            DatedEntry(date.fromisoformat(e["date"]) if e.get("date") else None, e["text"])
            for e in stored or []
        ]

    def summary(self, stored: Any, question: Question, scales: Scales) -> str:
        if not stored:
            return "Not answered"
        lines = []
        for entry in stored:
            when = (
                date.fromisoformat(entry["date"]).strftime("%-d %b %Y")
                if entry["date"]
                else "Undated"
            )
            lines.append(f"{when}: {entry['text']}")
        return "\n".join(lines)

    def normal(self, stored: Any) -> Any:
        if blank(stored):
            return None
        if not isinstance(stored, list):
            return super().normal(stored)
        return tuple(
            sorted(
                (
                    (entry.get("date") or "", plain_text(str(entry.get("text") or "")) or "")
                    if isinstance(entry, dict)
                    else ("", plain_text(str(entry)) or "")
                )
                for entry in stored
            )
        )

    def to_cell(self, stored: Any, question: Question, scales: Scales) -> Any:
        if blank(stored):
            return None
        lines = []
        for entry in stored if isinstance(stored, list) else []:
            when = entry.get("date") if isinstance(entry, dict) else None
            text = str(entry.get("text") or "") if isinstance(entry, dict) else str(entry)
            lines.append(f"{_uk_date(when) if when else 'Undated'}: {text}")
        return "\n".join(lines)

    def _from_cell(self, raw: Any, question: Question, scales: Scales) -> Any:
        text = raw.strftime("%d/%m/%Y") if isinstance(raw, date) else text_of(raw)
        entries: list[dict[str, Any]] = []
        for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            dated = _ENTRY.fullmatch(line)
            undated = _UNDATED.fullmatch(line)
            if dated:
                shown = dated.group(1)
                parts = [int(p) for p in re.split(r"\s*[/.\-]\s*", shown.strip())]
                when = _real_date(parts[0], parts[1], parts[2], shown.strip())
                entries.append({"date": when.isoformat(), "text": dated.group(2)})
            elif undated:
                entries.append({"date": None, "text": undated.group(1)})
            elif entries:
                entries[-1]["text"] += "\n" + line
            elif line.strip():
                raise CellError(
                    f"'{short(line)}' does not start with a date. Start each entry on its own "
                    "line with its date, like 05/06/2020: what happened."
                )
        for entry in entries:
            entry["text"] = entry["text"].strip()
        entries.sort(key=lambda entry: entry["date"] or "")
        return entries or None

    def cell_hint(self, question: Question, scales: Scales) -> str:
        return (
            "One entry a line, each starting with its date: DD/MM/YYYY: what happened. "
            "In Excel, press Alt+Enter for a new line in the cell."
        )

    def aggregate(
        self, values: Iterable[Any], question: Question, scales: Scales
    ) -> DatedListAggregate:
        given = [value for value in values if self.is_answered(value)]
        return DatedListAggregate(
            len(given),
            self._column_counts(given, question, scales),
            self._gap_counts(given, question),
            sum(len(value) for value in given if isinstance(value, list)),
        )


ANSWER_TYPES: dict[str, AnswerType] = {
    handler.name: handler
    for handler in (
        YesNoUnknown(),
        SingleChoice(),
        MultipleChoice(),
        Grade(),
        Scaling(),
        FreeText(),
        DateAnswer(),
        NumberAnswer(),
        DatedList(),
    )
}


def answer_type(question: Question) -> AnswerType:
    """The answer type of a question (every built template's types are registered)."""
    return ANSWER_TYPES[question.type]


def normal_answer(question: Question | None, value: Any) -> Any:
    """A stored value in a form that compares equal when a person would call it unchanged
    (for a question no longer in the template, compared as plain values)."""
    handler = ANSWER_TYPES.get(question.type) if question is not None else None
    return (handler or _PLAIN).normal(value)


_PLAIN = AnswerType()


# --- How long a return takes ----------------------------------------------------------------

REASON_MINUTES = 4
"""A written reason asked with an answer ("Why this grade?") is writing: four minutes."""

ESTIMATE_RULE = (
    "a minute for each answer chosen, dated or counted; four for each written answer "
    "(free text, a dated list), and four more for a written reason asked with an answer; "
    "questions asked only after a given answer are counted as if always asked"
)


@dataclass(frozen=True)
class ReturnEstimate:
    """How much one return asks of a reviewer, for one child."""

    questions: int
    required: int
    follow_ups: int
    """Questions asked only after a given answer (counted in full: an upper bound)."""
    minutes: int


def estimated_minutes(question: Question) -> int:
    """About how long one question takes to answer from the records (``ESTIMATE_RULE``)."""
    kind = answer_type(question)
    reason = REASON_MINUTES if kind.takes_reason(question) else 0
    return kind.minutes_to_answer + reason


def estimate_return(definition: AuditTemplateDefinition) -> ReturnEstimate:
    """What a return of this template asks, every question and follow-up counted."""
    questions = definition.questions
    return ReturnEstimate(
        questions=len(questions),
        required=sum(1 for question in questions if question.required),
        follow_ups=sum(1 for question in questions if question.show_if is not None),
        minutes=sum(estimated_minutes(question) for question in questions),
    )
