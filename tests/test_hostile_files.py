"""Hostile files and templates: each gives a clean outcome, in bounded time and memory.

Every attack is generated here, in the test's folder (the big ones are never committed).
A refusal is one `meishi:` line (FILE:LINE for a bad record), exit 2, the store as it was;
the heavy ones run in a child whose time and peak memory are measured (helpers.run_bounded).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import struct
import zlib
from pathlib import Path

import pytest

from cardmaker import make_cards, save
from helpers import (
    HOSTILE_RSS_MB,
    add_event,
    error_of,
    fails,
    home,
    json_of,
    ok,
    refused_in_child,
    run,
    run_bounded,
    set_me,
    snapshot,
)
from meishi import limits

MB = 1024**2


@pytest.fixture(autouse=True)
def existing_store() -> None:
    """A store already holding someone, as a user's does: a refusal must leave it as it is."""
    add_event("Existing", -30)
    ok("add", "--event", "Existing", "--name", "Existing Person")


def names() -> list[str]:
    """The names of the contacts, newest first."""
    return [c["name"] for c in json_of(ok("contacts", "list", "--all", "--json"))]


def write_bytes(path: Path, data: bytes) -> Path:
    """A file with these bytes."""
    path.write_bytes(data)
    return path


def vcard(*lines: str) -> str:
    """One vCard 3.0 holding these content lines."""
    return "\r\n".join(["BEGIN:VCARD", "VERSION:3.0", *lines, "END:VCARD", ""])


def calendar(*events: str) -> str:
    """A calendar holding these VEVENT bodies."""
    parts = ["BEGIN:VCALENDAR", "VERSION:2.0"]
    for body in events:
        parts += ["BEGIN:VEVENT", body.strip().replace("\n", "\r\n"), "END:VEVENT"]
    return "\r\n".join([*parts, "END:VCALENDAR", ""])


def soon(days: int = 10) -> str:
    """A day near today as an iCalendar date-time (series are expanded around today)."""
    return f"{dt.date.today() + dt.timedelta(days=days):%Y%m%d}T100000Z"


# --- file, line and record sizes -------------------------------------------------------------


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.vcf"
    with path.open("wb") as file:  # sparse: takes no disk
        file.truncate(limits.IMPORT_FILE_BYTES + 1)
    message = refused_in_child("import", str(path))
    assert message == (
        f"{path} is larger than 256 MB, the most meishi imports from one file; "
        "split it into smaller files"
    )


def test_a_50_mb_name_on_one_line_is_refused_with_its_line_at_small_memory(
    tmp_path: Path,
) -> None:
    path = write_bytes(tmp_path / "name.vcf", vcard("FN:" + "a" * (50 * MB)).encode())
    message = refused_in_child("import", str(path))
    assert message.startswith(f"{path}:3: the line is longer than 4 MB")


