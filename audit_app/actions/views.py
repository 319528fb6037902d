"""The action plan's pages: an audit's plan, writing an action with the SMART check, an
action's page (its chain back to the evidence, its updates and history), moving it on, a
progress update, and "My actions"."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from audit_app.accounts.memberships import holds
from audit_app.actions import dashboard, evidence_files, plan, reaudit, smart
from audit_app.actions.models import Action, ActionEvidenceFile
from audit_app.actions.rag import RAG_RULE, Rag, UpdateStatus, days_open, days_overdue
from audit_app.actions.smart import ActionDraft, SmartWords
from audit_app.actions.states import (
    ActionState,
    Actor,
    Effectiveness,
    Move,
    MoveDetails,
    MoveProblem,
    moves_for,
)
from audit_app.actions.trace import trace_of
from audit_app.agencies.models import Agency
from audit_app.audits.models import Audit, AuditStatus
from audit_app.core.access import allow, signed_in
from audit_app.core.commit_point import discard_changes
from audit_app.core.errors import DomainError
from audit_app.core.models import today
from audit_app.core.roles import Role
from audit_app.core.web import db, parse_id, this_page
from audit_app.panel.models import Recommendation
from audit_app.panel.pages import load_audit, svg_response

blueprint = Blueprint("actions", __name__, template_folder="templates")

WRITERS = (Role.AUDIT_LEAD, Role.PANEL)
EDITABLE = frozenset({ActionState.DRAFT, ActionState.OPEN, ActionState.AWAITING_SIGN_OFF})
CLOSED = "This audit is closed: its action plan can be read but not changed."


@cache
def _words_from(path: str) -> SmartWords:
    return smart.load_words(Path(path) if path else None)


def words() -> SmartWords:
    """The SMART check's word lists: the partnership's own (``AUDIT_SMART_WORDS``) or the
    shipped ones."""
    return _words_from(current_app.config.get("AUDIT_SMART_WORDS") or "")


def writes_plan(audit: Audit) -> bool:
    return any(holds(current_user, role, audit.id) for role in WRITERS)


def actor_for(action: Action) -> Actor:
    return Actor(
        user_id=current_user.id,
        writes_plan=writes_plan(action.audit),
        on_subgroup=holds(current_user, Role.SUBGROUP),
        owns=action.owner_id == current_user.id,
    )


def _open_audit(audit_id: int, action_id: int | None = None) -> Audit:
    """The audit; a change to a closed audit's plan goes back (to the action's page, which
    its owner may read, or to the plan), saying why."""
    audit = load_audit(audit_id)
    if audit.status is AuditStatus.CLOSED and request.method not in ("GET", "HEAD"):
        flash(CLOSED, "error")
        if action_id is not None:
            abort(redirect(url_for("actions.action", audit_id=audit.id, action_id=action_id)))
        abort(redirect(url_for("actions.plan", audit_id=audit.id)))
    return audit


def _action(audit: Audit, action_id: int) -> Action:
    """The audit's action, for someone who may read it: the panel and the lead, the
    subgroup, and its owner. Anyone else is told it is not found."""
    action = db().get(Action, action_id)
    if action is None or action.audit_id != audit.id:
        abort(404)
    if not (
        writes_plan(audit)
        or holds(current_user, Role.SUBGROUP)
        or action.owner_id == current_user.id
    ):
        abort(404)
    return action


def _recommendation(audit: Audit, recommendation_id: int) -> Recommendation:
    found = db().get(Recommendation, recommendation_id)
    if found is None or found.audit_id != audit.id:
        abort(404)
    return found


# --- The form ---------------------------------------------------------------------------------


def _date(prefix: str) -> tuple[date | None, bool]:
    """A GOV.UK date input's date, and whether something was typed that is not a date."""
    parts = [request.form.get(f"{prefix}-{part}", "").strip() for part in ("day", "month", "year")]
    if not any(parts):
        return None, False
    if not all(part.isdigit() for part in parts):
        return None, True
    day, month, year = (int(part) for part in parts)
    try:
        return (date(year, month, day), False) if 2000 <= year <= 2100 else (None, True)
    except ValueError:
        return None, True


