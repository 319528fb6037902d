"""A reviewer writes their agency's summary of findings for an audit, as items."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from audit_app.accounts.memberships import holds
from audit_app.agencies.models import Agency
from audit_app.audits.models import Audit
from audit_app.core.access import allow
from audit_app.core.commit_point import discard_changes
from audit_app.core.error_pages import EXPIRED_FORM, on_expired_form
from audit_app.core.errors import DomainError
from audit_app.core.roles import Role
from audit_app.core.web import db, this_page
from audit_app.panel.pages import NOT_SHARED
from audit_app.panel.reading import is_shared
from audit_app.questionnaires.library import definition_of
from audit_app.questionnaires.template_format import COLUMN_LABELS
from audit_app.returns import summaries
from audit_app.returns.forms import SummaryForm
from audit_app.returns.reviewing_views import agency_args, reviewing_agency_id

blueprint = Blueprint("summaries", __name__, template_folder="templates")

MOVES = ("up", "down", "remove")


def _edits(form: MultiDict[str, str]) -> list[summaries.ItemEdit]:
    """The items as the page sent them, in the page's order, then the new ones."""
    edits = []
    for name in form:
        parts = name.split("-")
        if len(parts) == 3 and parts[0] == "item" and parts[2] == "text" and parts[1].isdigit():
            edits.append(
                summaries.ItemEdit(
                    int(parts[1]),
                    form.get(f"item-{parts[1]}-column", ""),
                    form.get(name, "").strip(),
                )
            )
    for column in summaries.COLUMN_ORDER:
        edits.append(summaries.ItemEdit(None, column, form.get(f"new-{column}", "").strip()))
    return edits


def _move(action: str) -> summaries.ItemMove | None:
    """'up-12', 'down-12', 'remove-12': a button beside item 12."""
    how, _, item_id = action.partition("-")
    if how in MOVES and item_id.isdigit():
        return summaries.ItemMove(how, int(item_id))
    return None


def column_choices(chosen: str) -> list[dict[str, Any]]:
    """The column drop-down's options, ``chosen`` selected."""
    return [
        {"value": column, "text": COLUMN_LABELS[column], "selected": column == chosen}
        for column in summaries.COLUMN_ORDER
    ]


def _anchor(action: str, edits: list[summaries.ItemEdit]) -> str:
    """Where to land after a button: the item moved, or the column added to."""
    move = _move(action)
    if move is not None and move.how != "remove":
        return f"item-{move.item_id}"
    if action.startswith("add-"):
        return action.removeprefix("add-")
    return ""


@blueprint.route("/audits/<id:audit_id>/summary", methods=["GET", "POST"])
@allow(Role.REVIEWER)
def summary(audit_id: int) -> str | Response:
    session = db()
    audit = session.get(Audit, audit_id) or abort(404)
    agency_id = reviewing_agency_id(audit, "summaries.summary")
    existing = summaries.summary_of(session, audit, agency_id)
    form = SummaryForm()
    problem = problem_field = None
    typed: list[summaries.ItemEdit] | None = None
    shown_edits: dict[str, Any] = {}
    if request.method == "GET":
        form.version.data = str(existing.version if existing else 0)
    elif form.validate_on_submit():
        action = request.form.get("action", "save")
        seen = form.version.data or ""
        version = int(seen) if seen.isdigit() else -1
        edits = _edits(request.form)
        try:
            if action == "draft":
                summaries.write_draft(session, audit, agency_id, version)
                message = "A draft has been made from your answers. Edit it into your findings."
            else:
                summaries.save_summary(
                    session,
                    audit,
                    agency_id,
                    version,
                    edits,
                    current_user,
                    move=_move(action),
                    send=action == "send",
                )
                message = (
                    "Your summary has been sent to the panel."
                    if action == "send"
                    else "Your summary has been saved."
                )
        except summaries.SummaryConflict as conflict:
            discard_changes()
            session.rollback()  # to read the summary as the other person left it
            problem, typed = conflict.message, [edit for edit in edits if edit.text]
            existing = summaries.summary_of(session, audit, agency_id)
            form.version.data = str(existing.version if existing else 0)
        except DomainError as error:
            discard_changes()
            session.rollback()
            problem, problem_field = error.message, error.field
            existing = summaries.summary_of(session, audit, agency_id)
            # What the person typed stays on the page, to correct and save again.
            shown_edits = {
                (f"item-{edit.item_id}" if edit.item_id else f"new-{edit.column}"): edit
                for edit in edits
            }
        else:
            flash(this_page(), "saved-form")  # the page's script forgets its kept copy
            flash(message)
            anchor = _anchor(action, edits)
            return redirect(
                url_for(
                    "summaries.summary",
                    audit_id=audit.id,
                    **agency_args(audit, agency_id),
                    _anchor=anchor or None,
                )
            )
    return _render_summary(
        audit,
        agency_id,
        existing,
        form,
        shown_edits=shown_edits,
        problem=problem,
        problem_field=problem_field,
        typed=typed,
        shows_saved=request.method == "GET",
    )


