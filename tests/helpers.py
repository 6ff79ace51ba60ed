"""Shared helpers for the CLI tests: run meishi, build dated data, snapshot the store."""

from __future__ import annotations

import datetime as dt
import json
import os
import pty
import re
import select
import sqlite3
import subprocess
import sys
import time
from contextlib import AbstractContextManager, closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keyring.backend import KeyringBackend
from typer.testing import CliRunner, Result

import meishi.cli

if TYPE_CHECKING:
    from meishi.store.sql import ReadConnection

ME_NAME = "山田 花子"
ME_EMAIL = "hanako@example.jp"


def home() -> Path:
    """The meishi home the autouse fixture set for this test."""
    return Path(os.environ["MEISHI_HOME"])


def day(offset: int) -> str:
    """Today plus offset days (negative: in the past), as an ISO date."""
    return (dt.date.today() + dt.timedelta(days=offset)).isoformat()


def run(*args: str, input: str | None = None) -> Result:
    """Invoke meishi in-process with these arguments."""
    return CliRunner().invoke(meishi.cli.app, list(args), input=input)


def describe(result: Result) -> str:
    """What to show when a run did not go as expected."""
    error = result.exception
    detail = "" if error is None or isinstance(error, SystemExit) else f"\nexception: {error!r}"
    return f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}{detail}"


def ok(*args: str, input: str | None = None) -> Result:
    """Run meishi and require success."""
    result = run(*args, input=input)
    assert result.exit_code == 0, describe(result)
    return result


def fails(*args: str, input: str | None = None, code: int = 2) -> Result:
    """Run meishi and require a clean refusal: the exit code and one `meishi:` line on stderr."""
    result = run(*args, input=input)
    assert result.exit_code == code, describe(result)
    assert isinstance(result.exception, SystemExit), describe(result)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, describe(result)
    assert lines[0].startswith("meishi: "), describe(result)
    return result


def error_of(result: Result) -> str:
    """The one-line error message, without the `meishi: ` prefix."""
    return result.stderr.strip().removeprefix("meishi: ")


def json_of(result: Result) -> Any:
    """The JSON a --json run printed."""
    return json.loads(result.stdout)


def add_event(name: str, offset: int, *options: str) -> int:
    """Add an event dated today + offset days; its id."""
    result = ok("event", "add", name, "--date", day(offset), *options)
    found = re.search(r"Added event #(\d+) ", result.stdout)
    assert found, result.stdout
    return int(found[1])


def add_person(event: str, name: str, *options: str) -> int:
    """Add a person met at an event (options as for `meishi add`); the contact's id."""
    result = ok("add", "--event", event, "--name", name, *options)
    found = re.search(r"(?:Added|Linked to known contact) #(\d+) ", result.stdout)
    assert found, result.stdout
    return int(found[1])


def set_me(name: str = ME_NAME, email: str | None = ME_EMAIL) -> None:
    """Set who drafts are from."""
    ok("config", "set", "me.name", name)
    if email:
        ok("config", "set", "me.email", email)


def server_url() -> str | None:
    """The test's PostgreSQL database (the PostgreSQL pass), or None on SQLite."""
    return os.environ.get("MEISHI_DATABASE_URL") or None


def server_connection() -> Any:
    """A psycopg connection to the test's PostgreSQL database (autocommit)."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(server_url() or "").set(drivername="postgresql")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


def db_dump() -> str | None:
    """Every row of the store as SQL, or None when there is no database yet."""
    if server_url():
        return _server_dump()
    path = home() / "meishi.db"
    if not path.exists():
        return None
    with closing(sqlite3.connect(path)) as connection:
        return "\n".join(connection.iterdump())


def _server_dump() -> str | None:
    """Every row of every table of the test's PostgreSQL database, in order."""
    with server_connection() as connection:
        tables = [row[0] for row in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
        )]  # fmt: skip
        if not tables:
            return None
        return "\n".join(
            f"{table}: {row!r}"
            for table in tables
            for row in connection.execute(f'SELECT * FROM "{table}" ORDER BY 1')
        )


