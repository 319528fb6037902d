"""The panel's evidence beyond the case files: every source by kind, adding an interview, an
engagement event, a survey or other evidence, a source's page with its items by column (add,
edit, remove), editing a source's details and deleting a source."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from audit_app.charts import Chart, bar_chart
from audit_app.cohort.population import MAX_BYTES, _megabytes
from audit_app.core.access import allow
from audit_app.core.commit_point import discard_changes
from audit_app.core.errors import DomainError
from audit_app.core.roles import Role
from audit_app.core.web import db
from audit_app.panel import evidence
from audit_app.panel.blueprint import blueprint
from audit_app.panel.evidence_forms import (
    ANOTHER_ORGANISATION,
    DeleteForm,
    DetailsForm,
    EventForm,
    InterviewForm,
    ItemForm,
    OtherEvidenceForm,
    SurveyForm,
)
from audit_app.panel.models import (
    EVIDENCE_KIND_LABELS,
    EvidenceItem,
    EvidenceKind,
    EvidenceSource,
)
from audit_app.panel.pages import panel_audit, render_panel, svg_response
from audit_app.panel.reading import PanelAudit
from audit_app.panel.surveys import MOST_DISTINCT_ANSWERS, SurveyError, read_survey
from audit_app.questionnaires.definitions import COLUMN_LABELS, COLUMNS

PAGE = "panel.evidence"


# --- Helpers ---------------------------------------------------------------------------------


def _problem(form: Any, error: DomainError) -> str | None:
    """Put a domain rule's message beside its field (a quote row's field too); the message
    to show above the form when it names no field on the form."""
    discard_changes()
    if error.field:
        outer, _, inner = error.field.partition("-")
        field = getattr(form, outer, None)
        if field is not None and inner:
            field = getattr(getattr(field, "form", None), inner, None)
        if field is not None:
            field.errors = [*field.errors, error.message]
            return None
    return error.message


def _agency_choices(panel: PanelAudit, placeholder: bool = True) -> list[tuple[str, str]]:
    return [
        *([("", "Choose an agency")] if placeholder else []),
        *((str(agency.id), agency.name) for agency in panel.agencies),
        (ANOTHER_ORGANISATION, "Another organisation"),
    ]


def _agency_id(form: Any) -> int | None:
    """The agency chosen (None: another organisation); a field error when none was."""
    value = form.agency_id.data or ""
    if value == ANOTHER_ORGANISATION:
        return None
    if value.isdigit():
        return int(value)
    raise DomainError("Choose an agency, or Another organisation", field="agency_id")


def _source(panel: PanelAudit, source_id: int) -> EvidenceSource:
    found = evidence.source_of(db(), panel.audit, source_id)
    if found is None:
        abort(404)
    return found


def _version(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def _render(template: str, panel: PanelAudit, **context: Any) -> str:
    return render_panel(
        template,
        panel,
        PAGE,
        column_labels=COLUMN_LABELS,
        columns=COLUMNS,
        kind_labels=EVIDENCE_KIND_LABELS,
        max_text=evidence.MAX_TEXT,
        **context,
    )


def _added(source: EvidenceSource, words: str) -> Response:
    flash(words)
    return redirect(url_for("panel.evidence_source", audit_id=source.audit_id, source_id=source.id))


# --- Every source ----------------------------------------------------------------------------


@blueprint.route("/evidence", endpoint="evidence")
@allow(Role.AUDIT_LEAD, Role.PANEL)
def evidence_list(audit_id: int) -> str:
    panel = panel_audit(audit_id)
    return _render(
        "panel/evidence.html",
        panel,
        grouped=evidence.sources_of(db(), panel.audit),
        kinds=evidence.KIND_ORDER,
        add_links={
            EvidenceKind.PROFESSIONAL_INTERVIEW: ("panel.interview_new", "Add an interview"),
            EvidenceKind.CHILD_VOICE: ("panel.event_new", "Add an engagement event"),
            EvidenceKind.SURVEY: ("panel.survey_new", "Upload a survey"),
            EvidenceKind.OTHER: ("panel.other_evidence_new", "Add other evidence"),
        },
    )


# --- Adding a source -------------------------------------------------------------------------


@blueprint.route("/evidence/interviews/new", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD, Role.PANEL)
def interview_new(audit_id: int) -> str | Response:
    panel = panel_audit(audit_id)
    form = InterviewForm()
    form.agency_id.choices = _agency_choices(panel)
    problem = None
    if form.validate_on_submit():
        try:
            source = evidence.add_interview(
                db(),
                panel.audit,
                panel.agencies,
                evidence.Interview(
                    role=form.role.data or "",
                    agency_id=_agency_id(form),
                    organisation=form.organisation.data or "",
                    held_on=form.held_on.data,
                    working_well=form.working_well.data or "",
                    worried_about=form.worried_about.data or "",
                    needs_to_happen=form.needs_to_happen.data or "",
                ),
                current_user,
            )
        except DomainError as error:
            problem = _problem(form, error)
        else:
            return _added(source, "The interview has been added.")
    return _render(
        "panel/evidence_new.html",
        panel,
        form=form,
        kind=EvidenceKind.PROFESSIONAL_INTERVIEW,
        heading="Add a professional interview",
        problem=problem,
    )


@blueprint.route("/evidence/events/new", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD, Role.PANEL)
def event_new(audit_id: int) -> str | Response:
    panel = panel_audit(audit_id)
    form = EventForm()
    problem = None
    if form.validate_on_submit():
        try:
            source = evidence.add_event(
                db(),
                panel.audit,
                evidence.Event(
                    title=form.title.data or "",
                    held_on=form.held_on.data,
                    participants=form.participants.data,
                    notes=form.notes.data or "",
                    quotes=[
                        evidence.Quote(quote.form.text.data or "", quote.form.column.data or "")
                        for quote in form.quote_fields()
                    ],
                ),
                current_user,
            )
        except DomainError as error:
            problem = _problem(form, error)
        else:
            return _added(source, "The event has been added.")
    return _render(
        "panel/evidence_new.html",
        panel,
        form=form,
        kind=EvidenceKind.CHILD_VOICE,
        heading="Add an engagement event with children and young people",
        problem=problem,
    )


@blueprint.route("/evidence/surveys/new", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD, Role.PANEL)
def survey_new(audit_id: int) -> str | Response:
    panel = panel_audit(audit_id)
    form = SurveyForm()
    problem = None
    limit = min(MAX_BYTES, current_app.config.get("MAX_CONTENT_LENGTH") or MAX_BYTES)
    if form.validate_on_submit():
        upload = form.file.data
        try:
            counts = read_survey(upload.read(), upload.filename or "", max_bytes=limit)
            source = evidence.add_survey(
                db(), panel.audit, form.title.data or "", form.held_on.data, counts, current_user
            )
        except SurveyError as error:
            discard_changes()
            form.file.errors = [*form.file.errors, f"Nothing was stored. {error.message}"]
        except DomainError as error:
            problem = _problem(form, error)
        else:
            return _added(
                source,
                f"The survey has been read: {counts.responses:,} responses to "
                f"{len(counts.questions)} questions.",
            )
    return _render(
        "panel/evidence_new.html",
        panel,
        form=form,
        kind=EvidenceKind.SURVEY,
        heading="Upload a survey of children and young people",
        problem=problem,
        limit_text=_megabytes(limit),
        most_distinct=MOST_DISTINCT_ANSWERS,
    )


@blueprint.route("/evidence/other/new", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD, Role.PANEL)
def other_evidence_new(audit_id: int) -> str | Response:
    panel = panel_audit(audit_id)
    form = OtherEvidenceForm()
    problem = None
    if form.validate_on_submit():
        try:
            source = evidence.add_other(
                db(),
                panel.audit,
                evidence.Other(
                    title=form.title.data or "",
                    held_on=form.held_on.data,
                    notes=form.notes.data or "",
                    working_well=form.working_well.data or "",
                    worried_about=form.worried_about.data or "",
                    needs_to_happen=form.needs_to_happen.data or "",
                ),
                current_user,
            )
        except DomainError as error:
            problem = _problem(form, error)
        else:
            return _added(source, "The evidence has been added.")
    return _render(
        "panel/evidence_new.html",
        panel,
        form=form,
        kind=EvidenceKind.OTHER,
        heading="Add other evidence",
        problem=problem,
    )


# --- A source and its items ------------------------------------------------------------------


def survey_chart(question: evidence.StoredQuestion) -> Chart:
    """A survey question's answers as a bar chart (drawn only when its image is asked for)."""
    return bar_chart(
        question.text,
        [answer for answer, _ in question.counts],
        {"Responses": [count for _, count in question.counts]},
        value_label="Number of responses",
    )


