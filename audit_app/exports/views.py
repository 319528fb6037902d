"""Downloads: an audit's workbook and findings report (the lead and the panel), the action
tracker and the subgroup's meeting pack (the subgroup and partnership-wide leads), and the
administrator's page for the partnership's own report templates.

A download is a button (a POST with its CSRF token), not a link: making a file writes its
record to the audit log, and a page that is only read changes nothing."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from audit_app.core.access import allow
from audit_app.core.models import PARTNERSHIP_TIME_ZONE
from audit_app.core.roles import Role
from audit_app.core.web import db
from audit_app.exports import records
from audit_app.exports.models import ExportKind
from audit_app.exports.word import KNOWN_FIELDS, MAX_TEMPLATE_BYTES, shipped_template
from audit_app.panel.pages import panel_audit, render_panel

blueprint = Blueprint("exports", __name__, template_folder="templates")

WORD_KINDS = (ExportKind.FINDINGS_REPORT, ExportKind.MEETING_PACK)


def _exporter() -> records.Exporter:
    return records.Exporter(current_user.full_name, current_user.id, "download")


def _partnership() -> str:
    return str(current_app.config.get("AUDIT_PARTNERSHIP_NAME", ""))


def _attachment(content: bytes, mimetype: str, name: str) -> Response:
    """A file to save, never shown in the browser nor kept in a cache."""
    response = send_file(
        io.BytesIO(content), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _send(exported: records.ExportedFile) -> Response:
    if exported.note:
        flash(exported.note, "error")
    return _attachment(exported.content, exported.mimetype, exported.name)


# --- An audit's files ----------------------------------------------------------------------


@blueprint.route("/audits/<id:audit_id>/downloads", endpoint="audit_downloads")
@allow(Role.AUDIT_LEAD, Role.PANEL)
def audit_downloads(audit_id: int) -> str:
    panel = panel_audit(audit_id)
    return render_panel(
        "exports/audit_downloads.html",
        panel,
        "exports.audit_downloads",
        exported=records.exports_of(db(), audit_id),
    )


@blueprint.route("/audits/<id:audit_id>/downloads/workbook", methods=["POST"])
@allow(Role.AUDIT_LEAD, Role.PANEL)
def audit_workbook(audit_id: int) -> Response:
    panel = panel_audit(audit_id, changes=False)
    now = datetime.now(UTC)
    return _send(records.export_audit_workbook(db(), panel.audit, _exporter(), now))


@blueprint.route("/audits/<id:audit_id>/downloads/findings-report", methods=["POST"])
@allow(Role.AUDIT_LEAD, Role.PANEL)
def findings_report(audit_id: int) -> Response:
    panel = panel_audit(audit_id, changes=False)
    now = datetime.now(UTC)
    return _send(
        records.export_findings_report(db(), panel.audit, _exporter(), now, _partnership())
    )


# --- The subgroup's files ------------------------------------------------------------------


@blueprint.route("/action-plans/tracker", methods=["POST"])
@allow(Role.SUBGROUP, Role.AUDIT_LEAD, partnership=True)
def action_tracker() -> Response:
    return _send(records.export_action_tracker(db(), _exporter(), datetime.now(UTC)))


@blueprint.app_context_processor
def _last_meeting_pack() -> dict[str, Any]:
    """For the subgroup's downloads on the Action plans page: the last pack (read only
    when the page asks)."""
    return {"last_meeting_pack": lambda: records.last_export(db(), ExportKind.MEETING_PACK)}


def _since() -> tuple[datetime | None, bool]:
    """The "what changed since" date typed (the start of that day in the UK), and whether
    what was typed is not a date."""
    parts = [request.form.get(f"since-{part}", "").strip() for part in ("day", "month", "year")]
    if not any(parts):
        return None, False
    try:
        day, month, year = (int(part) for part in parts)
        since = datetime(year, month, day, tzinfo=PARTNERSHIP_TIME_ZONE)
    except ValueError:
        return None, True
    return (since, False) if 2000 <= year <= 2100 else (None, True)


@blueprint.route("/action-plans/meeting-pack", methods=["POST"])
@allow(Role.SUBGROUP, Role.AUDIT_LEAD, partnership=True)
def meeting_pack() -> Response:
    since, wrong = _since()
    if wrong:
        flash(
            "Enter a real date for \u2018Show what changed since\u2019, like 1 11 2026, or "
            "leave it blank for what changed since the last pack.",
            "error",
        )
        return redirect(url_for("actions.dashboard", _anchor="downloads"))
    exported = records.export_meeting_pack(
        db(), _exporter(), datetime.now(UTC), _partnership(), since=since
    )
    return _send(exported)


# --- The partnership's report templates ----------------------------------------------------


def _kind(kind: str) -> ExportKind:
    found = next((k for k in WORD_KINDS if k.value == kind.replace("-", "_")), None)
    return found or abort(404)


def _templates_page(refused: tuple[ExportKind, list[str]] | None = None) -> str:
    session = db()
    return render_template(
        "exports/report_templates.html",
        kinds=[(kind, records.uploaded_template(session, kind)) for kind in WORD_KINDS],
        fields={kind: sorted(KNOWN_FIELDS[kind.value]) for kind in WORD_KINDS},
        refused=refused,
    )


@blueprint.route("/report-templates", endpoint="report_templates")
@allow(Role.ADMIN)
def report_templates() -> str:
    return _templates_page()


@blueprint.route("/report-templates/<kind>.docx", endpoint="report_template_file")
@allow(Role.ADMIN)
def report_template_file(kind: str) -> Response:
    """The template in use (the partnership's own, or the shipped one), to edit in Word."""
    which = _kind(kind)
    uploaded = records.uploaded_template(db(), which)
    content = uploaded.content if uploaded is not None else shipped_template(which.value)
    name = uploaded.file_name if uploaded is not None else f"{which.value.replace('_', '-')}.docx"
    return _attachment(content, records.DOCX, name)


@blueprint.route("/report-templates/<kind>", methods=["POST"], endpoint="upload_report_template")
@allow(Role.ADMIN)
def upload_report_template(kind: str) -> str | Response:
    which = _kind(kind)
    session = db()
    upload = request.files.get("template")
    problems: list[str] = []
    if upload is None or not upload.filename:
        problems = ["Select the Word template (.docx) to upload."]
    else:
        content = upload.stream.read(MAX_TEMPLATE_BYTES + 1)
        try:
            records.save_template(session, which, upload.filename, content, current_user.id)
        except records.TemplateRefused as refused:
            problems = refused.problems
    if problems:
        return _templates_page((which, problems)), 400  # type: ignore[return-value]
    flash(f"The {which.label.lower()} now uses your template.", "success")
    return redirect(url_for("exports.report_templates"))


@blueprint.route(
    "/report-templates/<kind>/remove", methods=["POST"], endpoint="remove_report_template"
)
@allow(Role.ADMIN)
def remove_report_template(kind: str) -> Response:
    which = _kind(kind)
    if records.remove_template(db(), which):
        flash(f"The {which.label.lower()} uses the shipped template again.", "success")
    return redirect(url_for("exports.report_templates"))
