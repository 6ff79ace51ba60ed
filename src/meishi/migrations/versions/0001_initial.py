"""The first schema: contacts, events, encounters, topics, follow-ups, drafts.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "contact",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("full_name", sa.String, nullable=False, index=True),
        sa.Column("family_name", sa.String),
        sa.Column("given_name", sa.String),
        sa.Column("reading", sa.String),
        sa.Column("company", sa.String, index=True),
        sa.Column("department", sa.String),
        sa.Column("title", sa.String),
        sa.Column("phone", sa.String),
        sa.Column("note", sa.String),
        sa.Column("lang", sa.String),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("updated_at", STAMP, nullable=False),
    )
    op.create_table(
        "contactemail",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "contact_id",
            sa.Integer,
            sa.ForeignKey("contact.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("address", sa.String, nullable=False, unique=True),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_table(
        "event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String, nullable=False, index=True),
        sa.Column("date", sa.Date, nullable=False, index=True),
        sa.Column("start_time", sa.Time),
        sa.Column("place", sa.String),
        sa.Column("series", sa.String, index=True),
        sa.Column("organizer_name", sa.String),
        sa.Column("organizer_email", sa.String),
        sa.Column("fee", sa.Integer),
        sa.Column("created_at", STAMP, nullable=False),
    )
    op.create_table(
        "encounter",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "contact_id",
            sa.Integer,
            sa.ForeignKey("contact.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "event_id",
            sa.Integer,
            sa.ForeignKey("event.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("note", sa.String),
        sa.Column("thanked_at", STAMP),
        sa.Column("created_at", STAMP, nullable=False),
        sa.UniqueConstraint("contact_id", "event_id"),
    )
    op.create_table(
        "topic",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "encounter_id",
            sa.Integer,
            sa.ForeignKey("encounter.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("text", sa.String, nullable=False),
    )
    op.create_table(
        "organizerfollowup",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "event_id",
            sa.Integer,
            sa.ForeignKey("event.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("note", sa.String),
        sa.Column("created_at", STAMP, nullable=False),
    )
    op.create_table(
        "draft",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("contact_id", sa.Integer, sa.ForeignKey("contact.id", ondelete="CASCADE")),
        sa.Column(
            "event_id",
            sa.Integer,
            sa.ForeignKey("event.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "encounter_id",
            sa.Integer,
            sa.ForeignKey("encounter.id", ondelete="CASCADE"),
            index=True,
        ),
        sa.Column("template", sa.String, nullable=False),
        sa.Column("to_name", sa.String, nullable=False),
        sa.Column("to_addr", sa.String, nullable=False),
        sa.Column("subject", sa.String, nullable=False),
        sa.Column("body", sa.String, nullable=False),
        sa.Column("state", sa.String, nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("updated_at", STAMP, nullable=False),
    )


def downgrade() -> None:
    for table in ("draft", "organizerfollowup", "topic", "encounter", "event", "contactemail"):
        op.drop_table(table)
    op.drop_table("contact")
