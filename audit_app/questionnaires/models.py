"""Audit templates and their versions (content-hash identified, never changed in place),
and the three Signs of Safety columns every answer lands in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audit_app.core.models import IN_CLEAR, Base, Timestamped, utcnow
from audit_app.questionnaires.definitions import SignsOfSafetyColumn

__all__ = ["COLUMN_LABELS", "AuditTemplate", "AuditTemplateVersion", "SignsOfSafetyColumn"]


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
    replaced_content_hash: Mapped[str | None] = mapped_column(String(64))
    """The hash this version had before a migration rewrote its content to a newer format
    (a 0-10 grade made a scaling): workbooks downloaded before still upload."""
    # What the template is for, written by the partnership: logged in clear.
    purpose: Mapped[str] = mapped_column(Text, default="", info=IN_CLEAR)
    content: Mapped[dict[str, Any]] = mapped_column(info={"audit": "summary"})
    source_text: Mapped[str] = mapped_column(Text, default="", info={"audit": "summary"})
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    template: Mapped[AuditTemplate] = relationship(back_populates="versions")


# The columns are plain definitions (every area may read them without the database);
# labelled by member here for the readers that index by the enum.
COLUMN_LABELS = {column: column.label for column in SignsOfSafetyColumn}
