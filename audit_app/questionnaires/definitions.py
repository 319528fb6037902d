"""An audit template as plain data: scales, choices, questions, sections, the template.

These are what :mod:`audit_app.questionnaires.template_format` builds from a validated YAML
file, and what every area reads. This module imports nothing from the rest of the service
(the standard library only), so anything can import it; what each answer type does with a
question lives in :mod:`audit_app.questionnaires.answer_types`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

# --- The three Signs of Safety columns ----------------------------------------------------

COLUMNS = ("working_well", "worried_about", "needs_to_happen")

COLUMN_LABELS = {
    "working_well": "What's working well",
    "worried_about": "What are we worried about",
    "needs_to_happen": "What needs to happen",
}


SUB_HEADINGS: dict[str, str] = {
    "harm": "worried_about",
    "danger": "worried_about",
    "complicating_factors": "worried_about",
    "strengths": "working_well",
    "safety": "working_well",
    "goals": "needs_to_happen",
    "next_steps": "needs_to_happen",
}
"""The Signs of Safety sub-headings inside each column, for questions about the child's
situation (``lens: situation``), each with the column it sits in."""

SUB_HEADING_LABELS = {
    "harm": "Harm",
    "danger": "Danger",
    "complicating_factors": "Complicating factors",
    "strengths": "Strengths",
    "safety": "Safety",
    "goals": "Goals",
    "next_steps": "Next steps",
}

LENSES = ("practice", "situation", "fact")
"""What a question judges: the quality of practice, the child's situation, or nothing (it
records a fact: a date, a number, a chronology, identity, someone's own words)."""

NOT_KNOWN = "not_known"
DOES_NOT_APPLY = "does_not_apply"
GAP_LABELS = {NOT_KNOWN: "Not known", DOES_NOT_APPLY: "Does not apply to my agency"}
"""Answers that land in no column: a gap in knowledge, and an agency with nothing to say."""


def column_of(placement: str) -> str:
    """The column a placement (a column, or a sub-heading inside one) is in."""
    return SUB_HEADINGS.get(placement, placement)


def placement_label(placement: str) -> str:
    """A column, or a sub-heading with its column, in words."""
    column = column_of(placement)
    label = COLUMN_LABELS.get(column, placement)
    if placement in SUB_HEADING_LABELS:
        return f"{label}: {SUB_HEADING_LABELS[placement]}"
    return label


LENS_LABELS = {
    "practice": "The quality of the agency's practice",
    "situation": "The child's situation",
    "fact": "Nothing: it records a fact, in no column",
}


class SignsOfSafetyColumn(enum.Enum):
    WORKING_WELL = "working_well"
    WORRIED_ABOUT = "worried_about"
    NEEDS_TO_HAPPEN = "needs_to_happen"

    @property
    def label(self) -> str:
        return COLUMN_LABELS[self.value]


# --- Scales and choices --------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class ScaleLevel:
    value: str
    label: str
    column: str
    """The column, or a sub-heading inside one, the grade lands in."""
    descriptor: str | None = None
    """What this grade looks like, shown to reviewers beside it."""


@dataclass(frozen=True)
class Scale:
    id: str
    title: str
    levels: tuple[ScaleLevel, ...]


def _sos_label(score: int) -> str:
    if score == 0:
        return "0: the child is certain to be harmed"
    if score == 10:
        return "10: everyone agrees the child is safe enough to close the case"
    return str(score)


def _sos_descriptor(score: int) -> str:
    if score == 0:
        return "The child is certain to be harmed, or harmed again, if nothing changes."
    if score < 7:
        return (
            "Not yet safe enough: the worries outweigh what keeps the child safe "
            "(0 to 6 count as what we are worried about)."
        )
    if score < 10:
        return (
            "Safe enough for now, with the safety in place: 7 to 10 count as what is working well."
        )
    return "Everyone agrees the child is safe enough for the agencies to step back."


BUILT_IN_SCALES: dict[str, Scale] = {
    "ofsted": Scale(
        "ofsted",
        "Ofsted four-point scale",
        (
            ScaleLevel(
                "outstanding",
                "Outstanding",
                "working_well",
                "Practice is consistently strong and made a real, lasting difference to the "
                "child, beyond what was expected.",
            ),
            ScaleLevel(
                "good",
                "Good",
                "working_well",
                "Practice met the child's needs: timely, purposeful, recorded, with the child's "
                "experience at its centre.",
            ),
            ScaleLevel(
                "requires_improvement",
                "Requires improvement",
                "worried_about",
                "Not yet good: some needs were met, but gaps or delays remain; none left the "
                "child unsafe.",
            ),
            ScaleLevel(
                "inadequate",
                "Inadequate",
                "worried_about",
                "Practice left the child at risk of harm or without help they needed: serious "
                "gaps, delays or failures.",
            ),
        ),
    ),
    "rag": Scale(
        "rag",
        "Red, amber, green",
        (
            ScaleLevel("green", "Green", "working_well", "Done well and in time."),
            ScaleLevel(
                "amber", "Amber", "worried_about", "Partly done, or done late: it needs to improve."
            ),
            ScaleLevel(
                "red",
                "Red",
                "worried_about",
                "Not done, or done so late or poorly that the child was left at risk.",
            ),
        ),
    ),
    "sos_0_10": Scale(
        "sos_0_10",
        "Signs of Safety scale, 0 to 10",
        tuple(
            ScaleLevel(
                str(score),
                _sos_label(score),
                "working_well" if score >= 7 else "worried_about",
                _sos_descriptor(score),
            )
            for score in range(11)
        ),
    ),
}


