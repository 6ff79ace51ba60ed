"""`meishi import`, `export`, `backup` and `merge`: cards in and out, never locked in."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import stat
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from helpers import (
    add_event,
    add_person,
    db_dump,
    error_of,
    fails,
    home,
    json_of,
    new_home,
    ok,
    run,
    table_count,
)

REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "realworld"
EIGHT_HEADER = (
    "会社名,部署名,役職,姓,名,e-mail,郵便番号,住所,TEL会社,TEL部門,TEL直通,Fax,携帯電話,URL,"
    "名刺交換日,AI,勉強会"
)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    """A file in the test's folder, written in the given encoding, line ends as given."""
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def contacts() -> list[dict]:
    """Every contact as `contacts list --json` shows it."""
    return json_of(ok("contacts", "list", "--all", "--json"))


def qp(text: str) -> str:
    """Text as vCard 2.1 quoted-printable in CP932, with soft line breaks."""
    encoded = "".join(f"={byte:02X}" for byte in text.encode("cp932"))
    return "=\r\n".join(encoded[i : i + 60] for i in range(0, len(encoded), 60))


# --- vCard ---------------------------------------------------------------------------------

VCARD3 = """BEGIN:VCARD\r
VERSION:3.0\r
FN:田中 太郎\r
N:田中;太郎;;;\r
SORT-STRING:たなか たろう\r
ORG:株式会社ソフト;AI戦略室;企画課\r
TITLE:部長\r
EMAIL;TYPE=work:Taro@Example.JP\r
EMAIL;TYPE=home:taro.home@example.jp\r
TEL;TYPE=work:03-1111-2222\r
TEL;TYPE=cell:090-3333-4444\r
NOTE:RAGの評価について話した。長いメモが折り返されて\r
 続いている\r
CATEGORIES:AI,勉強会\r
PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ==\r
END:VCARD\r
BEGIN:VCARD\r
VERSION:3.0\r
FN:Sarah Johnson\r
X-PHONETIC-FIRST-NAME:Sarah\r
ORG:Northwind Ltd.\r
EMAIL:sarah@northwind.example\r
END:VCARD\r
"""


def test_vcard_3_imports_every_field(tmp_path: Path) -> None:
    path = write(tmp_path, "cards.vcf", VCARD3)
    result = ok("import", str(path))
    assert "2 new" in result.stdout
    taro = json_of(ok("contacts", "show", "taro@example.jp", "--json"))
    assert taro["name"] == "田中 太郎"
    assert taro["reading"] == "たなか たろう"
    assert (taro["company"], taro["department"]) == ("株式会社ソフト", "AI戦略室 企画課")
    assert taro["title"] == "部長"
    assert taro["emails"] == ["taro@example.jp", "taro.home@example.jp"]
    assert taro["phone"] == "03-1111-2222, 090-3333-4444"
    assert "長いメモが折り返されて続いている" in taro["note"]
    assert "Tags: AI, 勉強会" in taro["note"]


NOTE_21 = "長いメモ～" * 8 + "\r\n二行目"  # long enough for soft line breaks


def test_vcard_21_shift_jis_quoted_printable(tmp_path: Path) -> None:
    card = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\n"
        f"N;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:{qp('髙橋;①子')};;;\r\n"
        f"FN;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:{qp('髙橋 ①子')}\r\n"
        f"SOUND;X-IRMC-N;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:{qp('ﾀｶﾊｼ;ｲﾁｺ')};;;\r\n"
        f"ORG;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:{qp('株式会社髙島屋～本店')}\r\n"
        f"NOTE;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:{qp(NOTE_21)}\r\n"
        "TEL;WORK;VOICE:03-1234-5678\r\nEMAIL;INTERNET:ichiko@example.jp\r\nEND:VCARD\r\n"
    )
    path = tmp_path / "old-phone.vcf"
    path.write_bytes(card.encode("ascii"))
    ok("import", str(path))
    ichiko = json_of(ok("contacts", "show", "ichiko@example.jp", "--json"))
    assert ichiko["name"] == "髙橋 ①子"
    assert ichiko["reading"] == "タカハシ イチコ"
    assert ichiko["company"] == "株式会社髙島屋～本店"
    assert ichiko["note"] == "長いメモ～" * 8 + "\n二行目"
    assert ichiko["phone"] == "03-1234-5678"


