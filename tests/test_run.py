"""One run per command: the home read once, the clock read once, the settings and the store
each opened at most once, and the store closed when the command ends."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from cardmaker import qr_card_folder
from helpers import add_event, add_person, error_of, fails, home, ok, set_me
from meishi import config
from meishi.home import Home, in_folder, resolve
from meishi.run import Run
from meishi.store import engine


@dataclasses.dataclass
class Calls:
    """The stores opened (with whether each was closed) and how often config.toml was read."""

    stores: list[Any] = dataclasses.field(default_factory=list)
    closed: list[Any] = dataclasses.field(default_factory=list)
    settings: int = 0

    def reset(self) -> None:
        """Count afresh: what the test's setup did is not counted."""
        self.stores.clear()
        self.closed.clear()
        self.settings = 0


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    """Count the store openings and config reads from now on (the run looks both up when it
    first needs them, so the counting wrappers are the ones it calls)."""
    counted = Calls()
    open_store, load = engine.open_store, config.load

    def opening(*where: Any) -> Any:
        store = open_store(*where)
        close = store.close

        def closing() -> None:
            counted.closed.append(store)
            close()

        store.close = closing  # type: ignore[method-assign]
        counted.stores.append(store)
        return store

    def loading(path: Path) -> config.Settings:
        counted.settings += 1
        return load(path)

    monkeypatch.setattr(engine, "open_store", opening)
    monkeypatch.setattr(config, "load", loading)
    return counted


def at(folder: Path) -> Run:
    """A run in a home that is one folder, started at a fixed moment."""
    return Run(in_folder(folder), dt.datetime(2026, 3, 10, 9, 30).astimezone())


# --- whole commands ------------------------------------------------------------------------


def test_thank_and_send_in_one_command_open_the_store_once_and_read_the_settings_once(
    calls: Calls,
) -> None:
    set_me()
    ok("config", "set", "smtp.host", "127.0.0.1")  # no smtp.user: no password needed
    add_event("AI勉強会", -1)
    add_person("AI勉強会", "田中 太郎", "--email", "taro@example.jp")
    calls.reset()

    result = ok("thank", "--since", "yesterday", "--send", "--dry-run")

    assert "Dry run: 1 message(s) would be sent" in result.stdout
    assert len(calls.stores) == 1  # drafting, queueing and planning share it
    assert calls.settings == 1  # signing the draft and checking the mail server share it
    assert calls.closed == calls.stores


@pytest.mark.slow  # reading the cards: 9 s, like the other folder scan
def test_add_scan_of_several_cards_opens_one_store(tmp_path: Path, calls: Calls) -> None:
    add_event("Mixer", -1)
    folder = qr_card_folder(tmp_path / "stack", 3)
    calls.reset()

    result = ok("add", "--scan", str(folder), "--yes")

    assert result.stdout.count("Added #") == 3
    assert len(calls.stores) == 1  # finding the event and adding each card share it
    assert calls.closed == calls.stores


def test_a_command_that_needs_neither_opens_neither(calls: Calls) -> None:
    ok("templates", "list")
    assert (calls.stores, calls.settings) == ([], 0)
    assert not (home() / "meishi.db").exists()


def test_a_refused_command_still_closes_the_store(calls: Calls) -> None:
    add_event("AI勉強会", -1)
    calls.reset()
    assert "no event" in error_of(fails("event", "edit", "999", "--place", "Tokyo"))
    assert len(calls.stores) == 1
    assert calls.closed == calls.stores


def test_the_plain_writes_open_no_store(calls: Calls) -> None:
    set_me()
    add_event("AI勉強会", -1)
    add_person("AI勉強会", "田中 太郎", "--email", "taro@example.jp")
    calls.reset()
    assert "no contact" in error_of(fails("contacts", "edit", "999", "--company", "Acme"))
    ok("contacts", "edit", "田中", "--company", "Acme")
    ok("thank", "--since", "yesterday")
    assert calls.stores == []  # the plain writer: no ORM, no store


def test_a_page_reads_without_opening_the_store(calls: Calls) -> None:
    add_event("AI勉強会", -1)
    calls.reset()
    assert "no contact" in error_of(fails("contacts", "show", "999"))
    ok("event", "show", "AI勉強会")
    assert calls.stores == []  # the plain read connection: no ORM, no store


# --- the run itself ------------------------------------------------------------------------


def test_the_run_reads_the_settings_once_and_again_only_when_told(tmp_path: Path) -> None:
    run = at(tmp_path)
    run.home.config_file.write_text('[me]\nname = "山田 花子"\n', encoding="utf-8")
    assert run.settings["me.name"] == "山田 花子"
    run.home.config_file.write_text('[me]\nname = "Other"\n', encoding="utf-8")
    assert run.settings["me.name"] == "山田 花子"  # read once
    run.forget_settings()
    assert run.settings["me.name"] == "Other"


def test_the_run_opens_its_store_when_first_asked_and_closes_it(tmp_path: Path) -> None:
    run = at(tmp_path)
    assert not run.home.database.exists()
    store = run.store
    assert run.store is store
    assert run.home.database.exists()
    run.close()
    assert run.store is not store  # a new one after closing, never the closed one
    run.close()


def test_today_is_the_date_of_the_runs_now(tmp_path: Path) -> None:
    run = at(tmp_path)
    assert run.today == dt.date(2026, 3, 10)
    assert run.now.tzinfo is not None


# --- the home -------------------------------------------------------------------------------


def test_meishi_home_holds_everything_and_the_keyring_choice_is_remembered(
    tmp_path: Path,
) -> None:
    found = resolve({"MEISHI_HOME": f"{tmp_path} ", "PYTHON_KEYRING_BACKEND": "a.b.Keyring"})
    assert found == Home(tmp_path, tmp_path, "a.b.Keyring")
    assert found.database == tmp_path / "meishi.db"
    assert found.config_file == tmp_path / "config.toml"
    assert found.templates == tmp_path / "templates"
    assert found.cards == tmp_path / "cards"


def test_without_meishi_home_the_platforms_folders_are_used() -> None:
    found = resolve({"MEISHI_HOME": "  "})
    assert found.keyring_named is None
    assert found.data.name == found.config.name == "meishi"
    assert found.data != found.config


def test_own_files_name_the_database_its_journals_the_config_and_the_card_images() -> None:
    own = dict(in_folder(Path("/h")).own_files())
    assert own == {
        Path("/h/meishi.db"): "meishi's database",
        Path("/h/meishi.db-wal"): "meishi's database journal",
        Path("/h/meishi.db-shm"): "meishi's database journal",
        Path("/h/meishi.db-journal"): "meishi's database journal",
        Path("/h/config.toml"): "meishi's config file",
        Path("/h/cards"): "meishi's card images folder",
    }


def test_the_editor_is_visual_else_editor_else_vi(tmp_path: Path) -> None:
    home = {"MEISHI_HOME": str(tmp_path)}
    assert resolve({**home, "VISUAL": "code --wait", "EDITOR": "nano"}).editor == "code --wait"
    assert resolve({**home, "VISUAL": "", "EDITOR": "nano"}).editor == "nano"
    assert resolve(home).editor == "vi"
