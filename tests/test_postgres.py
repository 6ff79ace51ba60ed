"""The PostgreSQL store: chosen by a URL, made on first use, its errors one line, its password
kept out of sight, its writes serialised across machines."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import keyring
import psycopg
import pytest
from keyring.backends import fail
from sqlalchemy.engine import make_url

from helpers import MemoryKeyring, error_of, fails, home, json_of, ok
from meishi.location import in_file, on_server, refuse_password, server_url
from meishi.store.engine import SCHEMA_REVISION
from meishi.store.reader import reader
from meishi.store.search import search
from meishi.store.sql import OnServer
from pg_server import PgServer

SECRET = "s3cret-7f3a"


def _plain(url: str) -> str:
    """The URL as a user types it: postgresql://, no driver named."""
    return "postgresql://" + url.partition("://")[2]


def _tables(pg_server: PgServer, url: str) -> set[str]:
    """The tables of a test database."""
    with pg_server.connect(make_url(url).database or "") as connection:
        rows = connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {row[0] for row in rows}


@pytest.fixture
def fresh(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty database (no meishi schema yet) that MEISHI_DATABASE_URL names."""
    monkeypatch.setenv("MEISHI_DATABASE_URL", _plain(pg_url))
    return pg_url


def _meet_tanaka() -> None:
    """An event and a contact met there, with a topic."""
    ok("event", "add", "Tokyo AI 勉強会 #12", "--date", "2026-11-28")
    card = ["--name", "田中 太郎", "--reading", "タナカ タロウ", "--company", "株式会社テスト"]
    ok("add", "--event", "ai", *card, "--email", "tanaka@example.com", "--topic", "LLM評価")


def test_the_url_selects_the_server_whose_schema_is_made_on_first_use(
    pg_server: PgServer, fresh: str
) -> None:
    """The first command makes meishi's tables, stamped at the newest schema; no file is made."""
    _meet_tanaka()
    assert not (home() / "meishi.db").exists()
    tables = _tables(pg_server, fresh)
    assert {"contact", "event", "encounter", "contact_text", "search_stale"} <= tables
    with pg_server.connect(make_url(fresh).database or "") as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == (
            SCHEMA_REVISION,
        )
        index = connection.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'contact_text_doc_trgm'"
        ).fetchone()
    assert index is not None and "gin_trgm_ops" in index[0]


def test_search_folds_and_ranks_as_on_sqlite(fresh: str) -> None:
    """Kana, case and width fold; 2-character needles scan, 3+ use the trigram index."""
    _meet_tanaka()
    ok("add", "--event", "ai", "--name", "Sato Hanako", "--note", "met 田中 there")
    for needle in ("たなか", "ﾀﾅｶ", "llm", "テスト", "田中"):
        found = json_of(ok("search", needle, "--json"))
        assert found[0]["name"] == "田中 太郎", needle  # the name before the note
    assert [c["name"] for c in json_of(ok("search", "田中", "--json"))] == [
        "田中 太郎",
        "Sato Hanako",
    ]
    met = json_of(ok("contacts", "list", "--event", "tokyo ai", "--json"))
    assert [c["id"] for c in met] == [2, 1]  # newest first


class _Explained(OnServer):
    """A reader's connection that explains each statement instead of running it."""

    def __init__(self, connection: OnServer) -> None:
        self.connection = connection
        self.plan = ""

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Any:
        """Keep the statement's plan; no rows."""
        rows = self.connection.execute(f"EXPLAIN {sql}", parameters).fetchall()
        self.plan = "\n".join(row[0] for row in rows)
        return self.connection.execute("SELECT 1 WHERE false")

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]], /) -> None:
        """Not asked for by a search."""
        raise NotImplementedError

    def close(self) -> None:
        """The reader closes the connection."""


