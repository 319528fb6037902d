"""Migration 0004: one role per person becomes memberships, with no change in who does what."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from audit_app.core.db import make_engine
from audit_app.core.migrate import alembic_config, upgrade
from tests.databases import fresh_database

NOW = "2026-11-01 10:00:00"


def _at_0003(engine: Engine) -> None:
    """People of each old role, two audits and their panels, written as 0003 knew them."""
    with engine.begin() as connection:
        for agency_id, name in ((1, "CAMHS"), (2, "Police")):
            connection.execute(
                text(
                    "INSERT INTO agency (id, name, short_name, sector, is_active, is_demo,"
                    " created_at, updated_at) VALUES (:id, :name, :name, 'health', true, false,"
                    " :now, :now)"
                ),
                {"id": agency_id, "name": name, "now": NOW},
            )
        people = [
            (1, "admin", None),
            (2, "reviewer", 1),
            (3, "reviewer", 2),
            (4, "panel", None),
            (5, "panel", None),
            (6, "subgroup", None),
            (7, "panel", None),  # on no panel: nothing to carry over
        ]
        for user_id, role, agency_id in people:
            connection.execute(
                text(
                    "INSERT INTO user_account (id, email, full_name, password_hash, role,"
                    " agency_id, is_active, is_demo, session_token, created_at, updated_at)"
                    " VALUES (:id, :email, 'Person', 'x', :role, :agency_id, true, false, 't',"
                    " :now, :now)"
                ),
                {
                    "id": user_id,
                    "email": f"person{user_id}@example.org",
                    "role": role,
                    "agency_id": agency_id,
                    "now": NOW,
                },
            )
        for audit_id in (1, 2):
            connection.execute(
                text(
                    "INSERT INTO audit (id, title, theme, terms_of_reference, question,"
                    " scope_criteria, status, is_demo, created_at, updated_at) VALUES"
                    " (:id, :title, '', '', '', '', 'draft', false, :now, :now)"
                ),
                {"id": audit_id, "title": f"Audit {audit_id}", "now": NOW},
            )
        panels = [(1, 4, True), (1, 5, False), (2, 5, True)]
        for audit_id, user_id, is_chair in panels:
            connection.execute(
                text(
                    "INSERT INTO panel_membership (audit_id, user_id, is_chair)"
                    " VALUES (:audit_id, :user_id, :is_chair)"
                ),
                {"audit_id": audit_id, "user_id": user_id, "is_chair": is_chair},
            )


def _memberships(engine: Engine) -> set[tuple[int, str, int | None, int | None, bool]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT user_id, role, agency_id, audit_id, is_chair FROM membership")
        )
        return {(u, r, ag, au, bool(c)) for u, r, ag, au, c in rows}


def test_roles_become_memberships(tmp_path: Path) -> None:
    with fresh_database(tmp_path, "migrate") as url:
        command.upgrade(alembic_config(url), "0003")
        engine = make_engine(url)
        try:
            _at_0003(engine)
            upgrade(url)
            assert _memberships(engine) == {
                (1, "admin", None, None, False),
                (1, "audit_lead", None, None, False),  # administrators led every audit
                (2, "reviewer", 1, None, False),
                (3, "reviewer", 2, None, False),
                (4, "panel", None, 1, True),
                (5, "panel", None, 1, False),
                (5, "panel", None, 2, True),
                (6, "subgroup", None, None, False),
            }
            schema = inspect(engine)
            assert "panel_membership" not in schema.get_table_names()
            columns = {c["name"] for c in schema.get_columns("user_account")}
            assert "role" not in columns and "agency_id" not in columns
            # The database refuses memberships whose scope does not fit the role.
            bad = [
                "('reviewer', NULL, NULL, false)",  # a reviewer with no agency
                "('panel', NULL, NULL, false)",  # a panel member with no audit
                "('admin', 1, NULL, false)",  # an administrator of one agency
                "('subgroup', NULL, 1, false)",  # a subgroup member of one audit
                "('audit_lead', 1, NULL, false)",  # an audit lead of an agency
                "('reviewer', 1, NULL, true)",  # only panel members chair
            ]
            for values in bad:
                with pytest.raises(IntegrityError), engine.begin() as connection:
                    connection.execute(
                        text(
                            "INSERT INTO membership (user_id, role, agency_id, audit_id,"  # noqa: S608 (constant values)
                            f" is_chair, created_at) VALUES (6, {values[1:-1]}, :now)"
                        ),
                        {"now": NOW},
                    )
        finally:
            engine.dispose()


def test_down_and_up_again(tmp_path: Path) -> None:
    with fresh_database(tmp_path, "downgrade") as url:
        command.upgrade(alembic_config(url), "0003")
        engine = make_engine(url)
        try:
            _at_0003(engine)
            upgrade(url, "0004")
            command.downgrade(alembic_config(url), "0003")
            with engine.connect() as connection:
                roles = dict(connection.execute(text("SELECT id, role FROM user_account")).all())
                panel_rows = connection.execute(
                    text("SELECT audit_id, user_id, is_chair FROM panel_membership")
                ).all()
            assert roles[1] == "admin" and roles[2] == "reviewer" and roles[6] == "subgroup"
            assert {(a, u, bool(c)) for a, u, c in panel_rows} == {
                (1, 4, True),
                (1, 5, False),
                (2, 5, True),
            }
            upgrade(url, "0004")
            assert (5, "panel", None, 2, True) in _memberships(engine)
        finally:
            engine.dispose()
