"""The record of the panel's meetings: date, attendees by agency, decisions."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from audit_app.core.access import allow
from audit_app.core.commit_point import discard_changes
from audit_app.core.errors import DomainError
from audit_app.core.roles import Role
from audit_app.core.web import db, parse_id, this_page
from audit_app.panel import meetings
from audit_app.panel.blueprint import blueprint
from audit_app.panel.models import PanelMeeting
from audit_app.panel.pages import panel_audit, render_panel
from audit_app.panel.reading import PanelAudit

MEETING_GONE = (
    "Someone else deleted this meeting's record while you were editing it. What you typed "
    "has not been saved: it is in the form to record a meeting below, to record it again if "
    "it is still needed."
)
OTHER_ROWS = 4
"""Rows for attendees who are not on the panel (a page saved can add more)."""


def _date(prefix: str) -> date | None:
    parts = [request.form.get(f"{prefix}-{part}", "").strip() for part in ("day", "month", "year")]
    if not all(part.isdigit() for part in parts):
        return None
    day, month, year = (int(part) for part in parts)
    try:
        return date(year, month, day) if 1900 <= year <= 2100 else None
    except ValueError:
        return None


def _draft(people: list[meetings.PanelPerson]) -> meetings.MeetingDraft:
    chosen = {parse_id(value) for value in request.form.getlist("panel_member")}
    attendees = [
        meetings.AttendeeDraft(person.name, person.role, person.agency_id)
        for person in people
        if person.user_id in chosen
    ]
    index = 0
    while f"attendee-{index}-name" in request.form and index < 50:
        attendees.append(
            meetings.AttendeeDraft(
                request.form.get(f"attendee-{index}-name", ""),
                request.form.get(f"attendee-{index}-role", ""),
                parse_id(request.form.get(f"attendee-{index}-agency", "")),
            )
        )
        index += 1
    return meetings.MeetingDraft(_date("held_on"), attendees, request.form.get("decisions", ""))


def _field_of(error: DomainError, people: list[meetings.PanelPerson]) -> str | None:
    """The id of the field a refusal names, as the page numbers the rows."""
    if error.field and error.field.startswith("attendee-"):
        # The rule counted panel members first; the page numbers only the other rows.
        _, number, part = error.field.split("-")
        chosen = {parse_id(v) for v in request.form.getlist("panel_member")}
        index = int(number) - sum(1 for person in people if person.user_id in chosen)
        return f"attendee-{max(index, 0)}-{part}"
    if error.field == "held_on":
        return "held_on-day"
    return error.field


def _context(panel: PanelAudit, people: list[meetings.PanelPerson]) -> dict[str, Any]:
    return {
        "people": people,
        "other_rows": OTHER_ROWS,
        "max_decisions": meetings.MAX_DECISIONS_LENGTH,
        "agency_names": {agency.id: agency.name for agency in panel.agencies},
        "problem": None,
        "problem_field": None,
        "typed": None,
    }


def _refused(error: DomainError, people: list[meetings.PanelPerson]) -> dict[str, Any]:
    discard_changes()
    db().rollback()
    field = _field_of(error, people)
    return {
        "problem": error.message,
        "problem_field": field,
        "problem_href": f"#{field}" if field else "#main-content",
        "typed": request.form,
        "typed_draft": _draft(people),
    }


@blueprint.route("/meetings", methods=["GET", "POST"], endpoint="meetings")
@allow(Role.AUDIT_LEAD, Role.PANEL)
def meetings_page(audit_id: int) -> str | Response:
    panel = panel_audit(audit_id)
    session = db()
    people = meetings.panel_people(session, panel.audit)
    context = _context(panel, people)
    if request.method == "POST":
        try:
            meeting = meetings.record_meeting(session, panel.audit, _draft(people))
        except DomainError as error:
            context.update(_refused(error, people))
        else:
            flash(f"The panel meeting of {meeting.held_on:%-d %B %Y} has been recorded.")
            flash(this_page(), "saved-form")
            return redirect(url_for("panel.meetings", audit_id=audit_id) + f"#meeting-{meeting.id}")
    return render_panel(
        "panel/meetings.html",
        panel,
        "panel.meetings",
        meetings=meetings.meetings_of(session, panel.audit),
        **context,
    )


def _meeting(audit_id: int, meeting_id: int) -> PanelMeeting:
    meeting = db().get(PanelMeeting, meeting_id)
    if meeting is None or meeting.audit_id != audit_id:
        abort(404)
    return meeting


@blueprint.route("/meetings/<id:meeting_id>", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD, Role.PANEL)
def meeting(audit_id: int, meeting_id: int) -> str | Response:
    panel = panel_audit(audit_id)
    session = db()
    people = meetings.panel_people(session, panel.audit)
    context = _context(panel, people)
    if request.method == "POST" and session.get(PanelMeeting, meeting_id) is None:
        # Deleted while this person edited it: their words go in the form that records one.
        typed_rows = sum(1 for name in request.form if re.fullmatch(r"attendee-\d+-name", name))
        context.update(
            problem=MEETING_GONE,
            problem_href="#record-meeting",
            typed=request.form,
            other_rows=max(OTHER_ROWS, typed_rows),
        )
        return render_panel(
            "panel/meetings.html",
            panel,
            "panel.meetings",
            meetings=meetings.meetings_of(session, panel.audit),
            **context,
        )
    found = _meeting(audit_id, meeting_id)
    if request.method == "POST":
        seen = request.form.get("version", "")
        try:
            if request.form.get("action") == "delete":
                meetings.delete_meeting(session, found, int(seen) if seen.isdigit() else -1)
                flash("The meeting's record has been deleted.")
                return redirect(url_for("panel.meetings", audit_id=audit_id))
            meetings.edit_meeting(
                session, found, int(seen) if seen.isdigit() else -1, _draft(people)
            )
        except DomainError as error:
            context.update(_refused(error, people))
            found = _meeting(audit_id, meeting_id)
        else:
            flash("The meeting's record has been saved.")
            flash(this_page(), "saved-form")
            return redirect(url_for("panel.meetings", audit_id=audit_id) + f"#meeting-{found.id}")
    return render_panel("panel/meeting.html", panel, "panel.meetings", meeting=found, **context)
