"""Forms for setting up an audit: details, agencies, panel, status moves."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    Optional,
)

from audit_app.core.forms import GovDateField, strip_text


class AuditDetailsForm(FlaskForm):
    title = StringField(
        "Title",
        description="For example, Children in crisis: mental health and emotional wellbeing",
        widget=GovTextInput(),
        filters=[strip_text],
        validators=[DataRequired("Enter the audit's title"), Length(max=300)],
    )
    theme = StringField(
        "Theme (optional)",
        widget=GovTextInput(),
        filters=[strip_text],
        validators=[Optional(), Length(max=300)],
    )
    question = TextAreaField(
        "The question the audit answers (optional)", widget=GovTextArea(), filters=[strip_text]
    )
    terms_of_reference = TextAreaField(
        "Terms of reference (optional)", widget=GovTextArea(), filters=[strip_text]
    )
    scope_criteria = TextAreaField(
        "Scope criteria (optional)",
        description="Which children are eligible, in words. For example, children discharged "
        "from the paediatric ward after a mental health crisis in 2020",
        widget=GovTextArea(),
        filters=[strip_text],
    )
    period_start = GovDateField("Start of the period covered (optional)", validators=[Optional()])
    period_end = GovDateField("End of the period covered (optional)", validators=[Optional()])
    template_version_id = RadioField(
        "Audit template",
        widget=GovRadioInput(),
        coerce=str,
        validate_choice=False,  # optional in a draft; the domain checks the id
    )
    return_deadline = GovDateField("Deadline for returns (optional)", validators=[Optional()])
    panel_date = GovDateField("Panel date (optional)", validators=[Optional()])
    submit = SubmitField("Save audit details", widget=GovSubmitInput())


class AgencyChoiceForm(FlaskForm):
    agency_ids = SelectMultipleField(
        "Which agencies take part?",
        widget=GovCheckboxesInput(),
        coerce=str,
        description="Select all that apply. Each reviews its own records for every child.",
    )
    submit = SubmitField("Save agencies", widget=GovSubmitInput())


class AgencyLinkForm(FlaskForm):
    lead_contact = StringField(
        "Lead contact (optional)",
        widget=GovTextInput(),
        filters=[strip_text],
        validators=[Optional(), Length(max=200)],
    )
    lead_contact_email = StringField(
        "Lead contact's email address (optional)",
        description="Reminders go here, or to the agency's contact address",
        widget=GovTextInput(),
        filters=[strip_text],
        validators=[
            Optional(),
            Email("Enter an email address like name@example.org"),
            Length(max=320),
        ],
    )
    return_deadline = GovDateField(
        "This agency's deadline (optional)",
        description="Leave it empty and the audit's deadline applies, even if it changes.",
        validators=[Optional()],
    )
    released_reference_fields = SelectMultipleField(
        "Reference fields released to this agency",
        description="What the agency's reviewers see to find each child's file. "
        "Names and dates of birth are never shown to reviewers.",
        widget=GovCheckboxesInput(),
        coerce=str,
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class PanelForm(FlaskForm):
    user_ids = SelectMultipleField(
        "Panel members",
        widget=GovCheckboxesInput(),
        coerce=str,
        description="They read every return of this audit",
    )
    chair_id = SelectField("Chair", widget=GovSelect(), coerce=str, validate_choice=False)
    submit = SubmitField("Save panel", widget=GovSubmitInput())


class MoveForm(FlaskForm):
    to = RadioField("Move to", widget=GovRadioInput(), coerce=str)
    submit = SubmitField("Confirm", widget=GovSubmitInput())
