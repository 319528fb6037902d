"""The administrator gives and takes away memberships on a person's page; the rules behind."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from audit_app.accounts import memberships
from audit_app.accounts.memberships import (
    add_membership,
    describe,
    holds,
    panel_audit_ids,
    remove_membership,
    reviewer_agency_ids,
)
from audit_app.audits.lifecycle import set_panel
from audit_app.core.errors import DomainError
from audit_app.models import Agency, Audit, Role, User
from tests.conftest import csrf_token, make_user, page, sign_in, text_of


def _errors(response: Any) -> list[str]:
    return [a.get_text(strip=True) for a in page(response).select(".govuk-error-summary a")]


def _add(client: FlaskClient, user: User, data: dict[str, str]) -> Any:
    soup = page(client.get(f"/admin/users/{user.id}"))
    form = soup.find("form", attrs={"action": f"/admin/users/{user.id}/memberships"})
    assert form is not None
    return client.post(
        f"/admin/users/{user.id}/memberships", data={"csrf_token": csrf_token(form), **data}
    )


def _remove_buttons(soup: BeautifulSoup) -> dict[str, str]:
    """The remove forms on a person's page, by the membership they remove."""
    found = {}
    for form in soup.select("form[action$='/remove']"):
        button = form.find("button")
        assert button is not None
        label = button.get_text(" ", strip=True).removeprefix("Remove").strip()
        found[label] = str(form["action"])
    return found


@pytest.fixture
def audit(session: Session) -> Audit:
    audit = Audit(title="Children in crisis 2026")
    session.add(audit)
    session.commit()
    return audit


def test_the_person_page_lists_memberships_in_words(
    client: FlaskClient, users: dict[Role, User], audit: Audit, session: Session
) -> None:
    reviewer = users[Role.REVIEWER]
    add_membership(session, reviewer, Role.PANEL, audit_id=audit.id, is_chair=True)
    session.commit()
    sign_in(client, users[Role.ADMIN].email)
    soup = page(client.get(f"/admin/users/{reviewer.id}"))
    text = text_of(soup)
    assert "Agency reviewer \u2013 CAMHS" in text
    assert "Panel member (chair) \u2013 Children in crisis 2026" in text
    assert set(_remove_buttons(soup)) == {
        "Agency reviewer \u2013 CAMHS",
        "Panel member (chair) \u2013 Children in crisis 2026",
    }
    listing = text_of(page(client.get("/admin/users")))
    assert "Panel member (chair) \u2013 Children in crisis 2026" in listing


def test_add_memberships_and_bad_input(
    client: FlaskClient,
    users: dict[Role, User],
    agency: Agency,
    other_agency: Agency,
    audit: Audit,
    session: Session,
) -> None:
    person = users[Role.SUBGROUP]
    sign_in(client, users[Role.ADMIN].email)
    no_agency = _add(client, person, {"role": "reviewer", "agency_id": ""})
    assert no_agency.status_code == 200
    assert _errors(no_agency) == ["Choose the agency this person reviews for"]
    soup = page(no_agency)
    assert "Choose the agency this person reviews for" in text_of(
        soup.find(id="agency_id").find_parent(class_="govuk-form-group")
    )
    no_audit = _add(client, person, {"role": "panel", "audit_id": ""})
    assert _errors(no_audit) == ["Choose the audit whose panel this person sits on"]
    assert "Choose the audit whose panel" in text_of(
        page(no_audit).find(id="audit_id").find_parent(class_="govuk-form-group")
    )
    added = _add(client, person, {"role": "reviewer", "agency_id": str(other_agency.id)})
    assert added.status_code == 302
    chair = _add(client, person, {"role": "panel", "audit_id": str(audit.id), "is_chair": "y"})
    assert chair.status_code == 302
    lead = _add(client, person, {"role": "audit_lead", "audit_id": str(audit.id)})
    assert lead.status_code == 302
    duplicate = _add(client, person, {"role": "reviewer", "agency_id": str(other_agency.id)})
    assert _errors(duplicate) == ["This person already has that membership"]
    second_chair = _add(
        client, users[Role.REVIEWER], {"role": "panel", "audit_id": str(audit.id), "is_chair": "y"}
    )
    assert _errors(second_chair) == ["This audit's panel already has a chair"]
    session.refresh(person)
    assert reviewer_agency_ids(person) == {other_agency.id}
    assert panel_audit_ids(person) == {audit.id}
    assert holds(person, Role.AUDIT_LEAD, audit.id) and not holds(person, Role.AUDIT_LEAD, -1)
    assert [describe(m) for m in person.memberships] == [
        "Audit and performance subgroup member",
        "Agency reviewer \u2013 Police",
        "Panel member (chair) \u2013 Children in crisis 2026",
        "Audit lead \u2013 Children in crisis 2026",
    ]


