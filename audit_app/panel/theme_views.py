"""(Being built.)"""

from __future__ import annotations

from audit_app.core.access import allow
from audit_app.core.roles import Role
from audit_app.panel.blueprint import blueprint
from audit_app.panel.pages import panel_audit, render_panel


@blueprint.route("/themes")
@allow(Role.AUDIT_LEAD, Role.PANEL)
def themes(audit_id: int) -> str:
    panel = panel_audit(audit_id)
    return render_panel("panel/placeholder.html", panel, "panel.themes")
