"""Every test runs in its own meishi home, on SQLite or, with MEISHI_TEST_DATABASE=postgresql,
on a fresh PostgreSQL database cloned from the template (MEISHI_DATABASE_URL)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pg_server import PgServer

# Real servers on loopback: `imap_server` (Dovecot, fresh mailboxes per test) and
# `pg_server`/`pg_url` (a throwaway PostgreSQL cluster, a fresh database per test).
pytest_plugins = ["imap_server", "pg_server"]

ENGINE_ENV = "MEISHI_TEST_DATABASE"  # sqlite (the default) or postgresql: the store under test
SQLITE_ONLY = "about the SQLite file itself (permissions, damage, WAL): runs in the SQLite pass"


def on_postgresql() -> bool:
    """True when this pass runs the suite against PostgreSQL."""
    return os.environ.get(ENGINE_ENV, "sqlite") == "postgresql"


def pytest_configure(config: pytest.Config) -> None:
    """Name the engine under test in the header, so a log says which pass it is."""
    config.addinivalue_line("markers", f"sqlite_only: {SQLITE_ONLY}")


def pytest_report_header() -> str:
    """Which engine the store is on in this pass."""
    return f"meishi store: {'postgresql' if on_postgresql() else 'sqlite'} ({ENGINE_ENV})"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL pass, the tests about the SQLite file are left out (deselected, not
    skipped): the SQLite pass runs them."""
    if not on_postgresql():
        return
    left_out = [item for item in items if "sqlite_only" in item.keywords]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if "sqlite_only" not in item.keywords]


@pytest.fixture(autouse=True)
def meishi_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Path:
    """Point MEISHI_HOME at a fresh temporary folder for each test (and, on the PostgreSQL
    pass, MEISHI_DATABASE_URL at a fresh database)."""
    home = tmp_path / "home"
    monkeypatch.setenv("MEISHI_HOME", str(home))
    monkeypatch.delenv("MEISHI_DATABASE_URL", raising=False)
    if on_postgresql() and "sqlite_only" not in request.keywords:
        monkeypatch.setenv("MEISHI_DATABASE_URL", request.getfixturevalue("meishi_database"))
    return home


@pytest.fixture(scope="session")
def meishi_suite_database(pg_server: PgServer) -> str:
    """One database holding meishi's schema, made once by meishi itself, for the whole pass."""
    from meishi.location import on_server
    from meishi.store.engine import open_store

    name = pg_server.create_database("meishi_suite")
    open_store(on_server(pg_server.url(name))).close()
    return name


@pytest.fixture
def meishi_database(pg_server: PgServer, meishi_suite_database: str) -> str:
    """The pass's database emptied for one test, as its URL: TRUNCATE takes milliseconds
    where cloning a database takes a second. A connection a test left open is closed first."""
    name = meishi_suite_database
    with pg_server.connect(name) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        tables = [row[0] for row in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename <> 'alembic_version'"
        )]  # fmt: skip
        connection.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    return pg_server.url(name)
