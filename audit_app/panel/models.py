"""The panel's work on an audit: the evidence beyond the case files, themes and their tags,
the agreed grade for each child, key findings, numbered recommendations and the record of
the panel's meetings."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
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
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from audit_app.core.models import FREE_TEXT, IN_CLEAR, Base, Timestamped, enum_column, utcnow
from audit_app.questionnaires.models import SignsOfSafetyColumn

if TYPE_CHECKING:
    from audit_app.accounts.models import User
    from audit_app.actions.models import Action
    from audit_app.agencies.models import Agency
    from audit_app.audits.models import Audit
    from audit_app.returns.models import Answer, ChronologyEntry, SummaryItem


class EvidenceKind(enum.Enum):
    PROFESSIONAL_INTERVIEW = "professional_interview"
    CHILD_VOICE = "child_voice"
    SURVEY = "survey"
    OTHER = "other"

    @property
    def label(self) -> str:
        return EVIDENCE_KIND_LABELS[self]


EVIDENCE_KIND_LABELS = {
    EvidenceKind.PROFESSIONAL_INTERVIEW: "Professional interview",
    EvidenceKind.CHILD_VOICE: "Voice of children and young people",
    EvidenceKind.SURVEY: "Survey of children and young people",
    EvidenceKind.OTHER: "Other evidence",
}


class EvidenceSource(Timestamped, Base):
    """Where evidence beyond the case files came from: a professional interview (a role in an
    agency, on a date), an engagement event with children and young people, a survey (its
    results kept as counts per question), or other evidence. Its items are what it said."""

    __tablename__ = "evidence_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), index=True)
    kind: Mapped[EvidenceKind] = mapped_column(enum_column(EvidenceKind))
    title: Mapped[str] = mapped_column(String(300), info=IN_CLEAR)
    """What it is, in words: "Interview with a designated safeguarding lead"."""
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    role: Mapped[str] = mapped_column(String(200), default="", info=IN_CLEAR)
    """The interviewee's role (professional interviews)."""
    held_on: Mapped[date | None] = mapped_column(Date)
    participants: Mapped[int | None] = mapped_column(Integer)
    """How many took part (an engagement event, a survey's responses)."""
    notes: Mapped[str] = mapped_column(Text, default="", info=FREE_TEXT)
    survey: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """A survey's results as counted on upload: ``{"file": name, "responses": n,
    "questions": [{"text": ..., "counts": [[answer, n], ...]}, ...]}``; None otherwise."""
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=0)

    __mapper_args__ = {"version_id_col": version}

    agency: Mapped[Agency | None] = relationship()
    items: Mapped[list[EvidenceItem]] = relationship(
        back_populates="source",
        cascade="all, delete-orphan",
        order_by="EvidenceItem.position",
    )


class EvidenceItem(Base):
    """One thing an evidence source said, in one Signs of Safety column: a point from an
    interview, a child's own words (a quote), a count from a survey."""

    __tablename__ = "evidence_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("evidence_source.id"), index=True)
    column: Mapped[SignsOfSafetyColumn] = mapped_column(enum_column(SignsOfSafetyColumn))
    text: Mapped[str] = mapped_column(Text, info=FREE_TEXT)
    is_quote: Mapped[bool] = mapped_column(Boolean, default=False)
    """The words of a child or young person, as they said them."""
    count: Mapped[int | None] = mapped_column(Integer)
    """How many said it, where that was counted."""
    position: Mapped[int] = mapped_column(Integer, default=0)

    source: Mapped[EvidenceSource] = relationship(back_populates="items")


