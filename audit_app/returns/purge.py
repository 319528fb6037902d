"""What the returns hold that the purge of an audit's identities must clear."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.audits.models import Audit
from audit_app.cohort.identities import PURGED
from audit_app.returns.models import AgencyReturn, UrgentConcern


def purge_concern_details(session: Session, audit: Audit) -> None:
    """An urgent concern's details say why a named child may be at risk, and what was done
    about it may say who the child is: both are cleared with the identities (that a
    concern was raised and dealt with, by whom and when, stays)."""
    concerns = session.scalars(
        select(UrgentConcern)
        .join(AgencyReturn, UrgentConcern.return_id == AgencyReturn.id)
        .where(AgencyReturn.audit_id == audit.id)
    )
    for concern in concerns:
        if concern.details:
            concern.details = PURGED
        if concern.action_taken:
            concern.action_taken = PURGED
