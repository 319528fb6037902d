"""Each section's state on a return's task list, from the answers and the return's status."""

from __future__ import annotations

from audit_app.questionnaires.definitions import AuditTemplateDefinition, Question, Section
from audit_app.returns.answering import SectionState, section_progress
from audit_app.returns.models import ReturnStatus

DEFINITION = AuditTemplateDefinition(
    id="states",
    title="States",
    version="1",
    purpose="",
    scales={},
    sections=(
        Section("Required", None, (Question("seen", "free_text", "Was the child seen?"),)),
        Section(
            "Optional only",
            None,
            (Question("notes", "free_text", "Anything else?", required=False),),
        ),
    ),
    content_hash="x",
    content={},
)


def _states(status: ReturnStatus) -> list[SectionState]:
    return [progress.state for progress in section_progress(DEFINITION, {}, status)]


def test_a_return_of_no_involvement_answers_no_section() -> None:
    assert _states(ReturnStatus.NO_INVOLVEMENT) == [SectionState.NOT_ANSWERED] * 2


def test_a_section_of_optional_questions_left_blank_is_completed_once_sent() -> None:
    assert _states(ReturnStatus.SUBMITTED) == [SectionState.NOT_ANSWERED, SectionState.COMPLETED]
    assert _states(ReturnStatus.NOT_STARTED) == [SectionState.NOT_STARTED] * 2
