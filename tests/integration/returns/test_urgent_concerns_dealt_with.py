"""Marking an urgent concern as dealt with asks what was done and by whom, keeps it on the
concern, and keeps the concern in the audit's list of urgent concerns (issue 9)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.core.errors import DomainError
from audit_app.models import (
    Agency,
    AgencyReturn,
    Audit,
    AuditLogEntry,
    Role,
    UrgentConcern,
    User,
)
from audit_app.returns import answering
from tests.conftest import csrf_token, page, sign_in, text_of
from tests.integration.returns.test_returns import (  # noqa: F401 (collecting is a fixture)
    collecting,
    own_return,
)


@pytest.fixture
def concern(
    session: Session,
    users: dict[Role, User],
    collecting: Audit,  # noqa: F811
    agency: Agency,
) -> UrgentConcern:
    raised = answering.raise_concern(
        session,
        own_return(session, collecting, agency.id),
        "Recent self-harm; no safety plan on file",
        users[Role.REVIEWER],
    )
    session.commit()
    return raised


def _lead(app: Flask, users: dict[Role, User]) -> FlaskClient:
    client = app.test_client()
    sign_in(client, users[Role.ADMIN].email)
    return client


def test_the_lead_says_what_was_done_and_the_concern_stays_listed(
    app: Flask,
    session: Session,
    users: dict[Role, User],
    collecting: Audit,  # noqa: F811
    concern: UrgentConcern,
) -> None:
    lead = _lead(app, users)
    home = page(lead.get("/"))
    link = home.select_one(".govuk-notification-banner a.govuk-button")
    assert text_of(link).replace(" :", ":") == "Mark as dealt with: Child A"

    # A confirmation page: the concern, what was done (required), who did it (the lead).
    confirm = page(lead.get(link["href"]))
    assert "Recent self-harm; no safety plan on file" in text_of(confirm.select_one("main"))
    who = confirm.select_one("input[name=dealt_with_by]")
    assert who["value"] == users[Role.ADMIN].full_name
    assert confirm.select_one("textarea[name=action_taken]") is not None

    # Nothing said about what was done: refused on the field, the concern stays open.
    refused = lead.post(
        link["href"],
        data={"csrf_token": csrf_token(confirm), "action_taken": "  ", "dealt_with_by": "Me"},
    )
    assert refused.status_code == 200
    error = page(refused).select_one("#action_taken").find_parent(class_="govuk-form-group")
    assert "Say what was done about the concern" in text_of(error)
    session.refresh(concern)
    assert concern.acknowledged_at is None and concern.action_taken is None

    done = lead.post(
        link["href"],
        data={
            "csrf_token": csrf_token(confirm),
            "action_taken": "Shared with the MASH; a social worker visited the same day",
            "dealt_with_by": "MASH duty team",
        },
    )
    listing_url = f"/audits/{collecting.id}/concerns"
    assert done.status_code == 302 and done.location == listing_url
    session.refresh(concern)
    assert concern.action_taken == "Shared with the MASH; a social worker visited the same day"
    assert concern.dealt_with_by == "MASH duty team"
    assert concern.acknowledged_at is not None
    assert concern.acknowledged_by_id == users[Role.ADMIN].id
    logged = session.scalars(
        select(AuditLogEntry).where(
            AuditLogEntry.record_type == "urgent_concern",
            AuditLogEntry.record_id == str(concern.id),
        )
    ).all()
    assert len(logged) == 2  # raised, then dealt with

    # Gone from the banner of open concerns, but not from the audit's list.
    home = page(lead.get("/"))
    assert home.select_one("#concerns-title") is None
    assert home.find("a", href=listing_url) is not None
    listing = page(lead.get(listing_url))
    dealt = text_of(listing.select_one(f"#concern-{concern.id}"))
    assert "Child A" in dealt and "Recent self-harm" in dealt
    assert "Shared with the MASH; a social worker visited the same day" in dealt
    assert "MASH duty team" in dealt and users[Role.ADMIN].full_name in dealt
    assert "Still to deal with (0)" in text_of(listing) and "Dealt with (1)" in text_of(listing)

    # Marking it again changes nothing.
    again = lead.get(link["href"])
    assert again.status_code == 302 and again.location == listing_url


def test_who_did_it_is_the_lead_unless_they_say_otherwise(
    app: Flask, session: Session, users: dict[Role, User], concern: UrgentConcern
) -> None:
    lead = _lead(app, users)
    url = f"/concerns/{concern.id}/acknowledge"
    confirm = page(lead.get(url))
    done = lead.post(
        url,
        data={"csrf_token": csrf_token(confirm), "action_taken": "Rang CSC", "dealt_with_by": ""},
    )
    assert done.status_code == 302
    session.refresh(concern)
    assert concern.dealt_with_by == users[Role.ADMIN].full_name


def test_a_bare_post_no_longer_marks_a_concern_as_dealt_with(
    app: Flask, session: Session, users: dict[Role, User], concern: UrgentConcern
) -> None:
    """The old button posted nothing but its token: that is now a form missing its answer."""
    lead = _lead(app, users)
    url = f"/concerns/{concern.id}/acknowledge"
    token = csrf_token(page(lead.get(url)))
    response = lead.post(url, data={"csrf_token": token})
    assert response.status_code == 200
    session.refresh(concern)
    assert concern.acknowledged_at is None


def test_the_rule_needs_what_was_done_and_refuses_a_second_time(
    session: Session, users: dict[Role, User], concern: UrgentConcern
) -> None:
    with pytest.raises(DomainError) as refused:
        answering.deal_with_concern(session, concern, users[Role.ADMIN], action_taken="")
    assert refused.value.field == "action_taken"
    answering.deal_with_concern(session, concern, users[Role.ADMIN], action_taken="Rang CSC")
    with pytest.raises(DomainError, match="already been marked"):
        answering.deal_with_concern(session, concern, users[Role.ADMIN], action_taken="Again")
    assert concern.action_taken == "Rang CSC"


def test_the_audit_page_links_to_its_urgent_concerns(
    app: Flask,
    users: dict[Role, User],
    collecting: Audit,  # noqa: F811
) -> None:
    lead = _lead(app, users)
    audit_page = page(lead.get(f"/audits/{collecting.id}"))
    link = audit_page.find("a", href=f"/audits/{collecting.id}/concerns")
    assert link is not None
    listing = page(lead.get(link["href"]))
    assert "There are no open urgent concerns." in text_of(listing)


def test_what_was_done_is_shown_as_typed_never_as_markup(
    app: Flask, session: Session, users: dict[Role, User], concern: UrgentConcern
) -> None:
    answering.deal_with_concern(
        session, concern, users[Role.ADMIN], action_taken="<b>Rang</b> CSC\nthen visited"
    )
    session.commit()
    agency_return = session.get(AgencyReturn, concern.return_id)
    listing = _lead(app, users).get(f"/audits/{agency_return.audit_id}/concerns")
    html = listing.get_data(as_text=True)
    assert "<b>Rang" not in html
    shown = page(listing).select(f"#concern-{concern.id} .app-preserve-lines")[1].get_text()
    assert [line.strip() for line in shown.splitlines()] == ["<b>Rang</b> CSC", "then visited"]


def test_two_leads_marking_a_concern_at_once_do_not_overwrite_each_other(
    app: Flask, session: Session, users: dict[Role, User], concern: UrgentConcern
) -> None:
    """Both read the concern open; the first mark lands; the second, based on that older
    read, is refused instead of replacing what the first recorded."""
    database = app.extensions["audit_db"]
    other = database.new_session(actor_label="test")
    try:
        first_lead = other.get(UrgentConcern, concern.id)
        assert first_lead is not None and first_lead.acknowledged_at is None
        answering.deal_with_concern(
            other, first_lead, users[Role.ADMIN], action_taken="Rang the duty social worker"
        )
        other.commit()
    finally:
        other.close()
    # This session still holds the concern as it read it: open, at its first version.
    assert concern.acknowledged_at is None
    with pytest.raises(DomainError, match="Someone else has just marked"):
        answering.deal_with_concern(
            session, concern, users[Role.ADMIN], action_taken="Emailed the school"
        )
    session.rollback()
    session.expire_all()
    stored = session.get(UrgentConcern, concern.id)
    assert stored is not None and stored.action_taken == "Rang the duty social worker"