def test_changing_memberships_ends_open_sessions(
    client: FlaskClient, users: dict[Role, User], agency: Agency, session: Session
) -> None:
    person = users[Role.SUBGROUP]
    their = client.application.test_client()
    sign_in(their, person.email)
    assert their.get("/").status_code == 200
    sign_in(client, users[Role.ADMIN].email)
    assert (
        _add(client, person, {"role": "reviewer", "agency_id": str(agency.id)}).status_code == 302
    )
    assert their.get("/").location == "/sign-in"
    sign_in(their, person.email)
    soup = page(client.get(f"/admin/users/{person.id}"))
    action = _remove_buttons(soup)["Agency reviewer \u2013 CAMHS"]
    removed = client.post(action, data={"csrf_token": csrf_token(soup)})
    assert removed.status_code == 302
    assert their.get("/").location == "/sign-in"
    session.refresh(person)
    assert reviewer_agency_ids(person) == set()


def test_an_administrator_changing_their_own_memberships_stays_signed_in(
    client: FlaskClient, users: dict[Role, User], agency: Agency, session: Session
) -> None:
    admin = users[Role.ADMIN]
    elsewhere = client.application.test_client()
    sign_in(elsewhere, admin.email)
    sign_in(client, admin.email)
    added = _add(client, admin, {"role": "reviewer", "agency_id": str(agency.id)})
    assert added.status_code == 302
    # Still signed in here, now with the new membership; the other session has ended.
    assert client.get("/").status_code == 200
    assert client.get(f"/admin/users/{admin.id}").status_code == 200
    assert elsewhere.get("/").location == "/sign-in"
    soup = page(client.get(f"/admin/users/{admin.id}"))
    action = _remove_buttons(soup)["Agency reviewer \u2013 CAMHS"]
    assert client.post(action, data={"csrf_token": csrf_token(soup)}).status_code == 302
    assert client.get(f"/admin/users/{admin.id}").status_code == 200
    session.refresh(admin)
    assert reviewer_agency_ids(admin) == set()


def test_the_last_administrator_membership_stays(
    client: FlaskClient, users: dict[Role, User], session: Session
) -> None:
    admin = users[Role.ADMIN]
    other = make_user(session, Role.ADMIN, email="other.admin@example.org", also_lead=False)
    sign_in(client, admin.email)
    soup = page(client.get(f"/admin/users/{other.id}"))
    action = _remove_buttons(soup)["Administrator"]
    # Another administrator remains (the one signed in): the removal goes through.
    assert client.post(action, data={"csrf_token": csrf_token(soup)}).status_code == 302
    # Nobody can take away their own, which is now the last.
    soup = page(client.get(f"/admin/users/{admin.id}"))
    action = _remove_buttons(soup)["Administrator"]
    refused = client.post(action, data={"csrf_token": csrf_token(soup)})
    assert refused.status_code == 200
    assert "cannot take the administrator role away from yourself" in text_of(page(refused))
    with pytest.raises(DomainError, match="last administrator"):
        remove_membership(session, admin, admin.memberships[0])
    session.rollback()
    assert holds(admin, Role.ADMIN)


