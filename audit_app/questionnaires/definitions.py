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


BUILT_IN_SCALES: dict[str, Scale] = {
    "ofsted": Scale(
        "ofsted",
        "Ofsted four-point scale",
        (
            ScaleLevel("outstanding", "Outstanding", "working_well"),
            ScaleLevel("good", "Good", "working_well"),
            ScaleLevel("requires_improvement", "Requires improvement", "worried_about"),
            ScaleLevel("inadequate", "Inadequate", "worried_about"),
        ),
    ),
    "rag": Scale(
        "rag",
        "Red, amber, green",
        (
            ScaleLevel("green", "Green", "working_well"),
            ScaleLevel("amber", "Amber", "worried_about"),
            ScaleLevel("red", "Red", "worried_about"),
        ),
    ),
    "sos_0_10": Scale(
        "sos_0_10",
        "Signs of Safety scale, 0 to 10",
        tuple(
            ScaleLevel(
                str(score), _sos_label(score), "working_well" if score >= 7 else "worried_about"
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
