"""The administrator adds and edits agencies and users; every change is logged."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.accounts.memberships import reviewer_agency_ids
from audit_app.models import Agency, AuditLogEntry, Role, User
from tests.conftest import page, post_form, sign_in, text_of


def _errors(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [a.get_text(strip=True) for a in page(response).select(".govuk-error-summary a")]


def test_add_and_edit_an_agency(
    client: FlaskClient, users: dict[Role, User], session: Session
) -> None:
    sign_in(client, users[Role.ADMIN].email)
    empty = post_form(client, "/admin/agencies/new", {})
    assert empty.status_code == 200
    assert _errors(empty) == [
        "Enter the agency's name",
        "Enter a short name",
        "Select the type of agency",
    ]
    response = post_form(
        client,
        "/admin/agencies/new",
        {"name": "West Midlands Police", "short_name": "WMP", "sector": "police", "is_active": "y"},
    )
    assert response.status_code == 302
    listing = text_of(page(client.get("/admin/agencies")))
    assert "West Midlands Police has been added." in listing
    agency = session.scalar(select(Agency).where(Agency.short_name == "WMP"))
    assert agency is not None and agency.is_active
    edit = post_form(
        client,
        f"/admin/agencies/{agency.id}",
        {"name": "West Midlands Police", "short_name": "WMP", "sector": "police"},
    )
    assert edit.status_code == 302
    session.refresh(agency)
    assert agency.is_active is False
    log = session.scalars(
        select(AuditLogEntry)
        .where(AuditLogEntry.record_type == "agency", AuditLogEntry.record_id == str(agency.id))
        .order_by(AuditLogEntry.id)
    ).all()
    assert [entry.action for entry in log] == ["create", "update"]
    assert log[0].actor_id == users[Role.ADMIN].id
    assert log[1].before == {"is_active": True} and log[1].after["is_active"] is False


def test_duplicate_agency_name_is_refused(
    client: FlaskClient, users: dict[Role, User], agency: Agency
) -> None:
    sign_in(client, users[Role.ADMIN].email)
    response = post_form(
        client,
        "/admin/agencies/new",
        {"name": agency.name.upper(), "short_name": "NEW", "sector": "health"},
    )
    assert _errors(response) == ["Another agency already has this name"]


def test_add_a_reviewer_who_needs_an_agency(
    client: FlaskClient, users: dict[Role, User], agency: Agency, session: Session
) -> None:
    sign_in(client, users[Role.ADMIN].email)
    details = {
        "full_name": "Dana Reviewer",
        "email": "Dana@Example.org",
        "role": "reviewer",
        "agency_id": "",
        "password": "a long temporary password",
    }
    response = post_form(client, "/admin/users/new", details)
    assert _errors(response) == ["Select the agency this reviewer works for"]
    response = post_form(client, "/admin/users/new", {**details, "agency_id": str(agency.id)})
    assert response.status_code == 302
    user = session.scalar(select(User).where(User.email == "dana@example.org"))
    assert user is not None and [m.role for m in user.memberships] == [Role.REVIEWER]
    assert reviewer_agency_ids(user) == {agency.id}
    again = post_form(client, "/admin/users/new", {**details, "agency_id": str(agency.id)})
    assert _errors(again) == ["A user with this email address already exists"]
    entry = session.scalar(
        select(AuditLogEntry)
        .where(AuditLogEntry.record_type == "user_account", AuditLogEntry.record_id == str(user.id))
        .order_by(AuditLogEntry.id)
    )
    assert entry is not None
    assert entry.after["password_hash"] == "[redacted]"
    assert entry.after["session_token"] == "[redacted]"


def test_other_roles_do_not_keep_an_agency(
    client: FlaskClient, users: dict[Role, User], agency: Agency, session: Session
) -> None:
    sign_in(client, users[Role.ADMIN].email)
    panel = users[Role.PANEL]
    response = post_form(
        client,
        f"/admin/users/{panel.id}",
        {
            "full_name": panel.full_name,
            "email": panel.email,
            "role": "panel",
            "agency_id": str(agency.id),
        },
    )
    assert response.status_code == 302
    session.refresh(panel)
    assert reviewer_agency_ids(panel) == set()


def test_deactivate_and_reactivate_a_user(
    client: FlaskClient, users: dict[Role, User], session: Session
) -> None:
    sign_in(client, users[Role.ADMIN].email)
    reviewer = users[Role.REVIEWER]
    confirm = page(client.get(f"/admin/users/{reviewer.id}/status"))
    assert "Deactivate" in confirm.h1.get_text()
    response = post_form(client, f"/admin/users/{reviewer.id}/status", {})
    assert response.status_code == 302
    session.refresh(reviewer)
    assert reviewer.is_active is False
    assert "Deactivated" in text_of(page(client.get("/admin/users")))
    # Sending the same confirmation again (a double click, a second tab) changes nothing.
    again = post_form(client, f"/admin/users/{reviewer.id}/status", {"active": "no"})
    assert again.status_code == 302
    session.refresh(reviewer)
    assert reviewer.is_active is False
    assert "already deactivated" in text_of(page(client.get("/admin/users")))
    post_form(client, f"/admin/users/{reviewer.id}/status", {})
    session.refresh(reviewer)
    assert reviewer.is_active is True


def test_admin_cannot_deactivate_themselves(
    client: FlaskClient, users: dict[Role, User], session: Session
) -> None:
    admin = users[Role.ADMIN]
    sign_in(client, admin.email)
    response = post_form(client, f"/admin/users/{admin.id}/status", {})
    assert response.status_code == 200
    assert "You cannot deactivate your own account" in text_of(page(response))
    session.refresh(admin)
    assert admin.is_active


def test_unknown_ids_are_404(client: FlaskClient, users: dict[Role, User]) -> None:
    sign_in(client, users[Role.ADMIN].email)
    for url in ("/admin/users/999999", "/admin/agencies/999999", "/admin/users/999999/status"):
        response = client.get(url)
        assert response.status_code == 404
        assert page(response).h1.get_text(strip=True) == "Page not found"


def test_blank_names_are_refused(client: FlaskClient, users: dict[Role, User]) -> None:
    sign_in(client, users[Role.ADMIN].email)
    response = post_form(
        client, "/admin/agencies/new", {"name": "   ", "short_name": "  ", "sector": "police"}
    )
    assert _errors(response) == ["Enter the agency's name", "Enter a short name"]
    response = post_form(
        client,
        "/admin/users/new",
        {
            "full_name": "  ",
            "email": "blank@example.org",
            "role": "panel",
            "password": "a long temporary password",
        },
    )
    assert _errors(response) == ["Enter the person's full name"]


def test_a_reviewer_can_stay_with_an_agency_that_stopped_taking_part(
    client: FlaskClient, users: dict[Role, User], agency: Agency, session: Session
) -> None:
    agency.is_active = False
    session.commit()
    reviewer = users[Role.REVIEWER]
    sign_in(client, users[Role.ADMIN].email)
    response = post_form(
        client,
        f"/admin/users/{reviewer.id}",
        {
            "full_name": "Renamed Reviewer",
            "email": reviewer.email,
            "role": "reviewer",
            "agency_id": str(agency.id),
        },
    )
    assert response.status_code == 302
    session.refresh(reviewer)
    assert reviewer.full_name == "Renamed Reviewer"
    assert reviewer_agency_ids(reviewer) == {agency.id}
