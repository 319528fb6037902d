"""Reviewers complete their agency's returns; the audit lead reads them and sends them back."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from audit_app.accounts import memberships
from audit_app.accounts.models import User
from audit_app.audits.models import Audit
from audit_app.core.access import allow
from audit_app.core.commit_point import after_commit, discard_changes
from audit_app.core.error_pages import EXPIRED_FORM, on_expired_form
from audit_app.core.errors import DomainError
from audit_app.core.forms import ConfirmForm, attach_error
from audit_app.core.notifications import send_email, smtp_settings
from audit_app.core.roles import Role
from audit_app.core.web import db, this_page
from audit_app.questionnaires.answer_types import answer_type
from audit_app.questionnaires.section_forms import section_form, stored_answers, stored_rationales
from audit_app.questionnaires.template_format import COLUMN_LABELS
from audit_app.returns import answering as returns
from audit_app.returns.forms import (
    AmendmentForm,
    ChronologyForm,
    ConcernForm,
    DealtWithForm,
    NoInvolvementForm,
)
from audit_app.returns.models import AgencyReturn, ChronologyEntry, ReturnStatus, UrgentConcern
from audit_app.returns.tracking import released_references, send_reminders

blueprint = Blueprint("returns", __name__, template_folder="templates")


def _own_return(return_id: int) -> AgencyReturn:
    """A return of the signed-in reviewer's own agency; anything else is not found."""
    agency_return = db().get(AgencyReturn, return_id)
    if (
        agency_return is None
        or agency_return.agency_id not in memberships.reviewer_agency_ids(current_user)
        or agency_return.member.removed_at is not None
        or agency_return.audit.template_version_id is None
    ):
        abort(404)
    return agency_return


# --- The return's own page -----------------------------------------------------------------


@blueprint.route("/returns/<id:return_id>")
@allow(Role.REVIEWER)
def overview(return_id: int) -> str:
    agency_return = _own_return(return_id)
    session = db()
    definition = returns.definition_for(agency_return)
    answers = returns.answers_of(session, agency_return)
    values = returns.values_of(answers)
    references = released_references(session, agency_return.agency_id, [agency_return.id])
    return render_template(
        "returns/overview.html",
        agency_return=agency_return,
        definition=definition,
        sections=list(
            zip(
                definition.sections,
                returns.section_progress(definition, answers, agency_return.status),
                strict=True,
            )
        ),
        progress=returns.progress(definition, values),
        chronology=returns.chronology_of(session, agency_return),
        references=references.get(agency_return.id, {}),
        editable=agency_return.status in returns.EDITABLE,
    )


# --- Sections ------------------------------------------------------------------------------


def _section(agency_return: AgencyReturn, number: int) -> Any:
    definition = returns.definition_for(agency_return)
    if not 1 <= number <= len(definition.sections):
        abort(404)
    return definition, definition.sections[number - 1]


def _typed(form: Any, definition: Any, section: Any) -> list[tuple[str, str]]:
    """What the person typed, in words, to show back to them when a save is refused."""
    shown = []
    values = stored_answers(form)
    for question in section.questions:
        value = values.get(question.id)
        if value not in (None, "", []):
            shown.append(
                (
                    question.text,
                    answer_type(question).summary(value, question, definition.scales),
                )
            )
    for question_id, reason in stored_rationales(form).items():
        shown.append((f"Why this grade? ({definition.question(question_id).text})", reason))
    return shown


def _raise_a_concern(question: Any, value: Any, definition: Any) -> str:
    """What a reviewer who gave an ``urgent_if`` answer is told on the concern page."""
    answer = answer_type(question).summary(value, question, definition.scales)
    return (
        f'Your answers are saved. You answered "{answer}" to "{question.text}": raise an '
        "urgent concern now, so that the audit lead knows today. If the child is in immediate "
        "danger, also follow your agency's safeguarding procedures."
    )


def _save(form: Any, agency_return: AgencyReturn) -> None:
    """Save a submitted section, naming the version of the return the page was built from."""
    seen = request.form.get("version", "")
    returns.save_section(
        db(),
        agency_return,
        int(seen) if seen.isdigit() else -1,
        stored_answers(form),
        stored_rationales(form),
        current_user,
    )