@blueprint.route("/evidence/<id:source_id>/questions/<int:number>/chart.svg")
@allow(Role.AUDIT_LEAD, Role.PANEL)
def survey_question_chart(audit_id: int, source_id: int, number: int) -> Response:
    """The chart of one survey question (the source's page shows its figures as a table)."""
    panel = panel_audit(audit_id)
    source = _source(panel, source_id)
    found = next(
        (q for q in evidence.survey_questions(source) if q.number == number and q.counts), None
    )
    return svg_response(survey_chart(found or abort(404)))


@blueprint.route("/evidence/<id:source_id>", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD, Role.PANEL)
def evidence_source(audit_id: int, source_id: int) -> str | Response:
    panel = panel_audit(audit_id)
    session = db()
    source = _source(panel, source_id)
    form = ItemForm()
    editing = None
    problem = None
    typed: str | None = None
    if request.method == "GET":
        wanted = request.args.get("item", "")
        editing = evidence.item_of(source, int(wanted)) if wanted.isdigit() else None
        if wanted and editing is None:
            abort(404)
        form.version.data = str(source.version)
        if editing is not None:
            form.item_id.data = str(editing.id)
            form.text.data = editing.text
            form.column.data = editing.column.value
            form.is_quote.data = editing.is_quote
            form.count.data = editing.count
        elif source.kind is EvidenceKind.CHILD_VOICE:
            form.is_quote.data = True
    else:
        action = request.form.get("action", "add")
        if action.startswith("remove-"):
            if not DeleteForm().validate_on_submit():
                abort(400)
            return _remove(panel, source, action.removeprefix("remove-"))
        item_id = _version(form.item_id.data)
        if item_id is not None:
            editing = evidence.item_of(source, item_id)
            _not_elsewhere(editing, item_id)
        if form.validate_on_submit():
            item = evidence.ItemInput(
                column=form.column.data or "",
                text=form.text.data or "",
                is_quote=bool(form.is_quote.data),
                count=form.count.data,
            )
            try:
                if item_id is None:
                    added = evidence.add_item(session, panel.audit, source, item)
                    flash("The item has been added.")
                    anchor = f"item-{added.id}"
                else:
                    evidence.edit_item(
                        session, panel.audit, source, item_id, _version(form.version.data), item
                    )
                    flash("The item has been saved.")
                    anchor = f"item-{item_id}"
            except evidence.EvidenceConflict as conflict:
                discard_changes()
                session.rollback()
                problem, typed = conflict.message, item.text
                source = _source(panel, source_id)
                editing = evidence.item_of(source, item_id) if item_id is not None else None
                form = _item_form_for(source, editing)
            except DomainError as error:
                problem = _problem(form, error)
            else:
                return redirect(
                    url_for(
                        "panel.evidence_source",
                        audit_id=panel.audit.id,
                        source_id=source.id,
                        _anchor=anchor,
                    )
                )
    return _render_source(panel, source, form, editing, problem=problem, typed=typed)


