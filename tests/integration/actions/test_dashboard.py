"""The subgroup's dashboard across audits: counts, late, due and quiet actions, filters, and
the RAG over time from the history."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from audit_app.actions.models import Action, ActionEvent, ActionState, ActionUpdate, UpdateStatus
from audit_app.core.models import today, utcnow
from audit_app.models import Recommendation, Role
from tests.conftest import make_user, page, sign_in, text_of
from tests.integration.panel.conftest import PanelClients

Updates = list[tuple[int, UpdateStatus]]


def _action(session: Session, panel_world: PanelClients, what: str, state: ActionState,
            due_in: int, agency: int, updates: Updates) -> Action:  # fmt: skip
    world = panel_world.world
    recommendation = session.query(Recommendation).filter_by(audit_id=world.audit.id).first()
    if recommendation is None:
        recommendation = Recommendation(audit_id=world.audit.id, number=1, text="Do better")
        session.add(recommendation)
        session.flush()
    action = Action(
        audit_id=world.audit.id, recommendation_id=recommendation.id, description=what,
        success_measure="75% good or better", lead_agency_id=world.agencies[agency].id,
        invitee_name="Jo Bloggs", invitee_email="jo@example.org",
        target_date=today() + timedelta(days=due_in), state=state,
    )  # fmt: skip
    session.add(action)
    session.flush()
    opened = utcnow() - timedelta(days=120)
    session.add(ActionEvent(action_id=action.id, at=opened, to_state=ActionState.OPEN))
    if state is not ActionState.OPEN:
        session.add(ActionEvent(action_id=action.id, at=utcnow(), to_state=state))
    for days_ago, status in updates:
        session.add(
            ActionUpdate(action_id=action.id, status=status, progress="Done some",
                         written_at=utcnow() - timedelta(days=days_ago))
        )  # fmt: skip
    session.commit()
    return action


def _subgroup(app: Flask, session: Session) -> FlaskClient:
    person = make_user(session, Role.SUBGROUP, email="subgroup.member@example.org")
    client = app.test_client()
    assert sign_in(client, person.email).status_code == 302
    return client


def test_the_dashboard_shows_what_is_late_due_and_quiet(
    app: Flask, panel_world: PanelClients, session: Session
) -> None:
    _action(session, panel_world, "Deliver the late training", ActionState.OPEN, -10, 0,
            [(70, UpdateStatus.ON_TRACK)])  # fmt: skip
    _action(session, panel_world, "Audit the referral forms", ActionState.OPEN, 20, 1,
            [(5, UpdateStatus.AT_RISK)])  # fmt: skip
    _action(session, panel_world, "Publish the pathway", ActionState.CLOSED, -30, 1, [])
    client = _subgroup(app, session)
    soup = page(client.get("/action-plans"))
    words = text_of(soup)
    assert "3 actions" in words
    overdue = text_of(soup.find("caption", string="Overdue").find_parent("table"))
    assert "Deliver the late training" in overdue and "10" in overdue
    due = text_of(soup.find("caption", string="Due in the next 30 days").find_parent("table"))
    assert "Audit the referral forms" in due and "late training" not in due
    quiet = soup.find("caption", string="No update for 60 days or more").find_parent("table")
    assert "Deliver the late training" in text_of(quiet) and "referral" not in text_of(quiet)
    by_rag = {
        row.find("dt").get_text(strip=True): row.find("dd").get_text(strip=True)
        for row in soup.find("h3", string="By RAG")
        .find_next("dl")
        .select(".govuk-summary-list__row")
    }
    assert by_rag["Red"] == "1" and by_rag["Amber"] == "1" and by_rag["Complete"] == "1"
    # The filters narrow everything, the chart too.
    agency = panel_world.world.agencies[1].id
    narrowed = page(client.get(f"/action-plans?agency={agency}&rag=amber"))
    assert "1 action" in text_of(narrowed)
    image = narrowed.find("img", src=lambda s: s and "rag-over-time.svg" in s)
    assert image is not None and "RAG of the action plans" in image["alt"]
    chart = client.get(image["src"])
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
    # The chart's figures are in a table too: today's month has one amber action.
    table = narrowed.find("caption", string="RAG of the action plans at the end of each month")
    last = table.find_parent("table").select("tbody tr")[-1]
    cells = [cell.get_text(strip=True) for cell in last.find_all(["th", "td"])]
    assert cells[0].endswith("(today)") and cells[2] == "1"  # Red, Amber, ...


def test_only_the_subgroup_and_partnership_leads_see_every_plan(
    app: Flask, panel_world: PanelClients, session: Session
) -> None:
    assert panel_world.chair.get("/action-plans").status_code == 403
    assert panel_world.reviewer.get("/action-plans").status_code == 403
    assert panel_world.lead.get("/action-plans").status_code == 200  # partnership-wide lead
