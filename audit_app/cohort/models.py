"""The population list, the draw, the sampled children and their identities held apart."""

from __future__ import annotations

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
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audit_app.core.models import FREE_TEXT, Base, utcnow

if TYPE_CHECKING:
    from audit_app.audits.models import Audit


class PopulationList(Base):
    """An uploaded eligible population (such as a ward's discharge list) and its column mapping.

    It names children, so it is held apart like their identities: only the audit lead sees
    it, the audit log keeps none of its contents, and the purge removes it.
    """

    __tablename__ = "population_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), index=True)
    filename: Mapped[str] = mapped_column(String(300))
    columns: Mapped[list[Any]] = mapped_column()
    rows: Mapped[list[Any]] = mapped_column(info={"audit": "redact"})
    # The spreadsheet's own row number of each row (blank rows in the file are skipped).
    row_numbers: Mapped[list[Any]] = mapped_column(default=list)
    mapping: Mapped[dict[str, Any] | None] = mapped_column(MutableDict.as_mutable(JSON()))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)


class CohortDraw(Base):
    """The record of a random draw, enough for anyone to re-run it and check it."""

    __tablename__ = "cohort_draw"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), index=True)
    method: Mapped[str] = mapped_column(String(100))
    seed: Mapped[str] = mapped_column(String(100))
    sample_size: Mapped[int] = mapped_column(Integer)
    population_size: Mapped[int] = mapped_column(Integer)
    population_fingerprint: Mapped[str] = mapped_column(String(64))
    population_list_id: Mapped[int | None] = mapped_column(ForeignKey("population_list.id"))
    filters: Mapped[list[Any]] = mapped_column(default=list)
    strata_column: Mapped[str | None] = mapped_column(String(300))
    allocation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")
    drawn_at: Mapped[datetime] = mapped_column(default=utcnow)
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)


class CohortMember(Base):
    """A sampled child, known everywhere by a pseudonymous code such as "Child A"."""

    __tablename__ = "cohort_member"
    __table_args__ = (UniqueConstraint("audit_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), index=True)
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("cohort_draw.id"))
    code: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    added_by_hand_reason: Mapped[str | None] = mapped_column(Text, info=FREE_TEXT)
    removed_at: Mapped[datetime | None] = mapped_column()
    removed_reason: Mapped[str | None] = mapped_column(Text, info=FREE_TEXT)

    audit: Mapped[Audit] = relationship(back_populates="cohort")
    identity: Mapped[ChildIdentity | None] = relationship(
        back_populates="member", cascade="all, delete-orphan", uselist=False
    )


class ChildIdentity(Base):
    """Who a cohort member really is. Only the audit lead sees it; purged after closure."""

    __tablename__ = "child_identity"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("cohort_member.id"), unique=True)
    local_id: Mapped[str] = mapped_column(String(100), info={"audit": "redact"})
    full_name: Mapped[str] = mapped_column(String(300), info={"audit": "redact"})
    date_of_birth: Mapped[date | None] = mapped_column(Date, info={"audit": "redact"})
    references: Mapped[dict[str, Any]] = mapped_column(default=dict, info={"audit": "redact"})

    member: Mapped[CohortMember] = relationship(back_populates="identity")
