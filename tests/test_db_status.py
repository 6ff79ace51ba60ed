"""`meishi db status`: the engine, where the store is (never a password), its schema version,
counts and size, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import add_event, add_person, fails, home, json_of, ok
from meishi.store.engine import SCHEMA_REVISION


@pytest.fixture(autouse=True)
def from_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    """The store starts as the home's SQLite file in both passes of the suite; a test that
    wants a server sets its URL."""
    monkeypatch.delenv("MEISHI_DATABASE_URL", raising=False)


def a_little_store() -> None:
    """One event, two people met there."""
    add_event("Tokyo AI 勉強会 #12", -1)
    add_person("Tokyo AI 勉強会 #12", "田中 太郎")
    add_person("Tokyo AI 勉強会 #12", "鈴木 一郎")


def test_status_of_a_sqlite_store() -> None:
    a_little_store()
    status = json_of(ok("db", "status", "--json"))
    assert status["engine"] == "sqlite"
    assert status["location"] == str(home() / "meishi.db")
    assert status["schema"] == SCHEMA_REVISION
    assert status["counts"] == {
        "contacts": 2,
        "events": 1,
        "encounters": 2,
        "drafts": 0,
        "outbox": 0,
        "card_images": 0,
    }
    assert status["size_bytes"] >= (home() / "meishi.db").stat().st_size > 0


def test_status_as_text() -> None:
    a_little_store()
    lines = ok("db", "status").stdout.splitlines()
    assert lines[:3] == [
        "Engine:      SQLite",
        f"Location:    {home() / 'meishi.db'}",
        f"Schema:      {SCHEMA_REVISION}",
    ]
    assert "Contacts:    2" in lines and "Card images: 0" in lines
    assert lines[-1].startswith("Size:") and lines[-1].endswith("B")


def test_status_of_a_server_store_shows_no_password(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed = pg_url.replace("postgresql+psycopg://", "postgresql://")  # as a user gives it
    monkeypatch.setenv("MEISHI_DATABASE_URL", typed)
    a_little_store()
    status = json_of(ok("db", "status", "--json"))
    assert status["engine"] == "postgresql"
    assert status["location"] == typed  # without the driver's name meishi adds
    assert status["counts"]["contacts"] == 2 and status["counts"]["encounters"] == 2
    assert status["size_bytes"] > 0
    assert ok("db", "status").stdout.startswith("Engine:      PostgreSQL\n")


def test_a_password_in_the_url_is_never_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "MEISHI_DATABASE_URL", f"postgresql://me:s3cret-pw@/meishi?host={tmp_path}/none"
    )
    refused = fails("db", "status", code=1)
    assert "s3cret-pw" not in refused.output and "***" in refused.output
