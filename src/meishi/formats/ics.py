"""iCalendar files (connpass, Peatix, Google Calendar, Outlook): one event per VEVENT.

The file is read as a stream, twice: first its time zones (an event may use one
defined after it), then each VEVENT on its own, so a big file needs little memory.
icalendar parses each component and resolves its time zones (VTIMEZONE blocks, IANA
names and Windows names such as "Tokyo Standard Time"); recurring-ical-events expands
recurring series with their exceptions, which RRULE alone does not give.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from meishi import limits
from meishi.errors import BadValue, MeishiError
from meishi.events import check_event
from meishi.formats import textfile
from meishi.inputs import BadRecord, EventInput, EventRecord, Record, reason
from meishi.text import blank_to_none

if TYPE_CHECKING:
    from meishi.formats.registry import ReadOptions

# A recurring series becomes one event per occurrence in this window around today.
PAST = dt.timedelta(days=2 * 365)
AHEAD = dt.timedelta(days=365)
# The components read, and how messages name them.
COMPONENTS = {"VEVENT": "event", "VTIMEZONE": "time zone"}
# What an event's expansion reads; the rest (descriptions, attendees, alarms) is dropped
# before icalendar parses it.
EVENT_PROPERTIES = {
    "DTSTART",
    "DTEND",
    "DURATION",
    "SUMMARY",
    "LOCATION",
    "ORGANIZER",
    "UID",
    "RRULE",
    "RDATE",
    "EXDATE",
    "RECURRENCE-ID",
}
SUB_DAILY = {"SECONDLY", "MINUTELY", "HOURLY"}
TIME_OF_DAY = ("BYHOUR", "BYMINUTE", "BYSECOND")
# A daily or weekly rule that matches no day at all (BYMONTHDAY=30;BYMONTH=2) is walked a
# day or a week at a time up to the year 9999: seconds of work per event. Limited by
# weekday and month only, a rule always matches within a year.
DAILY_OR_WEEKLY_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST", "BYDAY", "BYMONTH"}


def reader(path: Path, options: ReadOptions) -> Callable[[], Iterator[Record]]:
    """How to read a calendar file's records (a series expanded around today)."""
    return lambda: read_calendar(path, options.today)


def read_calendar(path: Path, today: dt.date) -> Iterator[Record]:
    """Each event of a calendar file (each occurrence of a series) as a record."""
    encoding = textfile.detect_encoding(path)
    zones: list[Any] = []
    zone_lines = 0  # a calendar's time zones are read as one record: any event may use each
    is_calendar = False
    for name, line, block in _components(path, encoding, "VTIMEZONE"):
        is_calendar = True
        if name == "VTIMEZONE":  # parsing one registers it with icalendar for the events
            zone = _parsed(name, line, block, "the calendar's time zones", zone_lines)
            zone_lines += len(block) if isinstance(block, list) else 0
            if isinstance(zone, BadRecord):
                yield zone
            else:
                zones.append(zone)
    if not is_calendar:
        yield BadRecord(1, "not a valid iCalendar file: it has no BEGIN:VCALENDAR or VEVENT")
        return
    for name, line, block in _components(path, encoding, "VEVENT"):
        if name == "VEVENT":
            event = _parsed(name, line, block, "one event")
            if isinstance(event, BadRecord):
                yield event
            else:
                yield from _event_records(line, event, zones, today)


def _components(
    path: Path, encoding: str, wanted: str
) -> Iterator[tuple[str, int, list[tuple[int, str]] | str]]:
    """(name, first line, content lines) of each `wanted` component (VEVENT or VTIMEZONE),
    or (name, line, problem) for one too long or not closed; (name, line, []) for the
    start of a calendar and of each other component read (to tell a calendar).

    An event keeps only the properties meishi reads, not its subcomponents (alarms).
    A component longer than limits.IMPORT_RECORD_BYTES is let go as soon as it is.
    """
    name, start, size, depth = "", 0, 0, 0
    lines: list[tuple[int, str]] = []
    for number, line in textfile.numbered_lines(path, encoding):
        key, _, value = (part.strip().upper() for part in line.partition(":"))
        if not name:
            if key == "BEGIN" and value == wanted:
                name, start, size, depth, lines = value, number, 0, 0, []
            elif key == "BEGIN" and value in ("VCALENDAR", *COMPONENTS):
                yield value, number, []
            continue
        depth += (key == "BEGIN") - (key == "END")
        if depth < 0:  # its END
            if size <= limits.IMPORT_RECORD_BYTES:
                yield name, start, _kept(name, lines)
            name = ""
        elif size <= limits.IMPORT_RECORD_BYTES:
            size += textfile.size_of(line)
            lines.append((number, line))
            if size > limits.IMPORT_RECORD_BYTES:
                lines = []
                yield name, start, textfile.record_too_long(COMPONENTS[name])
    if name:
        yield name, start, f"the {COMPONENTS[name]} is not closed: END:{name} is missing"


