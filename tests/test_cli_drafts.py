"""Holding a draft back and reviewing it before it goes: `meishi drafts`, what `meishi send`
sends, .eml files you changed, one thank-you for several meetings, no meeting that did not
happen."""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pexpect
import pytest

from helpers import (
    add_event,
    add_person,
    error_of,
    fails,
    home,
    json_of,
    ok,
    set_me,
    snapshot,
)
from smtp_server import SmtpServer, smtp_server
from test_mail_sending import configure

EVENT = "AI勉強会 #12"
TARO, SARAH = "taro@example.jp", "sarah@example.com"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A plain SMTP server on 127.0.0.1 that meishi is set to send through."""
    with smtp_server() as running:
        configure(running)
        yield running


@pytest.fixture
def drafted() -> dict[str, int]:
    """Two people met yesterday and their thank-you drafts; the draft ids by address."""
    set_me()
    add_event(EVENT, -1)
    add_person(EVENT, "田中 太郎", "--email", TARO, "--topic", "RAGの評価")
    add_person(EVENT, "Sarah Johnson", "--email", SARAH, "--topic", "hiring")
    drafts = json_of(ok("thank", "--json"))["drafts"]
    return {draft["to"]: draft["id"] for draft in drafts}


def listed() -> dict[int, dict[str, Any]]:
    """What `meishi drafts --json` reports, by draft id."""
    return {row["id"]: row for row in json_of(ok("drafts", "--json"))}


def received_by(server: SmtpServer) -> Counter[str]:
    """How many messages each recipient received."""
    return Counter(rcpt for message in server.received() for rcpt in message.rcpt_tos)


def refused(*args: str) -> str:
    """Run meishi, require a one-line refusal (exit 2) that left the store as it was."""
    before = snapshot()
    message = error_of(fails(*args))
    assert snapshot() == before
    return message


def apology_preview() -> int:
    """A no-show with an organizer's address, its apology drafted (previewed, not sent);
    the draft's id."""
    event_id = add_event("Fintech Night", -2, "--organizer-email", "org@example.org")
    ok("no-show", str(event_id))
    ok("apology", str(event_id))
    (apology,) = [row for row in listed().values() if row["kind"] == "apology"]
    return int(apology["id"])


# --- meishi drafts: list, show, hold, release ------------------------------------------------


def test_drafts_lists_every_draft_with_its_state_person_event_and_kind(
    drafted: dict[str, int],
) -> None:
    apology = apology_preview()
    rows = listed()
    assert {row["state"] for row in rows.values()} == {"pending"}
    assert rows[drafted[TARO]]["kind"] == "thank-you"
    assert rows[drafted[TARO]]["to"]["name"] == "田中 太郎"
    assert [e["name"] for e in rows[drafted[TARO]]["events"]] == [EVENT]
    assert rows[apology]["kind"] == "apology"
    assert rows[apology]["events"][0]["name"] == "Fintech Night"
    text = ok("drafts").stdout  # off a terminal: tab-separated lines
    assert f"{drafted[SARAH]}\tpending\tthank-you\tSarah Johnson\t{EVENT}" in text
    assert ok("drafts", "list").stdout == text
    shown = ok("drafts", "show", str(drafted[TARO])).stdout
    assert "田中 太郎 様" in shown and "pending thank-you" in shown


def test_hold_and_release_and_what_they_refuse(drafted: dict[str, int]) -> None:
    taro = str(drafted[TARO])
    assert "Held draft" in ok("drafts", "hold", taro).stdout
    assert listed()[drafted[TARO]]["state"] == "held"
    assert "held already" in refused("drafts", "hold", taro)
    ok("thank")  # drafting again renders it anew, and it stays held
    assert listed()[drafted[TARO]]["state"] == "held"
    assert "pending again" in ok("drafts", "release", taro).stdout
    assert "pending already" in refused("drafts", "release", taro)
    assert "no draft #99" in refused("drafts", "hold", "99")


