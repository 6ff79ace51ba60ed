"""Hostile input through every way in: options, prompts, arguments, imported files, restores.

Each attack must end in one `meishi:` line on stderr with the right exit code, no
traceback, and the store and config exactly as before; a dump from someone else
must never make meishi send anything.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import (
    add_event,
    add_person,
    error_of,
    fails,
    json_of,
    new_home,
    ok,
    refused_in_child,
    run,
    set_me,
    snapshot,
    store_rows,
    table_count,
)
from smtp_server import SmtpServer, smtp_server

TOO_BIG = str(2**63)  # one past SQLite's largest integer
HUGE = "9" * 30


def refused(*args: str, input: str | None = None, code: int = 2) -> str:
    """Run meishi: a one-line refusal, the store and config unchanged; the message."""
    before = snapshot()
    message = error_of(fails(*args, input=input, code=code))
    assert snapshot() == before, "the store or config changed"
    return message


@pytest.fixture
def met() -> int:
    """An event yesterday with one person met there; the event's id."""
    event_id = add_event("AI勉強会", -1, "--organizer", "佐藤", "--fee", "3000")
    add_person("AI勉強会", "田中 太郎", "--email", "taro@example.jp")
    return event_id


# --- text typed as options -----------------------------------------------------------------

# Control characters were refused here already; these invisible ones were not.
HIDDEN = {
    "bidi": "Tanaka\u202egnp.exe",
    "isolate": "Tanaka\u2066x\u2069",
    "zero-width": "Tana\u200bka",
    "word-joiner": "Tana\u2060ka",
    "bom": "\ufeffTanaka",
}


@pytest.mark.parametrize("text", HIDDEN.values(), ids=HIDDEN.keys())
@pytest.mark.parametrize("option", ["--name", "--company"])
def test_hidden_characters_in_a_card_are_refused(met: int, option: str, text: str) -> None:
    named = ("--name", text) if option == "--name" else ("--name", "Bob", option, text)
    message = refused("add", "--event", "AI勉強会", *named)
    assert f"{option.removeprefix('--')} contains" in message
    assert "U+" in message


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--name", "x" * 5000), "the name is 5,000 characters long; at most 200"),
        (("--name", "Bob", "--company", "c" * 201), "company is 201 characters long"),
        (("--name", "Bob", "--reading", "r" * 201), "reading is 201 characters long"),
        (("--name", "Bob", "--topic", "t" * 501), "topic is 501 characters long"),
        (("--name", "Bob", "--note", "n" * 10_001), "note is 10,001 characters long"),
        (("--name", "Bob", "--topic", "a\x1b[2Jb"), "topic contains a line break or control"),
        (("--name", "Bob", "--note", "a\x1b[2Jb"), "note contains a line break or control"),
    ],
    ids=["name", "company", "reading", "topic", "note", "topic-escape", "note-escape"],
)
def test_overlong_or_hidden_card_fields_are_refused(
    met: int, args: tuple[str, ...], words: str
) -> None:
    assert words in refused("add", "--event", "AI勉強会", *args)


def test_a_card_may_hold_twenty_emails_and_fifty_topics_not_more(met: int) -> None:
    emails = [x for n in range(21) for x in ("--email", f"p{n}@example.jp")]
    topics = [x for n in range(51) for x in ("--topic", f"topic {n}")]
    assert "the card has 21 emails; at most 20" in refused("add", "--name", "Bob", *emails)
    assert "51 topics; at most 50" in refused("add", "--name", "Bob", *topics)
    ok("add", "--name", "Bob", *emails[:40], *topics[:100])
    message = refused("add", "--name", "Bob", "--email", "p0@example.jp", "--email", "x@example.jp")
    assert "contact 'Bob' would have 21 emails; at most 20" in message


def test_ordinary_text_is_kept_as_typed_and_a_note_keeps_its_lines(met: int) -> None:
    name, company = "Tanaka [/] 髙橋 葛\U000e0100", "[link=https://e.example/]x[/link]"
    ok("add", "--name", name, "--company", company, "--note", "line one\r\n\tline two")
    shown = json_of(ok("contacts", "show", "Tanaka", "--json"))
    assert (shown["name"], shown["company"]) == (name, company)  # an IVS is part of a name
    assert shown["encounters"][0]["note"] == "line one\n\tline two"


