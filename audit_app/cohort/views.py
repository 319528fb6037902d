"""The audit lead's pages for the cohort: population list, columns, draw, verification,
children added or removed by hand, identities and their purge."""

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
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from audit_app.audits.models import Audit
from audit_app.cohort.forms import (
    AddChildForm,
    ColumnMappingForm,
    DrawForm,
    PopulationUploadForm,
    ReasonForm,
)
from audit_app.cohort.identities import purge_identities
from audit_app.cohort.models import CohortDraw, CohortMember
from audit_app.cohort.population import ColumnMapping, PopulationError, read_population
from audit_app.cohort.sampling import new_seed, parse_filter, parse_strata
from audit_app.cohort.selection import (
    PopulationProblems,
    add_member_by_hand,
    current_draw,
    current_population,
    draw_cohort,
    local_ids_in_cohort,
    mapping_of,
    remove_member,
    save_mapping,
    store_population,
    verify_current_draw,
)
from audit_app.core.access import allow
from audit_app.core.commit_point import discard_changes
from audit_app.core.errors import DomainError
from audit_app.core.forms import ConfirmForm, attach_error
from audit_app.core.roles import Role
from audit_app.core.web import db
from audit_app.returns.tracking import returns_started

blueprint = Blueprint("cohort", __name__, url_prefix="/audits", template_folder="templates")


def _audit(audit_id: int) -> Audit:
    return db().get(Audit, audit_id) or abort(404)


PREVIEW_ROWS = 20


@blueprint.route("/<id:audit_id>/population", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD)
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
            store_population(db(), audit, parsed, current_user.id)
        except PopulationError as error:
            db().rollback()
            problems = error.problems
        except DomainError as error:
            db().rollback()
            attach_error(form, error)
        else:
            flash(f"{len(parsed.rows)} rows have been read from {parsed.source_name}.")
            return redirect(url_for("cohort.columns", audit_id=audit.id))
    return render_template(
        "cohort/population.html",
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
@allow(Role.AUDIT_LEAD)
def columns(audit_id: int) -> str | Response:
    audit = _audit(audit_id)
    stored = current_population(db(), audit) or abort(404)
    form = ColumnMappingForm()
    choices = [(name, name) for name in stored.columns]
    form.local_id.choices = [("", "Choose a column"), *choices]
    form.name.choices = [("", "Choose a column"), *choices]
    form.date_of_birth.choices = [("", "No date of birth column"), *choices]
    form.reference_columns.choices = choices
    mapping = mapping_of(stored)
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
                save_mapping(db(), stored, chosen)
            except PopulationProblems as error:
                db().rollback()
                problems = error.problems
            else:
                flash("The columns have been saved. Now draw the cohort.")
                return redirect(url_for("cohort.draw", audit_id=audit.id))
    return render_template(
        "cohort/columns.html",
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
@allow(Role.AUDIT_LEAD)
def draw(audit_id: int) -> str | Response:
    audit = _audit(audit_id)
    session = db()
    stored = current_population(session, audit)
    if stored is None or not stored.mapping:
        flash("Upload the population list and say which columns to use first.")
        return redirect(url_for("cohort.population", audit_id=audit.id))
    previous = current_draw(session, audit)
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
            draw_cohort(
                session,
                audit,
                size=form.size.data or 0,
                seed=form.seed.data or new_seed(),
                filters=form.filters(),
                strata=form.strata(),
                user_id=current_user.id,
                reason=form.reason.data or "",
            )
        except PopulationProblems as error:
            session.rollback()
            problems = error.problems
        except DomainError as error:
            session.rollback()
            attach_error(form, error)
        else:
            flash(f"{form.size.data} children have been drawn at random.")
            return redirect(url_for("audits.show", audit_id=audit.id) + "#sampling-record")
    return render_template(
        "cohort/draw.html",
        form=form,
        audit=audit,
        stored=stored,
        previous=previous,
        returns_started=returns_started(session, audit),
        problems=problems,
        problem=_problem_summary(problems, drawing=True),
        problem_href="#population-problems",
    )


@blueprint.route("/<id:audit_id>/draw/verify", methods=["POST"])
@allow(Role.AUDIT_LEAD)
def verify(audit_id: int) -> str | Response:
    """Re-run the draw and show the result on a page of its own (the messages can hold
    local ids, which must not travel in a flash message in the session cookie)."""
    audit = _audit(audit_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("audits.show", audit_id=audit.id) + "#sampling-record")
    try:
        check = verify_current_draw(db(), audit)
    except DomainError as error:
        discard_changes()
        return render_template(
            "cohort/verify.html", audit=audit, ok=False, messages=[error.message], changes=[]
        )
    return render_template(
        "cohort/verify.html",
        audit=audit,
        ok=check.result.ok,
        messages=check.result.messages,
        changes=check.changes,
    )


@blueprint.route("/<id:audit_id>/cohort/add", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD)
def add_child(audit_id: int) -> str | Response:
    audit = _audit(audit_id)
    stored = current_population(db(), audit)
    mapping = mapping_of(stored) if stored else None
    if stored is None or mapping is None:
        flash("Upload the population list and say which columns to use first.")
        return redirect(url_for("cohort.population", audit_id=audit.id))
    in_cohort = local_ids_in_cohort(db(), audit)
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
            member = add_member_by_hand(db(), audit, index, form.reason.data or "")
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(f"The child has been added to the cohort as {member.code}.")
            return redirect(url_for("audits.show", audit_id=audit.id) + "#cohort")
    return render_template("cohort/add_child.html", form=form, audit=audit)


@blueprint.route("/<id:audit_id>/cohort/<id:member_id>/remove", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD)
def remove_child(audit_id: int, member_id: int) -> str | Response:
    audit = _audit(audit_id)
    member = db().get(CohortMember, member_id)
    if member is None or member.audit_id != audit.id:
        abort(404)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            remove_member(db(), audit, member, form.reason.data or "")
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(f"{member.code} has been removed from the cohort.")
            return redirect(url_for("audits.show", audit_id=audit.id) + "#cohort")
    return render_template("cohort/remove_child.html", form=form, audit=audit, member=member)


@blueprint.route("/<id:audit_id>/identities")
@allow(Role.AUDIT_LEAD)
def identities(audit_id: int) -> str:
    audit = _audit(audit_id)
    stored = current_population(db(), audit)
    mapping = mapping_of(stored) if stored else None
    members = db().scalars(
        select(CohortMember)
        .where(CohortMember.audit_id == audit.id)
        .options(selectinload(CohortMember.identity))
        .order_by(CohortMember.position)
    )
    return render_template(
        "cohort/identities.html",
        audit=audit,
        members=list(members),
        reference_columns=list(mapping.reference_columns) if mapping else [],
    )


@blueprint.route("/<id:audit_id>/identities/purge", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD)
def purge(audit_id: int) -> str | Response:
    audit = _audit(audit_id)
    form = ConfirmForm()
    problem = None
    if form.validate_on_submit():
        try:
            count = purge_identities(db(), audit)
        except DomainError as error:
            discard_changes()
            problem = error.message
        else:
            flash(f"The identities of {count} children have been purged. The findings remain.")
            return redirect(url_for("audits.show", audit_id=audit.id))
    return render_template("cohort/purge.html", form=form, audit=audit, problem=problem)
