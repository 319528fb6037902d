"""An agency's own return deadline is empty unless it was set; the audit's applies otherwise

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 18:15:00.000000

``audit_agency.return_deadline`` was copied from the audit when the agency was linked, so
extending the audit's deadline left the agency with the old one. The column is already
nullable; this clears it where it equals the audit's deadline (a copy, or a deadline set to
the same day: either way the audit's deadline gives the same date today, and follows it
from now on). The downgrade copies the audit's deadline back where the agency has none, as
the code before this revision expects. One UPDATE each way, the same on SQLite and
PostgreSQL.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

audit = sa.table("audit", sa.column("id"), sa.column("return_deadline", sa.Date()))
audit_agency = sa.table(
    "audit_agency", sa.column("audit_id"), sa.column("return_deadline", sa.Date())
)


def _audit_deadline() -> sa.ScalarSelect:
    return (
        sa.select(audit.c.return_deadline)
        .where(audit.c.id == audit_agency.c.audit_id)
        .scalar_subquery()
    )


def upgrade() -> None:
    op.get_bind().execute(
        sa.update(audit_agency)
        .where(audit_agency.c.return_deadline == _audit_deadline())
        .values(return_deadline=None)
    )


def downgrade() -> None:
    op.get_bind().execute(
        sa.update(audit_agency)
        .where(audit_agency.c.return_deadline.is_(None))
        .values(return_deadline=_audit_deadline())
    )
