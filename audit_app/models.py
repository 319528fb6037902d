"""The domain of a multi-agency case file audit, as SQLAlchemy 2 typed models.

The words follow DESIGN.md: an audit pins a template version, draws a cohort of children
known by pseudonymous codes (identities live in a table of their own), collects one return
per agency and child, and ends in themes, findings, recommendations and SMART actions.
Every change to these tables is written to the append-only :class:`AuditLogEntry`.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    func,
)
from sqlalchemy.ext.mutable import MutableDict, MutableList
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back as an aware UTC datetime."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; give a timezone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column(enum_cls: type[enum.Enum]) -> Enum:
    """Enums are stored as their values in a plain string column (portable, readable)."""
    return Enum(
        enum_cls,
        name=enum_cls.__name__.lower(),
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


# Free text may name a child despite the guidance: the log keeps a digest, never the words,
# so that purging an audit's identities leaves nothing identifying behind in the log.
FREE_TEXT = {"audit": "summary"}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # JSON columns track changes made in place (a list appended to is saved, and logged).
    type_annotation_map = {
        datetime: UTCDateTime(),
        dict[str, Any]: MutableDict.as_mutable(JSON()),
        list[Any]: MutableList.as_mutable(JSON()),
    }


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# --- People and agencies -------------------------------------------------------------


class Role(enum.Enum):
    ADMIN = "admin"
    REVIEWER = "reviewer"
    PANEL = "panel"
    SUBGROUP = "subgroup"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def description(self) -> str:
        return ROLE_DESCRIPTIONS[self]


ROLE_LABELS = {
    Role.ADMIN: "Administrator / audit lead",
    Role.REVIEWER: "Agency reviewer",
    Role.PANEL: "Panel member",
    Role.SUBGROUP: "Audit and performance subgroup member",
}

ROLE_DESCRIPTIONS = {
    Role.ADMIN: "Manages agencies, users and templates; sets up audits and cohorts.",
    Role.REVIEWER: "Completes their own agency's returns and summary. Belongs to one agency.",
    Role.PANEL: "Reads every return of the audits they sit on; writes themes and findings.",
    Role.SUBGROUP: "Reads every action plan, updates progress and signs actions off.",
}


class AgencySector(enum.Enum):
    SOCIAL_CARE = "social_care"
    HEALTH = "health"
    MENTAL_HEALTH = "mental_health"
    PRIMARY_CARE = "primary_care"
    EDUCATION = "education"
    POLICE = "police"
    YOUTH_JUSTICE = "youth_justice"
    EARLY_HELP = "early_help"
    VOLUNTARY = "voluntary"
    OTHER = "other"

    @property
    def label(self) -> str:
        return SECTOR_LABELS[self]


SECTOR_LABELS = {
    AgencySector.SOCIAL_CARE: "Children's social care",
    AgencySector.HEALTH: "Acute or community health",
    AgencySector.MENTAL_HEALTH: "Mental health (CAMHS)",
    AgencySector.PRIMARY_CARE: "Primary care (GP)",
    AgencySector.EDUCATION: "Education",
    AgencySector.POLICE: "Police",
    AgencySector.YOUTH_JUSTICE: "Youth justice",
    AgencySector.EARLY_HELP: "Early help",
    AgencySector.VOLUNTARY: "Voluntary and community sector",
    AgencySector.OTHER: "Other",
}


class Agency(Timestamped, Base):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str] = mapped_column(String(40), unique=True)
    sector: Mapped[AgencySector] = mapped_column(enum_column(AgencySector))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    users: Mapped[list[User]] = relationship(back_populates="agency")

    def __str__(self) -> str:
        return self.name


class User(Timestamped, Base):
    __tablename__ = "user_account"
    __table_args__ = (
        # Only reviewers belong to an agency: their agency decides which returns they see.
        CheckConstraint(
            "(role = 'reviewer' AND agency_id IS NOT NULL)"
            " OR (role != 'reviewer' AND agency_id IS NULL)",
            name="agency_for_reviewers_only",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    job_title: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256), info={"audit": "redact"})
    role: Mapped[Role] = mapped_column(enum_column(Role))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # Changing this value ends every open session of the user (sign-out everywhere).
    session_token: Mapped[str] = mapped_column(String(64), info={"audit": "redact"})
    last_signed_in_at: Mapped[datetime | None] = mapped_column(info={"audit": "ignore"})

    agency: Mapped[Agency | None] = relationship(back_populates="users")

    def __str__(self) -> str:
        return self.full_name

    # What Flask-Login asks of a user (written here so the models import no Flask).
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        """The session names the user and their current session token together."""
        return f"{self.id}:{self.session_token}"


class SignInAttempt(Base):
    """Recent sign-in attempts, kept in the database so throttling works across workers."""

    __tablename__ = "sign_in_attempt"
    __audited__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    remote_addr: Mapped[str] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


# --- Audit templates -----------------------------------------------------------------


class AuditTemplate(Timestamped, Base):
    """An agreed audit template; its content lives in versions identified by content hash."""

    __tablename__ = "audit_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))

    versions: Mapped[list[AuditTemplateVersion]] = relationship(
        back_populates="template", order_by="AuditTemplateVersion.created_at"
    )


class AuditTemplateVersion(Base):
    __tablename__ = "audit_template_version"
    __table_args__ = (
        UniqueConstraint("template_id", "content_hash"),
        UniqueConstraint("template_id", "version_label"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("audit_template.id"), index=True)
    version_label: Mapped[str] = mapped_column(String(50))
    content_hash: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[dict[str, Any]] = mapped_column(info={"audit": "summary"})
    source_text: Mapped[str] = mapped_column(Text, default="", info={"audit": "summary"})
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    template: Mapped[AuditTemplate] = relationship(back_populates="versions")


# --- Audits and the cohort -----------------------------------------------------------


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
    terms_of_reference: Mapped[str] = mapped_column(Text, default="")
    question: Mapped[str] = mapped_column(Text, default="")
    scope_criteria: Mapped[str] = mapped_column(Text, default="")
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
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    template_version: Mapped[AuditTemplateVersion | None] = relationship()
    lead: Mapped[User | None] = relationship()
    agencies: Mapped[list[AuditAgency]] = relationship(
        back_populates="audit", cascade="all, delete-orphan", lazy="selectin"
    )
    cohort: Mapped[list[CohortMember]] = relationship(
        back_populates="audit", order_by="CohortMember.position"
    )
    panel_members: Mapped[list[PanelMembership]] = relationship(
        back_populates="audit", cascade="all, delete-orphan", lazy="selectin"
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
    return_deadline: Mapped[date | None] = mapped_column(Date)
    released_reference_fields: Mapped[list[Any]] = mapped_column(default=list)

    audit: Mapped[Audit] = relationship(back_populates="agencies")
    agency: Mapped[Agency] = relationship(lazy="selectin")


class PanelMembership(Base):
    """A panel member sitting on an audit's multi-agency panel (the chair is flagged)."""

    __tablename__ = "panel_membership"
    __table_args__ = (UniqueConstraint("audit_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    is_chair: Mapped[bool] = mapped_column(Boolean, default=False)

    audit: Mapped[Audit] = relationship(back_populates="panel_members")
    user: Mapped[User] = relationship(lazy="selectin")


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
    panel_grade: Mapped[str | None] = mapped_column(String(50))
    panel_grade_rationale: Mapped[str | None] = mapped_column(Text, info=FREE_TEXT)

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


# --- Agency returns ------------------------------------------------------------------


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


class SignsOfSafetyColumn(enum.Enum):
    WORKING_WELL = "working_well"
    WORRIED_ABOUT = "worried_about"
    NEEDS_TO_HAPPEN = "needs_to_happen"

    @property
    def label(self) -> str:
        return COLUMN_LABELS[self]


COLUMN_LABELS = {
    SignsOfSafetyColumn.WORKING_WELL: "What's working well",
    SignsOfSafetyColumn.WORRIED_ABOUT: "What are we worried about",
    SignsOfSafetyColumn.NEEDS_TO_HAPPEN: "What needs to happen",
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
    rationale: Mapped[str | None] = mapped_column(Text, info=FREE_TEXT)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    agency_return: Mapped[AgencyReturn] = relationship(back_populates="answers")


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
    working_well: Mapped[str] = mapped_column(Text, default="", info=FREE_TEXT)
    worried_about: Mapped[str] = mapped_column(Text, default="", info=FREE_TEXT)
    needs_to_happen: Mapped[str] = mapped_column(Text, default="", info=FREE_TEXT)
    version: Mapped[int] = mapped_column(Integer, default=0)
    submitted_at: Mapped[datetime | None] = mapped_column()
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    __mapper_args__ = {"version_id_col": version}


class UrgentConcern(Base):
    """A reviewer's flag that a child may be at risk now; the audit lead sees it at once."""

    __tablename__ = "urgent_concern"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("agency_return.id"), index=True)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    details: Mapped[str] = mapped_column(Text, info=FREE_TEXT)
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


# --- More evidence and the panel -----------------------------------------------------


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
        UniqueConstraint(
            "theme_id",
            "answer_id",
            "chronology_entry_id",
            "evidence_item_id",
            name="uq_theme_tag_target",
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


# --- The action plan -----------------------------------------------------------------


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


# --- The audit log -------------------------------------------------------------------


class AuditLogEntry(Base):
    """Who changed what and when. Rows are only ever inserted (the database refuses more)."""

    __tablename__ = "audit_log_entry"
    __audited__ = False
    __table_args__ = (Index("ix_audit_log_entry_record", "record_type", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now(), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    actor_label: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(20))
    record_type: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    actor: Mapped[User | None] = relationship()