def test_vcard_4_with_uri_phone_and_data_photo(tmp_path: Path) -> None:
    card = (
        "BEGIN:VCARD\nVERSION:4.0\nFN:Kim Lee\nN;SORT-AS=Lee,Kim:Lee;Kim;;;\n"
        "TEL;VALUE=uri;TYPE=cell:tel:+81-90-1234-5678\n"
        "PHOTO:data:image/png;base64\\,iVBORw0KGgo=\nEND:VCARD\n"
    )
    ok("import", str(write(tmp_path, "v4.vcf", card)))
    [kim] = contacts()
    assert (kim["name"], kim["phone"], kim["reading"]) == ("Kim Lee", "+81-90-1234-5678", "Lee Kim")


# --- CSV -----------------------------------------------------------------------------------


def eight_csv(encoding: str) -> str:
    """An Eight export: two people, one exchange date, and tag columns."""
    rows = [
        EIGHT_HEADER,
        "株式会社髙島屋,営業①課,部長～,髙橋,一郎,ichiro@example.jp,100-0001,東京都千代田区,"
        "03-1111-1111,,,,090-1111-1111,,2024/05/10,1,",
        "Northwind Ltd.,Sales,Manager,Johnson,Sarah,sarah@northwind.example,,,,,,,,,2024/05/10,,1",
    ]
    return "\r\n".join(rows) + "\r\n"


@pytest.mark.parametrize("encoding", ["cp932", "utf-8-sig", "utf-8"])
def test_eight_csv_in_every_encoding(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path, "eight.csv", eight_csv(encoding), encoding)
    result = ok("import", str(path))
    assert "2 new" in result.stdout
    ichiro = json_of(ok("contacts", "show", "ichiro@example.jp", "--json"))
    assert (ichiro["name"], ichiro["company"]) == ("髙橋 一郎", "株式会社髙島屋")
    assert (ichiro["department"], ichiro["title"]) == ("営業①課", "部長～")
    assert ichiro["phone"] == "03-1111-1111, 090-1111-1111"
    assert "住所: 東京都千代田区" in ichiro["note"] and "Tags: AI" in ichiro["note"]
    # The exchange date became one event, shared by both, with an encounter each.
    [event] = json_of(ok("event", "list", "--json"))
    assert (event["name"], event["date"]) == ("名刺交換 2024-05-10", "2024-05-10")
    shown = json_of(ok("event", "show", str(event["id"]), "--json"))
    assert {p["name"] for p in shown["people"]} == {"髙橋 一郎", "Sarah Johnson"}


def test_google_and_linkedin_csv(tmp_path: Path) -> None:
    google = (
        "First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Last Name,"
        "Organization Name,Organization Title,Labels,E-mail 1 - Label,E-mail 1 - Value,"
        "E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value\n"
        "花子,,山田,はなこ,やまだ,サンプル商事,課長,* myContacts ::: 取引先,Work,"
        "hanako@example.jp,Home,hanako@home.example,Mobile,090-0000-0000\n"
    )
    linkedin = (
        "Notes:\n"
        '"When exporting your connection data, you may notice that some of the email\n'
        'addresses are missing."\n\n'
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        "Bob,Lee,https://www.linkedin.com/in/boblee,,Contoso,CTO,10 May 2024\n"
    )
    ok("import", str(write(tmp_path, "contacts.csv", google)))
    ok("import", str(write(tmp_path, "Connections.csv", linkedin)))
    by_name = {c["name"]: c for c in contacts()}
    hanako = by_name["山田 花子"]
    assert hanako["reading"] == "やまだ はなこ"
    assert hanako["emails"] == ["hanako@example.jp", "hanako@home.example"]
    assert hanako["note"] == "Tags: 取引先"
    bob = by_name["Bob Lee"]
    assert (bob["company"], bob["title"]) == ("Contoso", "CTO")


