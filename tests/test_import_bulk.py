"""What importing new people in bulk (store/bulk.py) could break: duplicates, rollback, search."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from helpers import (
    add_event,
    add_person,
    db_dump,
    error_of,
    fails,
    json_of,
    new_home,
    ok,
    table_count,
)
from meishi import importing

# People who repeat: by email (its domain in capitals), by name and company (full-width
# letters fold to the same), by an email a merge gave someone, and one known before.
TRICKY_ROWS = [
    "佐藤 健,ken@example.jp,ABC",
    "鈴木 一,ichi@example.jp,ABC",
    "佐藤 健,,ABC",
    "Ken Sato,ken@EXAMPLE.jp,",
    "鈴木 一,ichi2@example.jp,ＡＢＣ",
    "Ichi Suzuki,ichi2@example.jp,",
    "田中 花子,hana@example.jp,XYZ",
    "伊藤 二,,",
    "伊藤 二,ni2@example.jp,",
    "山田 三,san@example.jp,XYZ",
    "田中 花子,hana@example.jp,XYZ",
]
STAMPS = re.compile(r'"\w+_at": "[^"]*"')


def csv_of(tmp_path: Path, name: str, rows: list[str]) -> Path:
    """A plain CSV of people: name, email, company."""
    path = tmp_path / name
    path.write_text("name,email,company\n" + "".join(f"{row}\n" for row in rows), "utf-8")
    return path


def stored(tmp_path: Path) -> Any:
    """Everything stored, as the JSON export gives it, without the times it was written."""
    out = tmp_path / "dump.json"
    out.unlink(missing_ok=True)
    ok("export", "--format", "json", "--out", str(out))
    return json.loads(STAMPS.sub('"at": ""', out.read_text("utf-8")))


def met_ito() -> None:
    """Yesterday's AI勉強会, where 伊藤 二 was met: what the store holds before an import."""
    add_event("AI勉強会", -1)
    add_person("AI勉強会", "伊藤 二", "--email", "ni@example.jp")


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of three cards, so that a file of a dozen crosses several of them."""
    monkeypatch.setattr(importing, "BULK_EVERY", 3)


@pytest.mark.usefixtures("small_batches")
def test_duplicates_in_the_file_and_the_store_merge_as_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One file in bulk stores what the same rows give imported one file each."""
    monkeypatch.setenv("MEISHI_HOME", str(tmp_path / "alone"))
    met_ito()
    counted = {"created": 0, "merged": 0, "unchanged": 0}
    for number, row in enumerate(TRICKY_ROWS):
        [alone] = json_of(ok("import", "--json", str(csv_of(tmp_path, f"r{number}.csv", [row]))))
        counted = {key: value + alone[key] for key, value in counted.items()}
    expected = stored(tmp_path)
    new_home(tmp_path / "bulk")  # (on a server store, the same database emptied)
    met_ito()
    [report] = json_of(ok("import", "--json", str(csv_of(tmp_path, "all.csv", TRICKY_ROWS))))
    assert stored(tmp_path) == expected
    assert {key: report[key] for key in counted} == counted
    assert counted["created"] == 4
    assert table_count("contact") == 5  # 伊藤 二, 佐藤 健, 鈴木 一, 田中 花子, 山田 三
    ichi = json_of(ok("contacts", "show", "ichi2@example.jp", "--json"))
    assert ichi["name"] == "鈴木 一" and ichi["emails"] == ["ichi@example.jp", "ichi2@example.jp"]


@pytest.mark.usefixtures("small_batches")
def test_a_bad_row_after_a_stored_batch_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    met_ito()
    rows = [f"Person {n},p{n}@example.jp,ABC" for n in range(10)]
    rows.insert(7, "Bad Row,not-an-email,ABC")
    path = csv_of(tmp_path, "people.csv", rows)
    before = db_dump()
    message = error_of(fails("import", str(path)))
    assert message.startswith(f"{path}:9: ") and "--skip-bad" in message
    assert db_dump() == before


@pytest.mark.usefixtures("small_batches")
def test_skipping_a_bad_row_keeps_the_new_people_around_it(tmp_path: Path) -> None:
    rows = [f"Person {n},p{n}@example.jp,ABC" for n in range(5)]
    rows.insert(3, "Person 1,p1@example.jp,ABC")  # merges: its savepoint follows the batch
    rows.insert(4, "Bad Row,not-an-email,ABC")
    [report] = json_of(ok("import", "--json", "--skip-bad", str(csv_of(tmp_path, "p.csv", rows))))
    assert [problem.split(": ")[0] for problem in report["skipped"]] == [f"{tmp_path}/p.csv:6"]
    assert report["created"] == 5 and report["unchanged"] == 1
    assert table_count("contact") == 5 and table_count("contactemail") == 5


def test_search_finds_the_people_imported(tmp_path: Path) -> None:
    rows = [f"髙橋 太郎{n},taro{n}@example.jp,株式会社サンプル{n % 3}" for n in range(1200)]
    rows.append("ヤマダ ハナコ,hanako@example.jp,Northwind")
    ok("import", str(csv_of(tmp_path, "many.csv", rows)))
    found = json_of(ok("search", "やまだ", "--json"))
    assert [person["name"] for person in found] == ["ヤマダ ハナコ"]
    assert [p["name"] for p in json_of(ok("search", "taro1199", "--json"))] == ["髙橋 太郎1199"]
    assert len(json_of(ok("search", "サンプル2", "--all", "--json"))) == 400
