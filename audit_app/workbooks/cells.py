"""Answers as cells and back, asking the answer-type registry; the one cell writer.

Answers are written as a reviewer would write them: labels, not internal values; dates as
DD/MM/YYYY; a dated list as one "DD/MM/YYYY: text" line per entry; several choices as labels
separated by "; ". User text that a spreadsheet could take for a formula is stored as text.
"""

from __future__ import annotations

from typing import Any

from audit_app.questionnaires.answer_types import (
    answer_type,
    normal_answer,
    plain_text,
    short,
    text_of,
)
from audit_app.questionnaires.definitions import AuditTemplateDefinition, Question
from audit_app.workbooks.layout import MAX_CELL_TEXT, Pair

# --- Answers as cells, and back ------------------------------------------------------------


def takes_reason(question: Question) -> bool:
    """Whether the question has a "Why this grade?" cell."""
    return answer_type(question).takes_reason(question)


def cell_value(question: Question, value: Any, definition: AuditTemplateDefinition) -> Any:
    """A stored answer as it is written in the Answer cell (None when not answered)."""
    return answer_type(question).to_cell(value, question, definition.scales)


def _too_long(cell: Any) -> bool:
    return isinstance(cell, str) and len(cell) > MAX_CELL_TEXT


_text_of = text_of
_short = short


def stored_value(question: Question, raw: Any, definition: AuditTemplateDefinition) -> Any:
    """What a cell says, as the answer is stored (None when blank).

    Raises :class:`CellError` (``_CellProblem``) saying what is wrong.
    """
    return answer_type(question).from_cell(raw, question, definition.scales)


def normal(question: Question | None, pair: Pair) -> tuple[Any, Any]:
    """An answer in a form that compares equal when a person would call it unchanged."""
    value, reason = pair
    return normal_answer(question, value), plain_text(reason) if reason else None


def _hint(question: Question, definition: AuditTemplateDefinition) -> str:
    kind = answer_type(question)
    how = kind.cell_hint(question, definition.scales)
    parts = [question.hint or "", how]
    described = [
        f"{choice.label}: {text}"
        for choice in kind.choices(question, definition.scales) or []
        if (text := kind.descriptor(choice.value, question, definition.scales))
    ]
    if described:
        parts.append("\nWhat each grade looks like:\n" + "\n".join(described) + "\n")
    if kind.needs_reason(question):
        parts.append("Say why you gave this grade in the 'Why this grade?' column.")
    elif takes_reason(question):
        parts.append("You can say why you gave this grade in the 'Why this grade?' column.")
    condition = definition.describe_condition(question)
    if condition:
        parts.append(condition + " Otherwise leave it blank.")
    if not question.required:
        parts.append("Optional.")
    return " ".join(part for part in parts if part)
