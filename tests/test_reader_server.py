"""The reader on a server: libpq called through ctypes, typed as psycopg types, without
importing psycopg; and psycopg's connection when there is no libpq to load."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import keyring
import pytest
from sqlalchemy.engine import make_url

from helpers import MemoryKeyring, error_of, fails, json_of, ok
from meishi.location import on_server
from meishi.store import libpq
from meishi.store.postgres import READ_OPTIONS, TEXT_FORMS, connect
from meishi.store.reader import reader
from meishi.store.sql import POSTGRESQL, ServerConnection, dialect_of
from pg_server import PgServer

# Every type meishi's tables and its queries' expressions give, with a value of each.
TYPED = (
    "SELECT 1::int2 AS small, 70000::int4 AS number, 5000000000::int8 AS big, count(*) AS n,"
    " 1.5::float4 AS f4, 2.25::float8 AS f8, 'NaN'::float8 AS nan, 12.50::numeric AS amount,"
    " true AS yes, false AS no, 'テキスト'::text AS t, 'v'::varchar(9) AS v, ''::text AS empty,"
    " NULL::text AS missing, NULL::int4 AS no_number, 'c'::char(3) AS padded,"
    " '2026-12-02'::date AS day, '19:00:30'::time AS at, '19:00+09'::timetz AS at_tz,"
    " '2026-12-02 19:00:01.5'::timestamp AS stamp, '2026-12-02 19:00+09'::timestamptz AS utc,"
    " '\\x00ff10'::bytea AS data, '{\"a\": [1, \"b\"]}'::json AS js,"
    " '{\"a\": 1}'::jsonb AS jsb, 'unknown literal' AS lit, 'a|b' LIKE '%|%' AS liked"
)
# Parameters of every kind a reader passes, each given back with the type PostgreSQL took.
GIVEN: tuple[Any, ...] = (
    None,
    True,
    7,
    70000,
    5000000000,
    2**70,
    1.25,
    Decimal("3.10"),
    "田中 %s ? '",
    b"\x00\xff",
    dt.date(2026, 12, 2),
    dt.time(19, 0),
    dt.datetime(2026, 12, 2, 19, 0, 1, 500),
    dt.datetime(2026, 12, 2, 19, 0, tzinfo=dt.UTC),
)


def _add_tanaka() -> None:
    """One person, met at an event yesterday."""
    ok("event", "add", "Meetup", "--date", "yesterday")
    ok("add", "--event", "meetup", "--name", "田中 太郎", "--company", "株式会社テスト")


@pytest.fixture
def both(pg_url: str) -> Iterator[tuple[libpq.Connection, ServerConnection]]:
    """libpq's connection and psycopg's, to the same fresh database, as the reader makes them."""
    lib = libpq.library()
    assert lib is not None, "this machine has libpq (Debian's libpq5, or psycopg's binary)"
    location = on_server(pg_url)
    conninfo = "postgresql://" + pg_url.partition("://")[2]
    light = libpq.connect(lib, {"dbname": conninfo, **TEXT_FORMS})
    heavy = ServerConnection(connect(location, None, READ_OPTIONS, autocommit=True))
    try:
        yield light, heavy
    finally:
        light.close()
        heavy.close()


def test_values_come_typed_as_psycopg_types_them(
    both: tuple[libpq.Connection, ServerConnection],
) -> None:
    light, heavy = both
    mine, theirs = light.execute(TYPED).fetchone(), heavy.execute(TYPED).fetchone()
    assert mine is not None and theirs is not None
    assert mine.keys() == theirs.keys()
    for name in mine.names:
        if name == "nan":  # NaN equals nothing, itself included
            assert str(mine[name]) == str(theirs[name]) == "nan"
            continue
        assert (type(mine[name]), mine[name]) == (type(theirs[name]), theirs[name]), name
    assert dict(mine)["t"] == mine["t"] == mine[10] == "テキスト"
    assert mine["utc"] == dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)


def test_parameters_are_typed_as_psycopg_types_them(
    both: tuple[libpq.Connection, ServerConnection],
) -> None:
    """Each value comes back from the server as it went, in the type PostgreSQL took it as."""
    light, heavy = both
    for value in GIVEN:
        mine = light.execute("SELECT ? AS value", [value]).fetchone()
        theirs = heavy.execute("SELECT ? AS value", [value]).fetchone()
        assert mine is not None and theirs is not None
        assert (type(mine[0]), mine[0]) == (type(theirs[0]), theirs[0]), value
    found = light.execute("SELECT count(*) FROM generate_series(1, 9) n WHERE n > ?", [7])
    assert found.fetchone() == (2,)


def test_several_rows_stream_and_an_empty_result_is_none(
    both: tuple[libpq.Connection, ServerConnection],
) -> None:
    light, _ = both
    rows = light.execute("SELECT n, repeat('x', n) AS xs FROM generate_series(1, 2500) n")
    assert next(iter(rows))["n"] == 1
    assert [row["n"] for row in rows.fetchmany(2)] == [2, 3]
    assert [column[0] for column in rows.description] == ["n", "xs"]
    rest = rows.fetchall()
    assert len(rest) == 2497 and rest[-1] == (2500, "x" * 2500)
    assert light.execute("SELECT 1 WHERE false").fetchone() is None
    assert light.execute("SET search_path = public").fetchall() == []
    assert dialect_of(light) is POSTGRESQL


def test_a_refused_statement_says_its_sqlstate_and_the_connection_goes_on(
    both: tuple[libpq.Connection, ServerConnection],
) -> None:
    light, _ = both
    with pytest.raises(libpq.Error) as refused:
        light.execute("SELECT * FROM no_such_table")
    assert refused.value.sqlstate == "42P01" and "no_such_table" in str(refused.value)
    assert not isinstance(refused.value, libpq.OperationalError)
    with pytest.raises(libpq.Error) as read_only:  # the reader's session writes nothing
        light.execute("CREATE TABLE t (id int)")
    assert read_only.value.sqlstate == "25006"
    assert light.execute("SELECT 2").fetchone() == (2,)


def test_a_lost_connection_is_operational(
    both: tuple[libpq.Connection, ServerConnection],
) -> None:
    light, heavy = both
    pid = light.execute("SELECT pg_backend_pid()").fetchone()[0]
    heavy.execute("SELECT pg_terminate_backend(?)", [pid])
    with pytest.raises(libpq.OperationalError):
        light.execute("SELECT 1")


def test_search_on_a_server_imports_no_psycopg(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader connects, checks the schema, searches: no psycopg, no SQLAlchemy."""
    monkeypatch.setenv("MEISHI_DATABASE_URL", pg_url)
    _add_tanaka()
    probe = (
        "import json, sys\n"
        "from meishi.cli import app\n"
        "try:\n"
        "    app(['search', '田中', '--json'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'psycopg', 'psycopg_binary', 'sqlalchemy'})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env={**os.environ}
    )
    assert done.returncode == 0, done.stderr
    *found, imported = done.stdout.splitlines()
    assert json.loads("\n".join(found))[0]["name"] == "田中 太郎"
    assert json.loads(imported) == []


