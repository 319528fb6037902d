"""The partnership administrator's pages for people and their memberships."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response

from audit_app.accounts import memberships
from audit_app.accounts import users as accounts
from audit_app.accounts.forms import (
    AccountStatusForm,
    MembershipForm,
    NewUserForm,
    UserDetailsForm,
)
from audit_app.accounts.memberships import describe, scope_in_words
from audit_app.accounts.models import Membership, User
from audit_app.actions import plan as action_plan
from audit_app.agencies import register as agencies
from audit_app.core.access import allow
from audit_app.core.commit_point import discard_changes
from audit_app.core.errors import DomainError
from audit_app.core.forms import ConfirmForm, attach_error
from audit_app.core.roles import Role
from audit_app.core.web import db, parse_id

blueprint = Blueprint("accounts", __name__, url_prefix="/admin", template_folder="templates")


def _agency_choices() -> list[tuple[str, str]]:
    return [("", "Not an agency reviewer")] + [
        (str(agency.id), agency.name) for agency in agencies.list_agencies(db(), active_only=True)
    ]


def _audit_choices() -> list[tuple[str, str]]:
    return [("", "No audit (an audit lead of every audit)")] + [
        (str(audit_id), title) for audit_id, title in memberships.audit_titles(db())
    ]


def _scope_choices(form: NewUserForm | MembershipForm) -> None:
    form.agency_id.choices = _agency_choices()
    form.audit_id.choices = _audit_choices()


@blueprint.route("/users")
@allow(Role.ADMIN)
def users() -> str:
    people = db().scalars(
        select(User)
        .options(
            selectinload(User.memberships).options(
                joinedload(Membership.agency), joinedload(Membership.audit)
            )
        )
        .order_by(User.is_active.desc(), User.full_name)
    )
    return render_template(
        "accounts/users.html",
        users=list(people),
        describe=describe,
        invitees=action_plan.invitees(db()),
    )


NO_ROLE = "none"
NO_ROLE_LABEL = "No role: they only own the actions they are named for"


@blueprint.route("/users/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def user_new() -> str | Response:
    form = NewUserForm()
    _scope_choices(form)
    # Someone who only owns actions needs no role: owning them is what lets them in.
    form.role.choices = [*form.role.choices, (NO_ROLE, NO_ROLE_LABEL)]
    if request.method == "GET" and request.args.get("email"):  # from "People to invite"
        form.email.data = request.args.get("email", "")[:320]
        form.full_name.data = request.args.get("name", "")[:200]
        form.role.data = NO_ROLE
    if form.validate_on_submit():
        role = None if form.role.data == NO_ROLE else Role(form.role.data)
        try:
            user = accounts.create_user(
                db(),
                email=form.email.data or "",
                full_name=form.full_name.data or "",
                password=form.password.data or "",
                role=role,
                agency_id=parse_id(form.agency_id.data),
                audit_id=parse_id(form.audit_id.data),
                job_title=form.job_title.data,
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(
                f"{user.full_name} has been added as {role.label.lower()}."
                if role is not None
                else f"{user.full_name} has been added with no role."
            )
            owned = action_plan.claim_invitations(db(), user)
            if owned:
                flash(
                    f"They now own the {owned} {'action' if owned == 1 else 'actions'} they "
                    "were named for."
                )
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=None)


@blueprint.route("/users/<id:user_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def user_edit(user_id: int) -> str | Response:
    user = db().get(User, user_id) or abort(404)
    form = UserDetailsForm(obj=user)
    if form.validate_on_submit():
        try:
            accounts.update_user(
                db(),
                user,
                email=form.email.data or "",
                full_name=form.full_name.data or "",
                job_title=form.job_title.data,
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(f"{user.full_name}'s details have been saved.")
            return redirect(url_for("accounts.users"))
    return _render_user(user, form, MembershipForm(formdata=None))


def _render_user(
    user: User, form: UserDetailsForm, membership_form: MembershipForm, problem: str | None = None
) -> str:
    _scope_choices(membership_form)
    problem_href = "#memberships"
    if problem is None and membership_form.errors:
        # The error summary above the page names the membership field to fix.
        name, messages = next(iter(membership_form.errors.items()))
        problem, problem_href = str(messages[0]), f"#{membership_form[name].id}"
    return render_template(
        "accounts/user_form.html",
        form=form,
        user=user,
        membership_form=membership_form,
        memberships=[(m, describe(m), scope_in_words(m)) for m in user.memberships],
        problem=problem,
        problem_href=problem_href,
    )


def _stay_signed_in_if_self(user: User) -> None:
    """A change of memberships ends the person's other sessions; an administrator changing
    their own stays signed in here, with what they may now do."""
    if user.id == current_user.id:
        login_user(user)


@blueprint.route("/users/<id:user_id>/memberships", methods=["POST"])
@allow(Role.ADMIN)
def membership_add(user_id: int) -> str | Response:
    """Give a person one more role, with its scope."""
    user = db().get(User, user_id) or abort(404)
    form = MembershipForm()
    _scope_choices(form)
    if form.validate_on_submit():
        role = Role(form.role.data)
        try:
            membership = memberships.add_membership(
                db(),
                user,
                role,
                agency_id=parse_id(form.agency_id.data),
                audit_id=parse_id(form.audit_id.data),
                is_chair=bool(form.is_chair.data),
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            _stay_signed_in_if_self(user)
            flash(f"{user.full_name} is now: {describe(membership)}.")
            return redirect(url_for("accounts.user_edit", user_id=user.id) + "#memberships")
    details = UserDetailsForm(formdata=None, obj=user)
    return _render_user(user, details, form)


@blueprint.route("/users/<id:user_id>/memberships/<id:membership_id>/remove", methods=["POST"])
@allow(Role.ADMIN)
def membership_remove(user_id: int, membership_id: int) -> str | Response:
    """Take one of a person's memberships away (their open sessions end)."""
    user = db().get(User, user_id) or abort(404)
    membership = db().get(Membership, membership_id)
    if membership is None or membership.user_id != user.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        words = describe(membership)
        try:
            memberships.remove_membership(db(), user, membership, acting_user=current_user)
        except DomainError as error:
            discard_changes()
            details = UserDetailsForm(formdata=None, obj=user)
            return _render_user(user, details, MembershipForm(formdata=None), error.message)
        _stay_signed_in_if_self(user)
        flash(f"{user.full_name} is no longer: {words}.")
    return redirect(url_for("accounts.user_edit", user_id=user.id) + "#memberships")


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
    return render_template(
        "accounts/user_status.html",
        user=user,
        form=form,
        problem=problem,
        roles=[describe(m, full_names=True) for m in user.memberships],
    )
