"""iCalendar files (connpass, Peatix, Google Calendar, Outlook): one event per VEVENT.

icalendar parses the file and resolves its time zones (VTIMEZONE blocks, IANA
names and Windows names such as "Tokyo Standard Time"); recurring-ical-events
expands recurring series with their exceptions, which RRULE alone does not give.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from meishi.errors import BadValue, MeishiError
from meishi.events import EventInput, check_event
from meishi.importers.records import BadRecord, EventRecord, Record, reason
from meishi.importers.textfile import detect_encoding, numbered_lines
from meishi.text import blank_to_none

# A recurring series becomes one event per occurrence in this window around today.
PAST = dt.timedelta(days=2 * 365)
AHEAD = dt.timedelta(days=365)


def read_calendar(path: Path, today: dt.date) -> Iterator[Record]:
    """Each event of a calendar file (each occurrence of a series) as a record."""
    import icalendar

    encoding = detect_encoding(path)
    starts = [n for n, line in numbered_lines(path, encoding) if line.strip() == "BEGIN:VEVENT"]
    try:
        text = path.read_bytes().decode(encoding)
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except Exception as error:  # icalendar raises ValueError, KeyError...: all mean unreadable
        yield BadRecord(1, f"not a valid iCalendar file: {reason(error)}")
        return
    for calendar in calendars:
        timezones = calendar.walk("VTIMEZONE")
        for index, component in enumerate(calendar.walk("VEVENT")):
            line = starts[index] if index < len(starts) else 1
            yield from _event_records(line, component, timezones, today)
        starts = starts[len(calendar.walk("VEVENT")) :]


def _event_records(
    line: int, component: Any, timezones: list[Any], today: dt.date
) -> Iterator[Record]:
    """The records of one VEVENT: one, or one per occurrence of a recurring series."""
    try:
        if component.get("DTSTART") is None:
            raise BadValue("the event has no DTSTART (start)")
        if not blank_to_none(str(component.get("SUMMARY") or "")):
            raise BadValue("the event has no SUMMARY (title)")
        if component.get("RRULE") is None:
            yield EventRecord(line, _event_input(component, component.decoded("DTSTART"), None))
            return
        for start in _occurrences(component, timezones, today):
            summary = str(component.get("SUMMARY")).strip()
            yield EventRecord(line, _event_input(component, start, summary))
    except MeishiError as error:
        yield BadRecord(line, str(error))
    except Exception as error:  # a malformed property inside icalendar's lazy decoding
        yield BadRecord(line, f"not a valid event: {reason(error)}")


def _occurrences(component: Any, timezones: list[Any], today: dt.date) -> list[Any]:
    """The starts of a series' occurrences from two years ago to a year ahead."""
    import icalendar
    import recurring_ical_events

    calendar = icalendar.Calendar()
    for timezone in timezones:
        calendar.add_component(timezone)
    calendar.add_component(component)
    found = recurring_ical_events.of(calendar).between(today - PAST, today + AHEAD)
    return [occurrence.decoded("DTSTART") for occurrence in found]


def _event_input(component: Any, start: dt.date | dt.datetime, series: str | None) -> EventInput:
    """An event's fields, its start in this machine's zone; checked."""
    if isinstance(start, dt.datetime):
        if start.tzinfo is not None:  # floating times stay as written
            start = start.astimezone()
        day, clock = start.date(), start.time().replace(tzinfo=None, second=0, microsecond=0)
    else:  # an all-day event
        day, clock = start, None
    name, email = _organizer(component.get("ORGANIZER"))
    return check_event(
        EventInput(
            name=str(component.get("SUMMARY")).strip(),
            date=day,
            start_time=clock,
            place=blank_to_none(" ".join(str(component.get("LOCATION") or "").split())),
            series=series,
            organizer_name=name,
            organizer_email=email,
        )
    )


def _organizer(value: Any) -> tuple[str | None, str | None]:
    """(name, email) of an ORGANIZER: its CN, and its address when it is a mailto: URI."""
    if value is None:
        return None, None
    name = blank_to_none(" ".join(str(value.params.get("CN", "")).split()))
    uri = str(value).strip()
    email = uri[7:].strip() if uri.lower().startswith("mailto:") else None
    return name or email, blank_to_none(email)
