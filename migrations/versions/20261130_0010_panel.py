"""The panel: evidence sources, agreed grades, findings and recommendations with their links,
panel meetings, theme tags on summary items, returns shared with the panel

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 23:50:00.000000

- ``evidence_source``: where evidence beyond the case files came from (an interview, an
  engagement event, a survey with its counts, other evidence). Each existing evidence item
  gets a source of its own, made from its old ``kind``, ``source`` and ``recorded_on``.
- ``evidence_item`` keeps its words, column and count; every item must now sit in a column
  (an item with none is put in "what are we worried about": nothing could write one yet).
- ``agreed_grade``: the panel's grade for a child, who agreed it and when; the two unused
  ``cohort_member.panel_grade`` columns move into it.
- ``finding.theme_id`` and ``recommendation.theme_id`` become links: ``finding_theme``,
  ``finding_evidence``, ``recommendation_finding`` (a recommendation answers findings).
- Themes, findings and recommendations get a ``version``, for saves that never overwrite a
  later one, and their timestamps.
- ``theme_tag`` may tag an agency summary item.
- ``audit.returns_shared_at`` / ``returns_shared_by_id``: when the lead shared the returns
  with the panel.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import audit_app.core.models

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ONE_TARGET = (
    "(CASE WHEN answer_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN chronology_entry_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN evidence_item_id IS NULL THEN 0 ELSE 1 END) = 1"
)
NEW_ONE_TARGET = (
    "(CASE WHEN answer_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN chronology_entry_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN evidence_item_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN summary_item_id IS NULL THEN 0 ELSE 1 END) = 1"
)
NOW = sa.text("CURRENT_TIMESTAMP")


def _checks(table: str) -> set[str]:
    return {check["name"] for check in sa.inspect(op.get_bind()).get_check_constraints(table)}


def upgrade() -> None:
    op.create_table(
        "evidence_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "professional_interview",
                "child_voice",
                "survey",
                "other",
                name="evidencekind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("participants", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("survey", sa.JSON(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", audit_app.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", audit_app.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_evidence_source_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["audit_id"], ["audit.id"], name=op.f("fk_evidence_source_audit_id_audit")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_evidence_source_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_source")),
    )
    with op.batch_alter_table("evidence_source", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_source_audit_id"), ["audit_id"], unique=False)

    op.create_table(
        "panel_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("decisions", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", audit_app.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", audit_app.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"], ["audit.id"], name=op.f("fk_panel_meeting_audit_id_audit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_meeting")),
    )
    with op.batch_alter_table("panel_meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_panel_meeting_audit_id"), ["audit_id"], unique=False)

    op.create_table(
        "finding_theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"], ["finding.id"], name=op.f("fk_finding_theme_finding_id_finding")
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["theme.id"], name=op.f("fk_finding_theme_theme_id_theme")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_theme")),
        sa.UniqueConstraint(
            "finding_id", "theme_id", name=op.f("uq_finding_theme_finding_id_theme_id")
        ),
    )
    with op.batch_alter_table("finding_theme", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_finding_theme_finding_id"), ["finding_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_finding_theme_theme_id"), ["theme_id"], unique=False)

    op.create_table(
        "panel_attendee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_panel_attendee_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["panel_meeting.id"],
            name=op.f("fk_panel_attendee_meeting_id_panel_meeting"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_attendee")),
    )
    with op.batch_alter_table("panel_attendee", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_panel_attendee_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "recommendation_finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["finding.id"],
            name=op.f("fk_recommendation_finding_finding_id_finding"),
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendation.id"],
            name=op.f("fk_recommendation_finding_recommendation_id_recommendation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_finding")),
        sa.UniqueConstraint(
            "recommendation_id",
            "finding_id",
            name=op.f("uq_recommendation_finding_recommendation_id_finding_id"),
        ),
    )
    with op.batch_alter_table("recommendation_finding", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recommendation_finding_finding_id"), ["finding_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recommendation_finding_recommendation_id"),
            ["recommendation_id"],
            unique=False,
        )

    op.create_table(
        "finding_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("evidence_item_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_item_id"],
            ["evidence_item.id"],
            name=op.f("fk_finding_evidence_evidence_item_id_evidence_item"),
        ),
        sa.ForeignKeyConstraint(
            ["finding_id"], ["finding.id"], name=op.f("fk_finding_evidence_finding_id_finding")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_evidence")),
        sa.UniqueConstraint(
            "finding_id",
            "evidence_item_id",
            name=op.f("uq_finding_evidence_finding_id_evidence_item_id"),
        ),
    )
    with op.batch_alter_table("finding_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_finding_evidence_evidence_item_id"), ["evidence_item_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_finding_evidence_finding_id"), ["finding_id"], unique=False
        )

    op.create_table(
        "agreed_grade",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=100), nullable=False),
        sa.Column("grade", sa.String(length=50), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("agreed_by_id", sa.Integer(), nullable=True),
        sa.Column("agreed_at", audit_app.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreed_by_id"],
            ["user_account.id"],
            name=op.f("fk_agreed_grade_agreed_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["cohort_member.id"],
            name=op.f("fk_agreed_grade_member_id_cohort_member"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreed_grade")),
        sa.UniqueConstraint("member_id", name=op.f("uq_agreed_grade_member_id")),
    )
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "returns_shared_at", audit_app.core.models.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(sa.Column("returns_shared_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_returns_shared_by_id_user_account"),
            "user_account",
            ["returns_shared_by_id"],
            ["id"],
        )

    connection = op.get_bind()

    # Evidence items: each gets a source of its own, from what it said of itself.
    with op.batch_alter_table("evidence_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("is_quote", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("position", sa.Integer(), server_default="0", nullable=False))
    items = connection.execute(
        sa.text("SELECT id, audit_id, kind, source, recorded_on FROM evidence_item ORDER BY id")
    ).all()
    for item_id, audit_id, kind, source, recorded_on in items:
        source_id = connection.execute(
            sa.text(
                "INSERT INTO evidence_source (audit_id, kind, title, role, held_on, notes, "
                "version, created_at, updated_at) VALUES (:audit, :kind, :title, '', :held, '', "
                "0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) RETURNING id"
            ),
            {"audit": audit_id, "kind": kind, "title": source, "held": recorded_on},
        ).scalar_one()
        connection.execute(
            sa.text("UPDATE evidence_item SET source_id = :source WHERE id = :id"),
            {"source": source_id, "id": item_id},
        )
    connection.execute(
        sa.text('UPDATE evidence_item SET "column" = \'worried_about\' WHERE "column" IS NULL')
    )
    checks = _checks("evidence_item")
    with op.batch_alter_table("evidence_item", schema=None) as batch_op:
        if "ck_evidence_item_evidencekind" in checks:
            batch_op.drop_constraint(op.f("ck_evidence_item_evidencekind"), type_="check")
        batch_op.alter_column("source_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("column", existing_type=sa.VARCHAR(length=32), nullable=False)
        batch_op.create_index(batch_op.f("ix_evidence_item_source_id"), ["source_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_evidence_item_source_id_evidence_source"),
            "evidence_source",
            ["source_id"],
            ["id"],
        )
        batch_op.drop_column("recorded_on")
        batch_op.drop_column("kind")
        batch_op.drop_column("source")

    # The grades the panel agreed (none could be written yet, but any there are kept).
    connection.execute(
        sa.text(
            "INSERT INTO agreed_grade (member_id, question_id, grade, rationale, agreed_at, "
            "version) SELECT id, '', panel_grade, COALESCE(panel_grade_rationale, ''), "
            "CURRENT_TIMESTAMP, 0 FROM cohort_member WHERE panel_grade IS NOT NULL"
        )
    )
    with op.batch_alter_table("cohort_member", schema=None) as batch_op:
        batch_op.drop_column("panel_grade")
        batch_op.drop_column("panel_grade_rationale")

    # A finding's or recommendation's one theme becomes a link.
    connection.execute(
        sa.text(
            "INSERT INTO finding_theme (finding_id, theme_id) "
            "SELECT id, theme_id FROM finding WHERE theme_id IS NOT NULL"
        )
    )
    for table in ("finding", "recommendation", "theme"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("version", sa.Integer(), server_default="0", nullable=False)
            )
            for stamp in ("created_at", "updated_at"):
                batch_op.add_column(
                    sa.Column(
                        stamp,
                        audit_app.core.models.UTCDateTime(timezone=True),
                        server_default=NOW,
                        nullable=False,
                    )
                )
            if table != "theme":
                batch_op.drop_constraint(
                    batch_op.f(f"fk_{table}_theme_id_theme"), type_="foreignkey"
                )
                batch_op.drop_column("theme_id")
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in ("version", "created_at", "updated_at"):
                batch_op.alter_column(column, server_default=None)

    # A theme may tag an agency summary item too.
    checks = _checks("theme_tag")
    with op.batch_alter_table("theme_tag", schema=None) as batch_op:
        if "ck_theme_tag_one_target" in checks:
            batch_op.drop_constraint(op.f("ck_theme_tag_one_target"), type_="check")
        batch_op.add_column(sa.Column("summary_item_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_theme_tag_summary_item_id"), ["summary_item_id"], unique=False
        )
        batch_op.create_index(
            "uq_theme_tag_theme_id_summary_item_id",
            ["theme_id", "summary_item_id"],
            unique=True,
            postgresql_where=sa.text("summary_item_id IS NOT NULL"),
            sqlite_where=sa.text("summary_item_id IS NOT NULL"),
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_theme_tag_summary_item_id_summary_item"),
            "summary_item",
            ["summary_item_id"],
            ["id"],
        )
        batch_op.create_check_constraint(op.f("ck_theme_tag_one_target"), NEW_ONE_TARGET)

    with op.batch_alter_table("evidence_item", schema=None) as batch_op:
        batch_op.alter_column("is_quote", server_default=None)
        batch_op.alter_column("position", server_default=None)


def downgrade() -> None:
    """Back to 0009: evidence items keep their words and take their source's kind, title and
    date; a finding or recommendation keeps the first of its themes (a recommendation, the
    first theme of its first finding); agreed grades go back to the cohort; meetings, links
    and summary-item tags are lost."""
    connection = op.get_bind()
    connection.execute(sa.text("DELETE FROM theme_tag WHERE summary_item_id IS NOT NULL"))
    checks = _checks("theme_tag")
    with op.batch_alter_table("theme_tag", schema=None) as batch_op:
        if "ck_theme_tag_one_target" in checks:
            batch_op.drop_constraint(op.f("ck_theme_tag_one_target"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_theme_tag_summary_item_id_summary_item"), type_="foreignkey"
        )
        batch_op.drop_index(
            "uq_theme_tag_theme_id_summary_item_id",
            postgresql_where=sa.text("summary_item_id IS NOT NULL"),
            sqlite_where=sa.text("summary_item_id IS NOT NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_theme_tag_summary_item_id"))
        batch_op.drop_column("summary_item_id")
        batch_op.create_check_constraint(op.f("ck_theme_tag_one_target"), OLD_ONE_TARGET)

    for table in ("finding", "recommendation"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("theme_id", sa.INTEGER(), nullable=True))
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_theme_id_theme"), "theme", ["theme_id"], ["id"]
            )
    connection.execute(
        sa.text(
            "UPDATE finding SET theme_id = (SELECT MIN(theme_id) FROM finding_theme "
            "WHERE finding_theme.finding_id = finding.id)"
        )
    )
    connection.execute(
        sa.text(
            "UPDATE recommendation SET theme_id = (SELECT MIN(finding_theme.theme_id) "
            "FROM recommendation_finding JOIN finding_theme "
            "ON finding_theme.finding_id = recommendation_finding.finding_id "
            "WHERE recommendation_finding.recommendation_id = recommendation.id)"
        )
    )
    for table in ("finding", "recommendation", "theme"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("updated_at")
            batch_op.drop_column("created_at")
            batch_op.drop_column("version")

    with op.batch_alter_table("cohort_member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("panel_grade_rationale", sa.TEXT(), nullable=True))
        batch_op.add_column(sa.Column("panel_grade", sa.VARCHAR(length=50), nullable=True))
    connection.execute(
        sa.text(
            "UPDATE cohort_member SET panel_grade = (SELECT grade FROM agreed_grade "
            "WHERE agreed_grade.member_id = cohort_member.id), panel_grade_rationale = "
            "(SELECT rationale FROM agreed_grade WHERE agreed_grade.member_id = cohort_member.id)"
        )
    )

    with op.batch_alter_table("evidence_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.VARCHAR(length=300), nullable=True))
        batch_op.add_column(sa.Column("kind", sa.VARCHAR(length=32), nullable=True))
        batch_op.add_column(sa.Column("recorded_on", sa.DATE(), nullable=True))
    connection.execute(
        sa.text(
            "UPDATE evidence_item SET source = (SELECT title FROM evidence_source s WHERE "
            "s.id = evidence_item.source_id), kind = (SELECT kind FROM evidence_source s WHERE "
            "s.id = evidence_item.source_id), recorded_on = (SELECT held_on FROM "
            "evidence_source s WHERE s.id = evidence_item.source_id)"
        )
    )
    with op.batch_alter_table("evidence_item", schema=None) as batch_op:
        batch_op.alter_column("source", existing_type=sa.VARCHAR(length=300), nullable=False)
        batch_op.alter_column("kind", existing_type=sa.VARCHAR(length=32), nullable=False)
        batch_op.drop_constraint(
            batch_op.f("fk_evidence_item_source_id_evidence_source"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_evidence_item_source_id"))
        batch_op.alter_column("column", existing_type=sa.VARCHAR(length=32), nullable=True)
        batch_op.drop_column("position")
        batch_op.drop_column("is_quote")
        batch_op.drop_column("source_id")

    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_audit_returns_shared_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("returns_shared_by_id")
        batch_op.drop_column("returns_shared_at")

    for table in (
        "agreed_grade",
        "finding_evidence",
        "recommendation_finding",
        "panel_attendee",
        "finding_theme",
        "panel_meeting",
        "evidence_source",
    ):
        op.drop_table(table)
