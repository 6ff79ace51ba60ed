"""Messages in the user's words: your status, why nothing was drafted, dry runs without a server."""

from __future__ import annotations

import datetime as dt

from helpers import (
    add_event,
    add_person,
    day,
    error_of,
    fails,
    json_of,
    ok,
    set_me,
    snapshot,
    table_count,
)


def test_event_edit_names_what_changed_as_the_options_do() -> None:
    add_event("Salon", -1)
    text = ok("event", "edit", "Salon", "--time", "19:00", "--organizer-email", "o@example.jp")
    assert text.stdout.startswith("Changed time, organizer email of event #1 Salon")
    assert "start_time" not in text.stdout and "organizer_email" not in text.stdout


def test_event_list_and_show_give_your_own_status() -> None:
    add_event("Went", -3)
    add_event("Going", 3)
    add_event("Dropped", 5)
    ok("cancel", "Dropped")
    lines = [line.split("\t") for line in ok("event", "list").stdout.splitlines()]
    assert [(cells[3], cells[4]) for cells in lines] == [
        ("Dropped", "cancelled"),
        ("Going", "registered"),
        ("Went", "attended"),
    ]
    assert ok("event", "show", "Dropped").stdout.splitlines()[0] == "#3 Dropped (you cancelled)"
    assert ok("event", "show", "Going").stdout.splitlines()[0] == "#2 Going (you are registered)"
    assert json_of(ok("event", "show", "Went", "--json"))["status"] == "attended"


def test_should_return_on_an_event_you_cancelled_says_so() -> None:
    add_event("Dropped", 5)
    ok("cancel", "Dropped")
    text = ok("should-return", "Dropped").stdout
    assert 'You cancelled "Dropped", so there is nothing to judge' in text
    assert f"You cancelled Dropped on {day(5)}, so it does not count." in text
    assert "not attended" not in text and "recorded nobody" not in text


def test_thank_with_no_one_met_says_so() -> None:
    set_me()
    add_event("Quiet", -1)
    text = ok("thank").stdout
    assert (
        text
        == f"No one to thank: you met no one since {day(-1)}; record who you met with meishi add.\n"
    )
    assert "has been thanked" not in text


def test_thank_when_no_one_has_an_email_says_so() -> None:
    set_me()
    add_event("Meetup", -1)
    add_person("Meetup", "田中 太郎")
    text = ok("thank").stdout
    assert "Skipped 田中 太郎 (Meetup)" in text
    assert text.endswith(
        f"No one to thank: no one met since {day(-1)} and not yet thanked has an email.\n"
    )


def test_thank_when_everyone_was_thanked_says_so() -> None:
    set_me()
    add_event("Meetup", -1)
    add_person("Meetup", "Alice Smith", "--email", "alice@example.com")
    ok("thank", "--mark-sent", "Alice")
    assert (
        ok("thank").stdout == f"No one to thank: everyone met since {day(-1)} has been thanked.\n"
    )


def cancelled_late(name: str) -> None:
    """An event two hours from now with an organizer's email, cancelled now: last-minute."""
    start = dt.datetime.now().astimezone() + dt.timedelta(hours=2)
    ok(
        "event", "add", name, "--date", start.date().isoformat(), "--time", f"{start:%H:%M}",
        "--organizer", "佐藤 一郎", "--organizer-email", "sato@example.jp", "--fee", "3000",
    )  # fmt: skip
    ok("cancel", name)


def test_apology_dry_run_needs_no_mail_server() -> None:
    set_me()
    cancelled_late("AI勉強会")
    text = ok("apology", "AI勉強会", "--dry-run").stdout
    assert "would send draft #1 to 佐藤 一郎 <sato@example.jp>: " in text
    assert text.endswith("Dry run: 1 message(s) would be sent; nothing was sent.\n")
    assert table_count("outbox") == 0


def test_apology_dry_run_without_your_email_is_refused_before_drafting() -> None:
    set_me(email=None)
    cancelled_late("AI勉強会")
    before = snapshot()
    message = error_of(fails("apology", "AI勉強会", "--dry-run"))
    assert message.startswith("me.email is not set; mail is sent from it")
    assert snapshot() == before


def test_thank_send_dry_run_needs_no_mail_server() -> None:
    set_me()
    add_event("Meetup", -1)
    add_person("Meetup", "Alice Smith", "--email", "alice@example.com")
    text = ok("thank", "--send", "--dry-run").stdout
    assert "would send draft #1 to Alice Smith <alice@example.com>" in text
    assert table_count("outbox") == 0
