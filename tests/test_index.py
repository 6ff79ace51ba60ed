"""The search index with other tools: plain SQLite clients may write, `db reindex` catches up."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from helpers import add_event, add_person, home, json_of, ok
from meishi.store.engine import SCHEMA_REVISION
from meishi.store.sqlite import prepare_connection

TABLES = ("contact", "contactemail", "event", "encounter", "topic")

# Other tools writing the SQLite file over plain sqlite3, and old SQLite schemas upgraded
# (tests/test_postgres.py has the server's outside edits).
pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def people() -> dict[str, int]:
    """Three contacts, with an email, topics and a note, met at two events."""
    add_event("Fintech Night", -2)
    add_event("AI勉強会 #3", -1, "--series", "AI勉強会")
    return {
        "tanaka": add_person(
            "Fintech Night",
            "田中 太郎",
            *("--reading", "タナカ タロウ", "--company", "株式会社ソフトバンク"),
            *("--email", "taro@softbank.example", "--topic", "生成AIの社内導入"),
        ),
        "sato": add_person(
            "AI勉強会 #3", "佐藤 花子", "--topic", "決済API", "--note", "田中さんの紹介"
        ),
        "smith": add_person("Fintech Night", "John Smith", "--company", "Northwind Ltd."),
    }


def names(text: str) -> list[str]:
    """The names `meishi search` finds, in its order."""
    return [row["name"] for row in json_of(ok("search", text, "--json"))]


def database() -> Path:
    """The test's database file."""
    return home() / "meishi.db"


@contextmanager
def plain_sqlite() -> Iterator[sqlite3.Connection]:
    """A connection as any other tool opens it: no meishi function registered; committed."""
    with closing(sqlite3.connect(database())) as connection, connection:
        yield connection


def index_matches_a_fresh_rebuild() -> bool:
    """True when the index holds what 0004's view (folding as meishi does) would build."""
    with closing(sqlite3.connect(database())) as connection:
        prepare_connection(connection)
        stored = connection.execute("SELECT rowid, * FROM contact_search ORDER BY rowid")
        fresh = connection.execute("SELECT * FROM contact_document ORDER BY id")
        return stored.fetchall() == fresh.fetchall()


def edit_with_another_tool(people: dict[str, int]) -> None:
    """UPDATE, INSERT and DELETE contacts, emails, events and topics over plain sqlite3."""
    tanaka, sato, smith = people["tanaka"], people["sato"], people["smith"]
    with plain_sqlite() as db:
        db.execute("UPDATE contact SET company = 'Contoso Pharma' WHERE id = ?", (tanaka,))
        db.execute(
            "INSERT INTO contact (id, full_name, reading, created_at, updated_at) VALUES "
            "(99, 'Grace Hopper', 'グレース', '2026-12-01 00:00:00', '2026-12-01 00:00:00')"
        )
        db.execute(
            "INSERT INTO contactemail (contact_id, address, position) "
            "VALUES (99, 'grace@navy.example', 0)"
        )
        db.execute("DELETE FROM contactemail WHERE address = 'taro@softbank.example'")
        db.execute("UPDATE event SET name = 'Payments Meetup' WHERE name = 'Fintech Night'")
        encounter = db.execute("SELECT id FROM encounter WHERE contact_id = ?", (sato,)).fetchone()
        db.execute(
            "INSERT INTO topic (encounter_id, position, text) VALUES (?, 1, 'Quantum ledgers')",
            encounter,
        )
        db.execute("DELETE FROM topic WHERE text = '決済API'")
        db.execute("UPDATE topic SET text = 'LLM導入' WHERE text = '生成AIの社内導入'")
        db.execute("DELETE FROM encounter WHERE contact_id = ?", (smith,))
        db.execute("DELETE FROM contact WHERE id = ?", (smith,))


