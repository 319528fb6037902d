"""The panel's evidence, themes, findings and recommendations."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audit_app.core.models import FREE_TEXT, Base, enum_column, utcnow
from audit_app.questionnaires.models import SignsOfSafetyColumn

if TYPE_CHECKING:
    from audit_app.actions.models import Action
    from audit_app.audits.models import Audit


class EvidenceKind(enum.Enum):
    PROFESSIONAL_INTERVIEW = "professional_interview"
    CHILD_VOICE = "child_voice"
    SURVEY = "survey"
    OTHER = "other"


class EvidenceItem(Base):
    """Targeted interviews and the voice of children and young people: counts and quotes."""

    __tablename__ = "evidence_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), index=True)
    kind: Mapped[EvidenceKind] = mapped_column(enum_column(EvidenceKind))
    source: Mapped[str] = mapped_column(String(300))
    column: Mapped[SignsOfSafetyColumn | None] = mapped_column(enum_column(SignsOfSafetyColumn))
    text: Mapped[str] = mapped_column(Text, info=FREE_TEXT)
    count: Mapped[int | None] = mapped_column(Integer)
    recorded_on: Mapped[date | None] = mapped_column(Date)


class Theme(Base):
    __tablename__ = "theme"
    __table_args__ = (UniqueConstraint("audit_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")


THEME_TAG_TARGETS = ("answer_id", "chronology_entry_id", "evidence_item_id")
"""What a theme tag may point at (exactly one of them)."""


class ThemeTag(Base):
    """A theme applied to one answer, chronology entry or evidence item."""

    __tablename__ = "theme_tag"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN answer_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN chronology_entry_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN evidence_item_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_target",
        ),
        # A theme tags each thing once. One unique index per kind of target, over the rows
        # that target it: a constraint over all three columns never fires, as two of them
        # are always NULL and NULLs are never equal.
        *(
            Index(
                f"uq_theme_tag_theme_id_{target}",
                "theme_id",
                target,
                unique=True,
                postgresql_where=text(f"{target} IS NOT NULL"),
                sqlite_where=text(f"{target} IS NOT NULL"),
            )
            for target in THEME_TAG_TARGETS
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id"), index=True)
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("answer.id"), index=True)
    chronology_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("chronology_entry.id"), index=True
    )
    evidence_item_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_item.id"), index=True)
    tagged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    tagged_at: Mapped[datetime] = mapped_column(default=utcnow)


class Finding(Base):
    __tablename__ = "finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), index=True)
    column: Mapped[SignsOfSafetyColumn] = mapped_column(enum_column(SignsOfSafetyColumn))
    text: Mapped[str] = mapped_column(Text)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)


class Recommendation(Base):
    __tablename__ = "recommendation"
    __table_args__ = (UniqueConstraint("audit_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id"))

    audit: Mapped[Audit] = relationship()
    actions: Mapped[list[Action]] = relationship(
        back_populates="recommendation", order_by="Action.id"
    )
