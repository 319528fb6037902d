"""Forms built at run time from an audit template, one per section, through the registry."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm

from audit_app.answer_types import ANSWER_TYPES
from audit_app.template_format import AuditTemplateDefinition, Question, Section


class SectionForm(FlaskForm):
    """The fields of one template section; field names are the question ids."""

    questions: tuple[Question, ...] = ()


RATIONALE_SUFFIX = "__rationale"


def _rationale_field(question: Question) -> Any:
    from govuk_frontend_wtf.wtforms_widgets import GovTextArea
    from wtforms import TextAreaField
    from wtforms.validators import DataRequired, Optional

    validators = (
        [DataRequired(f"Give the reason for the grade for '{question.text}'")]
        if question.rationale == "required"
        else [Optional()]
    )
    return TextAreaField("Why this grade?", validators=validators, widget=GovTextArea())


def section_form_class(definition: AuditTemplateDefinition, section: Section) -> type[SectionForm]:
    fields: dict[str, Any] = {}
    for question in section.questions:
        fields[question.id] = ANSWER_TYPES[question.type].form_field(question, definition.scales)
        if question.type == "grade" and question.rationale in ("required", "optional"):
            fields[question.id + RATIONALE_SUFFIX] = _rationale_field(question)
    return type("SectionForm", (SectionForm,), {**fields, "questions": section.questions})


def section_form(
    definition: AuditTemplateDefinition,
    section: Section,
    stored: dict[str, Any] | None = None,
    *,
    read_only: bool = False,
    **kwargs: Any,
) -> SectionForm:
    """A section's form, filled in from stored answers (by question id) when given."""
    form_class = section_form_class(definition, section)
    if read_only:
        kwargs.setdefault("meta", {"csrf": False})
        kwargs.setdefault("formdata", None)
    data = {
        question.id: ANSWER_TYPES[question.type].to_form(stored[question.id])
        for question in section.questions
        if stored and question.id in stored
    }
    return form_class(data=data, **kwargs)


def stored_answers(form: SectionForm) -> dict[str, Any]:
    """A submitted section's answers as they are kept, by question id."""
    return {
        question.id: ANSWER_TYPES[question.type].to_stored(form[question.id].data)
        for question in form.questions
    }


def stored_rationales(form: SectionForm) -> dict[str, str]:
    """The written reasons given with grades, by question id."""
    reasons = {}
    for question in form.questions:
        field = form._fields.get(question.id + RATIONALE_SUFFIX)
        if field is not None and (field.data or "").strip():
            reasons[question.id] = field.data.strip()
    return reasons
