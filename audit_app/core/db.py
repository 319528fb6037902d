"""The database engine and sessions, with no Flask in sight.

SQLite is tuned for a web server with several workers: write-ahead logging, a busy
timeout and foreign keys on. PostgreSQL goes through psycopg 3.

SQLite has one writer at a time. A request that may write (a POST) begins its transaction
as a reader and takes the write lock when its first write statement comes, not at its
first statement: the reads before it (loading the person, the return, the answers) no
longer hold every other writer back. Taking the lock ends the read snapshot and begins
again with ``BEGIN IMMEDIATE``, which waits its turn (busy timeout) instead of failing
with "database is locked" as upgrading a reader in place can. From then on the request
sees what was committed before it took the lock, as a statement does on PostgreSQL under
READ COMMITTED, where the service runs in production; the rules that depend on reads
(a return not yet sent, the version seen) are checked again by the writes themselves
(``seen_version``) or hold for a single writer.
"""

from __future__ import annotations

import time
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
        event.listen(engine, "before_cursor_execute", _take_write_lock_before_first_write)
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


WRITE_LOCK_TAKEN_AT = "write_lock_taken_at"
"""``connection.info`` key: when (``time.perf_counter()``) this transaction took the write
lock, for measuring how long a request holds it (``make bench``)."""

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


def _begin_sqlite_transaction(connection: Connection) -> None:
    # A writing request's transaction begins as a reader; the write lock is taken by its
    # first write statement (below). Other transactions begin as SQLite's default does.
    connection.info.pop(WRITE_LOCK_TAKEN_AT, None)
    connection.info["lazy_write_lock"] = bool(connection.get_execution_options().get("write"))
    connection.exec_driver_sql("BEGIN")


def _take_write_lock_before_first_write(
    connection: Connection, _cursor: Any, statement: str, *_args: Any
) -> None:
    if not connection.info.get("lazy_write_lock"):
        return
    if not statement.lstrip()[:7].upper().startswith(_WRITES):
        return
    connection.info["lazy_write_lock"] = False
    # End the read snapshot and begin again holding the write lock; waiting for it uses
    # the busy timeout. The statement about to run is the transaction's first write.
    raw = connection.connection.dbapi_connection
    assert raw is not None
    raw.execute("COMMIT")
    raw.execute("BEGIN IMMEDIATE")
    connection.info[WRITE_LOCK_TAKEN_AT] = time.perf_counter()


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