def _draft() -> ActionDraft:
    start, start_typed = _date("start_date")
    target, target_typed = _date("target_date")
    by_account = request.form.get("owner_kind", "account") == "account"
    return ActionDraft(
        what=request.form.get("what", ""),
        success_measure=request.form.get("success_measure", ""),
        lead_agency_id=parse_id(request.form.get("lead_agency", "")),
        owner_id=parse_id(request.form.get("owner", "")) if by_account else None,
        owner_name="" if by_account else request.form.get("owner_name", ""),
        owner_email="" if by_account else request.form.get("owner_email", ""),
        start_date=start,
        target_date=target,
        priority=request.form.get("priority", ""),
        override_reason=request.form.get("override_reason", ""),
        dates_typed={"start_date": start_typed, "target_date": target_typed},
    )


def _by_field(problems: list[smart.Problem]) -> dict[str, list[smart.Problem]]:
    found: dict[str, list[smart.Problem]] = {}
    for problem in problems:
        found.setdefault(problem.field, []).append(problem)
    return found


def _form_context(audit: Audit) -> dict[str, Any]:
    session = db()
    return {
        "agencies": session.scalars(
            select(Agency).where(Agency.is_active.is_(True)).order_by(Agency.name)
        ).all(),
        "people": plan.possible_owners(session),
        "max_what": smart.MAX_WHAT,
        "max_measure": smart.MAX_MEASURE,
        "max_reason": smart.MAX_REASON,
    }


def _render_form(
    audit: Audit,
    recommendation: Recommendation,
    action: Action | None,
    typed: Any = None,
    problems: list[smart.Problem] | None = None,
    warnings: list[smart.Problem] | None = None,
    conflict: str | None = None,
) -> str:
    problems = problems or []
    if typed is not None and typed.get("owner_kind") == "invite":
        # "No owner" when inviting someone: the name to invite is what is missing.
        problems = [replace(p, field="owner_name") if p.field == "owner" else p for p in problems]
    if typed is not None and not conflict:
        values = {name: typed.get(name, "") for name in typed}
    else:
        values = _saved_values(action)
    return render_template(
        "actions/form.html",
        audit=audit,
        recommendation=recommendation,
        action=action,
        typed=typed,
        values=values,
        problems=_by_field([*problems, *(warnings or [])]),
        error_list=[
            {"text": p.message, "href": f"#{_field_id(p.field)}"} for p in problems if p.refused
        ],
        conflict=conflict,
        **_form_context(audit),
    )


def _saved_values(action: Action | None) -> dict[str, str]:
    """The form's fields as the saved action fills them (a new action: the defaults)."""
    if action is None:
        return {"owner_kind": "account", "priority": "medium"}
    values = {
        "what": action.description,
        "success_measure": action.success_measure,
        "lead_agency": str(action.lead_agency_id or ""),
        "owner_kind": "invite" if action.owner_id is None and action.invitee_name else "account",
        "owner": str(action.owner_id or ""),
        "owner_name": action.invitee_name,
        "owner_email": action.invitee_email,
        "priority": action.priority.value,
        "override_reason": action.smart_override_reason,
    }
    for name, when in (("start_date", action.start_date), ("target_date", action.target_date)):
        if when is not None:
            values |= {f"{name}-day": str(when.day), f"{name}-month": str(when.month),
                       f"{name}-year": str(when.year)}  # fmt: skip
    return values


def _field_id(field: str) -> str:
    return {
        "start_date": "start_date-day",
        "target_date": "target_date-day",
        "owner": "owner",
        "lead_agency": "lead_agency",
    }.get(field, field)


@blueprint.route("/audits/<id:audit_id>/action-plan", endpoint="plan")
@allow(Role.AUDIT_LEAD, Role.PANEL, Role.SUBGROUP)
def plan_page(audit_id: int) -> str:
    audit = load_audit(audit_id)
    session = db()
    recommendations = session.scalars(
        select(Recommendation)
        .where(Recommendation.audit_id == audit.id)
        .order_by(Recommendation.number)
    ).all()
    by_recommendation: dict[int, list[Action]] = {}
    for action in plan.actions_of(session, audit.id):
        by_recommendation.setdefault(action.recommendation_id, []).append(action)
    return render_template(
        "actions/plan.html",
        audit=audit,
        recommendations=recommendations,
        comparisons={r.id: reaudit.then_and_now(session, r) for r in recommendations},
        may_plan_reaudit=audit.status is not AuditStatus.CLOSED,
        actions=by_recommendation,
        writes=writes_plan(audit) and audit.status is not AuditStatus.CLOSED,
        today=today(),
        rag_rule=RAG_RULE,
    )