class Theme(Timestamped, Base):
    """A pattern the panel names across children and agencies."""

    __tablename__ = "theme"
    __table_args__ = (UniqueConstraint("audit_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), info=IN_CLEAR)
    description: Mapped[str] = mapped_column(Text, default="", info=FREE_TEXT)
    version: Mapped[int] = mapped_column(Integer, default=0)

    __mapper_args__ = {"version_id_col": version}


THEME_TAG_TARGETS = ("answer_id", "chronology_entry_id", "evidence_item_id", "summary_item_id")
"""What a theme tag may point at (exactly one of them)."""


def _one_target() -> str:
    return (
        " + ".join(
            f"(CASE WHEN {target} IS NULL THEN 0 ELSE 1 END)" for target in THEME_TAG_TARGETS
        )
        + " = 1"
    )


class ThemeTag(Base):
    """A theme applied to one answer, chronology entry, evidence item or summary item."""

    __tablename__ = "theme_tag"
    __table_args__ = (
        CheckConstraint(_one_target(), name="one_target"),
        # A theme tags each thing once. One unique index per kind of target, over the rows
        # that target it: a constraint over all the columns never fires, as all but one of
        # them are always NULL and NULLs are never equal.
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
    summary_item_id: Mapped[int | None] = mapped_column(ForeignKey("summary_item.id"), index=True)
    tagged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    tagged_at: Mapped[datetime] = mapped_column(default=utcnow)

    # What a tag points at. When an answer, chronology entry or summary item goes (a
    # reviewer clears an answer on a return sent back for amendment, an agency rewrites its
    # summary), its tags go with it, through the unit of work, so the audit log has them.
    answer: Mapped[Answer | None] = relationship(
        backref=backref("theme_tags", cascade="all, delete-orphan")
    )
    chronology_entry: Mapped[ChronologyEntry | None] = relationship(
        backref=backref("theme_tags", cascade="all, delete-orphan")
    )
    summary_item: Mapped[SummaryItem | None] = relationship(
        backref=backref("theme_tags", cascade="all, delete-orphan")
    )
    evidence_item: Mapped[EvidenceItem | None] = relationship(
        backref=backref("theme_tags", cascade="all, delete-orphan")
    )


class AgreedGrade(Base):
    """The panel's agreed grade for a child, with its rationale. The agencies' own grades
    stay on their returns: the two side by side are the moderation."""

    __tablename__ = "agreed_grade"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("cohort_member.id"), unique=True)
    question_id: Mapped[str] = mapped_column(String(100))
    """The graded question the grade answers for the panel (its scale gives the levels)."""
    grade: Mapped[str] = mapped_column(String(50))
    rationale: Mapped[str] = mapped_column(Text, info=FREE_TEXT)
    agreed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    agreed_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=0)

    __mapper_args__ = {"version_id_col": version}

    agreed_by: Mapped[User | None] = relationship()


class Finding(Timestamped, Base):
    """A key finding of the panel, in one Signs of Safety column, with the themes and
    evidence that support it."""

    __tablename__ = "finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), index=True)
    column: Mapped[SignsOfSafetyColumn] = mapped_column(enum_column(SignsOfSafetyColumn))
    text: Mapped[str] = mapped_column(Text, info=FREE_TEXT)
    position: Mapped[int] = mapped_column(Integer, default=0)
    """Its place in its column, from 0."""
    version: Mapped[int] = mapped_column(Integer, default=0)

    __mapper_args__ = {"version_id_col": version}

    themes: Mapped[list[FindingTheme]] = relationship(cascade="all, delete-orphan")
    evidence: Mapped[list[FindingEvidence]] = relationship(cascade="all, delete-orphan")


class FindingTheme(Base):
    __tablename__ = "finding_theme"
    __table_args__ = (UniqueConstraint("finding_id", "theme_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), index=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id"), index=True)


class FindingEvidence(Base):
    __tablename__ = "finding_evidence"
    __table_args__ = (UniqueConstraint("finding_id", "evidence_item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), index=True)
    evidence_item_id: Mapped[int] = mapped_column(ForeignKey("evidence_item.id"), index=True)


class Recommendation(Timestamped, Base):
    """A numbered recommendation of the panel, with the findings it answers."""

    __tablename__ = "recommendation"
    __table_args__ = (UniqueConstraint("audit_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, info=FREE_TEXT)
    re_audit_by: Mapped[date | None] = mapped_column(Date)
    """When a re-audit will check whether the recommendation made a difference."""
    re_audit_how: Mapped[str] = mapped_column(Text, default="", server_default="", info=FREE_TEXT)
    re_audit_question_ids: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    """The graded questions the re-audit will compare, then and now."""
    re_audit_audit_id: Mapped[int | None] = mapped_column(ForeignKey("audit.id"))
    """The later audit linked as the re-audit, once there is one."""
    version: Mapped[int] = mapped_column(Integer, default=0)

    __mapper_args__ = {"version_id_col": version}

    audit: Mapped[Audit] = relationship(foreign_keys=[audit_id])
    re_audit: Mapped[Audit | None] = relationship(foreign_keys=[re_audit_audit_id])
    findings: Mapped[list[RecommendationFinding]] = relationship(cascade="all, delete-orphan")
    actions: Mapped[list[Action]] = relationship(
        back_populates="recommendation", order_by="Action.id"
    )


class RecommendationFinding(Base):
    __tablename__ = "recommendation_finding"
    __table_args__ = (UniqueConstraint("recommendation_id", "finding_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendation.id"), index=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), index=True)


class PanelMeeting(Timestamped, Base):
    """A meeting of the panel: when, who came from which agency, what it decided (for the
    report's method section)."""

    __tablename__ = "panel_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    decisions: Mapped[str] = mapped_column(Text, default="", info=FREE_TEXT)
    version: Mapped[int] = mapped_column(Integer, default=0)

    __mapper_args__ = {"version_id_col": version}

    attendees: Mapped[list[PanelAttendee]] = relationship(
        cascade="all, delete-orphan", order_by="PanelAttendee.id"
    )


class PanelAttendee(Base):
    __tablename__ = "panel_attendee"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("panel_meeting.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), info=IN_CLEAR)
    role: Mapped[str] = mapped_column(String(200), default="", info=IN_CLEAR)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))

    agency: Mapped[Agency | None] = relationship()
