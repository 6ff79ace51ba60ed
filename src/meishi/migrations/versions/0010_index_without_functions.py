"""The search index kept without a function in its triggers, so any SQLite client can write.

0004's and 0006's triggers rebuilt a contact's search text by calling meishi_fold(), which
only meishi's own connections have: `sqlite3 meishi.db "UPDATE contact ..."` failed with
"no such function". Now each trigger only notes the contact in search_stale (plain SQL),
and meishi folds the noted contacts' texts in Python on its writes (store/index.py); the
hold an import took (search_hold) is kept by the session instead. The index is emptied and
every contact noted here, so that the store rebuilds all of it once this upgrade is done.

contact_document (0004's view, folded with meishi_fold()) stays: what a fresh rebuild
would hold, for meishi's own connections to compare with.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

import importlib

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

search = importlib.import_module("meishi.migrations.versions.0004_search")
hold = importlib.import_module("meishi.migrations.versions.0006_search_hold")


def upgrade() -> None:
    op.execute("DROP TRIGGER search_release")
    for name, when, table, ids in search.TRIGGERS:
        op.execute(f"DROP TRIGGER search_{name}_held")
        op.execute(f"DROP TRIGGER search_{name}")
        hold._create(f"search_{name}", when, table, "", hold._note(ids))
    op.execute("DROP TABLE search_hold")
    op.execute("INSERT INTO contact_search (contact_search) VALUES ('delete-all')")
    op.execute("DELETE FROM contact_text")
    op.execute("INSERT OR IGNORE INTO search_stale (id) SELECT id FROM contact")


def downgrade() -> None:
    op.execute("CREATE TABLE search_hold (id INTEGER PRIMARY KEY CHECK (id = 1))")
    for name, when, table, ids in search.TRIGGERS:
        op.execute(f"DROP TRIGGER search_{name}")
        hold._create(f"search_{name}", when, table, f" WHEN NOT {hold.HELD}", hold._rebuild(ids))
        hold._create(f"search_{name}_held", when, table, f" WHEN {hold.HELD}", hold._note(ids))
    stale = ["SELECT id FROM search_stale"]
    hold._create("search_release", "AFTER DELETE", "search_hold", "", [
        *hold._rebuild(stale), "DELETE FROM search_stale",
    ])  # fmt: skip
    for sql in [*hold._rebuild(stale), "DELETE FROM search_stale"]:  # what was noted till now
        op.execute(sql)
