"""A contact's history by date: meetings, thank-yous and the mail both ways (pure)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from meishi.store.encounters import Meeting
    from meishi.store.exchanges import Exchanged

# Kinds in the order they are shown within one day: you met, thanked, then wrote.
KINDS = ("met", "thank-you", "mail out", "mail in")


def timeline(meetings: list[Meeting], mail: list[Exchanged]) -> list[dict[str, Any]]:
    """Every meeting, thank-you and mail with a contact, oldest first, as JSON-ready rows."""
    entries = [*_meetings(meetings), *_mail(mail)]
    entries.sort(key=lambda entry: (entry["date"], KINDS.index(entry["kind"])))
    return entries


def _meetings(meetings: list[Meeting]) -> list[dict[str, Any]]:
    """The gatherings where you met, and the thank-yous that followed, as recorded."""
    entries = []
    for meeting in sorted(meetings, key=lambda meeting: meeting.id):
        name = meeting.event_name
        entries.append(_entry(meeting.event_date, "met", f"met at {name}"))
        if meeting.thanked_at is not None:
            thanked = meeting.thanked_at.astimezone().date()  # the local day of a UTC stamp
            entries.append(_entry(thanked, "thank-you", f"thank-you sent for {name}"))
    return entries


def _mail(mail: list[Exchanged]) -> list[dict[str, Any]]:
    """The mail recorded, as timeline lines."""
    entries = []
    for one in mail:
        who = "they wrote" if one.direction == "in" else "you wrote"
        local = one.when.astimezone().date()
        entries.append(_entry(local, f"mail {one.direction}", f"{who}: “{one.subject}”"))
    return entries


def _entry(day: dt.date, kind: str, text: str) -> dict[str, Any]:
    """One line of the timeline."""
    return {"date": day.isoformat(), "kind": kind, "text": text}