def test_any_csv_with_map_and_tabs(tmp_path: Path) -> None:
    text = "氏名\tメール\t会社\tメモ\n佐藤 健\tken@example.jp\tABC株式会社\t幹事さん\n"
    path = write(tmp_path, "list.tsv", text)
    assert "--map" in error_of(fails("import", str(path)))
    ok("import", str(path), "--map", "氏名=name,メール=email,会社=company,メモ=note")
    [ken] = contacts()
    assert (ken["name"], ken["emails"], ken["company"]) == (
        "佐藤 健",
        ["ken@example.jp"],
        "ABC株式会社",
    )
    assert ken["note"] == "幹事さん"


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ("氏名=nombre", "unknown field 'nombre'"),
        ("Missing=name", "no column 'Missing'"),
        ("氏名", "bad --map part"),
    ],
)
def test_bad_map_is_refused_before_anything(tmp_path: Path, mapping: str, message: str) -> None:
    add_event("AI勉強会", -1)
    good = write(tmp_path, "a.vcf", VCARD3)
    path = write(tmp_path, "list.csv", "氏名,メール\n佐藤 健,ken@example.jp\n")
    before = db_dump()
    assert message in error_of(fails("import", str(good), str(path), "--map", mapping))
    assert db_dump() == before


# --- duplicates, dry run, all or nothing ---------------------------------------------------


def test_importing_twice_changes_nothing(tmp_path: Path) -> None:
    vcf = write(tmp_path, "cards.vcf", VCARD3)
    csv_file = write(tmp_path, "eight.csv", eight_csv("utf-8"))
    ok("import", str(vcf), str(csv_file))
    before = db_dump()
    again = ok("import", str(vcf), str(csv_file))
    assert "0 new, 0 merged" in again.stdout
    assert db_dump() == before


def test_same_email_or_name_and_company_merges(tmp_path: Path) -> None:
    add_event("AI勉強会", -1)
    add_person("AI勉強会", "田中 太郎", "--email", "TARO@example.jp", "--topic", "RAG")
    add_person("AI勉強会", "Sarah Johnson", "--company", "Northwind Ltd.")
    result = ok("import", str(write(tmp_path, "cards.vcf", VCARD3)))
    assert "0 new, 2 merged" in result.stdout
    assert table_count("contact") == 2
    taro = json_of(ok("contacts", "show", "taro@example.jp", "--json"))
    assert taro["title"] == "部長"  # filled in
    assert taro["encounters"][0]["topics"] == ["RAG"]  # kept
    sarah = json_of(ok("contacts", "show", "Sarah Johnson", "--json"))
    assert sarah["emails"] == ["sarah@northwind.example"]


def test_dry_run_prints_and_stores_nothing(tmp_path: Path) -> None:
    add_event("AI勉強会", -1)
    add_person("AI勉強会", "田中 太郎", "--email", "taro@example.jp")
    before = db_dump()
    result = ok("import", "--dry-run", str(write(tmp_path, "cards.vcf", VCARD3)))
    assert "would be 1 new, 1 merged" in result.stdout
    assert "new: Sarah Johnson" in result.stdout and "merged: 田中 太郎" in result.stdout
    assert "nothing was stored" in result.stdout
    assert db_dump() == before


BAD_CSV = (
    "name,email,company\n"
    "佐藤 健,ken@example.jp,ABC\n"
    "鈴木 一,not-an-email,ABC\n"
    "伊藤 二,ni@example.jp,ABC\n"
)


