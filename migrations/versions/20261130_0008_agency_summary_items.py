"""Agency summaries as items: a Signs of Safety column, its words and the answers it came from

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 18:10:00.000000

Each summary's three blocks of text become items: one item per non-empty line of each block,
in its column and in order (a leading "- ", as the old draft wrote each line, is dropped).
The blocks' columns are then dropped. The downgrade joins each column's items back into one
block, one item a line. This migration imports nothing from the service, whose code may
change after it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMN_VALUES = ("working_well", "worried_about", "needs_to_happen")


def _column_type() -> sa.Enum:
    return sa.Enum(
        *COLUMN_VALUES,
        name="signsofsafetycolumn",
        native_enum=False,
        create_constraint=True,
        length=32,
    )


def _summary_table() -> sa.TableClause:
    return sa.table(
        "agency_summary", sa.column("id"), *(sa.column(value, sa.Text()) for value in COLUMN_VALUES)
    )


def _item_table() -> sa.TableClause:
    return sa.table(
        "summary_item",
        sa.column("id"),
        sa.column("summary_id"),
        sa.column("column", sa.String()),
        sa.column("position", sa.Integer()),
        sa.column("text", sa.Text()),
        sa.column("answer_ids", sa.JSON()),
    )


def lines_of(block: str | None) -> list[str]:
    """The items an old block of text becomes: its non-empty lines, without a leading "- "."""
    items = []
    for line in (block or "").splitlines():
        text = line.strip()
        if text.startswith("- "):
            text = text[2:].strip()
        if text:
            items.append(text)
    return items


def upgrade() -> None:
    op.create_table(
        "summary_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("summary_id", sa.Integer(), nullable=False),
        sa.Column("column", _column_type(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("answer_ids", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["summary_id"],
            ["agency_summary.id"],
            name=op.f("fk_summary_item_summary_id_agency_summary"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_summary_item")),
    )
    with op.batch_alter_table("summary_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_summary_item_summary_id"), ["summary_id"], unique=False
        )

    bind = op.get_bind()
    summary, item = _summary_table(), _item_table()
    rows = []
    for found in bind.execute(sa.select(summary)).mappings():
        for value in COLUMN_VALUES:
            for position, text in enumerate(lines_of(found[value])):
                rows.append(
                    {
                        "summary_id": found["id"],
                        "column": value,
                        "position": position,
                        "text": text,
                        "answer_ids": [],
                    }
                )
    if rows:
        bind.execute(sa.insert(item), rows)

    with op.batch_alter_table("agency_summary", schema=None) as batch_op:
        for value in COLUMN_VALUES:
            batch_op.drop_column(value)


def downgrade() -> None:
    with op.batch_alter_table("agency_summary", schema=None) as batch_op:
        for value in COLUMN_VALUES:
            batch_op.add_column(sa.Column(value, sa.Text(), nullable=False, server_default=""))

    bind = op.get_bind()
    summary, item = _summary_table(), _item_table()
    blocks: dict[tuple[int, str], list[str]] = {}
    for found in bind.execute(
        sa.select(item.c.summary_id, item.c.column, item.c.text).order_by(
            item.c.summary_id, item.c.column, item.c.position, item.c.id
        )
    ):
        blocks.setdefault((found.summary_id, found.column), []).append(found.text)
    for (summary_id, value), texts in blocks.items():
        bind.execute(
            sa.update(summary).where(summary.c.id == summary_id).values({value: "\n".join(texts)})
        )

    with op.batch_alter_table("summary_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_summary_item_summary_id"))
    op.drop_table("summary_item")
