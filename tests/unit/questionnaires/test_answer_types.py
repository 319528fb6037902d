"""The answer-type registry: values, cells and aggregates per type, and the split by concern."""

from __future__ import annotations

import ast
import subprocess
import sys
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_app.questionnaires.answer_types import (
    ANSWER_TYPES,
    COLUMNS,
    ChoiceAggregate,
    DateAggregate,
    DatedListAggregate,
    NumberAggregate,
    answer_type,
    range_message,
)
from audit_app.questionnaires.answer_types import CellError as CellProblem
from audit_app.questionnaires.definitions import (
    AuditTemplateDefinition,
    Choice,
    Question,
    Scale,
    ScaleLevel,
)
from audit_app.questionnaires.template_format import parse

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "audit_app"
EXAMPLE = ROOT / "tests" / "fixtures" / "every-answer-type.yaml"


@cache
def definition() -> AuditTemplateDefinition:
    return parse(EXAMPLE.read_bytes(), EXAMPLE.name)


def question(question_id: str) -> Question:
    found = definition().question(question_id)
    assert found is not None
    return found


def aggregate(question_id: str, values: list[Any]) -> Any:
    q = question(question_id)
    return answer_type(q).aggregate(values, q, definition().scales)


def no_columns(**counts: int) -> dict[str, int]:
    return {**dict.fromkeys(COLUMNS, 0), **counts}


def no_gaps(**counts: int) -> dict[str, int]:
    return {"not_known": 0, "does_not_apply": 0, **counts}


# --- Aggregates, one per type -------------------------------------------------------------


def test_yes_no_unknown_counts_each_answer_and_column() -> None:
    result = aggregate("early_help_offered", ["yes", "no", "no", None, "not_known", ""])
    assert result == ChoiceAggregate(
        answered=4,
        columns=no_columns(working_well=1, worried_about=2),  # "not known" is no worry
        gaps=no_gaps(not_known=1),
        counts={"yes": 1, "no": 2, "not_known": 1},
    )


def test_single_choice_counts_every_option_even_unchosen() -> None:
    result = aggregate("who_referred", ["gp", "gp"])
    assert result.counts == {"school": 0, "gp": 2}
    assert result.columns == no_columns(working_well=2)
    assert result.answered == 2


def test_multiple_choice_counts_each_option_chosen_and_each_answer_once_per_column() -> None:
    services = question("services")
    spanning = Question(
        **{
            **services.__dict__,
            "column": None,
            "maps": {"camhs": "working_well", "social_care": "worried_about"},
        }
    )
    result = answer_type(spanning).aggregate(
        [["camhs", "social_care"], ["camhs"], [], None], spanning, {}
    )
    assert result == ChoiceAggregate(
        answered=2,
        columns=no_columns(working_well=2, worried_about=1),
        gaps=no_gaps(),
        counts={"camhs": 2, "social_care": 1},
    )


def test_grade_counts_levels_in_scale_order_and_the_scales_columns() -> None:
    result = aggregate("overall", ["good", "inadequate", "good", "requires_improvement"])
    assert list(result.counts) == ["outstanding", "good", "requires_improvement", "inadequate"]
    assert result.counts == {
        "outstanding": 0,
        "good": 2,
        "requires_improvement": 1,
        "inadequate": 1,
    }
    assert result.columns == no_columns(working_well=2, worried_about=2)


def test_free_text_counts_the_answers_given() -> None:
    result = aggregate("missed_opportunity", ["GP saw her", "", None, "School"])
    assert result.answered == 2
    assert result.columns == no_columns(worried_about=2)


def test_whole_numbers_give_count_min_max_and_median() -> None:
    result = aggregate("days_waited", [42, 3, None, 10, 7])
    assert result == NumberAggregate(
        answered=4,
        columns=no_columns(),  # a number is a fact: in no column
        gaps=no_gaps(),
        minimum=3,
        maximum=42,
        median=8.5,
    )
    empty = aggregate("days_waited", [None])
    assert (empty.answered, empty.minimum, empty.maximum, empty.median) == (0, None, None, None)


