"""WTForms forms rendered with the GOV.UK widgets."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovDateInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional

from audit_app.accounts import MIN_PASSWORD_LENGTH
from audit_app.models import AgencySector, Role


class GovDateField(DateField):
    """A date as three GOV.UK inputs (day, month, year), tolerant of the field being absent."""

    widget = GovDateInput()

    def __init__(self, label: str, **kwargs: object) -> None:
        kwargs.setdefault("format", "%d %m %Y")
        super().__init__(label, **kwargs)  # type: ignore[arg-type]

    def process(self, formdata: object, *args: object, **kwargs: object) -> None:
        super().process(formdata, *args, **kwargs)  # type: ignore[arg-type]
        if not self.raw_data or len(self.raw_data) != 3:
            self.raw_data = None


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[InputRequired("Enter your email address")],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your password")],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class AgencyForm(FlaskForm):
    name = StringField(
        "Agency name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the agency's name"), Length(max=200)],
    )
    short_name = StringField(
        "Short name",
        description="Used in tables and exports, for example CAMHS or WMP",
        widget=GovTextInput(),
        validators=[InputRequired("Enter a short name"), Length(max=40)],
    )
    sector = RadioField(
        "Type of agency",
        widget=GovRadioInput(),
        choices=[(sector.value, sector.label) for sector in AgencySector],
        validators=[InputRequired("Select the type of agency")],
    )
    contact_email = EmailField(
        "Contact email address (optional)",
        description="A shared inbox for the agency's safeguarding lead",
        widget=GovTextInput(),
        validators=[Optional(), Email("Enter an email address like name@example.org")],
    )
    is_active = BooleanField("This agency takes part in audits", widget=GovCheckboxInput())
    submit = SubmitField("Save agency", widget=GovSubmitInput())


class UserDetailsForm(FlaskForm):
    full_name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the person's full name"), Length(max=200)],
    )
    email = EmailField(
        "Email address",
        description="They sign in with this address",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter an email address"),
            Email("Enter an email address in the correct format, like name@example.org"),
            Length(max=320),
        ],
    )
    job_title = StringField(
        "Job title (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=200)]
    )
    role = RadioField(
        "Role",
        widget=GovRadioInput(),
        choices=[(role.value, role.label) for role in Role],
        validators=[InputRequired("Select a role")],
    )
    agency_id = SelectField(
        "Agency (agency reviewers only)",
        description="An agency reviewer sees only their own agency's returns",
        widget=GovSelect(),
        coerce=str,
        validate_choice=False,
    )
    submit = SubmitField("Save user", widget=GovSubmitInput())


class NewUserForm(UserDetailsForm):
    password = PasswordField(
        "Temporary password",
        description=f"At least {MIN_PASSWORD_LENGTH} characters. Give it to them securely.",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter a temporary password")],
    )


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


class ConfirmForm(FlaskForm):
    """A form with only a CSRF token and a button: for sign-out and confirmations."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


class AuditLogFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    person = SelectField("Person", widget=GovSelect(), coerce=str, validate_choice=False)
    record_type = SelectField("Record type", widget=GovSelect(), coerce=str, validate_choice=False)
    date_from = GovDateField("From", validators=[Optional()])
    date_to = GovDateField("To", validators=[Optional()])
    submit = SubmitField("Filter", widget=GovSubmitInput())