def test_another_persons_membership_is_not_found(
    client: FlaskClient, users: dict[Role, User]
) -> None:
    sign_in(client, users[Role.ADMIN].email)
    someone_elses = users[Role.REVIEWER].memberships[0].id
    soup = page(client.get(f"/admin/users/{users[Role.SUBGROUP].id}"))
    response = client.post(
        f"/admin/users/{users[Role.SUBGROUP].id}/memberships/{someone_elses}/remove",
        data={"csrf_token": csrf_token(soup)},
    )
    assert response.status_code == 404


def test_a_new_panel_member_needs_an_audit(
    client: FlaskClient, users: dict[Role, User], audit: Audit, session: Session
) -> None:
    sign_in(client, users[Role.ADMIN].email)
    details = {
        "full_name": "Pat Panel",
        "email": "pat@example.org",
        "role": "panel",
        "password": "a long temporary password",
    }
    soup = page(client.get("/admin/users/new"))
    response = client.post(
        "/admin/users/new", data={"csrf_token": csrf_token(soup), **details, "audit_id": ""}
    )
    assert _errors(response) == ["Choose the audit whose panel this person sits on"]
    response = client.post(
        "/admin/users/new",
        data={"csrf_token": csrf_token(soup), **details, "audit_id": str(audit.id)},
    )
    assert response.status_code == 302
    person = session.query(User).filter_by(email="pat@example.org").one()
    assert panel_audit_ids(person) == {audit.id}


def test_anyone_active_can_sit_on_a_panel(
    client: FlaskClient, users: dict[Role, User], audit: Audit, session: Session
) -> None:
    reviewer, subgroup = users[Role.REVIEWER], users[Role.SUBGROUP]
    sign_in(client, users[Role.ADMIN].email)
    panel_page = text_of(page(client.get(f"/audits/{audit.id}/panel")))
    assert reviewer.full_name in panel_page and subgroup.full_name in panel_page
    set_panel(session, audit, [reviewer.id, subgroup.id], reviewer.id)
    session.commit()
    assert panel_audit_ids(reviewer) == {audit.id} and panel_audit_ids(subgroup) == {audit.id}
    assert [m.is_chair for m in reviewer.memberships if m.role is Role.PANEL] == [True]
    assert reviewer_agency_ids(reviewer)  # still a reviewer of their agency
    # The chair moves to someone new: never two chairs on the way.
    newcomer = make_user(session, Role.SUBGROUP, email="newcomer@example.org")
    set_panel(session, audit, [reviewer.id, subgroup.id, newcomer.id], newcomer.id)
    session.commit()
    assert [m.user_id for m in audit.panel_members if m.is_chair] == [newcomer.id]
    set_panel(session, audit, [subgroup.id], None)
    session.commit()
    assert panel_audit_ids(reviewer) == set()
    assert [m.user_id for m in audit.panel_members] == [subgroup.id]
    subgroup.is_active = False
    session.commit()
    with pytest.raises(DomainError, match="from the list"):
        set_panel(session, audit, [subgroup.id], None)


def test_scope_rules_without_the_pages(session: Session, agency: Agency, audit: Audit) -> None:
    person = make_user(session, Role.SUBGROUP, email="rules@example.org")
    with pytest.raises(DomainError, match="Choose the agency"):
        add_membership(session, person, Role.REVIEWER)
    with pytest.raises(DomainError, match="Choose the audit"):
        add_membership(session, person, Role.PANEL)
    with pytest.raises(DomainError, match="Choose an audit from the list"):
        add_membership(session, person, Role.PANEL, audit_id=999_999)
    # Values a role does not use are dropped, not stored.
    membership = add_membership(session, person, Role.ADMIN, agency_id=agency.id, is_chair=True)
    assert membership.agency_id is None and membership.is_chair is False
    assert memberships.leads_partnership(person) is False
    add_membership(session, person, Role.AUDIT_LEAD)
    assert memberships.leads_partnership(person) and memberships.leads(person, audit.id)
