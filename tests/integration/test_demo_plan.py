"""The demo's earlier audit has an action plan in every state, and the subgroup can run a
monitoring meeting from the dashboard: late, due, quiet, by agency, the RAG over time."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.actions.models import Action, ActionState
from audit_app.demo import DEMO_PASSWORD
from tests.conftest import page, sign_in, text_of
from tests.integration.test_demo_panel import loaded


def test_the_demo_plan_has_every_state_and_the_dashboard_reads_it(
    app: Flask, session: Session
) -> None:
    _current, earlier = loaded(session)
    session.commit()
    actions = session.scalars(select(Action).where(Action.audit_id == earlier.id)).all()
    assert {a.state for a in actions} == set(ActionState)
    subgroup = app.test_client()
    assert sign_in(subgroup, "subgroup.member@demo.example.org", DEMO_PASSWORD).status_code == 302
    soup = page(subgroup.get("/action-plans"))
    words = text_of(soup)
    assert "Overdue" in words and "Send the self-assessment to all schools" in text_of(
        soup.find("caption", string="Overdue").find_parent("table")
    )
    quiet = soup.find("caption", string="No update for 60 days or more").find_parent("table")
    assert "Send the self-assessment to all schools" in text_of(quiet)
    assert soup.find("img", src=lambda s: s and "rag-over-time.svg" in s) is not None
    assert subgroup.get("/action-plans/rag-over-time.svg").status_code == 200
    for action in actions:
        if action.state is not ActionState.DRAFT:
            url = f"/audits/{earlier.id}/actions/{action.id}"
            assert subgroup.get(url).status_code == 200, url
    owner = app.test_client()
    assert sign_in(owner, "camhs.reviewer@demo.example.org", DEMO_PASSWORD).status_code == 302
    mine = text_of(page(owner.get("/my-actions")))
    assert "Publish a joint communication plan" in mine
    lead = app.test_client()
    assert sign_in(lead, "audit.lead@demo.example.org", DEMO_PASSWORD).status_code == 302
    plan = text_of(page(lead.get(f"/audits/{earlier.id}/action-plan")))
    assert "Draft" in plan and "Cancelled" in plan and "Closed" in plan
