"""The append-only log of every change to domain data.

A listener on every SQLAlchemy session writes one :class:`AuditLogEntry` row per inserted,
updated or deleted object, in the same transaction as the change, so a change and its log
entry land together or not at all. Who made the change comes from ``session.info``
(``actor_id`` and ``actor_label``), which the web layer and the CLI set.

Columns marked ``info={"audit": "redact"}`` are logged as changed without their values
(password hashes, children's identities); ``"summary"`` logs a short digest of a large
value; ``"ignore"`` leaves a column out of the log altogether; ``"clear"`` logs the value
as it is.

Free text may name a child whatever the guidance says, so every ``Text`` column (and every
long ``String``) is logged as a digest unless its model opts it in with
``info=IN_CLEAR``: a new free-text column can never reach the log in clear by accident.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import (
    Column,
    String,
    Text,
    bindparam,
    event,
    func,
    insert,
    inspect,
    literal,
    select,
    tuple_,
)
from sqlalchemy import Enum as SQLEnum
from sqlalchemy.orm import (
    ORMExecuteState,
    Session,
    UOWTransaction,
    configure_mappers,
    joinedload,
)
from sqlalchemy.orm.attributes import set_committed_value

from audit_app.core.models import AuditLogEntry, Base, utcnow

REDACTED = "[redacted]"
SYSTEM_ACTOR = "system"


def _json_value(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return value
    return str(value)


def _logged_value(column_info: dict[str, Any], value: Any) -> Any:
    treatment = column_info.get("audit")
    if treatment == "redact":
        return None if value is None else REDACTED
    if treatment == "summary":
        if value is None:
            return None
        text = json.dumps(_json_value(value), sort_keys=True, default=str)
        digest = hashlib.sha256(text.encode()).hexdigest()[:12]
        return f"[{len(text)} characters, sha256 {digest}]"
    return _json_value(value)


LONG_STRING = 1000
"""A ``String`` longer than this is free text, and logged as a digest by default."""


def is_free_text(column: Column[Any]) -> bool:
    """Is the column free text (``Text``, or a long or unbounded ``String``)?"""
    kind = column.type
    if isinstance(kind, SQLEnum):
        return False
    if isinstance(kind, Text):
        return True
    return isinstance(kind, String) and (kind.length is None or kind.length > LONG_STRING)


def log_treatment(column: Column[Any]) -> dict[str, Any]:
    """How the log treats a column: its own ``info["audit"]``, else a digest for free text."""
    if "audit" in column.info:
        return column.info
    if is_free_text(column):
        return {"audit": "summary"}
    return column.info


def is_audited(obj: object) -> bool:
    return isinstance(obj, Base) and getattr(type(obj), "__audited__", True)


def _snapshot(obj: Base, *, changed_only: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (before, after) for the object's column attributes."""
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        column = attr.columns[0]
        treatment = log_treatment(column)
        if treatment.get("audit") == "ignore":
            continue
        history = state.attrs[attr.key].history
        if changed_only:
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old == new:
                continue
            before[attr.key] = _logged_value(treatment, old)
            after[attr.key] = _logged_value(treatment, new)
        else:
            value = getattr(obj, attr.key)
            after[attr.key] = _logged_value(treatment, value)
    return before, after


# --- The audit an entry belongs to ------------------------------------------------------

AUDIT_TABLE = "audit"
Hop = tuple[str, str]
"""A foreign key column on one table and the table it points at."""


def _audit_paths() -> dict[str, tuple[Hop, ...] | None]:
    """For every table, the foreign keys leading from it to its audit (shortest first:
    ``()`` for a table with its own ``audit_id`` or the audit itself; ``None`` for a table
    that belongs to no audit, such as agencies and people)."""
    tables = Base.metadata.tables
    paths: dict[str, tuple[Hop, ...] | None] = {}
    for name in tables:
        if name == AUDIT_TABLE or "audit_id" in tables[name].c:
            paths[name] = ()
            continue
        # Breadth first over foreign keys that must be set (a nullable one, such as an
        # action's lead agency, does not say what the record belongs to).
        queue: list[tuple[str, tuple[Hop, ...]]] = [(name, ())]
        seen = {name}
        found: tuple[Hop, ...] | None = None
        while queue and found is None:
            table, path = queue.pop(0)
            for column in sorted(tables[table].c, key=lambda c: c.name):
                if column.nullable or not column.foreign_keys:
                    continue
                target = next(iter(column.foreign_keys)).column.table.name
                if target in seen:
                    continue
                seen.add(target)
                step = (*path, (column.name, target))
                if target == AUDIT_TABLE or "audit_id" in tables[target].c:
                    found = step
                    break
                queue.append((target, step))
        paths[name] = found
    return paths


