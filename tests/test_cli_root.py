"""The root command: --version, help grouped by task, and mistyped commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version

import pytest

import meishi.cli
from helpers import error_of, fails, ok, run, snapshot
from meishi.cli import common


def test_version_comes_from_the_package() -> None:
    assert ok("--version").stdout == f"meishi {version('meishi')}\n"


def test_top_level_help_is_grouped_by_task_in_plain_text() -> None:
    text = ok("--help").stdout
    titles = ["After an event:", "Keeping your word:", "Your data:", "Settings:"]
    at = [text.index(title) for title in titles]
    assert at == sorted(at)
    after, word, data, settings = (text[a:b] for a, b in zip(at, [*at[1:], len(text)], strict=True))
    assert "  thank " in after and "  followup " in after
    assert "  cancel " in word and "  todo " in word
    assert "  search " in data and "  export " in data
    assert "  config " in settings and "  templates " in settings
    assert "\x1b[" not in text and "─" not in text  # plain: no Rich boxes or colours


def test_every_command_is_listed_once_in_the_help() -> None:
    text = ok("--help").stdout
    root = meishi.cli.typer.main.get_command(meishi.cli.app)
    for name in root.commands:  # type: ignore[attr-defined]
        assert text.count(f"\n  {name} ") == 1, name


def test_a_command_outside_the_task_list_is_still_shown() -> None:
    import typer

    extra = typer.Typer()
    extra.command("brand-new", help="Something new.")(lambda: None)
    meishi.cli.app.add_typer(extra)
    try:
        text = ok("--help").stdout
    finally:
        meishi.cli.app.registered_groups.pop()
    assert "Other commands:" in text and "  brand-new " in text


@pytest.mark.parametrize("typed", ["show", "shw", "noshow"])  # noshow: closest to no-show
def test_show_points_at_the_show_commands_before_no_show(typed: str) -> None:
    before = snapshot()
    message = error_of(fails(typed))
    assert message.startswith(f"there is no `meishi {typed}`; did you mean `meishi contacts show`")
    assert "`meishi event show`" in message
    # Reading commands first: no-show, which records, only ever after them (or not at all).
    assert message.find("`meishi no-show`") in (-1, len(message) - len("`meishi no-show`?"))
    assert snapshot() == before


def test_a_mistyped_list_suggests_only_listings() -> None:
    message = error_of(fails("lst"))
    assert "`meishi event list`" in message and "`meishi contacts list`" in message
    assert "register" not in message and "paid" not in message


def test_a_mistyped_sub_command_is_one_line_too() -> None:
    message = error_of(fails("event", "shw"))
    assert message == "there is no `meishi event shw`; did you mean `meishi event show`?"


def test_a_misspelled_recording_command_is_suggested_not_run() -> None:
    before = snapshot()
    message = error_of(fails("atend", "Meetup"))
    assert message == "there is no `meishi atend`; did you mean `meishi attend` or `meishi send`?"
    assert snapshot() == before


def test_a_name_like_nothing_points_at_the_help() -> None:
    assert error_of(fails("xyzzy")) == "there is no `meishi xyzzy`; see `meishi --help`"


def test_an_unknown_option_is_still_clicks_usage_error() -> None:
    result = run("--bogus")
    assert result.exit_code == 2 and "No such option: --bogus" in result.stderr


def test_which_commands_may_record_something() -> None:
    root = meishi.cli.typer.main.get_command(meishi.cli.app)
    commands = root.commands  # type: ignore[attr-defined]
    assert common.may_record("followup", commands["followup"])  # `followup EVENT KIND` records
    assert common.may_record("no-show", commands["no-show"])
    assert not common.may_record("event", commands["event"])  # a group alone does nothing
    assert not common.may_record("search", commands["search"])
    assert not common.may_record("show", commands["event"].commands["show"])


# --- lazily imported command modules ------------------------------------------------------


def test_the_command_table_says_what_the_commands_say() -> None:
    """The summaries `meishi --help` shows without importing a command are the commands' own."""
    from typer._click.utils import make_default_short_help

    commands = meishi.cli.typer.main.get_command(meishi.cli.app).commands  # type: ignore[attr-defined]
    assert list(commands) == list(meishi.cli.COMMANDS)
    for name, (module, _how, summary) in meishi.cli.COMMANDS.items():
        command = commands[name]
        inner = next(iter(getattr(command, "commands", {}).values()), command)
        assert inner.callback.__module__ == f"meishi.cli.{module}", name
        for width in (30, 60, 114):
            assert command.get_short_help_str(width) == make_default_short_help(summary, width)


def command_modules_imported(*argv: str) -> list[str]:
    """The meishi.cli modules a fresh process imports to run `meishi ARGV`."""
    probe = (
        "import json, sys\n"
        "from meishi.cli import app\n"
        "try:\n"
        f"    app({list(argv)!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('meishi.cli.'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env={**os.environ}
    )
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout.splitlines()[-1]))


@pytest.mark.parametrize(
    ("argv", "module"),
    [
        (["--help"], None),
        (["search", "田中"], "contacts"),
        (["todo"], "todo"),
        (["event", "list"], "event"),
        (["followup", "--help"], "event"),
        (["outbox", "--help"], "send"),
    ],
)
def test_a_command_imports_its_own_module_alone(argv: list[str], module: str | None) -> None:
    own = [f"meishi.cli.{module}"] if module else []
    assert command_modules_imported(*argv) == ["meishi.cli.common", *own]


def test_a_typo_still_weighs_every_command() -> None:
    """Suggestions need every command's name, sub-commands too: the typo path imports all."""
    assert error_of(fails("evnt")).endswith("`meishi event`?")
    assert (
        len(command_modules_imported("evnt"))
        == len({m for m, *_ in meishi.cli.COMMANDS.values()}) + 1
    )
