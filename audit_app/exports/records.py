"""Making an export, the one way the pages and the command line both use: build the file,
name it safely, and record who exported what and when (the audit log shows every export).
The partnership's own report templates are kept here too."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.audits.models import Audit
from audit_app.core.errors import DomainError
from audit_app.exports.action_tracker import build_action_tracker
from audit_app.exports.audit_workbook import build_audit_workbook
from audit_app.exports.common import Made
from audit_app.exports.findings_report import build_findings_report
from audit_app.exports.meeting_pack import build_meeting_pack
from audit_app.exports.models import ExportKind, ExportRecord, ReportTemplate
from audit_app.exports.word import check_report_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class ExportedFile:
    kind: ExportKind
    name: str
    content: bytes
    note: str = ""
    """Something the person should know about the file (the partnership's template could
    not be used)."""

    @property
    def mimetype(self) -> str:
        return DOCX if self.kind.is_word else XLSX


@dataclass(frozen=True)
class Exporter:
    """Who is exporting: an account (``user_id``) or the command line, named in words."""

    name: str
    user_id: int | None
    via: str  # "download" or "command line"


def slug(text: str, limit: int = 60) -> str:
    """Words as a safe part of a file name: ASCII letters, digits and hyphens only."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()
    return words[:limit].rstrip("-")


def file_name(kind: ExportKind, made_at: datetime, audit: Audit | None = None) -> str:
    """``children-in-crisis-audit-workbook-2026-12-01.xlsx``: what, of which audit, when."""
    parts = [slug(audit.title) if audit is not None else "", slug(kind.label)]
    stem = "-".join(part for part in parts if part) or "export"
    day = Made("", made_at).today
    return f"{stem}-{day.isoformat()}.{'docx' if kind.is_word else 'xlsx'}"


def record_export(
    session: Session, exported: ExportedFile, exporter: Exporter, at: datetime, audit_id: int | None
) -> ExportRecord:
    record = ExportRecord(
        kind=exported.kind,
        audit_id=audit_id,
        file_name=exported.name,
        size_bytes=len(exported.content),
        sha256=hashlib.sha256(exported.content).hexdigest(),
        exported_by_id=exporter.user_id,
        exported_by_label="" if exporter.user_id is not None else exporter.name,
        via=exporter.via,
        exported_at=at,
    )
    session.add(record)
    session.flush()
    return record


def last_export(session: Session, kind: ExportKind) -> ExportRecord | None:
    """The latest export of this kind."""
    return session.scalars(
        select(ExportRecord)
        .where(ExportRecord.kind == kind)
        .order_by(ExportRecord.exported_at.desc(), ExportRecord.id.desc())
    ).first()


def exports_of(session: Session, audit_id: int, limit: int = 20) -> list[ExportRecord]:
    """The latest exports of an audit's files, newest first."""
    return list(
        session.scalars(
            select(ExportRecord)
            .where(ExportRecord.audit_id == audit_id)
            .order_by(ExportRecord.exported_at.desc(), ExportRecord.id.desc())
            .limit(limit)
        )
    )


# --- The partnership's report templates ----------------------------------------------------


def uploaded_template(session: Session, kind: ExportKind) -> ReportTemplate | None:
    return session.scalar(select(ReportTemplate).where(ReportTemplate.kind == kind))


class TemplateRefused(DomainError):
    """An uploaded report template that cannot be used, with every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def save_template(
    session: Session, kind: ExportKind, name: str, content: bytes, user_id: int | None
) -> ReportTemplate:
    """Use this Word template for the kind of report from now on, once it is checked: every
    field it uses must be one the service fills. Refused with :class:`TemplateRefused`."""
    if not kind.is_word:
        raise TemplateRefused(["Only the findings report and the meeting pack use a template."])
    problems = check_report_template(kind.value, content)
    if problems:
        raise TemplateRefused(problems)
    template = uploaded_template(session, kind)
    if template is None:
        template = ReportTemplate(kind=kind)
        session.add(template)
    template.file_name = f"{slug(Path(name).stem) or kind.value.replace('_', '-')}.docx"
    template.content = content
    template.sha256 = hashlib.sha256(content).hexdigest()
    template.uploaded_by_id = user_id
    template.uploaded_at = datetime.now().astimezone()
    session.flush()
    return template


def remove_template(session: Session, kind: ExportKind) -> bool:
    """Go back to the shipped template; False when there was no uploaded one."""
    template = uploaded_template(session, kind)
    if template is None:
        return False
    session.delete(template)
    session.flush()
    return True


def _template_bytes(session: Session, kind: ExportKind) -> bytes | None:
    template = uploaded_template(session, kind)
    return template.content if template is not None else None


# --- Making each kind ----------------------------------------------------------------------


def export_audit_workbook(
    session: Session, audit: Audit, exporter: Exporter, at: datetime
) -> ExportedFile:
    kind = ExportKind.AUDIT_WORKBOOK
    content = build_audit_workbook(session, audit, Made(exporter.name, at))
    exported = ExportedFile(kind, file_name(kind, at, audit), content)
    record_export(session, exported, exporter, at, audit.id)
    return exported


def export_action_tracker(session: Session, exporter: Exporter, at: datetime) -> ExportedFile:
    kind = ExportKind.ACTION_TRACKER
    content = build_action_tracker(session, Made(exporter.name, at))
    exported = ExportedFile(kind, file_name(kind, at), content)
    record_export(session, exported, exporter, at, None)
    return exported


def _with_template(
    session: Session, kind: ExportKind, build: Callable[[bytes | None], bytes]
) -> tuple[bytes, str]:
    """The report from the partnership's own template; if that cannot be filled with this
    audit's data, from the shipped one, with a note saying so (a report is never refused
    because of a template)."""
    own = _template_bytes(session, kind)
    if own is None:
        return build(None), ""
    try:
        return build(own), ""
    except Exception as error:  # a template checked against sample data, failing on real
        note = (
            f"The partnership's {kind.label.lower()} template could not be filled "
            f"({type(error).__name__}: {str(error)[:120]}), so this {kind.label.lower()} "
            "uses the template that comes with the service. Ask the administrator to check "
            "the partnership's template."
        )
        return build(None), note


def export_findings_report(
    session: Session, audit: Audit, exporter: Exporter, at: datetime, partnership: str = ""
) -> ExportedFile:
    kind = ExportKind.FINDINGS_REPORT
    content, note = _with_template(
        session,
        kind,
        lambda template: build_findings_report(
            session,
            audit,
            generated_by=exporter.name,
            now=at,
            template=template,
            partnership=partnership,
        ),
    )
    exported = ExportedFile(kind, file_name(kind, at, audit), content, note)
    record_export(session, exported, exporter, at, audit.id)
    return exported


def export_meeting_pack(
    session: Session,
    exporter: Exporter,
    at: datetime,
    partnership: str = "",
    since: datetime | None = None,
) -> ExportedFile:
    """The subgroup's pack, saying what changed since ``since``, or since the last pack was
    made when not given."""
    kind = ExportKind.MEETING_PACK
    if since is None:
        previous = last_export(session, kind)
        since = previous.exported_at if previous is not None else None
    content, note = _with_template(
        session,
        kind,
        lambda template: build_meeting_pack(
            session,
            since=since,
            generated_by=exporter.name,
            now=at,
            template=template,
            partnership=partnership,
        ),
    )
    exported = ExportedFile(kind, file_name(kind, at), content, note)
    record_export(session, exported, exporter, at, None)
    return exported