def snapshot() -> tuple[str | None, str | None]:
    """The store and the config file, to show that a command changed neither."""
    config = home() / "config.toml"
    return db_dump(), config.read_text(encoding="utf-8") if config.exists() else None


def store_reader() -> AbstractContextManager[ReadConnection]:
    """A connection to the test's store, as the fast read paths open it."""
    from meishi.home import resolve
    from meishi.store.reader import reader

    return reader(resolve().location)


def store_rows(sql: str, *parameters: object) -> list[tuple[Any, ...]]:
    """Rows of the test's store on either engine (`?` parameters); a write is committed."""
    if server_url():
        with server_connection() as connection:
            found = connection.execute(sql.replace("?", "%s"), parameters)
            rows = found.fetchall() if found.description else []
            return [tuple(map(_as_sqlite_keeps, row)) for row in rows]
    with closing(sqlite3.connect(home() / "meishi.db")) as connection, connection:
        return connection.execute(sql, parameters).fetchall()


def empty_store() -> None:
    """Start the test's store afresh: the SQLite file removed, or the server's tables emptied."""
    if not server_url():
        (home() / "meishi.db").unlink()
        return
    with server_connection() as connection:
        tables = [row[0] for row in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename <> 'alembic_version'"
        )]  # fmt: skip
        connection.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def new_home(folder: Path) -> None:
    """Point meishi at another, empty home (the caller's monkeypatch restores the first): on
    the PostgreSQL pass both share the server's database, so it is emptied too."""
    os.environ["MEISHI_HOME"] = str(folder)
    if server_url():
        empty_store()


def _as_sqlite_keeps(value: object) -> object:
    """A PostgreSQL value as SQLAlchemy keeps it in SQLite: times as text, booleans as 0/1."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date | dt.time):
        return (
            value.isoformat(timespec="microseconds")
            if isinstance(value, dt.time)
            else (value.isoformat())
        )
    return value


def table_count(table: str) -> int:
    """How many rows a table of the store holds."""
    opened = server_connection() if server_url() else sqlite3.connect(home() / "meishi.db")
    with closing(opened) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


# Generous bounds for hostile input: the point is that a command finishes and stays small.
HOSTILE_SECONDS = 60
HOSTILE_RSS_MB = 400


# Runs meishi as `python -m meishi` would, then reports its own peak memory into a file.
# Linux's VmHWM is the child's own; ru_maxrss keeps the forking parent's (pytest's) peak.
_MEASURED_CHILD = """
import os, resource, runpy, sys
sys.argv[0] = "meishi"
try:
    runpy.run_module("meishi", run_name="__main__", alter_sys=True)
finally:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if os.path.exists("/proc/self/status"):
        with open("/proc/self/status") as status:
            peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
    with open(os.environ["MEISHI_TEST_RSS_FILE"], "w") as out:
        out.write(str(peak))
