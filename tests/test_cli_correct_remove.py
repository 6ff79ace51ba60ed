"""Correcting and removing: `contacts edit` (job changes kept as history), re-adding a known
person, and deleting contacts, events and follow-ups without losing the record of sent mail."""

from __future__ import annotations

import datetime as dt
import shlex
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from helpers import (
    add_event,
    add_person,
    day,
    empty_store,
    error_of,
    fails,
    home,
    json_of,
    ok,
    on_terminal,
    orm_modules_after,
    run,
    set_me,
    snapshot,
    store_rows,
    table_count,
)
from meishi.store.engine import SCHEMA_REVISION
from smtp_server import SmtpServer, smtp_server

TODAY = dt.date.today().isoformat()


def card(contact: str) -> dict:
    """A contact as `contacts show --json` gives it."""
    return json_of(ok("contacts", "show", contact, "--json"))


@pytest.fixture
def tanaka() -> int:
    """田中 太郎 of Acme, CTO, met at last week's event with two topics; his id."""
    add_event("AI勉強会 #12", -5)
    return add_person(
        "AI勉強会 #12", "田中 太郎", "--company", "Acme", "--title", "CTO",
        "--email", "tanaka@acme.example", "--topic", "RAG", "--topic", "評価",
    )  # fmt: skip


# --- contacts edit -----------------------------------------------------------------------------


def test_edit_corrects_a_typo_and_the_emails(tanaka: int) -> None:
    result = ok(
        "contacts", "edit", "田中", "--company", "Acme Corp", "--reading", "たなか たろう",
        "--email", "Taro@Acme.example", "--remove-email", "TANAKA@acme.example",
    )  # fmt: skip
    assert result.stdout.strip() == (
        f"Changed reading, company, emails of #{tanaka} 田中 太郎; "
        "the earlier position is kept in their history."
    )
    shown = card(str(tanaka))
    assert (shown["company"], shown["reading"]) == ("Acme Corp", "たなか たろう")
    assert shown["emails"] == ["taro@acme.example"]
    assert ok("search", "たなか").stdout.startswith(f"{tanaka}\t田中 太郎")


def test_a_new_name_is_split_again_and_empty_values_clear_fields(tanaka: int) -> None:
    ok("contacts", "edit", str(tanaka), "--name", "田中 次郎", "--title", "", "--lang", "en")
    shown = card(str(tanaka))
    assert (shown["name"], shown["family_name"], shown["given_name"]) == (
        "田中 次郎",
        "田中",
        "次郎",
    )
    assert (shown["title"], shown["lang"]) == (None, "en")
    ok("contacts", "edit", str(tanaka), "--lang", "")
    assert card(str(tanaka))["lang"] is None


def test_a_job_change_keeps_the_old_position_with_the_date(tanaka: int) -> None:
    ok("contacts", "edit", str(tanaka), "--company", "Globex", "--department", "研究所")
    ok("contacts", "edit", str(tanaka), "--title", "VP")
    assert card(str(tanaka))["past_positions"] == [
        {"until": TODAY, "company": "Globex", "department": "研究所", "title": "CTO"},
        {"until": TODAY, "company": "Acme", "department": None, "title": "CTO"},
    ]
    text = ok("contacts", "show", str(tanaka)).stdout
    assert f"  earlier (until {TODAY}): Globex · 研究所 · CTO\n" in text
    assert f"  earlier (until {TODAY}): Acme · CTO\n" in text


def test_an_edit_on_the_plain_writer_imports_no_orm_and_keeps_the_index(tanaka: int) -> None:
    argv = ["contacts", "edit", str(tanaka), "--company", "Globex", "--email", "t2@acme.example"]
    assert orm_modules_after(argv) == []
    shown = card(str(tanaka))
    assert (shown["company"], shown["emails"]) == (
        "Globex",
        ["tanaka@acme.example", "t2@acme.example"],
    )
    assert shown["past_positions"] == [
        {"until": TODAY, "company": "Acme", "department": None, "title": "CTO"}
    ]
    ((created, updated),) = store_rows(
        "SELECT created_at, updated_at FROM contact WHERE id = ?", tanaka
    )
    assert updated > created  # stamped by the edit
    assert ok("search", "globex").stdout.startswith(f"{tanaka}\t田中 太郎")
    assert ok("search", "t2@acme").stdout.startswith(f"{tanaka}\t田中 太郎")


