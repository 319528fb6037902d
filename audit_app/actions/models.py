"""The SMART action plan and its progress updates."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Date,
    ForeignKey,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audit_app.core.models import Base, Timestamped, enum_column, utcnow

if TYPE_CHECKING:
    from audit_app.accounts.models import User
    from audit_app.agencies.models import Agency
    from audit_app.panel.models import Recommendation


class RAGStatus(enum.Enum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    COMPLETE = "complete"

    @property
    def label(self) -> str:
        return {"red": "Red", "amber": "Amber", "green": "Green", "complete": "Complete"}[
            self.value
        ]


class Action(Timestamped, Base):
    """A SMART action: specific, measurable, owned, realistic, time-bound."""

    __tablename__ = "action"

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendation.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    success_measure: Mapped[str] = mapped_column(Text, default="")
    lead_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    owner_name: Mapped[str] = mapped_column(String(200), default="")
    target_date: Mapped[date | None] = mapped_column(Date)
    rag: Mapped[RAGStatus] = mapped_column(enum_column(RAGStatus), default=RAGStatus.AMBER)
    evidence_of_completion: Mapped[str] = mapped_column(Text, default="")
    evidence_of_impact: Mapped[str] = mapped_column(Text, default="")
    signed_off_at: Mapped[datetime | None] = mapped_column()
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    recommendation: Mapped[Recommendation] = relationship(back_populates="actions")
    lead_agency: Mapped[Agency | None] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    updates: Mapped[list[ActionUpdate]] = relationship(
        back_populates="action", order_by="ActionUpdate.written_at"
    )


class ActionUpdate(Base):
    __tablename__ = "action_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    written_at: Mapped[datetime] = mapped_column(default=utcnow)
    rag: Mapped[RAGStatus] = mapped_column(enum_column(RAGStatus))
    progress: Mapped[str] = mapped_column(Text)

    action: Mapped[Action] = relationship(back_populates="updates")
    author: Mapped[User | None] = relationship()
