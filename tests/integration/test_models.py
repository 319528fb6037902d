"""The models on a real database: time zones, enums, constraints, identities apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from audit_app.demo import load_demo
from audit_app.models import (
    Agency,
    AgencyReturn,
    Audit,
    AuditStatus,
    ChildIdentity,
    CohortMember,
    Membership,
    Role,
    User,
)


def test_timestamps_are_stored_and_read_back_in_utc(session: Session, agency: Agency) -> None:
    plus_two = timezone(timedelta(hours=2))
    agency.created_at = datetime(2026, 6, 1, 12, 0, tzinfo=plus_two)
    session.flush()
    session.expire(agency)
    assert agency.created_at == datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    assert agency.created_at.tzinfo is not None


def test_naive_timestamps_are_refused(session: Session, agency: Agency) -> None:
    agency.created_at = datetime(2026, 6, 1, 12, 0)
    with pytest.raises(StatementError, match="naive"):
        session.flush()
    session.rollback()


def test_enums_are_stored_as_readable_values(session: Session) -> None:
    audit = Audit(title="Stored enum", status=AuditStatus.COLLECTING)
    session.add(audit)
    session.flush()
    stored = session.execute(text("SELECT status FROM audit WHERE id = :id"), {"id": audit.id})
    assert stored.scalar_one() == "collecting_returns"


def test_one_return_per_agency_and_child(session: Session) -> None:
    load_demo(session)
    session.flush()
    existing = session.scalars(select(AgencyReturn)).first()
    assert existing is not None
    nested = session.begin_nested()
    session.add(
        AgencyReturn(
            audit_id=existing.audit_id, agency_id=existing.agency_id, member_id=existing.member_id
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()
    nested.rollback()


def test_identities_live_apart_from_the_cohort(session: Session) -> None:
    load_demo(session)
    session.flush()
    member = session.scalars(select(CohortMember).order_by(CohortMember.id)).first()
    assert member is not None and member.code == "Child A"
    assert member.identity is not None and member.identity.full_name
    cohort_columns = set(CohortMember.__table__.columns.keys())
    assert not {"full_name", "date_of_birth", "local_id", "references"} & cohort_columns
    # Removing the identity (the purge) leaves the pseudonymised member and its returns.
    returns_before = session.scalars(
        select(AgencyReturn).where(AgencyReturn.member_id == member.id)
    ).all()
    member.identity = None
    session.flush()
    assert session.scalar(select(ChildIdentity).where(ChildIdentity.member_id == member.id)) is None
    assert session.get(CohortMember, member.id) is not None
    assert len(
        session.scalars(select(AgencyReturn).where(AgencyReturn.member_id == member.id)).all()
    ) == len(returns_before)


def test_foreign_keys_are_enforced(session: Session) -> None:
    nested = session.begin_nested()
    session.add(
        User(
            email="x@example.org",
            full_name="X",
            password_hash="x",
            memberships=[Membership(role=Role.REVIEWER, agency_id=999_999)],
            session_token="t",
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()
    nested.rollback()