def test_a_50_mb_folded_name_is_refused_as_too_long_a_card(tmp_path: Path) -> None:
    folded = "\r\n ".join("a" * 74 for _ in range(50 * MB // 74))
    path = write_bytes(tmp_path / "folded.vcf", vcard("FN:" + folded).encode())
    message = refused_in_child("import", str(path))
    assert message.startswith(f"{path}:1: the card is longer than 16 MB")


def test_a_card_with_5000_emails_is_refused_quickly(tmp_path: Path) -> None:
    emails = [f"EMAIL:m{i}@example.com" for i in range(5000)]
    path = write_bytes(tmp_path / "emails.vcf", vcard("FN:Many Mails", *emails).encode())
    message = refused_in_child("import", str(path))
    assert message.startswith(f"{path}:1: more than 1,000 lines in one card, the most meishi reads")


def test_a_card_is_not_refused_for_its_photo_and_its_photo_costs_no_memory(
    tmp_path: Path,
) -> None:
    photo = "PHOTO;ENCODING=b;TYPE=JPEG:" + "QUFB" * (3 * MB // 4)  # 3 MB of base64
    path = write_bytes(tmp_path / "photo.vcf", vcard("FN:Photo Person", photo).encode())
    done, peak_mb = run_bounded("import", str(path))
    assert done.returncode == 0, done.stderr
    assert peak_mb < HOSTILE_RSS_MB / 2, f"peak memory {peak_mb:.0f} MB"
    assert names() == ["Photo Person", "Existing Person"]


def test_a_property_too_long_to_parse_is_refused_at_its_line(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "note.vcf", vcard("FN:X", "NOTE:" + "n" * 70_000).encode())
    before = snapshot()
    message = error_of(fails("import", str(path)))
    assert message.startswith(f"{path}:4: NOTE is longer than 64 KB")
    assert snapshot() == before


def test_a_csv_cell_as_long_as_a_photo_is_read_and_a_longer_row_refused(tmp_path: Path) -> None:
    photo = "p" * MB  # the csv module refused cells over 128 KB
    good = tmp_path / "google.csv"
    good.write_text(f"Name,E-mail 1 - Value,Photo\nPhoto Person,p@example.com,{photo}\n")
    ok("import", str(good))
    assert names() == ["Photo Person", "Existing Person"]
    cells = ",".join(f'"{"c" * 1000}\n{"c" * 1000}"' for _ in range(9000))  # ~18 MB, one row
    bad = write_bytes(tmp_path / "row.csv", f"name,note\nX,{cells}\n".encode())
    message = refused_in_child("import", str(bad))
    assert message.startswith(f"{bad}:2: the row is longer than 16 MB")


# --- iCalendar -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ("FREQ=SECONDLY", "repeats more than once a day"),
        ("FREQ=HOURLY;UNTIL=20991231T000000Z", "repeats more than once a day"),
        ("FREQ=DAILY;BYHOUR=9,12,15", "repeats more than once a day"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "limited by BYMONTHDAY is not supported"),
        ("FREQ=WEEKLY;BYDAY=MO;BYSETPOS=3", "limited by BYSETPOS is not supported"),
    ],
)
def test_a_series_that_runs_away_is_refused_at_its_line(
    tmp_path: Path, rule: str, problem: str
) -> None:
    body = f"SUMMARY:Forever\nDTSTART:{soon()}\nRRULE:{rule}"
    path = write_bytes(
        tmp_path / "series.ics", calendar("SUMMARY:Fine\nDTSTART:20300101", body).encode()
    )
    message = refused_in_child("import", str(path))
    assert message.startswith(f"{path}:7: ")
    assert problem in message


def test_a_series_beyond_the_occurrence_limit_is_refused_whole(tmp_path: Path) -> None:
    first = dt.date.today() - dt.timedelta(days=600)
    dates = [
        f"{first + dt.timedelta(days=n // 2):%Y%m%d}T{10 + n % 2:02d}0000Z" for n in range(1600)
    ]
    body = f"SUMMARY:Crowded\nDTSTART:{soon()}\nRRULE:FREQ=YEARLY\nRDATE:{','.join(dates)}"
    path = write_bytes(tmp_path / "rdates.ics", calendar(body).encode())
    message = refused_in_child("import", str(path))
    assert message.startswith(f"{path}:3: the series has more than 1,500 occurrences")


@pytest.mark.parametrize(
    ("start", "problem"),
    [
        (
            "DTSTART:00010101",
            "the event starts on 0001-01-01; meishi keeps dates from 1900 to 2200",
        ),
        ("DTSTART;TZID=Asia/Tokyo:00010101T090000", "the event starts on 0001-01-01"),
        ("DTSTART:99991231T230000Z", "the event starts on 9999-12-31"),
        ("DTSTART:2024XX01", "the event's DTSTART is not a date or time"),
        ("DTSTART:", "the event's DTSTART is not a date or time"),
        (
            "DTSTART;VALUE=PERIOD:20300101T100000Z/PT1H",
            "the event's DTSTART is not a date or a date and time",
        ),
    ],
)
def test_a_bad_start_is_refused_at_its_line_and_skipped_with_skip_bad(
    tmp_path: Path, start: str, problem: str
) -> None:
    path = write_bytes(
        tmp_path / "bad.ics",
        calendar("SUMMARY:Good\nDTSTART:20300101", f"SUMMARY:Bad\n{start}").encode(),
    )
    before = snapshot()
    message = error_of(fails("import", str(path)))
    assert message.startswith(f"{path}:7: {problem}")
    assert snapshot() == before
    result = ok("import", "--skip-bad", str(path))
    assert f"skipped {path}:7: {problem}" in result.stdout
    assert {e["name"] for e in json_of(ok("event", "list", "--json"))} == {"Good", "Existing"}


def test_an_event_with_too_many_dates_is_refused_and_its_attendees_cost_nothing(
    tmp_path: Path,
) -> None:
    attendees = "\n".join(f"ATTENDEE;CN=P{i}:mailto:p{i}@example.com" for i in range(50_000))
    crowd = write_bytes(
        tmp_path / "crowd.ics",
        calendar(f"SUMMARY:Big party\nDTSTART:20300101T100000Z\n{attendees}").encode(),
    )
    done, peak_mb = run_bounded("import", str(crowd), seconds=20)
    assert done.returncode == 0, done.stderr
    assert peak_mb < HOSTILE_RSS_MB / 2
    rdates = "\n".join(f"RDATE:{soon(n % 300)}" for n in range(1200))
    dated = write_bytes(
        tmp_path / "dated.ics",
        calendar(f"SUMMARY:Many\nDTSTART:{soon()}\nRRULE:FREQ=YEARLY\n{rdates}").encode(),
    )
    assert error_of(fails("import", str(dated))).startswith(
        f"{dated}:3: more than 1,000 lines in one event, the most meishi reads"
    )


def test_an_unclosed_event_and_text_that_is_no_calendar_are_refused(tmp_path: Path) -> None:
    unclosed = write_bytes(
        tmp_path / "open.ics", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\n"
    )
    assert error_of(fails("import", str(unclosed))).startswith(
        f"{unclosed}:2: the event is not closed: END:VEVENT is missing"
    )
    junk = write_bytes(tmp_path / "junk.ics", b"hello, world\r\n")
    assert error_of(fails("import", str(junk))).startswith(f"{junk}:1: not a valid iCalendar")


# --- the search index --------------------------------------------------------------------------


def test_an_import_indexes_each_contact_once_not_once_per_email(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import meishi.text

    folds = 0
    fold = meishi.text.fold

    def counting_fold(*texts: str | None) -> str:
        nonlocal folds
        folds += 1
        return fold(*texts)

    # The store registers meishi.text.fold as SQLite's meishi_fold() on each connection.
    monkeypatch.setattr(meishi.text, "fold", counting_fold)
    cards = "".join(
        vcard(f"FN:Person {n}", *(f"EMAIL:p{n}.m{i}@example.com" for i in range(20)))
        for n in range(50)
    )
    ok("import", str(write_bytes(tmp_path / "cards.vcf", cards.encode())))
    # One rebuild of a contact folds its name, organization, note and each email, twice
    # (for its column and for the whole document): 46 here, where it was 546 a contact.
    assert folds <= 50 * 50, folds
    found = ok("search", "p49.m19@example").stdout
    assert "Person 49" in found
    add_event("Later", -1)
    ok("add", "--event", "Later", "--name", "Person 50")
    assert "Person 50" in ok("search", "Person 50").stdout  # the hold was released


# --- templates ---------------------------------------------------------------------------------


def write_template(text: str) -> None:
    """A user template named evil."""
    folder = home() / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "evil.j2").write_text(f"Subject: Hello\n\n{text}\n", encoding="utf-8")


@pytest.fixture
def someone_to_thank() -> None:
    """One person met yesterday, with an email to thank."""
    set_me()
    add_event("Meetup", -1)
    ok("add", "--event", "Meetup", "--name", "Sarah Johnson", "--email", "sarah@example.com")


@pytest.mark.usefixtures("someone_to_thank")
def test_a_template_repeating_a_string_a_hundred_million_times_is_refused_quickly() -> None:
    write_template("{{ 'a' * 10**8 }}")
    message = refused_in_child("thank", "--template", "evil")
    assert message == (
        "template 'evil' (user) line 3: a repetition would be longer than 10,000 characters"
    )


@pytest.mark.usefixtures("someone_to_thank")
@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{{ [1] * 10**8 }}", "a repetition would be longer"),
        ("{{ ('ab'|list) * 10**8 }}", "a repetition would be longer"),
        ("{{ range(10**9)|list }}", "a range would be longer"),
        ("{{ 2 ** 100000000 }}", "a power would be longer"),
        ("{{ '%0100000000d' % 1 }}", "a formatted value would be longer"),
        ("{{ '{:>100000000}'.format(1) }}", "a formatted value would be longer"),
        ("{{ 'a'.center(10**8) }}", "a padded value would be longer"),
        ("{{ ('a' * 10000).replace('', 'b' * 10000) }}", "the replaced text would be longer"),
        ("{{ range(10000)|map('center', 10000)|join }}", "what a filter makes would be longer"),
        ("{{ range(10000)|join('x' * 10000) }}", "the joined text would be longer"),
        (
            "{% set ns = namespace(s='ab') %}{% for i in range(60) %}"
            "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
            "a value would be longer",
        ),
        (
            "{% set ns = namespace(s=[1]) %}{% for i in range(100) %}"
            "{% set ns.s = [ns.s, ns.s] %}{% endfor %}{{ ns.s }}",
            "a value would be longer",
        ),
        (
            "{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}",
            "more than 10,000 loop turns and calls",
        ),
        ("{% for a in range(5000) %}{{ 'x' * 50 }}{% endfor %}", "the rendered text would be"),
        ("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", "RecursionError"),
        ("{{ lipsum(10**5) }}", "'lipsum' is undefined"),
    ],
)
def test_a_hostile_template_is_one_line_and_stores_no_draft(template: str, problem: str) -> None:
    write_template(template)
    before = snapshot()
    message = error_of(fails("thank", "--template", "evil"))
    assert message.startswith("template 'evil' (user)"), message
    assert problem in message
    assert snapshot() == before