def _item_form_for(source: EvidenceSource, editing: Any) -> ItemForm:
    """The item form as the source now stands (after a conflict), the item's saved words in
    it when it is still there."""
    form = ItemForm(formdata=None)
    form.version.data = str(source.version)
    if editing is not None:
        form.item_id.data = str(editing.id)
        form.text.data = editing.text
        form.column.data = editing.column.value
        form.is_quote.data = editing.is_quote
        form.count.data = editing.count
    return form


def _not_elsewhere(found: EvidenceItem | None, item_id: int) -> None:
    """404 for an item named that is not the source's but exists (another source's, another
    audit's); an item that is gone altogether was removed by a colleague."""
    if found is None and db().get(EvidenceItem, item_id) is not None:
        abort(404)


def _remove(panel: PanelAudit, source: EvidenceSource, item_id: str) -> Response:
    if item_id.isdigit():
        _not_elsewhere(evidence.item_of(source, int(item_id)), int(item_id))
    if item_id.isdigit() and evidence.remove_item(db(), panel.audit, source, int(item_id)):
        flash("The item has been removed.")
    else:
        flash("That item had already been removed.", "error")
    return redirect(url_for("panel.evidence_source", audit_id=panel.audit.id, source_id=source.id))


def _render_source(
    panel: PanelAudit,
    source: EvidenceSource,
    form: ItemForm,
    editing: Any,
    *,
    problem: str | None = None,
    typed: str | None = None,
) -> str:
    questions = evidence.survey_questions(source)
    charts = {q.number: survey_chart(q) for q in questions if q.counts}
    return _render(
        "panel/evidence_source.html",
        panel,
        source=source,
        items=evidence.items_by_column(source),
        form=form,
        editing=editing,
        questions=questions,
        charts=charts,
        problem=problem,
        problem_href="#your-text" if typed else "#main-content",
        typed=typed,
        interview_prompts=evidence.INTERVIEW_PROMPTS,
    )


