"""A reviewer writes their agency's summary of findings for an audit."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from audit_app.agencies.models import Agency
from audit_app.audits.models import Audit
from audit_app.core.access import allow
from audit_app.core.errors import DomainError
from audit_app.core.roles import Role
from audit_app.core.web import db
from audit_app.questionnaires.template_format import COLUMN_LABELS
from audit_app.returns import summaries
from audit_app.returns.forms import SummaryForm
from audit_app.returns.reviewing_views import agency_args, reviewing_agency_id

blueprint = Blueprint("summaries", __name__, template_folder="templates")


@blueprint.route("/audits/<id:audit_id>/summary", methods=["GET", "POST"])
@allow(Role.REVIEWER)
def summary(audit_id: int) -> str | Response:
    audit = db().get(Audit, audit_id) or abort(404)
    agency_id = reviewing_agency_id(audit, "summaries.summary")
    session = db()
    existing = summaries.summary_of(session, audit, agency_id)
    draft = summaries.draft_from_answers(session, audit, agency_id)
    form = SummaryForm()
    problem = typed = None
    if request.method == "GET":
        form.version.data = str(existing.version if existing else 0)
        for column in summaries.COLUMN_ORDER:
            # The draft fills a summary never saved; a column cleared on purpose stays clear.
            form[column].data = getattr(existing, column) if existing else draft.text(column)
    elif form.validate_on_submit():
        texts = {column: form[column].data or "" for column in summaries.COLUMN_ORDER}
        seen = form.version.data or ""
        try:
            summaries.save_summary(
                session,
                audit,
                agency_id,
                int(seen) if seen.isdigit() else -1,
                texts,
                current_user,
                send=request.form.get("action") == "send",
            )
        except summaries.SummaryConflict as conflict:
            session.rollback()
            problem, typed = conflict.message, texts
            existing = summaries.summary_of(session, audit, agency_id)
            form.version.data = str(existing.version if existing else 0)
            for column in summaries.COLUMN_ORDER:
                form[column].raw_data = None
                form[column].data = getattr(existing, column) if existing else ""
        except DomainError as error:
            session.rollback()
            problem = error.message
        else:
            sent = request.form.get("action") == "send"
            flash(
                "Your summary has been sent to the panel."
                if sent
                else "Your summary has been saved."
            )
            return redirect(
                url_for("summaries.summary", audit_id=audit.id, **agency_args(audit, agency_id))
            )
    return render_template(
        "summaries/summary.html",
        audit=audit,
        agency=session.get(Agency, agency_id),
        summary=existing,
        draft=draft,
        form=form,
        column_labels=COLUMN_LABELS,
        columns=summaries.COLUMN_ORDER,
        problem=problem,
        typed=typed,
        problem_href="#your-text" if typed else "#main-content",
    )