def test_a_prompted_card_is_checked_as_typed_options_are(met: int) -> None:
    answers = "Tana\u200bka\n\n\n\n\n\n\n\n\n\n"
    assert "name contains an invisible zero-width character (U+200B)" in refused(
        "add", "--event", "AI勉強会", "-i", input=answers
    )


# --- events, follow-ups, cancellations, settings ---------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("event", "add", "Old", "--date", "0001-01-01"), "0001-01-01 is out of range"),
        (("event", "add", "Far", "--date", "9999-12-31"), "9999-12-31 is out of range"),
        (("event", "add", "Far", "--date", "in 99999 days"), "is out of range"),
        (("event", "add", "Paid", "--date", "today", "--fee", TOO_BIG), "invalid fee"),
        (("event", "add", "Paid", "--date", "today", "--fee", "100000001"), "invalid fee"),
        (("event", "add", "e" * 301, "--date", "today"), "event name is 301 characters"),
        (("event", "add", "Meetup", "--date", "today", "--place", "x\u200b"), "place contains"),
        (("event", "add", "Meetup", "--date", "today", "--series", "\u202eS"), "series contains"),
        (("event", "edit", "AI勉強会", "--fee", TOO_BIG), "invalid fee"),
        (("event", "edit", "AI勉強会", "--date", "0001-01-01"), "out of range"),
        (("followup", "AI勉強会", "report", "--note", "a\x1b]0;x\x07"), "note contains"),
        (("followup", "AI勉強会", "report", "--note", "n" * 10_001), "note is 10,001"),
        (("followup", "AI勉強会", "report", "--date", "0001-01-01"), "out of range"),
        (("cancel", "AI勉強会", "--reason", "r\x1b[2J"), "reason contains"),
        (("cancel", "AI勉強会", "--reason", "r" * 501), "reason is 501 characters"),
        (("cancel", "AI勉強会", "--at", "0001-01-01 10:00"), "out of range"),
        (("thank", "--since", "0001-01-01"), "out of range"),
    ],
    ids=lambda value: value if isinstance(value, str) else "-".join(value)[:40],
)
def test_bad_event_input_is_refused(met: int, args: tuple[str, ...], words: str) -> None:
    set_me()
    assert words in refused(*args)


@pytest.mark.parametrize("amount", [TOO_BIG, HUGE, "100000001"])
def test_paid_refuses_an_impossible_amount_before_saying_recorded(amount: str) -> None:
    add_event("Tech Night", 1, "--time", "00:00", "--fee", "3000")
    ok("cancel", "Tech Night")  # less than a day before the start: the fee is owed
    result = fails("paid", "Tech Night", "--amount", amount)
    assert "invalid amount" in error_of(result) and "Recorded" not in result.stdout
    assert "Recorded ¥3,000 paid" in ok("paid", "Tech Night").stdout


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("me.name", "山田\u200b花子", "zero-width"),
        ("me.company", "\u202eAcme", "text-direction"),
        ("me.signature", "山田\\n\x1b]0;pwned\x07", "me.signature contains"),
        ("me.signature", "s" * 2001, "2,001 characters long"),
        ("smtp.host", "h" * 2001, "2,001 characters long"),
        ("smtp.port", "²", "invalid port"),
    ],
    ids=["name-zero-width", "company-bidi", "signature", "long-sig", "long-host", "port"],
)
def test_hostile_settings_are_refused(key: str, value: str, words: str) -> None:
    set_me()
    assert words in refused("config", "set", key, value)


# --- numbers beyond 64 bits, and digits that are not ASCII -----------------------------------

ID_COMMANDS = [
    ("contacts", "show", "{id}"),
    ("event", "show", "{id}"),
    ("event", "edit", "{id}", "--place", "Tokyo"),
    ("register", "{id}"),
    ("attend", "{id}"),
    ("cancel", "{id}"),
    ("no-show", "{id}"),
    ("apologized", "{id}"),
    ("paid", "{id}"),
    ("apology", "{id}"),
    ("followup", "{id}", "report"),
    ("should-return", "{id}"),
    ("thank", "--event", "{id}"),
    ("thank", "--mark-sent", "{id}"),
    ("merge", "{id}", "1"),
    ("add", "--event", "{id}", "--name", "Bob"),
    ("contacts", "list", "--event", "{id}"),
    ("send", "{id}"),
    ("outbox", "retry", "{id}"),
]


