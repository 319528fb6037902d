"""The database engine and sessions, with no Flask in sight.

SQLite is tuned for a web server with several workers: write-ahead logging, a busy
timeout and foreign keys on. PostgreSQL goes through psycopg 3.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
        )
        event.listen(engine, "connect", _configure_sqlite_connection)
        event.listen(engine, "begin", _begin_sqlite_transaction)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin, so that
    # SAVEPOINTs and rollbacks behave as on PostgreSQL.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _begin_sqlite_transaction(connection: Connection) -> None:
    # A write takes the write lock at once, so a concurrent writer waits (busy timeout)
    # instead of failing with "database is locked" when it tries to upgrade a read lock.
    immediate = connection.get_execution_options().get("write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """An engine and the session factory bound to it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        # The same pool; on SQLite its transactions begin with the write lock.
        self.write_engine = self.engine.execution_options(write=True)
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False)

    def new_session(self, *, write: bool = False, **info: Any) -> Session:
        """A session; ``write`` for a request that changes things (POST and the like)."""
        options: dict[str, Any] = {}
        if write and self.session_factory.kw.get("bind") is self.engine:
            options["bind"] = self.write_engine
        session = self.session_factory(**options)
        session.info.update(info)
        return session
