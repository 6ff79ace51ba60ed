"""An index of the mail by contact, then time, writer and thread, in place of the one by
contact alone: the relationship rules' counts of each contact's mail (`relationships`,
`should-return`, `brief`, `todo`) and whether their mail awaits an answer are read from
the index, in each contact's order, whatever order the mail was recorded in.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_exchange_contact_date", "exchange", ["contact_id", "date", "direction", "thread_root"]
    )
    op.drop_index("ix_exchange_contact_id", table_name="exchange")


def downgrade() -> None:
    op.create_index("ix_exchange_contact_id", "exchange", ["contact_id"])
    op.drop_index("ix_exchange_contact_date", table_name="exchange")
