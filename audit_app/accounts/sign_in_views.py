"""Sign in, sign out and change your own password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from audit_app.accounts.forms import PasswordForm, SignInForm
from audit_app.accounts.memberships import describe
from audit_app.accounts.users import authenticate, change_own_password, end_sessions
from audit_app.core.access import public, signed_in
from audit_app.core.commit_point import discard_changes
from audit_app.core.errors import DomainError
from audit_app.core.forms import ConfirmForm
from audit_app.core.web import db, set_actor

blueprint = Blueprint("auth", __name__, template_folder="templates")

SIGN_IN_FAILED = "Enter a correct email address and password"
SIGN_IN_THROTTLED = (
    "You have tried to sign in too many times. Wait 15 minutes, then try again, "
    "or ask your partnership's administrator for help."
)


def _safe_next(target: str | None) -> str | None:
    """Only follow a ``next`` that stays on this service: a path on this host.

    Browsers read a backslash as a slash (``/\\evil.example`` is ``//evil.example``, another
    host) and drop tabs and newlines, so those are refused too."""
    if not target or "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@blueprint.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in() -> str | Response:
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")) or url_for("home.index"))
    form = SignInForm()
    problem: str | None = None
    if form.validate_on_submit():
        result = authenticate(
            db(), form.email.data or "", form.password.data or "", request.remote_addr or "-"
        )
        if result.user is not None:
            session.clear()  # a fresh session on sign-in
            login_user(result.user)
            session.permanent = True
            set_actor(db(), result.user)
            return redirect(_safe_next(request.args.get("next")) or url_for("home.index"))
        problem = SIGN_IN_THROTTLED if result.throttled else SIGN_IN_FAILED
    return render_template("auth/sign_in.html", form=form, problem=problem)


@blueprint.route("/sign-out", methods=["POST"])
@public
def sign_out() -> Response:
    form = ConfirmForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            # A copy of the cookie taken before signing out must not work afterwards.
            end_sessions(db(), current_user)
        logout_user()
        session.clear()
        flash("You have signed out.")
    return redirect(url_for("auth.sign_in"))


@blueprint.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password() -> str | Response:
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            change_own_password(
                db(), current_user, form.current_password.data or "", form.password.data or ""
            )
        except DomainError as error:
            discard_changes()
            getattr(form, error.field or "password").errors = [error.message]
        else:
            # The new session token ends other sessions; keep this one going.
            login_user(current_user._get_current_object())
            flash("Your password has been changed. Other sessions have been signed out.")
            return redirect(url_for("home.index"))
    return render_template(
        "auth/change_password.html",
        form=form,
        roles=[describe(m, full_names=True) for m in current_user.memberships],
    )