"""


def run_bounded(
    *args: str, input: str | bytes | None = None, seconds: float = HOSTILE_SECONDS
) -> tuple[subprocess.CompletedProcess[bytes], float]:
    """Run meishi ARGS in a child (the test's home); its result and its peak RSS in MB.

    The child is killed after `seconds` (a hostile input must not run away).
    """
    data = input.encode() if isinstance(input, str) else input
    rss_file = home().parent / "child-rss.txt"
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED_CHILD, *args],
        input=data,
        capture_output=True,
        env={**os.environ, "MEISHI_TEST_RSS_FILE": str(rss_file)},
        timeout=seconds,
    )
    peak_kb = int(rss_file.read_text()) if rss_file.exists() else 0
    rss_file.unlink(missing_ok=True)
    return done, peak_kb / 1024


def refused_in_child(*args: str, code: int = 2, input: str | bytes | None = None) -> str:
    """Run meishi in a bounded child and require a clean refusal; the one stderr line.

    Clean: the exit code, one `meishi: ` line on stderr, no traceback, the store and
    config exactly as before, within HOSTILE_SECONDS and HOSTILE_RSS_MB.
    """
    before = snapshot()
    done, peak_mb = run_bounded(*args, input=input)
    stderr = done.stderr.decode("utf-8", "replace")
    shown = f"exit {done.returncode}\nstdout:\n{done.stdout[:2000]!r}\nstderr:\n{stderr[:4000]}"
    assert done.returncode == code, shown
    assert "Traceback" not in stderr, shown
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("meishi: "), shown
    assert snapshot() == before, "the store or config changed"
    assert peak_mb < HOSTILE_RSS_MB, f"peak memory {peak_mb:.0f} MB"
    return lines[0].removeprefix("meishi: ")


def read_until(fd: int, wanted: bytes, seen: bytearray, deadline: float) -> None:
    """Read the terminal's output until `wanted` appears after what was already matched."""
    while wanted not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"timed out waiting for {wanted!r}; got {bytes(seen)!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                chunk = b""
            if not chunk:
                raise AssertionError(f"terminal closed before {wanted!r}; got {bytes(seen)!r}")
            seen.extend(chunk)


def on_terminal(*args: str, dialogue: list[tuple[str, str]], last: str) -> int:
    """Run meishi ARGS on a real terminal (a pty), answering each prompt in turn, until `last`
    is printed; its exit code."""
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    child = subprocess.Popen(
        [sys.executable, "-m", "meishi", *args],
        stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
    )  # fmt: skip
    os.close(slave)
    deadline, seen = time.monotonic() + 60, bytearray()
    try:
        for prompt, answer in dialogue:
            read_until(master, prompt.encode(), seen, deadline)
            del seen[:]
            os.write(master, answer.encode() + b"\r")
        read_until(master, last.encode(), seen, deadline)
        return child.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=10)
        os.close(master)


class MemoryKeyring(KeyringBackend):
    """A keyring in this process only, at the library's recommended priority: the tests
    never touch the user's keyring."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        """The stored password, if any."""
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        """Store a password."""
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        """Forget a password."""
        del self.passwords[(service, username)]


# Imported where they are used, never on the way to --help or a read-only command.
HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "jinja2", "keyring", "rich.table", "email_validator")


def heavy_modules_after(argv: list[str]) -> list[str]:
    """The heavy libraries (HEAVY) a fresh process has imported after running `meishi ARGV`."""
    probe = (
        "import json, sys\n"
        "from meishi.cli import app\n"
        "try:\n"
        f"    app({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"heavy = {HEAVY!r}\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in heavy"
        " or m in heavy)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env={**os.environ}
    )
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout.splitlines()[-1]))


def orm_modules_after(argv: list[str]) -> list[str]:
    """The modules of SQLAlchemy, SQLModel and Alembic a fresh process has imported after
    running `meishi ARGV`: none for the commands on the plain connections."""
    orm = ("sqlalchemy", "sqlmodel", "alembic")
    return [name for name in heavy_modules_after(argv) if name.split(".")[0] in orm]


def record_mail(
    contact: int,
    days: int,
    direction: str,
    subject: str,
    thanking: int | None = None,
    thread: str | None = None,
) -> None:
    """Store one mail with a contact `days` before today, as sync would have (taken for the
    thank-you of encounter `thanking`, if given; in the thread begun by `thread`, if given)."""
    from meishi.home import resolve
    from meishi.models import Exchange
    from meishi.store.engine import open_store

    moment = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    store = open_store(resolve().location)
    try:
        with store.write() as session:
            mid = f"<{contact}.{days}.{direction}@example.jp>"
            folder = "INBOX" if direction == "in" else "Sent"
            session.add(
                Exchange(
                    contact_id=contact,
                    direction=direction,
                    date=moment,
                    subject=subject,
                    message_id=mid,
                    folder=folder,
                    matched="address",
                    encounter_id=thanking,
                    thread_root=thread,
                )
            )
    finally:
        store.close()
