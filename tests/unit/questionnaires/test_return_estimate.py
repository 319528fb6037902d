"""How long a return takes, by the stated rule (``template validate --summary``)."""

from __future__ import annotations

from audit_app.questionnaires.answer_types import estimate_return, estimated_minutes
from audit_app.questionnaires.definitions import (
    AuditTemplateDefinition,
    Condition,
    Question,
    Section,
)

SEEN = Question("seen", "yes_no_unknown", "Was the child seen?")
WHY_NOT = Question(
    "why_not", "free_text", "Why not?", show_if=Condition("seen", ("no",)), required=False
)
GRADE = Question("overall", "grade", "Overall", scale="ofsted", rationale="required")
EVENTS = Question("events", "dated_list", "Key events")
WHEN = Question("referred_on", "date", "Date of referral")


def test_a_minute_to_choose_four_to_write_and_four_for_a_reason() -> None:
    assert [estimated_minutes(q) for q in (SEEN, WHY_NOT, GRADE, EVENTS, WHEN)] == [1, 4, 5, 4, 1]


def test_a_return_counts_every_question_and_follow_up() -> None:
    definition = AuditTemplateDefinition(
        id="estimate",
        title="Estimate",
        version="1",
        purpose="",
        scales={},
        sections=(
            Section("One", None, (SEEN, WHY_NOT)),
            Section("Two", None, (GRADE, EVENTS, WHEN)),
        ),
        content_hash="x",
        content={},
    )
    estimate = estimate_return(definition)
    assert (estimate.questions, estimate.required, estimate.follow_ups) == (5, 4, 1)
    assert estimate.minutes == 15
