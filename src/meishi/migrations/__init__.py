"""Alembic migrations: how each meishi database reaches the current schema."""

# The search index (migrations 0004, 0006) is made by hand: no model describes these
# tables, nor the FTS5 shadow tables named after contact_search.
SEARCH_TABLES = ("contact_text", "contact_search", "search_hold", "search_stale")


def is_modelled(name: str | None, type_: str, _parents: object = None) -> bool:
    """False for the search index's tables, which autogenerate must leave alone."""
    return not (type_ == "table" and name is not None and name.startswith(SEARCH_TABLES))
