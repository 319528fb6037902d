"""Record the SQL statements the app runs, to count them in tests.

    with recorded_statements(app) as statements:
        client.get("/")
    assert statements.count == 7

Every statement sent to the database through the app's engine is recorded in ``sql``
(SQLAlchemy's ``before_cursor_execute``); ``count`` leaves out transaction control (BEGIN
and the savepoints that stand for a request's transaction inside a test's), so it counts
the same in tests as on a live database. Transaction events (``commit``, ``rollback``,
``release_savepoint`` ...) are kept in ``transactions``, for ``commits``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy import event

_TRANSACTION_CONTROL = re.compile(r"(BEGIN|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b")


@dataclass
class Statements:
    sql: list[str] = field(default_factory=list)
    transactions: list[str] = field(default_factory=list)

    @property
    def queries(self) -> list[str]:
        """The statements less transaction control (BEGIN, and the SAVEPOINTs that stand for
        BEGIN, COMMIT and ROLLBACK inside a test's outer transaction)."""
        return [sql for sql in self.sql if not _TRANSACTION_CONTROL.match(sql)]

    @property
    def count(self) -> int:
        return len(self.queries)

    @property
    def commits(self) -> int:
        """Commits of a request's work: COMMIT, or RELEASE SAVEPOINT inside a test's own
        outer transaction (where a request's commit ends its savepoint)."""
        return sum(1 for kind in self.transactions if kind in ("commit", "release_savepoint"))

    def __str__(self) -> str:
        return "\n".join(f"{n:3}. {sql[:300]}" for n, sql in enumerate(self.queries, 1))


@contextmanager
def recorded_statements(app: Flask) -> Iterator[Statements]:
    engine = app.extensions["audit_db"].engine
    statements = Statements()

    def before_cursor_execute(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        statements.sql.append(" ".join(sql.split()))

    def transaction_event(kind: str) -> Any:
        def listener(*_args: Any) -> None:
            statements.transactions.append(kind)

        return listener

    listeners = [("before_cursor_execute", before_cursor_execute)] + [
        (kind, transaction_event(kind))
        for kind in ("commit", "rollback", "savepoint", "release_savepoint", "rollback_savepoint")
    ]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield statements
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)
