"""`meishi drafts`: review the drafts before they go: list, show, hold, release, discard, edit."""

from __future__ import annotations

import shlex
import subprocess
from typing import TYPE_CHECKING, Annotated, Any

import typer

from meishi.cli import common

if TYPE_CHECKING:
    from meishi.drafts.pushing import Pulled
    from meishi.drafts.review import DraftView
    from meishi.models import Draft

app = common.command_group(
    "The drafts kept for sending: list, show, hold back, release, discard, edit, push, pull.",
    invoke_without_command=True,
)
DraftArgument = Annotated[int, typer.Argument(help="The draft's id (see meishi drafts).")]


@app.callback()
def drafts(ctx: typer.Context, as_json: bool = common.JSON_OPTION) -> None:
    """Every draft with its state (pending, held, queued, sent, discarded), newest first."""
    if ctx.invoked_subcommand is None:
        list_drafts(as_json)


@app.command("list")
def list_drafts(as_json: bool = common.JSON_OPTION) -> None:
    """Every draft with its state (pending, held, queued, sent, discarded), newest first."""
    from meishi.drafts.review import list_drafts as listed

    with common.store() as store, store.read() as session:
        rows = [view.to_json() for view in listed(session)]
    if as_json:
        common.print_json(rows)
        return
    if not rows:
        typer.echo("No drafts yet: meishi thank drafts the thank-yous.")
        return
    common.print_table(
        ("id", "state", "kind", "to", "event", "subject"),
        [
            (r["id"], _state(r), r["kind"], _person(r["to"]), _events(r["events"]), r["subject"])
            for r in rows
        ],
    )


def _state(row: dict[str, Any]) -> str:
    """A draft's state, and where it waits when that is your Drafts folder."""
    folder = row["drafts_folder"]
    return f"{row['state']}, in {folder}" if folder else str(row["state"])


def _person(to: dict[str, str]) -> str:
    """Who a draft goes to: the name, else (an organizer without one) the address."""
    return to["name"] or to["email"]


def _whom(draft: Draft) -> str:
    """Who a draft goes to, for a one-line message."""
    return draft.to_name or draft.to_addr


def _events(events: list[dict[str, str]]) -> str:
    """The events a draft is about, in one cell."""
    return "; ".join(f"{e['name']} ({e['date']})" for e in events)


@app.command("show")
def show(draft: DraftArgument, as_json: bool = common.JSON_OPTION) -> None:
    """Show one draft as it would be sent, with its state."""
    from meishi.drafts.review import show_draft

    with common.store() as store, store.read() as session:
        view = show_draft(session, draft)
    if as_json:
        common.print_json(view.to_json())
        return
    _print(view)


def _print(view: DraftView) -> None:
    """A draft as a panel, its state and events in the title."""
    data = view.to_json()
    about = f"{data['state']} {data['kind']} · {_events(data['events'])}"
    common.console().print(common.draft_panel(view.draft, about, data["note"] or ""))


@app.command("hold")
def hold(draft: DraftArgument) -> None:
    """Hold a pending draft back: meishi send leaves it until you release it."""
    from meishi.drafts.review import hold as held

    with common.store() as store, store.write() as session:
        done = held(session, draft, common.now())
        common.echo(f"Held draft #{done.id} to {_whom(done)}: meishi send leaves it alone.")


@app.command("release")
def release(draft: DraftArgument) -> None:
    """Release a held draft: it is pending again and goes with the next meishi send."""
    from meishi.drafts.review import release as released

    with common.store() as store, store.write() as session:
        done = released(session, draft, common.now())
        common.echo(f"Released draft #{done.id} to {_whom(done)}: it is pending again.")


@app.command("discard")
def discard(
    draft: DraftArgument,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Discard without asking.")] = False,
) -> None:
    """Discard a draft that was not sent (asks first; --yes when not on a terminal)."""
    from meishi.drafts.review import discard as discarded

    if not yes:
        common.require_terminal("discarding a draft")
    with common.store() as store:
        done = discarded(store, draft, common.now(), _accept if yes else _ask_discard)
    if done is None:
        typer.echo("Kept the draft; nothing was discarded.")
        return
    common.echo(f"Discarded draft #{done.id} to {_whom(done)}; it will not be sent.")
    if done.imap_folder is not None:  # meishi no longer tracks the copy it pushed
        common.echo(
            f"Its copy is still in your Drafts folder ({done.imap_folder}): delete it there, "
            "so that it is not sent from your mail client."
        )