@blueprint.route("/returns/<id:return_id>/sections/<int:number>", methods=["GET", "POST"])
@allow(Role.REVIEWER)
def section(return_id: int, number: int) -> str | Response:
    agency_return = _own_return(return_id)
    definition, this_section = _section(agency_return, number)
    session = db()
    answers = returns.answers_of(session, agency_return)
    editable = agency_return.status in returns.EDITABLE
    stored = returns.values_of(answers)
    rationales = {qid: a.rationale for qid, a in answers.items() if a.rationale}
    if request.method == "GET":
        form = section_form(
            definition,
            this_section,
            stored,
            drafting=True,
            rationales=rationales,
            formdata=None,
        )
        return _render_section(
            agency_return, definition, number, form, stored, editable, shows_saved=True
        )
    form = section_form(definition, this_section, drafting=True)
    if not editable:
        return _sent_in_meanwhile(agency_return, definition, number, form, stored, rationales)
    problem = None
    typed = None
    if form.validate():
        try:
            _save(form, agency_return)
        except returns.ReturnConflict as conflict:
            session.rollback()
            problem = conflict.message
            typed = _typed(form, definition, this_section)
            answers = returns.answers_of(session, agency_return)
            stored = returns.values_of(answers)
            form = section_form(
                definition,
                this_section,
                stored,
                drafting=True,
                formdata=None,
                rationales={qid: a.rationale for qid, a in answers.items() if a.rationale},
            )
            return _render_section(
                agency_return,
                definition,
                number,
                form,
                stored,
                editable,
                problem=problem,
                typed=typed,
                shows_saved=True,
            )
        except DomainError as error:
            session.rollback()
            problem = error.message
        else:
            # Tells the page's script that this form's answers are saved (it can forget them).
            flash(this_page(), "saved-form")
            given = stored_answers(form)
            urgent = returns.urgent_answers(session, agency_return, this_section.questions, given)
            if urgent:
                for question in urgent:
                    flash(_raise_a_concern(question, given.get(question.id), definition))
                return redirect(url_for("returns.concern", return_id=agency_return.id))
            if request.form.get("action") == "later" or number == len(definition.sections):
                flash("Your answers have been saved. You can come back to them at any time.")
                return redirect(url_for("returns.overview", return_id=agency_return.id))
            return redirect(
                url_for("returns.section", return_id=agency_return.id, number=number + 1)
            )
    return _render_section(
        agency_return, definition, number, form, stored, editable, problem=problem, typed=typed
    )


def _sent_in_meanwhile(
    agency_return: AgencyReturn,
    definition: Any,
    number: int,
    form: Any,
    stored: dict[str, Any],
    rationales: dict[str, str],
) -> str:
    """Sent in (perhaps by a colleague) while this page was open: show what they typed."""
    this_section = definition.sections[number - 1]
    typed = _typed(form, definition, this_section)
    form = section_form(
        definition,
        this_section,
        stored,
        drafting=True,
        rationales=rationales,
        formdata=None,
    )
    return _render_section(
        agency_return,
        definition,
        number,
        form,
        stored,
        False,
        problem="This return has been sent in, so your changes have not been saved. "
        "What you typed is shown below: copy it and ask the audit lead to return it "
        "for amendment if it needs to change.",
        typed=typed,
    )


@on_expired_form("returns.section")
def section_expired(return_id: int, number: int) -> str:
    """The section form sent with a token that no longer matches the session (the page was
    open a long time, or the person signed in again in another tab): show what was sent,
    not saved, with the version the page was built from, so that saving it again still
    notices a colleague's save in between."""
    discard_changes()
    agency_return = _own_return(return_id)
    definition, this_section = _section(agency_return, number)
    answers = returns.answers_of(db(), agency_return)
    stored = returns.values_of(answers)
    form = section_form(definition, this_section, drafting=True)
    if agency_return.status not in returns.EDITABLE:
        rationales = {qid: a.rationale for qid, a in answers.items() if a.rationale}
        return _sent_in_meanwhile(agency_return, definition, number, form, stored, rationales)
    seen = request.form.get("version", "")
    return _render_section(
        agency_return,
        definition,
        number,
        form,
        stored,
        True,
        problem=EXPIRED_FORM,
        version=int(seen) if seen.isdigit() else None,
    )


