"""Migrating an empty database gives exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from audit_app.core.db import make_engine
from audit_app.core.migrate import upgrade
from audit_app.models import Base
from tests.databases import fresh_database


def test_migrations_match_the_models(tmp_path: Path) -> None:
    with fresh_database(tmp_path, "schema") as url:
        upgrade(url)
        engine = make_engine(url)
        try:
            with engine.connect() as connection:
                context = MigrationContext.configure(
                    connection, opts={"compare_type": True, "compare_server_default": False}
                )
                differences = compare_metadata(context, Base.metadata)
                tables = set(inspect(connection).get_table_names())
        finally:
            engine.dispose()
    assert differences == []
    assert tables == set(Base.metadata.tables) | {"alembic_version"}


def test_migrating_twice_changes_nothing(tmp_path: Path) -> None:
    with fresh_database(tmp_path, "twice") as url:
        upgrade(url)
        upgrade(url)
