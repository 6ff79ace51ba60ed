"""An index of encounters by event and thank-you: how many were met and thanked at each
event is read from the index alone (should-return, todo and brief at 100k contacts).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_encounter_event_thanked", "encounter", ["event_id", "thanked_at"])


def downgrade() -> None:
    op.drop_index("ix_encounter_event_thanked", table_name="encounter")