@pytest.mark.usefixtures("someone_to_thank")
def test_a_template_doing_ordinary_things_still_renders() -> None:
    write_template(
        "{{ contact.full_name|center(30)|trim }} {{ '%05d' % 42 }} {{ '{:,}'.format(1234567) }}\n"
        "{% for n in range(3) %}{{ n }}{% endfor %} {{ ['a', 'b']|join('/') }} {{ 'x' * 3 }}\n"
        "{% set ns = namespace(total=0) %}{% for n in range(10) %}{% set ns.total = ns.total + n %}"
        "{% endfor %}{{ ns.total }} {{ 2 ** 10 }} {{ (topics or ['-'])|first }}"
    )
    [draft] = json_of(ok("thank", "--json", "--template", "evil"))["drafts"]
    assert draft["body"] == "Sarah Johnson 00042 1,234,567\n012 a/b xxx\n45 1024 -\n"


# --- card photos -------------------------------------------------------------------------------


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A PNG declaring width x height pixels, with almost no image data: a decompression
    bomb as far as its header says."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit grey
    data = zlib.compress(b"\x00" * 1024)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    return write_bytes(path, png)


@pytest.mark.parametrize("side", [30_000, 8_000])  # beyond Pillow's own limit, and within it
def test_a_decompression_bomb_is_refused_by_name_before_it_is_decoded(
    tmp_path: Path, side: int
) -> None:
    bomb = png_header_only(tmp_path / "bomb.png", side, side)
    message = refused_in_child("add", "--scan", str(bomb), "--yes")
    assert message == (
        f"{bomb}: the image has more than 50,000,000 pixels, far more than a card's photo; "
        "scale it down"
    )


def test_a_bomb_in_a_folder_does_not_stop_the_other_cards(tmp_path: Path) -> None:
    folder = tmp_path / "stack"
    folder.mkdir()
    card = dataclasses.replace(make_cards(2, seed=3)[1], qr="vcard")  # English, a QR code
    save(card, folder / "card.png")
    png_header_only(folder / "a-bomb.png", 30_000, 30_000)
    result = run("add", "--scan", str(folder), "--yes")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    last = result.stderr.strip().splitlines()[-1]  # after the progress bar
    assert last.startswith(f"meishi: not added: {folder / 'a-bomb.png'}: the image has more")
    assert names() == [card.person.name, "Existing Person"]
