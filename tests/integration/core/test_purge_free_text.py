"""Purging an audit's identities clears the free text that may name a child."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.audits.lifecycle import move
from audit_app.cohort.identities import PURGED, purge_identities
from audit_app.models import AgencyReturn, AuditStatus, CohortDraw, UrgentConcern, User
from audit_app.returns.answering import deal_with_concern
from tests.integration.test_statement_counts import build


def test_purge_clears_draw_reasons_and_urgent_concern_details(app: Flask, session: Session) -> None:
    world = build(app, session, 3)
    audit = world.audit
    draw = session.scalars(select(CohortDraw).where(CohortDraw.audit_id == audit.id)).one()
    draw.reason = "Ava Collins was missed from the first list"
    first = session.scalars(
        select(UrgentConcern).join(AgencyReturn).where(AgencyReturn.audit_id == audit.id)
    ).first()
    lead = session.get(User, audit.lead_id)
    assert first is not None and lead is not None
    deal_with_concern(
        session, first, lead, action_taken="Ava Collins's social worker was told the same day"
    )
    for to in (
        AuditStatus.PANEL,
        AuditStatus.ACTION_PLANNING,
        AuditStatus.MONITORING,
        AuditStatus.CLOSED,
    ):
        move(session, audit, to)
    concerns = session.scalars(
        select(UrgentConcern).join(AgencyReturn).where(AgencyReturn.audit_id == audit.id)
    ).all()
    assert concerns and all(c.details.startswith("Worried about child") for c in concerns)

    purge_identities(session, audit)
    session.expire_all()

    draws = session.scalars(select(CohortDraw).where(CohortDraw.audit_id == audit.id)).all()
    assert [d.reason for d in draws] == [PURGED]
    concerns = session.scalars(
        select(UrgentConcern).join(AgencyReturn).where(AgencyReturn.audit_id == audit.id)
    ).all()
    assert concerns and all(c.details == PURGED for c in concerns)
    # What was done about a concern may name the child too; who and when stay.
    dealt_with = [c for c in concerns if c.acknowledged_at is not None]
    assert [c.action_taken for c in dealt_with] == [PURGED]
    assert [c.dealt_with_by for c in dealt_with] == [lead.full_name]
