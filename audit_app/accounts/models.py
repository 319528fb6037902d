"""People who sign in, and the record of sign-in attempts used for throttling."""

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
