"""Keeping your word from the command line: attendance, last-minute cancellations,
what you owe the organizer, your record, and the one agenda of everything owed."""

import datetime as dt
import email.policy
import os
import re
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from helpers import (
    add_person,
    day,
    error_of,
    fails,
    home,
    json_of,
    ok,
    orm_modules_after,
    set_me,
    snapshot,
    store_rows,
)
from meishi.cli import common
from test_store import create_database_at

# --- a clock the commands read, so that time can pass inside a test ----------


@dataclass
class Clock:
    """The time `meishi.cli.common.now` reports: frozen, moved only by the test."""

    now: dt.datetime

    def advance(self, **delta: float) -> None:
        """Let time pass (or go back)."""
        self.now = later(self.now, **delta)


def later(moment: dt.datetime, **delta: float) -> dt.datetime:
    """A moment shifted by real elapsed time, in the local zone (its offset that day)."""
    return (moment + dt.timedelta(**delta)).astimezone()


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Freeze the commands' clock at the current minute, so every test is exact."""
    frozen = Clock(dt.datetime.now().astimezone().replace(second=0, microsecond=0))
    monkeypatch.setattr(common, "now", lambda: frozen.now)
    monkeypatch.setattr(common, "today", lambda: frozen.now.date())
    return frozen


def on(days: int) -> str:
    """The clock's date plus days, as an ISO date."""
    return (common.today() + dt.timedelta(days=days)).isoformat()


def wall(moment: dt.datetime) -> str:
    """A moment as a local date and time, as `cancel --at` reads it."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


# --- building events and reading the store ------------------------------------


def added(result: Result) -> int:
    """The id `event add` reported."""
    found = re.search(r"Added event #(\d+) ", result.stdout)
    assert found, result.stdout
    return int(found[1])


def event_on(name: str, days: int, *options: str) -> int:
    """An event without a start time, days from the clock's date; its id."""
    return added(ok("event", "add", name, "--date", on(days), *options))


def event_at(name: str, moment: dt.datetime, *options: str) -> int:
    """An event starting at a local date and time; its id."""
    local = moment.astimezone()
    return added(
        ok(
            "event",
            "add",
            name,
            "--date",
            local.date().isoformat(),
            "--time",
            local.strftime("%H:%M"),
            *options,
        )
    )


def missed(clock: Clock, name: str, *options: str) -> int:
    """An event registered for an hour from now, then two hours pass; its id."""
    event_id = event_at(name, later(clock.now, hours=1), *options)
    clock.advance(hours=2)
    return event_id


def no_show_days_ago(clock: Clock, name: str, days: int, *options: str) -> int:
    """An event about `days` ago you registered for and did not go to; its id."""
    today = clock.now
    clock.now = later(today, days=-days, hours=-2)
    event_id = missed(clock, name, *options)
    ok("no-show", str(event_id))
    clock.now = today
    return event_id


def cancelled_late(clock: Clock, name: str, *options: str) -> int:
    """An event two hours from now, cancelled now: last-minute; its id."""
    event_id = event_at(name, later(clock.now, hours=2), *options)
    ok("cancel", str(event_id))
    return event_id


rows = store_rows


def status_of(event_id: int) -> str:
    """Your status for an event, as stored."""
    return str(rows("SELECT attendance FROM event WHERE id = ?", event_id)[0][0])


def changes_of(event_id: int) -> list[tuple[str, dt.datetime, bool, str | None]]:
    """The status changes of an event, oldest first: status, when (UTC), late, reason."""
    return [
        (status, dt.datetime.fromisoformat(at).replace(tzinfo=dt.UTC), bool(late), reason)
        for status, at, late, reason in rows(
            "SELECT status, at, last_minute, reason FROM attendancechange"
            " WHERE event_id = ? ORDER BY id",
            event_id,
        )
    ]


def owed_by(event_id: int) -> list[tuple[str, int | None]]:
    """The open obligations for an event: kind and amount."""
    return rows(
        "SELECT kind, amount FROM obligation WHERE event_id = ? AND settled_at IS NULL ORDER BY id",
        event_id,
    )


def record() -> dict[str, Any]:
    """What `meishi record --json` reports."""
    return json_of(ok("record", "--json"))


def todo() -> list[dict[str, Any]]:
    """What `meishi todo --json` reports."""
    return json_of(ok("todo", "--json"))


def refused(*args: str) -> str:
    """Run meishi, require a one-line refusal with exit 2 and no change; the message."""
    before = snapshot()
    message = error_of(fails(*args))
    assert snapshot() == before
    return message


def read_eml(path: Path) -> EmailMessage:
    """An .eml file parsed as a mail client would."""
    with path.open("rb") as file:
        message = BytesParser(policy=email.policy.default).parse(file)
    assert isinstance(message, EmailMessage)
    return message


# --- your status for each event -----------------------------------------------


def test_an_event_ahead_is_registered_and_one_that_started_is_attended(clock: Clock) -> None:
    assert "(registered)" in ok("event", "add", "Ahead", "--date", on(3)).stdout
    assert "(attended)" in ok("event", "add", "Behind", "--date", on(-3)).stdout
    soon = event_at("Soon", later(clock.now, minutes=1))
    started = event_at("Started", clock.now)  # starting this very minute
    assert [status_of(n) for n in (1, 2, soon, started)] == [
        "registered",
        "attended",
        "registered",
        "attended",
    ]
    assert changes_of(1) == [("registered", clock.now.astimezone(dt.UTC), False, None)]
    assert [change[:3] for change in changes_of(2)] == [
        ("attended", clock.now.astimezone(dt.UTC), False)
    ]