def _kept(name: str, lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """A component's content lines that meishi reads: all of a time zone's; of an event,
    the properties EVENT_PROPERTIES names, not those of its alarms."""
    content = textfile.content_lines(lines)
    if name != "VEVENT":
        return content
    kept: list[tuple[int, str]] = []
    depth = 0
    for number, line in content:
        key = textfile.property_name(line)
        if key in ("BEGIN", "END"):
            depth += 1 if key == "BEGIN" else -1
        elif depth == 0 and key in EVENT_PROPERTIES:
            kept.append((number, line))
    return kept


def _parsed(
    name: str, start: int, block: list[tuple[int, str]] | str, what: str, earlier: int = 0
) -> Any:
    """The component icalendar reads from its content lines, or a BadRecord saying what
    is wrong (`earlier` lines of the same record were read before)."""
    import icalendar

    if isinstance(block, str):
        return BadRecord(start, block)
    problem = textfile.too_much_to_parse(start, block, what, earlier)
    if problem is not None:
        return BadRecord(*problem)
    text = "\r\n".join([f"BEGIN:{name}", *(line for _, line in block), f"END:{name}", ""])
    try:
        return icalendar.Component.from_ical(text)
    except Exception as error:  # icalendar raises ValueError, KeyError...: all mean unreadable
        return BadRecord(start, f"not a valid {COMPONENTS[name]}: {reason(error)}")


def _event_records(
    line: int, component: Any, timezones: list[Any], today: dt.date
) -> Iterator[Record]:
    """The records of one VEVENT: one, or one per occurrence of a recurring series.

    A series is expanded whole before any of it is given, so that it is imported
    or refused as one.
    """
    records: list[Record]
    try:
        start = _start(component)
        if not blank_to_none(str(component.get("SUMMARY") or "")):
            raise BadValue("the event has no SUMMARY (title)")
        if component.get("RRULE") is None:
            records = [EventRecord(line, _event_input(component, start, None))]
        else:
            _check_rule(component.get("RRULE"))
            summary = str(component.get("SUMMARY")).strip()
            starts = _occurrences(component, timezones, today)
            records = [EventRecord(line, _event_input(component, s, summary)) for s in starts]
    except MeishiError as error:
        records = [BadRecord(line, str(error))]
    except Exception as error:  # a malformed property inside icalendar's lazy decoding
        records = [BadRecord(line, f"not a valid event: {reason(error)}")]
    yield from records


def _start(component: Any) -> dt.date:
    """The event's DTSTART: a date or a date and time, in the years meishi keeps."""
    broken = [problem for name, problem in component.errors if name == "DTSTART"]
    if broken:
        raise BadValue(f"the event's DTSTART is not a date or time ({broken[0]})")
    if component.get("DTSTART") is None:
        raise BadValue("the event has no DTSTART (start)")
    try:
        start = component.decoded("DTSTART")
    except (ValueError, OverflowError) as error:  # year 1 in a zone: before datetime's range
        raise BadValue(f"the event's DTSTART is out of range ({reason(error)})") from None
    if not isinstance(start, dt.date):  # a time alone, or a period
        raise BadValue("the event's DTSTART is not a date or a date and time")
    # Converting a start in year 1 (or 9999) to this machine's zone leaves datetime's range.
    if not limits.EARLIEST_YEAR <= start.year <= limits.LATEST_YEAR:
        raise BadValue(
            f"the event starts on {start.isoformat()[:10]}; meishi keeps dates from "
            f"{limits.EARLIEST_YEAR} to {limits.LATEST_YEAR}"
        )
    return start


def _check_rule(rule: Any) -> None:
    """Refuse a recurrence rule meishi does not expand: several, broken, more often than
    daily, or daily or weekly with a part that may never match."""
    from icalendar.prop import vRecur

    if isinstance(rule, list):
        raise BadValue("the event has several RRULEs; meishi imports a series with one")
    if not isinstance(rule, vRecur) or not rule.get("FREQ"):
        raise BadValue(f"the event's RRULE '{rule}' is not valid")
    text = rule.to_ical().decode()  # type: ignore[no-untyped-call]  # icalendar is untyped
    frequency = str(rule["FREQ"][0]).upper()
    if frequency in SUB_DAILY or any(len(rule.get(part, ())) > 1 for part in TIME_OF_DAY):
        raise BadValue(
            f"the series repeats more than once a day (RRULE:{text}); meishi imports "
            "gatherings that repeat daily at most"
        )
    unusual = sorted(set(rule) - DAILY_OR_WEEKLY_PARTS - set(TIME_OF_DAY))
    if frequency in ("DAILY", "WEEKLY") and unusual:
        raise BadValue(
            f"a {frequency.lower()} series limited by {', '.join(unusual)} is not supported "
            f"(RRULE:{text}); meishi limits those by BYDAY and BYMONTH only"
        )


def _occurrences(component: Any, timezones: list[Any], today: dt.date) -> list[dt.date]:
    """The starts of a series' occurrences from two years ago to a year ahead.

    They are generated one by one and refused past limits.OCCURRENCES_PER_SERIES:
    a series may be endless.
    """
    import icalendar
    import recurring_ical_events

    calendar = icalendar.Calendar()
    for timezone in timezones:
        calendar.add_component(timezone)
    calendar.add_component(component)
    query = recurring_ical_events.of(calendar)
    first, last = query.to_datetime(today - PAST), query.to_datetime(today + AHEAD)
    found = (o.start for series in query.series for o in series.between(first, last))
    starts = list(itertools.islice(found, limits.OCCURRENCES_PER_SERIES + 1))
    if len(starts) > limits.OCCURRENCES_PER_SERIES:
        raise BadValue(
            f"the series has more than {limits.OCCURRENCES_PER_SERIES:,} occurrences from "
            f"{today - PAST} to {today + AHEAD}; meishi imports at most that many of one series"
        )
    return starts


def _event_input(component: Any, start: dt.date, series: str | None) -> EventInput:
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
