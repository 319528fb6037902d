"""The administrator's agency form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
)

from audit_app.agencies.models import AgencySector
from audit_app.core.forms import strip_text


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
