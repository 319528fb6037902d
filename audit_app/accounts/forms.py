"""Forms for signing in, passwords and the administrator's user pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    Optional,
)

from audit_app.accounts.users import MIN_PASSWORD_LENGTH
from audit_app.core.forms import strip_text
from audit_app.core.roles import Role


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        filters=[strip_text],
        validators=[
            InputRequired("Enter your email address"),
            Length(max=320, message="Enter a correct email address and password"),
        ],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired("Enter your password"),
            Length(max=1000, message="Enter a correct email address and password"),
        ],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class UserDetailsForm(FlaskForm):
    full_name = StringField(
        "Full name",
        widget=GovTextInput(),
        filters=[strip_text],
        validators=[DataRequired("Enter the person's full name"), Length(max=200)],
    )
    email = EmailField(
        "Email address",
        description="They sign in with this address",
        widget=GovTextInput(),
        filters=[strip_text],
        validators=[
            InputRequired("Enter an email address"),
            Email("Enter an email address in the correct format, like name@example.org"),
            Length(max=320),
        ],
    )
    job_title = StringField(
        "Job title (optional)",
        widget=GovTextInput(),
        filters=[strip_text],
        validators=[Optional(), Length(max=200)],
    )
    submit = SubmitField("Save user", widget=GovSubmitInput())


class ScopeFields:
    """A role and its scope: the agency (reviewers), the audit (panel members, audit leads)."""

    role = RadioField(
        "Role",
        widget=GovRadioInput(),
        choices=[(role.value, role.label) for role in Role],
        validators=[InputRequired("Select a role")],
    )
    agency_id = SelectField(
        "Agency (agency reviewers only)",
        description="An agency reviewer sees only this agency's returns",
        widget=GovSelect(),
        coerce=str,
        validate_choice=False,
    )
    audit_id = SelectField(
        "Audit (panel members; audit leads of one audit)",
        description="A panel member reads every return of this audit",
        widget=GovSelect(),
        coerce=str,
        validate_choice=False,
    )


class NewUserForm(ScopeFields, UserDetailsForm):
    password = PasswordField(
        "Temporary password",
        description=f"At least {MIN_PASSWORD_LENGTH} characters. Give it to them securely.",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter a temporary password")],
    )


class MembershipForm(ScopeFields, FlaskForm):
    is_chair = BooleanField("They chair this audit's panel", widget=GovCheckboxInput())
    submit = SubmitField("Add membership", widget=GovSubmitInput())


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your current password")],
    )
    password = PasswordField(
        "New password",
        description=f"At least {MIN_PASSWORD_LENGTH} characters",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter a new password")],
    )
    confirm = PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired("Enter the new password again"),
            EqualTo("password", "The passwords do not match"),
        ],
    )
    submit = SubmitField("Save password", widget=GovSubmitInput())


class AccountStatusForm(FlaskForm):
    """Deactivate or reactivate: the form says which, so a second submit changes nothing."""

    active = HiddenField(validators=[AnyOf(["yes", "no"])])