def _render_section(
    agency_return: AgencyReturn,
    definition: Any,
    number: int,
    form: Any,
    stored: dict[str, Any],
    editable: bool,
    problem: str | None = None,
    typed: list[tuple[str, str]] | None = None,
    *,
    shows_saved: bool = False,
    version: int | None = None,
) -> str:
    """The section page. ``shows_saved``: the form shows the saved answers (not what was
    sent), so the page's script may compare what it kept in the browser with them;
    ``version``: the version of the return the answers shown were built on."""
    this_section = definition.sections[number - 1]
    conditions = {
        question.id: definition.describe_condition(question)
        for question in this_section.questions
        if question.show_if
    }
    return render_template(
        "returns/section.html",
        agency_return=agency_return,
        definition=definition,
        section=this_section,
        number=number,
        form=form,
        conditions=conditions,
        editable=editable,
        problem=problem,
        problem_href="#your-text" if typed else "#main-content",
        typed=typed,
        shows_saved=shows_saved,
        version=agency_return.version if version is None else version,
    )


@blueprint.route("/returns/<id:return_id>/sections/<int:number>/autosave", methods=["POST"])
@allow(Role.REVIEWER)
def autosave(return_id: int, number: int) -> tuple[Response, int]:
    """Saves a draft as the reviewer types (JavaScript); the same rules as the page."""
    agency_return = _own_return(return_id)
    definition, this_section = _section(agency_return, number)
    session = db()
    form = section_form(definition, this_section, drafting=True)
    if not form.validate():
        return jsonify({"saved": False, "errors": form.errors}), 422
    try:
        _save(form, agency_return)
    except returns.ReturnConflict as conflict:
        session.rollback()
        return jsonify({"saved": False, "conflict": True, "message": conflict.message}), 409
    except DomainError as error:
        session.rollback()
        return jsonify({"saved": False, "message": error.message}), 400
    return jsonify({"saved": True, "version": agency_return.version}), 200


@on_expired_form("returns.autosave")
def autosave_expired(return_id: int, number: int) -> tuple[Response, int]:
    """An autosave whose token no longer matches the session (the person signed in again
    in another tab): nothing is saved, and the page says to save with its button, which
    shows the form again with what was sent."""
    discard_changes()
    _section(_own_return(return_id), number)
    return jsonify({"saved": False, "expired": True}), 400


# --- No involvement, chronology, check and submit --------------------------------------------


@blueprint.route("/returns/<id:return_id>/no-involvement", methods=["GET", "POST"])
@allow(Role.REVIEWER)
def no_involvement(return_id: int) -> str | Response:
    agency_return = _own_return(return_id)
    form = NoInvolvementForm(version=str(agency_return.version))
    if form.validate_on_submit():
        seen = form.version.data or ""
        try:
            returns.record_no_involvement(
                db(),
                agency_return,
                int(seen) if seen.isdigit() else -1,
                form.reason.data or "",
                current_user,
            )
        except DomainError as error:
            db().rollback()
            attach_error(form, error)
        else:
            flash(this_page(), "saved-form")  # the page's script forgets its kept copy
            flash(
                f"You have recorded that your agency had no involvement with "
                f"{agency_return.member.code}."
            )
            return redirect(url_for("home.index"))
    return render_template(
        "returns/no_involvement.html",
        form=form,
        agency_return=agency_return,
        shows_saved=request.method == "GET",
    )


def _shown_again(template: str, first_field: str, **context: Any) -> str:
    """A simple form sent with an expired token: the page again with what was sent (the
    form binds the request), a message saying it was not saved, and nothing saved."""
    discard_changes()
    return render_template(
        template, problem=EXPIRED_FORM, problem_href=f"#{first_field}", **context
    )


@on_expired_form("returns.no_involvement")
def no_involvement_expired(return_id: int) -> str:
    """ "No involvement" sent with an expired token: the reason shown again, not saved."""
    return _shown_again(
        "returns/no_involvement.html",
        "reason",
        form=NoInvolvementForm(),
        agency_return=_own_return(return_id),
    )


