"""The pages that list actions run as many statements for four actions as for eight."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy.orm import Session

from audit_app.actions.models import Action, ActionEvent, ActionState, ActionUpdate, UpdateStatus
from audit_app.core.models import today
from audit_app.models import Role
from audit_app.panel import findings
from tests.conftest import make_user, sign_in
from tests.integration.panel.conftest import PanelClients
from tests.statements import recorded_statements


def _add(session: Session, panel_world: PanelClients, how_many: int) -> None:
    world = panel_world.world
    for n in range(how_many):
        recommendation = findings.add_recommendation(
            session, world.audit, findings.RecommendationDraft(f"Recommendation {n}", [])
        )
        action = Action(
            audit_id=world.audit.id, recommendation_id=recommendation.id,
            description=f"Deliver {n}", success_measure="90%",
            lead_agency_id=world.agencies[n % 3].id, owner_id=world.reviewer.id,
            target_date=today() + timedelta(days=n * 10 - 15), state=ActionState.OPEN,
        )  # fmt: skip
        session.add(action)
        session.flush()
        session.add(ActionEvent(action_id=action.id, to_state=ActionState.OPEN))
        session.add(ActionUpdate(action_id=action.id, status=UpdateStatus.AT_RISK, progress="x"))
    session.commit()


def test_the_plan_dashboard_and_my_actions_do_not_grow_with_the_actions(
    app: Flask, panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    subgroup = app.test_client()
    person = make_user(session, Role.SUBGROUP, email="subgroup.member@example.org")
    assert sign_in(subgroup, person.email).status_code == 302
    pages = {
        "plan": (subgroup, f"/audits/{world.audit.id}/action-plan"),
        "dashboard": (subgroup, "/action-plans"),
        "my actions": (panel_world.reviewer, "/my-actions"),
    }
    counts = []
    for more in (4, 4):
        _add(session, panel_world, more)
        found = {}
        for name, (client, url) in pages.items():
            assert client.get(url).status_code == 200
            with recorded_statements(app) as statements:
                assert client.get(url).status_code == 200
            found[name] = statements.count
        counts.append(found)
    assert counts[0] == counts[1], counts