def test_a_short_search_is_looked_up_in_the_index_of_characters(
    pg_server: PgServer, fresh: str
) -> None:
    """One or two characters, which no trigram holds, are looked up in the index of each
    contact's characters (migration 0018), even one every contact holds; the contacts'
    characters are never worked out one by one in a scan (0.5 s at 100,000 contacts)."""
    ok("event", "list")  # makes the schema
    with pg_server.connect(make_url(fresh).database or "") as connection:
        connection.execute(
            "INSERT INTO contact_text (id, name, doc) SELECT n, 'name' || n, "
            "'name' || n || '|' || (CASE WHEN n % 30 = 0 THEN '田中' ELSE 'すずき' END) "
            "FROM generate_series(1, 3000) n"
        )
        connection.execute("ANALYZE contact_text")
    with reader(on_server(_plain(fresh))) as connection:
        explained = _Explained(connection)
        for needle in ("田中", "林", "e", "na", "すずき"):
            search(explained, needle, 50)
            if len(needle) < 3:
                assert "Bitmap Index Scan on contact_text_doc_chars" in explained.plan, needle
                assert "Seq Scan on contact_text" not in explained.plan, needle
            else:
                assert "contact_text_doc_chars" not in explained.plan, needle  # trigrams


def test_another_tool_s_edit_is_folded_into_the_index(pg_server: PgServer, fresh: str) -> None:
    """The triggers are plain: psql's UPDATE notes the contact, and meishi folds it."""
    _meet_tanaka()
    with pg_server.connect(make_url(fresh).database or "") as connection:
        connection.execute("UPDATE contact SET company = 'ヤマダ商事' WHERE id = 1")
    assert [c["id"] for c in json_of(ok("search", "やまだ", "--json"))] == [1]


def test_the_setting_selects_the_server(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`config set database.url` does what MEISHI_DATABASE_URL does."""
    ok("config", "set", "database.url", _plain(pg_url))
    _meet_tanaka()
    assert not (home() / "meishi.db").exists()
    assert json_of(ok("search", "tanaka", "--json"))[0]["name"] == "田中 太郎"


def test_a_url_holding_a_password_is_refused_in_the_config() -> None:
    """One line naming the ways a password is kept; the config file is not written."""
    result = fails("config", "set", "database.url", f"postgresql://me:{SECRET}@db/meishi")
    assert "config set-password database" in error_of(result)
    assert SECRET not in result.output
    assert not (home() / "config.toml").exists()


def test_an_unreachable_server_is_one_line_without_the_password(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No server on that socket: one line, exit 1, the URL shown with its password hidden."""
    monkeypatch.setenv(
        "MEISHI_DATABASE_URL", f"postgresql://me:{SECRET}@/meishi?host={tmp_path / 'none'}"
    )
    for command in (["event", "list"], ["search", "tanaka"]):
        result = fails(*command, code=1)
        assert "cannot reach the database server" in error_of(result)
        assert SECRET not in result.output and "***" in result.output


def test_a_missing_database_is_one_line(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database that does not exist: one line saying so and what to do."""
    missing = make_url(pg_url).set(database="no_such_db").render_as_string(hide_password=False)
    monkeypatch.setenv("MEISHI_DATABASE_URL", missing)
    result = fails("event", "list", code=1)
    assert "does not exist" in error_of(result) and "createdb" in error_of(result)


def test_the_password_comes_from_the_keyring(
    pg_server: PgServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that wants a password: refused in one line, then given from the keyring."""
    role = "meishi_login"
    database = pg_server.require_password(role, SECRET)
    url = f"postgresql://{role}@/{database}?host={pg_server.socket_dir}"
    monkeypatch.setenv("MEISHI_DATABASE_URL", url)
    monkeypatch.setenv("PGPASSFILE", os.devnull)  # a developer's ~/.pgpass must not answer
    previous = keyring.get_keyring()
    try:
        keyring.set_keyring(fail.Keyring())
        result = fails("event", "list", code=1)
        assert "config set-password database" in error_of(result)
        keyring.set_keyring(MemoryKeyring())
        ok("config", "set-password", "database", input=f"{SECRET}\n")
        ok("event", "add", "Kept", "--date", "2026-11-28")
        assert "Kept" in ok("event", "list").stdout
        config = home() / "config.toml"
        assert not config.exists() or SECRET not in config.read_text()
    finally:
        keyring.set_keyring(previous)
        pg_server.drop_database(database)
        with pg_server.connect() as admin:
            admin.execute(f"DROP ROLE {role}")


def test_locations_are_checked_without_a_database_library() -> None:
    """Only PostgreSQL URLs; each names psycopg; a file is a file."""
    assert server_url("postgresql://me@db/m") == "postgresql+psycopg://me@db/m"
    assert server_url("postgres://me@db/m") == "postgresql+psycopg://me@db/m"
    assert on_server("postgresql://me@db/m").on_server
    assert not in_file(Path("x.db")).on_server
    with pytest.raises(Exception, match="must start with postgresql://"):
        server_url("mysql://me@db/m")
    assert refuse_password("postgresql://me@db/m") == "postgresql://me@db/m"


WRITER = """
import sys
from sqlmodel import func, select
from meishi.home import resolve
from meishi.models import Event
from meishi.store.engine import open_store
import datetime as dt

store = open_store(resolve().location)
for _ in range(int(sys.argv[1])):
    with store.write() as session:  # read, then write what was read: needs the lock
        count = session.exec(select(func.count()).select_from(Event)).one()
        session.add(Event(name=f"n{count}", date=dt.date(2026, 1, 1)))
store.close()
"""


def test_two_machines_writing_at_once_lose_nothing(
    pg_server: PgServer, pg_url: str, tmp_path: Path
) -> None:
    """Two processes, two homes, one URL: 2 x 500 read-then-write transactions, 0 errors,
    and every count each read was distinct (the advisory lock serialised them)."""
    per_writer = 500
    env = {**os.environ, "MEISHI_DATABASE_URL": pg_url}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(per_writer)],
            env={**env, "MEISHI_HOME": str(tmp_path / f"machine{n}")},
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in (1, 2)
    ]
    errors = [writer.communicate(timeout=600)[1] for writer in writers]
    assert [writer.returncode for writer in writers] == [0, 0], errors
    with psycopg.connect(_plain(pg_url)) as connection:
        names = [row[0] for row in connection.execute("SELECT name FROM event")]
    assert len(names) == 2 * per_writer
    assert sorted(names) == sorted(f"n{n}" for n in range(2 * per_writer))


