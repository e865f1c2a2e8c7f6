"""monthly targets and routine

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 20:59:06.999645
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "monthly_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("amount", models.base.Hundredths(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_monthly_targets_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"],
            ["members.id"],
            name=op.f("fk_monthly_targets_set_by_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_monthly_targets_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monthly_targets")),
    )
    with op.batch_alter_table("monthly_targets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_monthly_targets_team_id"), ["team_id"], unique=False)

    op.create_table(
        "routine_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("head_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("with_member_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["head_id"],
            ["members.id"],
            name=op.f("fk_routine_entries_head_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_routine_entries_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["with_member_id"],
            ["members.id"],
            name=op.f("fk_routine_entries_with_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routine_entries")),
    )
    with op.batch_alter_table("routine_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_routine_entries_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("routine_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routine_entries_team_id"))

    op.drop_table("routine_entries")
    with op.batch_alter_table("monthly_targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monthly_targets_team_id"))

    op.drop_table("monthly_targets")
