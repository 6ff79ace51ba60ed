"""Follow-ups found in the organizer's mail: where a follow-up came from (typed by hand or
found by sync) with the mail as evidence, and the review list of doubtful findings, whose
decisions are kept so the same mail never asks twice.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("organizerfollowup") as batch:
        batch.add_column(
            sa.Column("source", sa.String, nullable=False, server_default="hand"),
        )
        batch.add_column(sa.Column("message_id", sa.String, nullable=True))
        batch.add_column(sa.Column("subject", sa.String, nullable=True))
        batch.add_column(sa.Column("evidence", sa.String, nullable=True))
    op.create_table(
        "followup_review",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "event_id",
            sa.Integer,
            sa.ForeignKey("event.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("message_id", sa.String, nullable=False),
        sa.Column("subject", sa.String, nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("reasons", sa.String, nullable=False),
        sa.Column("decision", sa.String, nullable=False, server_default="pending"),
        sa.Column("decided_kind", sa.String, nullable=True),
        sa.Column("decided_at", STAMP, nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.UniqueConstraint("event_id", "message_id", "kind"),
    )


def downgrade() -> None:
    op.drop_table("followup_review")
    with op.batch_alter_table("organizerfollowup") as batch:
        batch.drop_column("evidence")
        batch.drop_column("subject")
        batch.drop_column("message_id")
        batch.drop_column("source")
