"""The outbox: messages stored byte for byte before they are sent.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "draft_id", sa.Integer, sa.ForeignKey("draft.id", ondelete="SET NULL"), index=True
        ),
        sa.Column(
            "encounter_id",
            sa.Integer,
            sa.ForeignKey("encounter.id", ondelete="SET NULL"),
            index=True,
        ),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("to_addr", sa.String, nullable=False),
        sa.Column("subject", sa.String, nullable=False),
        sa.Column("message_id", sa.String, nullable=False, unique=True),
        sa.Column("raw", sa.LargeBinary, nullable=False),
        sa.Column("state", sa.String, nullable=False, index=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.String),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("updated_at", STAMP, nullable=False),
        sa.Column("sent_at", STAMP),
    )


def downgrade() -> None:
    op.drop_table("outbox")