_paths: dict[str, tuple[Hop, ...] | None] = {}
_mapper_of: dict[str, Any] = {}


def _mappers() -> dict[str, Any]:
    if not _mapper_of:
        _mapper_of.update({m.local_table.name: m for m in Base.registry.mappers})
    return _mapper_of


def audit_path(table: str) -> tuple[Hop, ...] | None:
    if not _paths:
        _paths.update(_audit_paths())
    return _paths.get(table)


def _audit_ids(session: Session, objects: list[Base]) -> dict[int, int | None]:
    """The audit each object belongs to (by ``id(obj)``), following its foreign keys in
    bulk: from the objects in the session where it can, one SELECT per table it cannot."""
    tables = Base.metadata.tables
    flushed = {(type(obj).__tablename__, _record_id(obj)): obj for obj in objects}

    def loaded(table: str, key: Any) -> Base | None:
        """The object already in the session for that row, if any (no SQL)."""
        found = flushed.get((table, str(key)))
        if found is not None:
            return found
        mapper = _mappers().get(table)
        if mapper is None:
            return None
        held = session.identity_map.get(mapper.identity_key_from_primary_key([key]))
        return held if isinstance(held, Base) else None

    def own_audit_id(obj: Base) -> int | None:
        if type(obj).__tablename__ == AUDIT_TABLE:
            return getattr(obj, "id", None)
        return getattr(obj, "audit_id", None)

    result: dict[int, int | None] = {}
    pending: dict[int, tuple[str, Any, tuple[Hop, ...]]] = {}
    for obj in objects:
        path = audit_path(type(obj).__tablename__)
        if path is None:
            result[id(obj)] = None
        elif not path:
            result[id(obj)] = own_audit_id(obj)
        else:
            column, target = path[0]
            pending[id(obj)] = (target, getattr(obj, column, None), path[1:])
    while pending:
        missing: dict[str, set[Any]] = {}
        for target, key, _rest in pending.values():
            if key is not None and loaded(target, key) is None:
                missing.setdefault(target, set()).add(key)
        rows: dict[tuple[str, Any], dict[str, Any]] = {}
        for target, keys in missing.items():
            table = tables[target]
            for row in session.connection().execute(
                select(table).where(table.c.id.in_(sorted(keys)))
            ):
                rows[(target, str(row.id))] = dict(row._mapping)
        still: dict[int, tuple[str, Any, tuple[Hop, ...]]] = {}
        for obj_id, (target, key, rest) in pending.items():
            if key is None:
                result[obj_id] = None
                continue
            parent: Any = loaded(target, key)
            values = rows.get((target, str(key)))
            if parent is None and values is None:
                result[obj_id] = None
            elif not rest:
                result[obj_id] = (
                    own_audit_id(parent)
                    if parent is not None
                    else values.get("id" if target == AUDIT_TABLE else "audit_id")  # type: ignore[union-attr]
                )
            else:
                column, next_target = rest[0]
                next_key = (
                    getattr(parent, column, None) if parent is not None else values.get(column)  # type: ignore[union-attr]
                )
                still[obj_id] = (next_target, next_key, rest[1:])
        pending = still
    return result


def _record_id(obj: Base) -> str:
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return ",".join(str(part) for part in key)


def _entries_for_flush(session: Session) -> list[dict[str, Any]]:
    actor_id = session.info.get("actor_id")
    actor_label = session.info.get("actor_label") or SYSTEM_ACTOR
    now = utcnow()
    rows: list[dict[str, Any]] = []
    changed = [obj for obj in (*session.new, *session.dirty, *session.deleted) if is_audited(obj)]
    audits = _audit_ids(session, changed) if changed else {}

    def add(obj: Base, action: str, before: dict[str, Any] | None, after: dict[str, Any] | None):
        rows.append(
            {
                "at": now,
                "actor_id": actor_id,
                "actor_label": actor_label,
                "action": action,
                "record_type": type(obj).__tablename__,
                "record_id": _record_id(obj),
                "before": before,
                "after": after,
                "audit_id": audits.get(id(obj)),
            }
        )

    for obj in session.new:
        if is_audited(obj):
            _, after = _snapshot(obj, changed_only=False)
            add(obj, "create", None, after)
    for obj in session.dirty:
        if is_audited(obj) and session.is_modified(obj, include_collections=False):
            before, after = _snapshot(obj, changed_only=True)
            if after:
                add(obj, "update", before, after)
    for obj in session.deleted:
        if is_audited(obj):
            _, before = _snapshot(obj, changed_only=False)
            add(obj, "delete", before, None)
    return rows