@blueprint.route("/returns/<id:return_id>/chronology", methods=["GET", "POST"])
@allow(Role.REVIEWER)
def chronology(return_id: int) -> str | Response:
    agency_return = _own_return(return_id)
    form = ChronologyForm()
    if form.validate_on_submit():
        try:
            returns.add_chronology_entry(
                db(),
                agency_return,
                happened_on=form.happened_on.data,
                what_happened=form.what_happened.data or "",
                agency_response=form.agency_response.data or "",
                missed_opportunity=form.missed_opportunity.data == "yes",
            )
        except DomainError as error:
            db().rollback()
            attach_error(form, error)
        else:
            flash(this_page(), "saved-form")  # the page's script forgets its kept copy
            flash("The entry has been added to your agency's chronology.")
            return redirect(url_for("returns.chronology", return_id=agency_return.id))
    return _render_chronology(agency_return, form, shows_saved=request.method == "GET")


@on_expired_form("returns.chronology")
def chronology_expired(return_id: int) -> str:
    """A new chronology entry sent with an expired token: show it again, not saved."""
    discard_changes()
    agency_return = _own_return(return_id)
    return _render_chronology(agency_return, ChronologyForm(), problem=EXPIRED_FORM)


def _render_chronology(
    agency_return: AgencyReturn,
    form: ChronologyForm,
    *,
    shows_saved: bool = False,
    problem: str | None = None,
) -> str:
    """The chronology page. ``shows_saved``: the new entry's form is empty (nothing sent),
    so the page's script may put back an entry it kept from before a sign-out."""
    return render_template(
        "returns/chronology.html",
        form=form,
        agency_return=agency_return,
        entries=returns.chronology_of(db(), agency_return),
        editable=agency_return.status in returns.EDITABLE,
        delete_form=ConfirmForm(),
        shows_saved=shows_saved,
        problem=problem,
        problem_href="#happened_on" if problem else None,
    )


@blueprint.route("/returns/<id:return_id>/chronology/<id:entry_id>/delete", methods=["POST"])
@allow(Role.REVIEWER)
def delete_chronology(return_id: int, entry_id: int) -> Response:
    agency_return = _own_return(return_id)
    entry = db().get(ChronologyEntry, entry_id)
    form = ConfirmForm()
    if entry is None or entry.return_id != agency_return.id:
        abort(404)
    if form.validate_on_submit():
        try:
            returns.delete_chronology_entry(db(), agency_return, entry)
        except DomainError as error:
            db().rollback()
            flash(error.message)
        else:
            flash("The entry has been removed.")
    return redirect(url_for("returns.chronology", return_id=agency_return.id))


@blueprint.route("/returns/<id:return_id>/check", methods=["GET"])
@allow(Role.REVIEWER)
def check(return_id: int) -> str:
    agency_return = _own_return(return_id)
    return _render_check(agency_return)


def _render_check(agency_return: AgencyReturn, problem: str | None = None) -> str:
    definition = returns.definition_for(agency_return)
    answers = returns.answers_of(db(), agency_return)
    return render_template(
        "returns/check.html",
        agency_return=agency_return,
        definition=definition,
        result=returns.check_answers(definition, answers),
        urgent=returns.urgent_answers(
            db(), agency_return, definition.questions, returns.values_of(answers)
        ),
        column_labels=COLUMN_LABELS,
        chronology=returns.chronology_of(db(), agency_return),
        editable=agency_return.status in returns.EDITABLE,
        form=ConfirmForm(),
        problem=problem,
    )


