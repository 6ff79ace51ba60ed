"""The meishi command line: parses and renders; the domain modules decide.

Only typer is imported at module level here and in the command modules, so
that `meishi --help` starts fast; heavy libraries load inside the commands.
"""

import contextlib
import errno
import os
import sys
from collections.abc import Iterator
from typing import Any, NoReturn, TextIO, cast

import typer

from meishi.cli import common
from meishi.errors import MeishiError, os_failure

# The top-level help lists the commands by task, as `git help` does; a command not named
# here is listed under "Other commands", so that a new one is never left out.
TASKS = {
    "After an event": ("add", "thank", "drafts", "send", "outbox", "followup", "should-return"),
    "Before going back": ("brief",),
    "Keeping your word": (
        *("register", "attend", "cancel", "no-show", "apology", "apologized", "paid"),
        *("record", "todo"),
    ),
    "Your mailbox": ("sync", "relationships", "mail"),
    "Your data": (
        *("search", "contacts", "event", "merge", "import", "export", "backup", "db"),
        "demo",
    ),
    "Settings": ("config", "templates"),
}


# Each command: its module in cli/, how that module joins it to meishi (`app`: the module's
# group under the command's name; otherwise the module's function that registers it) and its
# summary, so that `meishi --help` imports no command module and a command imports its own
# alone. In the order `meishi --help` lists commands outside TASKS. A test checks the table
# against the commands themselves.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "add": ("add", "register", "Add a person met at an event, with the topics you talked about."),
    "search": (
        *("contacts", "register"),
        "Find contacts by any part of their name, reading, company, email, note or topics.",
    ),
    "thank": ("thank", "register", "Draft a short, individual thank-you to each person you met."),
    "send": (
        *("send", "register"),
        "Send the drafts you name, or every pending thank-you, one message per person.",
    ),
    "register": ("attendance", "register", "Mark an event you will go to as registered."),
    "attend": ("attendance", "register", "Mark an event as attended."),
    "cancel": (
        *("attendance", "register"),
        "Cancel an event; inside the window before the start it is last-minute (ドタキャン).",
    ),
    "no-show": (
        *("attendance", "register"),
        "Record that you did not go and did not cancel: you owe an apology (and the fee).",
    ),
    "apologized": ("attendance", "register", "Record that you apologized to the organizer."),
    "paid": (
        *("attendance", "register"),
        "Record that you paid the fee for the seat you left empty.",
    ),
    "apology": (
        *("attendance", "register"),
        "Draft an apology to the organizer: short, sincere, no excuses, offering to pay.",
    ),
    "record": (
        *("attendance", "register"),
        "Your record: registered, attended, cancelled, no-shows, and what is still owed.",
    ),
    "todo": (
        *("todo", "register"),
        "Everything you owe, most urgent first, each with the command that settles it.",
    ),
    "should-return": (
        *("should_return", "register"),
        "Decide whether to go back, by what the organizer did after the events you attended.",
    ),
    "brief": (
        *("brief", "register"),
        "Before going (again): the verdict, whom you met there, what you still owe.",
    ),
    "demo": (
        *("demo", "register"),
        "Show what meishi does: events, people, thank-you drafts and verdicts, on sample data.",
    ),
    "import": (
        *("import_export", "register"),
        "Import contacts and events from vCard, CSV (Eight, Google, LinkedIn), iCalendar or JSON.",
    ),
    "export": (
        *("import_export", "register"),
        "Export contacts as vCard or CSV, or everything as JSON that import restores.",
    ),
    "backup": (
        *("backup", "register"),
        "Copy the database consistently, even while meishi is in use; owner-only (a server: JSON).",
    ),
    "merge": (
        *("contacts", "register_merge"),
        "Merge two contacts who are one person, keeping every encounter and topic.",
    ),
    "sync": (
        *("mailbox", "register"),
        "Read your Sent folder and inbox: mail with contacts, and organizers' follow-ups.",
    ),
    "relationships": (
        *("mailbox", "register"),
        "List the people you exchange mail with by how the relationship is going.",
    ),
    "event": ("event", "app", "Events you go to: add, edit, list, show, delete."),
    "contacts": ("contacts", "app", "The people whose cards you have: list, show, edit, delete."),
    "config": ("config", "app", "Settings: your name, email and signature."),
    "templates": ("templates", "app", "Draft templates: list, show."),
    "drafts": (
        *("drafts", "app"),
        "The drafts kept for sending: list, show, hold back, release, discard, edit, push, pull.",
    ),
    "db": ("db", "app", "The database itself: status, copy to another, reindex."),
    "outbox": ("send", "register", "Messages on their way out, and what became of them."),
    "followup": (
        *("event", "register"),
        "Record what an event's organizer did afterwards (meishi followup EVENT KIND),"
        " delete such a record, or review the ones sync found in mail but was unsure of.",
    ),
    "mail": ("mailbox", "register", "Your mailbox: reading sent mail and replies."),
}


