"""Every signed-in person lands on one home page: a part for each of their memberships."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from audit_app.accounts import memberships
from audit_app.actions.rag import RAG_RULE
from audit_app.core.access import public
from audit_app.core.roles import Role
from audit_app.core.web import db
from audit_app.home import dashboards
from audit_app.returns.tracking import released_references

blueprint = Blueprint("home", __name__, template_folder="templates")


@blueprint.route("/")
@public
def index() -> str | Response:
    """One home page, with a part for each kind of membership the person holds."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in"))
    session = db()
    roles = memberships.roles_of(current_user)
    parts: dict[str, object] = {}
    if roles & {Role.ADMIN, Role.AUDIT_LEAD}:
        parts["lead"] = dashboards.admin_home(session, current_user)
    if Role.REVIEWER in roles:
        returns = dashboards.reviewer_home(session, current_user)
        # Only the reference fields the audit lead released to this agency, to find the file.
        references: dict[int, dict[str, str]] = {}
        for agency_id in memberships.reviewer_agency_ids(current_user):
            references |= released_references(
                session,
                agency_id,
                [
                    row.agency_return.id
                    for row in returns
                    if row.agency_return.agency_id == agency_id
                ],
            )
        agencies = [m.agency for m in current_user.memberships if m.role is Role.REVIEWER]
        parts["reviewer"] = {"returns": returns, "references": references, "agencies": agencies}
    if Role.PANEL in roles:
        parts["panel"] = dashboards.panel_home(session, current_user)
    if Role.SUBGROUP in roles:
        rows = dashboards.subgroup_home(session)
        parts["subgroup"] = {
            "rows": rows,
            "rag_counts": dashboards.rag_counts(rows),
            "rag_rule": RAG_RULE,
        }
    owned = dashboards.owned_actions(session, current_user)
    if owned or not parts:
        parts["owned"] = owned
    return render_template(
        "home/index.html",
        parts=parts,
        title=_title(parts, roles),
        several=len(parts) > 1,
        roles=[role for role in Role if role in roles],
    )


def _title(parts: dict[str, object], roles: set[Role]) -> str:
    if len(parts) > 1:
        return "Your home page"
    (part,) = parts
    return {
        "lead": "Audit lead home" if Role.AUDIT_LEAD in roles else "Administration",
        "reviewer": "Your agency's returns",
        "panel": "Audit panels you sit on",
        "subgroup": "Action plans",
        "owned": "Actions you own",
    }[part]


@blueprint.route("/health")
@public
def health() -> dict[str, str]:
    """For load balancers: answers without touching the database or the session."""
    return {"status": "ok"}