def test_dates_give_the_earliest_and_latest() -> None:
    result = aggregate("referral_date", ["2021-02-03", "2019-12-31", None, "2020-06-05"])
    assert result == DateAggregate(
        answered=3,
        columns=no_columns(),
        gaps=no_gaps(),
        earliest=date(2019, 12, 31),
        latest=date(2021, 2, 3),
    )


def test_dated_lists_count_their_entries() -> None:
    entry = {"date": "2020-06-05", "text": "Seen in ED"}
    result = aggregate("chronology", [[entry, {"date": None, "text": "Told"}], [entry], None])
    assert result == DatedListAggregate(answered=2, columns=no_columns(), gaps=no_gaps(), entries=3)


def test_every_type_aggregates_nothing_to_nothing() -> None:
    for q in definition().questions:
        result = answer_type(q).aggregate([], q, definition().scales)
        assert result.answered == 0 and set(result.columns.values()) == {0}, q.type


# --- Cells: what is written, and reading it back --------------------------------------------


STORED = {
    "early_help_offered": "no",
    "missed_opportunity": "GP saw her twice in May",
    "who_referred": "gp",
    "services": ["camhs", "social_care"],
    "overall": "requires_improvement",
    "confidence": "high",
    "referral_date": "2021-02-03",
    "days_waited": 42,
    "chronology": [
        {"date": None, "text": "Told by school"},
        {"date": "2020-06-05", "text": "Seen in ED\nsecond line"},
    ],
}


@pytest.mark.parametrize("question_id", list(STORED))
def test_each_type_round_trips_through_a_cell(question_id: str) -> None:
    q = question(question_id)
    kind = answer_type(q)
    scales = definition().scales
    cell = kind.to_cell(STORED[question_id], q, scales)
    assert kind.from_cell(cell, q, scales) == STORED[question_id]
    assert kind.validate(STORED[question_id], q, scales) is None
    assert kind.to_cell(None, q, scales) is None
    assert kind.from_cell("  ", q, scales) is None


@pytest.mark.parametrize(
    ("question_id", "cell", "said"),
    [
        ("early_help_offered", "Maybe", "'Maybe' is not one of the answers"),
        ("overall", "Brilliant", "Choose one from the drop-down list: Outstanding; Good"),
        ("services", "CAMHS; Housing", "'Housing' is not one of the answers"),
        ("referral_date", "soon", "'soon' is not a date"),
        ("referral_date", date(1800, 1, 1), "must have a year from 1900 to 2100"),
        ("days_waited", "4.5", "'4.5' is not a whole number"),
        ("days_waited", -2, "-2 is out of range: enter a whole number of 0 or more."),
        ("chronology", "no date here", "does not start with a date"),
    ],
)
def test_a_bad_cell_says_what_is_wrong(question_id: str, cell: Any, said: str) -> None:
    q = question(question_id)
    with pytest.raises(CellProblem) as problem:
        answer_type(q).from_cell(cell, q, definition().scales)
    assert said in problem.value.message


LABEL = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters=";\n\r"), min_size=1, max_size=20
).filter(lambda text: text.strip() == text and text)


@st.composite
def choice_question(draw: Any, kind: str) -> tuple[Question, list[Choice]]:
    labels = draw(
        st.lists(LABEL, min_size=2, max_size=6, unique_by=lambda t: " ".join(t.split()).casefold())
    )
    choices = [Choice(f"option_{index}", label) for index, label in enumerate(labels)]
    # A label must not read as another option's value.
    values = {choice.value.casefold() for choice in choices}
    if any(" ".join(label.split()).casefold() in values for label in labels):
        labels = [f"{label}!" for label in labels]
        choices = [Choice(c.value, f"{c.label}!") for c in choices]
    return Question("q", kind, "Pick", column="working_well", options=tuple(choices)), choices


