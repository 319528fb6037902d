"""Children's identities are held apart and purged after the audit closes; the
pseudonymised findings stay."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from audit_app.audits.models import Audit, AuditStatus
from audit_app.cohort.models import CohortDraw, CohortMember, PopulationList
from audit_app.core.errors import DomainError
from audit_app.core.models import utcnow

PURGED = "[purged]"

FreeTextPurge = Callable[[Session, Audit], None]
_free_text_purges: list[FreeTextPurge] = []


def register_free_text_purge(purge: FreeTextPurge) -> None:
    """Areas above the cohort (returns: urgent concerns) clear their free text about a child
    through this when identities are purged, as the cohort cannot import them."""
    if purge not in _free_text_purges:
        _free_text_purges.append(purge)


def purge_identities(session: Session, audit: Audit) -> int:
    """After an audit closes, delete who the children are; the pseudonymised findings stay."""
    if audit.status is not AuditStatus.CLOSED:
        raise DomainError("Identities can only be purged once the audit is closed")
    if audit.identities_purged_at is not None:
        raise DomainError("This audit's identities have already been purged")
    members = session.scalars(
        select(CohortMember)
        .where(CohortMember.audit_id == audit.id)
        .options(selectinload(CohortMember.identity))
    ).all()
    purged = 0
    for member in members:
        if member.identity is not None:
            session.delete(member.identity)
            purged += 1
        # Reasons are free text that may name the child.
        if member.added_by_hand_reason:
            member.added_by_hand_reason = PURGED
        if member.removed_reason:
            member.removed_reason = PURGED
    # Why the cohort was drawn (again) is free text that may name a child.
    for draw in session.scalars(select(CohortDraw).where(CohortDraw.audit_id == audit.id)):
        if draw.reason:
            draw.reason = PURGED
    for purge in _free_text_purges:
        purge(session, audit)
    for stored in session.scalars(
        select(PopulationList).where(PopulationList.audit_id == audit.id)
    ):
        stored.rows = []
        stored.row_numbers = []
        stored.filename = PURGED
        stored.is_current = False
    audit.identities_purged_at = utcnow()
    session.flush()
    return purged
