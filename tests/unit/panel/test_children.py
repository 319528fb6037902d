"""The rules of the panel's "By child" pages: the spread between agencies' 0-10 scalings, which
scales are 0-10 scalings, and which question the panel's agreed grade answers."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from audit_app.panel.children import (
    SPREAD_FLAG,
    is_flagged,
    is_scaling,
    overall_question,
    scaling_score,
    spread,
)
from audit_app.questionnaires import template_format as tf
from audit_app.questionnaires.definitions import (
    BUILT_IN_SCALES,
    AuditTemplateDefinition,
    Question,
    Scale,
    Section,
)

TEMPLATES = Path(__file__).resolve().parents[3] / "audit_templates"


def _definition(
    *questions: Question, scales: dict[str, Scale] | None = None
) -> AuditTemplateDefinition:
    return AuditTemplateDefinition(
        id="t",
        title="T",
        version="1",
        purpose="",
        scales=scales if scales is not None else dict(BUILT_IN_SCALES),
        sections=(Section("One", None, tuple(questions)),),
        content_hash="x",
        content={},
    )


def _grade(question_id: str, scale: str = "ofsted", **keys: object) -> Question:
    return Question(id=question_id, type="grade", text=question_id, scale=scale, **keys)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([], None),
        ([5], None),
        ([5, None], None),
        ([5, 5], 0),
        ([2, 5], 3),
        ([7, 2, 4], 5),
        ([0, 10], 10),
        ([None, 3, None, 6], 3),
    ],
)
def test_the_spread_is_highest_less_lowest_of_two_or_more(
    scores: list[int | None], expected: int | None
) -> None:
    assert spread(scores) == expected


def test_agencies_three_or_more_points_apart_are_flagged() -> None:
    assert SPREAD_FLAG == 3
    assert not is_flagged(None)
    assert not is_flagged(0)
    assert not is_flagged(2)
    assert is_flagged(3)
    assert is_flagged(10)
    assert is_flagged(spread([1, 4]))
    assert not is_flagged(spread([1, 3]))


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 0), (7, 7), (10, 10), ("7", None), ("not_known", None), (None, None), ("", None),
     (11, None), (True, None), (-1, None)],
)  # fmt: skip
def test_a_scaling_is_read_as_the_whole_number_it_is_stored_as(
    value: object, expected: int | None
) -> None:
    assert scaling_score(value) == expected


def test_a_scaling_is_what_the_template_says_is_one() -> None:
    assert is_scaling(Question(id="a", type="scaling", text="a", scale="sos_0_10"))
    assert not is_scaling(_grade("b", "sos_0_10"))  # a grade on the same scale is a grade
    assert not is_scaling(Question(id="c", type="number", text="c", min=0, max=10))


def test_the_shipped_templates_scalings_are_found() -> None:
    for name, scaling_id in (
        ("children-in-crisis.yaml", "safety_scaling"),
        ("signs-of-safety-macfa.yaml", "auditor_scaling"),
    ):
        definition = tf.build(yaml.safe_load((TEMPLATES / name).read_text()))
        found = [q.id for q in definition.questions if is_scaling(q)]
        assert found == [scaling_id], name


def test_the_overall_question_is_overall_grade_when_there_is_one() -> None:
    definition = _definition(
        _grade("first"),
        _grade("overall_grade"),
        _grade("later"),
        Question(id="x", type="free_text", text="x"),
    )
    found = overall_question(definition)
    assert found is not None and found.id == "overall_grade"


def test_else_the_last_grade_of_practice_not_of_the_situation_nor_evidence_strength() -> None:
    definition = _definition(
        _grade("early"),
        _grade("practice_last"),
        _grade("safety", "sos_0_10", lens="situation"),
        _grade("strength", evidence_of="practice_last"),
        Question(id="notes", type="free_text", text="Notes"),
    )
    found = overall_question(definition)
    assert found is not None and found.id == "practice_last"


def test_no_overall_question_without_a_grade_of_practice() -> None:
    assert overall_question(None) is None
    assert overall_question(_definition(Question(id="x", type="free_text", text="x"))) is None
    assert overall_question(_definition(_grade("safety", "sos_0_10", lens="situation"))) is None


def test_the_shipped_children_in_crisis_template_is_graded_by_overall_grade() -> None:
    definition = tf.build(yaml.safe_load((TEMPLATES / "children-in-crisis.yaml").read_text()))
    found = overall_question(definition)
    assert found is not None and found.id == "overall_grade"
