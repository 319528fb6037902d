"""The SMART action plan: actions, the history of their states, and progress updates.

Nothing here stores what can be derived: an action's RAG comes from its state, target date
and latest update (``rag.rag_of``), and whether it is complete from its state.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audit_app.actions.rag import Rag, UpdateStatus, rag_of
from audit_app.actions.smart import Priority
from audit_app.actions.states import ActionState, Effectiveness
from audit_app.core.models import FREE_TEXT, Base, Timestamped, enum_column, utcnow

if TYPE_CHECKING:
    from audit_app.accounts.models import User
    from audit_app.agencies.models import Agency
    from audit_app.audits.models import Audit
    from audit_app.panel.models import Recommendation

__all__ = [
    "Action",
    "ActionEvent",
    "ActionEvidenceFile",
    "ActionReminder",
    "ActionState",
    "ActionUpdate",
    "Effectiveness",
    "Priority",
    "Rag",
    "ReminderKind",
    "UpdateStatus",
]


class Action(Timestamped, Base):
    """A SMART action from a recommendation: what will be done, how we will know it made a
    difference to children, who leads and owns it, by when."""

    __tablename__ = "action"
    __table_args__ = (
        # One owner: a person with an account, or someone to invite (a name and an address).
        CheckConstraint(
            "owner_id IS NULL OR (invitee_name = '' AND invitee_email = '')",
            name="one_owner",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), index=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendation.id"), index=True)
    description: Mapped[str] = mapped_column(Text, info=FREE_TEXT)
    """What will be done (one action, starting with a verb)."""
    success_measure: Mapped[str] = mapped_column(Text, default="", info=FREE_TEXT)
    lead_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    invitee_name: Mapped[str] = mapped_column(String(200), default="")
    invitee_email: Mapped[str] = mapped_column(String(320), default="")
    start_date: Mapped[date | None] = mapped_column(Date)
    target_date: Mapped[date | None] = mapped_column(Date)
    priority: Mapped[Priority] = mapped_column(enum_column(Priority), default=Priority.MEDIUM)
    state: Mapped[ActionState] = mapped_column(
        enum_column(ActionState), default=ActionState.DRAFT, index=True
    )
    smart_override_reason: Mapped[str] = mapped_column(Text, default="", info=FREE_TEXT)
    """Why the wording the SMART check warned about was kept."""
    smart_warnings: Mapped[list[Any]] = mapped_column(default=list)
    """The warnings kept with that reason (each ``{"rule", "message"}``)."""
    evidence_of_completion: Mapped[str] = mapped_column(Text, default="", info=FREE_TEXT)
    effectiveness: Mapped[Effectiveness | None] = mapped_column(enum_column(Effectiveness))
    evidence_of_impact: Mapped[str] = mapped_column(Text, default="", info=FREE_TEXT)
    re_audit_on: Mapped[date | None] = mapped_column(Date)
    """The re-audit that will measure the impact, when there is no evidence of it yet."""
    signed_off_at: Mapped[datetime | None] = mapped_column()
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    audit: Mapped[Audit] = relationship()
    recommendation: Mapped[Recommendation] = relationship(back_populates="actions")
    lead_agency: Mapped[Agency | None] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    signed_off_by: Mapped[User | None] = relationship(foreign_keys=[signed_off_by_id])
    updates: Mapped[list[ActionUpdate]] = relationship(
        back_populates="action", order_by="(ActionUpdate.written_at, ActionUpdate.id)"
    )
    events: Mapped[list[ActionEvent]] = relationship(
        back_populates="action", order_by="(ActionEvent.at, ActionEvent.id)"
    )

    @property
    def owner_words(self) -> str:
        """The owner as a page names them: the person, or the invitee."""
        if self.owner is not None:
            return self.owner.full_name
        if self.invitee_name:
            return f"{self.invitee_name} (invited)"
        return "No owner"

    @property
    def opened_on(self) -> date | None:
        """When it was first opened (from its history); None while a draft."""
        opened = [event.at for event in self.events if event.to_state is ActionState.OPEN]
        return min(opened).date() if opened else None

    @property
    def ended_on(self) -> date | None:
        """When it was closed or cancelled (its last move); None while it is live."""
        if self.state not in (ActionState.CLOSED, ActionState.CANCELLED) or not self.events:
            return None
        return max(event.at for event in self.events).date()

    def latest_status(self) -> UpdateStatus | None:
        return self.updates[-1].status if self.updates else None

    def rag(self, today: date) -> Rag | None:
        """The RAG by the written rule (``rag.RAG_RULE``)."""
        return rag_of(self.state, self.target_date, self.latest_status(), today)


class ActionEvent(Base):
    """A move of an action from one state to another (append-only): who, when, why."""

    __tablename__ = "action_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    from_state: Mapped[ActionState | None] = mapped_column(
        enum_column(ActionState, name="from_actionstate")
    )
    to_state: Mapped[ActionState] = mapped_column(enum_column(ActionState))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(Text, default="", info=FREE_TEXT)

    action: Mapped[Action] = relationship(back_populates="events")
    by: Mapped[User | None] = relationship()


class ActionUpdate(Base):
    """A dated progress update by the owner or the subgroup (append-only)."""

    __tablename__ = "action_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    written_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[UpdateStatus] = mapped_column(enum_column(UpdateStatus))
    progress: Mapped[str] = mapped_column(Text, info=FREE_TEXT)
    """What was done."""

    action: Mapped[Action] = relationship(back_populates="updates")
    author: Mapped[User | None] = relationship()
    files: Mapped[list[ActionEvidenceFile]] = relationship(
        back_populates="update", order_by="ActionEvidenceFile.id"
    )


class ActionEvidenceFile(Base):
    """A file sent with a progress update as evidence (kept in the evidence folder under its
    SHA-256, never executed, always downloaded as an attachment)."""

    __tablename__ = "action_evidence_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("action_update.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    """The file's name as shown (made safe; its extension the one its content has)."""
    kind: Mapped[str] = mapped_column(String(10))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    update: Mapped[ActionUpdate] = relationship(back_populates="files")


class ReminderKind(enum.Enum):
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return {"due_soon": "Due soon", "overdue": "Overdue"}[self.value]


class ActionReminder(Base):
    """A reminder about an action to its owner (``audit-app actions remind``): emailed when
    email is set up, recorded either way so that it is not sent twice."""

    __tablename__ = "action_reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    kind: Mapped[ReminderKind] = mapped_column(enum_column(ReminderKind))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    recipient: Mapped[str] = mapped_column(String(320))
    emailed: Mapped[bool] = mapped_column(default=False)
