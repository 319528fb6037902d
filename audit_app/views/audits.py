"""The audit lead sets up an audit: details, agencies, panel, population, draw, returns."""

from __future__ import annotations

from datetime import date
from functools import partial

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

from audit_app import audits, template_library
from audit_app.access import allow
from audit_app.errors import DomainError
from audit_app.models import (
    Agency,
    Audit,
    AuditStatus,
    CohortDraw,
    CohortMember,
    Role,
    User,
)
from audit_app.notifications import send_email, smtp_settings
from audit_app.population import ColumnMapping, PopulationError, read_population
from audit_app.sampling import new_seed, parse_filter, parse_strata, reproduce_command
from audit_app.views.audit_forms import (
    AddChildForm,
    AgencyChoiceForm,
    AgencyLinkForm,
    AuditDetailsForm,
    ColumnMappingForm,
    DrawForm,
    MoveForm,
    PanelForm,
    PopulationUploadForm,
    ReasonForm,
)
from audit_app.views.forms import ConfirmForm, attach_error
from audit_app.web import db, parse_id

blueprint = Blueprint("audits", __name__, url_prefix="/audits")

PREVIEW_ROWS = 20


def _audit(audit_id: int) -> Audit:
    return db().get(Audit, audit_id) or abort(404)


# --- The list and the audit page -----------------------------------------------------------


@blueprint.route("")
@allow(Role.ADMIN)
def index() -> str:
    all_audits = db().scalars(select(Audit).order_by(Audit.created_at.desc(), Audit.id.desc()))
    return render_template("audits/index.html", audits=list(all_audits))


@blueprint.route("/<id:audit_id>")
@allow(Role.ADMIN)
def show(audit_id: int) -> str:
    audit = _audit(audit_id)
    session = db()
    draw = audits.current_draw(session, audit)
    stored = audits.current_population(session, audit)
    command = None
    mapping = audits.mapping_of(stored) if stored is not None else None
    if draw is not None and mapping is not None and stored is not None:
        command = reproduce_command(stored.filename, mapping, audits.recorded_draw(draw))
    matrix = (
        audits.returns_matrix(session, audit) if audit.status is not AuditStatus.DRAFT else None
    )
    return render_template(
        "audits/show.html",
        audit=audit,
        draw=draw,
        population=stored,
        command=command,
        readiness=audits.readiness(audit),
        moves=[(to, audits.MOVE_LABELS[(audit.status, to)]) for to in audits.MOVES[audit.status]],
        matrix=matrix,
        today=date.today(),
        returns_started=audits.returns_started(session, audit),
        email_on=smtp_settings(current_app.config) is not None,
    )


# --- Details -------------------------------------------------------------------------------


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


