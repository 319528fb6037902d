"""Migration 0006: an agency's deadline copied from its audit becomes empty (the audit's
applies); one set apart from the audit's stays. The downgrade copies the audit's back."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import Engine, text

from audit_app.core.db import make_engine
from audit_app.core.migrate import alembic_config, upgrade
from tests.databases import fresh_database

NOW = "2026-11-01 10:00:00"


def _at_0005(engine: Engine) -> None:
    """An audit due on 1 March with three agencies: a copy of its deadline, a deadline of its
    own, and none (and an audit with no deadline, whose agency has none)."""
    with engine.begin() as connection:
        for agency_id in (1, 2, 3):
            connection.execute(
                text(
                    "INSERT INTO agency (id, name, short_name, sector, is_active, is_demo,"
                    " created_at, updated_at) VALUES (:id, :name, :name, 'health', true, false,"
                    " :now, :now)"
                ),
                {"id": agency_id, "name": f"Agency {agency_id}", "now": NOW},
            )
        for audit_id, deadline in ((1, "2027-03-01"), (2, None)):
            connection.execute(
                text(
                    "INSERT INTO audit (id, title, theme, terms_of_reference, question,"
                    " scope_criteria, status, is_demo, return_deadline, created_at, updated_at)"
                    " VALUES (:id, 'An audit', '', '', '', '', 'draft', false, :deadline,"
                    " :now, :now)"
                ),
                {"id": audit_id, "deadline": deadline, "now": NOW},
            )
        links = [
            (1, 1, 1, "2027-03-01"),
            (2, 1, 2, "2027-02-01"),
            (3, 1, 3, None),
            (4, 2, 1, None),
        ]
        for link_id, audit_id, agency_id, deadline in links:
            connection.execute(
                text(
                    "INSERT INTO audit_agency (id, audit_id, agency_id, lead_contact,"
                    " return_deadline, released_reference_fields)"
                    " VALUES (:id, :audit_id, :agency_id, '', :deadline, '[]')"
                ),
                {
                    "id": link_id,
                    "audit_id": audit_id,
                    "agency_id": agency_id,
                    "deadline": deadline,
                },
            )


def _deadlines(engine: Engine) -> dict[int, str | None]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, return_deadline FROM audit_agency"))
        return {row[0]: str(row[1]) if row[1] is not None else None for row in rows}


def test_copied_deadlines_are_cleared_and_own_ones_kept(tmp_path: Path) -> None:
    with fresh_database(tmp_path, "deadlines") as url:
        command.upgrade(alembic_config(url), "0005")
        engine = make_engine(url)
        try:
            _at_0005(engine)
            upgrade(url, "0006")
            assert _deadlines(engine) == {1: None, 2: "2027-02-01", 3: None, 4: None}
            command.downgrade(alembic_config(url), "0005")
            assert _deadlines(engine) == {
                1: "2027-03-01",
                2: "2027-02-01",
                3: "2027-03-01",
                4: None,
            }
        finally:
            engine.dispose()
