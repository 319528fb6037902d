"""Audit templates and their versions (content-hash identified, never changed in place),
and the three Signs of Safety columns every answer lands in."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audit_app.core.models import Base, Timestamped, utcnow


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
