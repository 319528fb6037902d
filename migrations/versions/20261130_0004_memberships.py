"""Memberships: a person holds several roles, each with a scope; replaces user_account.role,
user_account.agency_id and panel_membership

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 15:00:00

Data: each administrator becomes an administrator AND an audit lead of every audit (they did
both before); each reviewer a reviewer of their agency; each subgroup user a subgroup
member; each panel_membership row a panel membership for its audit, with its chair flag.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = ("admin", "audit_lead", "reviewer", "panel", "subgroup")
OLD_ROLES = ("admin", "reviewer", "panel", "subgroup")

# Lightweight tables for moving the data (the models may change after this revision).
membership = sa.table(
    "membership",
    sa.column("user_id", sa.Integer),
    sa.column("role", sa.String),
    sa.column("agency_id", sa.Integer),
    sa.column("audit_id", sa.Integer),
    sa.column("is_chair", sa.Boolean),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
user_account = sa.table(
    "user_account",
    sa.column("id", sa.Integer),
    sa.column("role", sa.String),
    sa.column("agency_id", sa.Integer),
)
panel_membership = sa.table(
    "panel_membership",
    sa.column("audit_id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("is_chair", sa.Boolean),
)


def _role_enum(values: Sequence[str]) -> sa.Enum:
    return sa.Enum(*values, name="role", native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", _role_enum(ROLES), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("audit_id", sa.Integer(), nullable=True),
        sa.Column("is_chair", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role != 'reviewer' OR (agency_id IS NOT NULL AND audit_id IS NULL)",
            name=op.f("ck_membership_reviewer_has_one_agency"),
        ),
        sa.CheckConstraint(
            "role != 'panel' OR (audit_id IS NOT NULL AND agency_id IS NULL)",
            name=op.f("ck_membership_panel_member_has_one_audit"),
        ),
        sa.CheckConstraint(
            "role != 'audit_lead' OR agency_id IS NULL",
            name=op.f("ck_membership_audit_lead_has_no_agency"),
        ),
        sa.CheckConstraint(
            "role NOT IN ('admin', 'subgroup') OR (agency_id IS NULL AND audit_id IS NULL)",
            name=op.f("ck_membership_partnership_roles_have_no_scope"),
        ),
        sa.CheckConstraint(
            "role = 'panel' OR NOT is_chair", name=op.f("ck_membership_only_panel_members_chair")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_membership_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["audit_id"], ["audit.id"], name=op.f("fk_membership_audit_id_audit")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_membership_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership")),
    )
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_membership_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_membership_audit_id"), ["audit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_membership_user_id"), ["user_id"], unique=False)

    connection = op.get_bind()
    now = datetime.now(UTC)
    rows: list[dict[str, object]] = []

    def add(
        user_id: int,
        role: str,
        agency_id: int | None = None,
        audit_id: int | None = None,
        is_chair: bool = False,
    ) -> None:
        rows.append(
            {
                "user_id": user_id,
                "role": role,
                "agency_id": agency_id,
                "audit_id": audit_id,
                "is_chair": bool(is_chair),
                "created_at": now,
            }
        )

    people = connection.execute(
        sa.select(user_account.c.id, user_account.c.role, user_account.c.agency_id).order_by(
            user_account.c.id
        )
    )
    for user_id, role, agency_id in people:
        if role == "admin":
            add(user_id, "admin")
            add(user_id, "audit_lead")
        elif role == "reviewer" and agency_id is not None:
            add(user_id, "reviewer", agency_id=agency_id)
        elif role == "subgroup":
            add(user_id, "subgroup")
    panels = connection.execute(
        sa.select(
            panel_membership.c.user_id, panel_membership.c.audit_id, panel_membership.c.is_chair
        ).order_by(panel_membership.c.audit_id, panel_membership.c.user_id)
    )
    for user_id, audit_id, is_chair in panels:
        add(user_id, "panel", audit_id=audit_id, is_chair=is_chair)
    if rows:
        op.bulk_insert(membership, rows)

    with op.batch_alter_table("panel_membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panel_membership_user_id"))
        batch_op.drop_index(batch_op.f("ix_panel_membership_audit_id"))
    op.drop_table("panel_membership")

    # The CHECK constraints on the old columns go with them (SQLite's batch rebuild copies
    # those it can reflect, so they are dropped by name wherever they are found).
    checks = {
        check["name"] for check in sa.inspect(connection).get_check_constraints("user_account")
    }
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        for name in ("ck_user_account_agency_for_reviewers_only", "ck_user_account_role"):
            if name in checks:
                batch_op.drop_constraint(op.f(name), type_="check")
        batch_op.drop_index(batch_op.f("ix_user_account_agency_id"))
        batch_op.drop_constraint(batch_op.f("fk_user_account_agency_id_agency"), type_="foreignkey")
        batch_op.drop_column("agency_id")
        batch_op.drop_column("role")


def downgrade() -> None:
    """Back to one role per person: administrator if they were one, else reviewer (of their
    first agency), else subgroup member, else panel member. Memberships that do not fit one
    role are lost."""
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("role", _role_enum(OLD_ROLES), nullable=True))
        batch_op.add_column(sa.Column("agency_id", sa.Integer(), nullable=True))
    op.create_table(
        "panel_membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("is_chair", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"], ["audit.id"], name=op.f("fk_panel_membership_audit_id_audit")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_panel_membership_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_membership")),
        sa.UniqueConstraint(
            "audit_id", "user_id", name=op.f("uq_panel_membership_audit_id_user_id")
        ),
    )
    with op.batch_alter_table("panel_membership", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_panel_membership_audit_id"), ["audit_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_panel_membership_user_id"), ["user_id"], unique=False)

    connection = op.get_bind()
    held: dict[int, dict[str, list[tuple[int | None, int | None, bool]]]] = {}
    for user_id, role, agency_id, audit_id, is_chair in connection.execute(
        sa.select(
            membership.c.user_id,
            membership.c.role,
            membership.c.agency_id,
            membership.c.audit_id,
            membership.c.is_chair,
        ).order_by(sa.text("id"))
    ):
        held.setdefault(user_id, {}).setdefault(role, []).append((agency_id, audit_id, is_chair))
    users = [row[0] for row in connection.execute(sa.select(user_account.c.id))]
    panel_rows = []
    for user_id in users:
        roles = held.get(user_id, {})
        role, agency_id = "panel", None
        if "admin" in roles or "audit_lead" in roles:
            role = "admin"
        elif "reviewer" in roles:
            role, agency_id = "reviewer", roles["reviewer"][0][0]
        elif "subgroup" in roles:
            role = "subgroup"
        connection.execute(
            user_account.update()
            .where(user_account.c.id == user_id)
            .values(role=role, agency_id=agency_id)
        )
        for _, audit_id, is_chair in roles.get("panel", []):
            panel_rows.append({"audit_id": audit_id, "user_id": user_id, "is_chair": is_chair})
    if panel_rows:
        op.bulk_insert(panel_membership, panel_rows)

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.alter_column("role", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_user_account_agency_id_agency"), "agency", ["agency_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_user_account_agency_id"), ["agency_id"], unique=False)
        batch_op.create_check_constraint(
            op.f("ck_user_account_agency_for_reviewers_only"),
            "(role = 'reviewer' AND agency_id IS NOT NULL)"
            " OR (role != 'reviewer' AND agency_id IS NULL)",
        )

    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_user_id"))
        batch_op.drop_index(batch_op.f("ix_membership_audit_id"))
        batch_op.drop_index(batch_op.f("ix_membership_agency_id"))
    op.drop_table("membership")
