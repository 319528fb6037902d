"""One home page: a part for each kind of membership a person holds."""

from __future__ import annotations

from datetime import date, timedelta

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from audit_app.accounts.memberships import add_membership
from audit_app.models import (
    Action,
    ActionState,
    ActionUpdate,
    Agency,
    Audit,
    Recommendation,
    Role,
    UpdateStatus,
    User,
)
from tests.conftest import make_user, page, sign_in, text_of


def _action(session: Session, owner: User | None, agency: Agency, text: str) -> Action:
    audit = Audit(title=f"Audit for {text}")
    session.add(audit)
    session.flush()
    recommendation = Recommendation(audit_id=audit.id, number=1, text="Recommendation")
    session.add(recommendation)
    session.flush()
    action = Action(
        audit_id=audit.id,
        recommendation_id=recommendation.id,
        state=ActionState.OPEN,
        description=text,
        lead_agency_id=agency.id,
        owner_id=owner.id if owner else None,
        target_date=date.today() - timedelta(days=1),
    )
    session.add(action)
    session.commit()
    return action


def test_actions_you_own(
    client: FlaskClient, users: dict[Role, User], agency: Agency, session: Session
) -> None:
    reviewer = users[Role.REVIEWER]
    _action(session, reviewer, agency, "Train the duty team")
    _action(session, users[Role.SUBGROUP], agency, "Someone else's action")
    sign_in(client, reviewer.email)
    soup = page(client.get("/"))
    assert soup.h1.get_text(strip=True) == "Your home page"
    sections = [h2.get_text(strip=True) for h2 in soup.find_all("h2")]
    assert sections[:2] == ["Your agency's returns", "Actions you own"]
    home = text_of(soup)
    assert "Train the duty team" in home and "Overdue" in home
    assert "Someone else's action" not in home


def test_a_person_with_no_roles_owns_actions_only(
    client: FlaskClient, users: dict[Role, User], agency: Agency, session: Session
) -> None:
    person = make_user(session, Role.SUBGROUP, email="owner@example.org")
    person.memberships.clear()
    session.commit()
    sign_in(client, person.email)
    soup = page(client.get("/"))
    assert soup.h1.get_text(strip=True) == "Actions you own"
    assert "You have no roles" in text_of(soup)
    _action(session, person, agency, "Audit the referral forms")
    assert "Audit the referral forms" in text_of(page(client.get("/")))
    # Signed in with no roles: only their own account page besides home.
    assert client.get("/account/password").status_code == 200
    assert client.get("/audits").status_code == 403


def test_every_part_on_one_page(
    client: FlaskClient, users: dict[Role, User], agency: Agency, session: Session
) -> None:
    admin = users[Role.ADMIN]
    add_membership(session, admin, Role.REVIEWER, agency_id=agency.id)
    add_membership(session, admin, Role.SUBGROUP)
    session.commit()
    sign_in(client, admin.email)
    soup = page(client.get("/"))
    assert soup.h1.get_text(strip=True) == "Your home page"
    sections = [h2.get_text(strip=True) for h2 in soup.find_all("h2")]
    for heading in ("Administration", "Audits you lead", "Your agency's returns", "Action plans"):
        assert heading in sections
    nav = text_of(soup.select_one(".govuk-service-navigation") or soup)
    assert "Audits" in nav and "Users" in nav


def test_an_administrator_who_leads_nothing(
    client: FlaskClient, session: Session, users: dict[Role, User]
) -> None:
    admin = make_user(session, Role.ADMIN, email="only.admin@example.org", also_lead=False)
    sign_in(client, admin.email)
    soup = page(client.get("/"))
    assert soup.h1.get_text(strip=True) == "Administration"
    assert client.get("/audits").status_code == 403
    assert client.get("/admin/users").status_code == 200
    nav = [a.get_text(strip=True) for a in soup.select("nav a")]
    assert "Users" in nav and "Audits" not in nav


def test_the_subgroup_sees_each_actions_rag_by_the_written_rule(
    client: FlaskClient, users: dict[Role, User], agency: Agency, session: Session
) -> None:
    late = _action(session, None, agency, "Deliver the late training")  # target: yesterday
    session.add(ActionUpdate(action_id=late.id, status=UpdateStatus.ON_TRACK, progress="Fine"))
    early = _action(session, None, agency, "Audit the referral forms")
    early.target_date = date.today() + timedelta(days=30)
    session.add(ActionUpdate(action_id=early.id, status=UpdateStatus.AT_RISK, progress="Slow"))
    draft = _action(session, None, agency, "A draft nobody has opened")
    draft.state = ActionState.DRAFT
    session.commit()
    sign_in(client, users[Role.SUBGROUP].email)
    soup = page(client.get("/"))
    rows = {
        row.find("td").get_text(" ", strip=True): [
            td.get_text(" ", strip=True) for td in row.find_all("td")
        ]
        for row in soup.select("tbody tr")
    }
    (late_row,) = [cells for words, cells in rows.items() if "late training" in words]
    assert late_row[-1] == "Red" and "Overdue" in late_row[-3]  # red, whatever it said
    (early_row,) = [cells for words, cells in rows.items() if "referral forms" in words]
    assert early_row[-1] == "Amber"
    assert not any("A draft nobody" in words for words in rows)
    assert "past its target date that is not complete is red" in text_of(soup)
