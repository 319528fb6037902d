"""Forms for the cohort: population upload, column mapping, the draw, changes by hand."""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from audit_app.cohort.population import parse_date
from audit_app.cohort.sampling import Filter, parse_strata
from audit_app.core.forms import strip_text


class PopulationUploadForm(FlaskForm):
    file = FileField(
        "Population list",
        description="A CSV or Excel (.xlsx) file with a header row and one row per child",
        widget=GovFileInput(),
        validators=[
            FileRequired("Select the population list"),
            FileAllowed(["csv", "xlsx", "txt"], "The file must be a CSV or an Excel .xlsx file"),
        ],
    )
    submit = SubmitField("Upload and preview", widget=GovSubmitInput())


class ColumnMappingForm(FlaskForm):
    local_id = SelectField("Column with each child's local id", widget=GovSelect(), coerce=str)
    name = SelectField("Column with the child's name", widget=GovSelect(), coerce=str)
    date_of_birth = SelectField(
        "Column with the date of birth (optional)", widget=GovSelect(), coerce=str
    )
    reference_columns = SelectMultipleField(
        "Agency references (optional)",
        description="Columns such as NHS number, social care id or police id. They are held "
        "with the identities; you choose which to release to each agency.",
        widget=GovCheckboxesInput(),
        coerce=str,
    )
    submit = SubmitField("Save columns", widget=GovSubmitInput())


CONDITIONS = [
    ("=", "is"),
    (">=", "is on or after"),
    ("<=", "is on or before"),
    ("age", "gives an age between"),
]


FILTER_ROWS = 3


AGES_ON = re.compile(r"(?P<ages>[\d\s,\-]+?)\s+on\s+(?P<on>.+)", re.IGNORECASE)


def filter_text(column: str, condition: str, value: str) -> str:
    """One filter row as the canonical filter string (ValueError, in words, if it is wrong)."""
    if condition == ">=" or condition == "<=":
        return str(Filter(column, condition, on=parse_date(value)))
    if condition == "age":
        match = AGES_ON.fullmatch(value)
        if not match:
            raise ValueError("write the ages and the date, like 11-17 on 31/12/2020")
        low, _, high = match.group("ages").strip().partition("-")
        if not low.strip().isdigit() or (high and not high.strip().isdigit()):
            raise ValueError("write the ages as whole numbers, like 11-17 on 31/12/2020")
        return str(
            Filter(
                column, "age", on=parse_date(match.group("on")), low=int(low), high=int(high or low)
            )
        )
    return str(Filter(column, "=", value=value))


def strata_text(column: str, bands: str) -> str:
    """The strata as the canonical string: a column, or its age bands on a date."""
    if not bands:
        return column
    match = AGES_ON.fullmatch(bands)
    if not match:
        raise ValueError("write the bands and the date, like 0-10,11-13,14-17 on 31/12/2020")
    on = parse_date(match.group("on")).isoformat()
    return str(parse_strata(f"age({column})@{on}:{match.group('ages').strip()}"))


class DrawForm(FlaskForm):
    size = IntegerField(
        "How many children?",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter how many children to draw"),
            NumberRange(min=1, max=500, message="Enter a number from 1 to 500"),
        ],
    )
    strata_column = SelectField(
        "Stratify by (optional)",
        description="Share the places between groups in proportion to their size",
        widget=GovSelect(),
        coerce=str,
        validate_choice=False,
    )
    strata_bands = StringField(
        "Age bands (optional, for a date of birth column)",
        description="The bands and the date ages are taken on, for example "
        "0-10,11-13,14-17 on 31/12/2020",
        widget=GovTextInput(),
        filters=[strip_text],
        validators=[Optional(), Length(max=200)],
    )
    seed = StringField(
        "Seed (optional)",
        description="Leave blank for a new random seed. Give the seed of an earlier draw to "
        "repeat it.",
        widget=GovTextInput(),
        filters=[strip_text],
        validators=[Optional(), Length(max=100)],
    )
    reason = TextAreaField("Reason for drawing again", widget=GovTextArea(), filters=[strip_text])
    submit = SubmitField("Draw the cohort", widget=GovSubmitInput())

    def filter_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"filter_{n}_column"], self[f"filter_{n}_condition"], self[f"filter_{n}_value"])
            for n in range(1, FILTER_ROWS + 1)
        ]

    def filters(self) -> list[str]:
        """The filled-in rows as canonical filter strings (call after validation)."""
        return [
            filter_text(column.data, condition.data, value.data or "")
            for column, condition, value in self.filter_rows()
            if column.data
        ]

    def strata(self) -> str | None:
        return (
            strata_text(self.strata_column.data, self.strata_bands.data or "")
            if (self.strata_column.data)
            else None
        )

    def validate_strata_bands(self, field: Any) -> None:
        if field.data and not self.strata_column.data:
            raise ValidationError("Choose the date of birth column for the age bands")
        if field.data:
            try:
                strata_text(self.strata_column.data, field.data)
            except ValueError as error:
                raise ValidationError(str(error)) from None


def _value_validator(n: int) -> Any:
    def check(form: DrawForm, field: Any) -> None:
        column = form[f"filter_{n}_column"].data
        if not column:
            return
        try:
            filter_text(column, form[f"filter_{n}_condition"].data, field.data or "")
        except ValueError as error:
            raise ValidationError(f"Filter {n} on {column}: {error}") from None

    return check


for _n in range(1, FILTER_ROWS + 1):
    setattr(
        DrawForm,
        f"filter_{_n}_column",
        SelectField("Column", widget=GovSelect(), coerce=str, validate_choice=False),
    )
    setattr(
        DrawForm,
        f"filter_{_n}_condition",
        SelectField(
            "Condition", widget=GovSelect(), choices=CONDITIONS, coerce=str, validate_choice=False
        ),
    )
    setattr(
        DrawForm,
        f"filter_{_n}_value",
        StringField(
            "Value", widget=GovTextInput(), filters=[strip_text], validators=[_value_validator(_n)]
        ),
    )


class AddChildForm(FlaskForm):
    row = SelectField("Child from the population list", widget=GovSelect(), coerce=str)
    reason = TextAreaField(
        "Reason for adding this child",
        widget=GovTextArea(),
        filters=[strip_text],
        validators=[DataRequired("Give the reason for adding this child")],
    )
    submit = SubmitField("Add child", widget=GovSubmitInput())


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        "Reason",
        widget=GovTextArea(),
        filters=[strip_text],
        validators=[DataRequired("Give the reason")],
    )
    submit = SubmitField("Confirm", widget=GovSubmitInput())
