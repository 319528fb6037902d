"""The append-only audit log: written with every change, filtered, never altered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from audit_app.agencies.register import save_agency
from audit_app.models import Agency, AgencySector, AuditLogEntry, Role, User, utcnow
from tests.conftest import page, sign_in, text_of


def _entries(session: Session, record_type: str) -> list[AuditLogEntry]:
    return list(
        session.scalars(
            select(AuditLogEntry)
            .where(AuditLogEntry.record_type == record_type)
            .order_by(AuditLogEntry.id)
        )
    )


def test_create_update_delete_are_logged_with_actor_and_utc(session: Session) -> None:
    session.info.update(actor_label="someone@example.org")
    agency = save_agency(
        session,
        None,
        name="Early Help",
        short_name="EH",
        sector=AgencySector.EARLY_HELP,
        contact_email=None,
    )
    agency.contact_email = "eh@example.org"
    session.flush()
    session.delete(agency)
    session.flush()
    entries = _entries(session, "agency")
    assert [e.action for e in entries] == ["create", "update", "delete"]
    created, updated, deleted = entries
    assert created.before is None and created.after["name"] == "Early Help"
    assert created.after["sector"] == "early_help"
    assert updated.before == {"contact_email": None}
    assert updated.after == {"contact_email": "eh@example.org"}
    assert deleted.before["short_name"] == "EH" and deleted.after is None
    assert {e.actor_label for e in entries} == {"someone@example.org"}
    assert all(e.at.utcoffset() == timedelta(0) for e in entries)


def test_a_change_that_is_rolled_back_leaves_no_entry(session: Session) -> None:
    before = len(_entries(session, "agency"))
    nested = session.begin_nested()
    save_agency(
        session, None, name="Gone", short_name="G", sector=AgencySector.OTHER, contact_email=None
    )
    nested.rollback()
    assert len(_entries(session, "agency")) == before


@pytest.mark.parametrize("statement", ["update", "delete"])
def test_the_database_refuses_to_change_the_log(session: Session, statement: str) -> None:
    save_agency(
        session, None, name="Logged", short_name="L", sector=AgencySector.OTHER, contact_email=None
    )
    session.flush()
    nested = session.begin_nested()
    query = (
        update(AuditLogEntry).values(actor_label="forger")
        if statement == "update"
        else delete(AuditLogEntry)
    )
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(query)
    nested.rollback()


def test_log_page_filters_by_person_record_type_and_date(
    client: FlaskClient, users: dict[Role, User], session: Session, agency: Agency
) -> None:
    admin = users[Role.ADMIN]
    sign_in(client, admin.email)
    session.info.update(actor_id=admin.id, actor_label=admin.email)
    agency.contact_email = "camhs@example.org"
    session.commit()

    everything = page(client.get("/admin/audit-log"))
    assert "Audit log" in everything.h1.get_text()
    by_admin = page(client.get(f"/admin/audit-log?person={admin.id}&record_type=agency"))
    cards = by_admin.select(".govuk-summary-card")
    assert len(cards) == 1
    card = text_of(cards[0])
    assert "Agency \u2018CAMHS\u2019 changed" in card and "Contact email" in card
    assert "camhs@example.org" in card and admin.email in card

    today = utcnow().date()
    tomorrow = today + timedelta(days=1)
    future = page(
        client.get(
            "/admin/audit-log?record_type=agency"
            f"&date_from={tomorrow.day}&date_from={tomorrow.month}&date_from={tomorrow.year}"
        )
    )
    assert "No entries match these filters" in text_of(future)
    todays = page(
        client.get(
            "/admin/audit-log?record_type=agency"
            f"&date_from={today.day}&date_from={today.month}&date_from={today.year}"
            f"&date_to={today.day}&date_to={today.month}&date_to={today.year}"
        )
    )
    assert len(todays.select(".govuk-summary-card")) == 2  # created, then updated


def test_log_page_reports_a_bad_date(client: FlaskClient, users: dict[Role, User]) -> None:
    sign_in(client, users[Role.ADMIN].email)
    soup = page(client.get("/admin/audit-log?date_from=31&date_from=2&date_from=2026"))
    assert soup.title.get_text().startswith("Error:")
    assert soup.select_one(".govuk-error-summary") is not None


def test_childrens_identities_never_reach_the_log(session: Session) -> None:
    from audit_app.demo import demo_population, load_demo

    load_demo(session)
    session.flush()
    entries = _entries(session, "child_identity")
    assert len(entries) == 10
    logged = " ".join(
        str(entry.before) + str(entry.after) for entry in session.scalars(select(AuditLogEntry))
    )
    for row in demo_population().rows:
        for value in (row["Name"], row["Ward number"], row["NHS number"], row["Date of birth"]):
            assert value not in logged


def test_the_old_value_is_logged_even_when_it_was_not_loaded(
    session: Session, agency: Agency
) -> None:
    agency.contact_email = "one@example.org"
    session.commit()
    session.expire(agency)
    agency.contact_email = "two@example.org"
    session.flush()
    last = _entries(session, "agency")[-1]
    assert last.before == {"contact_email": "one@example.org"}
    assert last.after == {"contact_email": "two@example.org"}


def test_json_changed_in_place_is_saved_and_logged(session: Session) -> None:
    from audit_app.models import Audit, AuditAgency

    audit = Audit(title="In place")
    session.add(audit)
    session.flush()
    agency = save_agency(
        session,
        None,
        name="Schools",
        short_name="Ed",
        sector=AgencySector.EDUCATION,
        contact_email=None,
    )
    link = AuditAgency(audit_id=audit.id, agency_id=agency.id, released_reference_fields=[])
    session.add(link)
    session.commit()
    link.released_reference_fields.append("nhs_number")
    session.commit()
    session.expire(link)
    assert link.released_reference_fields == ["nhs_number"]
    last = _entries(session, "audit_agency")[-1]
    assert last.action == "update"
    assert last.after == {"released_reference_fields": ["nhs_number"]}


@pytest.mark.parametrize("statement", ["update", "delete"])
def test_bulk_changes_that_would_skip_the_log_are_refused(
    session: Session, agency: Agency, statement: str
) -> None:
    from audit_app.core.audit_log import UnloggedChangeRefused

    query = (
        update(Agency).values(name="Renamed")
        if statement == "update"
        else delete(Agency).where(Agency.id == agency.id)
    )
    with pytest.raises(UnloggedChangeRefused, match="bypass the audit log"):
        session.execute(query)
