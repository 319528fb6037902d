"""The audit lead's pages for an audit: the audit page, details, agencies, panel, status."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from audit_app.accounts import memberships
from audit_app.accounts.models import Membership, User
from audit_app.agencies.models import Agency
from audit_app.audits.forms import (
    AgencyChoiceForm,
    AgencyLinkForm,
    AuditDetailsForm,
    MoveForm,
    PanelForm,
)
from audit_app.audits.lifecycle import (
    MOVE_LABELS,
    MOVES,
    AuditDetails,
    move,
    readiness,
    save_agency_link,
    save_details,
    set_agencies,
    set_panel,
    share_with_panel,
)
from audit_app.audits.models import Audit, AuditStatus
from audit_app.cohort.sampling import reproduce_command
from audit_app.cohort.selection import current_draw, current_population, mapping_of, recorded_draw
from audit_app.core.access import allow
from audit_app.core.errors import DomainError
from audit_app.core.forms import attach_error
from audit_app.core.models import today
from audit_app.core.notifications import smtp_settings
from audit_app.core.roles import Role
from audit_app.core.web import db, parse_id
from audit_app.questionnaires import library as template_library
from audit_app.returns.tracking import returns_matrix, returns_started

blueprint = Blueprint("audits", __name__, url_prefix="/audits", template_folder="templates")


def _audit(audit_id: int, *, with_people: bool = False) -> Audit:
    """The audit, or 404; ``with_people`` loads its agencies and panel, for the pages that
    list them, in two statements."""
    options = (
        [
            selectinload(Audit.agencies),
            selectinload(Audit.panel_members).joinedload(Membership.user),
        ]
        if with_people
        else []
    )
    return db().get(Audit, audit_id, options=options) or abort(404)


@blueprint.route("")
@allow(Role.AUDIT_LEAD)
def index() -> str:
    query = select(Audit).order_by(Audit.created_at.desc(), Audit.id.desc())
    if not memberships.leads_partnership(current_user):
        query = query.where(Audit.id.in_(memberships.led_audit_ids(current_user)))
    return render_template(
        "audits/index.html",
        audits=list(db().scalars(query)),
        may_add=memberships.leads_partnership(current_user),
    )


@blueprint.route("/<id:audit_id>")
@allow(Role.AUDIT_LEAD)
def show(audit_id: int) -> str:
    audit = _audit(audit_id, with_people=True)
    session = db()
    draw = current_draw(session, audit)
    stored = current_population(session, audit)
    command = None
    mapping = mapping_of(stored) if stored is not None else None
    if draw is not None and mapping is not None and stored is not None:
        command = reproduce_command(stored.filename, mapping, recorded_draw(draw))
    matrix = returns_matrix(session, audit) if audit.status is not AuditStatus.DRAFT else None
    return render_template(
        "audits/show.html",
        audit=audit,
        draw=draw,
        population=stored,
        command=command,
        readiness=readiness(audit),
        moves=[(to, MOVE_LABELS[(audit.status, to)]) for to in MOVES[audit.status]],
        matrix=matrix,
        today=today(),
        returns_started=returns_started(session, audit),
        email_on=smtp_settings(current_app.config) is not None,
    )


def _template_choices(pinned_id: int | None = None) -> list[dict[str, object]]:
    """The latest version of each template (and the audit's own, if older), with what
    an audit lead needs to choose: its purpose, its size and a link to preview it."""
    items: list[dict[str, object]] = []
    for summary in template_library.list_templates(db()):
        versions = [summary.latest] + [
            v for v in summary.template.versions if v.id == pinned_id and v is not summary.latest
        ]
        for version in versions:
            definition = template_library.definition_of(version)
            preview = url_for("audit_templates.preview", version_id=version.id)
            hint = Markup(
                '{purpose} {count} questions. <a class="govuk-link" href="{href}" '
                'target="_blank" rel="noopener">Preview this template (opens in new tab)</a>'
            ).format(purpose=version.purpose, count=len(definition.questions), href=preview)
            items.append(
                {
                    "value": str(version.id),
                    "text": f"{summary.template.title}, version {version.version_label}",
                    "hint": {"html": hint},
                }
            )
    return items


def _details(form: AuditDetailsForm) -> AuditDetails:
    return AuditDetails(
        title=form.title.data or "",
        theme=form.theme.data or "",
        terms_of_reference=form.terms_of_reference.data or "",
        question=form.question.data or "",
        scope_criteria=form.scope_criteria.data or "",
        period_start=form.period_start.data,
        period_end=form.period_end.data,
        template_version_id=parse_id(form.template_version_id.data),
        return_deadline=form.return_deadline.data,
        panel_date=form.panel_date.data,
    )


@blueprint.route("/new", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD, partnership=True)
def new() -> str | Response:
    form = AuditDetailsForm()
    items = _template_choices()
    form.template_version_id.choices = [(item["value"], item["text"]) for item in items]
    if form.validate_on_submit():
        try:
            audit = save_details(db(), None, _details(form), lead=current_user)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(f"The audit '{audit.title}' has been set up as a draft.")
            return redirect(url_for("audits.show", audit_id=audit.id))
    return render_template("audits/details.html", form=form, audit=None, template_items=items)


@blueprint.route("/<id:audit_id>/details", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD)
def details(audit_id: int) -> str | Response:
    audit = _audit(audit_id)
    form = AuditDetailsForm(obj=audit)
    items = _template_choices(audit.template_version_id)
    form.template_version_id.choices = [(item["value"], item["text"]) for item in items]
    if request.method == "GET":
        form.template_version_id.data = str(audit.template_version_id or "")
    if form.validate_on_submit():
        try:
            save_details(db(), audit, _details(form))
        except DomainError as error:
            attach_error(form, error)
        else:
            flash("The audit's details have been saved.")
            return redirect(url_for("audits.show", audit_id=audit.id))
    return render_template("audits/details.html", form=form, audit=audit, template_items=items)


@blueprint.route("/<id:audit_id>/share", methods=["POST"])
@allow(Role.AUDIT_LEAD)
def share(audit_id: int) -> Response:
    """Share the returns with the audit's panel."""
    audit = _audit(audit_id)
    try:
        share_with_panel(db(), audit, current_user.id)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash("The returns have been shared with the panel.")
    return redirect(url_for("audits.show", audit_id=audit.id) + "#panel-work")


@blueprint.route("/<id:audit_id>/agencies", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD)
def agencies(audit_id: int) -> str | Response:
    audit = _audit(audit_id)
    form = AgencyChoiceForm()
    chosen = {link.agency_id for link in audit.agencies}
    form.agency_ids.choices = [
        (str(agency.id), agency.name)
        for agency in db().scalars(select(Agency).order_by(Agency.name))
        if agency.is_active or agency.id in chosen
    ]
    if request.method == "GET":
        form.agency_ids.data = [str(agency_id) for agency_id in chosen]
    if form.validate_on_submit():
        ids = [parse_id(value) for value in form.agency_ids.data or []]
        try:
            set_agencies(db(), audit, [i for i in ids if i is not None])
        except DomainError as error:
            attach_error(form, error)
        else:
            flash("The agencies taking part have been saved.")
            return redirect(url_for("audits.show", audit_id=audit.id))
    return render_template("audits/agencies.html", form=form, audit=audit)


@blueprint.route("/<id:audit_id>/agencies/<id:agency_id>", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD)
def agency_link(audit_id: int, agency_id: int) -> str | Response:
    audit = _audit(audit_id)
    link = next((lk for lk in audit.agencies if lk.agency_id == agency_id), None) or abort(404)
    stored = current_population(db(), audit)
    mapping = mapping_of(stored) if stored else None
    reference_columns = ["local_id", *(mapping.reference_columns if mapping else ())]
    form = AgencyLinkForm(obj=link)
    form.released_reference_fields.choices = [
        (name, "Local id" if name == "local_id" else name) for name in reference_columns
    ]
    if request.method == "GET":
        form.released_reference_fields.data = list(link.released_reference_fields or [])
    if form.validate_on_submit():
        try:
            save_agency_link(
                db(),
                link,
                lead_contact=form.lead_contact.data or "",
                lead_contact_email=form.lead_contact_email.data,
                return_deadline=form.return_deadline.data,
                released_reference_fields=list(form.released_reference_fields.data or []),
                reference_columns=reference_columns,
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(f"{link.agency.name}'s details for this audit have been saved.")
            return redirect(url_for("audits.show", audit_id=audit.id))
    return render_template("audits/agency_link.html", form=form, audit=audit, link=link)


@blueprint.route("/<id:audit_id>/panel", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD)
def panel(audit_id: int) -> str | Response:
    audit = _audit(audit_id)
    form = PanelForm()
    people = list(
        db().scalars(select(User).where(User.is_active.is_(True)).order_by(User.full_name))
    )
    form.user_ids.choices = [
        (str(u.id), f"{u.full_name} ({u.job_title or u.email})") for u in people
    ]
    form.chair_id.choices = [("", "No chair yet")] + [(str(u.id), u.full_name) for u in people]
    if request.method == "GET":
        form.user_ids.data = [str(m.user_id) for m in audit.panel_members]
        chair = next((m for m in audit.panel_members if m.is_chair), None)
        form.chair_id.data = str(chair.user_id) if chair else ""
    if form.validate_on_submit():
        ids = [parse_id(v) for v in form.user_ids.data or []]
        try:
            set_panel(db(), audit, [i for i in ids if i is not None], parse_id(form.chair_id.data))
        except DomainError as error:
            attach_error(form, error)
        else:
            flash("The panel has been saved.")
            return redirect(url_for("audits.show", audit_id=audit.id))
    return render_template("audits/panel.html", form=form, audit=audit)


@blueprint.route("/<id:audit_id>/status", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD)
def status(audit_id: int) -> str | Response:
    audit = _audit(audit_id)
    form = MoveForm()
    form.to.choices = [(to.value, MOVE_LABELS[(audit.status, to)]) for to in MOVES[audit.status]]
    if not form.to.choices:
        flash("A closed audit does not move on.")
        return redirect(url_for("audits.show", audit_id=audit.id))
    if request.method == "GET":
        wanted = request.args.get("to")
        form.to.data = wanted if wanted in dict(form.to.choices) else form.to.choices[0][0]
    if form.validate_on_submit():
        target = AuditStatus(form.to.data)
        try:
            move(db(), audit, target, current_user.id)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(f"The audit is now: {target.label.lower()}.")
            return redirect(url_for("audits.show", audit_id=audit.id))
    return render_template("audits/status.html", form=form, audit=audit, readiness=readiness(audit))