def test_any_sqlite_client_can_write_and_reindex_catches_search_up(
    people: dict[str, int],
) -> None:
    edit_with_another_tool(people)  # no "no such function: meishi_fold"
    assert ok("db", "reindex").stdout == "Indexed 3 contacts for search.\n"
    assert names("contoso") == ["田中 太郎"]
    assert names("ソフトバンク") == []
    assert names("グレース") == ["Grace Hopper"]
    assert names("navy.ex") == ["Grace Hopper"]
    assert names("softbank.ex") == []
    assert names("payments") == ["田中 太郎"]
    assert names("fintech") == []
    assert names("quantum") == ["佐藤 花子"]
    assert names("決済") == []
    assert names("llm導入") == ["田中 太郎"]
    assert names("northwind") == []
    assert index_matches_a_fresh_rebuild()


def noted() -> set[int]:
    """The contacts noted for the index to fold."""
    with plain_sqlite() as db:
        return {row[0] for row in db.execute("SELECT id FROM search_stale")}


def test_search_finds_outside_edits_at_once_without_reindex(people: dict[str, int]) -> None:
    edit_with_another_tool(people)
    assert noted() == {people["tanaka"], people["sato"], people["smith"], 99}
    assert names("contoso") == ["田中 太郎"]
    assert names("quantum") == ["佐藤 花子"]
    assert noted() == set()
    assert index_matches_a_fresh_rebuild()


def test_the_next_write_of_meishi_folds_outside_edits_first(people: dict[str, int]) -> None:
    edit_with_another_tool(people)
    # The new reading is known to the index only: the name resolves by it, at once.
    ok("contacts", "edit", "グレース", "--company", "US Navy")
    assert noted() == set()
    assert index_matches_a_fresh_rebuild()
    assert names("us navy") == ["Grace Hopper"]


def test_search_does_not_wait_for_a_writer_to_fold_outside_edits(
    people: dict[str, int],
) -> None:
    edit_with_another_tool(people)
    with plain_sqlite() as writer:
        writer.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        started = time.monotonic()
        assert names("contoso") == []  # the index as it was, at once
        assert time.monotonic() - started < 5
        writer.execute("ROLLBACK")
    assert names("contoso") == ["田中 太郎"]


@pytest.mark.usefixtures("people")
def test_meishi_keeps_the_index_current_without_reindex() -> None:
    ok("contacts", "edit", "John Smith", "--company", "Contoso")
    assert names("contoso") == ["John Smith"]
    assert index_matches_a_fresh_rebuild()


def test_reindex_of_an_empty_store_says_none() -> None:
    assert ok("db", "reindex").stdout == "Indexed 0 contacts for search.\n"


def counts() -> dict[str, int]:
    """How many rows each of meishi's tables holds."""
    with plain_sqlite() as db:
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def back_to_0009() -> None:
    """Downgrade the database as an older meishi (schema 0009) left it, folding as it did."""
    engine = sa.create_engine(f"sqlite:///{database()}")
    sa.event.listen(engine, "connect", lambda connection, _: prepare_connection(connection))
    try:
        with engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", "meishi:migrations")
            config.attributes["connection"] = connection
            command.downgrade(config, "0009")
    finally:
        engine.dispose()


def test_a_0009_database_is_upgraded_with_every_row_and_its_index_rebuilt(
    people: dict[str, int],
) -> None:
    before = counts()
    back_to_0009()
    refused = pytest.raises(sqlite3.OperationalError, match="no such function: meishi_fold")
    with refused, plain_sqlite() as db:  # what 0009 did to other tools
        db.execute("UPDATE contact SET company = 'X' WHERE id = ?", (people["smith"],))
    with plain_sqlite() as db:  # an index out of step, to show the upgrade rebuilds it
        db.execute("DELETE FROM contact_text")
    assert names("田中") == ["田中 太郎", "佐藤 花子"]  # upgraded on the way
    with plain_sqlite() as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchone() == (
            SCHEMA_REVISION,  # upgraded to the newest, through 0010
        )
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert counts() == before
    assert "search_hold" not in tables
    assert names("softbank.ex") == ["田中 太郎"]
    assert names("fintech") == ["John Smith", "田中 太郎"]
    assert index_matches_a_fresh_rebuild()
    edit_with_another_tool(people)