# --- meishi send: only what you name, or the pending thank-yous after a yes ------------------


def test_send_without_ids_off_a_terminal_needs_yes_and_changes_nothing(
    smtp: SmtpServer, drafted: dict[str, int]
) -> None:
    message = refused("send")
    assert "--yes" in message and "not a terminal" in message
    assert smtp.received() == []


def test_send_yes_sends_the_pending_thank_yous_but_no_held_draft_and_no_apology_preview(
    smtp: SmtpServer, drafted: dict[str, int]
) -> None:
    apology = apology_preview()
    ok("drafts", "hold", str(drafted[SARAH]))
    ok("send", "--yes")
    assert received_by(smtp) == Counter({TARO: 1})
    states = {key: row["state"] for key, row in listed().items()}
    assert states == {drafted[TARO]: "sent", drafted[SARAH]: "held", apology: "pending"}
    assert "sent" in refused("drafts", "hold", str(drafted[TARO]))
    ok("send", str(apology))  # named, it goes
    assert received_by(smtp) == Counter({TARO: 1, "org@example.org": 1})


def test_send_with_ids_sends_only_the_drafts_named(
    smtp: SmtpServer, drafted: dict[str, int]
) -> None:
    ok("send", str(drafted[SARAH]))
    assert received_by(smtp) == Counter({SARAH: 1})
    assert listed()[drafted[TARO]]["state"] == "pending"
    held = ok("drafts", "hold", str(drafted[TARO])) and ok("send", str(drafted[TARO]))
    assert f"it is held; meishi drafts release {drafted[TARO]} first" in held.stdout
    assert received_by(smtp) == Counter({SARAH: 1})


def terminal(*args: str) -> pexpect.spawn:
    """meishi running on a real terminal (a pty), in this test's home."""
    env = {**os.environ, "MEISHI_HOME": str(home()), "PYTHONIOENCODING": "utf-8"}
    return pexpect.spawn(
        sys.executable, ["-m", "meishi", *args], env=env, encoding="utf-8", timeout=60
    )


def test_send_on_a_terminal_lists_the_pending_thank_yous_and_asks(
    smtp: SmtpServer, drafted: dict[str, int]
) -> None:
    apology_preview()
    child = terminal("send")
    child.expect(r"Send these 2 message\(s\)\? \[y/N\]")
    listing = child.before
    assert TARO in listing and SARAH in listing and "org@example.org" not in listing
    child.sendline("n")
    child.expect("Nothing was sent.")
    child.expect(pexpect.EOF)
    assert smtp.received() == []
    child = terminal("send")
    child.expect(r"\[y/N\]")
    child.sendline("y")
    child.expect("2 sent, 0 failed")
    child.expect(pexpect.EOF)
    assert received_by(smtp) == Counter({TARO: 1, SARAH: 1})


# --- discard -----------------------------------------------------------------------------------


def test_discard_asks_on_a_terminal(drafted: dict[str, int]) -> None:
    child = terminal("drafts", "discard", str(drafted[TARO]))
    child.expect(rf"Discard draft #{drafted[TARO]}\? \[y/N\]")
    assert "田中 太郎" in child.before
    child.sendline("y")
    child.expect("it will not be sent")
    child.expect(pexpect.EOF)
    assert listed()[drafted[TARO]]["state"] == "discarded"


def test_discard_needs_yes_off_a_terminal_and_nothing_sent_leaves_the_record(
    smtp: SmtpServer, drafted: dict[str, int]
) -> None:
    assert "--yes" in refused("drafts", "discard", str(drafted[TARO]))
    ok("drafts", "discard", str(drafted[TARO]), "--yes")
    assert "discarded already" in refused("drafts", "discard", str(drafted[TARO]), "--yes")
    ok("send", "--yes")
    assert received_by(smtp) == Counter({SARAH: 1})
    message = refused("drafts", "discard", str(drafted[SARAH]), "--yes")
    assert "sent" in message and "stays on record" in message
    assert [row["to"] for row in json_of(ok("outbox", "--json"))] == [SARAH]