def test_attend_marks_an_event_that_has_started(clock: Clock) -> None:
    registered_at = clock.now
    event_id = missed(clock, "勉強会")
    result = ok("attend", str(event_id))
    assert "勉強会" in result.stdout and "attended." in result.stdout
    assert status_of(event_id) == "attended"
    assert [(s, at) for s, at, _, _ in changes_of(event_id)] == [
        ("registered", registered_at.astimezone(dt.UTC)),
        ("attended", clock.now.astimezone(dt.UTC)),
    ]


def test_meeting_someone_at_an_event_that_started_means_you_attended(clock: Clock) -> None:
    event_id = missed(clock, "勉強会")
    add_person("勉強会", "田中 太郎")
    assert status_of(event_id) == "attended"
    assert changes_of(event_id)[-1][0::3] == ("attended", "met someone there")


def test_meeting_someone_before_the_start_is_refused_and_leaves_you_registered() -> None:
    event_id = event_on("前夜祭", 3)
    before = snapshot()
    message = error_of(fails("add", "--event", "前夜祭", "--name", "田中 太郎"))
    assert "has not started yet" in message and "--force" in message
    assert snapshot() == before
    assert status_of(event_id) == "registered"


def test_meeting_someone_after_a_no_show_corrects_it_and_forgives_what_was_owed(
    clock: Clock,
) -> None:
    event_id = missed(clock, "勉強会", "--fee", "1000")
    ok("no-show", str(event_id))
    assert owed_by(event_id) == [("apology", None), ("fee", 1000)]
    add_person("勉強会", "田中 太郎")
    assert status_of(event_id) == "attended"
    assert owed_by(event_id) == []
    assert record()["owed"] == []


# --- cancellations: in good time, or at the last minute ---------------------


def test_cancelling_in_good_time_owes_nothing(clock: Clock) -> None:
    event_id = event_at("Tech Night", later(clock.now, days=3), "--fee", "3000")
    result = ok("cancel", str(event_id), "--reason", "a clash")
    assert "cancelled." in result.stdout
    assert "in good time" in result.stdout
    assert "last-minute" not in result.stdout and "owe" not in result.stdout
    assert status_of(event_id) == "cancelled"
    assert changes_of(event_id)[-1] == ("cancelled", clock.now.astimezone(dt.UTC), False, "a clash")
    assert owed_by(event_id) == []


def test_a_last_minute_cancellation_owes_an_apology_and_the_fee(clock: Clock) -> None:
    event_id = event_at("Tech Night", later(clock.now, hours=2), "--fee", "3000")
    result = ok("cancel", str(event_id), "--reason", "busy")
    assert "That is a last-minute cancellation." in result.stdout
    assert "the ¥3,000 fee" in result.stdout
    assert f"meishi apology {event_id}" in result.stdout
    assert f"meishi paid {event_id}" in result.stdout
    assert changes_of(event_id)[-1][2] is True
    assert owed_by(event_id) == [("apology", None), ("fee", 3000)]


def test_a_last_minute_cancellation_of_a_free_event_owes_only_an_apology(clock: Clock) -> None:
    event_id = cancelled_late(clock, "もくもく会")
    assert owed_by(event_id) == [("apology", None)]
    zero_fee = cancelled_late(clock, "無料の会", "--fee", "0")
    assert owed_by(zero_fee) == [("apology", None)]


def test_a_no_show_owes_an_apology_and_the_fee(clock: Clock) -> None:
    event_id = missed(clock, "Tech Night", "--fee", "2000")
    result = ok("no-show", str(event_id))
    assert "no-show." in result.stdout and f"meishi apology {event_id}" in result.stdout
    assert status_of(event_id) == "no-show"
    assert owed_by(event_id) == [("apology", None), ("fee", 2000)]


@pytest.mark.parametrize(
    ("before_start", "late"),
    [
        (dt.timedelta(hours=24), True),  # the edge counts as last-minute
        (dt.timedelta(hours=24, minutes=1), False),
        (dt.timedelta(hours=23, minutes=59), True),
    ],
)
def test_cancel_at_is_judged_against_the_start_time(
    clock: Clock, before_start: dt.timedelta, late: bool
) -> None:
    start = later(clock.now, hours=2)
    event_id = event_at("Tech Night", start, "--fee", "1000")
    ok("cancel", str(event_id), "--at", wall(start - before_start))
    assert changes_of(event_id)[-1][:3] == (
        "cancelled",
        (start - before_start).astimezone(dt.UTC),
        late,
    )
    assert len(owed_by(event_id)) == (2 if late else 0)


