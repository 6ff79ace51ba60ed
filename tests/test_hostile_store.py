"""A damaged or unusable store, home or output: one line saying what to do, nothing written."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from helpers import add_event, add_person, error_of, fails, home, ok

Damage = Callable[[Path], None]
# About the SQLite file itself: damage, permissions, locks, a full disk under it.
pytestmark = pytest.mark.sqlite_only


def database() -> Path:
    """The store's database file."""
    return home() / "meishi.db"


@pytest.fixture(autouse=True)
def stored() -> None:
    """A store with an event and a contact, wholly in the database file (no WAL left)."""
    add_event("Meetup", -1)
    add_person("Meetup", "Tanaka Taro", "--email", "t@example.com", "--topic", "AI")
    with closing(sqlite3.connect(database())) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def files(folder: Path) -> dict[str, bytes | None]:
    """Every file under a folder with its bytes (None for a folder): to show nothing changed.

    SQLite's shared-memory index (-shm) is left out: a reader may make it. A write-ahead
    log (-wal) is left out only while it is empty: nothing waits in it to be written.
    """
    return {
        str(path.relative_to(folder)): None if path.is_dir() else path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if not path.name.endswith("-shm")
        and not (path.name.endswith("-wal") and path.stat().st_size == 0)
    }


def rewrite(change: Callable[[bytes], bytes]) -> Damage:
    """A damage that rewrites the database file's bytes."""
    return lambda path: path.write_bytes(change(path.read_bytes()))


def noise(size: int, seed: int = 7) -> bytes:
    """Reproducible random bytes."""
    return random.Random(seed).randbytes(size)


def another_programs_database(path: Path) -> None:
    """Replace the database with a valid SQLite file of another program."""
    path.unlink()
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, file TEXT)")
        connection.commit()


DAMAGED: dict[str, Damage] = {
    "random bytes": lambda path: path.write_bytes(noise(65536)),
    "a text file": lambda path: path.write_text("meishi\n"),
    "cut after 5000 bytes": rewrite(lambda data: data[:5000]),
    "its last pages cut": rewrite(lambda data: data[:-8192]),
    "its first page smashed": rewrite(lambda data: data[:100] + noise(3996) + data[4096:]),
    "another program's database": another_programs_database,
}
COMMANDS = [
    ["contacts", "list"],
    ["search", "Tanaka"],
    ["event", "list"],
    ["event", "add", "Another", "--date", "today"],
    ["add", "--event", "Meetup", "--name", "Sato"],
    ["todo"],
    ["export", "--format", "json"],
    ["backup", "COPY"],
]


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("damage", DAMAGED.values(), ids=DAMAGED.keys())
def test_a_damaged_database_is_named_in_one_line_and_left_as_it_is(
    damage: Damage, argv: list[str]
) -> None:
    damage(database())
    before = files(home())
    copy = str(home().parent / "copy.db")
    message = error_of(fails(*(copy if word == "COPY" else word for word in argv), code=2))
    assert str(database()) in message
    assert "move it aside" in message
    assert files(home()) == before  # not converted, not "repaired"
    assert not Path(copy).exists()


def test_a_database_damaged_inside_is_not_backed_up(tmp_path: Path) -> None:
    """A damaged page that opening does not read: the backup's integrity check finds it."""
    with closing(sqlite3.connect(database())) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        (root,) = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'contact'"
        ).fetchone()
    data = bytearray(database().read_bytes())
    start = (root - 1) * page_size
    data[start : start + page_size] = noise(page_size)
    database().write_bytes(bytes(data))
    before = files(home())
    message = error_of(fails("backup", str(tmp_path / "copy.db"), code=2))
    assert str(database()) in message
    assert files(home()) == before
    assert list(tmp_path.glob("copy.db*")) == []  # neither the copy nor its temporary file


def test_a_folder_where_the_database_should_be_is_refused() -> None:
    database().unlink()
    database().mkdir()
    message = error_of(fails("contacts", "list", code=1))
    assert str(database()) in message and "not a file" in message


def test_a_home_that_is_a_file_is_named_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = home().parent / "not-a-folder"
    plain.write_text("x")
    monkeypatch.setenv("MEISHI_HOME", str(plain))
    for argv in (["contacts", "list"], ["event", "add", "X", "--date", "today"], ["thank"]):
        message = error_of(fails(*argv, code=1))
        assert str(plain) in message and "MEISHI_HOME" in message
    assert plain.read_text() == "x"


def test_a_home_under_a_file_cannot_be_created(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = home().parent / "not-a-folder"
    plain.write_text("x")
    monkeypatch.setenv("MEISHI_HOME", str(plain / "meishi"))
    message = error_of(fails("event", "list", code=1))
    assert str(plain) in message and "not a folder" in message


def test_a_writer_waiting_too_long_for_another_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import meishi.store.sqlite

    monkeypatch.setattr(meishi.store.sqlite, "BUSY_TIMEOUT_MS", 200)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITE_LOCK, str(database())],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        before = files(home())
        message = error_of(fails("event", "add", "X", "--date", "today", code=1))
        assert "another meishi is writing" in message and str(database()) in message
        ok("contacts", "list")  # reading goes on meanwhile
    finally:
        holder.communicate("", timeout=30)
    assert files(home()) == before


