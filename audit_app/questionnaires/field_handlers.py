"""Form field handlers: one per answer type, each only building its GOV.UK WTForms field.

In the shape of ONSdigital's eq-questionnaire-runner ``app/forms/field_handlers/``: a
handler builds the field for a question (its widget and validation), names the Jinja
partial and the GOV.UK macro parameters that render it, adds any field asked with the
answer (a grade's written reason), and converts between the field's data and the answer
type's natural value. Everything else about a value (stored form, columns, summary, cells,
aggregates) belongs to the answer type in :mod:`audit_app.questionnaires.answer_types`.

WTForms and the GOV.UK widgets are imported here and in the forms that use these fields,
nowhere in the registry.
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    Field,
    FieldList,
    FormField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from audit_app.core.forms import GovDateField
from audit_app.questionnaires.answer_types import (
    ANSWER_TYPES,
    LARGEST_NUMBER,
    AnswerType,
    DatedEntry,
    range_message,
)
from audit_app.questionnaires.definitions import DOES_NOT_APPLY, NOT_KNOWN, Question, Scale

Scales = dict[str, Scale]
RATIONALE_SUFFIX = "__rationale"  # the name suffix of a grade's written reason


def _legend(question: Question) -> dict[str, Any]:
    return {"fieldset": {"legend": {"text": question.text, "classes": "govuk-fieldset__legend--s"}}}


def _validators(question: Question) -> list[Any]:
    if question.required:
        return [InputRequired(f"Answer '{question.text}'")]
    return [Optional()]


class FieldHandler:
    """Builds the form field of one answer type."""

    answer_type: ClassVar[str]
    # The page partial that renders the field (it sees ``field``, ``question``, ``params``).
    template: ClassVar[str] = "answer_types/_field.html"

    @property
    def domain(self) -> AnswerType:
        return ANSWER_TYPES[self.answer_type]

    def build(self, question: Question, scales: Scales) -> Field:
        raise NotImplementedError

    def field_params(self, question: Question, scales: Scales) -> dict[str, Any]:
        """The GOV.UK macro parameters the field is rendered with."""
        return {"label": {"text": question.text, "classes": "govuk-label--s"}, "rows": 4}

    def extra_fields(self, question: Question) -> dict[str, tuple[Field, dict[str, Any]]]:
        """Fields asked with the answer, by name suffix, with their macro parameters."""
        return {}

    def prepare(self, field: Any) -> None:
        """Ready a field filled from stored answers for more typing (blank rows to add to)."""

    def from_data(self, data: Any) -> Any:
        """The field's data as the answer type's natural value."""
        return data

    def to_data(self, value: Any) -> Any:
        """The answer type's natural value as the field's data."""
        return value


GAP_HINTS = {
    NOT_KNOWN: "Your records do not show it. This is listed for the panel as a gap in what "
    "is known, not counted as a worry.",
    DOES_NOT_APPLY: "Your agency holds nothing on this for this child.",
}


def _item_hints(domain: AnswerType, question: Question, scales: Scales) -> list[dict[str, Any]]:
    """Each radio's hint: a grade's descriptor, or what a gap answer means."""
    items: list[dict[str, Any]] = []
    for choice in domain.choices(question, scales) or []:
        text = domain.descriptor(choice.value, question, scales) or (
            GAP_HINTS.get(choice.value) if domain.gap(choice.value, question) else None
        )
        items.append({"hint": {"text": text}} if text else {})
    return items


class OneChoiceField(FieldHandler):
    """Radios, one per possible answer, each with what it means when there is more to say."""

    def field_params(self, question: Question, scales: Scales) -> dict[str, Any]:
        items = _item_hints(self.domain, question, scales)
        return {**_legend(question), "items": items} if any(items) else _legend(question)

    def build(self, question: Question, scales: Scales) -> Field:
        return RadioField(
            question.text,
            description=question.hint or "",
            choices=[(c.value, c.label) for c in self.domain.choices(question, scales) or []],
            validators=_validators(question),
            widget=GovRadioInput(),
        )


class YesNoUnknownField(OneChoiceField):
    answer_type = "yes_no_unknown"


class SingleChoiceField(OneChoiceField):
    answer_type = "single_choice"


class MultipleChoiceField(FieldHandler):
    answer_type = "multiple_choice"

    def field_params(self, question: Question, scales: Scales) -> dict[str, Any]:
        return {**_legend(question), "hint": {"text": question.hint or "Select all that apply"}}

    def build(self, question: Question, scales: Scales) -> Field:
        return SelectMultipleField(
            question.text,
            description=question.hint or "",
            choices=[(c.value, c.label) for c in self.domain.choices(question, scales) or []],
            validators=_validators(question),
            widget=GovCheckboxesInput(),
        )


class GradeField(OneChoiceField):
    answer_type = "grade"

    def field_params(self, question: Question, scales: Scales) -> dict[str, Any]:
        levels = self.domain.choices(question, scales) or []
        return {
            **super().field_params(question, scales),
            "classes": "govuk-radios--small" if len(levels) > 5 else "",
        }

    def extra_fields(self, question: Question) -> dict[str, tuple[Field, dict[str, Any]]]:
        if not self.domain.takes_reason(question):
            return {}
        validators = (
            [DataRequired(f"Give the reason for the grade for '{question.text}'")]
            if self.domain.needs_reason(question)
            else [Optional()]
        )
        field = TextAreaField("Why this grade?", validators=validators, widget=GovTextArea())
        return {
            RATIONALE_SUFFIX: (
                field,
                {"label": {"text": "Why this grade?", "classes": "govuk-label--s"}, "rows": 3},
            )
        }


class ScalingField(GradeField):
    """Chosen as a grade is (each number with its words); the answer type keeps the number."""

    answer_type = "scaling"


class FreeTextField(FieldHandler):
    answer_type = "free_text"

    def build(self, question: Question, scales: Scales) -> Field:
        return TextAreaField(
            question.text,
            description=question.hint or "",
            validators=_validators(question),
            widget=GovTextArea(),
        )


class DateField(FieldHandler):
    answer_type = "date"

    def field_params(self, question: Question, scales: Scales) -> dict[str, Any]:
        return {**_legend(question), "hint": {"text": question.hint or "For example, 27 3 2021"}}

    def build(self, question: Question, scales: Scales) -> Field:
        return GovDateField(
            question.text, description=question.hint or "", validators=_validators(question)
        )


class NumberField(FieldHandler):
    answer_type = "number"

    def field_params(self, question: Question, scales: Scales) -> dict[str, Any]:
        params: dict[str, Any] = {
            "label": {"text": question.text, "classes": "govuk-label--s"},
            "classes": "govuk-input--width-5",
            "inputmode": "numeric",
        }
        if question.unit:
            params["suffix"] = {"text": question.unit}
        return params

    def build(self, question: Question, scales: Scales) -> Field:
        validators = _validators(question)
        limited = question.min is not None or question.max is not None
        validators.append(
            NumberRange(
                min=question.min if question.min is not None else -LARGEST_NUMBER,
                max=question.max if question.max is not None else LARGEST_NUMBER,
                message=(
                    range_message(question).capitalize()
                    if limited
                    else "Enter a smaller whole number"
                ),
            )
        )
        return IntegerField(
            question.text,
            description=question.hint or "",
            validators=validators,
            widget=GovTextInput(),
        )


class DatedListField(FieldHandler):
    """A list of entries, each a date and "What happened"; always two blank ones to add to."""

    answer_type = "dated_list"
    template = "answer_types/_dated_list.html"
    ROWS = 3

    def build(self, question: Question, scales: Scales) -> Field:
        class Entry(FlaskForm):  # a sub-form only: no token of its own is rendered
            class Meta:
                csrf = False

            when = GovDateField("Date", validators=[Optional()])
            what = TextAreaField("What happened", validators=[Optional()], widget=GovTextArea())

        return FieldList(
            FormField(Entry),
            label=question.text,
            description=question.hint or "",
            min_entries=self.ROWS,
        )

    def prepare(self, field: Any) -> None:
        """Always leave two blank entries to add to (no JavaScript needed)."""
        blanks = sum(1 for entry in field if not (entry.form.when.data or entry.form.what.data))
        for _ in range(max(0, 2 - blanks)):
            field.append_entry()

    def from_data(self, data: Any) -> Any:
        return [DatedEntry(row.get("when"), row.get("what") or "") for row in data or []]

    def to_data(self, value: Any) -> Any:
        return [{"when": entry.when, "what": entry.text} for entry in value or []]


FIELD_HANDLERS: dict[str, FieldHandler] = {
    handler.answer_type: handler
    for handler in (
        YesNoUnknownField(),
        SingleChoiceField(),
        MultipleChoiceField(),
        GradeField(),
        ScalingField(),
        FreeTextField(),
        DateField(),
        NumberField(),
        DatedListField(),
    )
}


def field_handler(question: Question) -> FieldHandler:
    return FIELD_HANDLERS[question.type]
