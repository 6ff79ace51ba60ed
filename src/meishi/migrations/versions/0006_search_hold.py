"""The search index rebuilt once per contact in a bulk write, not once per row.

0004's triggers rebuild a contact's search text after every row that changes it, so a
card with many emails rebuilt it (folding every email again) once per email. While
search_hold has a row (store.index_held() puts one there for an import), the triggers
only note the contact in search_stale; deleting the row rebuilds each noted contact once.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import importlib

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# The triggers and the rebuilding SQL are 0004's; only when they run changes.
search = importlib.import_module("meishi.migrations.versions.0004_search")
HELD = "EXISTS (SELECT 1 FROM search_hold)"


def _create(name: str, when: str, table: str, condition: str, statements: list[str]) -> None:
    """Create one trigger running these statements."""
    body = " ".join(f"{sql};" for sql in statements)
    op.execute(f"CREATE TRIGGER {name} {when} ON {table}{condition} BEGIN {body} END")


def _rebuild(ids: list[str]) -> list[str]:
    """The statements rebuilding the search text of the contacts each of `ids` selects."""
    return [sql for contact_ids in ids for sql in search._refresh(contact_ids)]


def _note(ids: list[str]) -> list[str]:
    """The statements noting the contacts each of `ids` selects as waiting for a rebuild."""
    return [
        "INSERT OR IGNORE INTO search_stale (id) "
        + (contact_ids if contact_ids.startswith("SELECT") else f"VALUES ({contact_ids})")
        for contact_ids in ids
    ]


def upgrade() -> None:
    op.execute("CREATE TABLE search_hold (id INTEGER PRIMARY KEY CHECK (id = 1))")
    op.execute("CREATE TABLE search_stale (id INTEGER PRIMARY KEY)")
    for name, when, table, ids in search.TRIGGERS:
        op.execute(f"DROP TRIGGER search_{name}")
        _create(f"search_{name}", when, table, f" WHEN NOT {HELD}", _rebuild(ids))
        _create(f"search_{name}_held", when, table, f" WHEN {HELD}", _note(ids))
    stale = ["SELECT id FROM search_stale"]
    _create("search_release", "AFTER DELETE", "search_hold", "", [
        *_rebuild(stale), "DELETE FROM search_stale",
    ])  # fmt: skip


def downgrade() -> None:
    op.execute("DROP TRIGGER search_release")
    for name, when, table, ids in search.TRIGGERS:
        op.execute(f"DROP TRIGGER search_{name}_held")
        op.execute(f"DROP TRIGGER search_{name}")
        _create(f"search_{name}", when, table, "", _rebuild(ids))
    op.execute("DROP TABLE search_stale")
    op.execute("DROP TABLE search_hold")
