"""Migration 0008: each old summary block becomes one item per non-empty line, in its
column and order; the downgrade joins them back."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

from audit_app.agencies.register import save_agency
from audit_app.core.db import Database
from audit_app.core.migrate import alembic_config, upgrade
from audit_app.models import AgencySector, Audit, Role
from tests.conftest import make_user
from tests.databases import fresh_database

NOW = "2026-11-01 10:00:00"


def _before_0008(url: str) -> str:
    """The revision 0008 follows (the integrator may chain it after another)."""
    down = ScriptDirectory.from_config(alembic_config(url)).get_revision("0008").down_revision
    assert isinstance(down, str)
    return down


def test_old_blocks_become_items_and_back(tmp_path: Path) -> None:
    with fresh_database(tmp_path, "items") as url:
        upgrade(url)
        database = Database(url)
        try:
            session = database.new_session(actor_label="test")
            agency = save_agency(
                session,
                None,
                name="CAMHS",
                short_name="CAMHS",
                sector=AgencySector.HEALTH,
                contact_email=None,
            )
            audit = Audit(title="Old summaries", lead=make_user(session, Role.ADMIN))
            session.add(audit)
            session.commit()
            audit_id, agency_id = audit.id, agency.id
            session.close()
            command.downgrade(alembic_config(url), _before_0008(url))
            with database.engine.begin() as connection:
                connection.execute(
                    text(
                        "INSERT INTO agency_summary (id, audit_id, agency_id, working_well,"
                        " worried_about, needs_to_happen, version, created_at, updated_at)"
                        " VALUES (7, :audit, :agency, :well, :worried, '', 3, :now, :now)"
                    ),
                    {
                        "audit": audit_id,
                        "agency": agency_id,
                        "well": "- Child A, GP follow-up\n\n  - Child B, school helped  \n",
                        "worried": "Late early help for most children.\r\nNo plan after discharge",
                        "now": NOW,
                    },
                )
            upgrade(url)
            with database.engine.connect() as connection:
                items = connection.execute(
                    text(
                        'SELECT summary_id, "column", position, text, answer_ids'
                        ' FROM summary_item ORDER BY "column", position'
                    )
                ).all()
                version = connection.execute(
                    text("SELECT version FROM agency_summary WHERE id = 7")
                ).scalar()
            assert [(i.summary_id, i.column, i.position, i.text) for i in items] == [
                (7, "working_well", 0, "Child A, GP follow-up"),
                (7, "working_well", 1, "Child B, school helped"),
                (7, "worried_about", 0, "Late early help for most children."),
                (7, "worried_about", 1, "No plan after discharge"),
            ]
            assert all(item.answer_ids in ([], "[]") for item in items)
            assert version == 3
            command.downgrade(alembic_config(url), _before_0008(url))
            with database.engine.connect() as connection:
                row = connection.execute(
                    text(
                        "SELECT working_well, worried_about, needs_to_happen"
                        " FROM agency_summary WHERE id = 7"
                    )
                ).one()
            assert tuple(row) == (
                "Child A, GP follow-up\nChild B, school helped",
                "Late early help for most children.\nNo plan after discharge",
                "",
            )
            upgrade(url)
        finally:
            database.engine.dispose()
