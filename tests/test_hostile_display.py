"""Contact data is shown as text: never Rich markup, never terminal escapes.

The hostile values are planted in the store behind the CLI's back (input now
refuses control characters in names, but a store written by an older meishi or
edited by hand may hold anything); every command that shows them must print
them literally, with what would act on a terminal shown escaped.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shlex
import subprocess
import sys

import pytest
from typer.testing import Result

from helpers import (
    add_event,
    add_person,
    describe,
    fails,
    home,
    json_of,
    ok,
    run,
    set_me,
    store_rows,
)
from meishi.cli import common

MARKUP_NAME = "Tanaka [/]"
LINK = "[link=https://evil.example/]Click me[/link]"
ESCAPES = "\x1b]0;pwned\x07\x1b[2J"  # sets the window title, then clears the screen
ESCAPES_SHOWN = "\\x1b]0;pwned\\x07\\x1b[2J"
BIDI = "\u202eevil"  # shows the rest of the line reversed
ZERO_WIDTH = "zero\u200bwidth"
C1 = "csi\x9b31m"  # the one-byte CSI of C1: some terminals act on it
EVENT = "Meetup [bold]\x1b[2J"
EVENT_SHOWN = "Meetup [bold]\\x1b[2J"
SERIES = "Series [/]"

# What must never reach the output raw: BEL, C1 CSI, bidi override, zero width, OSC.
RAW = ("\x07", "\x9b", "\u202e", "\u200b", "\x1b]", "\x1b[2J")
SGR = re.compile(r"\x1b\[[0-9;]*m")  # Rich's own styles on a terminal: harmless


def plant(sql: str, *values: object) -> None:
    """Change the store behind the CLI's back, as another tool would."""
    store_rows(sql, *values)


@pytest.fixture
def hostile() -> None:
    """A contact, an event and an outbox message whose every shown field is hostile."""
    set_me()
    add_event("Meetup", -1, "--series", "Series", "--organizer", "Org", "--fee", "1000")
    add_person("Meetup", "Tanaka Taro", "--email", "t@example.com", "--topic", "AI", "--note", "n")
    ok("followup", "Meetup", "survey", "--date", "today", "--note", "ok")
    plant(
        "UPDATE contact SET full_name = ?, company = ?, title = ?, department = ?, note = ?",
        MARKUP_NAME,
        LINK,
        ESCAPES,
        BIDI,
        f"{ZERO_WIDTH}\n{C1}",
    )
    plant("UPDATE topic SET text = ?", ESCAPES)
    plant("UPDATE encounter SET note = ?", LINK)
    plant(
        "UPDATE event SET name = ?, series = ?, organizer_name = ?, place = ?",
        EVENT,
        SERIES,
        LINK,
        ESCAPES,
    )
    plant("UPDATE organizerfollowup SET note = ?", ESCAPES)
    plant(
        "INSERT INTO outbox (kind, to_addr, subject, message_id, raw, state, attempts,"
        " last_error, created_at, updated_at) VALUES ('thank', ?, ?, '<m@x>', ?, 'failed',"
        " 1, ?, '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        "t@example.com",
        LINK,
        b"\x00",
        ESCAPES,
    )


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Take the terminal path: tables and panels by Rich, styles and all, wide enough."""
    monkeypatch.setattr(common, "is_terminal", lambda: True)
    monkeypatch.setenv("FORCE_COLOR", "1")  # Rich then writes as to a terminal
    monkeypatch.setenv("COLUMNS", "300")


def assert_shown_as_text(result: Result) -> str:
    """The run succeeded and printed nothing that acts on a terminal; its text, styles removed."""
    assert result.exit_code == 0, describe(result)
    output = result.stdout + result.stderr
    for raw in RAW:
        assert raw not in output, f"{raw!r} reached the output:\n{output!r}"
    text = SGR.sub("", output)
    assert "\x1b" not in text, f"an escape other than a style:\n{output!r}"
    return text


COMMANDS = [
    (["contacts", "list"], [MARKUP_NAME, LINK, ESCAPES_SHOWN]),
    (["search", "Tanaka"], [MARKUP_NAME, LINK]),
    (
        ["contacts", "show", "1"],
        [MARKUP_NAME, LINK, "\\u202eevil", "zero\\u200bwidth", EVENT_SHOWN],
    ),
    (["event", "list"], [EVENT_SHOWN, SERIES, LINK]),
    (["event", "show", "1"], [EVENT_SHOWN, ESCAPES_SHOWN, MARKUP_NAME]),
    (["todo"], [MARKUP_NAME, EVENT_SHOWN]),
    (["should-return", "1"], [SERIES, EVENT_SHOWN]),
    (["brief", "1"], [SERIES, EVENT_SHOWN, MARKUP_NAME, LINK, ESCAPES_SHOWN]),
    (["outbox"], [LINK, ESCAPES_SHOWN]),
    (["followup", "1", "report", "--date", "today"], [EVENT_SHOWN]),
]


@pytest.mark.parametrize(("argv", "expected"), COMMANDS, ids=lambda v: " ".join(v)[:30])
@pytest.mark.usefixtures("hostile", "terminal")
def test_hostile_data_is_shown_literally_on_a_terminal(
    argv: list[str], expected: list[str]
) -> None:
    text = assert_shown_as_text(run(*argv))
    for literal in expected:
        assert literal in text, f"{literal!r} is not shown literally:\n{text}"
    assert "\x1b]8;" not in text  # no hyperlink to a hidden address


@pytest.mark.parametrize(("argv", "expected"), COMMANDS, ids=lambda v: " ".join(v)[:30])
@pytest.mark.usefixtures("hostile")
def test_hostile_data_is_shown_literally_when_piped(argv: list[str], expected: list[str]) -> None:
    text = assert_shown_as_text(run(*argv))
    assert "\x1b" not in text
    for literal in expected:
        assert literal in text, f"{literal!r} is not shown literally:\n{text}"


@pytest.mark.parametrize("forced", [True, False], ids=["terminal", "piped"])
@pytest.mark.usefixtures("hostile")
def test_a_thank_you_preview_shows_the_draft_as_text(
    forced: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    plant("UPDATE event SET name = 'Meetup [/bold]'")  # with an escape it would not be drafted
    if forced:
        monkeypatch.setattr(common, "is_terminal", lambda: True)
        monkeypatch.setenv("FORCE_COLOR", "1")
    text = assert_shown_as_text(run("thank"))
    assert all(literal in text for literal in (MARKUP_NAME, "Meetup [/bold]", ESCAPES_SHOWN))


@pytest.mark.usefixtures("hostile", "terminal")
def test_a_no_show_and_the_record_name_what_is_owed_as_text() -> None:
    plant("UPDATE event SET attendance = 'registered'")
    assert LINK in assert_shown_as_text(run("no-show", "1"))  # you owe ORGANIZER an apology
    text = assert_shown_as_text(run("record"))
    assert f"Still owed: an apology for {EVENT_SHOWN}" in text


@pytest.mark.usefixtures("hostile")
def test_json_output_keeps_the_exact_values_with_hidden_characters_escaped() -> None:
    result = ok("contacts", "show", "1", "--json")
    for raw in RAW:
        assert raw not in result.stdout
    detail = json_of(result)
    assert (detail["name"], detail["company"], detail["title"]) == (MARKUP_NAME, LINK, ESCAPES)
    assert (detail["department"], detail["note"]) == (BIDI, f"{ZERO_WIDTH}\n{C1}")


@pytest.mark.usefixtures("hostile")
def test_a_contact_name_in_a_suggested_command_is_one_safe_shell_word() -> None:
    name = 'x" ; touch pwned ; echo "$(id)'
    plant("UPDATE contact SET full_name = ?", name)
    plant("UPDATE event SET name = 'Meetup'")
    ok("thank")  # a draft exists: the agenda offers --mark-sent NAME
    (task,) = [t for t in json_of(ok("todo", "--json")) if t["kind"] == "thank"]
    suggested = task["command"].split(", or ", 1)[1]
    assert shlex.split(suggested) == ["meishi", "thank", "--mark-sent", name, "--event", "1"]


def test_a_template_file_name_with_escapes_is_shown_escaped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = home() / "templates"
    folder.mkdir(parents=True)
    (folder / "evil\x1b]0;pwned\x07.j2").write_text("Subject: x\n\nhello\n", encoding="utf-8")
    for forced in (False, True):
        monkeypatch.setattr(common, "is_terminal", lambda forced=forced: forced)
        text = assert_shown_as_text(run("templates", "list"))
        assert "evil\\x1b]0;pwned\\x07" in text


def test_an_error_message_keeps_japanese_spaces_and_escapes_controls() -> None:
    assert "田中\u3000太郎" in fails("contacts", "show", "田中\u3000太郎").stderr
    assert "\\x1b]0;pwned\\x07" in fails("contacts", "show", "\x1b]0;pwned\x07").stderr


@pytest.mark.usefixtures("hostile")
def test_a_real_terminal_shows_the_data_as_text() -> None:
    """Under a pseudo-terminal, as a user runs it: Rich's table and the plain lines alike."""
    for argv in (["contacts", "list"], ["contacts", "show", "1"], ["event", "show", "1"]):
        output = _in_a_pty("-m", "meishi", *argv)
        for raw in RAW:
            assert raw not in output, f"{raw!r} reached the terminal in {argv}:\n{output!r}"
        assert "Traceback" not in output and MARKUP_NAME in SGR.sub("", output)