def test_a_discarded_thank_you_is_not_drafted_again_nor_on_the_agenda(
    drafted: dict[str, int],
) -> None:
    ok("drafts", "discard", str(drafted[TARO]), "--yes")
    run = json_of(ok("thank", "--json"))
    assert [draft["to"] for draft in run["drafts"]] == [SARAH]
    assert "discarded" in run["skipped"][0]["reason"]
    agenda = json_of(ok("todo", "--json"))
    assert [task["text"] for task in agenda if "田中" in task["text"]] == []


# --- edit --------------------------------------------------------------------------------------

EDITOR = """
import os, pathlib, sys
path = pathlib.Path(sys.argv[1])
pathlib.Path(os.environ["EDITOR_SAW"]).write_bytes(path.read_bytes())
path.write_bytes(os.environ["EDITOR_WRITES"].encode("utf-8"))
"""


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$EDITOR set to a script that notes what it was shown and writes $EDITOR_WRITES."""
    script = tmp_path / "editor.py"
    script.write_text(EDITOR, encoding="utf-8")
    saw = tmp_path / "saw.txt"
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.setenv("EDITOR_SAW", str(saw))
    return saw


def test_edit_opens_subject_and_body_and_the_edited_text_is_what_is_sent(
    editor: Path, smtp: SmtpServer, drafted: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    taro = str(drafted[TARO])
    monkeypatch.setenv(
        "EDITOR_WRITES", "Subject: 昨日はありがとうございました\n\n田中様\n書き直しました。\n"
    )
    ok("drafts", "edit", taro)
    shown = editor.read_bytes().decode("utf-8")
    assert shown.startswith("Subject: 【御礼】AI勉強会 #12") and "田中 太郎 様" in shown
    assert not list(home().glob("DRAFT_*"))  # the file it was edited in is gone
    ok("thank")  # drafting again keeps what you wrote
    assert listed()[drafted[TARO]]["edited"] is True
    ok("send", taro)
    (message,) = [m.message() for m in smtp.received()]
    assert str(message["Subject"]) == "昨日はありがとうございました"
    assert message.get_content().replace("\r\n", "\n") == "田中様\n書き直しました。\n"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Subject: two\rlines\n\nbody\n", "line break or control character (U+000D)"),
        ("no subject line\n\nbody\n", "first line must be 'Subject: ...'"),
        ("Subject:   \n\nbody\n", "subject"),
    ],
)
def test_edit_refuses_a_bad_subject_and_changes_nothing(
    editor: Path,
    drafted: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
    written: str,
    expected: str,
) -> None:
    monkeypatch.setenv("EDITOR_WRITES", written)
    assert expected in refused("drafts", "edit", str(drafted[TARO]))


def test_edit_an_emptied_file_aborts_with_nothing_changed(
    editor: Path, drafted: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR_WRITES", "\n  \n")
    before = snapshot()
    assert "nothing was changed" in ok("drafts", "edit", str(drafted[TARO])).stdout
    assert snapshot() == before


def test_edit_refuses_a_draft_already_sent(smtp: SmtpServer, drafted: dict[str, int]) -> None:
    ok("send", str(drafted[TARO]))
    assert "is sent" in refused("drafts", "edit", str(drafted[TARO]))


# --- thank --out never overwrites a file you changed -----------------------------------------


def test_thank_out_leaves_a_file_you_changed_alone_and_writes_the_others(
    tmp_path: Path, drafted: dict[str, int]
) -> None:
    out = tmp_path / "drafts"
    files = {
        d["to"]: Path(d["file"])
        for d in json_of(ok("thank", "--out", str(out), "--json"))["drafts"]
    }
    changed = files[TARO].read_bytes().replace(b"X-Unsent: 1", b"X-Unsent: 1\r\nX-Mine: 1")
    files[TARO].write_bytes(changed)
    add_person(EVENT, "高橋 美咲", "--email", "misaki@example.jp")
    result = ok("thank", "--out", str(out))
    assert files[TARO].read_bytes() == changed
    assert f"Left {files[TARO]} alone" in result.stdout
    assert len(list(out.glob("*.eml"))) == 3  # the new one is written, Sarah's again
    again = {d["to"]: d for d in json_of(ok("thank", "--out", str(out), "--json"))["drafts"]}
    assert again[SARAH]["file"] and again[TARO]["file"] is None
    assert again[TARO]["file_left_alone"] == str(files[TARO])


# --- one thank-you for someone met twice -----------------------------------------------------


def test_someone_met_at_two_events_gets_one_thank_you_naming_both(smtp: SmtpServer) -> None:
    set_me()
    add_event("Rust Meetup", -3)
    add_event(EVENT, -1)
    add_person("Rust Meetup", "田中 太郎", "--email", TARO, "--topic", "所有権")
    add_person(EVENT, "田中 太郎", "--email", TARO, "--topic", "RAGの評価")
    ok("thank", "--event", "Rust Meetup")  # drafted one event at a time first
    ok("thank", "--event", EVENT)
    assert len(listed()) == 2
    (draft,) = json_of(ok("thank", "--since", "4 days ago", "--json"))["drafts"]
    assert list(listed()) == [draft["id"]]  # the twins folded into one
    assert [e["name"] for e in draft["events"]] == ["Rust Meetup", EVENT]
    assert "「Rust Meetup」と" in draft["body"] and "「AI勉強会 #12」" in draft["body"]
    assert "「所有権」や「RAGの評価」" in draft["body"]
    assert draft["subject"].startswith("【御礼】Rust Meetup・AI勉強会 #12")
    ok("send", "--yes")
    assert received_by(smtp) == Counter({TARO: 1})
    assert [t for t in json_of(ok("todo", "--json")) if t["kind"].startswith("thank")] == []
    assert json_of(ok("thank", "--since", "4 days ago", "--json"))["drafts"] == []


# --- no thank-you for a meeting that did not happen ------------------------------------------


def test_add_at_an_event_you_cancelled_is_refused_unless_forced() -> None:
    event_id = add_event("Cancelled Night", 5)
    ok("cancel", str(event_id))
    message = refused("add", "--event", "Cancelled Night", "--name", "田中 太郎")
    assert "Cancelled Night is marked cancelled" in message and "--force" in message
    ahead = add_event("Ahead", 3)
    assert "has not started yet" in refused("add", "--event", str(ahead), "--name", "X")


def test_add_force_at_an_event_you_cancelled_marks_it_attended_and_forgives() -> None:
    event_id = add_event("Went after all", -1, "--time", "19:00", "--fee", "1000")
    ok("cancel", str(event_id), "--at", "yesterday 10:00")  # last-minute: owed
    assert json_of(ok("record", "--json"))["owed"]
    ok("add", "--event", str(event_id), "--name", "田中 太郎", "--force")
    record = json_of(ok("record", "--json"))
    assert (record["counts"]["attended"], record["counts"]["cancelled"]) == (1, 0)
    assert record["owed"] == []


def test_todo_says_what_send_sends_and_that_an_apology_needs_its_own_send(
    drafted: dict[str, int],
) -> None:
    apology_preview()
    ok("drafts", "hold", str(drafted[SARAH]))
    commands = {task["text"]: task["command"] for task in json_of(ok("todo", "--json"))}
    (apologize,) = [c for text, c in commands.items() if text.startswith("Apologize")]
    assert "--send" in apologize and "meishi send alone never does" in apologize
    (taro,) = [c for text, c in commands.items() if "田中" in text]
    assert f"meishi send {drafted[TARO]} (meishi send alone sends every pending thank-you" in taro
    (sarah,) = [c for text, c in commands.items() if "Sarah" in text]
    assert sarah.startswith(f"meishi drafts release {drafted[SARAH]}, then meishi send")
