"""The audit log knows each entry's audit and has indexes for its order; theme tags are
unique per target

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 18:10:00.000000

``audit_log_entry.audit_id`` names the audit a changed record belongs to, filled in when an
entry is written. Entries written before get theirs here, from what they logged: the
``audit_id`` a record logged (the audit's own entries: their record id), or the audit of the
return an answer, chronology entry or urgent concern logged, or of the cohort member a
child's identity logged. The log is append-only, so its triggers are lifted for these
UPDATEs alone and put back in the same transaction. The table is changed in place, never
rebuilt (a batch rebuild on SQLite would drop its append-only triggers).

The log is read newest first (``at DESC, id DESC``), whole or filtered by record type,
audit or person: an index on (at, id) replaces the one on ``at`` alone, (actor_id, at, id)
replaces the one on ``actor_id`` alone, and (record_type, at, id) and (audit_id, at, id)
serve the other filters.

``theme_tag``'s unique constraint over (theme, answer, chronology entry, evidence item)
never fired, as two of the three targets are always NULL: it is replaced by one partial
unique index per target, over the rows that target it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

THEME_TAG_TARGETS = ("answer_id", "chronology_entry_id", "evidence_item_id")


def _where(target: str) -> dict[str, sa.TextClause]:
    condition = sa.text(f"{target} IS NOT NULL")
    return {"postgresql_where": condition, "sqlite_where": condition}


APPEND_ONLY_MESSAGE = "the audit log is append-only"  # as migration 0001 made it
ON_RETURNS = ("answer", "chronology_entry", "urgent_concern")


def _logged(bind: sa.Connection, field: str) -> str:
    """SQL for the whole number an entry logged for ``field`` (after the change, else before)."""
    if bind.dialect.name == "postgresql":
        value = f"COALESCE(\"after\"->>'{field}', \"before\"->>'{field}')"
    else:
        value = (
            f"COALESCE(json_extract(\"after\", '$.{field}'), json_extract(\"before\", '$.{field}'))"
        )
    return f"CAST({value} AS INTEGER)"


def _fill_in_audit_ids() -> None:
    """The audit of every entry written before this column, from what the entry logged."""
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    with_audit = sorted(
        name
        for name in inspector.get_table_names()
        if name != "audit_log_entry"
        and any(column["name"] == "audit_id" for column in inspector.get_columns(name))
    )
    # The SQL below is built from this module's own constants and the database's own table
    # names (no input reaches it). An entry that logged no audit_id (an update logs only
    # what changed) takes it from its record, where the record is still there.
    record = "CAST(audit_log_entry.record_id AS INTEGER)"
    updates: list[str] = [
        "UPDATE audit_log_entry SET audit_id = CAST(record_id AS INTEGER) "
        "WHERE record_type = 'audit'"
    ]
    for table in with_audit:
        updates.append(
            f"UPDATE audit_log_entry SET audit_id = COALESCE({_logged(bind, 'audit_id')}, "  # noqa: S608
            f"(SELECT {table}.audit_id FROM {table} WHERE {table}.id = {record})) "
            f"WHERE record_type = '{table}'"
        )
    for table, parent, link in [(name, "agency_return", "return_id") for name in ON_RETURNS] + [
        ("child_identity", "cohort_member", "member_id")
    ]:
        updates.append(
            f"UPDATE audit_log_entry SET audit_id = (SELECT {parent}.audit_id FROM {parent} "  # noqa: S608
            f"WHERE {parent}.id = COALESCE({_logged(bind, link)}, "
            f"(SELECT {table}.{link} FROM {table} WHERE {table}.id = {record}))) "
            f"WHERE record_type = '{table}'"
        )

    def run_updates() -> None:
        for sql in updates:
            op.execute(sql)

    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE audit_log_entry DISABLE TRIGGER audit_log_entry_no_change")
        run_updates()
        op.execute("ALTER TABLE audit_log_entry ENABLE TRIGGER audit_log_entry_no_change")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_entry_no_update")
        run_updates()
        op.execute(
            "CREATE TRIGGER audit_log_entry_no_update BEFORE UPDATE ON audit_log_entry "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
        )


def upgrade() -> None:
    op.add_column("audit_log_entry", sa.Column("audit_id", sa.Integer(), nullable=True))
    _fill_in_audit_ids()
    op.drop_index("ix_audit_log_entry_at", table_name="audit_log_entry")
    op.create_index("ix_audit_log_entry_order", "audit_log_entry", ["at", "id"])
    op.create_index(
        "ix_audit_log_entry_record_type_order", "audit_log_entry", ["record_type", "at", "id"]
    )
    op.create_index("ix_audit_log_entry_audit_order", "audit_log_entry", ["audit_id", "at", "id"])
    op.drop_index("ix_audit_log_entry_actor_id", table_name="audit_log_entry")
    op.create_index("ix_audit_log_entry_actor_order", "audit_log_entry", ["actor_id", "at", "id"])

    with op.batch_alter_table("theme_tag", schema=None) as batch_op:
        batch_op.drop_constraint("uq_theme_tag_target", type_="unique")
    for target in THEME_TAG_TARGETS:
        op.create_index(
            f"uq_theme_tag_theme_id_{target}",
            "theme_tag",
            ["theme_id", target],
            unique=True,
            **_where(target),
        )


def downgrade() -> None:
    for target in THEME_TAG_TARGETS:
        op.drop_index(f"uq_theme_tag_theme_id_{target}", table_name="theme_tag")
    with op.batch_alter_table("theme_tag", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            "uq_theme_tag_target",
            ["theme_id", "answer_id", "chronology_entry_id", "evidence_item_id"],
        )

    op.drop_index("ix_audit_log_entry_actor_order", table_name="audit_log_entry")
    op.create_index("ix_audit_log_entry_actor_id", "audit_log_entry", ["actor_id"])
    op.drop_index("ix_audit_log_entry_audit_order", table_name="audit_log_entry")
    op.drop_index("ix_audit_log_entry_record_type_order", table_name="audit_log_entry")
    op.drop_index("ix_audit_log_entry_order", table_name="audit_log_entry")
    op.create_index("ix_audit_log_entry_at", "audit_log_entry", ["at"])
    # SQLite drops a column in place since 3.35; no rebuild, so the triggers stay.
    op.drop_column("audit_log_entry", "audit_id")
