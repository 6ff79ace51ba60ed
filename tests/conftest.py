"""Every test runs in its own meishi home."""

from pathlib import Path

import pytest

# A throwaway PostgreSQL cluster: the pg_server (session) and pg_url (per test) fixtures.
pytest_plugins = ["pg_server"]


@pytest.fixture(autouse=True)
def meishi_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point MEISHI_HOME at a fresh temporary folder for each test."""
    home = tmp_path / "home"
    monkeypatch.setenv("MEISHI_HOME", str(home))
    return home
