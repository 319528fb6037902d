"""What every table shares: the declarative base, UTC timestamps, enum columns, and the
append-only audit log."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    JSON,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    TypeDecorator,
    func,
)
from sqlalchemy.ext.mutable import MutableDict, MutableList
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

if TYPE_CHECKING:
    from audit_app.accounts.models import User


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


try:
    PARTNERSHIP_TIME_ZONE: tzinfo = ZoneInfo("Europe/London")
except ZoneInfoNotFoundError:  # a system without the time zone database
    PARTNERSHIP_TIME_ZONE = UTC


def today() -> date:
    """Today where the partnership works (the UK), not on the server's clock: a date typed
    just after midnight in summer is not "in the future" on a server kept in UTC."""
    return datetime.now(PARTNERSHIP_TIME_ZONE).date()


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


def enum_column(enum_cls: type[enum.Enum], name: str | None = None) -> Enum:
    """Enums are stored as their values in a plain string column (portable, readable).
    ``name`` names the column's check apart when a table has two columns of one enum."""
    return Enum(
        enum_cls,
        name=name or enum_cls.__name__.lower(),
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


# Free text may name a child despite the guidance: the log keeps a digest, never the words,
# so that purging an audit's identities leaves nothing identifying behind in the log.
# Free text is logged as a digest by default (core/audit_log.py); FREE_TEXT says so
# explicitly. IN_CLEAR opts a free-text column into the log in clear: only for text that
# describes the partnership's work, never a child (an audit's terms of reference).
FREE_TEXT = {"audit": "summary"}
IN_CLEAR = {"audit": "clear"}


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


class AuditLogEntry(Base):
    """Who changed what and when. Rows are only ever inserted (the database refuses more)."""

    __tablename__ = "audit_log_entry"
    __audited__ = False
    # The log is read newest first (``at DESC, id DESC``), whole or filtered by record type,
    # audit or person: an index for each serves that order, so a page reads only its rows.
    __table_args__ = (
        Index("ix_audit_log_entry_record", "record_type", "record_id"),
        Index("ix_audit_log_entry_order", "at", "id"),
        Index("ix_audit_log_entry_record_type_order", "record_type", "at", "id"),
        Index("ix_audit_log_entry_audit_order", "audit_id", "at", "id"),
        Index("ix_audit_log_entry_actor_order", "actor_id", "at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_label: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(20))
    record_type: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The audit the changed record belongs to, filled in when it is written (migration 0007
    # filled it in for entries written before). Not a foreign key: the log outlives records.
    audit_id: Mapped[int | None] = mapped_column(Integer)

    actor: Mapped[User | None] = relationship()