def _accept(_: DraftView) -> bool:
    """--yes: discard without asking."""
    return True


def _ask_discard(view: DraftView) -> bool:
    """Show the draft and ask whether to discard it."""
    _print(view)
    return typer.confirm(f"Discard draft #{view.draft.id}?", default=False)


@app.command("push")
def push(
    drafts_: Annotated[
        list[int], typer.Argument(metavar="ID...", help="The drafts' ids (see meishi drafts).")
    ],
    as_json: bool = common.JSON_OPTION,
) -> None:
    """Put drafts into your mailbox's Drafts folder, to adjust and send from your mail client.

    Each goes as the message meishi would send, flagged as a draft. Pushing a
    draft again replaces the copy put there before instead of adding another.
    meishi send then leaves it to your mail client (meishi drafts pull takes it
    back). Needs the imap.* settings and password (see meishi mail check).
    """
    common.push_and_report(drafts_, as_json)


@app.command("pull")
def pull(
    drafts_: Annotated[
        list[int], typer.Argument(metavar="ID...", help="The drafts' ids (see meishi drafts).")
    ],
    as_json: bool = common.JSON_OPTION,
) -> None:
    """Take drafts back from your mailbox's Drafts folder, to send them from meishi.

    meishi send leaves a draft put into the Drafts folder alone, so that it
    never goes out twice. Pulling it deletes its copy there; then meishi send
    sends it. A draft found in your Sent folder was sent from your mail client:
    it is left as it is (meishi sync records it), and the exit code is 1.
    """
    from meishi.drafts.pushing import SENT_FROM_CLIENT, pull_drafts

    current = common.run()
    with common.store() as store:
        pulled = pull_drafts(
            store, current.settings, current.home.keyring_named, drafts_, common.now()
        )
    if as_json:
        common.print_json(
            [{"id": p.draft_id, "to": p.to, "folder": p.folder, "copy": p.copy} for p in pulled]
        )
    else:
        for p in pulled:
            common.echo(_pulled_line(p))
    if any(p.copy == SENT_FROM_CLIENT for p in pulled):
        raise typer.Exit(1)


def _pulled_line(pulled: Pulled) -> str:
    """What taking one draft back did, and what to do next."""
    from meishi.drafts.pushing import REMOVED, SENT_FROM_CLIENT

    whose = f"draft #{pulled.draft_id} to {pulled.to}"
    if pulled.copy == SENT_FROM_CLIENT:
        return (
            f"Left {whose} as it is: it was sent from your mail client (it is in your Sent "
            "folder); meishi sync records it."
        )
    if pulled.copy == REMOVED:
        return f"Took back {whose}, deleting its copy in {pulled.folder}: meishi send sends it."
    return (
        f"Took back {whose}: its copy was no longer in {pulled.folder} (if you changed it in "
        "your mail client, delete that one); meishi send sends it."
    )


@app.command("edit")
def edit(draft: DraftArgument) -> None:
    """Edit a draft's subject and body in $VISUAL or $EDITOR, as git commit does.

    The edited text is what is sent, and drafting again keeps it. Emptying the
    file aborts: nothing is changed.
    """
    from meishi.drafts.review import edit as edited

    with common.store() as store:
        done = edited(store, draft, common.now(), lambda text: _in_editor(draft, text))
    if done is None:
        typer.echo("The file was empty: nothing was changed.")
        return
    common.echo(f"Saved draft #{done.id} to {_whom(done)}: {done.subject}")


def _in_editor(draft_id: int, text: str) -> str:
    """The text as the user left it after editing it in their editor."""
    from meishi.errors import EditorFailed
    from meishi.files import own_output

    home = common.run().home
    editor = home.editor
    path = home.data / f"DRAFT_{draft_id}_EDIT.txt"
    with own_output(path) as file:  # owner-only: a draft holds a contact's details
        file.write(text.encode("utf-8"))
    try:
        # Through the shell, as git does, so that EDITOR="code --wait" works.
        done = subprocess.run(["/bin/sh", "-c", f'{editor} "$@"', editor, str(path)], check=False)
        if done.returncode != 0:
            raise EditorFailed(
                f"the editor ({shlex.quote(editor)}) exited with status {done.returncode}; "
                "the draft was not changed"
            )
        # A lone CR stays, to be refused in a subject; CRLF from any editor is a line break.
        return path.read_bytes().decode("utf-8").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError) as error:
        raise EditorFailed(f"cannot read the edited draft: {error}; it was not changed") from None
    finally:
        path.unlink(missing_ok=True)
