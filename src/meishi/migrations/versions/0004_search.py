"""The search index: each contact's searchable text, folded, with an FTS5 trigram index.

contact_text holds one row per contact: its texts folded by meishi_fold() (NFKC,
case-folded, kana as hiragana, no spaces; a function the store registers on each
connection) column by column, and all of them in `doc`. contact_search indexes
those columns with trigrams for queries of three characters or more; shorter
ones scan `doc`. Triggers keep both in step with the tables.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = "name, org, email, topics, events, note"
DOCUMENT = """
CREATE VIEW contact_document AS
SELECT
    c.id AS id,
    meishi_fold(c.full_name, c.family_name, c.given_name, c.reading) AS name,
    meishi_fold(c.company, c.department, c.title) AS org,
    (SELECT group_concat(meishi_fold(m.address), '|') FROM contactemail m
     WHERE m.contact_id = c.id) AS email,
    (SELECT group_concat(meishi_fold(t.text), '|') FROM topic t
     JOIN encounter e ON e.id = t.encounter_id WHERE e.contact_id = c.id) AS topics,
    (SELECT group_concat(meishi_fold(v.name, v.series), '|') FROM event v
     JOIN encounter e ON e.event_id = v.id WHERE e.contact_id = c.id) AS events,
    meishi_fold(c.note, c.phone, (SELECT group_concat(e.note, '|') FROM encounter e
                                  WHERE e.contact_id = c.id)) AS note
FROM contact c
"""
WHOLE = " || '|' || ".join(f"coalesce({name}, '')" for name in COLUMNS.split(", "))


def _refresh(ids: str) -> list[str]:
    """SQL statements rebuilding the search text of the contacts whose ids `ids` selects."""
    return [
        f"INSERT INTO contact_search (contact_search, rowid, {COLUMNS}) "
        f"SELECT 'delete', id, {COLUMNS} FROM contact_text WHERE id IN ({ids})",
        f"DELETE FROM contact_text WHERE id IN ({ids})",
        f"INSERT INTO contact_text (id, {COLUMNS}, doc) "
        f"SELECT id, {COLUMNS}, {WHOLE} FROM contact_document WHERE id IN ({ids})",
        f"INSERT INTO contact_search (rowid, {COLUMNS}) "
        f"SELECT id, {COLUMNS} FROM contact_text WHERE id IN ({ids})",
    ]


ENCOUNTER_OWNER = "SELECT contact_id FROM encounter WHERE id = {}.encounter_id"
# (trigger name, event, table, the SQL giving the contact ids whose text changes)
TRIGGERS = [
    ("contact_ai", "AFTER INSERT", "contact", ["NEW.id"]),
    ("contact_au", "AFTER UPDATE", "contact", ["NEW.id"]),
    ("contact_ad", "AFTER DELETE", "contact", ["OLD.id"]),
    ("contactemail_ai", "AFTER INSERT", "contactemail", ["NEW.contact_id"]),
    ("contactemail_au", "AFTER UPDATE", "contactemail", ["OLD.contact_id", "NEW.contact_id"]),
    ("contactemail_ad", "AFTER DELETE", "contactemail", ["OLD.contact_id"]),
    ("encounter_ai", "AFTER INSERT", "encounter", ["NEW.contact_id"]),
    ("encounter_au", "AFTER UPDATE", "encounter", ["OLD.contact_id", "NEW.contact_id"]),
    ("encounter_ad", "AFTER DELETE", "encounter", ["OLD.contact_id"]),
    ("topic_ai", "AFTER INSERT", "topic", [ENCOUNTER_OWNER.format("NEW")]),
    ("topic_au", "AFTER UPDATE", "topic", [ENCOUNTER_OWNER.format(r) for r in ("OLD", "NEW")]),
    ("topic_ad", "AFTER DELETE", "topic", [ENCOUNTER_OWNER.format("OLD")]),
    (
        "event_au",
        "AFTER UPDATE OF name, series",
        "event",
        ["SELECT contact_id FROM encounter WHERE event_id = NEW.id"],
    ),
]


def upgrade() -> None:
    op.execute(f"CREATE TABLE contact_text (id INTEGER PRIMARY KEY, {COLUMNS}, doc TEXT NOT NULL)")
    op.execute(
        f"CREATE VIRTUAL TABLE contact_search USING fts5({COLUMNS}, "
        "content = 'contact_text', content_rowid = 'id', tokenize = 'trigram')"
    )
    op.execute(DOCUMENT)
    for name, when, table, ids in TRIGGERS:
        body = " ".join(f"{sql};" for contact_ids in ids for sql in _refresh(contact_ids))
        op.execute(f"CREATE TRIGGER search_{name} {when} ON {table} BEGIN {body} END")
    for sql in _refresh("SELECT id FROM contact"):
        op.execute(sql)


def downgrade() -> None:
    for name, *_ in TRIGGERS:
        op.execute(f"DROP TRIGGER search_{name}")
    op.execute("DROP VIEW contact_document")
    op.execute("DROP TABLE contact_search")
    op.execute("DROP TABLE contact_text")
