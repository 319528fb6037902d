"""What the exports area keeps: a record of every file exported (who, what, when), and the
partnership's own Word templates for the reports."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audit_app.core.models import IN_CLEAR, Base, enum_column, utcnow

if TYPE_CHECKING:
    from audit_app.accounts.models import User
    from audit_app.audits.models import Audit


class ExportKind(enum.Enum):
    AUDIT_WORKBOOK = "audit_workbook"
    ACTION_TRACKER = "action_tracker"
    FINDINGS_REPORT = "findings_report"
    MEETING_PACK = "meeting_pack"

    @property
    def label(self) -> str:
        return EXPORT_KIND_LABELS[self]

    @property
    def is_word(self) -> bool:
        return self in (ExportKind.FINDINGS_REPORT, ExportKind.MEETING_PACK)


EXPORT_KIND_LABELS = {
    ExportKind.AUDIT_WORKBOOK: "Audit workbook",
    ExportKind.ACTION_TRACKER: "Action tracker",
    ExportKind.FINDINGS_REPORT: "Findings report",
    ExportKind.MEETING_PACK: "Subgroup meeting pack",
}


class ExportRecord(Base):
    """One file exported: what, of which audit (if any), by whom, when, and how (downloaded
    from a page or written by the command line). Written in the same transaction as
    nothing else, so the audit log shows every export."""

    __tablename__ = "export_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ExportKind] = mapped_column(enum_column(ExportKind))
    audit_id: Mapped[int | None] = mapped_column(ForeignKey("audit.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(200), info=IN_CLEAR)
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    exported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    exported_by_label: Mapped[str] = mapped_column(String(200), default="", info=IN_CLEAR)
    """Who, in words, when no account did it (the command line); empty otherwise."""
    via: Mapped[str] = mapped_column(String(20), default="download", info=IN_CLEAR)
    exported_at: Mapped[datetime] = mapped_column(
        default=utcnow, index=True, info={"audit": "ignore"}
    )
    """When (the audit log has its own time for the entry, so it is not logged twice)."""

    audit: Mapped[Audit | None] = relationship()
    exported_by: Mapped[User | None] = relationship()


class ReportTemplate(Base):
    """The partnership's own Word template for a kind of report, replacing the shipped one
    until the administrator removes it. One per kind."""

    __tablename__ = "report_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ExportKind] = mapped_column(enum_column(ExportKind), unique=True)
    file_name: Mapped[str] = mapped_column(String(200), info=IN_CLEAR)
    content: Mapped[bytes] = mapped_column(LargeBinary, info={"audit": "ignore"})
    """The .docx file (not in the audit log, which keeps its SHA-256)."""
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow, info={"audit": "ignore"})

    uploaded_by: Mapped[User | None] = relationship()