# --- Questions, sections, the template ------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """``show_if``: ask the question only when an earlier one has one of these answers."""

    question: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    text: str
    hint: str | None = None
    required: bool = True
    column: str | None = None
    maps: dict[str, str] = field(default_factory=dict)
    options: tuple[Choice, ...] = ()
    scale: str | None = None
    rationale: str = "none"
    themes: tuple[str, ...] = ()
    show_if: Condition | None = None
    min: int | None = None
    max: int | None = None
    unit: str | None = None
    asked_of: tuple[str, ...] = ()
    """The agency sectors the question is asked of (``asked_of``); empty: every sector."""
    lens: str = "practice"
    """What the answer judges (one of :data:`LENSES`): a fact carries no column."""
    not_known: bool = False
    """Whether a "Not known" answer is offered (yes/no questions always offer it)."""
    does_not_apply: bool = False
    """Whether a "Does not apply to my agency" answer is offered."""
    descriptors: dict[str, str] = field(default_factory=dict)
    """What each grade looks like for this question, by level (over the scale's own)."""
    evidence_of: str | None = None
    """For the evidence-strength question added after a grade: that grade's id."""
    urgent_if: tuple[str, ...] = ()
    """Answers that mean the child may need protecting now: the reviewer who gives one is
    taken to raise an urgent concern (``urgent_if``)."""

    @property
    def is_fact(self) -> bool:
        return self.lens == "fact"


@dataclass(frozen=True)
class Section:
    title: str
    guidance: str | None
    questions: tuple[Question, ...]
    asked_of: tuple[str, ...] = ()
    """The agency sectors the section is asked of; empty: every sector."""


def is_asked_of(asked_of: tuple[str, ...], sector: str) -> bool:
    return not asked_of or sector in asked_of


@dataclass(frozen=True)
class AuditTemplateDefinition:
    id: str
    title: str
    version: str
    purpose: str
    scales: dict[str, Scale]
    sections: tuple[Section, ...]
    content_hash: str
    content: dict[str, Any]
    choices: dict[str, tuple[Choice, ...]] = field(default_factory=dict)
    """The possible answers of each question that has set answers, by question id (filled
    from the answer-type registry when the template is built)."""

    @property
    def questions(self) -> list[Question]:
        return [q for section in self.sections for q in section.questions]

    @cached_property
    def targets_sectors(self) -> bool:
        """Whether any section or question is asked of some agency sectors only (worked out
        once: a definition never changes)."""
        return any(
            section.asked_of or any(q.asked_of for q in section.questions)
            for section in self.sections
        )

    def for_sector(self, sector: str) -> AuditTemplateDefinition:
        """The template as an agency of ``sector`` sees it: only the sections and questions
        asked of that sector (a section left with no question goes too). The same template
        otherwise (its id, version and content hash), so a return's answers still belong
        to it."""
        if not self.targets_sectors:
            return self
        key = (self.content_hash, sector)
        found = _BY_SECTOR.get(key)
        if found is None:
            sections = []
            for section in self.sections:
                if not is_asked_of(section.asked_of, sector):
                    continue
                asked = tuple(q for q in section.questions if is_asked_of(q.asked_of, sector))
                if asked:
                    sections.append(replace(section, questions=asked))
            found = replace(self, sections=tuple(sections))
            _BY_SECTOR[key] = found
        return found

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def describe_condition(self, question: Question) -> str | None:
        """When a conditional question is asked, in words."""
        if question.show_if is None:
            return None
        target = self.question(question.show_if.question)
        if target is None:
            return None
        labels = {c.value: c.label for c in self.choices.get(target.id, ())}
        answers = " or ".join(f'"{labels.get(v, v)}"' for v in question.show_if.values)
        return f'Only asked when the answer to "{target.text}" is {answers}.'


_BY_SECTOR: dict[tuple[str, str], AuditTemplateDefinition] = {}
"""Each template as each sector sees it, built once (templates never change: a changed
file is a new version with its own content hash)."""