def test_an_event_without_a_start_time_starts_at_midnight(clock: Clock) -> None:
    midnight = dt.datetime.combine(clock.now.date() + dt.timedelta(days=1), dt.time()).astimezone()
    edge = later(midnight, hours=-24)
    first = event_on("Tomorrow A", 1)
    ok("cancel", str(first), "--at", wall(edge))
    second = event_on("Tomorrow B", 1)
    ok("cancel", str(second), "--at", wall(later(edge, minutes=-1)))
    assert [changes_of(n)[-1][2] for n in (first, second)] == [True, False]
    # Whatever the hour today, cancelling an event dated tomorrow is last-minute.
    third = event_on("Tomorrow C", 1)
    assert "last-minute" in ok("cancel", str(third)).stdout


def test_the_window_is_configurable(clock: Clock) -> None:
    first = event_at("Thirty hours off", later(clock.now, hours=30))
    assert "in good time" in ok("cancel", str(first)).stdout
    assert ok("config", "set", "cancel.window_hours", "48").exit_code == 0
    second = event_at("Thirty hours off too", later(clock.now, hours=30))
    assert "last-minute" in ok("cancel", str(second)).stdout
    assert owed_by(first) == [] and owed_by(second) == [("apology", None)]


# --- settling what you owe -------------------------------------------------


def test_apologized_and_paid_settle_what_is_owed(clock: Clock) -> None:
    event_id = cancelled_late(clock, "Tech Night", "--fee", "3000")
    assert (
        "Recorded your apology (phone)" in ok("apologized", str(event_id), "--how", "phone").stdout
    )
    assert owed_by(event_id) == [("fee", 3000)]
    assert "Recorded ¥3,000 paid for Tech Night." in ok("paid", "Tech Night").stdout
    assert owed_by(event_id) == []
    assert rows("SELECT kind, how, paid FROM obligation ORDER BY id") == [
        ("apology", "phone", None),
        ("fee", None, 3000),
    ]
    assert record()["owed"] == []
    assert todo() == []


def test_settling_on_the_plain_writer_imports_no_orm(clock: Clock) -> None:
    event_id = cancelled_late(clock, "Tech Night", "--fee", "3000")
    assert orm_modules_after(["apologized", "Tech Night", "--how", "mail"]) == []
    assert orm_modules_after(["paid", str(event_id), "--amount", "2000"]) == []
    assert rows("SELECT kind, how, paid, settled_at IS NOT NULL FROM obligation ORDER BY id") == [
        ("apology", "mail", None, True),
        ("fee", None, 2000, True),
    ]
    assert owed_by(event_id) == []


def test_apologized_defaults_to_in_person_and_paid_takes_an_amount(clock: Clock) -> None:
    event_id = cancelled_late(clock, "Tech Night", "--fee", "3000")
    ok("apologized", str(event_id))
    ok("paid", str(event_id), "--amount", "2500")
    assert rows("SELECT how, paid FROM obligation ORDER BY id") == [
        ("in-person", None),
        (None, 2500),
    ]


# --- refusals: one line, exit 2, nothing changed ----------------------------


def test_cancelling_an_event_you_attended_is_refused(clock: Clock) -> None:
    start = later(clock.now, hours=1)
    event_id = missed(clock, "Went")
    ok("attend", str(event_id))
    assert "cannot be cancelled" in refused("cancel", str(event_id))
    at = wall(later(start, hours=-2))  # even with a time before the start
    assert "cannot be cancelled" in refused("cancel", str(event_id), "--at", at)


def test_cancelling_twice_is_refused(clock: Clock) -> None:
    event_id = event_on("Ahead", 5)
    ok("cancel", str(event_id))
    assert "already marked cancelled" in refused("cancel", str(event_id))


def test_paying_twice_is_refused(clock: Clock) -> None:
    event_id = cancelled_late(clock, "Tech Night", "--fee", "3000")
    ok("paid", str(event_id))
    assert "already settled" in refused("paid", str(event_id))


def test_apologizing_twice_is_refused(clock: Clock) -> None:
    event_id = cancelled_late(clock, "Tech Night")
    ok("apologized", str(event_id))
    assert "already settled" in refused("apologized", str(event_id))


def test_settling_what_is_not_owed_is_refused(clock: Clock) -> None:
    in_good_time = event_on("Ahead", 5, "--fee", "3000")
    ok("cancel", str(in_good_time))
    assert "nothing owed" in refused("apologized", str(in_good_time))
    assert "nothing owed" in refused("paid", str(in_good_time))
    free = cancelled_late(clock, "Free night")  # an apology is owed, but no fee
    assert "nothing owed" in refused("paid", str(free))
    attended = event_on("Behind", -3, "--fee", "3000")
    assert "nothing owed" in refused("apologized", str(attended))


def test_a_cancellation_time_after_the_start_is_refused(clock: Clock) -> None:
    start = later(clock.now, hours=1)
    event_id = missed(clock, "Started")
    message = refused("cancel", str(event_id), "--at", wall(later(start, minutes=30)))
    assert "after the start" in message and "meishi no-show" in message
    assert "after the start" in refused("cancel", str(event_id))  # now is after it too


def test_a_cancellation_time_in_the_future_is_refused(clock: Clock) -> None:
    event_id = event_on("Ahead", 5)
    message = refused("cancel", str(event_id), "--at", wall(later(clock.now, hours=1)))
    assert "in the future" in message


def test_a_cancellation_time_that_is_no_time_is_refused() -> None:
    event_id = event_on("Ahead", 5)
    assert "unknown date" in refused("cancel", str(event_id), "--at", "someday")


