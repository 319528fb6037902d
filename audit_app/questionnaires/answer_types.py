"""One registry from answer type to everything the service does with it.

Each :class:`AnswerType` says which template keys the type takes, which answers are possible
(so a template can map each one to a Signs of Safety column, and a condition can name one),
how a form field is built for it (a WTForms field with its GOV.UK widget and validation),
how a submitted value is stored, and how a stored value is summarised for the panel.
Adding a type is one class and one entry in :data:`ANSWER_TYPES`.

Nothing here imports Flask at import time: the GOV.UK widgets (which render through Flask)
are imported only when a form field is built.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from wtforms import Field

    from audit_app.questionnaires.template_format import Question, Scale

COLUMNS = ("working_well", "worried_about", "needs_to_happen")
LARGEST_NUMBER = 1_000_000_000  # a whole number any database column and spreadsheet keeps exactly

# Keys every question may have, whatever its type.
COMMON_KEYS = frozenset(
    {"id", "type", "text", "hint", "required", "column", "maps", "themes", "show_if"}
)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


class AnswerType:
    """The behaviour of one answer type. Subclasses fill in the class attributes."""

    name: ClassVar[str]
    label: ClassVar[str]
    extra_keys: ClassVar[frozenset[str]] = frozenset()
    required_keys: ClassVar[frozenset[str]] = frozenset()
    # The page partial that renders the field (it sees ``field``, ``question``, ``params``).
    template: ClassVar[str] = "answer_types/_field.html"

    @property
    def allowed_keys(self) -> frozenset[str]:
        return COMMON_KEYS | self.extra_keys

    # --- What answers are possible ---------------------------------------------------

    def choices(self, question: Question, scales: dict[str, Scale]) -> list[Choice] | None:
        """The possible answers, or None when the answer is free (text, a date, a number)."""
        return None

    def default_column(
        self, value: str, question: Question, scales: dict[str, Scale]
    ) -> str | None:
        """A column an answer falls in when the template does not say (grades only)."""
        return None

    # --- Forms ---------------------------------------------------------------------

    def form_field(self, question: Question, scales: dict[str, Scale]) -> Field:
        raise NotImplementedError

    def field_params(self, question: Question, scales: dict[str, Scale]) -> dict[str, Any]:
        """The GOV.UK macro parameters the field is rendered with."""
        return {"label": {"text": question.text, "classes": "govuk-label--s"}, "rows": 4}

    def extra_fields(self, question: Question) -> dict[str, tuple[Field, dict[str, Any]]]:
        """Fields asked with the answer, by name suffix (a grade's written reason)."""
        return {}

    def prepare(self, field: Field) -> None:
        """Ready a field filled from stored answers for more typing (blank rows to add to)."""

    def to_stored(self, data: Any) -> Any:
        """The submitted field data as it is kept (plain JSON); None when not answered."""
        if data is None or data == "" or data == []:
            return None
        return data

    def to_form(self, stored: Any) -> Any:
        """A stored value as the field's data, to fill a form back in."""
        return stored

    # --- Reading answers -------------------------------------------------------------

    def summary(self, stored: Any, question: Question, scales: dict[str, Scale]) -> str:
        """The answer in words, for check-your-answers pages and the panel."""
        if stored is None or stored == "" or stored == []:
            return "Not answered"
        choices = self.choices(question, scales)
        if choices is not None:
            labels = {choice.value: choice.label for choice in choices}
            values = stored if isinstance(stored, list) else [stored]
            return ", ".join(labels.get(str(value), str(value)) for value in values)
        return str(stored)

    def columns(self, stored: Any, question: Question, scales: dict[str, Scale]) -> list[str]:
        """The Signs of Safety column(s) an answer lands in (none when not answered)."""
        if stored is None or stored == "" or stored == []:
            return []
        if question.column:
            return [question.column]
        values = stored if isinstance(stored, list) else [stored]
        found: list[str] = []
        for value in values:
            column = question.maps.get(str(value)) or self.default_column(
                str(value), question, scales
            )
            if column and column not in found:
                found.append(column)
        return found


def _widgets() -> Any:
    from govuk_frontend_wtf import wtforms_widgets

    return wtforms_widgets


def _legend(question: Question) -> dict[str, Any]:
    return {"fieldset": {"legend": {"text": question.text, "classes": "govuk-fieldset__legend--s"}}}


def _validators(question: Question) -> list[Any]:
    from wtforms.validators import InputRequired, Optional

    if question.required:
        return [InputRequired(f"Answer '{question.text}'")]
    return [Optional()]


class OneChoice(AnswerType):
    """An answer chosen from a set list, as radios."""

    def field_params(self, question: Question, scales: dict[str, Scale]) -> dict[str, Any]:
        return _legend(question)

    def form_field(self, question: Question, scales: dict[str, Scale]) -> Field:
        from wtforms import RadioField

        return RadioField(
            question.text,
            description=question.hint or "",
            choices=[(c.value, c.label) for c in self.choices(question, scales) or []],
            validators=_validators(question),
            widget=_widgets().GovRadioInput(),
        )


class YesNoUnknown(OneChoice):
    name = "yes_no_unknown"
    label = "Yes, no or not known"
    CHOICES = (Choice("yes", "Yes"), Choice("no", "No"), Choice("not_known", "Not known"))

    def choices(self, question: Question, scales: dict[str, Scale]) -> list[Choice]:
        return list(self.CHOICES)


class SingleChoice(OneChoice):
    name = "single_choice"
    label = "One answer from a list"
    extra_keys = frozenset({"options"})
    required_keys = frozenset({"options"})

    def choices(self, question: Question, scales: dict[str, Scale]) -> list[Choice]:
        return list(question.options)


class MultipleChoice(AnswerType):
    name = "multiple_choice"
    label = "Any answers from a list"
    extra_keys = frozenset({"options"})
    required_keys = frozenset({"options"})

    def field_params(self, question: Question, scales: dict[str, Scale]) -> dict[str, Any]:
        return {**_legend(question), "hint": {"text": question.hint or "Select all that apply"}}

    def choices(self, question: Question, scales: dict[str, Scale]) -> list[Choice]:
        return list(question.options)

    def form_field(self, question: Question, scales: dict[str, Scale]) -> Field:
        from wtforms import SelectMultipleField

        return SelectMultipleField(
            question.text,
            description=question.hint or "",
            choices=[(c.value, c.label) for c in question.options],
            validators=_validators(question),
            widget=_widgets().GovCheckboxesInput(),
        )

    def to_stored(self, data: Any) -> Any:
        return list(data) if data else None


class Grade(OneChoice):
    name = "grade"
    label = "A grade on a named scale"
    extra_keys = frozenset({"scale", "rationale"})
    required_keys = frozenset({"scale"})

    def field_params(self, question: Question, scales: dict[str, Scale]) -> dict[str, Any]:
        levels = self.choices(question, scales) or []
        return {**_legend(question), "classes": "govuk-radios--small" if len(levels) > 5 else ""}

    def extra_fields(self, question: Question) -> dict[str, tuple[Field, dict[str, Any]]]:
        if question.rationale not in ("required", "optional"):
            return {}
        from wtforms import TextAreaField
        from wtforms.validators import DataRequired, Optional

        validators = (
            [DataRequired(f"Give the reason for the grade for '{question.text}'")]
            if question.rationale == "required"
            else [Optional()]
        )
        field = TextAreaField(
            "Why this grade?", validators=validators, widget=_widgets().GovTextArea()
        )
        return {
            "__rationale": (
                field,
                {"label": {"text": "Why this grade?", "classes": "govuk-label--s"}, "rows": 3},
            )
        }

    def choices(self, question: Question, scales: dict[str, Scale]) -> list[Choice] | None:
        scale = scales.get(question.scale or "")
        if scale is None:
            return None
        return [Choice(level.value, level.label) for level in scale.levels]

    def default_column(
        self, value: str, question: Question, scales: dict[str, Scale]
    ) -> str | None:
        scale = scales.get(question.scale or "")
        if scale is None:
            return None
        for level in scale.levels:
            if level.value == value:
                return level.column
        return None


class FreeText(AnswerType):
    name = "free_text"
    label = "Free text"

    def form_field(self, question: Question, scales: dict[str, Scale]) -> Field:
        from wtforms import TextAreaField

        return TextAreaField(
            question.text,
            description=question.hint or "",
            validators=_validators(question),
            widget=_widgets().GovTextArea(),
        )

    def to_stored(self, data: Any) -> Any:
        text = (data or "").strip()
        return text or None


class DateAnswer(AnswerType):
    name = "date"
    label = "A date"

    def field_params(self, question: Question, scales: dict[str, Scale]) -> dict[str, Any]:
        return {**_legend(question), "hint": {"text": question.hint or "For example, 27 3 2021"}}

    def form_field(self, question: Question, scales: dict[str, Scale]) -> Field:
        from audit_app.core.forms import GovDateField

        return GovDateField(
            question.text, description=question.hint or "", validators=_validators(question)
        )

    def to_stored(self, data: Any) -> Any:
        return data.isoformat() if isinstance(data, date) else None

    def to_form(self, stored: Any) -> Any:
        return date.fromisoformat(stored) if stored else None

    def summary(self, stored: Any, question: Question, scales: dict[str, Scale]) -> str:
        if not stored:
            return "Not answered"
        return date.fromisoformat(stored).strftime("%-d %B %Y")


class NumberAnswer(AnswerType):
    name = "number"
    label = "A whole number"
    extra_keys = frozenset({"min", "max", "unit"})

    def field_params(self, question: Question, scales: dict[str, Scale]) -> dict[str, Any]:
        params: dict[str, Any] = {
            "label": {"text": question.text, "classes": "govuk-label--s"},
            "classes": "govuk-input--width-5",
            "inputmode": "numeric",
        }
        if question.unit:
            params["suffix"] = {"text": question.unit}
        return params

    def form_field(self, question: Question, scales: dict[str, Scale]) -> Field:
        from wtforms import IntegerField
        from wtforms.validators import NumberRange

        validators = _validators(question)
        bounded = replace(
            question,
            min=question.min if question.min is not None else -LARGEST_NUMBER,
            max=question.max if question.max is not None else LARGEST_NUMBER,
        )
        limited = question.min is not None or question.max is not None
        validators.append(
            NumberRange(
                min=bounded.min,
                max=bounded.max,
                message=_range_message(question) if limited else "Enter a smaller whole number",
            )
        )
        return IntegerField(
            question.text,
            description=question.hint or "",
            validators=validators,
            widget=_widgets().GovTextInput(),
        )

    def to_stored(self, data: Any) -> Any:
        return int(data) if isinstance(data, int) else None

    def summary(self, stored: Any, question: Question, scales: dict[str, Scale]) -> str:
        if stored is None:
            return "Not answered"
        return f"{stored} {question.unit}".strip() if question.unit else str(stored)


def _range_message(question: Question) -> str:
    if question.min is not None and question.max is not None:
        return f"Enter a whole number from {question.min} to {question.max}"
    if question.min is not None:
        return f"Enter a whole number of {question.min} or more"
    return f"Enter a whole number of {question.max} or less"


class DatedList(AnswerType):
    """A repeating list of dated entries, for chronology-style questions."""

    name = "dated_list"
    label = "A list of dated entries"
    ROWS = 3
    template = "answer_types/_dated_list.html"

    def form_field(self, question: Question, scales: dict[str, Scale]) -> Field:
        from flask_wtf import FlaskForm  # a sub-form only: no token of its own is rendered
        from wtforms import FieldList, FormField, TextAreaField
        from wtforms.validators import Optional

        from audit_app.core.forms import GovDateField

        class Entry(FlaskForm):
            class Meta:
                csrf = False

            when = GovDateField("Date", validators=[Optional()])
            what = TextAreaField(
                "What happened", validators=[Optional()], widget=_widgets().GovTextArea()
            )

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

    def to_stored(self, data: Any) -> Any:
        entries = []
        for row in data or []:
            when, what = row.get("when"), (row.get("what") or "").strip()
            if when is None and not what:
                continue
            entries.append({"date": when.isoformat() if when else None, "text": what})
        entries.sort(key=lambda entry: entry["date"] or "")
        return entries or None

    def to_form(self, stored: Any) -> Any:
        return [
            {"when": date.fromisoformat(e["date"]) if e.get("date") else None, "what": e["text"]}
            for e in stored or []
        ]

    def summary(self, stored: Any, question: Question, scales: dict[str, Scale]) -> str:
        if not stored:
            return "Not answered"
        lines = []
        for entry in stored:
            when = (
                date.fromisoformat(entry["date"]).strftime("%-d %b %Y")
                if entry["date"]
                else "Undated"
            )
            lines.append(f"{when}: {entry['text']}")
        return "\n".join(lines)


ANSWER_TYPES: dict[str, AnswerType] = {
    handler.name: handler
    for handler in (
        YesNoUnknown(),
        SingleChoice(),
        MultipleChoice(),
        Grade(),
        FreeText(),
        DateAnswer(),
        NumberAnswer(),
        DatedList(),
    )
}
