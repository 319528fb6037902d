"""Every Signs of Safety column an answer lands in (a multiple choice can land in several)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 15:40:00.000000

``answer.columns`` holds the list of column values; ``answer.column`` stays, as the first
of them. Existing rows get ``[column]`` (or ``[]`` when it has none): one UPDATE per column
value with a JSON-typed parameter, the same on SQLite and PostgreSQL whatever the number of
rows. Then the answers that may land in several columns (multiple choice questions mapped
answer by answer, whose ``column`` kept only the first) get every column again, from their
template version's own mapping. This migration reads the stored template content itself and
imports nothing from the service, whose code may change after it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMN_VALUES = ("working_well", "worried_about", "needs_to_happen")


def upgrade() -> None:
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("columns", sa.JSON(), nullable=True))

    answer = sa.table(
        "answer",
        sa.column("id"),
        sa.column("return_id"),
        sa.column("question_id"),
        sa.column("value", sa.JSON()),
        sa.column("column", sa.String()),
        sa.column("columns", sa.JSON()),
    )
    bind = op.get_bind()
    for value in COLUMN_VALUES:
        bind.execute(sa.update(answer).where(answer.c.column == value).values(columns=[value]))
    bind.execute(sa.update(answer).where(answer.c.columns.is_(None)).values(columns=[]))

    _refill_several_columns(bind, answer)

    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.alter_column("columns", existing_type=sa.JSON(), nullable=False)


def _refill_several_columns(bind: sa.Connection, answer: sa.TableClause) -> None:
    """Every column of each existing answer that can land in several (a multiple choice
    mapped option by option), as the template version it was given against maps them."""
    version = sa.table("audit_template_version", sa.column("id"), sa.column("content", sa.JSON()))
    mapped: dict[int, dict[str, dict[str, str]]] = {}  # version -> question -> option -> column
    for version_id, content in bind.execute(sa.select(version.c.id, version.c.content)):
        for section in (content or {}).get("sections", []):
            for question in section.get("questions", []):
                if question.get("type") == "multiple_choice" and "column" not in question:
                    maps = question.get("maps") or {}
                    mapped.setdefault(version_id, {})[question["id"]] = maps
    if not mapped:
        return
    audit = sa.table("audit", sa.column("id"), sa.column("template_version_id"))
    agency_return = sa.table("agency_return", sa.column("id"), sa.column("audit_id"))
    question_ids = sorted({qid for questions in mapped.values() for qid in questions})
    rows = bind.execute(
        sa.select(answer.c.id, answer.c.question_id, answer.c.value, audit.c.template_version_id)
        .select_from(answer)
        .join(agency_return, agency_return.c.id == answer.c.return_id)
        .join(audit, audit.c.id == agency_return.c.audit_id)
        .where(
            answer.c.question_id.in_(question_ids),
            audit.c.template_version_id.in_(sorted(mapped)),
        )
    ).all()
    for answer_id, question_id, value, version_id in rows:
        maps = mapped.get(version_id, {}).get(question_id)
        if maps is None or not isinstance(value, list):
            continue
        columns: list[str] = []
        for chosen in value:
            column = maps.get(str(chosen))
            if column and column not in columns:
                columns.append(column)
        bind.execute(sa.update(answer).where(answer.c.id == answer_id).values(columns=columns))


def downgrade() -> None:
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_column("columns")