class LazyGroup(common.CommandGroup):
    """The root group: it imports a command's module only when that command is asked for."""

    def __init__(self, **settings: Any) -> None:
        self._loaded: dict[str, Any] = {}
        super().__init__(**settings)

    @property  # type: ignore[override]
    def commands(self) -> dict[str, Any]:
        """Every command, each module imported: for the reference, typo suggestions, tests."""
        found = ((name, self.get_command(None, name)) for name in self.list_commands(None))
        return {name: command for name, command in found if command is not None}

    @commands.setter
    def commands(self, given: dict[str, Any]) -> None:
        """Commands joined to the app itself (typer's own registration), kept as they are."""
        self._loaded = dict(given)

    def add_command(self, cmd: Any, name: str | None = None) -> None:
        """Join one more command, as click's groups do."""
        self._loaded[name or cmd.name] = cmd

    def list_commands(self, ctx: Any) -> list[str]:
        """The names of every command, without importing any."""
        return [*COMMANDS, *(name for name in self._loaded if name not in COMMANDS)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The command of this name, its module imported now; None for no such command."""
        if cmd_name in COMMANDS and cmd_name not in self._loaded:
            for name, command in _commands_of(cmd_name).items():
                self._loaded.setdefault(name, command)
        return self._loaded.get(cmd_name)

    def summary(self, name: str, width: int) -> str:
        """A command's one-line summary cut to width, from the table until it is imported."""
        if name in self._loaded:
            return str(self._loaded[name].get_short_help_str(width))
        from typer._click.utils import make_default_short_help

        return make_default_short_help(COMMANDS[name][2], width)


def _commands_of(name: str) -> dict[str, Any]:
    """The commands a command's module registers along with it (its module imported)."""
    import importlib

    module_name, how, _summary = COMMANDS[name]
    module = importlib.import_module(f"meishi.cli.{module_name}")
    holder = common.command_group("")
    if how == "app":
        holder.add_typer(module.app, name=name)
    else:
        getattr(module, how)(holder)
    return dict(typer.main.get_group(holder).commands)


class MeishiGroup(LazyGroup):
    """A command group that turns meishi's named errors into one line and an exit code."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.params.append(_version_option())

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The commands in sections by task, each with its one-line summary."""
        names = [name for name in self.list_commands(ctx) if not self._hidden(name)]
        width = formatter.width - 6 - max(map(len, names))
        listed = {name for names in TASKS.values() for name in names}
        sections = [*TASKS.items(), ("Other commands", [n for n in names if n not in listed])]
        for title, wanted in sections:
            rows = [(n, self.summary(n, width)) for n in wanted if n in names]
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)

    def _hidden(self, name: str) -> bool:
        """True for a command joined as hidden (the table's commands are all shown)."""
        return name in self._loaded and bool(self._loaded[name].hidden)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Refuse an argument that is not valid UTF-8 before any command sees it."""
        from meishi.validation import check_arguments

        try:
            check_arguments(args)
        except MeishiError as error:
            _fail(error)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        """Run the command in one run (home, clock, settings, store: see run.py); a MeishiError
        or a failing file becomes a one-line message on stderr."""
        from meishi.run import running

        stdout = sys.stdout
        sys.stdout = cast(TextIO, _Output(stdout))
        try:
            with running():  # every command reaches it through common.run()
                result = super().invoke(ctx)
            sys.stdout.flush()  # a full disk or a closed pipe shows here, not after exit
            return result
        except MeishiError as error:
            _fail(error)
        except OutputFailed as failure:
            _discard(stdout)
            if failure.error.errno == errno.EPIPE:  # `| head`: the reader has what it wanted
                raise typer.Exit(0) from None
            _fail(os_failure(failure.error, "the output"))
        except OSError as error:
            _fail(os_failure(error))
        finally:
            sys.stdout = stdout


def _version_option() -> Any:
    """`meishi --version`: the installed version, from the package's metadata."""
    from typer.core import TyperOption

    return TyperOption(
        param_decls=["--version"],
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_print_version,
        help="Show meishi's version and exit.",
    )


def _print_version(ctx: Any, _param: Any, wanted: bool) -> None:
    """Print the version and stop, when --version was given."""
    if not wanted or ctx.resilient_parsing:
        return
    from importlib.metadata import PackageNotFoundError, version

    try:
        typer.echo(f"meishi {version('meishi')}")
    except PackageNotFoundError:  # run from a checkout that was never installed
        typer.echo("meishi (version unknown: not installed)")
    ctx.exit()


def _fail(error: MeishiError) -> NoReturn:
    """Say what went wrong in one line on stderr and exit with the error's code."""
    typer.echo(f"meishi: {common.shown(str(error), one_line=True)}", err=True)
    raise typer.Exit(error.exit_code) from None


class OutputFailed(Exception):
    """Writing meishi's own output failed: a full disk, a closed pipe."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


class _Output:
    """stdout while a command runs, its failures told apart from those of other files."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        """Write text to stdout."""
        with _output_failures():
            return self.stream.write(text)

    def flush(self) -> None:
        """Flush stdout."""
        with _output_failures():
            self.stream.flush()

    def __getattr__(self, name: str) -> Any:
        """Everything else, as stdout has it."""
        return getattr(self.stream, name)


@contextlib.contextmanager
def _output_failures() -> Iterator[None]:
    """An OSError raised here is the output's (and, unlike BrokenPipeError, Rich lets it pass)."""
    try:
        yield
    except OSError as error:
        raise OutputFailed(error) from None


def _discard(stdout: TextIO) -> None:
    """Point stdout at /dev/null, so that flushing it at exit does not fail a second time."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    with contextlib.suppress(OSError, ValueError):  # not a real file, e.g. under a test runner
        os.dup2(devnull, stdout.fileno())
    os.close(devnull)


app = common.command_group(
    "名刺 meishi: the people you meet, what you talked about, and whether to go back.",
    cls=MeishiGroup,
    name="meishi",
    no_args_is_help=True,
)


@app.callback()
def _root() -> None:
    """Nothing of its own: typer makes a group of an app with a callback, and the commands
    come from the table (COMMANDS)."""


def main() -> None:
    """Entry point of the `meishi` script."""
    app()
