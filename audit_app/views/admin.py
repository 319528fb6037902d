"""The partnership administrator's pages: agencies and users."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from audit_app import accounts, agencies
from audit_app.access import allow
from audit_app.errors import DomainError
from audit_app.models import Agency, AgencySector, Role, User
from audit_app.views.forms import (
    AccountStatusForm,
    AgencyForm,
    NewUserForm,
    UserDetailsForm,
    attach_error,
)
from audit_app.web import db, parse_id

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


# --- Agencies --------------------------------------------------------------------------


@blueprint.route("/agencies", endpoint="agencies")
@allow(Role.ADMIN)
def agencies_page() -> str:
    return render_template("admin/agencies.html", agencies=agencies.list_agencies(db()))


@blueprint.route("/agencies/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def agency_new() -> str | Response:
    return _agency_form(None)


@blueprint.route("/agencies/<id:agency_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def agency_edit(agency_id: int) -> str | Response:
    agency = db().get(Agency, agency_id) or abort(404)
    return _agency_form(agency)


def _agency_form(agency: Agency | None) -> str | Response:
    form = AgencyForm(obj=agency) if agency else AgencyForm(is_active=True)
    if request.method == "GET" and agency is not None:
        form.sector.data = agency.sector.value
    if form.validate_on_submit():
        try:
            saved = agencies.save_agency(
                db(),
                agency,
                name=form.name.data or "",
                short_name=form.short_name.data or "",
                sector=AgencySector(form.sector.data),
                contact_email=form.contact_email.data,
                is_active=bool(form.is_active.data),
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            db().commit()
            flash(f"{saved.name} has been {'saved' if agency else 'added'}.")
            return redirect(url_for("admin.agencies"))
    return render_template("admin/agency_form.html", form=form, agency=agency)


# --- Users -----------------------------------------------------------------------------


def _agency_choices() -> list[tuple[str, str]]:
    return [("", "Not an agency reviewer")] + [
        (str(agency.id), agency.name) for agency in agencies.list_agencies(db(), active_only=True)
    ]


def _agency_id(form: UserDetailsForm) -> int | None:
    return parse_id(form.agency_id.data)


@blueprint.route("/users")
@allow(Role.ADMIN)
def users() -> str:
    people = db().scalars(
        select(User)
        .options(joinedload(User.agency))
        .order_by(User.is_active.desc(), User.full_name)
    )
    return render_template("admin/users.html", users=list(people))


@blueprint.route("/users/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def user_new() -> str | Response:
    form = NewUserForm()
    form.agency_id.choices = _agency_choices()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                db(),
                email=form.email.data or "",
                full_name=form.full_name.data or "",
                password=form.password.data or "",
                role=Role(form.role.data),
                agency_id=_agency_id(form),
                job_title=form.job_title.data,
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            db().commit()
            flash(f"{user.full_name} has been added as {user.role.label.lower()}.")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@blueprint.route("/users/<id:user_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def user_edit(user_id: int) -> str | Response:
    user = db().get(User, user_id) or abort(404)
    form = UserDetailsForm(obj=user)
    form.agency_id.choices = _agency_choices()
    if request.method == "GET":
        form.role.data = user.role.value
        form.agency_id.data = str(user.agency_id or "")
    if form.validate_on_submit():
        try:
            accounts.update_user(
                db(),
                user,
                email=form.email.data or "",
                full_name=form.full_name.data or "",
                role=Role(form.role.data),
                agency_id=_agency_id(form),
                job_title=form.job_title.data,
                acting_user=current_user,
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            db().commit()
            flash(f"{user.full_name}'s details have been saved.")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user)


@blueprint.route("/users/<id:user_id>/status", methods=["GET", "POST"])
@allow(Role.ADMIN)
def user_status(user_id: int) -> str | Response:
    """Confirm, then deactivate (or reactivate) an account."""
    user = db().get(User, user_id) or abort(404)
    form = AccountStatusForm(active="no" if user.is_active else "yes")
    problem = None
    if form.validate_on_submit():
        wanted = form.active.data == "yes"
        state = "reactivated" if wanted else "deactivated"
        if user.is_active == wanted:
            flash(f"{user.full_name}'s account was already {state}.")
            return redirect(url_for("admin.users"))
        try:
            accounts.set_active(db(), user, wanted, acting_user=current_user)
        except DomainError as error:
            problem = error.message
        else:
            db().commit()
            flash(f"{user.full_name}'s account has been {state}.")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_status.html", user=user, form=form, problem=problem)
