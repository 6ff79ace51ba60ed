"""What sync read from the mailbox: a cursor per folder, and the exchanges with contacts;
and the Message-ID of a draft's .eml file, to know it when it shows up in Sent.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("draft") as batch:
        batch.add_column(sa.Column("message_id", sa.String, nullable=True))
    op.create_table(
        "mail_cursor",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("folder", sa.String, nullable=False, unique=True),
        sa.Column("uidvalidity", sa.Integer, nullable=False),
        sa.Column("highest_uid", sa.Integer, nullable=False),
        sa.Column("synced_at", STAMP, nullable=False),
    )
    op.create_table(
        "exchange",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "contact_id",
            sa.Integer,
            sa.ForeignKey("contact.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("direction", sa.String, nullable=False),
        sa.Column("date", STAMP, nullable=False, index=True),
        sa.Column("subject", sa.String, nullable=False),
        sa.Column("message_id", sa.String, nullable=False),
        sa.Column("folder", sa.String, nullable=False),
        sa.Column("matched", sa.String, nullable=False),
        sa.Column(
            "encounter_id",
            sa.Integer,
            sa.ForeignKey("encounter.id", ondelete="SET NULL"),
            index=True,
        ),
        sa.Column("created_at", STAMP, nullable=False),
        sa.UniqueConstraint("message_id", "contact_id", "direction"),
    )


def downgrade() -> None:
    op.drop_table("exchange")
    op.drop_table("mail_cursor")
    with op.batch_alter_table("draft") as batch:
        batch.drop_column("message_id")
