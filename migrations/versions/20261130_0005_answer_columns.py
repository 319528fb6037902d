"""Every Signs of Safety column an answer lands in (a multiple choice can land in several)

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-30 15:40:00.000000

``answer.columns`` holds the list of column values; ``answer.column`` stays, as the first
of them. Existing rows get ``[column]`` (or ``[]`` when it has none). The fill runs one
UPDATE per column value with a JSON-typed parameter, so it is the same on SQLite and
PostgreSQL whatever the number of rows.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMN_VALUES = ("working_well", "worried_about", "needs_to_happen")


def upgrade() -> None:
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("columns", sa.JSON(), nullable=True))

    answer = sa.table("answer", sa.column("column", sa.String()), sa.column("columns", sa.JSON()))
    bind = op.get_bind()
    for value in COLUMN_VALUES:
        bind.execute(sa.update(answer).where(answer.c.column == value).values(columns=[value]))
    bind.execute(sa.update(answer).where(answer.c.columns.is_(None)).values(columns=[]))

    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.alter_column("columns", existing_type=sa.JSON(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_column("columns")
