"""The panel's pages for each child: the children of the audit, and one child side by side
(every agency's answers, the scalings and their spread, the chronology, the agreed grade)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovRadioInput, GovSubmitInput
from werkzeug.wrappers import Response
from wtforms import HiddenField, RadioField, SubmitField, TextAreaField

from audit_app.charts import Chart, TimelineEvent, timeline
from audit_app.core.access import allow
from audit_app.core.commit_point import discard_changes
from audit_app.core.error_pages import EXPIRED_FORM, on_expired_form
from audit_app.core.errors import DomainError
from audit_app.core.forms import attach_error
from audit_app.core.roles import Role
from audit_app.core.web import db
from audit_app.panel import children as rules
from audit_app.panel.blueprint import blueprint
from audit_app.panel.pages import panel_audit, render_panel, svg_response
from audit_app.panel.reading import PanelAudit


class AgreedGradeForm(FlaskForm):
    """The panel's agreed grade for a child: a grade of the overall question's scale and the
    reasons. The domain checks both (and says which field is wrong)."""

    version = HiddenField()
    agreed_grade = RadioField(
        "The panel's agreed grade",
        description="The grade the panel agreed, having read every agency's answers and grades.",
        widget=GovRadioInput(),
        validate_choice=False,
    )
    rationale = TextAreaField("Why the panel agreed this grade", widget=GovCharacterCount())
    submit = SubmitField("Save the agreed grade", widget=GovSubmitInput())


@blueprint.route("/children")
@allow(Role.AUDIT_LEAD, Role.PANEL)
def children(audit_id: int) -> str:
    panel = panel_audit(audit_id)
    return render_panel(
        "panel/children.html",
        panel,
        "panel.children",
        listing=rules.list_children(db(), panel),
        spread_flag=rules.SPREAD_FLAG,
    )


@blueprint.route("/children/<id:member_id>")
@allow(Role.AUDIT_LEAD, Role.PANEL)
def child(audit_id: int, member_id: int) -> str:
    panel = panel_audit(audit_id)
    member = panel.member(member_id) or abort(404)
    side = rules.read_child(db(), panel, member)
    form = AgreedGradeForm()
    _fill(form, side, panel)
    return _render_child(panel, side, form)


@blueprint.route("/children/<id:member_id>/grade", methods=["POST"])
@allow(Role.AUDIT_LEAD, Role.PANEL)
def agree_grade(audit_id: int, member_id: int) -> str | Response:
    session = db()
    panel = panel_audit(audit_id)
    member = panel.member(member_id) or abort(404)
    question = rules.overall_question(panel.definition) or abort(404)
    form = AgreedGradeForm()
    seen = form.version.data or ""
    typed: dict[str, Any] | None = None
    problem = None
    if form.validate_on_submit():
        try:
            rules.agree_grade(
                session,
                member,
                question,
                panel.scales,
                int(seen) if seen.isdigit() else -1,
                form.agreed_grade.data or "",
                form.rationale.data or "",
                current_user,
            )
        except rules.AgreedGradeConflict as conflict:
            discard_changes()
            session.rollback()  # to read the grade as the other person left it
            problem = conflict.message
            typed = {
                "agreed_grade": dict(rules.grade_choices(question, panel.scales)).get(
                    form.agreed_grade.data or "", "None chosen"
                ),
                "rationale": form.rationale.data or "",
            }
            side = rules.read_child(session, panel, member)
            fresh = AgreedGradeForm(formdata=None)
            _fill(fresh, side, panel)
            return _render_child(
                panel, side, fresh, problem=problem, problem_href="#your-text", typed=typed
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            page_url = url_for("panel.child", audit_id=audit_id, member_id=member.id)
            flash(page_url, "saved-form")  # the page's script forgets its kept copy
            flash(f"The panel's agreed grade for {member.code} has been saved.")
            return redirect(page_url + "#agreed")
    side = rules.read_child(session, panel, member)
    form.agreed_grade.choices = rules.grade_choices(question, panel.scales)
    return _render_child(panel, side, form)


@on_expired_form("panel.agree_grade")
def agree_grade_expired(audit_id: int, member_id: int) -> str:
    """The agreed grade sent with an expired token: shown again as sent, not saved, with the
    version the page was read at (so saving it again still notices a colleague's save)."""
    discard_changes()
    panel = panel_audit(audit_id)
    member = panel.member(member_id) or abort(404)
    question = rules.overall_question(panel.definition) or abort(404)
    form = AgreedGradeForm()
    form.agreed_grade.choices = rules.grade_choices(question, panel.scales)
    side = rules.read_child(db(), panel, member)
    return _render_child(panel, side, form, problem=EXPIRED_FORM, problem_href="#rationale")


def _fill(form: AgreedGradeForm, side: rules.ChildSideBySide, panel: PanelAudit) -> None:
    """The form as saved: the agreed grade and its reasons, and the version read."""
    if side.overall is None:
        return
    form.agreed_grade.choices = rules.grade_choices(side.overall, panel.scales)
    agreed = side.agreed.grade if side.agreed else None
    form.version.data = str(agreed.version if agreed else 0)
    form.agreed_grade.data = agreed.grade if agreed else None
    form.rationale.data = agreed.rationale if agreed else ""


def _timeline(side: rules.ChildSideBySide) -> Chart | None:
    """The child's multi-agency chronology as a timeline (drawn only when asked for)."""
    if not side.chronology:
        return None
    return timeline(
        f"Multi-agency chronology for {side.member.code}",
        [
            TimelineEvent(
                row.happened_on, row.agency.short_name, row.what_happened, row.missed_opportunity
            )
            for row in side.chronology
        ],
    )


@blueprint.route("/children/<id:member_id>/chronology.svg")
@allow(Role.AUDIT_LEAD, Role.PANEL)
def child_timeline(audit_id: int, member_id: int) -> Response:
    """The timeline picture of a child's chronology (the child's page shows its figures)."""
    panel = panel_audit(audit_id)
    member = panel.member(member_id) or abort(404)
    picture = _timeline(rules.read_child(db(), panel, member)) or abort(404)
    return svg_response(picture)


def _render_child(
    panel: PanelAudit,
    side: rules.ChildSideBySide,
    form: AgreedGradeForm,
    *,
    problem: str | None = None,
    problem_href: str = "#main-content",
    typed: dict[str, Any] | None = None,
) -> str:
    picture = _timeline(side)
    return render_panel(
        "panel/child.html",
        panel,
        "panel.children",
        side=side,
        form=form,
        picture=picture,
        problem=problem,
        problem_href=problem_href,
        typed=typed,
        max_rationale=rules.MAX_RATIONALE,
        spread_flag=rules.SPREAD_FLAG,
        shows_saved=request.method == "GET",
    )
