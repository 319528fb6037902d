"""Someone named to own an action who has no account: listed for the administrator, and the
owner of the action as soon as their account is made; someone who has one owns it at once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from audit_app.actions import plan, smart
from audit_app.actions.smart import ActionDraft
from audit_app.core.models import today
from audit_app.panel import findings
from tests.conftest import PASSWORD, csrf_token, page, text_of
from tests.integration.panel.conftest import PanelClients


def _invite(session: Session, panel_world: PanelClients, email: str) -> plan.Action:
    world = panel_world.world
    recommendation = findings.add_recommendation(
        session, world.audit, findings.RecommendationDraft("Do better", [])
    )
    action = plan.add_action(
        session, world.audit, recommendation,
        ActionDraft(what="Deliver training to every school", success_measure="90% attend",
                    lead_agency_id=world.agencies[0].id, owner_name="Dr Jo Bloggs",
                    owner_email=email, target_date=today() + timedelta(days=60),
                    priority="high"),
        world.chair, smart.load_words(), today(),
    )  # fmt: skip
    session.commit()
    return action


def test_an_invitee_is_listed_and_owns_the_action_once_their_account_is_made(
    panel_world: PanelClients, session: Session
) -> None:
    action = _invite(session, panel_world, "Jo.Bloggs@example.org")
    admin = panel_world.lead  # an administrator in this world
    soup = page(admin.get("/admin/users"))
    listed = soup.find(id="to-invite").find_next("table")
    assert "Dr Jo Bloggs" in text_of(listed) and "jo.bloggs@example.org" in text_of(listed)
    form_url = listed.select_one("a")["href"]
    form = page(admin.get(form_url))
    assert form.find("input", attrs={"name": "email"})["value"] == "jo.bloggs@example.org"
    assert form.find("input", attrs={"name": "full_name"})["value"] == "Dr Jo Bloggs"
    response = admin.post(
        "/admin/users/new",
        data={"csrf_token": csrf_token(form), "full_name": "Dr Jo Bloggs",
              "email": "jo.bloggs@example.org", "password": PASSWORD + "!", "role": "none"},
    )  # fmt: skip
    assert response.status_code == 302
    words = text_of(page(admin.get(response.location)))
    assert "They now own the 1 action they were named for" in words
    assert "People to invite" not in words
    session.expire_all()
    assert action.owner is not None and action.owner.email == "jo.bloggs@example.org"
    assert action.invitee_name == "" and action.invitee_email == ""
    assert action.owner.memberships == []  # no role: owning the action is what lets them in
    assert form.find("input", attrs={"name": "role", "value": "none"}).has_attr("checked")


def test_someone_to_invite_who_has_an_account_owns_it_at_once(
    panel_world: PanelClients, session: Session
) -> None:
    action = _invite(session, panel_world, panel_world.world.reviewer.email.upper())
    assert action.owner_id == panel_world.world.reviewer.id
    assert action.invitee_email == ""