def _details(form: AuditDetailsForm) -> audits.AuditDetails:
    return audits.AuditDetails(
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
@allow(Role.ADMIN)
def new() -> str | Response:
    form = AuditDetailsForm()
    items = _template_choices()
    form.template_version_id.choices = [(item["value"], item["text"]) for item in items]
    if form.validate_on_submit():
        try:
            audit = audits.save_details(db(), None, _details(form), lead=current_user)
        except DomainError as error:
            attach_error(form, error)
        else:
            db().commit()
            flash(f"The audit '{audit.title}' has been set up as a draft.")
            return redirect(url_for("audits.show", audit_id=audit.id))
    return render_template("audits/details.html", form=form, audit=None, template_items=items)


@blueprint.route("/<id:audit_id>/details", methods=["GET", "POST"])
@allow(Role.ADMIN)
def details(audit_id: int) -> str | Response:
    audit = _audit(audit_id)
    form = AuditDetailsForm(obj=audit)
    items = _template_choices(audit.template_version_id)
    form.template_version_id.choices = [(item["value"], item["text"]) for item in items]
    if request.method == "GET":
        form.template_version_id.data = str(audit.template_version_id or "")
    if form.validate_on_submit():
        try:
            audits.save_details(db(), audit, _details(form))
        except DomainError as error:
            attach_error(form, error)
        else:
            db().commit()
            flash("The audit's details have been saved.")
            return redirect(url_for("audits.show", audit_id=audit.id))
    return render_template("audits/details.html", form=form, audit=audit, template_items=items)


# --- Agencies and panel --------------------------------------------------------------------


@blueprint.route("/<id:audit_id>/agencies", methods=["GET", "POST"])
@allow(Role.ADMIN)
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
            audits.set_agencies(db(), audit, [i for i in ids if i is not None])
        except DomainError as error:
            attach_error(form, error)
        else:
            db().commit()
            flash("The agencies taking part have been saved.")
            return redirect(url_for("audits.show", audit_id=audit.id))
    return render_template("audits/agencies.html", form=form, audit=audit)


@blueprint.route("/<id:audit_id>/agencies/<id:agency_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def agency_link(audit_id: int, agency_id: int) -> str | Response:
    audit = _audit(audit_id)
    link = next((lk for lk in audit.agencies if lk.agency_id == agency_id), None) or abort(404)
    stored = audits.current_population(db(), audit)
    mapping = audits.mapping_of(stored) if stored else None
    reference_columns = ["local_id", *(mapping.reference_columns if mapping else ())]
    form = AgencyLinkForm(obj=link)
    form.released_reference_fields.choices = [
        (name, "Local id" if name == "local_id" else name) for name in reference_columns
    ]
    if request.method == "GET":
        form.released_reference_fields.data = list(link.released_reference_fields or [])
    if form.validate_on_submit():
        try:
            audits.save_agency_link(
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
            db().commit()
            flash(f"{link.agency.name}'s details for this audit have been saved.")
            return redirect(url_for("audits.show", audit_id=audit.id))
    return render_template("audits/agency_link.html", form=form, audit=audit, link=link)


@blueprint.route("/<id:audit_id>/panel", methods=["GET", "POST"])
@allow(Role.ADMIN)
def panel(audit_id: int) -> str | Response:
    audit = _audit(audit_id)
    form = PanelForm()
    people = list(
        db().scalars(
            select(User)
            .where(User.role == Role.PANEL, User.is_active.is_(True))
            .order_by(User.full_name)
        )
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
            audits.set_panel(
                db(), audit, [i for i in ids if i is not None], parse_id(form.chair_id.data)
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            db().commit()
            flash("The panel has been saved.")
            return redirect(url_for("audits.show", audit_id=audit.id))
    return render_template("audits/panel.html", form=form, audit=audit)


# --- Population list -----------------------------------------------------------------------


@blueprint.route("/<id:audit_id>/population", methods=["GET", "POST"])
@allow(Role.ADMIN)
def population(audit_id: int) -> str | Response:
    audit = _audit(audit_id)
    form = PopulationUploadForm()
    problems = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            parsed = read_population(
                upload.read(),
                upload.filename or "population",
                max_bytes=current_app.config["MAX_CONTENT_LENGTH"],
            )
            audits.store_population(db(), audit, parsed, current_user.id)
        except PopulationError as error:
            db().rollback()
            problems = error.problems
        except DomainError as error:
            db().rollback()
            attach_error(form, error)
        else:
            db().commit()
            flash(f"{len(parsed.rows)} rows have been read from {parsed.source_name}.")
            return redirect(url_for("audits.columns", audit_id=audit.id))
    return render_template(
        "audits/population.html",
        form=form,
        audit=audit,
        problems=problems,
        problem=_problem_summary(problems),
        problem_href="#population-problems",
    )


def _problem_summary(problems: list[object] | None, drawing: bool = False) -> str | None:
    if not problems:
        return None
    count = len(problems)
    plural = "s" if count != 1 else ""
    if drawing:
        verb = "are" if count != 1 else "is"
        return f"The cohort was not drawn: there {verb} {count} problem{plural}."
    return (
        f"Nothing was imported: the list has {count} problem{plural}. "
        "Correct the file and upload it again."
    )


@blueprint.route("/<id:audit_id>/population/columns", methods=["GET", "POST"])
@allow(Role.ADMIN)
def columns(audit_id: int) -> str | Response:
    audit = _audit(audit_id)
    stored = audits.current_population(db(), audit) or abort(404)
    form = ColumnMappingForm()
    choices = [(name, name) for name in stored.columns]
    form.local_id.choices = [("", "Choose a column"), *choices]
    form.name.choices = [("", "Choose a column"), *choices]
    form.date_of_birth.choices = [("", "No date of birth column"), *choices]
    form.reference_columns.choices = choices
    mapping = audits.mapping_of(stored)
    if request.method == "GET" and mapping is not None:
        form.local_id.data = mapping.local_id
        form.name.data = mapping.name
        form.date_of_birth.data = mapping.date_of_birth or ""
        form.reference_columns.data = list(mapping.reference_columns)
    problems = None
    if form.validate_on_submit():
        if not form.local_id.data:
            form.local_id.errors = ["Choose the column with each child's local id"]
        if not form.name.data:
            form.name.errors = ["Choose the column with the child's name"]
        if not form.errors:
            chosen = ColumnMapping(
                local_id=form.local_id.data or "",
                name=form.name.data or "",
                date_of_birth=form.date_of_birth.data or None,
                reference_columns=tuple(form.reference_columns.data or ()),
            )
            try:
                audits.save_mapping(db(), stored, chosen)
            except audits.PopulationProblems as error:
                db().rollback()
                problems = error.problems
            else:
                db().commit()
                flash("The columns have been saved. Now draw the cohort.")
                return redirect(url_for("audits.draw", audit_id=audit.id))
    return render_template(
        "audits/columns.html",
        form=form,
        audit=audit,
        stored=stored,
        preview=stored.rows[:PREVIEW_ROWS],
        problems=problems,
        problem=(
            f"The columns chosen do not work with this list: see the {len(problems)} "
            f"problem{'s' if len(problems) != 1 else ''} below."
            if problems
            else None
        ),
        problem_href="#population-problems",
    )


# --- The draw ------------------------------------------------------------------------------


def _fill_from_previous(form: DrawForm, previous: CohortDraw) -> None:
    form.size.data = previous.sample_size
    for (column, condition, value), text in zip(form.filter_rows(), previous.filters, strict=False):
        parsed = parse_filter(text)
        column.data = parsed.column
        condition.data = parsed.kind
        if parsed.kind == "=":
            value.data = parsed.value
        elif parsed.kind == "age" and parsed.on:
            value.data = f"{parsed.low}-{parsed.high} on {parsed.on:%d/%m/%Y}"
        elif parsed.on:
            value.data = f"{parsed.on:%d/%m/%Y}"
    if previous.strata_column:
        strata = parse_strata(previous.strata_column)
        form.strata_column.data = strata.column
        if strata.on is not None:
            bands = ",".join(strata.labels)
            form.strata_bands.data = f"{bands} on {strata.on:%d/%m/%Y}"


@blueprint.route("/<id:audit_id>/draw", methods=["GET", "POST"])
@allow(Role.ADMIN)
def draw(audit_id: int) -> str | Response:
    audit = _audit(audit_id)
    session = db()
    stored = audits.current_population(session, audit)
    if stored is None or not stored.mapping:
        flash("Upload the population list and say which columns to use first.")
        return redirect(url_for("audits.population", audit_id=audit.id))
    previous = audits.current_draw(session, audit)
    form = DrawForm()
    columns = [("", "Choose a column"), *((name, name) for name in stored.columns)]
    for column, _condition, _value in form.filter_rows():
        column.choices = columns
    form.strata_column.choices = [("", "Do not stratify"), *columns[1:]]
    problems = None
    if request.method == "GET" and previous is not None:
        _fill_from_previous(form, previous)
    if form.validate_on_submit():
        try:
            audits.draw_cohort(
                session,
                audit,
                size=form.size.data or 0,
                seed=form.seed.data or new_seed(),
                filters=form.filters(),
                strata=form.strata(),
                user_id=current_user.id,
                reason=form.reason.data or "",
            )
        except audits.PopulationProblems as error:
            session.rollback()
            problems = error.problems
        except DomainError as error:
            session.rollback()
            attach_error(form, error)
        else:
            session.commit()
            flash(f"{form.size.data} children have been drawn at random.")
            return redirect(url_for("audits.show", audit_id=audit.id) + "#sampling-record")
    return render_template(
        "audits/draw.html",
        form=form,
        audit=audit,
        stored=stored,
        previous=previous,
        returns_started=audits.returns_started(session, audit),
        problems=problems,
        problem=_problem_summary(problems, drawing=True),
        problem_href="#population-problems",
    )


@blueprint.route("/<id:audit_id>/draw/verify", methods=["POST"])
@allow(Role.ADMIN)
def verify(audit_id: int) -> str | Response:
    """Re-run the draw and show the result on a page of its own (the messages can hold
    local ids, which must not travel in a flash message in the session cookie)."""
    audit = _audit(audit_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("audits.show", audit_id=audit.id) + "#sampling-record")
    try:
        result = audits.verify_current_draw(db(), audit)
    except DomainError as error:
        return render_template(
            "audits/verify.html", audit=audit, ok=False, messages=[error.message]
        )
    return render_template(
        "audits/verify.html", audit=audit, ok=result.ok, messages=result.messages
    )


# --- Changing the cohort by hand -------------------------------------------------------------


@blueprint.route("/<id:audit_id>/cohort/add", methods=["GET", "POST"])
@allow(Role.ADMIN)
def add_child(audit_id: int) -> str | Response:
    audit = _audit(audit_id)
    stored = audits.current_population(db(), audit)
    mapping = audits.mapping_of(stored) if stored else None
    if stored is None or mapping is None:
        flash("Upload the population list and say which columns to use first.")
        return redirect(url_for("audits.population", audit_id=audit.id))
    in_cohort = {
        m.identity.local_id for m in audits.current_members(audit) if m.identity is not None
    }
    form = AddChildForm()
    form.row.choices = [("", "Choose a child")] + [
        (str(index), f"{row[mapping.local_id]}: {row[mapping.name]}")
        for index, row in enumerate(stored.rows)
        if row[mapping.local_id] not in in_cohort
    ]
    if form.validate_on_submit():
        row = form.row.data or ""
        index = int(row) if row.isdecimal() and len(row) <= 6 else -1
        try:
            member = audits.add_member_by_hand(db(), audit, index, form.reason.data or "")
        except DomainError as error:
            attach_error(form, error)
        else:
            db().commit()
            flash(f"The child has been added to the cohort as {member.code}.")
            return redirect(url_for("audits.show", audit_id=audit.id) + "#cohort")
    return render_template("audits/add_child.html", form=form, audit=audit)


@blueprint.route("/<id:audit_id>/cohort/<id:member_id>/remove", methods=["GET", "POST"])
@allow(Role.ADMIN)
def remove_child(audit_id: int, member_id: int) -> str | Response:
    audit = _audit(audit_id)
    member = db().get(CohortMember, member_id)
    if member is None or member.audit_id != audit.id:
        abort(404)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            audits.remove_member(db(), audit, member, form.reason.data or "")
        except DomainError as error:
            attach_error(form, error)
        else:
            db().commit()
            flash(f"{member.code} has been removed from the cohort.")
            return redirect(url_for("audits.show", audit_id=audit.id) + "#cohort")
    return render_template("audits/remove_child.html", form=form, audit=audit, member=member)


# --- Moving on, reminders, identities ------------------------------------------------------


@blueprint.route("/<id:audit_id>/status", methods=["GET", "POST"])
@allow(Role.ADMIN)
def status(audit_id: int) -> str | Response:
    audit = _audit(audit_id)
    form = MoveForm()
    form.to.choices = [
        (to.value, audits.MOVE_LABELS[(audit.status, to)]) for to in audits.MOVES[audit.status]
    ]
    if not form.to.choices:
        flash("A closed audit does not move on.")
        return redirect(url_for("audits.show", audit_id=audit.id))
    if request.method == "GET":
        wanted = request.args.get("to")
        form.to.data = wanted if wanted in dict(form.to.choices) else form.to.choices[0][0]
    if form.validate_on_submit():
        target = AuditStatus(form.to.data)
        try:
            audits.move(db(), audit, target)
        except DomainError as error:
            attach_error(form, error)
        else:
            db().commit()
            flash(f"The audit is now: {target.label.lower()}.")
            return redirect(url_for("audits.show", audit_id=audit.id))
    return render_template(
        "audits/status.html", form=form, audit=audit, readiness=audits.readiness(audit)
    )


@blueprint.route("/<id:audit_id>/reminders", methods=["POST"])
@allow(Role.ADMIN)
def reminders(audit_id: int) -> Response:
    audit = _audit(audit_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        settings = smtp_settings(current_app.config)
        send = partial(send_email, settings) if settings else None
        try:
            result = audits.send_reminders(
                db(), audit, current_user, send, current_app.config["SERVICE_NAME"]
            )
        except DomainError as error:
            flash(error.message, "error")
        else:
            db().commit()
            sent = result.reminders
            emailed = sum(1 for reminder in sent if reminder.emailed)
            if not sent:
                flash("Every agency has completed its returns: no reminders were needed.")
            elif settings is None:
                flash(
                    f"Email is not set up, so {len(sent)} reminders were recorded in the audit "
                    "log for you to pass on."
                )
            else:
                flash(f"{emailed} of {len(sent)} agencies were reminded by email.")
            if result.failed:
                flash(
                    "The email to " + ", ".join(result.failed) + " could not be sent. The "
                    "reminder is recorded as not emailed: try again later or pass it on.",
                    "error",
                )
    return redirect(url_for("audits.show", audit_id=audit.id) + "#returns")


@blueprint.route("/<id:audit_id>/identities")
@allow(Role.ADMIN)
def identities(audit_id: int) -> str:
    audit = _audit(audit_id)
    stored = audits.current_population(db(), audit)
    mapping = audits.mapping_of(stored) if stored else None
    members = db().scalars(
        select(CohortMember)
        .where(CohortMember.audit_id == audit.id)
        .options(selectinload(CohortMember.identity))
        .order_by(CohortMember.position)
    )
    return render_template(
        "audits/identities.html",
        audit=audit,
        members=list(members),
        reference_columns=list(mapping.reference_columns) if mapping else [],
    )


@blueprint.route("/<id:audit_id>/identities/purge", methods=["GET", "POST"])
@allow(Role.ADMIN)
def purge(audit_id: int) -> str | Response:
    audit = _audit(audit_id)
    form = ConfirmForm()
    problem = None
    if form.validate_on_submit():
        try:
            count = audits.purge_identities(db(), audit)
        except DomainError as error:
            problem = error.message
        else:
            db().commit()
            flash(f"The identities of {count} children have been purged. The findings remain.")
            return redirect(url_for("audits.show", audit_id=audit.id))
    return render_template("audits/purge.html", form=form, audit=audit, problem=problem)
