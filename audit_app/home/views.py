"""Every signed-in person lands on a home page for their role."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from audit_app.core.access import public
from audit_app.core.roles import Role
from audit_app.core.web import db
from audit_app.home import dashboards
from audit_app.returns.tracking import released_references

blueprint = Blueprint("home", __name__, template_folder="templates")


@blueprint.route("/")
@public
def index() -> str | Response:
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in"))
    session = db()
    role = current_user.role
    if role is Role.ADMIN:
        return render_template("home/admin.html", home=dashboards.admin_home(session))
    if role is Role.REVIEWER:
        returns = dashboards.reviewer_home(session, current_user)
        # Only the reference fields the audit lead released to this agency, to find the file.
        references = released_references(
            session, current_user.agency_id, [row.agency_return.id for row in returns]
        )
        return render_template(
            "home/reviewer.html",
            returns=returns,
            agency=current_user.agency,
            references=references,
        )
    if role is Role.PANEL:
        return render_template(
            "home/panel.html", audits=dashboards.panel_home(session, current_user)
        )
    rows = dashboards.subgroup_home(session)
    return render_template("home/subgroup.html", rows=rows, rag_counts=dashboards.rag_counts(rows))


@blueprint.route("/health")
@public
def health() -> dict[str, str]:
    """For load balancers: answers without touching the database or the session."""
    return {"status": "ok"}
