"""`meishi db copy --to URL`: the whole store into an empty database, either engine, checked;
and `meishi backup` on a server."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import stat
from pathlib import Path

import keyring
import psycopg
import pytest
from sqlalchemy.engine import make_url
from sqlmodel import select

from cardmaker import make_cards, save
from helpers import (
    MemoryKeyring,
    add_event,
    error_of,
    fails,
    home,
    json_of,
    ok,
    on_terminal,
    snapshot,
)
from meishi.demo import populate
from meishi.errors import CopyMismatch
from meishi.models import (
    CardImage,
    Contact,
    Decision,
    Draft,
    DraftEncounter,
    Encounter,
    Exchange,
    MailCursor,
    OutboxMessage,
    PastPosition,
)
from meishi.store.copy import check_counts
from meishi.store.engine import open_store
from pg_server import PgServer


@pytest.fixture(autouse=True)
def from_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    """The store starts as the home's SQLite file in both passes of the suite; a test that
    wants a server sets its URL."""
    monkeypatch.delenv("MEISHI_DATABASE_URL", raising=False)


SECRET = "s3cret-copy-9b"
IMAGE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # every byte value, as an image has
IMAGE_PATH = f"cards/{hashlib.sha256(IMAGE).hexdigest()[:16]}.png"


def rich_store(folder: Path) -> None:
    """A store holding a row of every table: the demo's month, plus drafts, the outbox,
    exchanges, a job change, a verdict, a mail cursor and a card image with its file."""
    now = dt.datetime(2026, 11, 20, 21, 30, 15, 123456).astimezone()
    store = open_store(folder / "meishi.db")
    try:
        with store.write() as session:
            populate(session, now)
            tanaka = session.exec(select(Contact).where(Contact.full_name == "田中 太郎")).one()
            met = session.exec(select(Encounter).where(Encounter.contact_id == tanaka.id)).one()
            draft = Draft(
                contact_id=tanaka.id,
                event_id=met.event_id,
                encounter_id=met.id,
                template="thank_ja",
                to_name="田中 太郎",
                to_addr="taro.tanaka@example.co.jp",
                subject="昨日はありがとうございました",
                body="田中様\n\n昨日は生成AIの社内導入について…",
                state="sent",
                message_id="<m1@meishi>",
            )
            session.add(draft)
            session.flush()
            session.add(DraftEncounter(draft_id=draft.id, encounter_id=met.id))
            session.add(
                OutboxMessage(
                    draft_id=draft.id,
                    encounter_id=met.id,
                    to_addr="taro.tanaka@example.co.jp",
                    subject="昨日はありがとうございました",
                    message_id="<m1@meishi>",
                    raw="件名: ありがとう\r\n".encode() + b"\x00\xff",
                    state="sent",
                    attempts=1,
                    sent_at=now,
                )
            )
            session.add(Decision(series="Tokyo AI 勉強会", verdict="return", decided_at=now))
            session.add(MailCursor(folder="INBOX", uidvalidity=7, highest_uid=42))
            session.add(
                Exchange(
                    contact_id=tanaka.id,
                    direction="in",
                    date=now,
                    subject="Re: 昨日はありがとうございました",
                    message_id="<r1@example.co.jp>",
                    folder="INBOX",
                    matched="in-reply-to",
                    encounter_id=met.id,
                )
            )
            session.add(PastPosition(contact_id=tanaka.id, company="旧株式会社", until=now.date()))
            session.add(
                CardImage(
                    contact_id=tanaka.id,
                    path=IMAGE_PATH,
                    sha256=hashlib.sha256(IMAGE).hexdigest(),
                    fields='{"mobile": "090-1234-5678"}',
                )
            )
    finally:
        store.close()
    (folder / "cards").mkdir(mode=0o700, exist_ok=True)
    (folder / IMAGE_PATH).write_bytes(IMAGE)


def exported(tmp_path: Path, name: str) -> bytes:
    """The store's JSON export, as bytes."""
    out = tmp_path / f"{name}.json"
    ok("export", "--format", "json", "--out", str(out))
    return out.read_bytes()


def server_rows(url: str, query: str) -> list[tuple[object, ...]]:
    """Rows a query reads straight from the server database."""
    parts = make_url(url)
    with psycopg.connect(
        dbname=parts.database, user=parts.username, host=str(parts.query["host"])
    ) as connection:
        return connection.execute(query).fetchall()