@on_expired_form("summaries.summary")
def summary_expired(audit_id: int) -> str:
    """The summary sent with an expired token (the page was open a long time, or the person
    signed in again in another tab): what was typed is shown again, not saved, with the
    version the page was built from, so saving it again still notices a colleague's save."""
    discard_changes()
    session = db()
    audit = session.get(Audit, audit_id) or abort(404)
    agency_id = reviewing_agency_id(audit, "summaries.summary")
    existing = summaries.summary_of(session, audit, agency_id)
    form = SummaryForm()
    form.version.data = request.form.get("version", "")
    shown_edits = {
        (f"item-{edit.item_id}" if edit.item_id else f"new-{edit.column}"): edit
        for edit in _edits(request.form)
    }
    return _render_summary(
        audit, agency_id, existing, form, shown_edits=shown_edits, problem=EXPIRED_FORM
    )


def _render_summary(
    audit: Audit,
    agency_id: int,
    existing: Any,
    form: SummaryForm,
    *,
    shown_edits: dict[str, Any] | None = None,
    problem: str | None = None,
    problem_field: str | None = None,
    typed: list[summaries.ItemEdit] | None = None,
    shows_saved: bool = False,
) -> str:
    """The summary page. ``shows_saved``: the page shows what is saved and nothing sent, so
    the page's script may put back what it kept from before a sign-out."""
    session = db()
    definition = definition_of(audit.template_version) if audit.template_version else None
    columns = summaries.items_by_column(existing)
    items = [item for listed in columns.values() for item in listed]
    return render_template(
        "summaries/summary.html",
        audit=audit,
        agency=session.get(Agency, agency_id),
        summary=existing,
        items=columns,
        sources=summaries.sources_of(session, definition, items),
        edits=shown_edits or {},
        shows_saved=shows_saved,
        form=form,
        column_labels=COLUMN_LABELS,
        gaps=summaries.gaps_of(session, audit, agency_id),
        column_choices=column_choices,
        columns=summaries.COLUMN_ORDER,
        max_length=summaries.MAX_ITEM_LENGTH,
        problem=problem,
        problem_field=problem_field,
        typed=typed,
        problem_href="#your-text"
        if typed
        else (f"#{problem_field}" if problem_field else "#main-content"),
    )


@blueprint.route("/audits/<id:audit_id>/summaries")
@allow(Role.AUDIT_LEAD, Role.PANEL)
def audit_summaries(audit_id: int) -> str | Response:
    """Every agency's summary of an audit, to read: the items of those sent to the panel, by
    column; the audit lead also sees how far each agency has got."""
    session = db()
    audit = session.get(Audit, audit_id) or abort(404)
    is_lead = holds(current_user, Role.AUDIT_LEAD, audit.id)
    if not is_lead and not is_shared(audit):
        # The panel reads the summaries once the lead shares the returns with it.
        flash(NOT_SHARED, "error")
        return redirect(url_for("panel.home", audit_id=audit.id))
    rows = summaries.summaries_of_audit(session, audit)
    sent = [summary for _, summary in rows if summary and summary.submitted_at]
    definition = definition_of(audit.template_version) if audit.template_version else None
    items = [item for summary in sent for item in summary.items]
    return render_template(
        "summaries/audit_summaries.html",
        audit=audit,
        rows=[
            (agency, summary, summaries.items_by_column(summary))
            for agency, summary in rows
            if is_lead or (summary and summary.submitted_at)
        ],
        waiting=sum(1 for _, summary in rows if not (summary and summary.submitted_at)),
        sources=summaries.sources_of(session, definition, items),
        gaps=summaries.gaps_by_agency(session, audit, [summary.agency_id for summary in sent]),
        column_labels=COLUMN_LABELS,
        link="lead" if is_lead else None,
        is_lead=is_lead,
    )
