"""Which thread each recorded mail belongs to: the first Message-ID of its thread (from
References or In-Reply-To) and Gmail's thread id (X-GM-THRID), so that a reply to a reply
is tied to the conversation.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exchange") as batch:
        batch.add_column(sa.Column("thread_root", sa.String, nullable=True))
        batch.add_column(sa.Column("gmail_thread", sa.String, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("exchange") as batch:
        batch.drop_column("gmail_thread")
        batch.drop_column("thread_root")