@pytest.mark.parametrize("command", ["attend", "no-show"])
def test_attend_or_no_show_before_the_start_is_refused(clock: Clock, command: str) -> None:
    event_id = event_at("Soon", later(clock.now, minutes=1))
    assert "has not started yet" in refused(command, str(event_id))


def test_a_no_show_of_an_event_you_attended_is_refused(clock: Clock) -> None:
    event_id = missed(clock, "Went")
    add_person("Went", "田中 太郎")  # meeting someone there means you attended
    assert "not a no-show" in refused("no-show", str(event_id))


def test_an_unknown_way_to_apologize_is_refused(clock: Clock) -> None:
    event_id = cancelled_late(clock, "Tech Night")
    message = refused("apologized", str(event_id), "--how", "carrier-pigeon")
    assert "unknown way 'carrier-pigeon'" in message
    assert "in-person" in message and "phone" in message and "mail" in message


@pytest.mark.parametrize("amount", ["0", "-500"])
def test_paying_nothing_is_refused(clock: Clock, amount: str) -> None:
    event_id = cancelled_late(clock, "Tech Night", "--fee", "3000")
    assert "invalid amount" in refused("paid", str(event_id), "--amount", amount)


@pytest.mark.parametrize("value", ["abc", "0", "-24", "1000", "nan", "inf", ""])
def test_an_invalid_cancel_window_is_refused(value: str) -> None:
    ok("config", "set", "cancel.window_hours", "48")
    assert "invalid window" in refused("config", "set", "cancel.window_hours", value)


def test_a_cancel_window_edited_by_hand_is_refused_in_one_line() -> None:
    event_id = event_on("Ahead", 5)
    home().mkdir(parents=True, exist_ok=True)  # on a server store, nothing else made it
    (home() / "config.toml").write_text('[cancel]\nwindow_hours = "abc"\n', encoding="utf-8")
    assert "cancel.window_hours" in refused("cancel", str(event_id))


def test_an_unknown_event_is_refused() -> None:
    event_on("Ahead", 5)
    assert "no event matches 'Nowhere'" in refused("cancel", "Nowhere")


# --- going after all --------------------------------------------------------


def test_registering_for_a_past_event_added_as_attended_says_it_has_started() -> None:
    event_id = event_on("Last Week", -7)  # attended by assumption
    message = error_of(fails("register", str(event_id)))
    assert "Last Week has already started" in message
    assert "already marked" not in message
    assert status_of(event_id) == "attended"


def test_going_after_all_to_an_event_you_cancelled_can_be_recorded(clock: Clock) -> None:
    event_id = event_at("Tech Night", later(clock.now, days=3))
    ok("cancel", str(event_id))
    clock.advance(days=3, hours=2)
    assert "has already started" in error_of(fails("register", str(event_id)))
    ok("attend", str(event_id))  # you went after all
    assert status_of(event_id) == "attended"
    assert owed_by(event_id) == []


def test_an_event_you_went_to_after_all_owes_nothing(clock: Clock) -> None:
    event_id = cancelled_late(clock, "Tech Night", "--fee", "3000")
    ok("register", str(event_id))
    clock.advance(hours=3)
    ok("attend", str(event_id))
    assert status_of(event_id) == "attended"
    assert owed_by(event_id) == []


# --- the apology draft -------------------------------------------------------


def test_an_apology_to_a_japanese_organizer(clock: Clock, tmp_path: Path) -> None:
    set_me()
    event_id = event_at(
        "AI勉強会 #12",
        later(clock.now, hours=2),
        "--organizer",
        "佐藤 一郎",
        "--organizer-email",
        "sato@example.jp",
        "--fee",
        "3000",
    )
    ok("cancel", str(event_id), "--reason", "急な残業が入ったため")
    out = tmp_path / "out"
    result = ok("apology", str(event_id), "--out", str(out))
    [path] = out.iterdir()
    assert f"Written to {path}" in result.stdout
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    message = read_eml(path)
    assert message.get_all("To") is not None and len(message.get_all("To")) == 1
    [to] = message["To"].addresses
    assert (to.display_name, to.addr_spec) == ("佐藤 一郎", "sato@example.jp")
    assert message["Cc"] is None and message["Bcc"] is None
    assert "お詫び" in message["Subject"] and "AI勉強会 #12" in message["Subject"]
    body = message.get_content()
    assert "佐藤 一郎 様" in body
    # Before the start it is a notice, with the reason in one short clause.
    assert "につきまして、\r\n急な残業が入ったため、参加できなくなりました。" in body
    assert "直前のご連絡となり" in body
    assert "3,000円" in body  # offers to pay
    assert body.count("残業") == 1
    assert len(body.strip().splitlines()) <= 16  # short
    assert rows("SELECT kind, to_addr FROM draft") == [("apology", "sato@example.jp")]


def test_an_apology_in_english_after_a_no_show(clock: Clock, tmp_path: Path) -> None:
    set_me("Hanako Yamada", "hanako@example.jp")
    event_id = missed(
        clock, "Tech Night", "--organizer", "John Smith", "--organizer-email", "john@example.com"
    )
    ok("no-show", str(event_id))
    ok("apology", "Tech Night", "--out", str(tmp_path))
    [path] = tmp_path.glob("*.eml")
    message = read_eml(path)
    assert [a.addr_spec for a in message["To"].addresses] == ["john@example.com"]
    body = message.get_content()
    assert body.startswith("Dear John Smith,")
    assert "I am sorry that I did not come to Tech Night" in body
    assert "fee" not in body  # a free event: nothing to offer to pay
    assert "様" not in body and "Hanako Yamada" in body


