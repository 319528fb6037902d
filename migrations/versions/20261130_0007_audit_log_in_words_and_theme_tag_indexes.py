"""The audit log knows each entry's audit and has indexes for its order; theme tags are
unique per target

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 18:10:00.000000

``audit_log_entry.audit_id`` names the audit a changed record belongs to, filled in when an
entry is written. Entries written before stay without one: the log is append-only (its
triggers refuse every UPDATE), so they are never back-filled. The table is changed in place,
never rebuilt (a batch rebuild on SQLite would drop its append-only triggers).

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


def upgrade() -> None:
    op.add_column("audit_log_entry", sa.Column("audit_id", sa.Integer(), nullable=True))
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
