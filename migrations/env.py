"""Alembic environment: the models' metadata, the URL from the service's settings."""

from __future__ import annotations

import os
from logging.config import fileConfig
from pathlib import Path

from alembic import context

from audit_app.core.config import normalise_database_url
from audit_app.core.db import make_engine
from audit_app.models import Base

config = context.config
if config.config_file_name and not config.attributes.get("configured_by_app"):
    fileConfig(config.config_file_name)

target_metadata = Base.metadata


def database_url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    # The same default as the service, without the rest of its settings.
    default = Path(__file__).resolve().parent.parent / "instance" / "audit.sqlite3"
    return normalise_database_url(os.environ.get("AUDIT_DATABASE_URL") or f"sqlite:///{default}")


def run_migrations_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(database_url())
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations rebuild tables that other tables refer to (SQLite cannot drop
            # such columns in place). SQLite's own advice: foreign keys off for the rebuild
            # (outside any transaction, so straight on the driver), checked afterwards.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"The migration broke foreign keys: {broken[:5]}")
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
