"""Every test runs in its own meishi home."""

from pathlib import Path

import pytest

# Real servers on loopback: `imap_server` (Dovecot, fresh mailboxes per test) and
# `pg_server`/`pg_url` (a throwaway PostgreSQL cluster, a fresh database per test).
pytest_plugins = ["imap_server", "pg_server"]


@pytest.fixture(autouse=True)
def meishi_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point MEISHI_HOME at a fresh temporary folder for each test."""
    home = tmp_path / "home"
    monkeypatch.setenv("MEISHI_HOME", str(home))
    return home
