"""WTForms forms rendered with the GOV.UK widgets."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovDateInput,
    GovFileInput,
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

from audit_app.accounts import MIN_PASSWORD_LENGTH
from audit_app.errors import DomainError
from audit_app.models import AgencySector, Role


def attach_error(form: Any, error: DomainError) -> None:
    """Show a domain rule's message beside the field it names, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def strip_text(value: object) -> object:
    """Leading and trailing spaces are never meant: "  " is no answer at all."""
    return value.strip() if isinstance(value, str) else value


EARLIEST_YEAR, LATEST_YEAR = 1900, 2100


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

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not any(part.strip() for part in valuelist):
            self.data = None
            return
        try:
            super().process_formdata([part.strip() for part in valuelist])
        except ValueError:
            self.data = None
            raise ValueError(f"{self._name()} must be a real date, like 27 3 2026") from None
        if self.data is not None and not EARLIEST_YEAR <= self.data.year <= LATEST_YEAR:
            self.data = None
            raise ValueError(
                f"{self._name()} must have a year from {EARLIEST_YEAR} to {LATEST_YEAR}"
            )

    def _name(self) -> str:
        return self.label.text.removesuffix(" (optional)")


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


class AgencyForm(FlaskForm):
    name = StringField(
        "Agency name",
        widget=GovTextInput(),
        filters=[strip_text],
        validators=[DataRequired("Enter the agency's name"), Length(max=200)],
    )
    short_name = StringField(
        "Short name",
        description="Used in tables and exports, for example CAMHS or WMP",
        widget=GovTextInput(),
        filters=[strip_text],
        validators=[DataRequired("Enter a short name"), Length(max=40)],
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
        filters=[strip_text],
        validators=[
            Optional(),
            Email("Enter an email address like name@example.org"),
            Length(max=320),
        ],
    )
    is_active = BooleanField("This agency takes part in audits", widget=GovCheckboxInput())
    submit = SubmitField("Save agency", widget=GovSubmitInput())


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


class AccountStatusForm(FlaskForm):
    """Deactivate or reactivate: the form says which, so a second submit changes nothing."""

    active = HiddenField(validators=[AnyOf(["yes", "no"])])


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


class TemplateUploadForm(FlaskForm):
    file = FileField(
        "Template file",
        description="A YAML file (.yaml or .yml) of 1 MB or less",
        widget=GovFileInput(),
        validators=[
            FileRequired("Select a template file"),
            FileAllowed(["yaml", "yml"], "The file must be a .yaml or .yml file"),
            FileSize(max_size=1024 * 1024, message="The file must be 1 MB or less"),
        ],
    )
    submit = SubmitField("Upload and check", widget=GovSubmitInput())


class CompareVersionsForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    old = SelectField("Earlier version", widget=GovSelect(), coerce=str)
    new = SelectField("Later version", widget=GovSelect(), coerce=str)
