"""An agency's summary of its findings across the cohort, in the three Signs of Safety columns.

It starts from a draft built from the agency's own answers; each item of the draft links
back to the answer it came from. Saving is versioned like a return: a save based on an older
read is refused and the person's text is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.exc import StaleDataError

from audit_app.accounts.models import User
from audit_app.audits.models import Audit, AuditStatus
from audit_app.cohort.models import CohortMember
from audit_app.core.errors import DomainError
from audit_app.core.models import utcnow
from audit_app.questionnaires.answer_types import answer_type
from audit_app.questionnaires.library import definition_of
from audit_app.returns.answering import COLUMN_ORDER, is_shown
from audit_app.returns.models import AgencyReturn, AgencySummary, Answer, ReturnStatus


@dataclass
class SourceItem:
    """One answer behind the draft, and where to find it."""

    child: str
    question: str
    answer: str
    return_id: int
    section_number: int
    question_id: str

    @property
    def line(self) -> str:
        return f"{self.child}, {self.question} {self.answer}"


@dataclass
class SummaryDraft:
    items: dict[str, list[SourceItem]] = field(default_factory=dict)

    def text(self, column: str) -> str:
        return "\n".join(f"- {item.line}" for item in self.items.get(column, []))


class SummaryConflict(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "Someone else saved this summary while you were working on it, so your changes "
            "have not been saved. Your text is shown below: copy it, then add it to theirs."
        )


def summary_of(session: Session, audit: Audit, agency_id: int) -> AgencySummary | None:
    return session.scalar(
        select(AgencySummary).where(
            AgencySummary.audit_id == audit.id, AgencySummary.agency_id == agency_id
        )
    )


def draft_from_answers(session: Session, audit: Audit, agency_id: int) -> SummaryDraft:
    """The agency's answers across the cohort, under the columns they land in."""
    draft = SummaryDraft(items={column: [] for column in COLUMN_ORDER})
    if audit.template_version is None:
        return draft
    definition = definition_of(audit.template_version)
    returns = session.scalars(
        select(AgencyReturn)
        .join(CohortMember, CohortMember.id == AgencyReturn.member_id)
        .where(
            AgencyReturn.audit_id == audit.id,
            AgencyReturn.agency_id == agency_id,
            AgencyReturn.status != ReturnStatus.NO_INVOLVEMENT,
            CohortMember.removed_at.is_(None),
        )
        .options(joinedload(AgencyReturn.member))
        .order_by(CohortMember.position)
    ).all()
    answers: dict[int, dict[str, Answer]] = {r.id: {} for r in returns}
    if answers:
        for answer in session.scalars(select(Answer).where(Answer.return_id.in_(answers))):
            answers[answer.return_id][answer.question_id] = answer
    numbers = {
        question.id: index + 1
        for index, section in enumerate(definition.sections)
        for question in section.questions
    }
    for agency_return in returns:
        given = answers[agency_return.id]
        values = {qid: answer.value for qid, answer in given.items()}
        for question in definition.questions:
            answer = given.get(question.id)
            if answer is None or not is_shown(question, values, definition):
                continue
            handler = answer_type(question)
            for column in answer.columns or []:  # every column the answer lands in
                draft.items.setdefault(column, []).append(
                    SourceItem(
                        child=agency_return.member.code,
                        question=question.text,
                        answer=handler.summary(answer.value, question, definition.scales),
                        return_id=agency_return.id,
                        section_number=numbers[question.id],
                        question_id=question.id,
                    )
                )
    return draft


def save_summary(
    session: Session,
    audit: Audit,
    agency_id: int,
    seen_version: int | None,
    texts: dict[str, str],
    user: User,
    *,
    send: bool = False,
) -> AgencySummary:
    """Save the summary (and send it to the panel when ``send``)."""
    if audit.status not in (AuditStatus.COLLECTING, AuditStatus.PANEL):
        raise DomainError("Summaries can be written while returns are collected and at panel")
    summary = summary_of(session, audit, agency_id)
    if summary is None:
        if seen_version not in (None, 0):
            raise SummaryConflict()
        summary = AgencySummary(audit_id=audit.id, agency_id=agency_id)
        session.add(summary)
    elif summary.version != seen_version:
        raise SummaryConflict()
    elif summary.submitted_at is not None:
        raise DomainError("This summary has been sent to the panel, so it cannot be changed")
    summary.working_well = texts.get("working_well", "").strip()
    summary.worried_about = texts.get("worried_about", "").strip()
    summary.needs_to_happen = texts.get("needs_to_happen", "").strip()
    if send:
        if not any((summary.working_well, summary.worried_about, summary.needs_to_happen)):
            raise DomainError("Write the summary before sending it", field="working_well")
        summary.submitted_at = utcnow()
        summary.submitted_by_id = user.id
    summary.updated_at = utcnow()
    try:
        session.flush()
    except (StaleDataError, IntegrityError) as error:
        # IntegrityError: two people saved the first version at once (unique audit, agency).
        session.rollback()
        raise SummaryConflict() from error
    return summary