def test_an_english_apology_offers_the_fee_and_gives_the_reason_in_a_clause(
    clock: Clock, tmp_path: Path
) -> None:
    set_me("Hanako Yamada", "hanako@example.jp")
    event_id = event_at(
        "Tech Night",
        later(clock.now, hours=2),
        "--organizer",
        "John Smith",
        "--organizer-email",
        "john@example.com",
        "--fee",
        "3000",
    )
    ok("cancel", str(event_id), "--reason", "stuck at work with a deadline")
    ok("apology", str(event_id), "--out", str(tmp_path))
    [path] = tmp_path.glob("*.eml")
    body = read_eml(path).get_content()
    assert "cancel my place at Tech Night" in body and "letting you know so late" in body
    assert "cancelling Tech Night" not in body
    assert "pay the ¥3,000 fee" in body
    assert "(stuck at work with a deadline)" in " ".join(body.split())


@pytest.mark.parametrize(
    ("name", "organizer", "template"),
    [
        ("AI勉強会", "John Smith", "apology-ja"),
        ("Tech Night", "佐藤 一郎", "apology-ja"),
        ("Tech Night", "John Smith", "apology-en"),
    ],
)
def test_an_apology_is_japanese_when_the_organizer_or_event_is(
    clock: Clock, name: str, organizer: str, template: str
) -> None:
    set_me()
    event_id = cancelled_late(
        clock, name, "--organizer", organizer, "--organizer-email", "host@example.jp"
    )
    ok("apology", str(event_id))
    [(used, body)] = rows("SELECT template, body FROM draft")
    assert used == template
    assert (f"{organizer} 様" in body) is (template == "apology-ja")


def test_an_apology_without_the_organizers_email_says_how_to_add_it(clock: Clock) -> None:
    set_me()
    event_id = cancelled_late(clock, "AI勉強会", "--organizer", "佐藤 一郎")
    message = refused("apology", str(event_id))
    assert "no organizer email" in message
    assert f"meishi event edit {event_id} --organizer-email" in message
    ok("event", "edit", str(event_id), "--organizer-email", "sato@example.jp")
    assert "To: 佐藤 一郎 <sato@example.jp>" in ok("apology", str(event_id)).stdout


@pytest.mark.parametrize("when", [-3, 3], ids=["attended", "registered"])
def test_an_apology_for_an_event_not_cancelled_is_refused(when: int) -> None:
    set_me()
    event_id = event_on("AI勉強会", when, "--organizer-email", "sato@example.jp")
    assert "no apology is owed" in refused("apology", str(event_id))


def test_an_apology_for_a_cancellation_in_good_time_does_not_claim_it_was_last_minute(
    clock: Clock,
) -> None:
    set_me("Hanako Yamada", "hanako@example.jp")
    event_id = event_on("Tech Night", 10, "--organizer-email", "john@example.com", "--fee", "3000")
    ok("cancel", str(event_id))
    assert "no apology is owed" in refused("apology", str(event_id))
    assert rows("SELECT body FROM draft") == []


# --- should-return knows what you owe --------------------------------------


def test_should_return_names_what_is_still_owed_to_the_organizer(clock: Clock) -> None:
    visit = event_on("AI勉強会 #11", -20, "--series", "AI勉強会", "--organizer", "佐藤")
    ok("followup", str(visit), "thanks", "--date", on(-19))
    assert json_of(ok("should-return", "AI勉強会", "--json"))["owed"] == []
    missed_one = missed(clock, "AI勉強会 #12", "--series", "AI勉強会", "--organizer", "佐藤")
    ok("no-show", str(missed_one))
    elsewhere = cancelled_late(clock, "佐藤さんの読書会", "--organizer", "佐藤", "--fee", "1500")
    other_host = cancelled_late(clock, "別の会", "--organizer", "鈴木")

    verdict = json_of(ok("should-return", "AI勉強会", "--json"))
    assert verdict["verdict"] == "return"
    owed = {(r["kind"], r["event_id"]) for r in verdict["owed"]}
    assert owed == {("apology", missed_one), ("apology", elsewhere), ("fee", elsewhere)}
    assert all("settle it first" in r["text"] for r in verdict["owed"])
    assert other_host not in {r["event_id"] for r in verdict["owed"]}
    texts = [r["text"] for r in verdict["reasons"]]
    assert any(f"meishi apologized {missed_one}" in t for t in texts)
    assert any(f"meishi paid {elsewhere}" in t and "¥1,500" in t for t in texts)
    assert "You still owe 佐藤 an apology" in ok("should-return", "AI勉強会").stdout

    ok("apologized", str(missed_one))
    ok("apologized", str(elsewhere), "--how", "mail")
    ok("paid", str(elsewhere))
    settled = json_of(ok("should-return", "AI勉強会", "--json"))
    assert settled["owed"] == []
    assert not any("settle" in r["text"] for r in settled["reasons"])


# --- your record --------------------------------------------------------------


