"""Drafts you review: an edited draft keeps its text, the .eml file written is remembered,
and one thank-you may thank for several meetings.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("draft", sa.Column("edited_at", sa.DateTime(timezone=True)))
    op.add_column("draft", sa.Column("eml_path", sa.String))
    op.add_column("draft", sa.Column("eml_sha256", sa.String))
    op.create_table(
        "draft_encounter",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "draft_id",
            sa.Integer,
            sa.ForeignKey("draft.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "encounter_id",
            sa.Integer,
            sa.ForeignKey("encounter.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.UniqueConstraint("draft_id", "encounter_id"),
    )
    # Every thank-you drafted so far thanks for its own meeting.
    op.execute(
        "INSERT INTO draft_encounter (draft_id, encounter_id) "
        "SELECT id, encounter_id FROM draft WHERE encounter_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table("draft_encounter")
    with op.batch_alter_table("draft") as batch:
        batch.drop_column("eml_sha256")
        batch.drop_column("eml_path")
        batch.drop_column("edited_at")
