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


class MeishiGroup(common.CommandGroup):
    """A command group that turns meishi's named errors into one line and an exit code."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.params.append(_version_option())

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The commands in sections by task, each with its one-line summary."""
        commands = {name: c for name, c in self.commands.items() if not c.hidden}
        width = formatter.width - 6 - max(map(len, commands))
        listed = {name for names in TASKS.values() for name in names}
        sections = [*TASKS.items(), ("Other commands", [n for n in commands if n not in listed])]
        for title, names in sections:
            rows = [(n, commands[n].get_short_help_str(width)) for n in names if n in commands]
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)

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


def _register() -> None:
    """Join the command modules to the app."""
    from meishi.cli import (
        add,
        attendance,
        backup,
        brief,
        config,
        contacts,
        db,
        demo,
        drafts,
        event,
        import_export,
        mailbox,
        send,
        should_return,
        templates,
        thank,
        todo,
    )

    app.add_typer(event.app, name="event")
    app.add_typer(contacts.app, name="contacts")
    app.add_typer(config.app, name="config")
    app.add_typer(templates.app, name="templates")
    app.add_typer(drafts.app, name="drafts")
    app.add_typer(db.app, name="db")
    add.register(app)
    contacts.register(app)
    thank.register(app)
    send.register(app)
    attendance.register(app)
    todo.register(app)
    event.register(app)
    should_return.register(app)
    brief.register(app)
    demo.register(app)
    import_export.register(app)
    backup.register(app)
    contacts.register_merge(app)
    mailbox.register(app)


_register()


def main() -> None:
    """Entry point of the `meishi` script."""
    app()