def test_a_bad_record_refuses_the_whole_file(tmp_path: Path) -> None:
    path = write(tmp_path, "people.csv", BAD_CSV)
    before = db_dump()
    message = error_of(fails("import", str(path)))
    assert message.startswith(f"{path}:3: ")
    assert "not-an-email" in message and "--skip-bad" in message
    assert db_dump() == before or table_count("contact") == 0


def test_skip_bad_imports_the_rest_and_lists_it(tmp_path: Path) -> None:
    path = write(tmp_path, "people.csv", BAD_CSV)
    result = ok("import", "--skip-bad", str(path))
    assert f"skipped {path}:3: " in result.stdout
    assert {c["name"] for c in contacts()} == {"佐藤 健", "伊藤 二"}


def test_event_option_links_everyone(tmp_path: Path) -> None:
    add_event("AI勉強会 #12", -1)
    ok("import", "--event", "AI勉強会", str(write(tmp_path, "cards.vcf", VCARD3)))
    shown = json_of(ok("event", "show", "AI勉強会 #12", "--json"))
    assert {p["name"] for p in shown["people"]} == {"田中 太郎", "Sarah Johnson"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.vcf"], "cannot read"),
        (["--format", "xls", "a.csv"], "unknown format 'xls'"),
        (["junk.bin"], "cannot tell what"),
    ],
)
def test_bad_input_is_one_line_and_stores_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    write(tmp_path, "a.csv", "name\nX\n")
    write(tmp_path, "junk.bin", "\x00\x01 hello")
    before = db_dump()
    os.chdir(tmp_path)
    assert message in error_of(fails("import", *args))
    assert db_dump() == before


# --- real-world files ----------------------------------------------------------------------

REALWORLD_FILES = sorted(p for p in REALWORLD.rglob("*") if p.suffix in {".vcf", ".ics"})


def test_realworld_fixtures_are_there() -> None:
    assert len(REALWORLD_FILES) > 40


@pytest.mark.parametrize("path", REALWORLD_FILES, ids=lambda p: p.name)
def test_realworld_file_imports_or_fails_clearly(path: Path) -> None:
    result = run("import", str(path))
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        assert f"{path} (" in result.stdout
        return
    assert result.exit_code == 2, result.output
    message = error_of(result)
    assert message.startswith(f"{path}:"), message
    assert message.split(":", 2)[1].isdigit(), message  # FILE:LINE
    assert len(result.stderr.strip().splitlines()) == 1


def test_realworld_known_results() -> None:
    ok("import", str(REALWORLD / "vcard" / "khard" / "vcards__individual.vcf"))
    [coyote] = contacts()
    assert (coyote["name"], coyote["company"]) == ("Wile E. Coyote", "ACME Inc.")
    unparsable = REALWORLD / "vcard" / "khard" / "vcards__unparsable.vcf"
    assert "END:VCARD is missing" in error_of(fails("import", str(unparsable)))