@blueprint.route(
    "/audits/<id:audit_id>/recommendations/<id:recommendation_id>/actions/new",
    methods=["GET", "POST"],
)
@allow(Role.AUDIT_LEAD, Role.PANEL)
def new(audit_id: int, recommendation_id: int) -> str | Response:
    audit = _open_audit(audit_id)
    recommendation = _recommendation(audit, recommendation_id)
    if request.method == "GET":
        return _render_form(audit, recommendation, None)
    draft = _draft()
    try:
        action = plan.add_action(db(), audit, recommendation, draft, current_user, words(), today())
    except plan.ActionRefused as refused:
        discard_changes()
        warnings = smart.warnings_of(draft, words(), today())
        return _render_form(audit, recommendation, None, request.form, refused.problems, warnings)
    flash(f"The action has been added to recommendation {recommendation.number} as a draft.")
    flash(this_page(), "saved-form")
    return redirect(url_for("actions.action", audit_id=audit.id, action_id=action.id))


@blueprint.route("/audits/<id:audit_id>/actions/check", methods=["POST"])
@allow(Role.AUDIT_LEAD, Role.PANEL)
def check(audit_id: int) -> Response:
    """The SMART check of the form as typed so far (for the page's script, as they write):
    each problem by field, nothing saved."""
    load_audit(audit_id)
    draft = _draft()
    problems = smart.check(draft, words(), today())
    typed_fields = {name for name, value in request.form.items() if value.strip()}
    return jsonify(
        {
            "problems": [
                {"field": p.field, "message": p.message, "severity": p.severity.value}
                for p in problems
                # As they write: only about what they have reached, not every empty field.
                if not p.refused or p.field in typed_fields or f"{p.field}-day" in typed_fields
            ]
        }
    )


@blueprint.route("/audits/<id:audit_id>/actions/<id:action_id>/edit", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD, Role.PANEL)
def edit(audit_id: int, action_id: int) -> str | Response:
    audit = _open_audit(audit_id)
    action = _action(audit, action_id)
    recommendation = action.recommendation
    if request.method == "GET":
        return _render_form(audit, recommendation, action)
    draft = _draft()
    seen = request.form.get("version", "")
    try:
        plan.edit_action(db(), action, int(seen) if seen.isdigit() else -1, draft, words(), today())
    except plan.ActionConflict as conflict:
        discard_changes()
        db().rollback()
        action = _action(audit, action_id)
        return _render_form(audit, recommendation, action, request.form, conflict=conflict.message)
    except plan.ActionRefused as refused:
        discard_changes()
        db().rollback()
        action = _action(audit, action_id)
        warnings = smart.warnings_of(draft, words(), today())
        return _render_form(audit, recommendation, action, request.form, refused.problems, warnings)
    except DomainError as error:
        discard_changes()
        flash(error.message, "error")
        return redirect(url_for("actions.action", audit_id=audit.id, action_id=action.id))
    flash("The action has been saved.")
    flash(this_page(), "saved-form")
    return redirect(url_for("actions.action", audit_id=audit.id, action_id=action.id))


# --- An action's page -------------------------------------------------------------------------


@blueprint.route("/audits/<id:audit_id>/actions/<id:action_id>")
@signed_in
def action(audit_id: int, action_id: int) -> str:
    audit = load_audit(audit_id)
    found = _action(audit, action_id)
    actor = actor_for(found)
    now = today()
    closed = audit.status is AuditStatus.CLOSED
    return render_template(
        "actions/action.html",
        audit=audit,
        action=found,
        rag=found.rag(now),
        rag_rule=RAG_RULE,
        days_overdue=days_overdue(found.state, found.target_date, now),
        days_open=days_open(found.opened_on, found.ended_on, now),
        moves=[] if closed else moves_for(found.state, actor),
        may_update=not closed and found.state.takes_updates and (actor.owns or actor.on_subgroup),
        may_edit=not closed and actor.writes_plan and found.state in EDITABLE,
        trace=trace_of(db(), found),
        comparisons=reaudit.then_and_now(db(), found.recommendation),
        reads_plan=actor.writes_plan or actor.on_subgroup,
        writes=actor.writes_plan,
    )