def test_without_a_libpq_to_load_the_reader_uses_psycopg(
    pg_server: PgServer, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same answers through psycopg's connection, other tools' edits folded as well."""
    monkeypatch.setenv("MEISHI_DATABASE_URL", pg_url)
    _add_tanaka()
    on_libpq = json_of(ok("search", "テスト", "--json"))
    monkeypatch.setattr(libpq, "library", lambda: None)
    with pg_server.connect(make_url(pg_url).database or "") as other:
        other.execute("UPDATE contact SET company = 'ヤマダ商事' WHERE id = 1")
    assert json_of(ok("search", "やまだ", "--json"))[0]["id"] == 1
    assert json_of(ok("search", "田中", "--json"))[0]["name"] == on_libpq[0]["name"]
    with reader(on_server(pg_url)) as connection:
        assert isinstance(connection, ServerConnection)
        assert connection.execute("SELECT count(*) FROM contact").fetchone()[0] == 1


def test_a_new_server_database_is_made_before_the_first_search(
    pg_server: PgServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty database: the reader finds no schema, has it made, then searches it."""
    name = pg_server.create_database()
    try:
        monkeypatch.setenv("MEISHI_DATABASE_URL", pg_server.url(name))
        assert "No contact matches" in ok("search", "田中").stdout
        with pg_server.connect(name) as connection:
            assert connection.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
    finally:
        pg_server.drop_database(name)


def test_the_reader_takes_the_keyring_s_password_when_the_server_asks(
    pg_server: PgServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    role = "meishi_reader"
    secret = "r3ader-9c1e"
    database = pg_server.require_password(role, secret)
    monkeypatch.setenv(
        "MEISHI_DATABASE_URL", f"postgresql://{role}@/{database}?host={pg_server.socket_dir}"
    )
    monkeypatch.setenv("PGPASSFILE", os.devnull)  # a developer's ~/.pgpass must not answer
    previous = keyring.get_keyring()
    try:
        keyring.set_keyring(MemoryKeyring())
        refused = fails("search", "田中", code=1)
        assert "refused the login" in error_of(refused) and secret not in refused.output
        ok("config", "set-password", "database", input=f"{secret}\n")
        assert "No contact matches" in ok("search", "田中").stdout
    finally:
        keyring.set_keyring(previous)
        pg_server.drop_database(database)
        with pg_server.connect() as admin:
            admin.execute(f"DROP ROLE {role}")


def test_without_the_system_s_libpq_the_one_psycopg_carries_is_loaded(
    monkeypatch: pytest.MonkeyPatch, pg_url: str
) -> None:
    """psycopg[binary], a dependency, carries its own libpq: a machine without one has it."""
    monkeypatch.setattr(libpq, "SYSTEM_NAMES", {sys.platform: ("libpq-not-here.so.5",)})
    libpq.library.cache_clear()
    try:
        lib = libpq.library()
        assert lib is not None and "psycopg_binary" in str(lib._name)
        conninfo = "postgresql://" + pg_url.partition("://")[2]
        connection = libpq.connect(lib, {"dbname": conninfo, **TEXT_FORMS})
        try:
            assert connection.execute("SELECT 'ok'").fetchone() == ("ok",)
        finally:
            connection.close()
    finally:
        libpq.library.cache_clear()