# --- iCalendar -----------------------------------------------------------------------------

ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//connpass//EN\r
BEGIN:VEVENT\r
UID:1@connpass\r
SUMMARY:Tokyo AI 勉強会 #13\r
DTSTART:20300510T100000Z\r
LOCATION:渋谷\r
ORGANIZER;CN=佐藤 健:mailto:ken@example.jp\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:2@outlook\r
SUMMARY:異業種交流会\r
DTSTART;TZID=Tokyo Standard Time:20300601T190000\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:3@google\r
SUMMARY:もくもく会\r
DTSTART;VALUE=DATE:20300701\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:4@peatix\r
SUMMARY:月例会\r
DTSTART;TZID=Asia/Tokyo:{series_start}T190000\r
RRULE:FREQ=WEEKLY;COUNT=3\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_ics_events_with_zones_all_day_and_series(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    import time

    time.tzset()
    try:
        first = dt.date.today() + dt.timedelta(days=10)  # recurring: expanded near today
        path = write(tmp_path, "events.ics", ICS.replace("{series_start}", f"{first:%Y%m%d}"))
        ok("import", str(path))
        events = {(e["name"], e["date"], e["time"]) for e in json_of(ok("event", "list", "--json"))}
        by_name = {e["name"]: e for e in json_of(ok("event", "list", "--json"))}
        before = db_dump()
        ok("import", str(path))
        assert db_dump() == before  # the same events: nothing new
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert ("Tokyo AI 勉強会 #13", "2030-05-10", "19:00") in events  # 10:00 UTC in Tokyo
    assert ("異業種交流会", "2030-06-01", "19:00") in events  # a Windows zone name
    assert ("もくもく会", "2030-07-01", None) in events  # all day
    assert {e for e in events if e[0] == "月例会"} == {
        ("月例会", (first + dt.timedelta(weeks=n)).isoformat(), "19:00") for n in range(3)
    }
    organized = by_name["Tokyo AI 勉強会 #13"]
    assert (organized["organizer"], organized["organizer_email"]) == ("佐藤 健", "ken@example.jp")
    assert organized["place"] == "渋谷"


# --- export --------------------------------------------------------------------------------


def test_export_vcard_round_trips_readings_and_japanese(tmp_path: Path) -> None:
    ok("import", str(write(tmp_path, "cards.vcf", VCARD3)))
    for version in ("3.0", "4.0"):
        out = tmp_path / f"out-{version}.vcf"
        ok("export", "--format", "vcard", "--version", version, "--out", str(out))
        text = out.read_text(encoding="utf-8")
        assert f"VERSION:{version}" in text and "FN:田中 太郎" in text
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
        assert ("SORT-STRING:たなか たろう" in text) == (version == "3.0")
        assert "X-PHONETIC-LAST-NAME:たなか" in text
    before = db_dump()
    ok("import", str(tmp_path / "out-4.0.vcf"))
    assert db_dump() == before  # the same people: nothing new


def test_export_csv_is_utf8_with_bom_and_reimports(tmp_path: Path) -> None:
    ok("import", str(write(tmp_path, "eight.csv", eight_csv("cp932"), "cp932")))
    out = tmp_path / "out.csv"
    ok("export", "--format", "csv", "--out", str(out))
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "髙橋 一郎" in data.decode("utf-8-sig")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    before = db_dump()
    ok("import", str(out))
    assert db_dump() == before


def test_export_to_stdout_and_bad_format() -> None:
    add_event("AI勉強会", -1)
    add_person("AI勉強会", "田中 太郎", "--email", "taro@example.jp")
    assert "BEGIN:VCARD" in ok("export").stdout
    assert "unknown format" in error_of(fails("export", "--format", "xml"))
    assert "3.0 or 4.0" in error_of(fails("export", "--version", "2.1"))


def full_store(tmp_path: Path) -> None:
    """A store with something in every table: events, people, topics, drafts, follow-ups."""
    ok("config", "set", "me.name", "山田 花子")
    add_event("AI勉強会 #1", -3, "--series", "AI勉強会", "--organizer", "佐藤 健", "--fee", "2000")
    add_event("AI勉強会 #2", 5, "--series", "AI勉強会")
    add_person(
        "AI勉強会 #1",
        "田中 太郎",
        "--email",
        "taro@example.jp",
        "--topic",
        "RAG",
        "--topic",
        "評価",
        "--reading",
        "たなか たろう",
        "--note",
        "名刺の裏にメモ",
    )
    add_person("AI勉強会 #1", "Sarah Johnson", "--email", "sarah@northwind.example")
    ok("thank", "--event", "AI勉強会 #1")
    ok("thank", "--mark-sent", "Sarah Johnson")
    ok("followup", "AI勉強会 #1", "survey", "--date", "today", "--note", "アンケート")
    ok("cancel", "AI勉強会 #2")
    ok("import", str(write(tmp_path, "cards.vcf", VCARD3)))
    keep_card_image(contact_id=1)


def keep_card_image(contact_id: int) -> None:
    """A scanned card's image row, as `add --scan` leaves it (the file itself is not needed)."""
    from meishi.home import resolve
    from meishi.models import CardImage
    from meishi.store.engine import open_store

    store = open_store(resolve().location)
    try:
        with store.write() as session:
            image = CardImage(
                contact_id=contact_id, path="cards/ab.jpg", sha256="ab" * 32, fields='{"fax": "03"}'
            )
            session.add(image)
    finally:
        store.close()


def test_json_export_import_into_empty_home_is_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    full_store(tmp_path)
    first = tmp_path / "dump.json"
    ok("export", "--format", "json", "--out", str(first))
    data = json.loads(first.read_text(encoding="utf-8"))
    assert data["meishi"] == 1
    assert {d["state"] for d in data["drafts"]} == {"draft", "sent"}
    assert data["follow_ups"] and data["attendance_changes"] and data["outbox"] == []
    assert any(e["topics"] == ["RAG", "評価"] for e in data["encounters"])
    assert [(c["contact_id"], c["path"]) for c in data["card_images"]] == [(1, "cards/ab.jpg")]
    new_home(tmp_path / "empty")
    ok("import", str(first))
    second = tmp_path / "again.json"
    ok("export", "--format", "json", "--out", str(second))
    # A pending draft from a file is a record until drafted again here: it is never sent as is.
    expected = first.read_text(encoding="utf-8").replace('"state": "draft"', '"state": "restored"')
    assert second.read_text(encoding="utf-8") == expected
    before = db_dump()
    ok("import", str(first))  # into a store that has it all: nothing doubles
    assert db_dump() == before


# --- backup and merge ----------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_backup_is_a_checked_private_copy(tmp_path: Path) -> None:
    full_store(tmp_path)
    target = tmp_path / "copy.db"
    ok("backup", str(target))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not list(tmp_path.glob("*.partial"))
    with closing(sqlite3.connect(target)) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT count(*) FROM contact").fetchone()[0] == table_count("contact")
    default = ok("backup").stdout
    [made] = list((home() / "backups").glob("meishi-*.db"))
    assert str(made) in default
    assert stat.S_IMODE(made.stat().st_mode) == 0o600


@pytest.mark.sqlite_only
def test_backup_without_database_and_to_unwritable_place(tmp_path: Path) -> None:
    assert "nothing to back up" in error_of(fails("backup", str(tmp_path / "x.db")))
    add_event("AI勉強会", -1)
    assert "cannot write" in error_of(fails("backup", "/proc/nope/x.db", code=1))


def test_merge_keeps_every_encounter() -> None:
    add_event("AI勉強会 #1", -8)
    add_event("AI勉強会 #2", -1)
    add_person("AI勉強会 #1", "田中 太郎", "--email", "taro@example.jp", "--topic", "RAG")
    add_person(
        "AI勉強会 #2",
        "田中太郎",
        "--email",
        "taro@softbank.example",
        "--company",
        "ソフト",
        "--topic",
        "評価",
    )
    add_person("AI勉強会 #1", "田中太郎", "--email", "taro@softbank.example", "--topic", "UX")
    ok("config", "set", "me.name", "山田 花子")
    ok("thank", "--since", "10 days ago")
    drafts = table_count("draft")
    result = ok("merge", "taro@example.jp", "taro@softbank.example")
    assert table_count("draft") == drafts  # the merged one's drafts were kept, not cascaded
    assert "filled in company" in result.stdout
    taro = json_of(ok("contacts", "show", "taro@example.jp", "--json"))
    assert taro["emails"] == ["taro@example.jp", "taro@softbank.example"]
    assert taro["company"] == "ソフト"
    topics = {e["event"]["name"]: e["topics"] for e in taro["encounters"]}
    assert topics == {"AI勉強会 #1": ["RAG", "UX"], "AI勉強会 #2": ["評価"]}
    assert table_count("contact") == 1
    assert "same contact twice" in error_of(fails("merge", "taro@example.jp", "田中 太郎"))


def test_an_unescaped_comma_in_org_stays_in_the_company(tmp_path: Path) -> None:
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:David Miller\r\n"
        "ORG:Blue Harbor Co., Ltd.;Sales\r\nEND:VCARD\r\n"
    )
    ok("import", str(write(tmp_path, "miller.vcf", card)))
    [contact] = json_of(ok("contacts", "list", "--json"))
    assert (contact["company"], contact["department"]) == ("Blue Harbor Co., Ltd.", "Sales")


