"""Glue every panel page shares: the audit as the panel reads it, or a way out when the
returns are not shared yet; the panel's navigation."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from audit_app.accounts.memberships import holds
from audit_app.audits.models import Audit, AuditStatus
from audit_app.charts import Chart
from audit_app.core.roles import Role
from audit_app.core.web import db
from audit_app.panel.reading import PanelAudit, is_shared, read_panel_audit

NOT_SHARED = (
    "The audit lead has not shared the returns with the panel yet. The panel's pages open "
    "once they have."
)

CLOSED = "This audit is closed: the panel's work can be read but no longer changed."

# (endpoint, words): the panel's pages, in the order the panel works through them.
PANEL_PAGES = (
    ("panel.home", "Overview"),
    ("panel.children", "By child"),
    ("panel.questions", "By question"),
    ("panel.board", "Signs of Safety board"),
    ("panel.evidence", "Evidence"),
    ("panel.themes", "Themes"),
    ("panel.findings", "Findings and recommendations"),
    ("panel.meetings", "Meetings"),
    ("actions.plan", "Action plan"),
    ("exports.audit_downloads", "Downloads"),
)


def load_audit(audit_id: int) -> Audit:
    return db().get(Audit, audit_id) or abort(404)


def panel_audit(audit_id: int, *, changes: bool = True) -> PanelAudit:
    """The audit for a panel page: 404 if there is none; back to the panel's overview
    (which says why) while the returns are not shared, except for the audit lead. A POST
    that changes the panel's work is refused once the audit is closed; one that only reads
    it (``changes=False``: a download) is not."""
    audit = load_audit(audit_id)
    if not is_shared(audit) and not holds(current_user, Role.AUDIT_LEAD, audit.id):
        flash(NOT_SHARED, "error")
        abort(redirect(url_for("panel.home", audit_id=audit.id)))
    closed = audit.status is AuditStatus.CLOSED
    if closed and changes and request.method not in ("GET", "HEAD"):
        flash(CLOSED, "error")
        abort(redirect(url_for("panel.home", audit_id=audit.id)))
    return read_panel_audit(db(), audit)


def render_panel(
    template: str, panel: PanelAudit | Audit, current_endpoint: str, **context: Any
) -> str:
    """A panel page, with the panel's navigation (``current_endpoint``: the page it is
    under in the navigation)."""
    audit = panel.audit if isinstance(panel, PanelAudit) else panel
    return render_template(
        template,
        audit=audit,
        panel=panel if isinstance(panel, PanelAudit) else None,
        panel_pages=PANEL_PAGES,
        panel_page=current_endpoint,
        is_lead=holds(current_user, Role.AUDIT_LEAD, audit.id),
        **context,
    )


def svg_response(chart: Chart) -> Response:
    """A chart as an image of its own: pages name it in an ``<img>`` (with the chart's text
    alternative) and show its figures as a table, so a page never waits for a chart to be
    drawn, and the browser fetches the picture beside the page."""
    response = Response(chart.svg(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-cache"
    return response
