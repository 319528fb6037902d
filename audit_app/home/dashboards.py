"""What each part of the home page shows: plain queries, a fixed number per part.

A person sees one home page with a part for each kind of membership they hold; each part
shows only what that membership's scope covers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, lazyload, selectinload

from audit_app.accounts import memberships
from audit_app.accounts.models import User
from audit_app.actions.models import Action, ActionState, Rag
from audit_app.actions.rag import days_overdue
from audit_app.agencies.models import Agency
from audit_app.audits.models import Audit, AuditAgency, AuditStatus
from audit_app.cohort.models import CohortMember
from audit_app.core.models import today
from audit_app.core.roles import Role
from audit_app.panel.models import Recommendation
from audit_app.returns.answering import progress_of_returns
from audit_app.returns.models import AgencyReturn, ReturnStatus, UrgentConcern

DONE_STATUSES = (ReturnStatus.SUBMITTED, ReturnStatus.NO_INVOLVEMENT)
_AUDIT_ONLY = (lazyload(Audit.agencies), lazyload(Audit.panel_members))
"""The home pages show an audit's own details, not its agencies or panel (which an audit
otherwise loads with it)."""


@dataclass
class AuditProgress:
    audit: Audit
    returns_total: int = 0
    returns_done: int = 0
    by_status: Counter[ReturnStatus] = field(default_factory=Counter)

    @property
    def percent_done(self) -> int:
        if not self.returns_total:
            return 0
        return round(100 * self.returns_done / self.returns_total)


def _progress(session: Session, audits: list[Audit]) -> list[AuditProgress]:
    progress = {audit.id: AuditProgress(audit) for audit in audits}
    if not audits:
        return []
    rows = session.execute(
        select(AgencyReturn.audit_id, AgencyReturn.status, func.count(AgencyReturn.id))
        .where(AgencyReturn.audit_id.in_(progress))
        .group_by(AgencyReturn.audit_id, AgencyReturn.status)
    )
    for audit_id, status, count in rows:
        item = progress[audit_id]
        item.by_status[status] += count
        item.returns_total += count
        if status in DONE_STATUSES:
            item.returns_done += count
    return list(progress.values())


@dataclass
class AdminHome:
    agency_count: int
    user_count: int
    audits: list[AuditProgress]
    concerns: list[ConcernRow] = field(default_factory=list)
    dealt_with: dict[int, int] = field(default_factory=dict)
    """How many urgent concerns have been dealt with, by audit (those with any)."""


def _dealt_with(session: Session, audits: list[Audit]) -> dict[int, int]:
    """The number of urgent concerns marked as dealt with in each audit, in one query."""
    if not audits:
        return {}
    rows = session.execute(
        select(AgencyReturn.audit_id, func.count(UrgentConcern.id))
        .join(UrgentConcern, UrgentConcern.return_id == AgencyReturn.id)
        .where(
            AgencyReturn.audit_id.in_([audit.id for audit in audits]),
            UrgentConcern.acknowledged_at.is_not(None),
        )
        .group_by(AgencyReturn.audit_id)
    )
    return {audit_id: count for audit_id, count in rows}


def admin_home(session: Session, user: User) -> AdminHome:
    """The administration links (for an administrator) and the audits the person leads."""
    counts = memberships.is_administrator(user)
    leads = memberships.holds(user, Role.AUDIT_LEAD)
    audit_ids = None if memberships.leads_partnership(user) else memberships.led_audit_ids(user)
    audits: list[Audit] = []
    if leads:
        query = (
            select(Audit).options(*_AUDIT_ONLY).order_by(Audit.created_at.desc(), Audit.id.desc())
        )
        if audit_ids is not None:
            query = query.where(Audit.id.in_(audit_ids))
        audits = list(session.scalars(query))
    return AdminHome(
        agency_count=(
            session.scalar(select(func.count(Agency.id)).where(Agency.is_active.is_(True))) or 0
        )
        if counts
        else 0,
        user_count=(
            session.scalar(select(func.count(User.id)).where(User.is_active.is_(True))) or 0
        )
        if counts
        else 0,
        audits=_progress(session, audits),
        concerns=open_concerns(session, audit_ids) if leads else [],
        dealt_with=_dealt_with(session, audits),
    )


@dataclass
class ReviewerReturn:
    agency_return: AgencyReturn
    deadline: date | None
    answered: int = 0
    asked: int = 0

    @property
    def is_overdue(self) -> bool:
        return (
            self.deadline is not None
            and self.deadline < today()
            and self.agency_return.status not in DONE_STATUSES
        )


def reviewer_home(session: Session, user: User) -> list[ReviewerReturn]:
    """The returns of the agencies the person reviews for, across every audit collecting them."""
    agency_ids = memberships.reviewer_agency_ids(user)
    if not agency_ids:
        return []
    rows = session.execute(
        # The effective deadline: the agency's own if set, else the audit's.
        select(AgencyReturn, func.coalesce(AuditAgency.return_deadline, Audit.return_deadline))
        .join(Audit, Audit.id == AgencyReturn.audit_id)
        .join(CohortMember, CohortMember.id == AgencyReturn.member_id)
        .outerjoin(
            AuditAgency,
            (AuditAgency.audit_id == AgencyReturn.audit_id)
            & (AuditAgency.agency_id == AgencyReturn.agency_id),
        )
        .where(
            AgencyReturn.agency_id.in_(agency_ids),
            Audit.status == AuditStatus.COLLECTING,
            CohortMember.removed_at.is_(None),
        )
        .options(
            joinedload(AgencyReturn.audit).options(*_AUDIT_ONLY),
            joinedload(AgencyReturn.member),
        )
        .order_by(Audit.id, AgencyReturn.agency_id, CohortMember.position)
    )
    found = [ReviewerReturn(agency_return=r, deadline=deadline) for r, deadline in rows]
    _add_progress(session, found)
    return found


def _add_progress(session: Session, rows: list[ReviewerReturn]) -> None:
    """How far through each return is, counted in SQL (see ``progress_of_returns``)."""
    done = progress_of_returns(session, [row.agency_return for row in rows])
    for row in rows:
        progress = done.get(row.agency_return.id)
        if progress is not None:
            row.answered, row.asked = progress.answered, progress.asked


@dataclass
class ConcernRow:
    concern: UrgentConcern
    agency_return: AgencyReturn


def open_concerns(session: Session, audit_ids: set[int] | None = None) -> list[ConcernRow]:
    """Urgent concerns not yet marked as dealt with, newest first, for the audit lead: of
    every audit, or of the audits named."""
    query = (
        select(UrgentConcern, AgencyReturn)
        .join(AgencyReturn, AgencyReturn.id == UrgentConcern.return_id)
        .where(UrgentConcern.acknowledged_at.is_(None))
    )
    if audit_ids is not None:
        query = query.where(AgencyReturn.audit_id.in_(audit_ids))
    rows = session.execute(
        query.options(
            joinedload(AgencyReturn.audit).options(*_AUDIT_ONLY),
            joinedload(AgencyReturn.agency),
            joinedload(AgencyReturn.member),
        ).order_by(UrgentConcern.raised_at.desc())
    )
    return [ConcernRow(concern, agency_return) for concern, agency_return in rows]


def panel_home(session: Session, user: User) -> list[AuditProgress]:
    audit_ids = memberships.panel_audit_ids(user)
    if not audit_ids:
        return []
    audits = list(
        session.scalars(
            select(Audit)
            .options(*_AUDIT_ONLY)
            .where(Audit.id.in_(audit_ids))
            .order_by(Audit.panel_date)
        )
    )
    return _progress(session, audits)


@dataclass
class ActionRow:
    action: Action

    @property
    def rag(self) -> Rag | None:
        """By the written rule (``actions.rag.RAG_RULE``), from the latest update."""
        return self.action.rag(today())

    @property
    def is_overdue(self) -> bool:
        return days_overdue(self.action.state, self.action.target_date, today()) > 0


def subgroup_home(session: Session) -> list[ActionRow]:
    actions = session.scalars(
        select(Action)
        .join(Recommendation, Recommendation.id == Action.recommendation_id)
        .options(
            joinedload(Action.recommendation).joinedload(Recommendation.audit),
            joinedload(Action.lead_agency),
            joinedload(Action.owner),
            selectinload(Action.updates),
        )
        .where(Action.state != ActionState.DRAFT)
        .order_by(Recommendation.audit_id, Recommendation.number, Action.id)
    )
    return [ActionRow(action) for action in actions]


def owned_actions(session: Session, user: User) -> list[ActionRow]:
    """The actions this person owns (``Action.owner_id``), whatever their memberships."""
    actions = session.scalars(
        select(Action)
        .join(Recommendation, Recommendation.id == Action.recommendation_id)
        .where(Action.owner_id == user.id, Action.state != ActionState.DRAFT)
        .options(
            joinedload(Action.recommendation).joinedload(Recommendation.audit),
            joinedload(Action.lead_agency),
            selectinload(Action.updates),
        )
        .order_by(Action.target_date, Action.id)
    )
    return [ActionRow(action) for action in actions]


def rag_counts(rows: list[ActionRow]) -> dict[Rag, int]:
    """How many actions are of each RAG (the cancelled ones have none and are not counted)."""
    counts = Counter(row.rag for row in rows)
    return {rag: counts.get(rag, 0) for rag in Rag}