NUMBERS = {"2**63": TOO_BIG, "30-digits": HUGE, "superscript": "²"}
ID_CASES = [
    pytest.param(command, number, id=f"{' '.join(command[:2])}-{label}")
    for command in ID_COMMANDS
    for label, number in NUMBERS.items()
    # typer itself refuses anything but digits where only a number may be given
    if not (label == "superscript" and command[0] in ("send", "outbox"))
]


@pytest.mark.parametrize(("command", "number"), ID_CASES)
def test_an_id_no_row_can_have_is_not_found(
    met: int, command: tuple[str, ...], number: str
) -> None:
    set_me()
    ok("config", "set", "smtp.host", "127.0.0.1")  # send and retry check the settings first
    assert "no " in refused(*[part.format(id=number) for part in command])


@pytest.mark.parametrize(
    "command",
    [
        ("contacts", "show"),
        ("contacts", "list", "--event"),
        ("event", "show"),
        ("register",),
        ("should-return",),
        ("thank", "--mark-sent"),
        ("merge", "1"),
    ],
)
def test_a_name_longer_than_any_name_is_not_found(met: int, command: tuple[str, ...]) -> None:
    set_me()
    assert "no " in refused(*command, "x" * 60_000)  # SQLite refuses such a LIKE pattern


@pytest.mark.parametrize("command", [("contacts", "list"), ("search", "田中")])
def test_a_limit_beyond_64_bits_means_no_limit(met: int, command: tuple[str, ...]) -> None:
    assert "田中 太郎" in ok(*command, "--limit", HUGE).stdout


# --- bytes that are not UTF-8 in an argument ------------------------------------------------

BAD_UTF8 = "Tan\udcffaka"  # how Python hands over the byte 0xff of an argument


@pytest.mark.parametrize(
    "args",
    [
        ("add", "--event", "AI勉強会", "--name", BAD_UTF8),
        ("event", "add", BAD_UTF8, "--date", "today"),
        ("search", BAD_UTF8),
        ("config", "set", "me.name", BAD_UTF8),
        ("import", BAD_UTF8),
        ("contacts", "show", BAD_UTF8),
    ],
    ids=lambda args: " ".join(args[:2]),
)
def test_an_argument_that_is_not_utf8_is_refused_before_any_command(
    met: int, args: tuple[str, ...]
) -> None:
    message = refused(*args)
    assert message.startswith("the argument 'Tan\\xffaka' is not valid UTF-8 text")


def test_a_real_argv_byte_that_is_not_utf8_is_one_line_in_a_child(met: int) -> None:
    message = refused_in_child("add", "--event", "AI勉強会", "--name", BAD_UTF8)
    assert "not valid UTF-8" in message


# --- JSON restores ---------------------------------------------------------------------------

CONTACT = {"id": 1, "full_name": "田中 太郎", "emails": ["taro@example.jp"]}
EVENT = {"id": 1, "name": "AI勉強会", "date": "2026-01-10"}
ENCOUNTER = {"id": 1, "contact_id": 1, "event_id": 1, "topics": ["RAG"]}


def dump_file(tmp_path: Path, data: Any, name: str = "dump.json") -> Path:
    """A JSON file holding data (a dict becomes a meishi dump with its version)."""
    path = tmp_path / name
    body = {"meishi": 1, **data} if isinstance(data, dict) else data
    path.write_text(body if isinstance(body, str) else json.dumps(body), encoding="utf-8")
    return path


def nested(depth: int) -> str:
    """A JSON list nested depth levels deep."""
    return "[" * depth + "]" * depth