@blueprint.route(
    "/audits/<id:audit_id>/actions/<id:action_id>/move/<move>", methods=["GET", "POST"]
)
@signed_in
def move(audit_id: int, action_id: int, move: str) -> str | Response:
    audit = _open_audit(audit_id, action_id)
    found = _action(audit, action_id)
    try:
        chosen = Move(move)
    except ValueError:
        abort(404)
    actor = actor_for(found)
    back = url_for("actions.action", audit_id=audit.id, action_id=found.id)
    problems: dict[str, str] = {}
    if chosen not in moves_for(found.state, actor):
        if request.method != "POST":
            flash(
                f"'{chosen.label}' is not open to you on this action while it is "
                f"{found.state.label.lower()}.",
                "error",
            )
            return redirect(back)
        # Moved on by someone else since the page was read: what was typed is shown back.
        discard_changes()
        problems = {
            "move": f"This action is now {found.state.label.lower()}: it cannot be "
            f"{chosen.past.lower()}. What you typed has not been saved; it is shown below."
        }
    elif request.method == "POST":
        re_audit, re_audit_typed = _date("re_audit_on")
        details = MoveDetails(
            evidence_of_completion=request.form.get("evidence_of_completion", ""),
            effectiveness=request.form.get("effectiveness", ""),
            evidence_of_impact=request.form.get("evidence_of_impact", ""),
            re_audit_on=re_audit,
            reason=request.form.get("reason", ""),
        )
        seen = request.form.get("version", "")
        try:
            if re_audit_typed:
                raise plan.MoveRefused(
                    [MoveProblem("re_audit_on", "The re-audit date must be a real date")]
                )
            plan.move_action(
                db(), found, int(seen) if seen.isdigit() else -1, chosen, actor, details,
                current_user, today(),
            )  # fmt: skip
        except plan.ActionConflict as conflict:
            discard_changes()
            db().rollback()  # to read the action as the other person left it
            found = _action(audit, action_id)
            problems = {"move": conflict.message}
        except plan.MoveRefused as refused:
            discard_changes()
            problems = {p.field: p.message for p in refused.problems}
        else:
            flash(f"The action is now: {found.state.label.lower()}.")
            return redirect(back)
    return render_template(
        "actions/move.html",
        audit=audit,
        action=found,
        move=chosen,
        problems=problems,
        typed=request.form if request.method == "POST" else None,
        effectiveness=list(Effectiveness),
        offered=chosen in moves_for(found.state, actor_for(found)),
        back=back,
    )


@blueprint.route(
    "/audits/<id:audit_id>/actions/<id:action_id>/updates/new", methods=["GET", "POST"]
)
@signed_in
def update(audit_id: int, action_id: int) -> str | Response:
    audit = _open_audit(audit_id, action_id)
    found = _action(audit, action_id)
    actor = actor_for(found)
    back = url_for("actions.action", audit_id=audit.id, action_id=found.id)
    if not (actor.owns or actor.on_subgroup):
        flash("Progress updates are added by the action's owner and the subgroup.", "error")
        return redirect(back)
    problem: DomainError | None = None
    if request.method == "POST":
        try:
            uploads = [
                (upload.filename or "", upload.read(evidence_files.MAX_FILE_BYTES + 1))
                for upload in request.files.getlist("files")
                if upload.filename
            ]
            checked = evidence_files.check_files(uploads)
            plan.add_update(
                db(), found, request.form.get("status", ""), request.form.get("progress", ""),
                current_user, checked,
            )  # fmt: skip
        except evidence_files.EvidenceRefused as refused:
            discard_changes()
            problem = DomainError(refused.message, "files")
        except DomainError as error:
            discard_changes()
            problem = error
        else:
            folder = evidence_folder()
            for one in checked:
                evidence_files.store(folder, one)
            flash("Your progress update has been added.")
            flash(this_page(), "saved-form")
            return redirect(back + "#updates")
    return render_template(
        "actions/update.html",
        audit=audit,
        action=found,
        statuses=list(UpdateStatus),
        update_problem=problem,
        typed=request.form if request.method == "POST" else None,
        max_progress=plan.MAX_PROGRESS,
        max_files=evidence_files.MAX_FILES,
        max_file_mb=evidence_files.MAX_FILE_BYTES // 1048576,
        back=back,
    )


def evidence_folder() -> Path:
    """Where evidence files are kept: ``AUDIT_EVIDENCE_DIR``, or ``evidence/`` in the
    instance folder beside the embedded database."""
    configured = current_app.config.get("AUDIT_EVIDENCE_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "evidence"


@blueprint.route("/audits/<id:audit_id>/actions/<id:action_id>/files/<id:file_id>")
@signed_in
def evidence_file(audit_id: int, action_id: int, file_id: int) -> Response:
    """An evidence file, for those who may read the action: always downloaded, never shown
    in the browser, with the type its content was found to have."""
    audit = load_audit(audit_id)
    found = _action(audit, action_id)
    kept = db().get(ActionEvidenceFile, file_id)
    if kept is None or kept.action_id != found.id:
        abort(404)
    data = evidence_files.read(evidence_folder(), kept.sha256)
    if data is None:
        abort(404)
    response = Response(data, mimetype=kept.content_type)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(kept.name)}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- My actions -------------------------------------------------------------------------------


