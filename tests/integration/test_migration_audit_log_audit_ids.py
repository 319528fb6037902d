"""Migration 0007 gives every entry written before it the audit its record belongs to, from
what the entry logged, and leaves the log append-only."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from audit_app import create_app
from audit_app.core.migrate import alembic_config, upgrade
from tests.databases import fresh_database
from tests.integration.test_statement_counts import build


def _audit_ids(engine: object) -> dict[int, tuple[str, int | None]]:
    with engine.connect() as connection:  # type: ignore[attr-defined]
        rows = connection.execute(text("SELECT id, record_type, audit_id FROM audit_log_entry"))
        return {row.id: (row.record_type, row.audit_id) for row in rows}


def test_entries_written_before_get_their_audit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDIT_SECRET_KEY", "migration-test-secret-key-long-enough-to-use")
    monkeypatch.setenv("AUDIT_ENV", "testing")
    with fresh_database(tmp_path, "log_audits") as url:
        upgrade(url)
        app = create_app({"AUDIT_DATABASE_URL": url, "TESTING": True})
        database = app.extensions["audit_db"]
        session = database.new_session(actor_label="test")
        try:
            build(app, session, 3)  # an audit collecting returns: answers, chronology, concerns
        finally:
            session.close()
        written = _audit_ids(database.engine)
        kinds = {kind for kind, audit_id in written.values() if audit_id is not None}
        assert {"audit", "agency_return", "answer", "chronology_entry", "urgent_concern"} <= kinds
        assert {"child_identity", "cohort_member", "membership"} <= kinds

        command.downgrade(alembic_config(url), "0006")  # the column goes
        command.upgrade(alembic_config(url), "0007")  # and is filled in from what was logged
        assert _audit_ids(database.engine) == written

        with database.engine.connect() as connection, pytest.raises(DatabaseError):
            connection.execute(text("UPDATE audit_log_entry SET action = 'changed'"))
        database.engine.dispose()
