"""alert thresholds

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 21:17:05.737962
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("alert_streak_days", sa.Integer(), server_default="3", nullable=False)
        )
        batch_op.add_column(
            sa.Column("alert_forecast_percent", sa.Integer(), server_default="80", nullable=False)
        )
        batch_op.add_column(
            sa.Column("far_below_plan_percent", sa.Integer(), server_default="70", nullable=False)
        )
        batch_op.add_column(
            sa.Column("activity_drop_percent", sa.Integer(), server_default="30", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_column("activity_drop_percent")
        batch_op.drop_column("far_below_plan_percent")
        batch_op.drop_column("alert_forecast_percent")
        batch_op.drop_column("alert_streak_days")