@blueprint.route("/returns/<id:return_id>/submit", methods=["POST"])
@allow(Role.REVIEWER)
def submit(return_id: int) -> str | Response:
    agency_return = _own_return(return_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    seen = request.form.get("version", "")
    if (
        agency_return.status is ReturnStatus.SUBMITTED
        and agency_return.submitted_by_id == current_user.id
    ):
        # A second press of "Send" (or a reload): it was sent, say so.
        flash(f"Your return for {agency_return.member.code} has been sent to the audit lead.")
        return redirect(url_for("home.index"))
    try:
        returns.submit(db(), agency_return, int(seen) if seen.isdigit() else -1, current_user)
    except DomainError as error:
        db().rollback()
        return _render_check(agency_return, problem=error.message)
    flash(f"Your return for {agency_return.member.code} has been sent to the audit lead.")
    return redirect(url_for("home.index"))


# --- Urgent concerns -----------------------------------------------------------------------


@blueprint.route("/returns/<id:return_id>/concern", methods=["GET", "POST"])
@allow(Role.REVIEWER)
def concern(return_id: int) -> str | Response:
    agency_return = _own_return(return_id)
    form = ConcernForm()
    if form.validate_on_submit():
        try:
            returns.raise_concern(db(), agency_return, form.details.data or "", current_user)
        except DomainError as error:
            db().rollback()
            attach_error(form, error)
        else:
            after_commit(partial(_email_lead, agency_return))
            flash(this_page(), "saved-form")  # the page's script forgets its kept copy
            flash(
                "Your concern has been sent to the audit lead. If the child is in immediate "
                "danger, also follow your agency's safeguarding procedures now."
            )
            return redirect(url_for("returns.overview", return_id=agency_return.id))
    return render_template(
        "returns/concern.html",
        form=form,
        agency_return=agency_return,
        shows_saved=request.method == "GET",
    )


@on_expired_form("returns.concern")
def concern_expired(return_id: int) -> str:
    """An urgent concern sent with an expired token: shown again, not yet sent."""
    return _shown_again(
        "returns/concern.html", "details", form=ConcernForm(), agency_return=_own_return(return_id)
    )


def _email_lead(agency_return: AgencyReturn) -> None:
    settings = smtp_settings(current_app.config)
    lead = agency_return.audit.lead
    if settings is None or lead is None:
        return
    try:
        send_email(
            settings,
            lead.email,
            "Urgent concern raised in an audit",
            f"{agency_return.agency.name} has raised an urgent concern about "
            f"{agency_return.member.code} in the audit '{agency_return.audit.title}'.\n\n"
            "Sign in to read it. Please do not reply with details of the child.",
        )
    except OSError:
        current_app.logger.exception("The urgent concern email could not be sent")


def _concern_for_lead(concern_id: int) -> tuple[UrgentConcern, AgencyReturn]:
    """The concern and its return, for an audit lead of its audit; else 404."""
    concern = db().get(UrgentConcern, concern_id) or abort(404)
    concerned = db().get(AgencyReturn, concern.return_id)
    if concerned is None or not memberships.leads(current_user, concerned.audit_id):
        abort(404)
    return concern, concerned


@blueprint.route("/concerns/<id:concern_id>/acknowledge", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD)
def acknowledge(concern_id: int) -> str | Response:
    """Mark an urgent concern as dealt with: what was done, and who did it."""
    concern, concerned = _concern_for_lead(concern_id)
    listing = url_for("returns.concerns", audit_id=concerned.audit_id)
    if concern.is_dealt_with:
        flash("This concern has already been marked as dealt with.")
        return redirect(listing)
    form = DealtWithForm()
    if request.method == "GET" and not form.dealt_with_by.data:
        form.dealt_with_by.data = current_user.full_name
    if form.validate_on_submit():
        try:
            returns.deal_with_concern(
                db(),
                concern,
                current_user,
                action_taken=form.action_taken.data or "",
                dealt_with_by=form.dealt_with_by.data or "",
            )
        except DomainError as error:
            db().rollback()  # to show the concern as it now is
            attach_error(form, error)
        else:
            flash(this_page(), "saved-form")  # the page's script forgets its kept copy
            flash(f"The concern about {concerned.member.code} has been marked as dealt with.")
            return redirect(listing)
    return render_template(
        "returns/concern_dealt_with.html",
        form=form,
        concern=concern,
        agency_return=concerned,
        shows_saved=request.method == "GET",
    )


@on_expired_form("returns.acknowledge")
def acknowledge_expired(concern_id: int) -> str | Response:
    """What was done about a concern, sent with an expired token: shown again, not saved."""
    concern, concerned = _concern_for_lead(concern_id)
    if concern.is_dealt_with:
        flash("This concern has already been marked as dealt with.")
        return redirect(url_for("returns.concerns", audit_id=concerned.audit_id))
    return _shown_again(
        "returns/concern_dealt_with.html",
        "action_taken",
        form=DealtWithForm(),
        concern=concern,
        agency_return=concerned,
    )


@blueprint.route("/audits/<id:audit_id>/concerns")
@allow(Role.AUDIT_LEAD)
def concerns(audit_id: int) -> str:
    """Every urgent concern raised in an audit: those open, and those dealt with and how."""
    audit = db().get(Audit, audit_id) or abort(404)
    return render_template(
        "returns/concerns.html", audit=audit, concerns=returns.concerns_of(db(), audit.id)
    )


# --- The audit lead reads a return -----------------------------------------------------------


@blueprint.route("/audits/<id:audit_id>/returns/<id:return_id>", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD)
def lead_view(audit_id: int, return_id: int) -> str | Response:
    audit, agency_return = _return_for_lead(audit_id, return_id)
    form = AmendmentForm()
    if form.validate_on_submit():
        try:
            returns.return_for_amendment(db(), agency_return, form.comment.data or "")
        except DomainError as error:
            db().rollback()
            attach_error(form, error)
        else:
            flash(this_page(), "saved-form")  # the page's script forgets its kept copy
            flash(f"The return has been sent back to {agency_return.agency.name}.")
            return redirect(url_for("audits.show", audit_id=audit.id) + "#returns")
    return _render_lead_view(audit, agency_return, form, shows_saved=request.method == "GET")


@on_expired_form("returns.lead_view")
def lead_view_expired(audit_id: int, return_id: int) -> str:
    """A comment for amendment sent with an expired token: shown again, the return not sent
    back."""
    discard_changes()
    audit, agency_return = _return_for_lead(audit_id, return_id)
    return _render_lead_view(audit, agency_return, AmendmentForm(), problem=EXPIRED_FORM)


def _return_for_lead(audit_id: int, return_id: int) -> tuple[Audit, AgencyReturn]:
    audit = db().get(Audit, audit_id) or abort(404)
    agency_return = db().get(AgencyReturn, return_id)
    if agency_return is None or agency_return.audit_id != audit.id:
        abort(404)
    return audit, agency_return


def _render_lead_view(
    audit: Audit,
    agency_return: AgencyReturn,
    form: AmendmentForm,
    *,
    shows_saved: bool = False,
    problem: str | None = None,
) -> str:
    definition = returns.definition_for(agency_return)
    answers = returns.answers_of(db(), agency_return)
    return render_template(
        "returns/lead_view.html",
        audit=audit,
        agency_return=agency_return,
        definition=definition,
        result=returns.check_answers(definition, answers),
        column_labels=COLUMN_LABELS,
        chronology=returns.chronology_of(db(), agency_return),
        form=form,
        submitted_by=db().get(User, agency_return.submitted_by_id)
        if agency_return.submitted_by_id
        else None,
        shows_saved=shows_saved,
        problem=problem,
        problem_href="#comment" if problem else None,
    )


@blueprint.route("/audits/<id:audit_id>/reminders", methods=["POST"])
@allow(Role.AUDIT_LEAD)
def reminders(audit_id: int) -> Response:
    audit = db().get(Audit, audit_id) or abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        settings = smtp_settings(current_app.config)
        send = partial(send_email, settings) if settings else None
        try:
            result = send_reminders(
                db(), audit, current_user, send, current_app.config["SERVICE_NAME"]
            )
        except DomainError as error:
            discard_changes()
            flash(error.message, "error")
        else:
            sent = result.reminders
            emailed = sum(1 for reminder in sent if reminder.emailed)
            if not sent:
                flash("Every agency has completed its returns: no reminders were needed.")
            elif settings is None:
                flash(
                    f"Email is not set up, so {len(sent)} reminders were recorded in the audit "
                    "log for you to pass on."
                )
            else:
                flash(f"{emailed} of {len(sent)} agencies were reminded by email.")
            if result.failed:
                flash(
                    "The email to " + ", ".join(result.failed) + " could not be sent. The "
                    "reminder is recorded as not emailed: try again later or pass it on.",
                    "error",
                )
    return redirect(url_for("audits.show", audit_id=audit.id) + "#returns")
