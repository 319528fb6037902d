"""The record of the panel's meetings, with no Flask: when it met, who attended from which
agency, and what it decided (the findings report's method section reads it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from audit_app.accounts.models import Membership, User
from audit_app.agencies.models import Agency
from audit_app.audits.models import Audit
from audit_app.core.errors import DomainError
from audit_app.core.models import today
from audit_app.core.roles import Role
from audit_app.panel.findings import PanelConflict
from audit_app.panel.models import PanelAttendee, PanelMeeting

MAX_DECISIONS_LENGTH = 5000
MAX_NAME_LENGTH = 200

STALE_MEETING = (
    "Someone else changed this meeting's record while you were editing it. Your words have "
    "not been saved: they are shown below. Read the record as it is now, then make your "
    "change again."
)


@dataclass(frozen=True)
class AttendeeDraft:
    name: str
    role: str = ""
    agency_id: int | None = None


@dataclass(frozen=True)
class MeetingDraft:
    held_on: date | None
    attendees: Sequence[AttendeeDraft]
    decisions: str


@dataclass(frozen=True)
class PanelPerson:
    """Someone on the audit's panel, offered as an attendee."""

    user_id: int
    name: str
    role: str
    agency_id: int | None


def panel_people(session: Session, audit: Audit) -> list[PanelPerson]:
    """The audit's panel members, the chair first, each with the agency they review for (if
    they do): two statements."""
    members = list(
        session.scalars(
            select(Membership)
            .where(Membership.audit_id == audit.id, Membership.role == Role.PANEL)
            .options(selectinload(Membership.user).selectinload(User.memberships))
            .order_by(Membership.is_chair.desc(), Membership.id)
        )
    )
    people = []
    for membership in members:
        agency_ids = [
            m.agency_id
            for m in membership.user.memberships
            if m.role is Role.REVIEWER and m.agency_id
        ]
        people.append(
            PanelPerson(
                membership.user_id,
                membership.user.full_name,
                "Panel chair" if membership.is_chair else "Panel member",
                agency_ids[0] if agency_ids else None,
            )
        )
    return people


def _check(
    session: Session, audit: Audit, draft: MeetingDraft
) -> tuple[date, list[AttendeeDraft], str]:
    if draft.held_on is None:
        raise DomainError("Enter the date the panel met", field="held_on")
    if draft.held_on > today():
        raise DomainError("The date the panel met must be today or in the past", field="held_on")
    attendees = []
    agency_ids = {a.agency_id for a in draft.attendees if a.agency_id is not None}
    known = (
        set(session.scalars(select(Agency.id).where(Agency.id.in_(agency_ids))))
        if agency_ids
        else set()
    )
    for index, attendee in enumerate(draft.attendees):
        name = " ".join(attendee.name.split())
        role = " ".join(attendee.role.split())
        if not name and not role and attendee.agency_id is None:
            continue
        if not name:
            raise DomainError(
                f"Enter the name of attendee {index + 1}", field=f"attendee-{index}-name"
            )
        if len(name) > MAX_NAME_LENGTH or len(role) > MAX_NAME_LENGTH:
            raise DomainError(
                f"Attendee {index + 1}'s name and role must each be {MAX_NAME_LENGTH} "
                "characters or fewer",
                field=f"attendee-{index}-name",
            )
        if attendee.agency_id is not None and attendee.agency_id not in known:
            raise DomainError("Choose an agency from the list", field=f"attendee-{index}-agency")
        attendees.append(AttendeeDraft(name, role, attendee.agency_id))
    if not attendees:
        raise DomainError(
            "Say who attended: choose panel members or add the names of others", field="attendees"
        )
    decisions = (draft.decisions or "").replace("\r\n", "\n").strip()
    if len(decisions) > MAX_DECISIONS_LENGTH:
        raise DomainError(
            f"The decisions must be {MAX_DECISIONS_LENGTH:,} characters or fewer "
            f"(they have {len(decisions):,})",
            field="decisions",
        )
    return draft.held_on, attendees, decisions


def record_meeting(session: Session, audit: Audit, draft: MeetingDraft) -> PanelMeeting:
    held_on, attendees, decisions = _check(session, audit, draft)
    meeting = PanelMeeting(audit_id=audit.id, held_on=held_on, decisions=decisions)
    meeting.attendees = [
        PanelAttendee(name=a.name, role=a.role, agency_id=a.agency_id) for a in attendees
    ]
    session.add(meeting)
    session.flush()
    return meeting


def edit_meeting(
    session: Session, meeting: PanelMeeting, seen_version: int, draft: MeetingDraft
) -> None:
    if meeting.version != seen_version:
        raise PanelConflict(STALE_MEETING)
    audit = session.get(Audit, meeting.audit_id)
    assert audit is not None
    held_on, attendees, decisions = _check(session, audit, draft)
    meeting.held_on = held_on
    meeting.decisions = decisions
    for attendee in list(meeting.attendees):
        meeting.attendees.remove(attendee)
    meeting.attendees.extend(
        PanelAttendee(name=a.name, role=a.role, agency_id=a.agency_id) for a in attendees
    )
    flag_modified(meeting, "decisions")  # a change of attendees alone moves the version on
    try:
        session.flush()
    except StaleDataError:
        raise PanelConflict(STALE_MEETING) from None


def delete_meeting(session: Session, meeting: PanelMeeting, seen_version: int) -> None:
    if meeting.version != seen_version:
        raise PanelConflict(STALE_MEETING)
    session.delete(meeting)
    try:
        session.flush()
    except StaleDataError:
        raise PanelConflict(STALE_MEETING) from None


def meetings_of(session: Session, audit: Audit) -> list[PanelMeeting]:
    """The audit's panel meetings, latest first, with their attendees (two statements)."""
    return list(
        session.scalars(
            select(PanelMeeting)
            .where(PanelMeeting.audit_id == audit.id)
            .options(selectinload(PanelMeeting.attendees))
            .order_by(PanelMeeting.held_on.desc(), PanelMeeting.id.desc())
        )
    )