def _after_flush(session: Session, flush_context: UOWTransaction) -> None:
    rows = _entries_for_flush(session)
    if rows:
        session.connection().execute(insert(AuditLogEntry), rows)


class UnloggedChangeRefused(RuntimeError):
    """A bulk UPDATE or DELETE would change logged rows without writing the log."""


def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    entity = mapper.class_ if mapper is not None else None
    if entity is not None and getattr(entity, "__audited__", True):
        raise UnloggedChangeRefused(
            f"bulk {'update' if state.is_update else 'delete'} of {entity.__tablename__} "
            "would bypass the audit log: load the objects and change them instead"
        )


def _load_old_value_on_set(*_args: Any) -> None:
    """Listening with active_history makes SQLAlchemy load the value being replaced."""


def install_audit_log_listener() -> None:
    """Attach the listeners (idempotent): log every flush, refuse unlogged bulk changes."""
    if event.contains(Session, "after_flush", _after_flush):
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _refuse_bulk_changes)
    # Without this, changing an attribute that was not loaded logs its old value as None.
    configure_mappers()
    for mapper in Base.registry.mappers:
        if not getattr(mapper.class_, "__audited__", True):
            continue
        for attr in mapper.column_attrs:
            event.listen(
                getattr(mapper.class_, attr.key), "set", _load_old_value_on_set, active_history=True
            )


# --- Changing many versioned rows in one statement, logged ---------------------------


def update_versioned(session: Session, changes: list[tuple[Base, dict[str, Any]]]) -> bool:
    """Change several loaded rows of one versioned table in one UPDATE statement (run for
    every row at once), logging each row's change as the session listener would.

    ``changes`` pairs each object with its new values, the same columns for every object.
    Each row's UPDATE names the version the object was read at and moves it on, as the
    unit of work does (which would send one UPDATE per row); the objects are given the new
    values and versions. Returns False when a row had moved on to another version: then
    some rows may be changed, and the caller must roll back.
    """
    if not changes:
        return True
    mapper = inspect(changes[0][0]).mapper
    version_column = mapper.version_id_col
    if version_column is None:
        raise ValueError(f"{mapper.class_.__name__} has no version column")
    table = mapper.local_table
    [key_column] = mapper.primary_key
    version_key = mapper.get_property_by_column(version_column).key
    keys = sorted(changes[0][1])
    if any(sorted(values) != keys for _, values in changes):
        raise ValueError("every object must change the same columns")
    columns = {key: mapper.column_attrs[key].columns[0] for key in keys}
    statement = (
        table.update()
        .where(
            key_column == bindparam("_key"),
            version_column == bindparam("_version"),
        )
        .values(
            {
                column.name: bindparam(f"_new_{key}", type_=column.type)
                for key, column in columns.items()
            }
            | {version_column.name: bindparam("_new_version", type_=version_column.type)}
        )
    )
    rows = []
    log: list[dict[str, Any]] = []
    actor_id = session.info.get("actor_id")
    actor_label = session.info.get("actor_label") or SYSTEM_ACTOR
    now = utcnow()
    audits = _audit_ids(session, [obj for obj, _ in changes])
    for obj, values in changes:
        version = getattr(obj, version_key)
        rows.append(
            {
                "_key": mapper.primary_key_from_instance(obj)[0],
                "_version": version,
                "_new_version": version + 1,
                **{f"_new_{key}": value for key, value in values.items()},
            }
        )
        before, after = {}, {}
        for key, value in values.items():
            old = getattr(obj, key)
            treatment = log_treatment(columns[key])
            if old != value and treatment.get("audit") != "ignore":
                before[key] = _logged_value(treatment, old)
                after[key] = _logged_value(treatment, value)
        if after:
            log.append(
                {
                    "at": now,
                    "actor_id": actor_id,
                    "actor_label": actor_label,
                    "action": "update",
                    "record_type": table.name,
                    "record_id": _record_id(obj),
                    "before": before,
                    "after": after,
                    "audit_id": audits.get(id(obj)),
                }
            )
    connection = session.connection()
    result = connection.execute(statement, rows)
    if result.rowcount != len(rows):
        return False
    for (obj, values), row in zip(changes, rows, strict=True):
        for key, value in values.items():
            set_committed_value(obj, key, value)
        set_committed_value(obj, version_key, row["_new_version"])
    if log:
        connection.execute(insert(AuditLogEntry), log)
    return True


