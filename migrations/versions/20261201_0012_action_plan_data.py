"""The action plan's data, made right before it is built on

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 04:08:44.953545

What a reading of the action tables found, fixed:

* ``action.rag`` duplicated the latest update's status, and its value ``complete`` the
  sign-off: the RAG is now derived (``actions/rag.py``), and an action has a ``state``
  (draft, open, complete awaiting sign-off, closed, cancelled). An action signed off becomes
  closed; one marked complete but not signed off, awaiting sign-off; the rest, open.
* ``owner_name`` beside ``owner_id``: one owner, a person with an account (``owner_id``) or
  someone to invite (``invitee_name`` and ``invitee_email``), never both (a check). A name
  written beside an owner with an account is dropped (the account names them).
* The audit on every action (from its recommendation) for the view across audits, and
  indexes on the lead agency, the owner and the state.
* Progress updates say on track, at risk or off track (``status``): green, amber and red
  become those; an update that said "complete" becomes on track.
* New: evidence files sent with progress updates (``action_evidence_file``: the files
  themselves live in the evidence folder under their SHA-256), the reminders sent to
  owners (``action_reminder``), a recommendation's re-audit (by when, how, the questions it
  will compare, and the later audit once linked), start date, priority (medium for existing actions), the SMART check's warnings and
  the reason they were kept, effectiveness, the date of a re-audit, a version for saves at
  once, and ``action_event``, the history of states (each existing action gets one entry:
  its state now, when it was written).

The downgrade puts ``rag`` and ``owner_name`` back from what is kept.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import audit_app.core.models

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATES = ("draft", "open", "awaiting_sign_off", "closed", "cancelled")
ONE_OWNER = "owner_id IS NULL OR (invitee_name = '' AND invitee_email = '')"


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _checks(table: str) -> set[str]:
    return {check["name"] for check in sa.inspect(op.get_bind()).get_check_constraints(table)}


def upgrade() -> None:
    op.create_table(
        "action_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("at", audit_app.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("from_state", _enum("from_actionstate", *STATES), nullable=True),
        sa.Column("to_state", _enum("actionstate", *STATES), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name=op.f("fk_action_event_action_id_action")
        ),
        sa.ForeignKeyConstraint(
            ["by_id"], ["user_account.id"], name=op.f("fk_action_event_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_event")),
    )
    with op.batch_alter_table("action_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_event_action_id"), ["action_id"], unique=False)
    op.create_table(
        "action_evidence_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", audit_app.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name=op.f("fk_action_evidence_file_action_id_action")
        ),
        sa.ForeignKeyConstraint(
            ["update_id"],
            ["action_update.id"],
            name=op.f("fk_action_evidence_file_update_id_action_update"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name=op.f("fk_action_evidence_file_uploaded_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_evidence_file")),
    )
    with op.batch_alter_table("action_evidence_file", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_evidence_file_action_id"), ["action_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_action_evidence_file_update_id"), ["update_id"], unique=False
        )
    op.create_table(
        "action_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("reminderkind", "due_soon", "overdue"), nullable=False),
        sa.Column("sent_at", audit_app.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("emailed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name=op.f("fk_action_reminder_action_id_action")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_reminder")),
    )
    with op.batch_alter_table("action_reminder", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_reminder_action_id"), ["action_id"], unique=False
        )

    with op.batch_alter_table("recommendation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("re_audit_by", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("re_audit_how", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column("re_audit_question_ids", sa.JSON(), server_default="[]", nullable=False)
        )
        batch_op.add_column(sa.Column("re_audit_audit_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_recommendation_re_audit_audit_id_audit"),
            "audit",
            ["re_audit_audit_id"],
            ["id"],
        )

    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audit_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("invitee_name", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("invitee_email", sa.String(length=320), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("start_date", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "priority",
                _enum("priority", "high", "medium", "low"),
                server_default="medium",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("state", _enum("actionstate", *STATES), server_default="open", nullable=False)
        )
        batch_op.add_column(
            sa.Column("smart_override_reason", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("smart_warnings", sa.JSON(), server_default="[]", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "effectiveness",
                _enum("effectiveness", "effective", "partly_effective", "not_effective"),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("re_audit_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    connection = op.get_bind()
    connection.execute(
        sa.text(
            "UPDATE action SET audit_id = (SELECT recommendation.audit_id FROM recommendation"
            " WHERE recommendation.id = action.recommendation_id)"
        )
    )
    connection.execute(
        sa.text(
            "UPDATE action SET state = CASE WHEN signed_off_at IS NOT NULL THEN 'closed'"
            " WHEN rag = 'complete' THEN 'awaiting_sign_off' ELSE 'open' END"
        )
    )
    connection.execute(
        sa.text("UPDATE action SET invitee_name = owner_name WHERE owner_id IS NULL")
    )
    connection.execute(
        sa.text(
            "INSERT INTO action_event (action_id, at, from_state, to_state, by_id, reason)"
            " SELECT id, created_at, NULL, state, NULL, '' FROM action"
        )
    )
    checks = _checks("action")
    with op.batch_alter_table("action", schema=None) as batch_op:
        if "ck_action_ragstatus" in checks:
            batch_op.drop_constraint(op.f("ck_action_ragstatus"), type_="check")
        batch_op.alter_column("audit_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f("ix_action_audit_id"), ["audit_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_action_lead_agency_id"), ["lead_agency_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_action_state"), ["state"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_action_audit_id_audit"), "audit", ["audit_id"], ["id"]
        )
        batch_op.drop_column("owner_name")
        batch_op.drop_column("rag")
        batch_op.create_check_constraint(op.f("ck_action_one_owner"), ONE_OWNER)

    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status", _enum("updatestatus", "on_track", "at_risk", "off_track"), nullable=True
            )
        )
    connection.execute(
        sa.text(
            "UPDATE action_update SET status = CASE rag WHEN 'red' THEN 'off_track'"
            " WHEN 'amber' THEN 'at_risk' ELSE 'on_track' END"
        )
    )
    checks = _checks("action_update")
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        if "ck_action_update_ragstatus" in checks:
            batch_op.drop_constraint(op.f("ck_action_update_ragstatus"), type_="check")
        batch_op.alter_column("status", existing_type=sa.String(length=32), nullable=False)
        batch_op.drop_column("rag")


def downgrade() -> None:
    ragstatus = _enum("ragstatus", "red", "amber", "green", "complete")
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rag", ragstatus, nullable=True))
    connection = op.get_bind()
    connection.execute(
        sa.text(
            "UPDATE action_update SET rag = CASE status WHEN 'off_track' THEN 'red'"
            " WHEN 'at_risk' THEN 'amber' ELSE 'green' END"
        )
    )
    checks = _checks("action_update")
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        if "ck_action_update_updatestatus" in checks:
            batch_op.drop_constraint(op.f("ck_action_update_updatestatus"), type_="check")
        batch_op.alter_column("rag", existing_type=sa.String(length=32), nullable=False)
        batch_op.drop_column("status")

    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rag", ragstatus, nullable=True))
        batch_op.add_column(
            sa.Column("owner_name", sa.String(length=200), server_default="", nullable=False)
        )
    # The RAG as it was stored: complete once done; else the latest update's, amber if none.
    connection.execute(
        sa.text(
            "UPDATE action SET rag = CASE WHEN state IN ('closed', 'awaiting_sign_off')"
            " THEN 'complete' ELSE COALESCE((SELECT u.rag FROM action_update u"
            " WHERE u.action_id = action.id ORDER BY u.written_at DESC, u.id DESC LIMIT 1),"
            " 'amber') END"
        )
    )
    connection.execute(sa.text("UPDATE action SET owner_name = invitee_name"))
    checks = _checks("action")
    with op.batch_alter_table("action", schema=None) as batch_op:
        for name in ("ck_action_one_owner", "ck_action_priority", "ck_action_actionstate",
                     "ck_action_effectiveness"):  # fmt: skip
            if name in checks:
                batch_op.drop_constraint(op.f(name), type_="check")
        batch_op.alter_column("rag", existing_type=sa.String(length=32), nullable=False)
        batch_op.drop_constraint(batch_op.f("fk_action_audit_id_audit"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_action_state"))
        batch_op.drop_index(batch_op.f("ix_action_lead_agency_id"))
        batch_op.drop_index(batch_op.f("ix_action_audit_id"))
        batch_op.drop_column("version")
        batch_op.drop_column("re_audit_on")
        batch_op.drop_column("effectiveness")
        batch_op.drop_column("smart_warnings")
        batch_op.drop_column("smart_override_reason")
        batch_op.drop_column("state")
        batch_op.drop_column("priority")
        batch_op.drop_column("start_date")
        batch_op.drop_column("invitee_email")
        batch_op.drop_column("invitee_name")
        batch_op.drop_column("audit_id")

    with op.batch_alter_table("recommendation", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_recommendation_re_audit_audit_id_audit"), type_="foreignkey"
        )
        batch_op.drop_column("re_audit_audit_id")
        batch_op.drop_column("re_audit_question_ids")
        batch_op.drop_column("re_audit_how")
        batch_op.drop_column("re_audit_by")
    with op.batch_alter_table("action_reminder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_reminder_action_id"))
    op.drop_table("action_reminder")
    with op.batch_alter_table("action_evidence_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_evidence_file_update_id"))
        batch_op.drop_index(batch_op.f("ix_action_evidence_file_action_id"))
    op.drop_table("action_evidence_file")
    with op.batch_alter_table("action_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_event_action_id"))
    op.drop_table("action_event")