def test_import_stores_companies_in_full_and_says_so(tmp_path: Path) -> None:
    cards = tmp_path / "cards.vcf"
    cards.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:佐藤 花子\r\nORG:(株)サンプル\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nORG:Example Ltd\r\nEND:VCARD\r\n",
        encoding="utf-8",
    )
    assert (
        "company written in full: (株)サンプル → 株式会社サンプル"
        in ok("import", str(cards)).stdout
    )
    companies = {c["name"]: c["company"] for c in json_of(ok("contacts", "list", "--json"))}
    assert companies == {"佐藤 花子": "株式会社サンプル", "Ann Lee": "Example Ltd"}


KNOWN_CSV = (
    "name,email,company\n"
    "田中 太郎,taro@example.jp,株式会社ソフト\n"  # known, without a company: merged
    "田中 太郎,taro@example.jp,株式会社ソフト\n"  # the same again: unchanged
    "佐藤 健,ken@example.jp,ABC\n"  # new
    "鈴木 一,not-an-email,ABC\n"  # bad: skipped
    "伊藤 二,ni@example.jp,ABC\n"  # new
    "佐藤 健,KEN@example.jp,ABC\n"  # new a few rows up: unchanged
    "山田 三,san@example.jp,\n"  # new
)


@pytest.mark.parametrize("dry_run", [True, False])
def test_import_counts_are_exact(tmp_path: Path, dry_run: bool) -> None:
    add_event("AI勉強会", -1)
    add_person("AI勉強会", "田中 太郎", "--email", "taro@example.jp")
    path = write(tmp_path, "people.csv", KNOWN_CSV)
    options = ["--dry-run"] if dry_run else []
    [report] = json_of(ok("import", "--skip-bad", "--json", *options, str(path)))
    counts = {key: report[key] for key in ("created", "merged", "unchanged")}
    assert counts == {"created": 3, "merged": 1, "unchanged": 2}
    assert [problem.split(": ")[0] for problem in report["skipped"]] == [f"{path}:5"]
    text = ok("import", "--skip-bad", *options, str(path)).stdout
    if dry_run:
        assert "would be 3 new, 1 merged, 2 unchanged" in text
        assert table_count("contact") == 1
    else:  # the second run finds everything known
        assert "0 new, 0 merged, 6 unchanged" in text
        assert table_count("contact") == 4


def test_import_shows_a_progress_bar_on_a_terminal_only(tmp_path: Path) -> None:
    import pty

    path = write(tmp_path, "people.csv", KNOWN_CSV)
    controller, terminal = pty.openpty()
    command = [sys.executable, "-m", "meishi", "import", "--skip-bad", str(path)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=terminal) as done:
        os.close(terminal)
        shown = _read_all(controller)
        stdout = done.stdout.read().decode() if done.stdout else ""
    assert done.returncode == 0, shown
    assert "7 rows" in shown and "/s" in shown and "people.csv" in shown  # the bad row too
    assert "kB" in shown or " bytes" in shown
    assert "people.csv (csv): 4 new, 0 merged, 2 unchanged" in stdout
    piped = subprocess.run(command, capture_output=True, text=True, check=True)
    assert "rows" not in piped.stderr  # not a terminal: no bar


def _read_all(controller: int) -> str:
    """Everything written to a pseudo-terminal until its other end closes."""
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    return b"".join(chunks).decode(errors="replace")