def test_the_record_counts_statuses_rates_and_what_is_owed(clock: Clock) -> None:
    sato = ("--organizer", "佐藤", "--series", "AI勉強会")
    event_on("Attended", -10, *sato)
    event_on("Ahead", 10, *sato)
    early = event_on("Early", 5, "--organizer", "鈴木", "--series", "AI勉強会")
    ok("cancel", str(early))
    late = cancelled_late(clock, "Late", *sato, "--fee", "2000")

    result = record()
    assert result["counts"] == {"registered": 1, "attended": 1, "cancelled": 2, "no-show": 0}
    assert result["last_minute"] == 1
    assert result["rate"] == {"incidents": 1, "committed": 3, "rate": 0.333}
    assert result["by_organizer"] == {
        "佐藤": {"incidents": 1, "committed": 2, "rate": 0.5},
        "鈴木": {"incidents": 0, "committed": 1, "rate": 0.0},
    }
    assert result["by_series"] == {"AI勉強会": {"incidents": 1, "committed": 3, "rate": 0.333}}
    assert [(o["kind"], o["amount"], o["event"]["id"], o["organizer"]) for o in result["owed"]] == [
        ("apology", None, late, "佐藤"),
        ("fee", 2000, late, "佐藤"),
    ]
    assert result["warnings"] == []

    text = ok("record").stdout
    assert "Registered 1, attended 1, cancelled 2 (1 at the last minute), no-shows 0." in text
    assert "Still owed: an apology for Late" in text
    assert "Still owed: the ¥2,000 fee for Late" in text
    assert "Warning" not in text


def test_an_empty_record_says_organizers_can_count_on_you() -> None:
    assert "organizers can count on you" in ok("record").stdout
    assert record()["warnings"] == []


def test_two_incidents_within_90_days_are_a_pattern(clock: Clock) -> None:
    first = cancelled_late(clock, "Late one")
    assert record()["warnings"] == []  # one alone is no pattern
    no_show_days_ago(clock, "Missed one", 30)
    result = record()
    assert result["counts"]["no-show"] == 1 and result["last_minute"] == 1
    [warning] = result["warnings"]
    assert "2 last-minute cancellations or no-shows in the last 90 days" in warning
    assert "Late one" in warning and "Missed one" in warning
    assert f"Warning: {warning}" in ok("record").stdout
    assert owed_by(first) == [("apology", None)]


def test_one_no_show_alone_is_no_pattern(clock: Clock) -> None:
    no_show_days_ago(clock, "Missed one", 3)
    assert record()["warnings"] == []
    assert "Warning" not in ok("record").stdout


@pytest.mark.parametrize(("older", "newer"), [(110, 5), (220, 110)])
def test_incidents_more_than_100_days_apart_are_no_recent_pattern(
    clock: Clock, older: int, newer: int
) -> None:
    no_show_days_ago(clock, "Long ago", older)
    no_show_days_ago(clock, "Later", newer)
    result = record()
    assert result["counts"]["no-show"] == 2
    assert result["warnings"] == []


# --- one agenda -------------------------------------------------------------


@pytest.fixture
def busy(clock: Clock) -> Iterator[dict[str, int]]:
    """Something of every kind owed, entered in no particular order."""
    ids: dict[str, int] = {}
    ids["visit"] = event_on("もくもく会 #3", -14, "--series", "もくもく会")
    ids["next"] = event_on("もくもく会 #4", 7, "--series", "もくもく会")
    ids["yesterday"] = event_on("Yesterday meetup", -1)
    add_person("Yesterday meetup", "田中 太郎", "--email", "taro@example.jp")
    ids["late_cancel"] = cancelled_late(clock, "Fee night", "--organizer", "佐藤", "--fee", "3000")
    ids["last_week"] = event_on("Last week meetup", -6)
    add_person("Last week meetup", "Sarah Johnson", "--email", "sarah@example.com")
    ids["no_show"] = no_show_days_ago(clock, "Missed night", 5)
    yield ids


def test_todo_lists_everything_owed_most_urgent_first(busy: dict[str, int]) -> None:
    tasks = todo()
    assert [t["kind"] for t in tasks] == [
        "apology",
        "apology",
        "fee",
        "thank-late",
        "thank",
        "decide",
    ]
    # Apologies are ordered by date: the older no-show first.
    assert f"meishi apology {busy['no_show']}," in tasks[0]["command"]
    assert f"meishi apology {busy['late_cancel']}," in tasks[1]["command"]
    assert "Apologize to 佐藤 for Fee night" in tasks[1]["text"]
    assert tasks[2]["command"] == f"meishi paid {busy['late_cancel']}"
    assert "¥3,000" in tasks[2]["text"]
    assert tasks[3]["late"] is True and "late" in tasks[3]["text"]
    assert "Sarah Johnson" in tasks[3]["text"]
    assert tasks[3]["command"] == f"meishi thank --event {busy['last_week']}"
    assert tasks[4]["late"] is False and "田中 太郎" in tasks[4]["text"]
    assert tasks[4]["command"] == f"meishi thank --event {busy['yesterday']}"
    brief = f"meishi brief {busy['next']}"
    assert tasks[5]["command"] == f'meishi should-return "もくもく会", or {brief}'
    assert on(7) in tasks[5]["text"] and tasks[5]["due"] == on(7)

    text = ok("todo").stdout
    assert text.startswith("1. ")
    assert text.count("\n   → meishi ") == len(tasks)
    for number, task in enumerate(tasks, start=1):
        assert f"{number}. {task['text']}\n   → {task['command']}" in text


