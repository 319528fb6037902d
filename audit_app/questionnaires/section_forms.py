"""Forms built at run time from an audit template, one per section.

Each question's field comes from its field handler
(:mod:`audit_app.questionnaires.field_handlers`); what is kept of a submitted field is the
answer type's stored value (:mod:`audit_app.questionnaires.answer_types`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask_wtf import FlaskForm

from audit_app.questionnaires.answer_types import answer_type
from audit_app.questionnaires.definitions import AuditTemplateDefinition, Question, Section
from audit_app.questionnaires.field_handlers import RATIONALE_SUFFIX, field_handler

__all__ = [
    "RATIONALE_SUFFIX",
    "SectionForm",
    "section_form",
    "section_form_class",
    "stored_answers",
    "stored_rationales",
]


class SectionForm(FlaskForm):
    """The fields of one template section; field names are the question ids."""

    questions: tuple[Question, ...] = ()


def section_form_class(
    definition: AuditTemplateDefinition, section: Section, *, drafting: bool = False
) -> type[SectionForm]:
    """The form class of a section. While ``drafting`` nothing is required: completeness is
    checked when the return is submitted."""
    fields: dict[str, Any] = {}
    for question in section.questions:
        if drafting:
            question = replace(
                question,
                required=False,
                rationale="optional" if question.rationale == "required" else question.rationale,
            )
        handler = field_handler(question)
        fields[question.id] = handler.build(question, definition.scales)
        for suffix, (field, _params) in handler.extra_fields(question).items():
            fields[question.id + suffix] = field
    return type("SectionForm", (SectionForm,), {**fields, "questions": section.questions})


def section_form(
    definition: AuditTemplateDefinition,
    section: Section,
    stored: dict[str, Any] | None = None,
    *,
    read_only: bool = False,
    drafting: bool = False,
    rationales: dict[str, str] | None = None,
    **kwargs: Any,
) -> SectionForm:
    """A section's form, filled in from stored answers (by question id) when given."""
    form_class = section_form_class(definition, section, drafting=drafting)
    if read_only:
        kwargs.setdefault("meta", {"csrf": False})
        kwargs.setdefault("formdata", None)
    data = {
        question.id: field_handler(question).to_data(
            answer_type(question).to_form(stored[question.id])
        )
        for question in section.questions
        if stored and question.id in stored
    }
    for question_id, reason in (rationales or {}).items():
        data[question_id + RATIONALE_SUFFIX] = reason
    form = form_class(data=data, **kwargs)
    if kwargs.get("formdata", "not given") is None and not read_only:
        for question in section.questions:
            field_handler(question).prepare(form[question.id])
    return form


def stored_answers(form: SectionForm) -> dict[str, Any]:
    """A submitted section's answers as they are kept, by question id."""
    return {
        question.id: answer_type(question).to_stored(
            field_handler(question).from_data(form[question.id].data)
        )
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
