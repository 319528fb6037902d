"""Migration 0012: the RAG and "complete" are no longer stored but derived from a state, one
owner (a person or an invitee), the audit on every action; and back again."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from alembic import command
from sqlalchemy import text

from audit_app.actions.models import Action, ActionState, ActionUpdate, UpdateStatus
from audit_app.core.db import Database
from audit_app.core.migrate import alembic_config, upgrade
from audit_app.models import Audit, Recommendation, Role, utcnow
from tests.conftest import make_user
from tests.databases import fresh_database


def _rows(database: Database, sql: str) -> list[tuple[object, ...]]:
    with database.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql))]


def test_actions_move_to_states_and_one_owner_and_back(tmp_path: Path) -> None:
    with fresh_database(tmp_path, "actions") as url:
        upgrade(url)
        database = Database(url)
        try:
            session = database.new_session(actor_label="test")
            owner = make_user(session, Role.SUBGROUP, email="owner@example.org")
            audit = Audit(title="Children in crisis 2021")
            session.add(audit)
            session.flush()
            recommendation = Recommendation(audit_id=audit.id, number=1, text="Do better")
            session.add(recommendation)
            session.flush()

            def action(state: ActionState, **extra: object) -> Action:
                made = Action(
                    audit_id=audit.id,
                    recommendation_id=recommendation.id,
                    description=f"Deliver {state.value}",
                    target_date=date(2027, 3, 31),
                    state=state,
                    **extra,
                )
                session.add(made)
                session.flush()
                return made

            at_risk = action(ActionState.OPEN, owner_id=owner.id)
            earlier = utcnow().replace(year=2025)
            session.add(ActionUpdate(action_id=at_risk.id, status=UpdateStatus.ON_TRACK,
                                     progress="a", written_at=earlier))  # fmt: skip
            session.add(ActionUpdate(action_id=at_risk.id, status=UpdateStatus.AT_RISK,
                                     progress="b"))  # fmt: skip
            closed = action(ActionState.CLOSED, invitee_name="Jo Early Help",
                            invitee_email="jo@example.org", signed_off_at=utcnow())  # fmt: skip
            waiting = action(ActionState.AWAITING_SIGN_OFF)
            quiet = action(ActionState.OPEN)
            late = action(ActionState.OPEN)
            session.add(ActionUpdate(action_id=late.id, status=UpdateStatus.OFF_TRACK,
                                     progress="c"))  # fmt: skip
            session.commit()
            ids = [a.id for a in (at_risk, closed, waiting, quiet, late)]
            session.close()

            command.downgrade(alembic_config(url), "0011")
            assert _rows(database, "SELECT id, rag, owner_name FROM action ORDER BY id") == [
                (ids[0], "amber", ""),
                (ids[1], "complete", "Jo Early Help"),
                (ids[2], "complete", ""),
                (ids[3], "amber", ""),
                (ids[4], "red", ""),
            ]
            assert sorted(r[0] for r in _rows(database, "SELECT rag FROM action_update")) == [
                "amber", "green", "red"
            ]  # fmt: skip

            upgrade(url)
            found = _rows(
                database,
                "SELECT id, audit_id, state, owner_id, invitee_name, priority FROM action"
                " ORDER BY id",
            )
            assert found == [
                (ids[0], audit.id, "open", owner.id, "", "medium"),
                (ids[1], audit.id, "closed", None, "Jo Early Help", "medium"),
                (ids[2], audit.id, "awaiting_sign_off", None, "", "medium"),
                (ids[3], audit.id, "open", None, "", "medium"),
                (ids[4], audit.id, "open", None, "", "medium"),
            ]
            assert sorted(r[0] for r in _rows(database, "SELECT status FROM action_update")) == [
                "at_risk", "off_track", "on_track"
            ]  # fmt: skip
            events = _rows(
                database, "SELECT action_id, from_state, to_state FROM action_event ORDER BY 1"
            )
            assert events == [
                (ids[0], None, "open"),
                (ids[1], None, "closed"),
                (ids[2], None, "awaiting_sign_off"),
                (ids[3], None, "open"),
                (ids[4], None, "open"),
            ]
        finally:
            database.engine.dispose()
