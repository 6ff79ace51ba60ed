"""The plain reads and writes of drafting a letter: the draft kept for the same purpose,
rendered anew or stored, its links to the meetings it thanks for, the file written from it
(no SQLAlchemy).

`meishi thank` runs them on the writer (store/writer.py); the letters to organizers, and
sync's thank-yous found in Sent, on the connection under their session
(resolve.raw_connection), so that a draft is kept one way.
Stamps are written as SQLAlchemy writes them (sql.written), so that the ORM reads these rows
back as its own. The ORM's reads of drafts (the outbox, review) are in store/drafts.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from meishi.store.sql import ReadConnection, marks, written

# Rows are read by position: under an ORM session, sqlite3's rows are plain tuples.


@dataclass(frozen=True)
class StoredDraft:
    """A letter as drafting keeps it: to whom, what it says, its state, the file last
    written from it (id None until it is stored)."""

    kind: str  # thank, apology or notice
    state: str
    event_id: int
    contact_id: int | None  # a thank-you's person; None for a letter to an organizer
    encounter_id: int | None  # the meeting a thank-you was first drafted for
    template: str
    to_name: str
    to_addr: str
    subject: str
    body: str
    id: int | None = None
    edited: bool = False  # by `drafts edit`: drafting again keeps its text
    eml_path: str | None = None
    eml_sha256: str | None = None


# The columns of a StoredDraft, in its fields' order.
_DRAFT = (
    "SELECT kind, state, event_id, contact_id, encounter_id, template, to_name, to_addr,"
    " subject, body, id, edited_at IS NOT NULL, eml_path, eml_sha256 FROM draft"
)
# The drafts linked to any of some meetings ({0}: their marks).
_LINKED = "SELECT draft_id FROM draft_encounter WHERE encounter_id IN ({0})"


def _draft(row: Any) -> StoredDraft:
    """A StoredDraft from a row of _DRAFT."""
    kind, state, event, contact, encounter, template, to_name, to_addr, subject, body = row[:10]
    key, edited, path, digest = row[10:]
    return StoredDraft(
        kind, state, event, contact, encounter, template, to_name, to_addr, subject, body,
        int(key), bool(edited), path, digest,
    )  # fmt: skip


def same_purpose(
    connection: ReadConnection,
    fresh: StoredDraft,
    encounters: Collection[int],
    states: Collection[str],
) -> list[StoredDraft]:
    """The drafts in one of `states` with the purpose of a fresh one, oldest first: to an
    organizer, the event's; a thank-you, those for its meeting or linked to one of
    `encounters`."""
    where = f"kind = ? AND state IN ({marks(states)})"
    parameters: list[Any] = [fresh.kind, *states]
    if fresh.encounter_id is None:  # to an organizer: one per event
        where += " AND event_id = ? AND encounter_id IS NULL"
        parameters.append(fresh.event_id)
    else:  # a thank-you: one per meeting, whichever of its meetings it was drafted for first
        meetings = tuple(encounters) or (fresh.encounter_id,)
        where += f" AND (encounter_id = ? OR id IN ({_LINKED.format(marks(meetings))}))"
        parameters += [fresh.encounter_id, *meetings]
    rows = connection.execute(f"{_DRAFT} WHERE {where} ORDER BY id", parameters)
    return [_draft(row) for row in rows]


def first_thank_draft_not_in(
    connection: ReadConnection, encounter_id: int, states: Collection[str]
) -> tuple[int, str] | None:
    """(id, state) of the first thank-you draft thanking for a meeting (alone or with
    others) that is in none of `states`, or None."""
    row = connection.execute(
        f"SELECT id, state FROM draft WHERE kind = 'thank' AND state NOT IN ({marks(states)})"
        f" AND (encounter_id = ? OR id IN ({_LINKED.format('?')})) ORDER BY id LIMIT 1",
        [*states, encounter_id, encounter_id],
    ).fetchone()
    return None if row is None else (int(row[0]), row[1])


def insert_draft(connection: ReadConnection, draft: StoredDraft, now: dt.datetime) -> int:
    """Store a new draft, stamped created and updated now; its id."""
    stamp = written(connection, now)
    columns = {
        "kind": draft.kind,
        "state": draft.state,
        "event_id": draft.event_id,
        "contact_id": draft.contact_id,
        "encounter_id": draft.encounter_id,
        "template": draft.template,
        "to_name": draft.to_name,
        "to_addr": draft.to_addr,
        "subject": draft.subject,
        "body": draft.body,
        "created_at": stamp,
        "updated_at": stamp,
    }
    query = f"INSERT INTO draft ({', '.join(columns)}) VALUES ({marks(columns)}) RETURNING id"
    return int(connection.execute(query, list(columns.values())).fetchone()[0])


def update_draft(
    connection: ReadConnection, draft_id: int, fields: Mapping[str, Any], now: dt.datetime
) -> None:
    """Set these columns of a draft, stamped updated now."""
    columns = {**fields, "updated_at": written(connection, now)}
    assignments = ", ".join(f"{name} = ?" for name in columns)
    connection.execute(
        f"UPDATE draft SET {assignments} WHERE id = ?", [*columns.values(), draft_id]
    )


def delete_draft(connection: ReadConnection, draft_id: int) -> None:
    """Remove a draft, its links to meetings first (the rows that refer to it)."""
    connection.execute("DELETE FROM draft_encounter WHERE draft_id = ?", (draft_id,))
    connection.execute("DELETE FROM draft WHERE id = ?", (draft_id,))


def linked_meetings(connection: ReadConnection, draft_id: int) -> list[int]:
    """The meetings (encounter ids) a thank-you is linked to, as they were linked."""
    rows = connection.execute(
        "SELECT encounter_id FROM draft_encounter WHERE draft_id = ? ORDER BY id", (draft_id,)
    )
    return [int(row[0]) for row in rows]


def link(connection: ReadConnection, draft_id: int, encounter_ids: Collection[int]) -> None:
    """Link a thank-you to these meetings."""
    connection.executemany(
        "INSERT INTO draft_encounter (draft_id, encounter_id) VALUES (?, ?)",
        [(draft_id, encounter) for encounter in encounter_ids],
    )


def unlink(connection: ReadConnection, draft_id: int, encounter_ids: Collection[int]) -> None:
    """Take these meetings from those a thank-you is linked to."""
    if encounter_ids:
        connection.execute(
            f"DELETE FROM draft_encounter WHERE draft_id = ? AND encounter_id IN"
            f" ({marks(encounter_ids)})",
            [draft_id, *encounter_ids],
        )


def remember_file(
    connection: ReadConnection, draft_id: int, path: str, digest: str, message_id: str
) -> None:
    """Keep where a draft's .eml file was written, its SHA-256 and its Message-ID (nothing
    when the draft is gone)."""
    connection.execute(
        "UPDATE draft SET eml_path = ?, eml_sha256 = ?, message_id = ? WHERE id = ?",
        (path, digest, message_id, draft_id),
    )


def mark_thanked(connection: ReadConnection, encounter_id: int, now: dt.datetime) -> bool:
    """Record that the thank-you for a meeting went out at `now` (typed, or found in the Sent
    folder): its drafts count as sent, and the other meetings the same mail thanked for as
    thanked. False, with nothing changed, when the meeting was thanked for already."""
    stamp = written(connection, now)
    thanked = connection.execute(
        "UPDATE encounter SET thanked_at = ? WHERE id = ? AND thanked_at IS NULL",
        (stamp, encounter_id),
    )
    if thanked.rowcount == 0:
        return False
    drafts = connection.execute(
        "SELECT id FROM draft WHERE kind = 'thank'"
        f" AND (encounter_id = ? OR id IN ({_LINKED.format('?')}))",
        (encounter_id, encounter_id),
    ).fetchall()
    sent = tuple(int(row[0]) for row in drafts)
    if sent:
        connection.execute(
            f"UPDATE draft SET state = 'sent', updated_at = ? WHERE id IN ({marks(sent)})",
            (stamp, *sent),
        )
        connection.execute(  # the same mail thanked for these too
            "UPDATE encounter SET thanked_at = ? WHERE thanked_at IS NULL AND (id IN"
            f" (SELECT encounter_id FROM draft WHERE id IN ({marks(sent)})) OR id IN"
            f" (SELECT encounter_id FROM draft_encounter WHERE draft_id IN ({marks(sent)}))"
            ")",
            (stamp, *sent, *sent),
        )
    return True