# --- Reading the log -----------------------------------------------------------------


PAGE_SIZE = 50
COUNT_LIMIT = 1_000
"""The log page counts the entries that match up to this many, then says "more than"."""


def record_types() -> list[str]:
    """Every table whose changes are logged, for the filter."""
    return sorted(
        mapper.class_.__tablename__
        for mapper in Base.registry.mappers
        if getattr(mapper.class_, "__audited__", True)
    )


@dataclass(frozen=True)
class Cursor:
    """Where a page of the log starts or ends: an entry's time and id (the log's order)."""

    at: datetime
    id: int

    def token(self) -> str:
        """The cursor as it goes in a link: microseconds since 1970, and the id."""
        return f"{(self.at - EPOCH) // timedelta(microseconds=1)}-{self.id}"

    @classmethod
    def parse(cls, token: str | None) -> Cursor | None:
        """The cursor from a link, or None for anything that is not one."""
        if not token:
            return None
        micros, _, key = token.partition("-")
        if not (micros.isdigit() and key.isdigit()) or len(micros) > 18 or len(key) > 10:
            return None
        if int(key) > MAX_ID:
            return None
        try:
            return cls(EPOCH + timedelta(microseconds=int(micros)), int(key))
        except OverflowError:
            return None

    @classmethod
    def of(cls, entry: AuditLogEntry) -> Cursor:
        return cls(entry.at, entry.id)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_ID = 2**31 - 1
"""The largest id an INTEGER column holds (a larger one in a link is not a cursor)."""


@dataclass(frozen=True)
class LogPage:
    """One page of the log, newest first, and whether there are entries either side."""

    entries: list[AuditLogEntry]
    total: int
    """How many entries match, up to :data:`COUNT_LIMIT` + 1 (more than the limit)."""
    newer: Cursor | None
    """Where the page of newer entries ends (None on the first page)."""
    older: Cursor | None
    """Where the page of older entries starts (None on the last page)."""


def search_log(
    session: Session,
    *,
    actor_id: int | None = None,
    record_type: str | None = None,
    audit_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    older_than: Cursor | None = None,
    newer_than: Cursor | None = None,
    page_size: int = PAGE_SIZE,
) -> LogPage:
    """Entries newest first, one page at a time, paged by key (the last entry's time and
    id) rather than by offset: indexes on (at, id) and on each filter followed by (at, id)
    serve every page, the last as quickly as the first."""
    query = select(AuditLogEntry)
    if actor_id is not None:
        query = query.where(AuditLogEntry.actor_id == actor_id)
    if record_type:
        query = query.where(AuditLogEntry.record_type == record_type)
    if audit_id is not None:
        query = query.where(AuditLogEntry.audit_id == audit_id)
    if date_from is not None:
        query = query.where(AuditLogEntry.at >= datetime.combine(date_from, time(), tzinfo=UTC))
    if date_to is not None:
        end = datetime.combine(date_to + timedelta(days=1), time(), tzinfo=UTC)
        query = query.where(AuditLogEntry.at < end)
    # Counting every match would read the whole log on every page: count up to a limit.
    total = (
        session.scalar(
            select(func.count()).select_from(
                query.with_only_columns(AuditLogEntry.id).limit(COUNT_LIMIT + 1).subquery()
            )
        )
        or 0
    )
    key = tuple_(AuditLogEntry.at, AuditLogEntry.id)
    newest_first = (AuditLogEntry.at.desc(), AuditLogEntry.id.desc())
    query = query.options(joinedload(AuditLogEntry.actor)).limit(page_size + 1)
    if newer_than is not None and older_than is None:
        rows = list(
            session.scalars(
                query.where(
                    key > tuple_(literal(newer_than.at, AuditLogEntry.at.type), newer_than.id)
                ).order_by(AuditLogEntry.at.asc(), AuditLogEntry.id.asc())
            )
        )
        more = len(rows) > page_size
        entries = list(reversed(rows[:page_size]))
        newer = Cursor.of(entries[0]) if more and entries else None
        older = Cursor.of(entries[-1]) if entries else None
        return LogPage(entries, total, newer, older)
    if older_than is not None:
        query = query.where(
            key < tuple_(literal(older_than.at, AuditLogEntry.at.type), older_than.id)
        )
    rows = list(session.scalars(query.order_by(*newest_first)))
    entries = rows[:page_size]
    older = Cursor.of(entries[-1]) if len(rows) > page_size else None
    newer = Cursor.of(entries[0]) if older_than is not None and entries else None
    return LogPage(entries, total, newer, older)