def _in_a_pty(*args: str) -> str:
    """Run python ARGS with a pseudo-terminal as stdout and stderr; all it printed."""
    controller, terminal = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, *args],
        stdin=subprocess.DEVNULL,
        stdout=terminal,
        stderr=terminal,
        env={**os.environ, "COLUMNS": "300", "TERM": "xterm-256color"},
    )
    os.close(terminal)
    chunks = []
    while True:
        ready, _, _ = select.select([controller], [], [], 30)
        try:
            chunk = os.read(controller, 65536) if ready else b""
        except OSError:  # EIO: the child closed the terminal
            chunk = b""
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    assert child.wait(timeout=30) == 0, b"".join(chunks)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize(
    "value",
    ["\x1b[2J", "a\x07b", "\u202e", "\u2066x\u2069", "\u200b", "\ufeff", "\x85", "\x7f", "\u2028"],
)
def test_shown_escapes_what_acts_on_a_terminal(value: str) -> None:
    shown = common.shown(value, one_line=True)
    assert shown.isprintable() and shown.isascii()
    assert json.loads(json.dumps(value)) == value  # the value itself is untouched data


def test_shown_keeps_lines_tabs_and_japanese_in_text() -> None:
    text = "田中\u3000太郎\n\tノート「[b]」"
    assert common.shown(text) == text
    assert common.shown(text, one_line=True) == "田中\u3000太郎\\n\\tノート「[b]」"


def test_shown_text_escapes_every_control_but_line_feed_and_tab() -> None:
    kept = {"\n", "\t"}
    for code in [*range(0x20), 0x7F, 0x85]:
        char = chr(code)
        assert common.shown(f"a{char}b") == (
            f"a{char}b" if char in kept else f"a{repr(char)[1:-1]}b"
        )
