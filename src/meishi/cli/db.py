"""`meishi db`: looking after the database itself."""

from __future__ import annotations

from meishi.cli import common

app = common.command_group("The database itself: reindex.", no_args_is_help=True)


@app.command("reindex")
def reindex() -> None:
    """Rebuild the search index (after edits made to the database with another tool)."""
    from meishi.store.index import reindex_store
    from meishi.text import counted

    with common.store() as store:
        indexed = reindex_store(store)
    common.echo(f"Indexed {counted(indexed, 'contact')} for search.")