@blueprint.route("/my-actions")
@signed_in
def mine() -> str:
    session = db()
    owned = session.scalars(
        select(Action)
        .where(Action.owner_id == current_user.id)
        .options(
            selectinload(Action.audit),
            selectinload(Action.recommendation),
            selectinload(Action.updates),
        )
        .order_by(Action.target_date, Action.id)
    ).all()
    now = today()
    return render_template(
        "actions/mine.html",
        rows=[(a, a.rag(now), days_overdue(a.state, a.target_date, now)) for a in owned],
        rag_rule=RAG_RULE,
    )


# --- The subgroup's dashboard -----------------------------------------------------------------


def _filters() -> dashboard.Filters:
    state = request.args.get("state", "")
    rag = request.args.get("rag", "")
    return dashboard.Filters(
        audit_id=parse_id(request.args.get("audit", "")),
        lead_agency_id=parse_id(request.args.get("agency", "")),
        state=ActionState(state) if state in {s.value for s in ActionState} else None,
        rag=Rag(rag) if rag in {r.value for r in Rag} else None,
    )


@blueprint.route("/action-plans", endpoint="dashboard")
@allow(Role.SUBGROUP, Role.AUDIT_LEAD, partnership=True)
def dashboard_page() -> str:
    session = db()
    actions = dashboard.all_actions(session)
    filters = _filters()
    now = today()
    found = dashboard.dashboard(actions, filters, now)
    chart = dashboard.rag_over_time([row.action for row in found.rows], now)
    agencies = sorted(
        {a.lead_agency for a in actions if a.lead_agency is not None}, key=lambda a: a.name
    )
    return render_template(
        "actions/dashboard.html",
        board=found,
        filters=filters,
        agencies=agencies,
        states=[s for s in ActionState if s is not ActionState.DRAFT],
        rags=list(Rag),
        chart=chart,
        chart_query=request.query_string.decode("ascii", "ignore"),
        rag_rule=RAG_RULE,
        quiet_days=dashboard.QUIET_DAYS,
        due_days=dashboard.DUE_SOON_DAYS,
    )


@blueprint.route("/action-plans/rag-over-time.svg")
@allow(Role.SUBGROUP, Role.AUDIT_LEAD, partnership=True)
def rag_chart() -> Response:
    found = dashboard.dashboard(dashboard.all_actions(db()), _filters(), today())
    return svg_response(dashboard.rag_over_time([row.action for row in found.rows], today()))


# --- A recommendation's re-audit --------------------------------------------------------------


@blueprint.route(
    "/audits/<id:audit_id>/recommendations/<id:recommendation_id>/re-audit",
    methods=["GET", "POST"],
)
@allow(Role.AUDIT_LEAD, Role.PANEL, Role.SUBGROUP)
def reaudit_page(audit_id: int, recommendation_id: int) -> str | Response:
    audit = _open_audit(audit_id)
    recommendation = _recommendation(audit, recommendation_id)
    problem: DomainError | None = None
    typed = None
    if request.method == "POST":
        by, by_typed = _date("by")
        typed = request.form
        seen = request.form.get("version", "")
        try:
            if by_typed:
                raise DomainError("The re-audit date must be a real date", "by")
            reaudit.save_plan(
                db(),
                recommendation,
                int(seen) if seen.isdigit() else -1,
                reaudit.ReauditPlan(
                    by=by,
                    how=request.form.get("how", ""),
                    question_ids=request.form.getlist("question_ids"),
                    audit_id=parse_id(request.form.get("audit_id", "")),
                ),
            )
        except DomainError as error:
            discard_changes()
            db().rollback()
            recommendation = _recommendation(audit, recommendation_id)
            problem = error
        else:
            flash(f"The re-audit of recommendation {recommendation.number} has been saved.")
            flash(this_page(), "saved-form")
            return redirect(
                url_for("actions.plan", audit_id=audit.id) + f"#recommendation-{recommendation.id}"
            )
    return render_template(
        "actions/reaudit.html",
        audit=audit,
        recommendation=recommendation,
        questions=reaudit.graded_questions(audit),
        later=reaudit.later_audits(db(), audit),
        problem=problem,
        typed=typed,
        max_how=reaudit.MAX_HOW,
    )
