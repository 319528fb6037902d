"""The partnership administrator's user pages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from audit_app.accounts import users as accounts
from audit_app.accounts.forms import AccountStatusForm, NewUserForm, UserDetailsForm
from audit_app.accounts.models import User
from audit_app.agencies import register as agencies
from audit_app.core.access import allow
from audit_app.core.commit_point import discard_changes
from audit_app.core.errors import DomainError
from audit_app.core.forms import attach_error
from audit_app.core.roles import Role
from audit_app.core.web import db, parse_id

blueprint = Blueprint("accounts", __name__, url_prefix="/admin", template_folder="templates")


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
    return render_template("accounts/users.html", users=list(people))


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
            discard_changes()
            attach_error(form, error)
        else:
            flash(f"{user.full_name} has been added as {user.role.label.lower()}.")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=None)


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
            discard_changes()
            attach_error(form, error)
        else:
            flash(f"{user.full_name}'s details have been saved.")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=user)


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
            return redirect(url_for("accounts.users"))
        try:
            accounts.set_active(db(), user, wanted, acting_user=current_user)
        except DomainError as error:
            discard_changes()
            problem = error.message
        else:
            flash(f"{user.full_name}'s account has been {state}.")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_status.html", user=user, form=form, problem=problem)