def test_backup_of_a_server_store_says_to_use_pg_dump(fresh: str) -> None:
    """`meishi backup` on a server writes the JSON dump, and names pg_dump for the server."""
    ok("event", "add", "One", "--date", "2026-11-28")
    assert "pg_dump" in ok("backup").stdout


def test_a_server_store_at_0015_gains_the_outbox_claim_and_keeps_its_messages(
    pg_server: PgServer, fresh: str
) -> None:
    """Migration 0016 runs on PostgreSQL: the column is added, the queued message kept."""
    from meishi.store.engine import open_store

    _meet_tanaka()
    with psycopg.connect(_plain(fresh), autocommit=True) as connection:  # as 0015 left it
        connection.execute("ALTER TABLE outbox DROP COLUMN claimed_by")
        connection.execute("DROP INDEX ix_encounter_event_thanked")  # 0017's
        connection.execute("DROP INDEX contact_text_doc_chars")  # 0018's
        connection.execute("DROP FUNCTION meishi_chars(text)")
        connection.execute("DROP INDEX ix_exchange_contact_date")  # 0019's, for the one it
        connection.execute("CREATE INDEX ix_exchange_contact_id ON exchange (contact_id)")
        connection.execute("UPDATE alembic_version SET version_num = '0015'")
        connection.execute(
            "INSERT INTO outbox (kind, to_addr, subject, message_id, raw, state, attempts, "
            "created_at, updated_at) VALUES ('thank', 'a@example.com', 'Hi', '<m@x>', 'x', "
            "'queued', 0, now(), now())"
        )
    open_store(on_server(_plain(fresh))).close()
    with psycopg.connect(_plain(fresh)) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == (
            SCHEMA_REVISION,
        )
        rows = connection.execute("SELECT to_addr, state, claimed_by FROM outbox").fetchall()
    assert rows == [("a@example.com", "queued", None)]