@given(st.data())
def test_any_single_choice_round_trips(data: Any) -> None:
    q, choices = data.draw(choice_question("single_choice"))
    stored = data.draw(st.sampled_from(choices)).value
    kind = answer_type(q)
    assert kind.from_cell(kind.to_cell(stored, q, {}), q, {}) == stored


@given(st.data())
def test_any_multiple_choice_round_trips(data: Any) -> None:
    q, choices = data.draw(choice_question("multiple_choice"))
    chosen = data.draw(st.lists(st.sampled_from(choices), min_size=1, unique=True))
    stored = [c.value for c in choices if c in chosen]  # kept in the options' order
    kind = answer_type(q)
    assert kind.from_cell(kind.to_cell(stored, q, {}), q, {}) == stored


@given(st.text(min_size=1).map(str.strip).filter(bool))
def test_any_free_text_round_trips(text: str) -> None:
    q = question("missed_opportunity")
    kind = answer_type(q)
    assert kind.from_cell(kind.to_cell(text, q, {}), q, {}) == text


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_any_date_round_trips(day: date) -> None:
    q = question("referral_date")
    kind = answer_type(q)
    stored = kind.to_stored(day)
    assert kind.from_cell(kind.to_cell(stored, q, {}), q, {}) == stored
    assert kind.from_cell(day.strftime("%d/%m/%Y"), q, {}) == stored  # as a person types it


@given(st.integers(min_value=0, max_value=1_000_000_000))
def test_any_whole_number_in_range_round_trips(number: int) -> None:
    q = question("days_waited")
    kind = answer_type(q)
    assert kind.from_cell(kind.to_cell(number, q, {}), q, {}) == number
    assert kind.from_cell(str(number), q, {}) == number


ENTRY_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\r\x0b\x0c\x1c\x1d\x1e\x85"),
    max_size=30,
).filter(
    # A line of an entry that starts with a date or "undated" would start a new entry.
    lambda text: all(
        not line.strip()[:1].isdigit() and not line.strip().lower().startswith("undated")
        for line in text.split("\n")[1:]
    )
)


@given(
    st.lists(
        st.tuples(
            st.none() | st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
            ENTRY_TEXT,
        ),
        min_size=1,
        max_size=5,
    )
)
def test_any_dated_list_round_trips(entries: list[tuple[date | None, str]]) -> None:
    from audit_app.questionnaires.answer_types import DatedEntry

    q = question("chronology")
    kind = answer_type(q)
    stored = kind.to_stored([DatedEntry(when, text) for when, text in entries])
    if stored is None:
        return  # only empty undated entries: nothing to keep
    written = kind.to_cell(stored, q, {})
    assert kind.normal(kind.from_cell(written, q, {})) == kind.normal(stored)


# --- Values ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question_id", "stored", "said"),
    [
        ("early_help_offered", "perhaps", "'perhaps' is not one of the answers"),
        ("services", "camhs", "needs a list of answers"),
        ("services", ["camhs", "camhs"], "chosen twice"),
        ("overall", "excellent", "is not one of the answers"),
        ("missed_opportunity", 12, "needs text"),
        ("referral_date", "3 February", "needs a date"),
        ("days_waited", "42", "needs a whole number"),
        ("days_waited", True, "needs a whole number"),
        ("days_waited", -1, "out of range: enter a whole number of 0 or more"),
        ("chronology", [{"when": "x"}], "needs a list of dated entries"),
    ],
)
def test_a_value_a_question_cannot_take_is_named(question_id: str, stored: Any, said: str) -> None:
    q = question(question_id)
    problem = answer_type(q).validate(stored, q, definition().scales)
    assert problem is not None and said in problem


def test_blank_values_are_valid_and_land_nowhere() -> None:
    for q in definition().questions:
        kind = answer_type(q)
        for blank in (None, "", []):
            assert kind.validate(blank, q, definition().scales) is None
            assert kind.columns(blank, q, definition().scales) == []
            assert not kind.is_answered(blank)


