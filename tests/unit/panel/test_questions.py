"""The panel's figures by question, on plain data: good or better (the scale's working-well
levels, gaps left out), counted answers aggregated as every answer would be, per agency."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Any

import pytest

from audit_app.panel.questions import (
    EarlierAudit,
    NotEligible,
    Share,
    aggregate_counted,
    choose_earlier,
    figures_of,
    good_or_better,
    is_graded,
)
from audit_app.questionnaires.answer_types import answer_type
from audit_app.questionnaires.definitions import BUILT_IN_SCALES, Choice, Question

SCALES = dict(BUILT_IN_SCALES)
OFSTED = Question("overall", "grade", "How good was the practice?", scale="ofsted", not_known=True)
SAFETY = Question(
    "scaling", "scaling", "How safe?", scale="sos_0_10", lens="situation", not_known=True,
    does_not_apply=True,
)  # fmt: skip
CHOICE = Question(
    "who", "single_choice", "Who referred?",
    options=(Choice("school", "School"), Choice("police", "Police")),
    maps={"school": "working_well", "police": "worried_about"}, not_known=True,
)  # fmt: skip
NUMBER = Question("days", "number", "How many days?", lens="fact", unit="days")
DATE = Question("when", "date", "When?", lens="fact")
LIST = Question("seen", "dated_list", "When seen?", lens="fact")
TEXT = Question("why", "free_text", "Why?", column="worried_about")
MANY = Question(
    "services", "multiple_choice", "Which?",
    options=(Choice("a", "A"), Choice("b", "B")),
    maps={"a": "working_well", "b": "needs_to_happen"},
)  # fmt: skip


def counted(values: list[Any]) -> list[tuple[Any, int]]:
    """(value, count) as the grouped query gives them (lists and dicts as their JSON)."""
    tally = Counter(json.dumps(v, sort_keys=True) for v in values)
    return [(json.loads(text), n) for text, n in tally.items()]


def test_good_or_better_is_outstanding_and_good_out_of_the_grades_given() -> None:
    values = ["outstanding", "good", "good", "requires_improvement", "inadequate", "not_known"]
    share = good_or_better(aggregate_counted(OFSTED, SCALES, counted(values)))
    assert share == Share(3, 5)  # "not known" is left out, not counted as a worry
    assert share.percent == 60
    assert share.words == "60% (3 of 5)"


def test_on_the_safety_scale_seven_to_ten_are_good_or_better() -> None:
    values = [0, 6, 7, 10, "not_known", "does_not_apply"]
    share = good_or_better(aggregate_counted(SAFETY, SCALES, counted(values)))
    assert share == Share(2, 4)
    assert share.percent == 50


def test_a_question_that_maps_a_level_elsewhere_is_read_as_it_maps() -> None:
    mapped = Question(
        "overall", "grade", "How good?", scale="ofsted",
        maps={"good": "worried_about", "requires_improvement": "working_well"},
    )  # fmt: skip
    share = good_or_better(
        aggregate_counted(mapped, SCALES, counted(["good", "requires_improvement", "outstanding"]))
    )
    assert share == Share(2, 3)


def test_percentages_round_halves_up_and_no_grades_is_said_plainly() -> None:
    assert Share(1, 8).percent == 13
    assert Share(2, 3).percent == 67
    assert Share(1, 3).percent == 33
    assert Share(0, 0).percent is None
    assert Share(0, 0).words == "No grades"


def test_only_grades_on_a_declared_scale_are_graded() -> None:
    assert is_graded(OFSTED, SCALES)
    assert is_graded(SAFETY, SCALES)
    assert not is_graded(CHOICE, SCALES)
    assert not is_graded(NUMBER, SCALES)
    assert not is_graded(Question("x", "grade", "X?", scale="nowhere"), SCALES)


@pytest.mark.parametrize(
    ("question", "values"),
    [
        (OFSTED, ["good", "good", "inadequate", "not_known", "outstanding"]),
        (SAFETY, [7, 7, 3, "does_not_apply"]),
        (CHOICE, ["school", "police", "police", "not_known"]),
        (MANY, [["a"], ["a", "b"], ["b"], ["a"]]),
        (NUMBER, [3, 3, 10, 1, 7, 7, 7]),
        (DATE, ["2024-01-05", "2023-12-31", "2024-01-05"]),
        (LIST, [[{"date": "2024-01-01", "text": "x"}], [{"date": None, "text": "y"}] * 3]),
        (TEXT, ["one", "two", "three"]),
    ],
    ids=lambda v: v.type if isinstance(v, Question) else "",
)
def test_counted_answers_aggregate_as_every_answer_would(
    question: Question, values: list[Any]
) -> None:
    expected = answer_type(question).aggregate(values, question, SCALES)
    assert aggregate_counted(question, SCALES, counted(values)) == expected


def test_free_text_counted_by_one_value_standing_for_the_rest() -> None:
    # The grouped query gives free text as one value and how many answers there were.
    found = aggregate_counted(TEXT, SCALES, [("any of them", 4)])
    assert found.answered == 4
    assert found.columns["worried_about"] == 4


def test_per_agency_shares_add_up_to_the_whole() -> None:
    by_agency = {
        "CSC": ["good", "good", "inadequate"],
        "CAMHS": ["requires_improvement", "not_known"],
        "Police": ["outstanding"],
    }
    shares = {
        name: good_or_better(aggregate_counted(OFSTED, SCALES, counted(values)))
        for name, values in by_agency.items()
    }
    assert shares == {"CSC": Share(2, 3), "CAMHS": Share(0, 1), "Police": Share(1, 1)}
    whole = good_or_better(
        aggregate_counted(
            OFSTED, SCALES, counted([v for values in by_agency.values() for v in values])
        )
    )
    assert whole == Share(3, 5)


def test_a_fact_shows_its_own_figures_with_its_unit() -> None:
    figures = figures_of(aggregate_counted(NUMBER, SCALES, counted([2, 4, 9])), NUMBER)
    assert [(f.words, f.value) for f in figures] == [
        ("Lowest", "2 days"),
        ("Highest", "9 days"),
        ("Median", "4 days"),
    ]
    dates = figures_of(aggregate_counted(DATE, SCALES, counted(["2024-03-01", "2023-01-09"])), DATE)
    assert [(f.words, f.value) for f in dates] == [
        ("Earliest", "9 January 2023"),
        ("Latest", "1 March 2024"),
    ]
    entries = figures_of(
        aggregate_counted(LIST, SCALES, counted([[{"date": None, "text": "a"}]] * 2)), LIST
    )
    assert [(f.words, f.value) for f in entries] == [("Entries", "2")]


def test_the_most_recent_earlier_audit_is_chosen_unless_another_is_asked_for() -> None:
    earlier = [
        EarlierAudit(7, "2023", datetime(2023, 1, 1), None),  # type: ignore[arg-type]
        EarlierAudit(3, "2021", datetime(2021, 1, 1), None),  # type: ignore[arg-type]
    ]
    assert choose_earlier(earlier, None) is earlier[0]
    assert choose_earlier(earlier, "3") is earlier[1]
    assert choose_earlier([], None) is None
    for refused in ("99", "abc", "-1"):
        with pytest.raises(NotEligible):
            choose_earlier(earlier, refused)
