"""``audit-app actions remind``: owners hear once before the target date and weekly while an
action is overdue; nothing is sent twice; email only when SMTP is set up."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.actions.models import Action, ActionReminder, ActionState, ReminderKind
from audit_app.core.models import today, utcnow
from audit_app.models import Recommendation, Role
from tests.conftest import make_user
from tests.integration.panel.conftest import PanelClients


def _action(session: Session, panel_world: PanelClients, due_in: int, **owner: object) -> Action:
    world = panel_world.world
    recommendation = session.scalar(
        select(Recommendation).where(Recommendation.audit_id == world.audit.id)
    )
    if recommendation is None:
        recommendation = Recommendation(audit_id=world.audit.id, number=1, text="Act")
        session.add(recommendation)
        session.flush()
    action = Action(
        audit_id=world.audit.id, recommendation_id=recommendation.id,
        description=f"Deliver it in {due_in} days", success_measure="90%",
        target_date=today() + timedelta(days=due_in), state=ActionState.OPEN, **owner,
    )  # fmt: skip
    session.add(action)
    session.commit()
    return action


def test_owners_are_reminded_once_before_and_weekly_when_overdue(
    app: Flask, panel_world: PanelClients, session: Session
) -> None:
    person = make_user(session, Role.REVIEWER, panel_world.world.agencies[0],
                       email="owner@example.org")  # fmt: skip
    soon = _action(session, panel_world, 10, owner_id=person.id)
    late = _action(session, panel_world, -3, invitee_name="Jo", invitee_email="jo@example.org")
    _action(session, panel_world, 60, owner_id=person.id)  # not due yet
    nobody = _action(session, panel_world, -1)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["actions", "remind", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would remind owner@example.org: due soon" in dry.output
    assert session.scalars(select(ActionReminder)).all() == []
    first = runner.invoke(args=["actions", "remind"])
    assert first.exit_code == 0, first.output
    assert "Recorded owner@example.org: due soon" in first.output
    assert "Recorded jo@example.org: overdue" in first.output
    assert f"No one to remind about action {nobody.id}" in first.output
    assert "Email is not set up" in first.output
    session.expire_all()
    sent = {(r.action_id, r.kind, r.emailed) for r in session.scalars(select(ActionReminder))}
    assert sent == {(soon.id, ReminderKind.DUE_SOON, False), (late.id, ReminderKind.OVERDUE, False)}
    again = runner.invoke(args=["actions", "remind"])
    assert "0 reminders due" in again.output  # nothing twice
    # A week later, the overdue one is reminded again; the due-soon one is not.
    for reminder in session.scalars(select(ActionReminder)):
        reminder.sent_at = utcnow() - timedelta(days=7)
    session.commit()
    week = runner.invoke(args=["actions", "remind"])
    assert "Recorded jo@example.org: overdue" in week.output
    assert "owner@example.org" not in week.output
