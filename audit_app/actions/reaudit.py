"""A recommendation's re-audit: when and how it will be checked, the graded questions it
will compare, and, once a later audit is linked as the re-audit, the percentage good or
better on those questions then and now (no Flask)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from audit_app.audits.models import Audit
from audit_app.core.errors import DomainError
from audit_app.panel.models import Recommendation
from audit_app.panel.questions import (
    Comparison,
    aggregate_counted,
    good_or_better,
    is_graded,
    numbered,
    read_counted,
)
from audit_app.panel.reading import SHARED_STATUSES
from audit_app.questionnaires.definitions import Question
from audit_app.questionnaires.library import definition_of
from audit_app.questionnaires.models import AuditTemplateVersion

MAX_HOW = 2000
STALE = (
    "Someone else changed this recommendation's re-audit while you were editing it. What "
    "you typed has not been saved: it is shown below."
)


class ReauditConflict(DomainError):
    def __init__(self) -> None:
        super().__init__(STALE)


@dataclass(frozen=True)
class ReauditPlan:
    by: date | None
    how: str
    question_ids: list[str]
    audit_id: int | None


def graded_questions(audit: Audit) -> list[Question]:
    """The audit's graded questions, in the template's order (what a re-audit compares)."""
    if audit.template_version is None:
        return []
    definition = definition_of(audit.template_version)
    return [q for q in definition.questions if is_graded(q, definition.scales)]


def later_audits(session: Session, audit: Audit) -> list[Audit]:
    """Audits after this one on the same template (any version) whose returns reached the
    panel: the ones that can be linked as its re-audit (a demo audit's only with the demo's)."""
    version = audit.template_version
    if version is None:
        return []
    return list(
        session.scalars(
            select(Audit)
            .join(AuditTemplateVersion, AuditTemplateVersion.id == Audit.template_version_id)
            .where(
                AuditTemplateVersion.template_id == version.template_id,
                Audit.id != audit.id,
                Audit.is_demo == audit.is_demo,
                or_(
                    Audit.created_at > audit.created_at,
                    and_(Audit.created_at == audit.created_at, Audit.id > audit.id),
                ),
                or_(Audit.returns_shared_at.is_not(None), Audit.status.in_(SHARED_STATUSES)),
            )
            .order_by(Audit.created_at, Audit.id)
        )
    )


def save_plan(
    session: Session,
    recommendation: Recommendation,
    seen_version: int,
    plan: ReauditPlan,
) -> None:
    if recommendation.version != seen_version:
        raise ReauditConflict()
    how = plan.how.strip()
    if plan.by is None and not how and not plan.question_ids and plan.audit_id is None:
        raise DomainError(
            "Give the date of the re-audit, how it will check the recommendation, or the "
            "questions it compares",
            "by",
        )
    if len(how) > MAX_HOW:
        raise DomainError(f"How it will be checked must be {MAX_HOW:,} characters or fewer", "how")
    audit = recommendation.audit
    known = {q.id for q in graded_questions(audit)}
    unknown = [qid for qid in plan.question_ids if qid not in known]
    if unknown:
        raise DomainError("Choose questions from the list", "question_ids")
    if plan.audit_id is not None and plan.audit_id not in {
        a.id for a in later_audits(session, audit)
    }:
        raise DomainError("Choose a later audit from the list", "audit_id")
    if plan.audit_id is not None and not plan.question_ids:
        raise DomainError("Choose the questions the re-audit compares", "question_ids")
    if plan.by is not None and plan.by < audit.created_at.date():
        raise DomainError("The re-audit must be after this audit", "by")
    recommendation.re_audit_by = plan.by
    recommendation.re_audit_how = how
    recommendation.re_audit_question_ids = [q for q in plan.question_ids if q in known]
    recommendation.re_audit_audit_id = plan.audit_id
    session.flush()


def then_and_now(session: Session, recommendation: Recommendation) -> list[Comparison]:
    """Good or better on the linked questions in this audit (then) and in the re-audit
    (now): one statement for each audit. Empty until a re-audit is linked."""
    later = recommendation.re_audit
    audit = recommendation.audit
    if later is None or audit.template_version is None or later.template_version is None:
        return []
    then_definition = definition_of(audit.template_version)
    now_definition = definition_of(later.template_version)
    ids = list(recommendation.re_audit_question_ids or [])
    then_counted = read_counted(session, audit.id, then_definition, question_ids=ids)
    now_counted = read_counted(session, later.id, now_definition, question_ids=ids)
    numbers = numbered(then_definition)
    found = []
    for question_id in ids:
        then_q = then_definition.question(question_id)
        now_q = now_definition.question(question_id)
        if then_q is None or now_q is None:
            continue
        then = aggregate_counted(
            then_q, then_definition.scales, then_counted.overall.get(question_id, [])
        )
        now = aggregate_counted(
            now_q, now_definition.scales, now_counted.overall.get(question_id, [])
        )
        found.append(
            Comparison(then_q, numbers[question_id], good_or_better(then), good_or_better(now))
        )
    return found
