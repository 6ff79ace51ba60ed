"""Migrations from 0013 on, run on PostgreSQL: a server database an older meishi left (made
by Alembic's downgrade, the migrations' own way back), with data, is upgraded by opening it
with meishi, nothing lost, its schema then the same as a new server database's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from alembic import command
from alembic.config import Config
from sqlmodel import select

from helpers import json_of, ok
from meishi.location import on_server
from meishi.models import (
    CardImage,
    Contact,
    Event,
    Exchange,
    FollowUpReview,
    OrganizerFollowUp,
    OutboxMessage,
)
from meishi.store.engine import SCHEMA_REVISION, engine_for, open_store
from pg_server import PgServer

NOW = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)
# What each migration adds to the rows already there: {revision: {table: {column: value}}}.
ADDED: dict[str, dict[str, dict[str, Any]]] = {
    "0013": {"exchange": {"thread_root": None, "gmail_thread": None}},
    "0014": {
        "organizerfollowup": {"source": "hand", "message_id": None, "subject": None},
        "followup_review": {},  # a new table: empty
    },
    "0015": {"cardimage": {"data": None}},
    "0016": {"outbox": {"claimed_by": None}},
    "0017": {},  # an index only: the shape comparison below checks it
    "0018": {},  # on PostgreSQL, an index and its function: the shape comparison checks both
    "0019": {},  # indexes only
}
# The schema as the server describes it: columns (type, null, default), indexes, constraints
# and triggers, so that an upgraded database can be compared with a new one.
SHAPE = (
    "SELECT table_name, column_name, data_type, is_nullable, column_default "
    "FROM information_schema.columns WHERE table_schema = current_schema()",
    "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema()",
    "SELECT conrelid::regclass::text, contype, pg_get_constraintdef(oid) FROM pg_constraint "
    "WHERE connamespace = current_schema()::regnamespace",
    "SELECT event_object_table, trigger_name, event_manipulation, action_statement "
    "FROM information_schema.triggers WHERE trigger_schema = current_schema()",
    "SELECT proname, pg_get_functiondef(oid) FROM pg_proc "
    "WHERE pronamespace = current_schema()::regnamespace AND prokind = 'f'",
    # Index columns' statistics targets (the character index keeps none).
    "SELECT indexrelid::regclass::text, attnum, attstattarget FROM pg_index "
    "JOIN pg_attribute ON attrelid = indexrelid WHERE attstattarget >= 0 "
    "AND indrelid::regclass::text IN (SELECT tablename FROM pg_tables "
    "WHERE schemaname = current_schema())",
)


def _plain(url: str) -> str:
    """The URL as a user types it: postgresql://, no driver named."""
    return "postgresql://" + url.partition("://")[2]


@pytest.fixture
def server(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A server database at the newest schema, holding a row in every table the migrations
    from 0013 on change; MEISHI_DATABASE_URL names it."""
    url = _plain(pg_url)
    monkeypatch.setenv("MEISHI_DATABASE_URL", url)
    ok("event", "add", "Tokyo AI 勉強会 #12", "--date", "2026-11-28")
    ok("add", "--event", "ai", "--name", "田中 太郎", "--email", "tanaka@example.com")
    store = open_store(on_server(url))
    with store.write() as session:
        contact = session.exec(select(Contact)).one()
        event = session.exec(select(Event)).one()
        assert contact.id is not None and event.id is not None
        session.add_all(_rows(contact.id, event.id))
    store.close()
    return url


def _rows(contact: int, event: int) -> list[Any]:
    """A row, with what the newest migrations added filled in, in each table they change."""
    return [
        Exchange(
            contact_id=contact,
            direction="in",
            date=NOW,
            subject="Re: 勉強会",
            message_id="<re@example.com>",
            folder="INBOX",
            matched="references",
            thread_root="<first@example.com>",
            gmail_thread="1790",
        ),
        OrganizerFollowUp(
            event_id=event,
            kind="slides",
            date=NOW.date(),
            source="mail",
            message_id="<slides@example.com>",
            subject="資料",
            evidence="slides",
        ),
        FollowUpReview(
            event_id=event,
            kind="survey",
            message_id="<survey@example.com>",
            subject="アンケート",
            date=NOW.date(),
            reasons="survey",
        ),
        CardImage(contact_id=contact, path="cards/a.jpg", sha256="ab", data=b"\xff\xd8"),
        OutboxMessage(
            to_addr="tanaka@example.com",
            subject="Thank you",
            message_id="<thanks@example.com>",
            raw=b"x",
            claimed_by="laptop",
        ),
    ]


def _back_to(url: str, revision: str) -> None:
    """Take the server database back to `revision` with the migrations' downgrades."""
    engine = engine_for(on_server(url))
    try:
        with engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", "meishi:migrations")
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
    finally:
        engine.dispose()


def _columns(url: str) -> dict[str, list[str]]:
    """Every table's columns (alembic_version aside)."""
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name <> 'alembic_version' "
            "ORDER BY table_name, ordinal_position"
        ).fetchall()
    found: dict[str, list[str]] = {}
    for table, column in rows:
        found.setdefault(table, []).append(column)
    return found


def _contents(url: str, columns: dict[str, list[str]]) -> dict[str, list[tuple[Any, ...]]]:
    """These columns of these tables, their rows in the order of their ids."""
    with psycopg.connect(url) as connection:
        return {
            table: connection.execute(
                f"SELECT {', '.join(names)} FROM {table} ORDER BY id"
            ).fetchall()
            for table, names in columns.items()
        }


def _revision(url: str) -> str:
    """The schema revision the server database is stamped with."""
    with psycopg.connect(url) as connection:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert row is not None
    return str(row[0])


def _shape(url: str) -> list[set[tuple[Any, ...]]]:
    """The database's schema as the server describes it (see SHAPE)."""
    with psycopg.connect(url) as connection:
        return [set(connection.execute(query).fetchall()) for query in SHAPE]


@pytest.fixture
def new_database(pg_server: PgServer) -> Iterator[str]:
    """A server database made by this meishi, to compare an upgraded one with."""
    name = pg_server.create_database()
    url = _plain(pg_server.url(name))
    open_store(on_server(url)).close()
    try:
        yield url
    finally:
        pg_server.drop_database(name)


@pytest.mark.parametrize("before", ["0012", "0013", "0014", "0015", "0016", "0017", "0018"])
def test_a_server_database_an_older_meishi_left_is_upgraded_with_nothing_lost(
    server: str, new_database: str, before: str
) -> None:
    """Downgraded to `before` and opened by a command: every row and value the old schema
    held is kept, the columns added hold their defaults, the schema is a new database's."""
    _back_to(server, before)
    assert _revision(server) == before
    columns = _columns(server)
    old = _contents(server, columns)
    changed = {table for tables in ADDED.values() for table in tables if table in old}
    assert {table: len(old[table]) for table in changed} == dict.fromkeys(changed, 1)

    people = json_of(ok("contacts", "list", "--json"))  # opening it upgrades it
    assert [person["name"] for person in people] == ["田中 太郎"]

    assert _revision(server) == SCHEMA_REVISION
    assert _contents(server, columns) == old
    added = [tables for revision, tables in ADDED.items() if revision > before]
    for tables in added:
        for table, defaults in tables.items():
            rows = _contents(server, {table: ["id", *defaults]})[table]
            kept = [(row[0], *defaults.values()) for row in old.get(table, [])]
            assert rows == kept, table
    assert _shape(server) == _shape(new_database)