def test_asking_should_return_takes_the_decision_off_the_agenda(busy: dict[str, int]) -> None:
    ok("should-return", "もくもく会")
    kinds = [t["kind"] for t in todo()]
    assert "decide" not in kinds
    assert kinds == ["apology", "apology", "fee", "thank-late", "thank"]


def test_settling_takes_apologies_and_fees_off_the_agenda(busy: dict[str, int]) -> None:
    ok("apologized", str(busy["no_show"]))
    ok("apologized", str(busy["late_cancel"]))
    ok("paid", str(busy["late_cancel"]))
    assert [t["kind"] for t in todo()] == ["thank-late", "thank", "decide"]


def test_a_decision_asked_before_your_last_visit_is_asked_again(clock: Clock) -> None:
    event_on("もくもく会 #3", -14, "--series", "もくもく会")
    event_on("もくもく会 #4", 7, "--series", "もくもく会")
    today = clock.now
    clock.advance(days=-16)  # asked before the last visit
    ok("should-return", "もくもく会")
    clock.now = today
    assert [t["kind"] for t in todo()] == ["decide"]
    ok("should-return", "もくもく会")
    assert todo() == []


def test_a_decision_asked_on_the_day_of_your_last_visit_counts(clock: Clock) -> None:
    event_on("もくもく会 #3", -14, "--series", "もくもく会")
    event_on("もくもく会 #4", 7, "--series", "もくもく会")
    ok("followup", "もくもく会 #3", "thanks", "--date", on(-14))  # the verdict stays return
    today = clock.now
    visit_day = dt.datetime.combine(today.date() - dt.timedelta(days=14), dt.time(21, 0))
    clock.now = visit_day.astimezone()  # that evening, after the visit
    ok("should-return", "もくもく会")
    clock.now = today
    assert todo() == []


def test_only_coming_occurrences_of_series_you_went_to_are_to_decide(clock: Clock) -> None:
    event_on("Never been #1", 7, "--series", "Never been")  # no visit yet
    event_on("Far off #1", -10, "--series", "Far off")
    event_on("Far off #2", 40, "--series", "Far off")  # beyond 30 days
    event_on("Cancelled #1", -10, "--series", "Cancelled")
    ok("cancel", str(event_on("Cancelled #2", 7, "--series", "Cancelled")))
    assert todo() == []


def test_an_empty_agenda_says_so() -> None:
    assert "Nothing to do" in ok("todo").stdout
    assert todo() == []


# --- event edit --------------------------------------------------------------


def test_event_edit_changes_the_fields_given() -> None:
    event_id = event_on("AI勉強会", 3, "--organizer", "佐藤")
    result = ok("event", "edit", str(event_id), "--organizer-email", "sato@example.jp")
    assert "Changed organizer email of event" in result.stdout
    ok("event", "edit", "AI勉強会", "--fee", "1000", "--place", "渋谷")
    shown = json_of(ok("event", "show", str(event_id), "--json"))
    assert (shown["organizer"], shown["organizer_email"], shown["fee"], shown["place"]) == (
        "佐藤",
        "sato@example.jp",
        1000,
        "渋谷",
    )


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (("--organizer-email", "not-an-email"), "not-an-email"),
        ((), "nothing to change"),
        (("--organizer", "佐藤\r\nBcc: x@evil.example"), "organizer name"),
        (("--organizer", "佐藤\nBcc: x@evil.example"), "organizer name"),
        (("--organizer", "佐藤\r"), "organizer name"),
        (("--name", "AI\nBcc: x@evil.example"), "name"),
        (("--fee", "-1"), "invalid fee"),
    ],
    ids=["bad-email", "nothing", "crlf", "lf", "cr", "name-lf", "fee"],
)
def test_event_edit_refuses_bad_input(options: tuple[str, ...], words: str) -> None:
    event_id = event_on("AI勉強会", 3, "--organizer", "佐藤")
    assert words in refused("event", "edit", str(event_id), *options)


# --- an older database ------------------------------------------------------


@pytest.mark.sqlite_only
def test_a_0002_database_upgrades_with_attendance_from_its_dates() -> None:
    path = home() / "meishi.db"
    create_database_at(path, "0002")
    with closing(sqlite3.connect(path)) as connection, connection:
        for event_id, name, offset in ((1, "Past", -3), (2, "Future", 3)):
            connection.execute(
                "INSERT INTO event (id, name, date, created_at) VALUES (?, ?, ?, ?)",
                (event_id, name, day(offset), "2026-01-01 09:00:00.000000"),
            )
    counts = record()["counts"]  # opening the store upgrades it
    assert counts == {"registered": 1, "attended": 1, "cancelled": 0, "no-show": 0}
    assert (status_of(1), status_of(2)) == ("attended", "registered")
    assert [[change[0] for change in changes_of(n)] for n in (1, 2)] == [
        ["attended"],
        ["registered"],
    ]
    assert rows("SELECT version_num FROM alembic_version") != [("0002",)]


