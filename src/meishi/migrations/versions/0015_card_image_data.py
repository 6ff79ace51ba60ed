"""Card images kept in the database: the image's bytes, for a store on a server, which every
machine reaches (on SQLite the file in cards/ holds them and the column stays empty).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cardimage") as batch:
        batch.add_column(sa.Column("data", sa.LargeBinary, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cardimage") as batch:
        batch.drop_column("data")
