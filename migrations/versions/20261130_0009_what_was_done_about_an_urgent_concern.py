"""What was done about an urgent concern, and by whom

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 18:10:00.000000

Marking an urgent concern as dealt with now records what was done (``action_taken``) and
who did it (``dealt_with_by``, a name as the audit lead gives it), beside the existing
``acknowledged_at`` (when) and ``acknowledged_by_id`` (who recorded it). Concerns marked as
dealt with before this migration keep both new columns empty: nothing was recorded then.
A ``version`` column (0 for every existing concern) lets two audit leads marking the same
concern at once be told apart: the second is refused instead of overwriting the first.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("urgent_concern", schema=None) as batch_op:
        batch_op.add_column(sa.Column("action_taken", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("dealt_with_by", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("urgent_concern", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("dealt_with_by")
        batch_op.drop_column("action_taken")
