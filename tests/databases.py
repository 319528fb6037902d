"""Fresh databases for a test run: a SQLite file, or a new PostgreSQL database.

``AUDIT_TEST_DATABASE_URL`` names a PostgreSQL server database to start from; each test run
creates its own database beside it and drops it at the end, so runs never share state.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from audit_app.core.config import normalise_database_url


def base_url() -> str | None:
    url = os.environ.get("AUDIT_TEST_DATABASE_URL", "").strip()
    return normalise_database_url(url) if url else None


@contextmanager
def fresh_database(tmp_dir: Path, name: str = "audit") -> Iterator[str]:
    """Yield the URL of a new, empty database; remove it afterwards."""
    url = base_url()
    if url is None:
        yield f"sqlite:///{tmp_dir / f'{name}.sqlite3'}"
        return
    server = make_url(url)
    db_name = f"audit_test_{name}_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{db_name}"'))
    try:
        yield server.set(database=db_name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        admin.dispose()
