"""The store, against real SQLite files and real processes: permissions, pragmas,
transactions, concurrency and schema migrations."""

import datetime as dt
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, select

from helpers import server_url
from meishi.errors import DatabaseTooNew
from meishi.home import resolve
from meishi.migrations import is_modelled
from meishi.models import Contact, Encounter, Event, Topic
from meishi.store import engine as store_module
from meishi.store import sqlite
from meishi.store.engine import Store, open_store

GROUP_OR_OTHER = stat.S_IRWXG | stat.S_IRWXO


def alembic_config() -> Config:
    """The Alembic configuration meishi's store uses."""
    config = Config()
    config.set_main_option("script_location", "meishi:migrations")
    return config


def revisions_base_first() -> list[str]:
    """Every revision in migrations/versions, oldest first."""
    scripts = ScriptDirectory.from_config(alembic_config())
    return [script.revision for script in reversed(list(scripts.walk_revisions()))]


HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def dump(path: Path) -> list[str]:
    """The whole database as SQL statements, read over a plain sqlite3 connection."""
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def mode(path: Path) -> int:
    """The permission bits of a file or folder."""
    return stat.S_IMODE(path.stat().st_mode)


def run_python(code: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """Run code in a fresh interpreter that sees the test's MEISHI_HOME."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def store(meishi_home: Path) -> Iterator[Store]:
    """A freshly created store in the test's home, closed afterwards."""
    opened = open_store(resolve().location)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def db_path(meishi_home: Path) -> Path:
    """Where the store keeps its database in the test's home."""
    return meishi_home / "meishi.db"


def add_contact_and_event(store: Store) -> tuple[int, int]:
    """Commit one contact and one event; return their ids."""
    with store.write() as session:
        contact = Contact(full_name="山田 太郎", company="Acme")
        event = Event(name="AI勉強会", date=dt.date(2026, 3, 10), fee=1000)
        session.add(contact)
        session.add(event)
        session.flush()
        assert contact.id is not None and event.id is not None
        return contact.id, event.id


# --- permissions -----------------------------------------------------------


@pytest.mark.sqlite_only  # about the SQLite file (its bytes, pragmas, migrations)
def test_database_folder_and_files_are_private_even_with_an_open_umask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "not" / "yet" / "there"
    monkeypatch.setenv("MEISHI_HOME", str(home))
    old_umask = os.umask(0)  # whatever is private must be so by meishi's own doing
    try:
        opened = open_store(resolve().location)
        try:
            add_contact_and_event(opened)
            with opened.read() as session:
                session.exec(select(Contact)).all()  # keep a connection open
                assert mode(home) == 0o700
                assert mode(home / "meishi.db") == 0o600
                side_files = [home / "meishi.db-wal", home / "meishi.db-shm"]
                assert any(side.exists() for side in side_files)
                for side in side_files:
                    if side.exists():
                        assert mode(side) & GROUP_OR_OTHER == 0, oct(mode(side))
        finally:
            opened.close()
    finally:
        os.umask(old_umask)
    assert mode(home / "meishi.db") == 0o600


# --- pragmas ---------------------------------------------------------------


@pytest.mark.sqlite_only  # about the SQLite file (its bytes, pragmas, migrations)
def test_every_store_connection_has_wal_foreign_keys_and_a_busy_timeout(store: Store) -> None:
    for sessions in (store.read, store.write):
        with sessions() as session:
            connection = session.connection()
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    # A second connection opened while the first is checked out is configured too.
    with store.engine.connect() as first, store.engine.connect() as second:
        for connection in (first, second):
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


# --- transactions ----------------------------------------------------------


@pytest.mark.sqlite_only  # about the SQLite file (its bytes, pragmas, migrations)
def test_a_write_is_committed_for_other_connections_to_see(store: Store, db_path: Path) -> None:
    contact_id, _ = add_contact_and_event(store)
    connection = sqlite3.connect(db_path)
    try:
        row = connection.execute(
            "SELECT full_name FROM contact WHERE id = ?", (contact_id,)
        ).fetchone()
    finally:
        connection.close()
    assert row == ("山田 太郎",)


@pytest.mark.sqlite_only  # about the SQLite file (its bytes, pragmas, migrations)
def test_an_exception_inside_write_leaves_the_database_exactly_as_before(
    store: Store, db_path: Path
) -> None:
    contact_id, event_id = add_contact_and_event(store)
    before = dump(db_path)

    with pytest.raises(RuntimeError, match="changed my mind"), store.write() as session:
        session.add(Contact(full_name="佐藤 花子"))
        session.add(Event(name="もくもく会", date=dt.date(2026, 4, 1)))
        encounter = Encounter(contact_id=contact_id, event_id=event_id, note="LLM")
        session.add(encounter)
        session.flush()  # the rows really reach SQLite inside the transaction
        session.add(Topic(encounter_id=encounter.id, text="RAG"))
        existing = session.get(Contact, contact_id)
        assert existing is not None
        existing.company = "Other Corp"
        session.flush()
        raise RuntimeError("changed my mind")

    assert dump(db_path) == before
    with store.read() as session:
        assert len(session.exec(select(Contact)).all()) == 1
        assert session.exec(select(Encounter)).all() == []


@pytest.mark.sqlite_only  # about the SQLite file (its bytes, pragmas, migrations)
def test_foreign_keys_are_enforced_and_a_violation_stores_nothing(
    store: Store, db_path: Path
) -> None:
    _, event_id = add_contact_and_event(store)
    before = dump(db_path)

    with pytest.raises(IntegrityError, match="FOREIGN KEY"), store.write() as session:
        session.add(Contact(full_name="鈴木 一郎"))
        session.add(Encounter(contact_id=987_654, event_id=event_id))

    assert dump(db_path) == before


# --- concurrency -----------------------------------------------------------

INCREMENTER = """
    import sys, time
    from meishi.models import Event
    from meishi.home import resolve
    from meishi.store.engine import open_store

    store = open_store(resolve().location)
    print("ready", flush=True)
    sys.stdin.readline()  # wait until every process is ready, then start together
    for _ in range({rounds}):
        with store.write() as session:
            counter = session.get(Event, {event_id})
            time.sleep(0.002)  # widen the window between read and write
            counter.fee += 1
    store.close()
    print("done", flush=True)
"""


def test_concurrent_read_modify_write_transactions_lose_no_updates(store: Store) -> None:
    processes_count, rounds = 3, 30
    with store.write() as session:
        counter = Event(name="counter", date=dt.date(2026, 1, 1), fee=0)
        session.add(counter)
        session.flush()
        event_id = counter.id
    store.close()

    code = textwrap.dedent(INCREMENTER.format(rounds=rounds, event_id=event_id))
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            env=dict(os.environ),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes_count)
    ]
    try:
        for process in processes:
            assert process.stdout is not None
            assert process.stdout.readline().strip() == "ready"
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        results = [process.communicate(timeout=60) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()

    for process, (out, err) in zip(processes, results, strict=True):
        assert "locked" not in err
        assert process.returncode == 0, err
        assert out.strip() == "done"
    with store.read() as session:
        counter = session.get(Event, event_id)
        assert counter is not None
        assert counter.fee == processes_count * rounds


@pytest.mark.sqlite_only  # about the SQLite file (its bytes, pragmas, migrations)
def test_processes_creating_the_same_new_database_at_once_all_succeed(db_path: Path) -> None:
    code = textwrap.dedent(
        """
        import sys
        sys.stdin.readline()
        from meishi.home import resolve
        from meishi.store.engine import open_store
        open_store(resolve().location).close()
        """
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            env=dict(os.environ),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    try:
        results = [process.communicate("go\n", timeout=60) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    for process, (_, err) in zip(processes, results, strict=True):
        assert process.returncode == 0, err
    connection = sqlite3.connect(db_path)
    try:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD,)]
    finally:
        connection.close()


# --- migrations ------------------------------------------------------------


def schema_diff(connection: sa.Connection) -> list[object]:
    """How the database's schema differs from the models (the search index left aside)."""
    context = MigrationContext.configure(connection, opts={"include_name": is_modelled})
    return list(compare_metadata(context, SQLModel.metadata))


def test_schema_revision_is_the_head_of_the_migrations() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    assert scripts.get_heads() == [store_module.SCHEMA_REVISION]


@pytest.mark.sqlite_only  # about the SQLite file (its bytes, pragmas, migrations)
def test_migrated_schema_matches_the_models(store: Store) -> None:
    with store.engine.connect() as connection:
        diff = schema_diff(connection)
    assert diff == []


def create_database_at(path: Path, revision: str) -> None:
    """A database migrated by Alembic up to `revision` only, as an older meishi left it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


@pytest.mark.sqlite_only  # about the SQLite file (its bytes, pragmas, migrations)
@pytest.mark.parametrize("revision", revisions_base_first())
def test_an_older_database_is_upgraded_in_place_with_nothing_lost(
    db_path: Path, revision: str
) -> None:
    # With only one revision this checks a database made by Alembic opens as is;
    # once a later revision lands, every older one is upgraded to the head here.
    create_database_at(db_path, revision)
    connection = sqlite3.connect(db_path)
    sqlite.prepare_connection(connection)  # the search triggers call meishi_fold()
    try:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (revision,)
        ]
        with connection:
            connection.execute(
                "INSERT INTO contact (id, full_name, company, created_at, updated_at)"
                " VALUES (7, '山田 太郎', 'Acme',"
                " '2026-03-10 12:00:00.000000', '2026-03-10 12:00:00.000000')"
            )
            connection.execute(
                "INSERT INTO event (id, name, date, fee, created_at)"
                " VALUES (3, 'AI勉強会', '2026-03-10', 1000, '2026-03-01 09:30:00.000000')"
            )
    finally:
        connection.close()

    opened = open_store(resolve().location)
    try:
        with opened.read() as session:
            contact = session.get(Contact, 7)
            event = session.get(Event, 3)
            assert contact is not None and event is not None
            assert (contact.full_name, contact.company) == ("山田 太郎", "Acme")
            assert (event.name, event.date, event.fee) == ("AI勉強会", dt.date(2026, 3, 10), 1000)
            assert len(session.exec(select(Contact)).all()) == 1
            assert len(session.exec(select(Event)).all()) == 1
        with opened.engine.connect() as connection:  # upgraded equals freshly created
            diff = schema_diff(connection)
        assert diff == []
    finally:
        opened.close()
    connection = sqlite3.connect(db_path)
    try:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD,)]
    finally:
        connection.close()


@pytest.mark.sqlite_only  # about the SQLite file (its bytes, pragmas, migrations)
def test_reopening_a_database_keeps_its_data(store: Store, db_path: Path) -> None:
    contact_id, event_id = add_contact_and_event(store)
    with store.write() as session:
        encounter = Encounter(contact_id=contact_id, event_id=event_id, note="名刺交換")
        session.add(encounter)
        session.flush()
        session.add(Topic(encounter_id=encounter.id, text="RAG", position=0))
    store.close()
    before = dump(db_path)

    reopened = open_store(resolve().location)
    try:
        with reopened.read() as session:
            contact = session.get(Contact, contact_id)
            assert contact is not None and contact.full_name == "山田 太郎"
            assert [t.text for t in session.exec(select(Topic)).all()] == ["RAG"]
    finally:
        reopened.close()
    assert dump(db_path) == before


@pytest.fixture
def future_database(store: Store, db_path: Path) -> Path:
    """A database with data, stamped with a revision this meishi does not know."""
    add_contact_and_event(store)
    store.close()
    connection = sqlite3.connect(db_path)
    try:
        with connection:
            connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    finally:
        connection.close()
    return db_path


@pytest.mark.sqlite_only  # about the SQLite file (its bytes, pragmas, migrations)
def test_a_database_from_a_newer_meishi_is_refused_and_left_untouched(
    future_database: Path,
) -> None:
    before_bytes = future_database.read_bytes()
    before_dump = dump(future_database)

    with pytest.raises(DatabaseTooNew, match=r"upgrade meishi") as raised:
        open_store(resolve().location)

    assert "9999_future" in str(raised.value)
    assert future_database.read_bytes() == before_bytes
    assert dump(future_database) == before_dump


@pytest.mark.sqlite_only  # about the SQLite file (its bytes, pragmas, migrations)
def test_the_cli_refuses_a_newer_database_with_one_line_and_exit_code_1(
    future_database: Path,
) -> None:
    before = dump(future_database)
    result = subprocess.run(
        [sys.executable, "-m", "meishi", "event", "list"],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "upgrade meishi" in lines[0]
    assert dump(future_database) == before


def test_opening_an_up_to_date_store_does_not_import_alembic(meishi_home: Path) -> None:
    created = run_python(
        """
        from meishi.home import resolve
        from meishi.store.engine import open_store
        open_store(resolve().location).close()
        open_store(resolve().location).close()
        """
    )
    assert created.returncode == 0, created.stderr
    assert server_url() or (meishi_home / "meishi.db").exists()

    reopened = run_python(
        """
        import sys
        from sqlmodel import select
        from meishi.models import Contact
        from meishi.home import resolve
        from meishi.store.engine import open_store
        store = open_store(resolve().location)
        with store.read() as session:
            session.exec(select(Contact)).all()
        with store.write() as session:
            session.add(Contact(full_name="x"))
        store.close()
        print("alembic" in sys.modules, any(m.startswith("alembic.") for m in sys.modules))
        """
    )
    assert reopened.returncode == 0, reopened.stderr
    assert reopened.stdout.split() == ["False", "False"]
