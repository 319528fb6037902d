"""On SQLite a writing session takes the write lock at its first write, not its first read."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text

from audit_app.core.db import WRITE_LOCK_TAKEN_AT, Database


def _database(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'lock.sqlite'}")
    with database.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)")
    return database


def _other_writer(tmp_path: Path) -> sqlite3.Connection:
    """A second connection that gives up at once when the write lock is held."""
    other = sqlite3.connect(tmp_path / "lock.sqlite", timeout=0, isolation_level=None)
    return other


def test_reads_in_a_writing_session_leave_other_writers_free(tmp_path: Path) -> None:
    database = _database(tmp_path)
    session = database.new_session(write=True)
    assert session.execute(text("SELECT count(*) FROM note")).scalar_one() == 0
    other = _other_writer(tmp_path)
    other.execute("INSERT INTO note (body) VALUES ('written while the session only reads')")
    connection = session.connection()
    assert WRITE_LOCK_TAKEN_AT not in connection.info
    session.execute(text("INSERT INTO note (body) VALUES ('the session writes')"))
    assert WRITE_LOCK_TAKEN_AT in connection.info
    # Now the session holds the lock: the other writer is refused at once.
    try:
        other.execute("INSERT INTO note (body) VALUES ('refused')")
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
    else:
        raise AssertionError("the other writer got in while the session held the write lock")
    session.commit()
    other.execute("INSERT INTO note (body) VALUES ('after the commit')")
    bodies = [row[0] for row in other.execute("SELECT body FROM note ORDER BY id")]
    assert bodies == [
        "written while the session only reads",
        "the session writes",
        "after the commit",
    ]
    other.close()
    session.close()


def test_a_rolled_back_write_leaves_nothing(tmp_path: Path) -> None:
    database = _database(tmp_path)
    session = database.new_session(write=True)
    session.execute(text("SELECT count(*) FROM note"))
    session.execute(text("INSERT INTO note (body) VALUES ('rolled back')"))
    session.rollback()
    assert session.execute(text("SELECT count(*) FROM note")).scalar_one() == 0
    session.close()


def test_a_reading_session_never_takes_the_lock(tmp_path: Path) -> None:
    database = _database(tmp_path)
    session = database.new_session()
    session.execute(text("SELECT count(*) FROM note"))
    assert WRITE_LOCK_TAKEN_AT not in session.connection().info
    session.close()
