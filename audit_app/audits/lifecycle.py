"""An audit's life, with no Flask: its details, the agencies taking part, its panel, and the
moves draft -> collecting returns -> panel -> action planning -> monitoring -> closed (the
panel may reopen returns)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.accounts import memberships
from audit_app.accounts.models import User
from audit_app.accounts.users import end_sessions
from audit_app.agencies.models import Agency
from audit_app.audits.models import Audit, AuditAgency, AuditStatus
from audit_app.audits.participation import returns_ledger
from audit_app.core.errors import DomainError
from audit_app.core.models import utcnow
from audit_app.core.roles import Role
from audit_app.questionnaires.models import AuditTemplateVersion

if TYPE_CHECKING:
    from audit_app.cohort.models import CohortMember

MOVES: dict[AuditStatus, tuple[AuditStatus, ...]] = {
    AuditStatus.DRAFT: (AuditStatus.COLLECTING,),
    AuditStatus.COLLECTING: (AuditStatus.PANEL,),
    AuditStatus.PANEL: (AuditStatus.ACTION_PLANNING, AuditStatus.COLLECTING),
    AuditStatus.ACTION_PLANNING: (AuditStatus.MONITORING,),
    AuditStatus.MONITORING: (AuditStatus.CLOSED,),
    AuditStatus.CLOSED: (),
}


MOVE_LABELS: dict[tuple[AuditStatus, AuditStatus], str] = {
    (AuditStatus.DRAFT, AuditStatus.COLLECTING): "Open returns",
    (AuditStatus.COLLECTING, AuditStatus.PANEL): "Close returns and move to the panel",
    (AuditStatus.PANEL, AuditStatus.COLLECTING): "Reopen returns",
    (AuditStatus.PANEL, AuditStatus.ACTION_PLANNING): "Move to action planning",
    (AuditStatus.ACTION_PLANNING, AuditStatus.MONITORING): "Start monitoring the action plan",
    (AuditStatus.MONITORING, AuditStatus.CLOSED): "Close the audit",
}


def required_text(value: str | None, field_name: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(message, field=field_name)
    return text


@dataclass
class AuditDetails:
    title: str
    theme: str = ""
    terms_of_reference: str = ""
    question: str = ""
    scope_criteria: str = ""
    period_start: date | None = None
    period_end: date | None = None
    template_version_id: int | None = None
    return_deadline: date | None = None
    panel_date: date | None = None


def save_details(
    session: Session, audit: Audit | None, details: AuditDetails, lead: User | None = None
) -> Audit:
    """Create an audit (in draft) or change its details."""
    title = required_text(details.title, "title", "Enter the audit's title")
    if details.period_start and details.period_end and details.period_start > details.period_end:
        raise DomainError("The end of the period must be after its start", field="period_end")
    if (
        details.template_version_id is not None
        and session.get(AuditTemplateVersion, details.template_version_id) is None
    ):
        raise DomainError("Choose a template", field="template_version_id")
    changing_template = (
        audit is not None and details.template_version_id != audit.template_version_id
    )
    if changing_template and audit.status is not AuditStatus.DRAFT:  # type: ignore[union-attr]
        raise DomainError(
            "The template cannot change once returns have opened", field="template_version_id"
        )
    if audit is None:
        audit = Audit(status=AuditStatus.DRAFT, lead=lead)
        session.add(audit)
    audit.title = title
    audit.theme = details.theme.strip()
    audit.terms_of_reference = details.terms_of_reference.strip()
    audit.question = details.question.strip()
    audit.scope_criteria = details.scope_criteria.strip()
    audit.period_start = details.period_start
    audit.period_end = details.period_end
    audit.template_version_id = details.template_version_id
    audit.return_deadline = details.return_deadline
    audit.panel_date = details.panel_date
    session.flush()
    return audit


def current_members(audit: Audit) -> list[CohortMember]:
    return [member for member in audit.cohort if member.removed_at is None]


@dataclass
class Readiness:
    """What must be done before returns can open."""

    problems: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.problems


def readiness(audit: Audit) -> Readiness:
    result = Readiness()
    if audit.template_version_id is None:
        result.problems.append("Choose the audit template")
    if not audit.agencies:
        result.problems.append("Choose the agencies taking part")
    if not current_members(audit):
        result.problems.append("Draw the cohort of children")
    return result


def move(session: Session, audit: Audit, to: AuditStatus, user_id: int | None = None) -> None:
    """Move the audit on (or back) when that is a sensible move from where it is; moving it
    to the panel shares the returns with the panel, as shared by ``user_id``."""
    if to not in MOVES[audit.status]:
        raise DomainError(
            f"An audit that is {audit.status.label.lower()} cannot move to {to.label.lower()}"
        )
    if to is AuditStatus.COLLECTING:
        check = readiness(audit)
        if not check.ready:
            raise DomainError("Before returns can open: " + "; ".join(check.problems).lower())
        returns_ledger().open_missing(session, audit)
    if to is AuditStatus.PANEL and audit.returns_shared_at is None:
        audit.returns_shared_at = utcnow()
        audit.returns_shared_by_id = user_id
    audit.status = to
    session.flush()


def share_with_panel(session: Session, audit: Audit, user_id: int | None) -> None:
    """Let the audit's panel read every return, chronology and agency summary (moving the
    audit to the panel does it too). Sharing is once: it is not taken back."""
    if audit.returns_shared_at is not None:
        raise DomainError("The returns have already been shared with the panel")
    if audit.status is AuditStatus.DRAFT:
        raise DomainError("A draft audit has no returns to share yet")
    audit.returns_shared_at = utcnow()
    audit.returns_shared_by_id = user_id
    session.flush()


def set_agencies(session: Session, audit: Audit, agency_ids: list[int]) -> None:
    """Choose the participating agencies. One with returns started cannot be taken off."""
    wanted = set(agency_ids)
    known = set(session.scalars(select(Agency.id).where(Agency.id.in_(wanted))))
    if wanted - known:
        raise DomainError("Choose agencies from the list", field="agency_ids")
    for link in list(audit.agencies):
        if link.agency_id not in wanted:
            if returns_ledger().started(session, audit, agency_id=link.agency_id):
                raise DomainError(
                    f"{link.agency.name} has started its returns, so it stays in the audit",
                    field="agency_ids",
                )
            returns_ledger().discard_unstarted(session, audit, agency_id=link.agency_id)
            audit.agencies.remove(link)
    present = {link.agency_id for link in audit.agencies}
    for agency_id in sorted(wanted - present):
        # No deadline of its own: the audit's applies, and follows it if it moves.
        audit.agencies.append(AuditAgency(agency_id=agency_id))
    session.flush()
    if audit.status is AuditStatus.COLLECTING:
        returns_ledger().open_missing(session, audit)


def save_agency_link(
    session: Session,
    link: AuditAgency,
    *,
    lead_contact: str,
    lead_contact_email: str | None,
    return_deadline: date | None,
    released_reference_fields: list[str],
    reference_columns: list[str],
) -> None:
    unknown = set(released_reference_fields) - set(reference_columns)
    if unknown:
        raise DomainError(
            "Choose reference fields from the list", field="released_reference_fields"
        )
    link.lead_contact = lead_contact.strip()
    link.lead_contact_email = (lead_contact_email or "").strip().lower() or None
    link.return_deadline = return_deadline
    link.released_reference_fields = list(released_reference_fields)
    session.flush()


def set_panel(session: Session, audit: Audit, user_ids: list[int], chair_id: int | None) -> None:
    """The audit's panel: a panel membership for this audit for each person chosen (any
    active person may sit on a panel), none for anyone else; the chair flagged. A person
    whose panel membership is added, removed or changes chair is signed out everywhere."""
    chosen = set(
        session.scalars(select(User.id).where(User.id.in_(user_ids), User.is_active.is_(True)))
    )
    if set(user_ids) - chosen:
        raise DomainError("Choose panel members from the list", field="user_ids")
    if chair_id is not None and chair_id not in chosen:
        raise DomainError("The chair must be one of the panel members", field="chair_id")
    current = {m.user_id: m for m in audit.panel_members}
    for user_id, membership in current.items():
        if user_id not in chosen:
            person = membership.user
            memberships.remove_membership(session, person, membership)
    # The chair moves first, so that the panel never has two.
    for user_id, membership in current.items():
        if user_id in chosen and membership.is_chair != (user_id == chair_id):
            membership.is_chair = user_id == chair_id
            end_sessions(session, membership.user)
    session.flush()
    for user_id in sorted(chosen - set(current)):
        person = session.get(User, user_id)
        assert person is not None
        memberships.add_membership(
            session, person, Role.PANEL, audit_id=audit.id, is_chair=user_id == chair_id
        )
    session.flush()
    session.expire(audit, ["panel_members"])