HOLD_WRITE_LOCK = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
"""


# --- meishi's own output ------------------------------------------------------------------

OUTPUT_COMMANDS = [
    ["contacts", "list"],
    ["search", "Tanaka"],
    ["contacts", "show", "1"],
    ["event", "list"],
    ["event", "show", "1"],
    ["todo"],
    ["contacts", "list", "--json"],
    ["export", "--format", "vcard"],
]


@pytest.mark.parametrize("argv", OUTPUT_COMMANDS, ids=" ".join)
def test_a_full_disk_on_stdout_is_one_line_and_exit_1(argv: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "meishi", *argv], stdout=full, stderr=subprocess.PIPE
        )
    stderr = done.stderr.decode()
    assert done.returncode == 1, stderr
    assert stderr.splitlines() == ["meishi: cannot use the output: " + DISK_FULL], stderr


DISK_FULL = "the disk is full; free some space and try again"


@pytest.mark.parametrize("argv", OUTPUT_COMMANDS, ids=" ".join)
def test_a_reader_that_stops_reading_ends_meishi_quietly(argv: list[str]) -> None:
    """`meishi ... | head -0`: the pipe is closed before meishi writes."""
    reading, writing = os.pipe()
    os.close(reading)
    done = subprocess.run(
        [sys.executable, "-m", "meishi", *argv], stdout=writing, stderr=subprocess.PIPE
    )
    os.close(writing)
    assert (done.returncode, done.stderr.decode()) == (0, "")


# --- permissions: root ignores them, so a child run as root gives up that power ---------

DROP_ROOTS_POWERS = """
import ctypes, os, runpy, sys
if os.geteuid() == 0:
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2, 3):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP: gone after exec
            sys.exit(99)
    os.execv(sys.executable, [sys.executable, "-m", "meishi", *sys.argv[1:]])
sys.argv[0] = "meishi"
runpy.run_module("meishi", run_name="__main__", alter_sys=True)
"""


def run_unprivileged(*argv: str) -> subprocess.CompletedProcess[str]:
    """Run meishi in a child that file permissions apply to, even when tests run as root."""
    done = subprocess.run(
        [sys.executable, "-c", DROP_ROOTS_POWERS, *argv], capture_output=True, text=True
    )
    if done.returncode == 99:
        pytest.skip("running as root, and root's power over file permissions cannot be dropped")
    return done


def refused_unprivileged(*argv: str) -> str:
    """A clean refusal with exit 1 and one line; the line."""
    done = run_unprivileged(*argv)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1, done.stderr
    assert lines[0].startswith("meishi: ")
    return lines[0]


@pytest.fixture
def writable_again() -> object:
    """Give the home back its permissions after a test, so that it can be removed."""
    folder = home()
    yield None
    for path in (folder, *folder.rglob("*")):
        path.chmod(0o700)


@pytest.mark.usefixtures("writable_again")
def test_a_read_only_database_can_be_read_but_a_write_is_refused() -> None:
    database().chmod(0o400)
    before = database().read_bytes()
    assert "Tanaka Taro" in run_unprivileged("contacts", "list").stdout
    message = refused_unprivileged("event", "add", "X", "--date", "today")
    assert str(database()) in message and "read-only" in message
    assert database().read_bytes() == before


@pytest.mark.usefixtures("writable_again")
@pytest.mark.parametrize("argv", [["contacts", "list"], ["event", "add", "X", "--date", "today"]])
def test_a_read_only_home_is_named_in_one_line(argv: list[str]) -> None:
    home().chmod(0o500)
    before = files(home())
    assert str(database()) in refused_unprivileged(*argv)
    assert files(home()) == before


@pytest.mark.usefixtures("writable_again")
def test_an_unreadable_database_is_named_in_one_line() -> None:
    database().chmod(0o000)
    assert str(database()) in refused_unprivileged("event", "list")


@pytest.mark.usefixtures("writable_again")
def test_an_unreadable_config_file_is_named_in_one_line() -> None:
    config = home() / "config.toml"
    config.write_text('[me]\nname = "Me"\n')
    config.chmod(0o000)
    message = refused_unprivileged("thank")
    assert str(config) in message and "permission denied" in message


@pytest.mark.usefixtures("writable_again")
def test_a_home_that_cannot_be_created_is_named_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    locked = home().parent / "locked"
    locked.mkdir(mode=0o500)
    monkeypatch.setenv("MEISHI_HOME", str(locked / "meishi"))
    try:
        message = refused_unprivileged("event", "list")
    finally:
        locked.chmod(0o700)
    assert str(locked / "meishi") in message and "permission denied" in message
    assert list(locked.iterdir()) == []