def test_no_history_without_a_change_of_position(tanaka: int) -> None:
    result = ok("contacts", "edit", str(tanaka), "--company", "Acme", "--phone", "03-1234-5678")
    assert result.stdout.strip() == f"Changed phone of #{tanaka} 田中 太郎."
    add_person("AI勉強会 #12", "Bob Lee")
    ok("contacts", "edit", "Bob Lee", "--company", "Initech")  # nowhere known before
    assert card(str(tanaka))["past_positions"] == card("Bob Lee")["past_positions"] == []
    assert (
        "nothing (the values were the same)" in ok("contacts", "edit", "Bob", "--note", "").stdout
    )


def test_a_draft_for_an_old_encounter_addresses_the_person_as_they_are_now(tanaka: int) -> None:
    set_me()
    ok("contacts", "edit", str(tanaka), "--company", "Globex", "--title", "VP")
    [draft] = json_of(ok("thank", "--since", day(-10), "--json"))["drafts"]
    assert draft["event"]["name"] == "AI勉強会 #12"  # met before the change
    body = draft["body"]
    assert "Globex\nVP\n田中 太郎 様" in body
    assert "Acme" not in body and "CTO" not in body


@pytest.mark.parametrize(
    ("options", "wanted"),
    [
        (["--email", "not-an-email"], "not-an-email"),
        (["--remove-email", "other@example.com"], "other@example.com is not an email of 田中 太郎"),
        (
            ["--email", "bob@example.com"],
            "belongs to contact #2; if they are one person: meishi merge 1 2",
        ),
        (["--lang", "fr"], "unknown language 'fr'; use one of: ja, en"),
        (["--name", " "], "the name cannot be empty"),
        (["--company", "Acme\x1b[2J"], "the company contains a line break or control character"),
        (["--title", "x" * 201], "the title is 201 characters long"),
        ([], "nothing to change; give at least one option, e.g. --company, or -i"),
    ],
)
def test_a_refused_edit_is_one_line_and_changes_nothing(
    tanaka: int, options: list[str], wanted: str
) -> None:
    add_person("AI勉強会 #12", "Bob Lee", "--email", "bob@example.com")
    before = snapshot()
    assert wanted in error_of(fails("contacts", "edit", str(tanaka), *options))
    assert snapshot() == before


def test_edit_of_an_unknown_contact_is_refused() -> None:
    add_event("AI勉強会 #12", -5)
    before = snapshot()
    assert "no contact matches 'Nobody'" in error_of(
        fails("contacts", "edit", "Nobody", "--title", "x")
    )
    assert snapshot() == before


def test_the_form_offers_the_current_values(tanaka: int) -> None:
    answers = [
        "",  # name: kept
        "たなか たろう",  # reading
        "Globex",  # company
        "",  # department: still empty
        "-",  # title: cleared
        "",  # phone
        "二度目に会った",  # note
        "",  # language
        "tanaka@acme.example taro@globex.example",  # emails
    ]
    result = ok("contacts", "edit", "-i", str(tanaka), input="\n".join(answers) + "\n")
    assert "Company [Acme]:" in result.stdout and "Title [CTO]:" in result.stdout
    assert "Emails, separated by spaces [tanaka@acme.example]:" in result.stdout
    shown = card(str(tanaka))
    assert (shown["company"], shown["title"], shown["note"]) == ("Globex", None, "二度目に会った")
    assert shown["emails"] == ["tanaka@acme.example", "taro@globex.example"]
    assert shown["past_positions"] == [
        {"until": TODAY, "company": "Acme", "department": None, "title": "CTO"}
    ]


# --- re-adding a known person ------------------------------------------------------------------