# --- A source's details, and deleting it -----------------------------------------------------


def _details_typed(form: DetailsForm) -> list[tuple[str, str]]:
    shown = [("Title", form.title.data or ""), ("Role", form.role.data or ""),
             ("Notes", form.notes.data or "")]  # fmt: skip
    return [(label, words) for label, words in shown if words]


@blueprint.route("/evidence/<id:source_id>/edit", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD, Role.PANEL)
def evidence_source_edit(audit_id: int, source_id: int) -> str | Response:
    panel = panel_audit(audit_id)
    session = db()
    source = _source(panel, source_id)
    form = DetailsForm()
    form.agency_id.choices = _agency_choices(panel, placeholder=False)
    problem = None
    typed: list[tuple[str, str]] = []
    if request.method == "GET":
        _fill_details(form, source)
    elif form.validate_on_submit():
        try:
            agency_id = (
                _agency_id(form) if source.kind is EvidenceKind.PROFESSIONAL_INTERVIEW else None
            )
            evidence.update_source(
                session,
                panel.audit,
                panel.agencies,
                source,
                _version(form.version.data),
                evidence.Details(
                    title=form.title.data or "",
                    held_on=form.held_on.data,
                    role=form.role.data or "",
                    agency_id=agency_id,
                    participants=form.participants.data,
                    notes=form.notes.data or "",
                ),
            )
        except evidence.EvidenceConflict as conflict:
            discard_changes()
            session.rollback()
            problem, typed = conflict.message, _details_typed(form)
            source = _source(panel, source_id)
            form = DetailsForm(formdata=None)
            form.agency_id.choices = _agency_choices(panel, placeholder=False)
            _fill_details(form, source)
        except DomainError as error:
            problem = _problem(form, error)
        else:
            flash("The details have been saved.")
            return redirect(
                url_for("panel.evidence_source", audit_id=panel.audit.id, source_id=source.id)
            )
    return _render(
        "panel/evidence_edit.html",
        panel,
        source=source,
        form=form,
        problem=problem,
        problem_href="#your-text" if typed else "#main-content",
        typed=typed,
    )


def _fill_details(form: DetailsForm, source: EvidenceSource) -> None:
    form.version.data = str(source.version)
    form.title.data = source.title
    form.role.data = source.role
    form.agency_id.data = str(source.agency_id) if source.agency_id else ANOTHER_ORGANISATION
    form.held_on.data = source.held_on
    form.participants.data = source.participants
    form.notes.data = source.notes


@blueprint.route("/evidence/<id:source_id>/delete", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD, Role.PANEL)
def evidence_delete(audit_id: int, source_id: int) -> str | Response:
    panel = panel_audit(audit_id)
    session = db()
    source = _source(panel, source_id)
    form = DeleteForm()
    problem = None
    if request.method == "GET":
        form.version.data = str(source.version)
    elif form.validate_on_submit():
        title = source.title
        try:
            evidence.delete_source(session, panel.audit, source, _version(form.version.data))
        except DomainError as error:
            discard_changes()
            session.rollback()
            problem = error.message
            source = _source(panel, source_id)
            form = DeleteForm(formdata=None)
            form.version.data = str(source.version)
        else:
            flash(f"'{title}' has been deleted.")
            return redirect(url_for("panel.evidence", audit_id=panel.audit.id))
    return _render(
        "panel/evidence_delete.html",
        panel,
        source=source,
        form=form,
        links=evidence.links_of(session, source),
        problem=problem,
    )