RESTORE_ATTACKS: dict[str, tuple[Any, str]] = {
    "emails-a-string": (
        {"contacts": [{**CONTACT, "emails": "abc"}]},
        "contacts[0].emails: expected a list of addresses",
    ),
    "emails-numbers": (
        {"contacts": [{**CONTACT, "emails": [1, 2]}]},
        "contacts[0].emails: expected a list of addresses",
    ),
    "email-invalid": ({"contacts": [{**CONTACT, "emails": ["abc"]}]}, "invalid email 'abc'"),
    "emails-too-many": (
        {"contacts": [{**CONTACT, "emails": [f"p{n}@example.jp" for n in range(21)]}]},
        "21 emails; at most 20",
    ),
    "name-crlf": (
        {"contacts": [{**CONTACT, "full_name": "Mallory\r\nBcc: x@evil.example"}]},
        "contacts[0]: the name contains a line break",
    ),
    "name-escape": (
        {"contacts": [{**CONTACT, "full_name": "Mallory\x1b]0;pwned\x07"}]},
        "contacts[0]: the name contains",
    ),
    "company-bidi": (
        {"contacts": [{**CONTACT, "company": "\u202eAcme"}]},
        "company contains an invisible text-direction override",
    ),
    "name-long": ({"contacts": [{**CONTACT, "full_name": "x" * 201}]}, "201 characters long"),
    "name-missing": ({"contacts": [{"id": 1}]}, "contacts[0].full_name: missing"),
    "name-null": (
        {"contacts": [{**CONTACT, "full_name": None}]},
        "contacts[0].full_name: expected text, not null",
    ),
    "name-number": ({"contacts": [{**CONTACT, "full_name": 7}]}, "full_name: expected text"),
    "id-text": ({"contacts": [{**CONTACT, "id": "abc"}]}, "contacts[0].id: expected a row id"),
    "id-true": ({"contacts": [{**CONTACT, "id": True}]}, "contacts[0].id: expected a row id"),
    "id-twice": (
        {"contacts": [CONTACT, {**CONTACT, "emails": ["b@example.jp"]}]},
        "contacts[1].id: 1 is the id of an earlier row too",
    ),
    "reference-list": (
        {"contacts": [CONTACT], "events": [EVENT], "encounters": [{**ENCOUNTER, "event_id": [1]}]},
        "encounters[0].event_id: expected a whole number",
    ),
    "rows-not-a-list": ({"contacts": {"id": 1}}, "contacts: expected a list of rows"),
    "row-not-an-object": ({"contacts": ["田中"]}, "contacts[0]: expected a row"),
    "date-year-1": (
        {"contacts": [{**CONTACT, "created_at": "0001-01-01T00:00:00+00:00"}]},
        "contacts[0].created_at: the date 0001-01-01 is out of range",
    ),
    "event-year-1": ({"events": [{**EVENT, "date": "0001-01-01"}]}, "is out of range"),
    "fee-beyond-64-bits": (
        {"events": [{**EVENT, "fee": 2**63}]},
        "events[0].fee: expected a whole number",
    ),
    "fee-too-big": ({"events": [{**EVENT, "fee": 10**9}]}, "events[0]: invalid fee"),
    "attendance-unknown": (
        {"events": [{**EVENT, "attendance": "hacked"}]},
        "unknown attendance 'hacked'",
    ),
    "topics-a-string": (
        {"contacts": [CONTACT], "events": [EVENT], "encounters": [{**ENCOUNTER, "topics": "RAG"}]},
        "encounters[0].topics: expected a list of texts",
    ),
    "topic-escape": (
        {
            "contacts": [CONTACT],
            "events": [EVENT],
            "encounters": [{**ENCOUNTER, "topics": ["\x1b[2J"]}],
        },
        "topic contains",
    ),
    "image-path": (
        {
            "contacts": [CONTACT],
            "card_images": [
                {"id": 1, "contact_id": 1, "path": "../../.ssh/id_rsa", "sha256": "ab" * 32}
            ],
        },
        "is not a file in cards/",
    ),
    "image-fields": (
        {
            "contacts": [CONTACT],
            "card_images": [
                {
                    "id": 1,
                    "contact_id": 1,
                    "path": "cards/ab.jpg",
                    "sha256": "ab" * 32,
                    "fields": "{not json",
                }
            ],
        },
        "the image's fields are not a JSON object",
    ),
    "deep-33": ({"padding": json.loads(nested(33))}, "nested deeper than 32 levels"),
    "deep-100000": ('{"meishi": 1, "padding": ' + nested(100_000) + "}", "nested deeper than 32"),
    "number-21-digits": ('{"meishi": 1, "padding": ' + "1" * 21 + "}", "more than 20 digits"),
    "number-5000-digits": ('{"meishi": 1, "padding": ' + "1" * 5000 + "}", "more than 20 digits"),
    "nan": ('{"meishi": 1, "padding": NaN}', "NaN, which is not a number JSON allows"),
    "version-true": ('{"meishi": true}', 'not a meishi JSON export (no "meishi": 1)'),
}


@pytest.mark.parametrize(("data", "words"), RESTORE_ATTACKS.values(), ids=RESTORE_ATTACKS.keys())
def test_a_hostile_dump_is_refused_whole(tmp_path: Path, data: Any, words: str) -> None:
    add_event("Existing", -1)
    message = refused("import", str(dump_file(tmp_path, data)))
    assert words in message, message
    assert "nothing of" in message