def test_re_adding_off_a_terminal_keeps_the_card_and_says_how_to_change_it(tanaka: int) -> None:
    before = table_count("past_position")
    result = ok(
        "add", "--event", "AI勉強会 #12", "--name", "田中 太郎", "--email", "tanaka@acme.example",
        "--company", "Globex Japan", "--title", "VP", "--department", "研究所",
    )  # fmt: skip
    assert result.stdout.splitlines() == [
        f"Linked to known contact #{tanaka} 田中 太郎 (Acme) with 0 new topics; "
        "filled in department.",
        f"Did not change company 'Acme' (the card says 'Globex Japan'), title 'CTO' (the card "
        f"says 'VP') of #{tanaka} 田中 太郎; to take the card's values: "
        f"meishi contacts edit {tanaka} --company 'Globex Japan' --title VP",
    ]
    assert (card(str(tanaka))["company"], table_count("past_position")) == ("Acme", before)
    suggested = shlex.split(result.stdout.split("to take the card's values: ")[1])
    ok(*suggested[1:])
    shown = card(str(tanaka))
    assert (shown["company"], shown["title"]) == ("Globex Japan", "VP")
    assert shown["past_positions"][0]["company"] == "Acme"


@pytest.mark.parametrize(("answer", "company"), [("y", "Globex"), ("n", "Acme")])
def test_re_adding_with_i_shows_old_and_new_and_asks(
    tanaka: int, answer: str, company: str
) -> None:
    result = ok(
        "add", "-i", "--event", "AI勉強会 #12", "--name", "田中 太郎",
        "--email", "tanaka@acme.example", "--company", "Globex",
        input=answer + "\n",
    )  # fmt: skip
    assert "  company: Acme → Globex\n" in result.stdout
    assert "Take the card's values? [y/N]" in result.stdout
    assert card(str(tanaka))["company"] == company
    assert len(card(str(tanaka))["past_positions"]) == (answer == "y")


# --- deleting ----------------------------------------------------------------------------------


def keep_card_image(contact: int, name: str) -> Path:
    """A card image kept in cards/ for the contact, as `add --scan` keeps one."""
    path = home() / "cards" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xff\xd8 a card")
    store_rows(
        "INSERT INTO cardimage (contact_id, path, sha256, created_at) VALUES (?, ?, ?, ?)",
        contact,
        f"cards/{name}",
        "0" * 64,
        "2026-12-01 10:00:00.000000",
    )
    return path


def test_deleting_off_a_terminal_needs_yes_and_says_what_would_go(tanaka: int) -> None:
    before = snapshot()
    message = error_of(fails("contacts", "delete", "田中"))
    assert message == (
        f"not on a terminal: add --yes to delete contact #{tanaka} 田中 太郎 "
        "with 1 encounter, 2 topics"
    )
    assert snapshot() == before


def test_deleting_a_contact_takes_everything_of_theirs_and_their_card_images(tanaka: int) -> None:
    ok("contacts", "edit", str(tanaka), "--company", "Globex")
    bob = add_person("AI勉強会 #12", "Bob Lee", "--topic", "tea")
    own = keep_card_image(tanaka, "aaaa.jpg")
    shared = keep_card_image(tanaka, "bbbb.jpg")
    keep_card_image(bob, "bbbb.jpg")  # the same card kept for Bob too
    result = ok("contacts", "delete", str(tanaka), "--yes")
    assert result.stdout.strip() == (
        f"Deleted contact #{tanaka} 田中 太郎 with 1 encounter, 2 topics, 2 card images, "
        "1 past position."
    )
    assert not own.exists() and shared.exists()
    for table in ("contact", "contactemail", "encounter", "topic", "cardimage", "past_position"):
        assert table_count(table) == {"contact": 1, "encounter": 1, "topic": 1, "cardimage": 1}.get(
            table, 0
        ), table
    assert ok("search", "Acme").stdout == "No contact matches 'Acme'.\n"  # the index too
    assert [
        p["name"] for p in json_of(ok("event", "show", "AI勉強会 #12", "--json"))["people"]
    ] == ["Bob Lee"]


