"""Forms for the evidence beyond the case files. Bounds are checked again by the domain
(:mod:`audit_app.panel.evidence`); the forms give the GOV.UK character count and the first
messages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxInput,
    GovFileInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from audit_app.core.forms import GovDateField, strip_text
from audit_app.panel.evidence import (
    INTERVIEW_PROMPTS,
    MAX_PARTICIPANTS,
    MAX_ROLE,
    MAX_TEXT,
    MAX_TITLE,
    QUOTE_ROWS,
)
from audit_app.questionnaires.definitions import COLUMN_LABELS, COLUMNS

ANOTHER_ORGANISATION = "other"
COLUMN_CHOICES = [(column, COLUMN_LABELS[column]) for column in COLUMNS]


def _text(label: str, description: str = "", limit: int = MAX_TEXT) -> TextAreaField:
    return TextAreaField(
        label,
        description=description,
        widget=GovCharacterCount(),
        filters=[strip_text],
        validators=[Length(max=limit, message=f"{label} must be {limit:,} characters or fewer")],
    )


def _whole_number(label: str, low: int, high: int, required: bool) -> IntegerField:
    return IntegerField(
        label,
        widget=GovTextInput(),
        validators=[
            InputRequired(f"Enter {label[:1].lower() + label[1:]}") if required else Optional(),
            NumberRange(low, high, f"{label} must be a whole number from {low} to {high:,}"),
        ],
    )


def _title(label: str = "Title") -> StringField:
    return StringField(
        label,
        widget=GovTextInput(),
        filters=[strip_text],
        validators=[
            InputRequired("Enter a title"),
            Length(max=MAX_TITLE, message=f"The title must be {MAX_TITLE} characters or fewer"),
        ],
    )


class InterviewForm(FlaskForm):
    role = StringField(
        "Role of the person interviewed",
        description="For example, designated safeguarding lead. Not their name.",
        widget=GovTextInput(),
        filters=[strip_text],
        validators=[
            InputRequired("Enter the role of the person interviewed"),
            Length(max=MAX_ROLE, message=f"The role must be {MAX_ROLE} characters or fewer"),
        ],
    )
    agency_id = SelectField("Agency", widget=GovSelect(), coerce=str, validate_choice=False)
    organisation = StringField(
        "If another organisation, which one? (optional)",
        description="For example, a secondary school",
        widget=GovTextInput(),
        filters=[strip_text],
        validators=[Length(max=MAX_ROLE)],
    )
    held_on = GovDateField(
        "Date of the interview",
        description="For example, 27 3 2025",
        validators=[InputRequired("Enter the date of the interview")],
    )
    working_well = _text(INTERVIEW_PROMPTS["working_well"] + " (optional)")
    worried_about = _text(INTERVIEW_PROMPTS["worried_about"] + " (optional)")
    needs_to_happen = _text(INTERVIEW_PROMPTS["needs_to_happen"] + " (optional)")
    submit = SubmitField("Add the interview", widget=GovSubmitInput())


class QuoteForm(Form):
    text = _text("What they said (optional)")
    column = SelectField("Column", widget=GovSelect(), choices=COLUMN_CHOICES)


class EventForm(FlaskForm):
    title = _title("Name of the event")
    held_on = GovDateField(
        "Date of the event",
        description="For example, 27 3 2025",
        validators=[InputRequired("Enter the date of the event")],
    )
    participants = _whole_number("How many took part", 1, MAX_PARTICIPANTS, required=True)
    notes = _text(
        "Notes (optional)",
        "What the children and young people told you. Use no names or details that would "
        "identify them.",
    )
    quote_1 = FormField(QuoteForm)
    quote_2 = FormField(QuoteForm)
    quote_3 = FormField(QuoteForm)
    submit = SubmitField("Add the event", widget=GovSubmitInput())

    def quote_fields(self) -> list[FormField]:
        return [getattr(self, f"quote_{n}") for n in range(1, QUOTE_ROWS + 1)]


class SurveyForm(FlaskForm):
    title = _title("Name of the survey")
    held_on = GovDateField(
        "Date of the survey",
        description="When it closed. For example, 27 3 2025",
        validators=[InputRequired("Enter the date of the survey")],
    )
    file = FileField(
        "Survey results",
        description="A CSV or Excel (.xlsx) file: the questions in the first row, one "
        "response in each row below",
        widget=GovFileInput(),
        validators=[FileRequired("Select the survey results file")],
    )
    submit = SubmitField("Upload the survey", widget=GovSubmitInput())


class OtherEvidenceForm(FlaskForm):
    title = _title()
    held_on = GovDateField("Date (optional)", description="For example, 27 3 2025")
    notes = _text("Notes (optional)")
    working_well = _text(COLUMN_LABELS["working_well"] + " (optional)")
    worried_about = _text(COLUMN_LABELS["worried_about"] + " (optional)")
    needs_to_happen = _text(COLUMN_LABELS["needs_to_happen"] + " (optional)")
    submit = SubmitField("Add the evidence", widget=GovSubmitInput())


class DetailsForm(FlaskForm):
    """A source's details; the page shows the fields its kind uses."""

    version = HiddenField()
    title = _title()
    role = StringField(
        "Role of the person interviewed",
        widget=GovTextInput(),
        filters=[strip_text],
        validators=[Length(max=MAX_ROLE)],
    )
    agency_id = SelectField("Agency", widget=GovSelect(), coerce=str, validate_choice=False)
    held_on = GovDateField("Date", validators=[Optional()])
    participants = _whole_number("How many took part", 1, MAX_PARTICIPANTS, required=False)
    notes = _text("Notes (optional)")
    submit = SubmitField("Save", widget=GovSubmitInput())


class ItemForm(FlaskForm):
    """Add an item to a source, or edit one (``item_id`` set)."""

    version = HiddenField()
    item_id = HiddenField()
    text = _text("What the item says")
    column = SelectField("Column", widget=GovSelect(), choices=COLUMN_CHOICES)
    is_quote = BooleanField(
        "These are a child or young person's own words", widget=GovCheckboxInput()
    )
    count = _whole_number("How many said it (optional)", 0, MAX_PARTICIPANTS, required=False)
    submit = SubmitField("Add the item", widget=GovSubmitInput())


class DeleteForm(FlaskForm):
    version = HiddenField()
    submit = SubmitField("Yes, delete it", widget=GovSubmitInput())
