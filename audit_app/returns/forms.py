"""Forms around a return: no involvement, chronology, urgent concerns, amendment."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from audit_app.core.forms import GovDateField, strip_text


class NoInvolvementForm(FlaskForm):
    version = HiddenField()
    reason = TextAreaField(
        "Why did your agency have no involvement?",
        description="For example, no record of the child or family in the audit period",
        widget=GovTextArea(),
        filters=[strip_text],
        validators=[DataRequired("Say why your agency had no involvement"), Length(max=2000)],
    )
    submit = SubmitField("Record no involvement", widget=GovSubmitInput())


class ChronologyForm(FlaskForm):
    happened_on = GovDateField(
        "When did it happen?",
        description="For example, 27 3 2020",
        validators=[InputRequired("Enter the date it happened")],
    )
    what_happened = TextAreaField(
        "What happened?",
        description="For example, attended the emergency department after self-harm",
        widget=GovTextArea(),
        filters=[strip_text],
        validators=[DataRequired("Say what happened"), Length(max=4000)],
    )
    agency_response = TextAreaField(
        "What did your agency do? (optional)",
        widget=GovTextArea(),
        filters=[strip_text],
        validators=[Length(max=4000)],
    )
    missed_opportunity = RadioField(
        "Looking back, was this a chance to help the child earlier?",
        widget=GovRadioInput(),
        choices=[("yes", "Yes"), ("no", "No")],
        validators=[InputRequired("Say whether this was a chance to help earlier")],
    )
    submit = SubmitField("Add to the chronology", widget=GovSubmitInput())


class ConcernForm(FlaskForm):
    details = TextAreaField(
        "What are you worried about?",
        description="Say what you found and why you think the child may be at risk now. "
        "Use the child's code, not their name.",
        widget=GovTextArea(),
        filters=[strip_text],
        validators=[DataRequired("Say what you are worried about"), Length(max=4000)],
    )
    submit = SubmitField("Send to the audit lead now", widget=GovSubmitInput())


class DealtWithForm(FlaskForm):
    """The audit lead says what was done about an urgent concern, and by whom."""

    action_taken = TextAreaField(
        "What was done?",
        description="For example, shared with children's social care's front door, who "
        "visited the same day. Use the child's code, not their name.",
        widget=GovTextArea(),
        filters=[strip_text],
        validators=[DataRequired("Say what was done about the concern"), Length(max=4000)],
    )
    dealt_with_by = StringField(
        "Who did it?",
        description="A person or a team, in any agency. Your own name unless you change it.",
        widget=GovTextInput(),
        filters=[strip_text],
        validators=[Length(max=200)],
    )
    submit = SubmitField("Mark as dealt with", widget=GovSubmitInput())


class AmendmentForm(FlaskForm):
    comment = TextAreaField(
        "What needs to change?",
        description="The reviewer sees this when the return comes back to them",
        widget=GovTextArea(),
        filters=[strip_text],
        validators=[DataRequired("Say what needs to change"), Length(max=4000)],
    )
    submit = SubmitField("Return for amendment", widget=GovSubmitInput())


class SummaryForm(FlaskForm):
    """The summary page's form: the version read and the CSRF token. Its items are fields
    named by item (``item-<id>-text``, ``item-<id>-column``, ``new-<column>``), as many as the
    summary has, read by the view."""

    version = HiddenField()
