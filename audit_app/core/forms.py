"""GOV.UK form helpers every area uses: errors from the rules, text stripping, dates, a
confirmation, and the audit log filter."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovSelect,
    GovSubmitInput,
)
from wtforms import (
    DateField,
    SelectField,
    SubmitField,
)
from wtforms.validators import (
    Optional,
)

from audit_app.core.commit_point import discard_changes
from audit_app.core.errors import DomainError

EARLIEST_YEAR, LATEST_YEAR = 1900, 2100


def attach_error(form: Any, error: DomainError) -> None:
    """Show a domain rule's message beside the field it names, or above the form.

    The form is shown again because a rule refused, so nothing the request changed is kept:
    a rule may have changed some things before it refused (see ``core.commit_point``)."""
    discard_changes()
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def strip_text(value: object) -> object:
    """Leading and trailing spaces are never meant: "  " is no answer at all."""
    return value.strip() if isinstance(value, str) else value


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


class ConfirmForm(FlaskForm):
    """A form with only a CSRF token and a button: for sign-out and confirmations."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


class AuditLogFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    person = SelectField("Person", widget=GovSelect(), coerce=str, validate_choice=False)
    record_type = SelectField("Record type", widget=GovSelect(), coerce=str, validate_choice=False)
    audit = SelectField("Audit", widget=GovSelect(), coerce=str, validate_choice=False)
    date_from = GovDateField("From", validators=[Optional()])
    date_to = GovDateField("To", validators=[Optional()])
    submit = SubmitField("Filter", widget=GovSubmitInput())
