"""Round trips with a real peer (khard), and an import killed halfway leaving no trace."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import add_event, add_person, db_dump, home, json_of, ok

KHARD = shutil.which("khard")
needs_khard = pytest.mark.skipif(KHARD is None, reason="khard (a test extra) is not installed")


def khard(config: Path, *args: str, input: str | None = None) -> str:
    """Run khard with this config; its standard output."""
    assert KHARD is not None
    done = subprocess.run(
        [KHARD, "-c", str(config), *args],
        input=input,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def khard_config(tmp_path: Path, folder: Path) -> Path:
    """A khard config with one address book: the folder."""
    config = tmp_path / "khard.conf"
    config.write_text(
        f"[addressbooks]\n[[meishi]]\npath = {folder}\n"
        "[general]\neditor = true\nmerge_editor = true\n"
        "[contact table]\ndisplay = formatted_name\n",
        encoding="utf-8",
    )
    return config


@needs_khard
def test_khard_lists_what_meishi_exported(tmp_path: Path) -> None:
    add_event("AI勉強会", -1)
    add_person(
        "AI勉強会",
        "田中 太郎",
        "--email",
        "taro@example.jp",
        "--reading",
        "たなか たろう",
        "--company",
        "株式会社ソフト",
    )
    add_person(
        "AI勉強会",
        "Sarah Johnson",
        "--email",
        "sarah@northwind.example",
        "--email",
        "sj@home.example",
    )
    add_person("AI勉強会", "髙橋 ①子")
    folder = tmp_path / "vdir"
    folder.mkdir()
    ok("export", "--out", str(folder))
    config = khard_config(tmp_path, folder)
    names = {line.split("\t")[1] for line in khard(config, "list", "--parsable").splitlines()}
    assert names == {"田中 太郎", "Sarah Johnson", "髙橋 ①子"}
    emails = {
        tuple(line.split("\t")[:2])
        for line in khard(config, "email", "--parsable").splitlines()
        if "\t" in line  # khard also prints "searching for 'ALL' ..."
    }
    assert emails == {
        ("taro@example.jp", "田中 太郎"),
        ("sarah@northwind.example", "Sarah Johnson"),
        ("sj@home.example", "Sarah Johnson"),
    }


@needs_khard
@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_meishi_imports_what_khard_wrote(tmp_path: Path, version: str) -> None:
    folder = tmp_path / "book"
    folder.mkdir()
    config = khard_config(tmp_path, folder)
    template = (
        "Formatted name : 山田 花子\nFirst name : 花子\nLast name : 山田\n"
        "Organisation : サンプル商事\nTitle : 課長\n"
        "Email :\n    work : hanako@example.jp\nPhone :\n    cell : 090-1111-2222\n"
        "Note : 勉強会で名刺交換\n"
    )
    khard(config, "new", "-a", "meishi", "--vcard-version", version, input=template)
    [card] = list(folder.glob("*.vcf"))
    ok("import", str(card))
    hanako = json_of(ok("contacts", "show", "hanako@example.jp", "--json"))
    assert (hanako["name"], hanako["company"], hanako["title"]) == (
        "山田 花子",
        "サンプル商事",
        "課長",
    )
    assert (hanako["phone"], hanako["note"]) == ("090-1111-2222", "勉強会で名刺交換")


@pytest.mark.slow
@pytest.mark.sqlite_only  # it waits for SQLite's write-ahead log to grow
def test_kill_9_in_the_middle_of_an_import_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    add_event("AI勉強会", -1)
    add_person("AI勉強会", "田中 太郎", "--email", "taro@example.jp")
    before = db_dump()
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8") as file:
        file.write("name,email,company\n")
        for n in range(200_000):
            file.write(f"人 {n},p{n}@example.jp,会社{n % 100}\n")
    env = {**os.environ, "MEISHI_HOME": str(home())}
    process = subprocess.Popen(
        [sys.executable, "-m", "meishi", "import", str(big)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_writes(home() / "meishi.db-wal", process)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL  # killed, not finished
    assert db_dump() == before


def _wait_for_writes(wal: Path, process: subprocess.Popen[bytes]) -> None:
    """Wait until the import is writing its transaction: some pages in the WAL, or 3 s of work.

    Not a fixed WAL size: when SQLite spills its cache to the WAL varies between machines.
    """
    started = time.monotonic()
    deadline = started + 60
    while time.monotonic() < deadline and process.poll() is None:
        wrote = wal.exists() and wal.stat().st_size > 100_000
        if wrote or time.monotonic() - started > 3:
            return
        time.sleep(0.05)
    assert process.poll() is None, "the import finished before it could be killed"
    pytest.fail("the import wrote nothing within a minute")