def test_only_a_grade_with_a_rationale_takes_a_reason() -> None:
    takes = {q.id for q in definition().questions if answer_type(q).takes_reason(q)}
    needs = {q.id for q in definition().questions if answer_type(q).needs_reason(q)}
    assert takes == needs == {"overall"}


def test_checks_of_a_question_definition_belong_to_its_type() -> None:
    scales = {"rag": Scale("rag", "RAG", (ScaleLevel("green", "Green", "working_well"),))}
    grade = Question("g", "grade", "Grade", scale="ofsted")
    assert ANSWER_TYPES["grade"].check_question(grade, scales) == [
        ("scale", "the scale 'ofsted' is not declared in scales (declared: rag)")
    ]
    number = Question("n", "number", "How many", min=5, max=1)
    assert ANSWER_TYPES["number"].check_question(number, {}) == [("min", "min is greater than max")]
    twice = Question("c", "single_choice", "Which", options=(Choice("a", "A"), Choice("a", "B")))
    assert ANSWER_TYPES["single_choice"].check_question(twice, {}) == [
        ("options", "the option 'a' appears twice")
    ]
    assert range_message(number) == "enter a whole number from 5 to 1"


def test_drop_down_lists_and_cell_checks_come_from_the_type() -> None:
    scales = definition().scales
    with_list = {q.id for q in definition().questions if answer_type(q).drop_down(q, scales)}
    assert with_list == {"early_help_offered", "who_referred", "overall", "confidence", "safety"}
    checked = {
        q.id: check.kind
        for q in definition().questions
        if (check := answer_type(q).cell_check(q)) is not None
    }
    assert checked == {"referral_date": "date", "days_waited": "whole"}


# --- The split by concern ---------------------------------------------------------------------


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_the_definitions_import_only_the_standard_library() -> None:
    imported = imports_of(PACKAGE / "questionnaires" / "definitions.py")
    assert {name.split(".")[0] for name in imported} <= set(sys.stdlib_module_names) | {
        "__future__"
    }


def test_the_registry_imports_no_forms_and_no_template_format() -> None:
    imported = imports_of(PACKAGE / "questionnaires" / "answer_types.py")
    app_modules = {name for name in imported if name.startswith("audit_app")}
    assert app_modules == {"audit_app.questionnaires.definitions"}
    assert (
        not {name.split(".")[0] for name in imported}
        - set(sys.stdlib_module_names)
        - {
            "__future__",
            "audit_app",
        }
    )


def test_forms_are_built_only_by_the_field_handlers() -> None:
    questionnaires = PACKAGE / "questionnaires"
    for name in ("answer_types.py", "definitions.py", "template_format.py", "library.py"):
        imported = {module.split(".")[0] for module in imports_of(questionnaires / name)}
        assert not imported & {"wtforms", "flask", "flask_wtf", "govuk_frontend_wtf"}, name
    from audit_app.questionnaires.field_handlers import FIELD_HANDLERS

    assert set(FIELD_HANDLERS) == set(ANSWER_TYPES)


def test_the_registry_loads_without_flask() -> None:
    """Plain rules: importing the registry and the format alone loads no web framework."""
    code = (
        "import sys, importlib.util\n"
        "sys.modules['audit_app'] = type(sys)('audit_app')\n"  # skip create_app's imports
        f"sys.modules['audit_app'].__path__ = [{str(PACKAGE)!r}]\n"
        "import audit_app.questionnaires.template_format\n"
        "assert not {'flask', 'wtforms'} & set(sys.modules), sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


TYPE_NAMES = [f'"{name}"' for name in ANSWER_TYPES if name not in ("date", "number")] + [
    f"'{name}'" for name in ANSWER_TYPES if name not in ("date", "number")
]


def test_nothing_outside_the_questionnaires_branches_on_an_answer_type() -> None:
    found = []
    for path in PACKAGE.rglob("*"):
        if path.suffix not in (".py", ".html") or "questionnaires" in path.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if any(name in line for name in TYPE_NAMES) or ".type ==" in line or ".type in" in line:
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []
