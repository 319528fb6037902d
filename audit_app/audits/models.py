"""An audit and the agencies taking part (its panel is the panel memberships for it)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    and_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audit_app.accounts.models import Membership
from audit_app.core.models import IN_CLEAR, Base, Timestamped, enum_column
from audit_app.core.roles import Role

if TYPE_CHECKING:
    from audit_app.accounts.models import User
    from audit_app.agencies.models import Agency
    from audit_app.cohort.models import CohortMember
    from audit_app.questionnaires.models import AuditTemplateVersion


class AuditStatus(enum.Enum):
    DRAFT = "draft"
    COLLECTING = "collecting_returns"
    PANEL = "panel"
    ACTION_PLANNING = "action_planning"
    MONITORING = "monitoring"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return AUDIT_STATUS_LABELS[self]


AUDIT_STATUS_LABELS = {
    AuditStatus.DRAFT: "Draft",
    AuditStatus.COLLECTING: "Collecting returns",
    AuditStatus.PANEL: "Panel",
    AuditStatus.ACTION_PLANNING: "Action planning",
    AuditStatus.MONITORING: "Monitoring",
    AuditStatus.CLOSED: "Closed",
}


class Audit(Timestamped, Base):
    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    theme: Mapped[str] = mapped_column(String(300), default="")
    # The audit's own set-up describes the partnership's work, not a child: logged in clear.
    terms_of_reference: Mapped[str] = mapped_column(Text, default="", info=IN_CLEAR)
    question: Mapped[str] = mapped_column(Text, default="", info=IN_CLEAR)
    scope_criteria: Mapped[str] = mapped_column(Text, default="", info=IN_CLEAR)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    template_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("audit_template_version.id"), index=True
    )
    status: Mapped[AuditStatus] = mapped_column(enum_column(AuditStatus), default=AuditStatus.DRAFT)
    return_deadline: Mapped[date | None] = mapped_column(Date)
    panel_date: Mapped[date | None] = mapped_column(Date)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    identities_purged_at: Mapped[datetime | None] = mapped_column()
    returns_shared_at: Mapped[datetime | None] = mapped_column()
    """When the lead shared the returns with the panel (or the audit moved to the panel):
    from then on its members read every return, chronology, summary and evidence item."""
    returns_shared_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    template_version: Mapped[AuditTemplateVersion | None] = relationship()
    lead: Mapped[User | None] = relationship(foreign_keys=[lead_id])
    # Loaded when a page asks for them (``audits.lifecycle.load_audit`` for the pages that
    # show them), not with every audit.
    agencies: Mapped[list[AuditAgency]] = relationship(
        back_populates="audit", cascade="all, delete-orphan"
    )
    cohort: Mapped[list[CohortMember]] = relationship(
        back_populates="audit", order_by="CohortMember.position"
    )
    # The panel: the panel memberships for this audit (changed through audits.lifecycle).
    panel_members: Mapped[list[Membership]] = relationship(
        primaryjoin=lambda: and_(Membership.audit_id == Audit.id, Membership.role == Role.PANEL),
        foreign_keys=lambda: [Membership.audit_id],
        viewonly=True,
        order_by=lambda: Membership.id,
    )


class AuditAgency(Base):
    """An agency taking part in an audit, with its own lead contact and return deadline."""

    __tablename__ = "audit_agency"
    __table_args__ = (UniqueConstraint("audit_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    lead_contact: Mapped[str] = mapped_column(String(200), default="")
    lead_contact_email: Mapped[str | None] = mapped_column(String(320))
    # This agency's own deadline, empty unless the lead set one: the audit's applies
    # otherwise. Read ``effective_deadline``, never this column alone.
    return_deadline: Mapped[date | None] = mapped_column(Date)
    released_reference_fields: Mapped[list[Any]] = mapped_column(default=list)

    audit: Mapped[Audit] = relationship(back_populates="agencies")
    # Joined: a link is never shown without its agency's name.
    agency: Mapped[Agency] = relationship(lazy="joined", innerjoin=True)

    @property
    def effective_deadline(self) -> date | None:
        """The date this agency's returns are due: its own deadline if set, else the audit's."""
        return self.return_deadline or self.audit.return_deadline