def test_sqlite_to_postgresql_and_back_exports_the_same_bytes(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rich_store(home())
    original = exported(tmp_path, "original")
    assert "田中 太郎" in original.decode() and "Tokyo AI 勉強会" in original.decode()

    copied = ok("db", "copy", "--to", pg_url)
    assert "counts checked" in copied.stdout
    # On the server the image is in the database: every machine reaches it.
    assert server_rows(pg_url, "SELECT data FROM cardimage") == [(IMAGE,)]

    # Another machine: its own home, the same server.
    monkeypatch.setenv("MEISHI_HOME", str(tmp_path / "laptop"))
    monkeypatch.setenv("MEISHI_DATABASE_URL", pg_url)
    assert json_of(ok("search", "たなか", "--json"))[0]["name"] == "田中 太郎"
    back = tmp_path / "back"
    ok("db", "copy", "--to", f"sqlite:///{back / 'meishi.db'}")

    monkeypatch.delenv("MEISHI_DATABASE_URL")
    monkeypatch.setenv("MEISHI_HOME", str(back))
    assert exported(tmp_path, "round-trip") == original
    # Back on SQLite the image is a file again, owner-only, beside the database.
    assert (back / IMAGE_PATH).read_bytes() == IMAGE
    assert stat.S_IMODE((back / IMAGE_PATH).stat().st_mode) == 0o600
    assert json_of(ok("search", "すずき", "--json"))[0]["name"] == "鈴木 一郎"


def test_a_new_row_on_the_server_gets_a_new_id(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rich_store(home())
    ok("db", "copy", "--to", pg_url)
    highest = max(row[0] for row in server_rows(pg_url, "SELECT id FROM contact"))
    monkeypatch.setenv("MEISHI_DATABASE_URL", pg_url)
    added = ok("add", "--event", "Tokyo AI 勉強会 #12", "--name", "新井 花子")
    assert f"#{highest + 1} " in added.stdout


def test_a_destination_holding_data_is_refused_and_left_alone(pg_url: str) -> None:
    rich_store(home())
    ok("db", "copy", "--to", pg_url)
    before = server_rows(pg_url, "SELECT id, full_name FROM contact ORDER BY id")
    refused = fails("db", "copy", "--to", pg_url)
    assert "is not empty" in error_of(refused)
    assert server_rows(pg_url, "SELECT id, full_name FROM contact ORDER BY id") == before


def test_copying_into_its_own_sqlite_file_is_refused(tmp_path: Path) -> None:
    rich_store(home())
    before = snapshot()
    refused = fails("db", "copy", "--to", f"sqlite:///{home() / 'meishi.db'}")
    assert "is the store itself" in error_of(refused)
    assert snapshot() == before


def test_a_sqlite_file_holding_data_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine, other = home(), tmp_path / "other"
    rich_store(mine)
    monkeypatch.setenv("MEISHI_HOME", str(other))
    ok("event", "add", "Design Systems Meetup", "--date", "2026-12-01")
    before = snapshot()
    monkeypatch.setenv("MEISHI_HOME", str(mine))
    refused = fails("db", "copy", "--to", f"sqlite:///{other / 'meishi.db'}")
    assert "is not empty" in error_of(refused)
    monkeypatch.setenv("MEISHI_HOME", str(other))
    assert snapshot() == before


def test_another_programs_database_is_refused(pg_server: PgServer, pg_url: str) -> None:
    rich_store(home())
    name = make_url(pg_url).database
    with pg_server.connect(name) as connection:
        connection.execute("CREATE TABLE invoices (id int)")
    refused = fails("db", "copy", "--to", pg_url)
    assert "another program's tables" in error_of(refused)
    assert server_rows(pg_url, "SELECT count(*) FROM pg_tables WHERE tablename = 'contact'") == [
        (0,)
    ]


@pytest.mark.parametrize(
    "url", ["mysql://me@db/meishi", "sqlite:meishi.db", "meishi.db", "postgresql://"]
)
def test_a_url_of_another_kind_is_refused(url: str) -> None:
    refused = fails("db", "copy", "--to", url)
    assert "postgresql://" in error_of(refused) or "sqlite:///" in error_of(refused)


def test_an_unreachable_server_is_one_line_without_the_password(tmp_path: Path) -> None:
    rich_store(home())
    url = f"postgresql://me:s3cret-pw@/meishi?host={tmp_path / 'no-server'}"
    refused = fails("db", "copy", "--to", url, code=1)
    assert "cannot reach the database server" in error_of(refused)
    assert "s3cret-pw" not in refused.output


def test_a_missing_sqlite_folder_leaves_no_file(tmp_path: Path) -> None:
    rich_store(home())
    (tmp_path / "a-file").write_text("not a folder")
    fails("db", "copy", "--to", f"sqlite:///{tmp_path / 'a-file' / 'meishi.db'}", code=1)
    assert (tmp_path / "a-file").read_text() == "not a folder"


def test_counts_that_differ_are_named_and_refused() -> None:
    with pytest.raises(CopyMismatch, match=r"contact 2 of 3, topic 0 of 1"):
        check_counts({"contact": 3, "event": 1, "topic": 1}, {"contact": 2, "event": 1}, "db")
    check_counts({"contact": 3}, {"contact": 3}, "db")  # the same: nothing raised


def test_backup_on_a_server_writes_the_json_dump_and_names_pg_dump(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rich_store(home())
    ok("db", "copy", "--to", pg_url)
    monkeypatch.setenv("MEISHI_DATABASE_URL", pg_url)
    done = ok("backup")
    assert "pg_dump" in done.stdout.splitlines()[-1]
    (written,) = (home() / "backups").glob("meishi-*.json")
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    dump = json.loads(written.read_text(encoding="utf-8"))
    assert [c["full_name"] for c in dump["contacts"]][:1] == ["田中 太郎"]
    (image,) = dump["card_images"]
    assert image["data"] is not None  # the image itself, in base64

    # The dump restores into a new SQLite store, the image with it.
    monkeypatch.delenv("MEISHI_DATABASE_URL")
    monkeypatch.setenv("MEISHI_HOME", str(tmp_path / "restored"))
    ok("import", str(written))
    status = json_of(ok("db", "status", "--json"))
    assert status["counts"]["card_images"] == 1 and status["counts"]["drafts"] == 1


@pytest.mark.slow
def test_a_card_scanned_on_one_machine_shows_on_another(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEISHI_DATABASE_URL", pg_url)
    add_event("Tokyo AI 勉強会", -1)
    card = dataclasses.replace(make_cards(2, seed=3)[1], qr="vcard")
    scanned = save(card, tmp_path / "card.png")
    ok("add", "--scan", str(scanned), "--yes")
    assert server_rows(pg_url, "SELECT data FROM cardimage") == [(scanned.read_bytes(),)]

    laptop = tmp_path / "laptop"
    monkeypatch.setenv("MEISHI_HOME", str(laptop))
    [image] = json_of(ok("contacts", "show", "1", "--json"))["card_images"]
    assert Path(image["path"]).parent == laptop / "cards"
    assert Path(image["path"]).read_bytes() == scanned.read_bytes()


def test_a_terminal_sees_the_copy_progress(tmp_path: Path) -> None:
    rich_store(home())
    target = f"sqlite:///{tmp_path / 'copy' / 'meishi.db'}"
    assert on_terminal("db", "copy", "--to", target, dialogue=[], last="Copying") == 0
    assert (tmp_path / "copy" / "meishi.db").exists()


def test_the_password_for_the_copy_comes_from_the_keyring(
    pg_server: PgServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As docs/shared-store.md says: the password kept first, then the copy, never shown."""
    rich_store(home())
    database = pg_server.require_password("meishi_copier", SECRET)
    url = f"postgresql://meishi_copier@/{database}?host={pg_server.socket_dir}"
    monkeypatch.setenv("PGPASSFILE", os.devnull)  # a developer's ~/.pgpass must not answer
    previous = keyring.get_keyring()
    try:
        keyring.set_keyring(MemoryKeyring())
        refused = fails("db", "copy", "--to", url, code=1)
        assert "refused the login" in error_of(refused)
        monkeypatch.setenv("MEISHI_DATABASE_URL", url)
        ok("config", "set-password", "database", input=f"{SECRET}\n")
        monkeypatch.delenv("MEISHI_DATABASE_URL")
        copied = ok("db", "copy", "--to", url)
        assert SECRET not in copied.output
        monkeypatch.setenv("MEISHI_DATABASE_URL", url)
        assert json_of(ok("db", "status", "--json"))["counts"]["contacts"] == 4
    finally:
        keyring.set_keyring(previous)
        pg_server.drop_database(database)
