"""The service navigation: the union of what the signed-in person's memberships allow."""

from __future__ import annotations

from flask import request, url_for
from flask_login import current_user

from audit_app.core.roles import Role


def navigation_items() -> list[dict[str, object]]:
    if not current_user.is_authenticated:
        return []
    roles = {membership.role for membership in current_user.memberships}
    items = [("Home", "home.index")]
    if Role.AUDIT_LEAD in roles:
        items.append(("Audits", "audits.index"))
    partnership_lead = any(
        m.role is Role.AUDIT_LEAD and m.audit_id is None for m in current_user.memberships
    )
    if Role.SUBGROUP in roles or partnership_lead:
        items.append(("Action plans", "actions.dashboard"))
    items.append(("My actions", "actions.mine"))
    if Role.ADMIN in roles:
        items += [
            ("Agencies", "agencies.index"),
            ("Users", "accounts.users"),
            ("Audit templates", "audit_templates.index"),
            ("Report templates", "exports.report_templates"),
            ("Audit log", "log.audit_log"),
        ]
    items.append(("Your account", "auth.change_password"))
    result = []
    for text, endpoint in items:
        href = url_for(endpoint)
        result.append(
            {
                "text": text,
                "href": href,
                "current": request.path == href,
                # A page under the item's own (an audit's cohort pages under Audits).
                "active": endpoint != "home.index" and request.path.startswith(href + "/"),
            }
        )
    return result
