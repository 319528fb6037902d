"""Agency returns: one per agency and child, their answers, chronology, urgent concerns,
the agency summaries and reminders."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audit_app.core.models import FREE_TEXT, Base, Timestamped, enum_column, utcnow
from audit_app.questionnaires.models import SignsOfSafetyColumn

if TYPE_CHECKING:
    from audit_app.agencies.models import Agency
    from audit_app.audits.models import Audit
    from audit_app.cohort.models import CohortMember


class Reminder(Base):
    """A reminder to an agency about its outstanding returns: emailed, or recorded only."""

    __tablename__ = "reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recipient: Mapped[str | None] = mapped_column(String(320))
    emailed: Mapped[bool] = mapped_column(Boolean, default=False)
    outstanding: Mapped[int] = mapped_column(Integer)


class ReturnStatus(enum.Enum):
    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned_for_amendment"
    NO_INVOLVEMENT = "no_involvement"

    @property
    def label(self) -> str:
        return RETURN_STATUS_LABELS[self]


RETURN_STATUS_LABELS = {
    ReturnStatus.NOT_STARTED: "Not started",
    ReturnStatus.DRAFT: "In progress",
    ReturnStatus.SUBMITTED: "Submitted",
    ReturnStatus.RETURNED: "Returned for amendment",
    ReturnStatus.NO_INVOLVEMENT: "No involvement",
}


class AgencyReturn(Timestamped, Base):
    """One agency's completed template for one child."""

    __tablename__ = "agency_return"
    __table_args__ = (UniqueConstraint("audit_id", "agency_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("cohort_member.id"), index=True)
    status: Mapped[ReturnStatus] = mapped_column(
        enum_column(ReturnStatus), default=ReturnStatus.NOT_STARTED
    )
    # Compared in the UPDATE itself so that a stale form can never overwrite a later save.
    version: Mapped[int] = mapped_column(Integer, default=0)
    no_involvement_reason: Mapped[str | None] = mapped_column(Text, info=FREE_TEXT)
    amendment_comment: Mapped[str | None] = mapped_column(Text, info=FREE_TEXT)
    submitted_at: Mapped[datetime | None] = mapped_column()
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    # SQLAlchemy puts "AND version = <the version read>" in every UPDATE and adds one: a save
    # based on an older read changes no row and is refused (see returns.save_section).
    __mapper_args__ = {"version_id_col": version}

    audit: Mapped[Audit] = relationship()
    agency: Mapped[Agency] = relationship()
    member: Mapped[CohortMember] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="agency_return", cascade="all, delete-orphan"
    )


class Answer(Base):
    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("return_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("agency_return.id"), index=True)
    question_id: Mapped[str] = mapped_column(String(100))
    value: Mapped[Any] = mapped_column(JSON, info=FREE_TEXT)
    column: Mapped[SignsOfSafetyColumn | None] = mapped_column(enum_column(SignsOfSafetyColumn))
    """The first of :attr:`columns`, for readers that need only one."""
    columns: Mapped[list[Any]] = mapped_column(default=list)
    """Every Signs of Safety column the answer lands in (their values, in the answer's
    order): a multiple choice answer can land in several. The answer-type registry fills it
    on every save, online and from a workbook."""
    rationale: Mapped[str | None] = mapped_column(Text, info=FREE_TEXT)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    agency_return: Mapped[AgencyReturn] = relationship(back_populates="answers")

    @property
    def column_list(self) -> list[SignsOfSafetyColumn]:
        """:attr:`columns` as the enum."""
        return [SignsOfSafetyColumn(value) for value in self.columns or []]


class ChronologyEntry(Base):
    """One dated involvement of an agency with a child, for the multi-agency chronology."""

    __tablename__ = "chronology_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("agency_return.id"), index=True)
    happened_on: Mapped[date] = mapped_column(Date)
    what_happened: Mapped[str] = mapped_column(Text, info=FREE_TEXT)
    agency_response: Mapped[str] = mapped_column(Text, default="", info=FREE_TEXT)
    missed_opportunity: Mapped[bool] = mapped_column(Boolean, default=False)


class AgencySummary(Timestamped, Base):
    """An agency's findings across the cohort, in the three Signs of Safety columns."""

    __tablename__ = "agency_summary"
    __table_args__ = (UniqueConstraint("audit_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    submitted_at: Mapped[datetime | None] = mapped_column()
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    __mapper_args__ = {"version_id_col": version}

    items: Mapped[list[SummaryItem]] = relationship(
        back_populates="summary",
        cascade="all, delete-orphan",
        order_by="SummaryItem.position",
    )


class SummaryItem(Base):
    """One finding in an agency summary: its Signs of Safety column, its words, and the
    answers it came from (the panel tags and counts items, so each has an id)."""

    __tablename__ = "summary_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    summary_id: Mapped[int] = mapped_column(ForeignKey("agency_summary.id"), index=True)
    column: Mapped[SignsOfSafetyColumn] = mapped_column(enum_column(SignsOfSafetyColumn))
    position: Mapped[int] = mapped_column(Integer, default=0)
    """Its place in its column, from 0."""
    text: Mapped[str] = mapped_column(Text, info=FREE_TEXT)
    answer_ids: Mapped[list[Any]] = mapped_column(default=list)
    """The ids of the answers the item came from (empty for an item the agency wrote
    itself). An answer cleared later leaves its id here; readers skip ids not found."""

    summary: Mapped[AgencySummary] = relationship(back_populates="items")


class UrgentConcern(Base):
    """A reviewer's flag that a child may be at risk now; the audit lead sees it at once, and
    records what was done about it and by whom when it has been dealt with."""

    __tablename__ = "urgent_concern"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("agency_return.id"), index=True)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    details: Mapped[str] = mapped_column(Text, info=FREE_TEXT)
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    """When the concern was marked as dealt with (empty while it is open)."""
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    """Who marked it as dealt with: the signed-in audit lead."""
    action_taken: Mapped[str | None] = mapped_column(Text, info=FREE_TEXT)
    """What was done about the concern, in the audit lead's words."""
    dealt_with_by: Mapped[str | None] = mapped_column(Text, info=FREE_TEXT)
    """Who did it, as the audit lead names them (a person or a team, perhaps in another
    agency); the audit lead's own name unless they say otherwise."""
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Moves on with each change: two leads marking it dealt with at once cannot both."""

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_dealt_with(self) -> bool:
        return self.acknowledged_at is not None
