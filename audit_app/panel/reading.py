"""What every panel page reads first, with no Flask: whether the panel may read the
returns yet, and the audit's template, children and agencies, each in one statement."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Text, and_, cast, exists, false, or_, select, true
from sqlalchemy.orm import Session, aliased

from audit_app.agencies.models import Agency
from audit_app.audits.models import Audit, AuditAgency, AuditStatus
from audit_app.cohort.models import CohortMember
from audit_app.questionnaires.definitions import AuditTemplateDefinition, Question, Scale
from audit_app.questionnaires.library import definition_of
from audit_app.returns.models import Answer

SHARED_STATUSES = frozenset(
    {AuditStatus.PANEL, AuditStatus.ACTION_PLANNING, AuditStatus.MONITORING, AuditStatus.CLOSED}
)


def is_shared(audit: Audit) -> bool:
    """Whether the panel may read the audit's returns: the lead shared them, or the audit
    has reached the panel."""
    return audit.returns_shared_at is not None or audit.status in SHARED_STATUSES


@dataclass(frozen=True)
class PanelAudit:
    """An audit as the panel's pages read it."""

    audit: Audit
    definition: AuditTemplateDefinition | None
    members: list[CohortMember]
    """The children in the cohort now (not those taken out), in cohort order."""
    agencies: list[Agency]
    """The agencies taking part, by name."""

    @property
    def scales(self) -> dict[str, Scale]:
        return self.definition.scales if self.definition else {}

    @property
    def member_ids(self) -> list[int]:
        return [member.id for member in self.members]

    def member(self, member_id: int) -> CohortMember | None:
        return next((m for m in self.members if m.id == member_id), None)

    def agency(self, agency_id: int) -> Agency | None:
        return next((a for a in self.agencies if a.id == agency_id), None)


def read_panel_audit(session: Session, audit: Audit) -> PanelAudit:
    """The audit's template, current children and agencies (two statements, and the
    template version once)."""
    definition = definition_of(audit.template_version) if audit.template_version else None
    members = list(
        session.scalars(
            select(CohortMember)
            .where(CohortMember.audit_id == audit.id, CohortMember.removed_at.is_(None))
            .order_by(CohortMember.position)
        )
    )
    agencies = list(
        session.scalars(
            select(Agency)
            .join(AuditAgency, AuditAgency.agency_id == Agency.id)
            .where(AuditAgency.audit_id == audit.id)
            .order_by(Agency.name)
        )
    )
    return PanelAudit(audit, definition, members, agencies)


# --- Answers to questions the return asks -----------------------------------------------------

MAX_CONDITION_DEPTH = 10
"""How many follow-ups deep a chain of conditions is followed (a template's are two or three)."""


def asked_answers(definition: AuditTemplateDefinition | None) -> ColumnElement[bool]:
    """The answers that are part of their return as sent: an answer to a follow-up kept from
    before its condition stopped being met (the reviewer changed the answer it follows, and
    the return keeps what was typed in case they change it back) is not asked, so the panel
    leaves it out, as the return's own pages do (``is_shown``). One SQL condition on
    :class:`Answer`, for every panel query of answers."""
    if definition is None:
        return true()
    found = _ASKED.get(definition.content_hash)
    if found is None:
        found = _asked_condition(definition)
        if len(_ASKED) >= _ASKED_KEPT:
            _ASKED.pop(next(iter(_ASKED)))
        _ASKED[definition.content_hash] = found
    return found


_ASKED: dict[str, ColumnElement[bool]] = {}
"""The condition of each template version lately asked for, by its content hash: building it
costs more than a page's query (a SQL expression never changes, so it can be used again)."""
_ASKED_KEPT = 16


def _asked_condition(definition: AuditTemplateDefinition) -> ColumnElement[bool]:
    conditional = [q for q in definition.questions if q.show_if is not None]
    if not conditional:
        return true()
    return or_(
        Answer.question_id.not_in([q.id for q in conditional]),
        *(
            and_(Answer.question_id == q.id, _condition_met(definition, q, Answer.return_id, 0))
            for q in conditional
        ),
    )


def _condition_met(
    definition: AuditTemplateDefinition, question: Question, return_id: object, depth: int
) -> ColumnElement[bool]:
    """Whether the same return's answer to the question ``question`` follows has one of the
    values its condition names (a chosen value, or one of a list's), that question itself
    being asked."""
    condition = question.show_if
    assert condition is not None
    followed = definition.question(condition.question)
    if followed is None or depth > MAX_CONDITION_DEPTH:
        return false()
    other = aliased(Answer)
    stored = cast(other.value, Text)  # the JSON as stored: "yes", 7 or ["a", "b"]
    matches = [stored.in_([json.dumps(value) for value in condition.values])]
    matches += [stored.in_([value for value in condition.values if value.isdigit()])]
    matches += [
        and_(stored.startswith("["), stored.contains(json.dumps(value), autoescape=True))
        for value in condition.values
    ]
    met = exists().where(
        other.return_id == return_id, other.question_id == followed.id, or_(*matches)
    )
    if followed.show_if is not None:
        met = and_(met, _condition_met(definition, followed, return_id, depth + 1))
    return met
