"""Property tests: whatever a vCard, CSV or iCalendar file holds, `meishi import` either
imports it or refuses it in one line, and never stores what the commands would refuse.

The files are built from pieces that mix real-world forms with hostile ones: control
characters and terminal escapes, line breaks inside values, Rich markup, encoded-word
look-alikes, broken quoting, folding and quoted-printable, impossible dates and rules.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import describe, home, run, server_url, store_rows
from meishi.meeting import normalize_email

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    # One home for all examples: what is stored accumulates, and must stay sane.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HOSTILE = [
    "\x1b]0;pwned\x07\x1b[2J",
    "Tanaka [/]",
    "[link=https://evil.example/]Click me[/link]",
    "=?utf-8?b?DQpCY2M6IGV2aWxAZXhhbXBsZS5jb20=?=",
    "x\r\nBcc: evil@example.com",
    "a\x00b",
    "\x85\u2028\u2029",
    "\u202eevil\u202c",
    "zero\u200bwidth",
    "{{ 7*7 }}",
    '"quoted, with comma"',
    "semi;colon\\;escaped",
    "=E7=94=B0=E4=B8=AD",
    "a" * 300,
]
REAL = ["田中 太郎", "髙橋 一郎", "ﾀﾅｶ", "Sarah Johnson", "株式会社サンプル", "O'Brien", ""]
text = st.one_of(
    st.sampled_from(HOSTILE + REAL),
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=30),
)
email = st.one_of(
    st.emails(),
    text,
    st.sampled_from(["abc", "a@b", "taro@例え.jp", "a b@c.d", "<a@b.c>", "a@b.c\r\nBcc: x@y.z"]),
)


def imported(path: Path, skip_bad: bool) -> None:
    """Import the file; require success or a one-line refusal, then a sane store."""
    result = run("import", *(["--skip-bad"] if skip_bad else []), str(path))
    assert result.exception is None or isinstance(result.exception, SystemExit), describe(result)
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 2), describe(result)
    if result.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("meishi: "), describe(result)
    store_is_sane()


def one_line(value: str | None) -> bool:
    """True for text a single-line field may hold: no control character, no line break."""
    return not any(
        unicodedata.category(char) == "Cc" or char in "\u2028\u2029" for char in value or ""
    )


def store_is_sane() -> None:
    """Every stored name, company and email is one the commands would accept."""
    if not server_url() and not (home() / "meishi.db").exists():
        return
    for row in store_rows(
        "SELECT full_name, reading, company, department, title, phone FROM contact"
    ):
        assert row[0] and row[0].strip(), row
        assert all(one_line(value) for value in row), row
    for (address,) in store_rows("SELECT address FROM contactemail"):
        assert normalize_email(address) == address
    for name, organizer, day in store_rows("SELECT name, organizer_name, date FROM event"):
        assert one_line(name) and one_line(organizer), name
        assert 1900 <= dt.date.fromisoformat(day).year <= 2200
    [(stale,)] = store_rows("SELECT count(*) FROM search_stale")
    assert stale == 0  # an import's hold on the search index is always released


# --- vCard -------------------------------------------------------------------------------------

card_line = st.one_of(
    text.map("FN:{}".format),
    st.tuples(text, text).map(lambda names: f"N:{names[0]};{names[1]};;;"),
    email.map("EMAIL;TYPE=INTERNET:{}".format),
    st.tuples(text, text).map(lambda org: f"ORG:{org[0]};{org[1]}"),
    text.map("TITLE:{}".format),
    text.map("TEL;TYPE=CELL:{}".format),
    text.map("NOTE:{}".format),
    text.map("CATEGORIES:{}".format),
    text.map("item1.EMAIL:{}".format),
    text.map(" {}".format),  # a folded continuation
    text.map(lambda t: f"FN;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:{t}="),
    st.sampled_from(
        [
            "VERSION:2.1",
            "VERSION:4.0",
            "BEGIN:VCARD",
            "END:VCARD",
            "garbage without colon",
            "X-PHONETIC-LAST-NAME:たなか",
            "SOUND;X-IRMC-N:ﾀﾅｶ;ﾀﾛｳ;;;",
            "PHOTO;ENCODING=b;TYPE=JPEG:" + "QUFB" * 500,
            "N:;;;;",
            "FN:",
        ]
    ),
)
cards = st.lists(st.lists(card_line, max_size=8), min_size=1, max_size=3)


@SETTINGS
@given(cards=cards, skip_bad=st.booleans(), crlf=st.booleans())
def test_any_vcard_is_imported_or_refused_cleanly(
    tmp_path: Path, cards: list[list[str]], skip_bad: bool, crlf: bool
) -> None:
    end = "\r\n" if crlf else "\n"
    text = "".join(end.join(["BEGIN:VCARD", "VERSION:3.0", *c, "END:VCARD", ""]) for c in cards)
    path = tmp_path / "cards.vcf"
    path.write_text(text, encoding="utf-8")
    imported(path, skip_bad)


# --- CSV ---------------------------------------------------------------------------------------

LAYOUTS = [
    ["name", "reading", "company", "email", "phone", "note", "tags", "met_on"],
    ["Name", "E-mail 1 - Value", "Organization 1 - Name", "Notes", "Labels"],
    ["会社名", "部署名", "役職", "姓", "名", "e-mail", "名刺交換日", "tag1"],
    ["First Name", "Last Name", "Email Address", "Company", "Connected On"],
]
cell = st.one_of(
    text,
    email,
    st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31)).map(lambda d: f"{d:%Y/%m/%d}"),
    st.sampled_from(["2024年5月10日", "2024-13-45", "yesterday", "1", "○", " ::: ", "a ::: b"]),
)


@SETTINGS
@given(
    layout=st.sampled_from(LAYOUTS),
    rows=st.lists(st.lists(cell, max_size=9), min_size=1, max_size=4),
    quoted=st.booleans(),
    skip_bad=st.booleans(),
)
def test_any_csv_is_imported_or_refused_cleanly(
    tmp_path: Path, layout: list[str], rows: list[list[str]], quoted: bool, skip_bad: bool
) -> None:
    if quoted:  # well-formed CSV, whatever the cells hold
        out = io.StringIO()
        csv.writer(out).writerows([layout, *rows])
        data = out.getvalue()
    else:  # cells as they come: stray quotes and breaks make broken CSV
        data = "\n".join(",".join(row) for row in [layout, *rows]) + "\n"
    path = tmp_path / "people.csv"
    path.write_text(data, encoding="utf-8")
    imported(path, skip_bad)


# --- iCalendar ---------------------------------------------------------------------------------

today = dt.date.today()
start = st.one_of(
    st.dates(today - dt.timedelta(days=60), today + dt.timedelta(days=60)).map(
        lambda d: f"DTSTART;VALUE=DATE:{d:%Y%m%d}"
    ),
    st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31)).map(
        lambda d: f"DTSTART:{d:%Y%m%d}T100000Z"
    ),
    st.sampled_from(
        [
            "DTSTART:00010101",
            "DTSTART;TZID=Asia/Tokyo:00010101T090000",
            "DTSTART:99991231T230000Z",
            "DTSTART:2024XX01",
            "DTSTART:",
            "DTSTART;TZID=Tokyo Standard Time:20300601T190000",
            "DTSTART;TZID=Nowhere/Zone:20300601T190000",
            "DTSTART;VALUE=PERIOD:20300101T100000Z/PT1H",
        ]
    ),
)
rule = st.one_of(
    st.just(""),
    st.tuples(
        st.sampled_from(["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"]),
        st.integers(1, 5),
        st.sampled_from(
            ["", ";BYDAY=MO,WE", ";BYMONTHDAY=30;BYMONTH=2", ";BYSETPOS=3", ";BYHOUR=9,18"]
        ),
    ).map(lambda r: f"RRULE:FREQ={r[0]};COUNT={r[1]}{r[2]}"),
    st.sampled_from(
        ["RRULE:garbage", "RRULE:FREQ=WEEKLY;BYDAY=XX", "RRULE:FREQ=DAILY\nRRULE:FREQ=WEEKLY"]
    ),
)
event = st.tuples(text, start, rule, text, text, email).map(
    lambda e: "\n".join(
        [
            "BEGIN:VEVENT",
            f"SUMMARY:{e[0]}",
            e[1],
            e[2],
            f"LOCATION:{e[3]}",
            f"ORGANIZER;CN={e[4]}:mailto:{e[5]}",
            "BEGIN:VALARM\nTRIGGER:-PT15M\nEND:VALARM",
            "END:VEVENT",
        ]
    )
)


@SETTINGS
@given(
    events=st.lists(event, min_size=1, max_size=3),
    closed=st.booleans(),
    skip_bad=st.booleans(),
)
def test_any_calendar_is_imported_or_refused_cleanly(
    tmp_path: Path, events: list[str], closed: bool, skip_bad: bool
) -> None:
    body = "\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", *events])
    path = tmp_path / "events.ics"
    path.write_text((body + ("\nEND:VCALENDAR\n" if closed else "\n")).replace("\n", "\r\n"))
    imported(path, skip_bad)
