"""Attendance, obligations after a last-minute cancellation, remembered verdicts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def _event_id() -> sa.Column:
    """The event a row belongs to."""
    return sa.Column(
        "event_id",
        sa.Integer,
        sa.ForeignKey("event.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )


def upgrade() -> None:
    op.add_column(
        "event",
        sa.Column("attendance", sa.String, nullable=False, server_default="registered"),
    )
    # Before attendance was recorded, an event that had taken place was one you went to.
    op.execute("UPDATE event SET attendance = 'attended' WHERE date <= date('now', 'localtime')")
    op.create_table(
        "attendancechange",
        sa.Column("id", sa.Integer, primary_key=True),
        _event_id(),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("at", STAMP, nullable=False),
        sa.Column("last_minute", sa.Boolean, nullable=False),
        sa.Column("reason", sa.String),
        sa.Column("created_at", STAMP, nullable=False),
    )
    # The status of events recorded before this revision is only assumed, as for events
    # added after the fact: the user may still say they cancelled or did not go.
    op.execute(
        "INSERT INTO attendancechange (event_id, status, at, last_minute, reason, created_at) "
        "SELECT id, attendance, created_at, 0, "
        "CASE attendance WHEN 'attended' THEN 'assumed: added after it took place' END, "
        "created_at FROM event"
    )
    op.create_table(
        "obligation",
        sa.Column("id", sa.Integer, primary_key=True),
        _event_id(),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("amount", sa.Integer),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("settled_at", STAMP),
        sa.Column("how", sa.String),
        sa.Column("paid", sa.Integer),
    )
    op.create_table(
        "decision",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("series", sa.String, nullable=False, index=True),
        sa.Column("verdict", sa.String, nullable=False),
        sa.Column("decided_at", STAMP, nullable=False),
    )


def downgrade() -> None:
    for table in ("decision", "obligation", "attendancechange"):
        op.drop_table(table)
    with op.batch_alter_table("event") as batch:
        batch.drop_column("attendance")
