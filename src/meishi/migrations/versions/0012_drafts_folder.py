"""Where each draft was put in the mailbox's Drafts folder (folder, UIDVALIDITY, UID), so
that pushing it again replaces that copy instead of adding another.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("draft") as batch:
        batch.add_column(sa.Column("imap_folder", sa.String, nullable=True))
        batch.add_column(sa.Column("imap_uidvalidity", sa.Integer, nullable=True))
        batch.add_column(sa.Column("imap_uid", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("draft") as batch:
        batch.drop_column("imap_uid")
        batch.drop_column("imap_uidvalidity")
        batch.drop_column("imap_folder")
