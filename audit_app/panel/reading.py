"""What every panel page reads first, with no Flask: whether the panel may read the
returns yet, and the audit's template, children and agencies, each in one statement."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.agencies.models import Agency
from audit_app.audits.models import Audit, AuditAgency, AuditStatus
from audit_app.cohort.models import CohortMember
from audit_app.questionnaires.definitions import AuditTemplateDefinition, Scale
from audit_app.questionnaires.library import definition_of

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
