"""Which agency a signed-in reviewer is working for on an audit's agency-wide pages (web glue
for the summary and workbook views).

A reviewer membership is for one agency; a person may review for several. On the pages for
an audit as a whole (the agency summary, the offline workbook) the agency is the one of
theirs that takes part in the audit; when several of theirs do, the ``agency`` query
parameter chooses, limited to their agencies, and without it they are asked to choose.
Any other audit or agency is not found (404), as for a return of another agency.
"""

from __future__ import annotations

from flask import abort, make_response, render_template, request, url_for
from flask_login import current_user

from audit_app.accounts import memberships
from audit_app.agencies.models import Agency
from audit_app.audits.models import Audit
from audit_app.core.web import db


def candidate_agency_ids(audit: Audit) -> set[int]:
    taking_part = {link.agency_id for link in audit.agencies}
    return memberships.reviewer_agency_ids(current_user) & taking_part


def reviewing_agency_id(audit: Audit, endpoint: str) -> int:
    """The agency to work for on this audit's page ``endpoint``; 404 for anything else, and a
    page to choose from when the person reviews for several of the audit's agencies."""
    candidates = candidate_agency_ids(audit)
    wanted = request.args.get("agency", type=int)
    if wanted is not None:
        if wanted not in candidates:
            abort(404)
        return wanted
    if not candidates:
        abort(404)
    if len(candidates) == 1:
        return next(iter(candidates))
    agencies = sorted((db().get(Agency, i) for i in candidates), key=lambda a: a.name)  # type: ignore[union-attr]
    choices = [
        (agency, url_for(endpoint, audit_id=audit.id, agency=agency.id))
        for agency in agencies
        if agency is not None
    ]
    page = render_template("summaries/choose_agency.html", audit=audit, choices=choices)
    abort(make_response(page))


def agency_args(audit: Audit, agency_id: int) -> dict[str, int]:
    """The query arguments that keep the chosen agency on links and forms (none when the
    person reviews for only one of the audit's agencies: their addresses stay as they were)."""
    return {"agency": agency_id} if len(candidate_agency_ids(audit)) > 1 else {}