FORGED = (
    b"From: CEO <ceo@bank.example>\r\nTo: victim@example.com\r\nSubject: Wire now\r\n"
    b"Message-ID: <forged@evil.example>\r\n\r\nPay the invoice today.\r\n"
)


def forged_message(state: str, number: int = 1) -> dict[str, Any]:
    """An outbox row carrying an attacker's bytes, in some state."""
    return {
        "id": number,
        "to_addr": "victim@example.com",
        "subject": "Thanks",
        "message_id": f"<forged{number}@evil.example>",
        "raw": base64.b64encode(FORGED).decode("ascii"),
        "state": state,
    }


def configure(server: SmtpServer) -> None:
    """Set who you are and point meishi at the test server."""
    set_me()
    for key, value in (
        ("smtp.host", "127.0.0.1"),
        ("smtp.port", str(server.port)),
        ("smtp.security", "none"),
        ("send.pause", "0"),
    ):
        ok("config", "set", key, value)


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 that meishi is set to send through."""
    with smtp_server() as running:
        configure(running)
        yield running


STATES = ["queued", "sending", "unknown", "failed", "sent", "hacked"]


def test_an_imported_outbox_is_never_sent(server: SmtpServer, tmp_path: Path) -> None:
    rows = [forged_message(state, n) for n, state in enumerate(STATES, start=1)]
    ok("import", str(dump_file(tmp_path, {"outbox": rows})))
    planned = json_of(ok("send", "--dry-run", "--json"))
    assert planned["messages"] == []
    assert "0 message(s) would be sent" in ok("send", "--dry-run").stdout
    ok("send", "--yes")
    assert server.received() == []
    listed = {row["message_id"]: row for row in json_of(ok("outbox", "--json"))}
    assert [listed[f"<forged{n}@evil.example>"]["state"] for n in range(1, 7)] == [
        "restored",
        "restored",
        "restored",
        "failed",
        "sent",
        "restored",
    ]
    assert {row["size"] for row in listed.values()} == {0}  # the bytes were not kept
    for number in range(1, 7):
        message = refused("outbox", "retry", str(number))
        assert "not sent again" in message or "meishi never sends it" in message
    assert server.received() == []


def test_an_imported_draft_is_sent_only_once_drafted_again(
    server: SmtpServer, tmp_path: Path
) -> None:
    add_event("AI勉強会", -1)
    forged = {
        "id": 1,
        "event_id": 1,
        "template": "thank-en",
        "to_name": "Victim",
        "to_addr": "victim@example.com",
        "subject": "Wire now",
        "body": "Pay the invoice today.\n",
        "state": "draft",
    }
    ok("import", str(dump_file(tmp_path, {"events": [EVENT], "drafts": [forged]})))
    assert "0 message(s) would be sent" in ok("send", "--dry-run").stdout
    ok("send", "--yes")
    skipped = json_of(ok("send", "1", "--json"))["skipped"]
    assert skipped == [{"draft": 1, "reason": skipped[0]["reason"]}]
    assert "imported file" in skipped[0]["reason"]
    assert server.received() == []


def test_a_restored_thank_you_draft_is_drafted_again_then_sent(
    server: SmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_event("AI勉強会", -1)
    add_person("AI勉強会", "田中 太郎", "--email", "taro@example.jp")
    ok("thank")
    dump = json.loads(ok("export", "--format", "json").stdout)
    dump["drafts"][0]["body"] = "Pay the invoice today.\n"
    path = dump_file(tmp_path, dump)
    new_home(tmp_path / "restored")
    ok("import", str(path))
    configure(server)
    assert "0 message(s) would be sent" in ok("send", "--dry-run").stdout
    ok("thank", "--event", "AI勉強会")  # drafted again from the restored meeting
    assert "1 message(s) would be sent" in ok("send", "--dry-run").stdout
    ok("send", "--yes")
    (received,) = server.received()
    assert received.rcpt_tos == ("taro@example.jp",)
    assert "Pay the invoice" not in received.message().get_body().get_content()


def test_send_dry_run_lists_what_was_queued_earlier(tmp_path: Path) -> None:
    set_me()
    ok("config", "set", "smtp.host", "127.0.0.1")
    ok("config", "set", "smtp.port", "1")  # nothing listens: the run queues, then stops
    ok("config", "set", "smtp.security", "none")
    add_event("AI勉強会", -1)
    add_person("AI勉強会", "田中 太郎", "--email", "taro@example.jp")
    ok("thank")
    assert run("send", "--yes").exit_code == 1
    planned = json_of(ok("send", "--dry-run", "--json"))["messages"]
    assert [(row["message"], row["to"]) for row in planned] == [(1, "taro@example.jp")]
    with smtp_server() as running:
        ok("config", "set", "smtp.port", str(running.port))
        ok("send", "--yes")
        assert [m.rcpt_tos for m in running.received()] == [("taro@example.jp",)]


def test_send_dry_run_skips_the_drafts_send_would_skip(server: SmtpServer) -> None:
    add_event("AI勉強会", -1)
    add_person("AI勉強会", "田中 太郎", "--email", "taro@example.jp")
    ok("thank")
    ok("thank", "--mark-sent", "田中 太郎")  # sent by hand: never again through meishi
    planned = json_of(ok("send", "1", "--dry-run", "--json"))
    assert planned["messages"] == [] and len(planned["skipped"]) == 1
    assert json_of(ok("send", "1", "--json"))["skipped"] == planned["skipped"]
    assert server.received() == []


@pytest.mark.parametrize("state", ["hacked", "", "x" * 300])
def test_outbox_shows_a_state_it_does_not_know(state: str) -> None:
    set_me()
    ok("outbox")  # creates the store
    store_rows(
        "INSERT INTO outbox (kind, to_addr, subject, message_id, raw, state, attempts, "
        "created_at, updated_at) VALUES ('thank', 'a@example.jp', 's', '<m@x>', ?, ?, 0, "
        "'2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        b"\x00",
        state,
    )
    assert json_of(ok("outbox", "--json"))[0]["meaning"].startswith("not a state meishi knows")
    ok("outbox")
    assert table_count("outbox") == 1


# --- imported cards and events pass the same checks ---------------------------------------


def vcard(*lines: str) -> str:
    """One vCard 3.0 with these content lines."""
    return "\r\n".join(["BEGIN:VCARD", "VERSION:3.0", *lines, "END:VCARD", ""])


IMPORT_ATTACKS: dict[str, tuple[str, str, str]] = {
    "vcard-bidi-name": (
        "cards.vcf",
        vcard("FN:Mallory\u202egnp.exe"),
        "name contains an invisible",
    ),
    "vcard-zero-width-org": (
        "cards.vcf",
        vcard("FN:Mallory", "ORG:Ac\u200bme"),
        "company contains an invisible zero-width",
    ),
    "vcard-25-emails": (
        "cards.vcf",
        vcard("FN:Mallory", *(f"EMAIL:p{n}@example.jp" for n in range(25))),
        "the card has 25 emails; at most 20",
    ),
    "vcard-note-escape": (
        "cards.vcf",
        vcard("FN:Mallory", "NOTE:hi\x1b]0;pwned\x07"),
        "note contains a line break or control character (U+001B)",
    ),
    "csv-long-company": ("cards.csv", f"name,company\nMallory,{'c' * 300}\n", "company is 300"),
    "csv-long-name": ("cards.csv", f"name,company\n{'n' * 5000},Acme\n", "name is 5,000"),
    "ics-zero-width-summary": (
        "events.ics",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\n"
        "DTSTART:20260110T100000Z\r\nSUMMARY:AI\u200b勉強会\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        "event name contains an invisible zero-width",
    ),
}


@pytest.mark.parametrize(("name", "text", "words"), IMPORT_ATTACKS.values(), ids=IMPORT_ATTACKS)
def test_an_imported_record_is_checked_as_typed_input_is(
    tmp_path: Path, name: str, text: str, words: str
) -> None:
    add_event("Existing", -1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    message = refused("import", str(path))
    assert words in message and f"{path}:" in message


def test_a_skipped_record_leaves_nothing_of_itself_behind(tmp_path: Path) -> None:
    add_event("AI勉強会", -1)
    emails = [f"p{n}@example.jp" for n in range(20)]
    ok("add", "--name", "Mallory", *[x for e in emails for x in ("--email", e)])
    before = json_of(ok("contacts", "show", "Mallory", "--json"))
    path = tmp_path / "cards.csv"
    path.write_text("name,company,email\nMallory,Acme,p0@example.jp; new@example.jp\n")
    report = json_of(ok("import", str(path), "--skip-bad", "--json"))[0]
    assert "would have 21 emails" in report["skipped"][0]
    assert json_of(ok("contacts", "show", "Mallory", "--json")) == before  # no company filled
