"""Issue 10's format: a lens per question, facts in no column, "not known" and "does not
apply" counted apart, grades with descriptors and the strength of their evidence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from audit_app.questionnaires import template_format as tf
from audit_app.questionnaires.answer_types import answer_type
from audit_app.questionnaires.definitions import COLUMNS, placement_label
from tests.unit.questionnaires.test_template_format import errors_of, example

Change = Callable[[dict[str, Any]], Any]


def _question(data: dict[str, Any], question_id: str) -> dict[str, Any]:
    return next(
        q for section in data["sections"] for q in section["questions"] if q["id"] == question_id
    )


def _changed(question_id: str, **keys: Any) -> dict[str, Any]:
    data = example()
    raw = _question(data, question_id)
    for key, value in keys.items():
        if value is None:
            raw.pop(key, None)
        else:
            raw[key] = value
    return data


def _path(question_id: str) -> str:
    data = example()
    for s_index, section in enumerate(data["sections"]):
        for q_index, raw in enumerate(section["questions"]):
            if raw["id"] == question_id:
                return f"sections[{s_index}].questions[{q_index}]"
    raise AssertionError(question_id)


# --- Refused, naming the path ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("question_id", "data", "where", "message"),
    [
        (  # a date is a fact: no column
            "referral_date",
            _changed("referral_date", column="working_well"),
            ".column",
            "a date answer records a fact, which carries no Signs of Safety column",
        ),
        (  # a number too
            "days_waited",
            _changed("days_waited", column="worried_about"),
            ".column",
            "a number answer records a fact",
        ),
        (  # a chronology too
            "chronology",
            _changed("chronology", column="worried_about"),
            ".column",
            "a dated_list answer records a fact",
        ),
        (  # a fact question of any type
            "missed_opportunity",
            _changed("missed_opportunity", lens="fact"),
            ".column",
            "lens: fact records a fact, which carries no Signs of Safety column",
        ),
        (
            "who_referred",
            _changed("who_referred", lens="fact"),
            ".maps",
            "lens: fact records a fact",
        ),
        (  # a date cannot judge
            "referral_date",
            _changed("referral_date", lens="practice"),
            ".lens",
            "a date answer records a fact and judges nothing",
        ),
        (  # "not known" is never a worry
            "early_help_offered",
            _changed(
                "early_help_offered",
                maps={"yes": "working_well", "no": "worried_about", "not_known": "worried_about"},
            ),
            ".maps.not_known",
            '"Not known" lands in no column: it is a gap in knowledge, never a worry',
        ),
        (
            "who_referred",
            _changed(
                "who_referred",
                does_not_apply=True,
                maps={
                    "school": "working_well",
                    "gp": "working_well",
                    "does_not_apply": "worried_about",
                },
            ),
            ".maps.does_not_apply",
            '"Does not apply to my agency" lands in no column',
        ),
        (  # the gap answers are offered by their keys
            "who_referred",
            _changed(
                "who_referred",
                options=[
                    {"value": "school", "label": "School"},
                    {"value": "not_known", "label": "Not known"},
                ],
                maps={"school": "working_well"},
            ),
            ".options[1].value",
            "'not_known' is reserved: give not_known: true",
        ),
        (  # only set answers can be "does not apply"
            "missed_opportunity",
            _changed("missed_opportunity", does_not_apply=True),
            ".does_not_apply",
            "a free_text question does not take 'does_not_apply'",
        ),
        (
            "services",
            _changed("services", not_known=True),
            ".not_known",
            "a multiple_choice question does not take 'not_known'",
        ),
        (  # a situation lands under a sub-heading, not a column
            "missed_opportunity",
            _changed("missed_opportunity", lens="situation"),
            ".column",
            "'worried_about' is a column: an answer about the child's situation lands under",
        ),
        (  # and a practice question in a column, not under a sub-heading
            "missed_opportunity",
            _changed("missed_opportunity", column="danger"),
            ".column",
            "'danger' is a sub-heading, for questions about the child's situation",
        ),
        (  # a situation grade on a scale that gives columns
            "confidence",
            _changed("confidence", lens="situation"),
            ".scale",
            "the scale 'confidence' places high, low in a column, not under a sub-heading",
        ),
        (  # descriptors for every grade
            "overall",
            _changed("overall", descriptors={"good": "Help in time.", "outstanding": "More."}),
            ".descriptors",
            "no descriptor for the grade(s): requires_improvement, inadequate",
        ),
        (
            "overall",
            _changed(
                "overall",
                descriptors={
                    "outstanding": "a",
                    "good": "b",
                    "requires_improvement": "c",
                    "inadequate": "d",
                    "brilliant": "e",
                },
            ),
            ".descriptors.brilliant",
            "'brilliant' is not a grade of the scale 'ofsted'",
        ),
        (  # the evidence question's id is taken
            "overall_evidence",
            _changed("days_waited", id="overall_evidence"),
            ".id",
            "the id 'overall_evidence' is already used at",
        ),
        (  # an unknown lens
            "who_referred",
            _changed("who_referred", lens="opinion"),
            ".lens",
            "'opinion' is not allowed here; use one of: practice, situation, fact",
        ),
    ],
)
def test_each_new_rule_refuses_naming_the_path(
    question_id: str, data: Any, where: str, message: str
) -> None:
    if where == ".id":
        _question(data, "overall")["evidence_strength"] = True
    found = errors_of(data)
    question_id = "days_waited" if where == ".id" else question_id
    assert any(p == _path(question_id) + where and message in m for p, m in found), found


def test_a_custom_scale_needs_a_descriptor_for_every_grade() -> None:
    data = example()
    del data["scales"][1]["levels"][1]["descriptor"]
    assert ("scales[1].levels[1]", "'descriptor' is missing") in errors_of(data)


def test_a_custom_scale_level_may_be_a_number_and_name_a_sub_heading() -> None:
    data = example()
    data["scales"][1]["levels"] = [
        {
            "value": str(n),
            "label": str(n),
            "column": "danger" if n < 7 else "safety",
            "descriptor": f"Score {n}.",
        }
        for n in range(11)
    ]
    _question(data, "confidence")["lens"] = "situation"
    assert errors_of(data) == []
    definition = tf.build(data)
    question = definition.question("confidence")
    kind = answer_type(question)
    assert kind.columns("3", question, definition.scales) == ["worried_about"]
    assert kind.sub_headings("3", question, definition.scales) == ["danger"]
    assert kind.sub_headings("8", question, definition.scales) == ["safety"]
    assert placement_label("danger") == "What are we worried about: Danger"


# --- What the answers do ---------------------------------------------------------------------


def _gapped() -> tf.AuditTemplateDefinition:
    data = example()
    _question(data, "early_help_offered")["does_not_apply"] = True
    _question(data, "who_referred").update(not_known=True, does_not_apply=True)
    _question(data, "overall").update(
        not_known=True,
        evidence_strength=True,
        descriptors={
            "outstanding": "Changed things for the child.",
            "good": "Help in time.",
            "requires_improvement": "Late or partial.",
            "inadequate": "Left at risk.",
        },
    )
    assert errors_of(data) == []
    return tf.build(data)


def test_not_known_and_does_not_apply_are_offered_and_land_in_no_column() -> None:
    definition = _gapped()
    for question_id, offered in (
        ("early_help_offered", ["yes", "no", "not_known", "does_not_apply"]),
        ("who_referred", ["school", "gp", "not_known", "does_not_apply"]),
        (
            "overall",
            ["outstanding", "good", "requires_improvement", "inadequate", "not_known"],
        ),
    ):
        question = definition.question(question_id)
        kind = answer_type(question)
        assert [c.value for c in kind.choices(question, definition.scales)] == offered
        for gap in ("not_known", "does_not_apply"):
            if gap in offered:
                assert kind.columns(gap, question, definition.scales) == []
                assert kind.gap(gap, question) == gap
                assert kind.validate(gap, question, definition.scales) is None
    question = definition.question("early_help_offered")
    result = answer_type(question).aggregate(
        ["yes", "no", "not_known", "does_not_apply", "not_known"], question, definition.scales
    )
    assert result.columns == {"working_well": 1, "worried_about": 1, "needs_to_happen": 0}
    assert result.gaps == {"not_known": 2, "does_not_apply": 1}


def test_facts_land_in_no_column() -> None:
    definition = tf.build(example())
    for question_id, value in (
        ("referral_date", "2021-02-03"),
        ("days_waited", 0),
        ("chronology", [{"date": "2020-01-01", "text": "Seen"}]),
    ):
        question = definition.question(question_id)
        assert question.is_fact
        assert answer_type(question).columns(value, question, definition.scales) == []


def test_a_grade_shows_its_descriptors_and_is_followed_by_its_evidence_strength() -> None:
    definition = _gapped()
    ids = [q.id for q in definition.questions]
    assert ids[ids.index("overall") + 1] == "overall_evidence"
    evidence = definition.question("overall_evidence")
    assert evidence.evidence_of == "overall" and evidence.is_fact and not evidence.required
    assert [c.value for c in definition.choices["overall_evidence"]] == ["strong", "some", "weak"]
    overall = definition.question("overall")
    kind = answer_type(overall)
    assert kind.descriptor("good", overall, definition.scales) == "Help in time."
    # Without its own, a grade shows its scale's: the built-in scales have them too.
    confidence = definition.question("confidence")
    assert kind.descriptor("low", confidence, definition.scales) == "The records disagree."
    plain = tf.build(example()).question("overall")
    assert "met the child's needs" in (kind.descriptor("good", plain, tf.BUILT_IN_SCALES) or "")
    for scale in tf.BUILT_IN_SCALES.values():
        assert all(level.descriptor for level in scale.levels), scale.id
        assert {level.column for level in scale.levels} <= set(COLUMNS)


# --- Found in review ---------------------------------------------------------------------------


def test_descriptors_on_a_grade_without_a_usable_scale_are_refused_not_a_crash() -> None:
    for scale in (None, 5, "nowhere"):
        data = _changed("overall", descriptors={"good": "Help in time."}, scale=scale)
        assert errors_of(data), scale  # refused, naming what is wrong; never an exception


@pytest.mark.parametrize(
    ("keys", "where", "message"),
    [
        ({"lens": "fact"}, ".lens", "a grade is a judgement: it cannot be a fact"),
        (  # a situation grade whose scale leaves some grades in plain columns
            {"lens": "situation", "maps": {"good": "safety"}},
            ".scale",
            "places outstanding, requires_improvement, inadequate in a column",
        ),
    ],
)
def test_a_grade_lands_where_its_lens_says(keys: dict[str, Any], where: str, message: str) -> None:
    found = errors_of(_changed("overall", **keys))
    assert any(p == _path("overall") + where and message in m for p, m in found), found


def test_a_practice_grade_cannot_use_a_scale_of_sub_headings() -> None:
    data = example()
    for level, heading in zip(data["scales"][1]["levels"], ("safety", "danger"), strict=True):
        level["column"] = heading
    found = errors_of(data)
    assert any(
        p == _path("confidence") + ".scale" and "under a sub-heading" in m for p, m in found
    ), found


def test_a_scale_level_cannot_be_a_gap_answer() -> None:
    data = example()
    data["scales"][1]["levels"][1]["value"] = "not_known"
    assert any(
        p == "scales[1].levels[1].value" and "'not_known' is reserved" in m
        for p, m in errors_of(data)
    )


def test_a_gap_lands_in_no_column_even_where_every_answer_has_one() -> None:
    data = _changed("who_referred", maps=None, column="working_well", not_known=True)
    assert errors_of(data) == []
    definition = tf.build(data)
    question = definition.question("who_referred")
    kind = answer_type(question)
    assert kind.columns("gp", question, definition.scales) == ["working_well"]
    assert kind.columns("not_known", question, definition.scales) == []
    assert kind.gap("not_known", question) == "not_known"


def test_the_evidence_question_is_asked_only_when_its_grade_is() -> None:
    data = _changed(
        "overall",
        evidence_strength=True,
        show_if={"question": "early_help_offered", "equals": "no"},
    )
    assert errors_of(data) == []
    evidence = tf.build(data).question("overall_evidence")
    assert evidence.show_if is not None and evidence.show_if.question == "early_help_offered"


def test_comparing_versions_reports_a_changed_descriptor_lens_or_gap() -> None:
    old = tf.build(example())
    data = example()
    data["scales"][1]["levels"][0]["descriptor"] = "Every record agrees, written at the time."
    _question(data, "who_referred")["not_known"] = True
    _question(data, "missed_opportunity").update(lens="situation", column="complicating_factors")
    changed = {after.id: what for _, after, what in tf.compare(old, tf.build(data)).changed}
    assert "the scale's grades" in changed["confidence"]
    assert "not_known" in changed["who_referred"]
    assert {"lens", "column"} <= set(changed["missed_opportunity"])
