"""An audit's returns as a whole, with no Flask: opening one per agency and child, which
have been worked on, the returns matrix, the references released to each agency, and
reminders to agencies with returns outstanding."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session

from audit_app.accounts.models import User
from audit_app.audits.lifecycle import current_members
from audit_app.audits.models import Audit, AuditAgency, AuditStatus
from audit_app.cohort.models import ChildIdentity, CohortMember
from audit_app.core.errors import DomainError
from audit_app.returns.models import (
    AgencyReturn,
    Answer,
    ChronologyEntry,
    Reminder,
    ReturnStatus,
    UrgentConcern,
)

STARTED = (
    ReturnStatus.DRAFT,
    ReturnStatus.SUBMITTED,
    ReturnStatus.RETURNED,
    ReturnStatus.NO_INVOLVEMENT,
)


DONE = (ReturnStatus.SUBMITTED, ReturnStatus.NO_INVOLVEMENT)


def touched() -> ColumnElement[bool]:
    """A return someone has worked on: started, or with any answer, chronology entry or
    urgent concern hanging off it. Such a return is never deleted."""
    return or_(
        AgencyReturn.status.in_(STARTED),
        exists().where(Answer.return_id == AgencyReturn.id),
        exists().where(ChronologyEntry.return_id == AgencyReturn.id),
        exists().where(UrgentConcern.return_id == AgencyReturn.id),
    )


def returns_started(
    session: Session, audit: Audit, *, agency_id: int | None = None, member_id: int | None = None
) -> bool:
    """Has anyone worked on a return of this audit (of this agency, of this child)?"""
    query = select(func.count(AgencyReturn.id)).where(AgencyReturn.audit_id == audit.id, touched())
    if agency_id is not None:
        query = query.where(AgencyReturn.agency_id == agency_id)
    if member_id is not None:
        query = query.where(AgencyReturn.member_id == member_id)
    return bool(session.scalar(query))


def create_missing_returns(session: Session, audit: Audit) -> int:
    """One return for every participating agency and every child in the cohort."""
    existing = {
        (agency_id, member_id)
        for agency_id, member_id in session.execute(
            select(AgencyReturn.agency_id, AgencyReturn.member_id).where(
                AgencyReturn.audit_id == audit.id
            )
        )
    }
    created = 0
    for link in audit.agencies:
        for member in current_members(audit):
            if (link.agency_id, member.id) not in existing:
                session.add(
                    AgencyReturn(audit_id=audit.id, agency_id=link.agency_id, member_id=member.id)
                )
                created += 1
    session.flush()
    return created


def delete_unstarted_returns(
    session: Session, audit: Audit, *, agency_id: int | None = None, member_id: int | None = None
) -> None:
    query = select(AgencyReturn).where(AgencyReturn.audit_id == audit.id, ~touched())
    if agency_id is not None:
        query = query.where(AgencyReturn.agency_id == agency_id)
    if member_id is not None:
        query = query.where(AgencyReturn.member_id == member_id)
    for agency_return in session.scalars(query):
        session.delete(agency_return)


LOCAL_ID_LABEL = "Local id"


def released_references(
    session: Session, agency_id: int, return_ids: list[int]
) -> dict[int, dict[str, str]]:
    """For a reviewer: the reference fields released to their agency, by return id, as
    {label: value} (the local id is labelled "Local id")."""
    if not return_ids:
        return {}
    rows = session.execute(
        select(AgencyReturn.id, AuditAgency.released_reference_fields, ChildIdentity)
        .join(
            AuditAgency,
            (AuditAgency.audit_id == AgencyReturn.audit_id)
            & (AuditAgency.agency_id == AgencyReturn.agency_id),
        )
        .join(ChildIdentity, ChildIdentity.member_id == AgencyReturn.member_id)
        .where(AgencyReturn.id.in_(return_ids), AgencyReturn.agency_id == agency_id)
    )
    found: dict[int, dict[str, str]] = {}
    for return_id, released, identity in rows:
        values = {"local_id": identity.local_id, **identity.references}
        found[return_id] = {
            LOCAL_ID_LABEL if name == "local_id" else name: values[name]
            for name in released or []
            if values.get(name)
        }
    return found


Send = Callable[[str, str, str], None]  # (to, subject, body)


def send_reminders(
    session: Session, audit: Audit, sender: User | None, send: Send | None, service_name: str
) -> RemindersSent:
    """Remind each agency with outstanding returns: by email when it can be sent, and always
    recorded (so the reminder is in the audit log either way). No child is named."""
    if audit.status is not AuditStatus.COLLECTING:
        raise DomainError("Reminders can only be sent while returns are being collected")
    sent: list[Reminder] = []
    failed: list[str] = []
    for progress in returns_matrix(session, audit).agencies:
        outstanding = progress.total - progress.done
        if outstanding <= 0:
            continue
        link = progress.link
        recipient = link.lead_contact_email or link.agency.contact_email
        deadline = link.effective_deadline
        due = f" by {deadline.strftime('%-d %B %Y')}" if deadline else ""
        body = (
            f"{link.agency.name} has {outstanding} of {progress.total} returns still to "
            f"complete for the audit '{audit.title}'{due}.\n\n"
            f"Sign in to {service_name} to complete them. Please do not reply with details "
            "of any child."
        )
        emailed = False
        if send is not None and recipient:
            try:
                send(recipient, f"Reminder: {outstanding} audit returns outstanding", body)
            except OSError:
                failed.append(link.agency.name)  # recorded as not emailed; the rest go on
            else:
                emailed = True
        reminder = Reminder(
            audit_id=audit.id,
            agency_id=link.agency_id,
            sent_by_id=sender.id if sender else None,
            recipient=recipient,
            emailed=emailed,
            outstanding=outstanding,
        )
        session.add(reminder)
        sent.append(reminder)
    session.flush()
    return RemindersSent(sent, failed)


@dataclass
class RemindersSent:
    reminders: list[Reminder]
    failed: list[str]  # agencies whose email could not be sent


@dataclass
class AgencyProgress:
    link: AuditAgency
    total: int = 0
    done: int = 0
    started: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    def is_overdue(self, today: date) -> bool:
        deadline = self.link.effective_deadline
        return deadline is not None and deadline < today and self.done < self.total


@dataclass
class ReturnsMatrix:
    members: list[CohortMember]
    agencies: list[AgencyProgress]
    cells: dict[tuple[int, int], AgencyReturn]  # (member id, agency id) -> return

    @property
    def total(self) -> int:
        return sum(progress.total for progress in self.agencies)

    @property
    def done(self) -> int:
        return sum(progress.done for progress in self.agencies)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def returns_matrix(session: Session, audit: Audit) -> ReturnsMatrix:
    """Every child x agency with the return's status, in two queries whatever the size."""
    links = sorted(audit.agencies, key=lambda link: link.agency.name)
    progress = {link.agency_id: AgencyProgress(link) for link in links}
    cells: dict[tuple[int, int], AgencyReturn] = {}
    for agency_return in session.scalars(
        select(AgencyReturn).where(AgencyReturn.audit_id == audit.id)
    ):
        cells[(agency_return.member_id, agency_return.agency_id)] = agency_return
    members = current_members(audit)
    member_ids = {member.id for member in members}
    for (member_id, agency_id), agency_return in cells.items():
        if member_id not in member_ids or agency_id not in progress:
            continue
        item = progress[agency_id]
        item.total += 1
        if agency_return.status in DONE:
            item.done += 1
        if agency_return.status in STARTED:
            item.started += 1
    return ReturnsMatrix(members=members, agencies=list(progress.values()), cells=cells)


class Ledger:
    """How the audit's set-up opens, keeps and discards returns (see
    ``audit_app.audits.participation``)."""

    started = staticmethod(returns_started)
    open_missing = staticmethod(create_missing_returns)
    discard_unstarted = staticmethod(delete_unstarted_returns)
