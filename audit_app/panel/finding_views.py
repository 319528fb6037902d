"""Key findings and numbered recommendations: add, edit, reorder, delete."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from audit_app.core.access import allow
from audit_app.core.commit_point import discard_changes
from audit_app.core.errors import DomainError
from audit_app.core.roles import Role
from audit_app.core.web import db, parse_id, this_page
from audit_app.panel import findings
from audit_app.panel.blueprint import blueprint
from audit_app.panel.models import Finding, Recommendation
from audit_app.panel.pages import panel_audit, render_panel
from audit_app.questionnaires.definitions import COLUMN_LABELS


def _ids(name: str) -> list[int]:
    return [i for i in (parse_id(value) for value in request.form.getlist(name)) if i]


def _finding_draft() -> findings.FindingDraft:
    return findings.FindingDraft(
        column=request.form.get("column", ""),
        text=request.form.get("text", ""),
        theme_ids=_ids("theme_ids"),
        evidence_ids=_ids("evidence_ids"),
    )


def _recommendation_draft() -> findings.RecommendationDraft:
    return findings.RecommendationDraft(
        text=request.form.get("text", ""), finding_ids=_ids("finding_ids")
    )


def _version() -> int:
    seen = request.form.get("version", "")
    return int(seen) if seen.isdigit() else -1


def _common() -> dict[str, Any]:
    return {
        "column_labels": COLUMN_LABELS,
        "columns": findings.COLUMN_ORDER,
        "max_finding": findings.MAX_FINDING_LENGTH,
        "max_recommendation": findings.MAX_RECOMMENDATION_LENGTH,
        "typed": {},
        "typed_lists": {},
        "typed_form": None,
        "problem": None,
        "problem_field": None,
        "gone": False,
    }


def _problem(error: DomainError, prefix: str) -> dict[str, Any]:
    discard_changes()
    db().rollback()
    field = f"{prefix}-{error.field}" if error.field else None
    return {
        "problem": error.message,
        "problem_field": field,
        "problem_href": f"#{field}" if field else "#main-content",
        "typed": dict(request.form),
        "typed_lists": {name: request.form.getlist(name) for name in request.form},
        "typed_form": prefix,
    }


@blueprint.route("/findings", methods=["GET", "POST"], endpoint="findings")
@allow(Role.AUDIT_LEAD, Role.PANEL)
def findings_page(audit_id: int) -> str | Response:
    panel = panel_audit(audit_id)
    session = db()
    extra: dict[str, Any] = {}
    if request.method == "POST":
        action = request.form.get("action", "")
        try:
            if action == "add_recommendation":
                added = findings.add_recommendation(session, panel.audit, _recommendation_draft())
                flash(f"Recommendation {added.number} has been added.")
                anchor = f"recommendation-{added.id}"
            else:
                finding = findings.add_finding(session, panel.audit, _finding_draft())
                flash(f"The finding has been added to {COLUMN_LABELS[finding.column.value]}.")
                anchor = f"finding-{finding.id}"
        except DomainError as error:
            extra = _problem(
                error, "new-recommendation" if action == "add_recommendation" else "new-finding"
            )
        else:
            flash(this_page(), "saved-form")
            return redirect(url_for("panel.findings", audit_id=audit_id) + "#" + anchor)
    return render_panel(
        "panel/findings.html",
        panel,
        "panel.findings",
        page=findings.findings_page(session, panel.audit),
        **{**_common(), **extra},
    )


def _finding(audit_id: int, finding_id: int) -> Finding:
    finding = db().get(Finding, finding_id)
    if finding is None or finding.audit_id != audit_id:
        abort(404)
    return finding


def _recommendation(audit_id: int, recommendation_id: int) -> Recommendation:
    recommendation = db().get(Recommendation, recommendation_id)
    if recommendation is None or recommendation.audit_id != audit_id:
        abort(404)
    return recommendation


GONE = (
    "Someone else deleted this {thing} while you were editing it. Your words have not been "
    "saved: they are shown below, to add again if they are still needed."
)


def _gone(panel: Any, thing: str, prefix: str) -> str:
    """An edit sent for a finding or recommendation deleted meanwhile: the list page, with
    the words typed shown back (and put back in the "add" form)."""
    session = db()
    return render_panel(
        "panel/findings.html",
        panel,
        "panel.findings",
        page=findings.findings_page(session, panel.audit),
        **{
            **_common(),
            "problem": GONE.format(thing=thing),
            "problem_href": "#your-text",
            "typed": dict(request.form),
            "typed_lists": {name: request.form.getlist(name) for name in request.form},
            "typed_form": prefix,
            "gone": True,
        },
    )


def _exists(model: type, audit_id: int, thing_id: int) -> bool:
    thing = db().get(model, thing_id)
    return thing is not None and thing.audit_id == audit_id


@blueprint.route("/findings/<id:finding_id>", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD, Role.PANEL)
def finding(audit_id: int, finding_id: int) -> str | Response:
    panel = panel_audit(audit_id)
    session = db()
    if request.method == "POST" and not _exists(Finding, audit_id, finding_id):
        return _gone(panel, "finding", "new-finding")
    found = _finding(audit_id, finding_id)
    extra: dict[str, Any] = {}
    if request.method == "POST":
        try:
            findings.edit_finding(session, found, _version(), _finding_draft())
        except DomainError as error:
            extra = _problem(error, "finding")
            found = _finding(audit_id, finding_id)
        else:
            flash("The finding has been saved.")
            flash(this_page(), "saved-form")
            return redirect(url_for("panel.findings", audit_id=audit_id) + f"#finding-{found.id}")
    page = findings.findings_page(session, panel.audit)
    row = next(r for rows in page.columns.values() for r in rows if r.finding.id == found.id)
    return render_panel(
        "panel/finding.html", panel, "panel.findings", page=page, row=row, **{**_common(), **extra}
    )


@blueprint.route("/findings/<id:finding_id>/move", methods=["POST"])
@allow(Role.AUDIT_LEAD, Role.PANEL)
def finding_move(audit_id: int, finding_id: int) -> Response:
    panel_audit(audit_id)
    found = _finding(audit_id, finding_id)
    direction = request.form.get("direction", "")
    try:
        findings.move_finding(db(), found, direction)
    except DomainError as error:
        discard_changes()
        flash(error.message, "error")
    else:
        flash(f"The finding has been moved {'up' if direction == 'up' else 'down'}.")
    return redirect(url_for("panel.findings", audit_id=audit_id) + f"#finding-{found.id}")


@blueprint.route("/findings/<id:finding_id>/delete", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD, Role.PANEL)
def finding_delete(audit_id: int, finding_id: int) -> str | Response:
    panel = panel_audit(audit_id)
    found = _finding(audit_id, finding_id)
    if request.method == "POST":
        try:
            findings.delete_finding(db(), found, _version())
        except DomainError as error:
            discard_changes()
            flash(error.message, "error")
            return redirect(url_for("panel.finding", audit_id=audit_id, finding_id=finding_id))
        flash("The finding has been deleted.")
        return redirect(url_for("panel.findings", audit_id=audit_id))
    return render_panel(
        "panel/delete.html",
        panel,
        "panel.findings",
        thing="finding",
        words=found.text,
        version=found.version,
        note="Recommendations that answer it will no longer be linked to it.",
        back=url_for("panel.findings", audit_id=audit_id) + f"#finding-{found.id}",
    )


@blueprint.route("/recommendations/<id:recommendation_id>", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD, Role.PANEL)
def recommendation(audit_id: int, recommendation_id: int) -> str | Response:
    panel = panel_audit(audit_id)
    session = db()
    if request.method == "POST" and not _exists(Recommendation, audit_id, recommendation_id):
        return _gone(panel, "recommendation", "new-recommendation")
    found = _recommendation(audit_id, recommendation_id)
    extra: dict[str, Any] = {}
    if request.method == "POST":
        try:
            findings.edit_recommendation(session, found, _version(), _recommendation_draft())
        except DomainError as error:
            extra = _problem(error, "recommendation")
            found = _recommendation(audit_id, recommendation_id)
        else:
            flash(f"Recommendation {found.number} has been saved.")
            flash(this_page(), "saved-form")
            return redirect(
                url_for("panel.findings", audit_id=audit_id) + f"#recommendation-{found.id}"
            )
    page = findings.findings_page(session, panel.audit)
    row = next(r for r in page.recommendations if r.recommendation.id == found.id)
    return render_panel(
        "panel/recommendation.html",
        panel,
        "panel.findings",
        page=page,
        row=row,
        **{**_common(), **extra},
    )


@blueprint.route("/recommendations/<id:recommendation_id>/move", methods=["POST"])
@allow(Role.AUDIT_LEAD, Role.PANEL)
def recommendation_move(audit_id: int, recommendation_id: int) -> Response:
    panel_audit(audit_id)
    found = _recommendation(audit_id, recommendation_id)
    direction = request.form.get("direction", "")
    was = found.number
    try:
        findings.move_recommendation(db(), found, direction)
    except DomainError as error:
        discard_changes()
        flash(error.message, "error")
    else:
        flash(f"Recommendation {was} is now recommendation {found.number}.")
    return redirect(url_for("panel.findings", audit_id=audit_id) + f"#recommendation-{found.id}")


@blueprint.route("/recommendations/<id:recommendation_id>/delete", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD, Role.PANEL)
def recommendation_delete(audit_id: int, recommendation_id: int) -> str | Response:
    panel = panel_audit(audit_id)
    found = _recommendation(audit_id, recommendation_id)
    if request.method == "POST":
        number = found.number
        try:
            findings.delete_recommendation(db(), found, _version())
        except DomainError as error:
            discard_changes()
            flash(error.message, "error")
            return redirect(
                url_for("panel.findings", audit_id=audit_id) + f"#recommendation-{found.id}"
            )
        flash(f"Recommendation {number} has been deleted; the others have been renumbered.")
        return redirect(url_for("panel.findings", audit_id=audit_id) + "#recommendations")
    return render_panel(
        "panel/delete.html",
        panel,
        "panel.findings",
        thing=f"recommendation {found.number}",
        words=found.text,
        version=found.version,
        note="The recommendations after it will be renumbered.",
        back=url_for("panel.findings", audit_id=audit_id) + f"#recommendation-{found.id}",
    )
