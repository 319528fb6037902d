"""The panel's overview of an audit."""

from __future__ import annotations

from werkzeug.wrappers import Response

from audit_app.cohort.selection import current_draw
from audit_app.core.access import allow
from audit_app.core.roles import Role
from audit_app.core.web import db
from audit_app.panel.blueprint import blueprint
from audit_app.panel.overview import overview
from audit_app.panel.pages import load_audit, render_panel
from audit_app.panel.reading import is_shared, read_panel_audit


@blueprint.route("/")
@allow(Role.AUDIT_LEAD, Role.PANEL)
def home(audit_id: int) -> str | Response:
    session = db()
    audit = load_audit(audit_id)
    if not is_shared(audit):
        return render_panel("panel/not_shared.html", audit, "panel.home")
    panel = read_panel_audit(session, audit)
    return render_panel(
        "panel/home.html",
        panel,
        "panel.home",
        overview=overview(session, panel),
        draw=current_draw(session, audit),
    )
