"""People who sign in, their memberships (a role with a scope each), and the record of
sign-in attempts used for throttling."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audit_app.core.models import Base, Timestamped, enum_column, utcnow
from audit_app.core.roles import Role

if TYPE_CHECKING:
    from audit_app.agencies.models import Agency
    from audit_app.audits.models import Audit


class User(Timestamped, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    job_title: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256), info={"audit": "redact"})
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # Changing this value ends every open session of the user (sign-out everywhere).
    session_token: Mapped[str] = mapped_column(String(64), info={"audit": "redact"})
    last_signed_in_at: Mapped[datetime | None] = mapped_column(info={"audit": "ignore"})

    # Loaded with the user, so access checks never add a query per check.
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user",
        lazy="selectin",
        order_by="Membership.id",
        cascade="all, delete-orphan",
    )

    def __str__(self) -> str:
        return self.full_name

    # What Flask-Login asks of a user (written here so the models import no Flask).
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        """The session names the user and their current session token together."""
        return f"{self.id}:{self.session_token}"


class Membership(Base):
    """One role a person holds, with its scope: the partnership, one audit or one agency.

    administrator and subgroup member: the partnership (no agency, no audit);
    audit lead: the partnership (no audit) or one audit;
    agency reviewer: one agency; panel member: one audit (``is_chair`` for its chair).
    """

    __tablename__ = "membership"
    __table_args__ = (
        CheckConstraint(
            "role != 'reviewer' OR (agency_id IS NOT NULL AND audit_id IS NULL)",
            name="reviewer_has_one_agency",
        ),
        CheckConstraint(
            "role != 'panel' OR (audit_id IS NOT NULL AND agency_id IS NULL)",
            name="panel_member_has_one_audit",
        ),
        CheckConstraint(
            "role != 'audit_lead' OR agency_id IS NULL",
            name="audit_lead_has_no_agency",
        ),
        CheckConstraint(
            "role NOT IN ('admin', 'subgroup') OR (agency_id IS NULL AND audit_id IS NULL)",
            name="partnership_roles_have_no_scope",
        ),
        CheckConstraint("role = 'panel' OR NOT is_chair", name="only_panel_members_chair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    audit_id: Mapped[int | None] = mapped_column(ForeignKey("audit.id"), index=True)
    is_chair: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    agency: Mapped[Agency | None] = relationship()
    audit: Mapped[Audit | None] = relationship()

    @property
    def is_partnership_wide(self) -> bool:
        return self.agency_id is None and self.audit_id is None


class SignInAttempt(Base):
    """Recent sign-in attempts, kept in the database so throttling works across workers."""

    __tablename__ = "sign_in_attempt"
    __audited__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    remote_addr: Mapped[str] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
