"""On PostgreSQL, an index of each contact's characters: a search of one or two characters,
which pg_trgm's trigrams cannot answer, reads the contacts holding each of its characters
instead of scanning every contact's text (search at 100,000 contacts).

meishi_chars() is plain SQL (string_to_array's characters), indexed with PostgreSQL's own
GIN operators for arrays: no extension. SQLite is unchanged (FTS5 cannot index fewer than
three characters; a short search there scans).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# As store/postgres.py makes them in a new database (CHARACTERS).
CHARACTERS = (
    "CREATE FUNCTION meishi_chars(text) RETURNS text[] "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 1000 "
    "AS $$ SELECT string_to_array($1, NULL) $$",
    "CREATE INDEX contact_text_doc_chars ON contact_text USING gin (meishi_chars(doc))",
    # No statistics: the planner keeps to the index even for a character most contacts hold.
    "ALTER INDEX contact_text_doc_chars ALTER COLUMN 1 SET STATISTICS 0",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in CHARACTERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX contact_text_doc_chars")
    op.execute("DROP FUNCTION meishi_chars(text)")