def test_deleting_asks_on_a_real_terminal(tanaka: int) -> None:
    before = snapshot()
    question = f"Delete contact #{tanaka} 田中 太郎 with 1 encounter, 2 topics? [y/N]:"
    code = on_terminal(
        "contacts", "delete", str(tanaka), dialogue=[(question, "n")], last="Nothing was deleted."
    )
    assert code == 1 and snapshot() == before
    code = on_terminal(
        "contacts", "delete", str(tanaka), dialogue=[(question, "y")], last="Deleted contact"
    )
    assert code == 0 and table_count("contact") == 0


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    """A plain SMTP server on 127.0.0.1 that meishi sends through."""
    with smtp_server() as running:
        for key, value in (
            ("smtp.host", "127.0.0.1"), ("smtp.port", str(running.port)),
            ("smtp.security", "none"), ("send.pause", "0"),
        ):  # fmt: skip
            ok("config", "set", key, value)
        yield running


def test_deleting_a_contact_keeps_the_record_of_mail_that_went_out(
    tanaka: int, server: SmtpServer
) -> None:
    set_me()
    add_person("AI勉強会 #12", "Bob Lee", "--email", "bob@example.com")
    ok("thank", "--since", day(-10), "--send")  # through the outbox, to both
    assert len(server.received()) == 2
    sent_before = json_of(ok("outbox", "--json"))
    ok("contacts", "delete", str(tanaka), "--yes")
    ok("contacts", "delete", "Bob Lee", "--yes")
    assert json_of(ok("outbox", "--json")) == sent_before  # every message, as it was
    assert [m["state"] for m in sent_before] == ["sent", "sent"]
    kept = store_rows("SELECT to_addr, state, contact_id, encounter_id FROM draft ORDER BY id")
    assert kept == [
        ("tanaka@acme.example", "sent", None, None),
        ("bob@example.com", "sent", None, None),
    ]


def test_a_thank_you_marked_sent_by_hand_is_kept_when_the_contact_goes(tanaka: int) -> None:
    set_me()
    ok("thank", "--since", day(-10))
    ok("thank", "--mark-sent", str(tanaka))
    result = ok("contacts", "delete", str(tanaka), "--yes")
    assert "Kept as the record of mail that went out: 1 draft." in result.stdout
    assert table_count("draft") == 1


def test_a_contact_with_a_message_waiting_in_the_outbox_is_not_deleted(tanaka: int) -> None:
    set_me()
    ok("config", "set", "smtp.host", "127.0.0.1")
    ok("config", "set", "smtp.port", "9")  # nothing listens: the message stays queued
    ok("config", "set", "smtp.security", "none")
    ok("thank", "--since", day(-10))
    assert run("send", "--yes").exit_code == 1  # the server could not be reached
    before = snapshot()
    message = error_of(fails("contacts", "delete", str(tanaka), "--yes"))
    assert message == (
        "message #1 to tanaka@acme.example about 田中 太郎 is still waiting in the outbox; "
        "send it first (meishi send), then delete"
    )
    assert snapshot() == before


def test_deleting_an_event_takes_the_meetings_there_and_leaves_the_people(tanaka: int) -> None:
    add_event("Mixer", -3)
    add_person("Mixer", "田中 太郎", "--email", "tanaka@acme.example", "--topic", "jazz")
    ok("followup", "AI勉強会 #12", "report", "--date", day(-2))
    before = snapshot()
    assert "add --yes to delete event #1 AI勉強会 #12" in error_of(fails("event", "delete", "AI"))
    assert snapshot() == before
    result = ok("event", "delete", "AI勉強会 #12", "--yes")
    assert result.stdout.strip() == (
        f"Deleted event #1 AI勉強会 #12 ({day(-5)}) with 1 encounter, 2 topics, 1 follow-up."
    )
    shown = card(str(tanaka))
    assert [e["event"]["name"] for e in shown["encounters"]] == ["Mixer"]
    assert [e["name"] for e in json_of(ok("event", "list", "--json"))] == ["Mixer"]


