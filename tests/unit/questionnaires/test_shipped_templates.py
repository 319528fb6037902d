"""The three shipped templates, version 2.0: short enough to finish for every agency sector,
judgements apart from facts, gaps apart from worries, grades with descriptors, and each
documented in docs/templates/ (issue 10)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from audit_app.questionnaires import template_format as tf
from audit_app.questionnaires.answer_types import answer_type, estimate_return
from audit_app.questionnaires.definitions import GAP_LABELS, AuditTemplateDefinition
from audit_app.questionnaires.library import SHIPPED_TEMPLATES

DOCS = Path(__file__).resolve().parents[3] / "docs" / "templates"
KEYS = ("children-in-crisis", "signs-of-safety-macfa", "youth-justice-ecm")
MOST_MINUTES = 90
"""The goal: no agency sector's return above 90 minutes a child."""


@cache
def shipped(key: str) -> AuditTemplateDefinition:
    path = SHIPPED_TEMPLATES / f"{key}.yaml"
    return tf.parse(path.read_bytes(), path.name)


def test_every_shipped_template_is_version_2() -> None:
    assert sorted(path.stem for path in SHIPPED_TEMPLATES.glob("*.yaml")) == sorted(KEYS)
    for key in KEYS:
        assert shipped(key).version == "2.0", key


@pytest.mark.parametrize("sector", tf.SECTORS)
@pytest.mark.parametrize("key", KEYS)
def test_no_sectors_return_is_estimated_above_90_minutes_a_child(key: str, sector: str) -> None:
    estimate = estimate_return(shipped(key).for_sector(sector))
    assert 0 < estimate.minutes <= MOST_MINUTES, (key, sector, estimate)


@pytest.mark.parametrize("key", KEYS)
def test_a_core_every_agency_answers_and_modules_for_the_sectors_that_hold_the_answer(
    key: str,
) -> None:
    definition = shipped(key)
    core = [
        q
        for section in definition.sections
        if not section.asked_of
        for q in section.questions
        if not q.asked_of and q.show_if is None and q.evidence_of is None
    ]
    assert 12 <= len(core) <= 30, [q.id for q in core]
    targeted = [s for s in definition.sections if s.asked_of] + [
        q for q in definition.questions if q.asked_of
    ]
    assert len(targeted) >= 5
    # A GP and CAMHS are asked different things.
    gp = {q.id for q in definition.for_sector("primary_care").questions}
    camhs = {q.id for q in definition.for_sector("mental_health").questions}
    assert gp != camhs


@pytest.mark.parametrize("key", KEYS)
def test_judgements_facts_and_gaps_are_kept_apart(key: str) -> None:
    definition = shipped(key)
    lenses = {q.lens for q in definition.questions}
    assert lenses == {"practice", "situation", "fact"}, lenses
    for question in definition.questions:
        kind = answer_type(question)
        assert not (set(question.maps) & set(GAP_LABELS)), question.id
        if question.is_fact:
            assert not question.column and not question.maps, question.id
        for choice in kind.choices(question, definition.scales) or []:
            if kind.gap(choice.value, question):
                assert kind.columns(choice.value, question, definition.scales) == []
    # The child's own words are a text box, as said, not a yes or no.
    words = [
        q
        for q in definition.questions
        if q.type == "free_text" and q.is_fact and "words" in q.text.lower()
    ]
    assert words, "no text box for someone's own words"
    # Identity and equality as structured answers.
    identity = [q for q in definition.questions if q.is_fact and "ethnic" in q.text.lower()]
    assert identity and all(q.type == "single_choice" for q in identity)


@pytest.mark.parametrize("key", KEYS)
def test_every_overall_grade_says_what_each_grade_looks_like(key: str) -> None:
    definition = shipped(key)
    grades = [q for q in definition.questions if q.type == "grade"]
    assert grades
    for question in grades:
        kind = answer_type(question)
        for choice in kind.choices(question, definition.scales) or []:
            if kind.gap(choice.value, question) is None:
                assert kind.descriptor(choice.value, question, definition.scales), (
                    question.id,
                    choice.value,
                )
    overall = [q for q in grades if q.rationale == "required"]
    assert overall, "no overall grade with a required reason"
    for question in overall:
        assert question.descriptors, question.id  # its own, not the scale's general ones
        assert definition.question(f"{question.id}_evidence") is not None


@pytest.mark.parametrize("key", KEYS)
def test_each_template_is_documented(key: str) -> None:
    doc = (DOCS / f"{key}.md").read_text()
    definition = shipped(key)
    assert definition.title in doc and "version 2.0" in doc
    for section in definition.sections:
        assert section.title in doc, section.title


def test_every_seed_finding_maps_to_questions_the_children_in_crisis_template_asks() -> None:
    doc = (DOCS / "children-in-crisis.md").read_text()
    part = doc.split("## From the seed audit's findings to the questions", 1)[1].split("\n## ")[0]
    rows = [line for line in part.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) >= 20
    ids = {q.id for q in shipped("children-in-crisis").questions}
    named = set(re.findall(r"`([a-z][a-z0-9_]*)`", part))
    assert named and named <= ids, sorted(named - ids)


@pytest.mark.parametrize("key", KEYS)
def test_a_yes_to_acting_now_takes_the_reviewer_to_raise_an_urgent_concern(key: str) -> None:
    question = shipped(key).question("escalation_needed")
    assert question is not None and question.urgent_if == ("yes",)
    # Never "not known": something that may need acting on today is not a mere gap.
    assert [c.value for c in shipped(key).choices["escalation_needed"]] == ["yes", "no"]