@pytest.mark.sqlite_only
def test_a_past_event_from_an_older_database_can_be_corrected_like_a_new_one() -> None:
    create_database_at(home() / "meishi.db", "0002")
    with closing(sqlite3.connect(home() / "meishi.db")) as connection, connection:
        connection.execute(
            "INSERT INTO event (id, name, date, created_at) VALUES (1, 'Old', ?, ?)",
            (on(-3), "2026-01-01 09:00:00.000000"),
        )
    fresh = event_on("New", -3)
    ok("no-show", str(fresh))  # an event added after it took place can be corrected
    ok("no-show", "1")
    assert status_of(1) == "no-show"


# --- the machine's zone decides when an event starts --------------------------


def meishi_in(zone: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m meishi` in a fresh process with TZ set to zone."""
    return subprocess.run(
        [sys.executable, "-m", "meishi", *args],
        env={**os.environ, "TZ": zone},
        capture_output=True,
        text=True,
        timeout=60,
    )


def utc_wall(**delta: float) -> tuple[str, str]:
    """The UTC wall-clock date and HH:MM that far from the real now."""
    moment = dt.datetime.now(dt.UTC) + dt.timedelta(**delta)
    return moment.date().isoformat(), moment.strftime("%H:%M")


@pytest.mark.parametrize(("zone", "status"), [("UTC", "registered"), ("Asia/Tokyo", "attended")])
def test_the_local_zone_decides_whether_an_event_has_started(zone: str, status: str) -> None:
    # Four hours ahead on a UTC clock is five hours ago on a Tokyo clock.
    date, time = utc_wall(hours=4)
    result = meishi_in(zone, "event", "add", "Meetup", "--date", date, "--time", time)
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith(f"({status})")


@pytest.mark.parametrize(
    ("zone", "late"), [("UTC", False), ("Asia/Tokyo", True)], ids=["UTC", "Asia/Tokyo"]
)
def test_the_local_zone_decides_whether_a_cancellation_is_last_minute(
    zone: str, late: bool
) -> None:
    # 30 hours ahead on a UTC clock is 21 hours ahead on a Tokyo clock.
    date, time = utc_wall(hours=30)
    assert meishi_in(zone, "event", "add", "Meetup", "--date", date, "--time", time).returncode == 0
    result = meishi_in(zone, "cancel", "Meetup")
    assert result.returncode == 0, result.stderr
    assert ("last-minute" in result.stdout) is late
    assert changes_of(1)[-1][2] is late


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo"])
def test_cancel_at_is_read_as_local_time(zone: str) -> None:
    date, time = utc_wall(hours=30)
    assert meishi_in(zone, "event", "add", "Meetup", "--date", date, "--time", time).returncode == 0
    at_date, at_time = utc_wall(hours=7)  # on a UTC clock: the future; in Tokyo: 2 hours ago
    result = meishi_in(zone, "cancel", "Meetup", "--at", f"{at_date} {at_time}")
    if zone == "UTC":
        assert result.returncode == 2
        assert "in the future" in result.stderr
        assert status_of(1) == "registered"
        return
    assert result.returncode == 0, result.stderr
    assert "last-minute" in result.stdout  # 23 hours before a start 21 hours away
    written = dt.datetime.fromisoformat(f"{at_date} {at_time}").replace(tzinfo=dt.UTC)
    assert changes_of(1)[-1][:3] == ("cancelled", written - dt.timedelta(hours=9), True)


ORGANIZER = ("--organizer", "AI勉強会 運営事務局", "--organizer-email", "info@example.jp")


def test_cancel_notify_drafts_a_notice_to_the_organizer(tmp_path: Path) -> None:
    set_me()
    event_id = event_on("AI勉強会 #13", 10, *ORGANIZER)
    result = ok(
        "cancel", str(event_id), "--reason", "出張が入った", "--notify", "--out", str(tmp_path)
    )
    assert "Cancelled in good time" in result.stdout
    (draft,) = json_of(ok("drafts", "list", "--json"))
    assert (draft["kind"], draft["state"]) == ("notice", "pending")
    assert f"Send it: meishi send {draft['id']}" in result.stdout
    (path,) = tmp_path.glob("notice-*.eml")
    body = read_eml(path).get_content()
    assert "AI勉強会 運営事務局 御中" in body and "様" not in body.split("\n", 1)[0]
    assert "出張が入ったため、参加できなくなりました。" in body
    assert "キャンセルのお手続き" in body
    assert status_of(event_id) == "cancelled" and owed_by(event_id) == []


def test_cancel_notify_without_the_organizers_address_cancels_nothing() -> None:
    set_me()
    event_id = event_on("AI勉強会 #13", 10, "--organizer", "佐藤 一郎")
    before = snapshot()
    message = error_of(fails("cancel", str(event_id), "--notify"))
    assert f"meishi event edit {event_id} --organizer-email ADDRESS" in message
    assert snapshot() == before and status_of(event_id) == "registered"


def test_cancel_notify_at_the_last_minute_owes_an_apology_instead(clock: Clock) -> None:
    set_me()
    event_id = event_at("AI勉強会 #13", later(clock.now, hours=2), *ORGANIZER)
    result = ok("cancel", str(event_id), "--notify")
    assert f"an apology is owed instead (meishi apology {event_id})" in result.stdout
    assert json_of(ok("drafts", "list", "--json")) == []