def test_an_event_about_which_mail_went_out_is_kept(tanaka: int) -> None:
    set_me()
    ok("thank", "--since", day(-10))
    ok("thank", "--mark-sent", str(tanaka))
    before = snapshot()
    message = error_of(fails("event", "delete", "AI勉強会 #12", "--yes"))
    assert message == (
        "mail about AI勉強会 #12 went out (draft #1 to 田中 太郎, sent); "
        "meishi keeps the record of mail that went out, so it keeps the event"
    )
    assert snapshot() == before


# --- follow-ups --------------------------------------------------------------------------------


def test_a_follow_up_is_recorded_once_and_deleted_by_its_id() -> None:
    add_event("Mixer", -3)
    ok("followup", "Mixer", "report", "--date", day(-1))
    before = snapshot()
    message = error_of(fails("followup", "Mixer", "report", "--date", day(-1)))
    assert message == (
        f"report on {day(-1)} is already recorded for Mixer (follow-up #1); "
        "if that one is wrong: meishi followup delete 1"
    )
    assert snapshot() == before
    ok("followup", "record", "Mixer", "survey", "--date", day(-1))  # another kind is fine
    assert f"  #1 {day(-1)} report\n  #2 {day(-1)} survey\n" in ok("event", "show", "Mixer").stdout
    assert "not on a terminal: add --yes" in error_of(fails("followup", "delete", "1"))
    assert snapshot() != before
    result = ok("followup", "delete", "1", "--yes")
    assert result.stdout.strip() == f"Deleted follow-up #1 (report on {day(-1)}) of Mixer."
    assert [f["kind"] for f in json_of(ok("event", "show", "Mixer", "--json"))["follow_ups"]] == [
        "survey"
    ]
    assert error_of(fails("followup", "delete", "1", "--yes")) == (
        "no follow-up #1; meishi event show EVENT lists them"
    )


# --- the schema and the JSON dump --------------------------------------------------------------


@pytest.mark.sqlite_only
def test_a_0006_database_is_upgraded_in_place_and_can_be_edited() -> None:
    path = home() / "meishi.db"
    path.parent.mkdir(parents=True)
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", "meishi:migrations")
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
    engine.dispose()
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.create_function("meishi_fold", -1, lambda *texts: "", deterministic=True)
        connection.execute(
            "INSERT INTO contact (id, full_name, company, title, created_at, updated_at) VALUES "
            "(4, '佐藤 花子', 'Acme', '部長', '2026-03-10 12:00:00', '2026-03-10 12:00:00')"
        )
    ok("contacts", "edit", "4", "--company", "Globex")
    assert card("4")["past_positions"] == [
        {"until": TODAY, "company": "Acme", "department": None, "title": "部長"}
    ]
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (SCHEMA_REVISION,)  # upgraded to the newest, through 0007
        ]


def test_past_positions_are_exported_and_restored_once(tanaka: int, tmp_path: Path) -> None:
    ok("contacts", "edit", str(tanaka), "--company", "Globex")
    dump = tmp_path / "all.json"
    ok("export", "--format", "json", "--out", str(dump))
    empty_store()
    ok("import", str(dump))
    ok("import", str(dump))  # a second time adds nothing
    shown = card("田中 太郎")
    assert shown["company"] == "Globex"
    assert shown["past_positions"] == [
        {"until": TODAY, "company": "Acme", "department": None, "title": "CTO"}
    ]


def test_importing_a_known_person_keeps_the_card_and_says_what_it_did_not_change(
    tanaka: int, tmp_path: Path
) -> None:
    rows = tmp_path / "cards.csv"
    rows.write_text(
        "name,email,company,title\n田中 太郎,tanaka@acme.example,Globex,CTO\n", encoding="utf-8"
    )
    result = ok("import", str(rows))
    assert result.stdout.splitlines()[1] == (
        "  not changed: 田中 太郎: kept company 'Acme' (the card says 'Globex'); "
        f"to take the file's: meishi contacts edit {tanaka} --company Globex"
    )
    assert card(str(tanaka))["company"] == "Acme"
