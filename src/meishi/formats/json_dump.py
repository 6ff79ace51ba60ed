"""The JSON dump: everything meishi holds, written out exactly, restored after every check.

Format (documented in docs/usage.md): an object with "meishi": 1 and one list
per table, rows in id order with every column; a contact carries its "emails",
an encounter its "topics". Ids are kept so rows can refer to one another;
restoring maps them to the ids of the store restored into.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from meishi import limits
from meishi.attendance.owed import APOLOGY_WAYS
from meishi.attendance.rules import APOLOGY, FEE, REGISTERED, STATUSES
from meishi.card_fields import CARD_TEXTS
from meishi.cards.images import check_extras
from meishi.drafts.states import RESTORED
from meishi.errors import BadValue, MeishiError
from meishi.events import check_event
from meishi.inputs import BadRecord, CardInput, DumpRecord, EventInput, Record
from meishi.mail.message import check_email
from meishi.mail.outbox import FAILED, SENT
from meishi.meeting import check_card, check_topics, contact_by_name
from meishi.models import (
    DIRECTIONS,
    MATCHES,
    REVIEW_DECISIONS,
    SOURCES,
    AttendanceChange,
    CardImage,
    Contact,
    ContactEmail,
    Decision,
    Draft,
    DraftEncounter,
    Encounter,
    Event,
    Exchange,
    FollowUpReview,
    MailCursor,
    Obligation,
    OrganizerFollowUp,
    OutboxMessage,
    PastPosition,
    Topic,
    id_of,
)
from meishi.should_return.rules import FOLLOW_UP_KINDS, RETURN, SKIP, WAIT
from meishi.store.contacts import POSITION_FIELDS
from meishi.store.dump import contact_with_email, emails_by_contact, topics_by_encounter
from meishi.store.resolve import raw_connection
from meishi.store.rows import by_id, in_id_order, matching
from meishi.validation import (
    check_amount,
    check_chars,
    check_choice,
    check_date,
    check_length,
    check_text,
    is_id,
    optional_text,
    required_text,
)

if TYPE_CHECKING:
    from sqlmodel import Session, SQLModel

    from meishi.formats.registry import ReadOptions, WriteOptions

DUMP_VERSION = 1
# The kinds of drafts and messages meishi writes.
MESSAGE_KINDS = ("thank", "apology", "notice")
# The lists of a dump in the order they are restored (each refers only to those before it).
TABLES: dict[str, type[SQLModel]] = {
    "contacts": Contact,
    "past_positions": PastPosition,  # where a contact worked before a job change
    # The rows; the images themselves in "data" when the store keeps them (on a server),
    # else the files stay in the home's cards/ folder.
    "card_images": CardImage,
    "events": Event,
    "attendance_changes": AttendanceChange,
    "obligations": Obligation,
    "follow_ups": OrganizerFollowUp,
    "follow_up_reviews": FollowUpReview,  # doubtful follow-ups found in mail, and decisions
    "encounters": Encounter,
    "drafts": Draft,
    "draft_encounters": DraftEncounter,  # the meetings each thank-you thanks for
    "outbox": OutboxMessage,
    "decisions": Decision,
    "mail_cursors": MailCursor,  # how far sync has read each mailbox folder
    "exchanges": Exchange,  # mail with contacts, as sync read it from the headers
}
# Foreign keys: the column, and the list whose ids it refers to.
REFERENCES = {
    "contact_id": "contacts",
    "event_id": "events",
    "encounter_id": "encounters",
    "draft_id": "drafts",
}


def dump(session: Session) -> dict[str, Any]:
    """Everything in the store as JSON-ready values."""
    data: dict[str, Any] = {"meishi": DUMP_VERSION}
    for name, model in TABLES.items():
        data[name] = [_row_json(row) for row in in_id_order(session, model)]
    emails, topics = emails_by_contact(session), topics_by_encounter(session)
    for contact in data["contacts"]:
        contact["emails"] = emails.get(contact["id"], [])
    for encounter in data["encounters"]:
        encounter["topics"] = topics.get(encounter["id"], [])
    return data


def dump_text(session: Session) -> str:
    """The dump as indented JSON text, Japanese left readable."""
    return json.dumps(dump(session), ensure_ascii=False, indent=2) + "\n"


def write(session: Session, _options: WriteOptions) -> Iterator[str]:
    """The dump as the one piece of text an export writes."""
    yield dump_text(session)


def reader(path: Path, _options: ReadOptions) -> Callable[[], Iterator[Record]]:
    """How to read a dump's one record."""
    return lambda: read_dump(path)


def _row_json(row: SQLModel) -> dict[str, Any]:
    """Every column of a row as a JSON value: times in ISO form, bytes in base64."""
    return {name: _json_value(getattr(row, name)) for name in type(row).model_fields}


def _json_value(value: Any) -> Any:
    """A column value JSON can hold."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def read_dump(path: Path) -> Iterator[Record]:
    """A JSON dump as one record (or where it is not one)."""
    try:
        with path.open(encoding="utf-8-sig") as file:
            data = json.load(
                file,
                parse_int=_whole_number,
                parse_float=_fraction,
                parse_constant=_not_a_number,
            )
    except json.JSONDecodeError as error:
        yield BadRecord(error.lineno, f"not valid JSON: {error.msg}")
        return
    except UnicodeDecodeError:
        yield BadRecord(1, "not UTF-8 JSON")
        return
    except _NumberRefused as error:
        yield BadRecord(1, str(error))
        return
    except RecursionError:  # nesting far deeper than JSON_DEPTH: the parser gave up
        yield BadRecord(1, _TOO_DEEP)
        return
    version = data.get("meishi") if isinstance(data, dict) else None
    if type(version) is not int or version != DUMP_VERSION:
        yield BadRecord(1, f'not a meishi JSON export (no "meishi": {DUMP_VERSION})')
        return
    if _depth_beyond(data, limits.JSON_DEPTH):
        yield BadRecord(1, _TOO_DEEP)
        return
    yield DumpRecord(1, data)


_TOO_DEEP = f"the JSON is nested deeper than {limits.JSON_DEPTH} levels; a meishi export is not"


class _NumberRefused(ValueError):
    """A number in the JSON that no meishi export holds."""


def _digits_checked(text: str) -> str:
    """A JSON number's text, if it has no more digits than limits.JSON_NUMBER_DIGITS."""
    if sum(char.isdigit() for char in text) > limits.JSON_NUMBER_DIGITS:
        raise _NumberRefused(
            f"the JSON holds a number of more than {limits.JSON_NUMBER_DIGITS} digits "
            f"({text[:20]}…); a meishi export does not"
        )
    return text


def _whole_number(text: str) -> int:
    """A JSON integer, refused when too long to be an id or an amount."""
    return int(_digits_checked(text))


def _fraction(text: str) -> float:
    """A JSON fraction, refused when absurdly long."""
    return float(_digits_checked(text))


def _not_a_number(text: str) -> float:
    """NaN and Infinity, which are not JSON and no meishi export holds."""
    raise _NumberRefused(f"the JSON holds {text}, which is not a number JSON allows")


def _depth_beyond(data: Any, most: int) -> bool:
    """True when lists and objects nest deeper than most (walked without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > most:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def restore(session: Session, data: dict[str, Any]) -> dict[str, int]:
    """Add a dump's rows the store lacks (known ones are matched, not doubled); counts added.

    A dump may come from anyone: every value passes the checks the commands apply
    (a refusal names its place, e.g. contacts[3].emails), and nothing restored can
    be sent: messages and drafts come in as records (see RESTORED).
    """
    ids: dict[str, dict[int, int]] = {name: {} for name in TABLES}
    added: dict[str, int] = {}
    for name, model in TABLES.items():
        rows = data.get(name, [])
        if not isinstance(rows, list):
            raise BadValue(f"{name}: expected a list of rows")
        count = 0
        for index, values in enumerate(rows):
            where = f"{name}[{index}]"
            key, fields, children = _checked_row(model, values, ids, where)
            if key in ids[name]:
                raise BadValue(f"{where}.id: {key} is the id of an earlier row too")
            row, new = _restore_row(session, model, fields, children)
            ids[name][key] = id_of(row)
            count += new
        added[name] = count
    return added


def _checked_row(
    model: type[SQLModel], values: Any, ids: dict[str, dict[int, int]], where: str
) -> tuple[int, dict[str, Any], tuple[str, ...]]:
    """(dumped id, columns, emails or topics) of a dumped row, every value checked."""
    if not isinstance(values, dict):
        raise BadValue(f"{where}: expected a row (an object with an id)")
    key = values.get("id")
    if type(key) is not int or not is_id(key):
        raise BadValue(f"{where}.id: expected a row id (a whole number from 1)")
    fields = _fields(model, values, ids, where)
    children: tuple[str, ...] = ()
    if model in CHILDREN:
        name, what = CHILDREN[model]
        items = values.get(name, [])
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            raise BadValue(f"{where}.{name}: expected a list of {what}")
        children = tuple(items)
    try:
        fields, children = CHECKS[model](fields, children)
    except MeishiError as error:
        raise BadValue(f"{where}: {error}") from None
    return key, fields, children


def _fields(
    model: type[SQLModel], values: dict[str, Any], ids: dict[str, dict[int, int]], where: str
) -> dict[str, Any]:
    """A dumped row's columns as Python values of their types, references mapped to restored ids."""
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name == "id":
            continue
        if name not in values:
            if info.is_required():
                raise BadValue(f"{where}.{name}: missing")
            continue
        fields[name] = _python_value(info.annotation, values[name], f"{where}.{name}")
        if name in REFERENCES and fields[name] is not None:
            known = ids[REFERENCES[name]]
            if fields[name] not in known:
                raise BadValue(f"{where}.{name}: no {REFERENCES[name]} row with id {fields[name]}")
            fields[name] = known[fields[name]]
    return fields


# What a JSON value must be for each column type, in words.
EXPECTED = {
    dt.datetime: "a date and time with its zone (ISO 8601: 2026-01-10T10:00:00+09:00)",
    dt.date: "a date (YYYY-MM-DD)",
    dt.time: "a time (HH:MM)",
    bool: "true or false",
    int: f"a whole number from 0 to {limits.ID_MAX}",
    str: "text",
    bytes: "base64 text",
}


def _python_value(annotation: Any, value: Any, where: str) -> Any:
    """A JSON value as the column's Python type, or BadValue saying what was expected."""
    kinds = (
        typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    )
    kind = next(k for k in kinds if k is not type(None))
    if value is None:
        if type(None) in kinds:
            return None
        raise BadValue(f"{where}: expected {EXPECTED[kind]}, not null")
    try:
        return _converted(kind, value)
    except (TypeError, ValueError, OverflowError):
        raise BadValue(f"{where}: expected {EXPECTED[kind]}") from None
    except MeishiError as error:  # a date out of range
        raise BadValue(f"{where}: {error}") from None


def _converted(kind: type, value: Any) -> Any:
    """value as kind; TypeError or ValueError when it is not one."""
    if kind in (dt.datetime, dt.date, dt.time):
        if not isinstance(value, str):
            raise TypeError(value)
        converted = kind.fromisoformat(value)
        if isinstance(converted, dt.datetime) and converted.tzinfo is None:
            raise ValueError(value)  # a moment without its zone is no moment (and not stored)
        if isinstance(converted, dt.date):
            check_date(converted)
        return converted
    if kind is int and (type(value) is not int or not 0 <= value <= limits.ID_MAX):
        raise ValueError(value)
    if kind is bytes and isinstance(value, str):  # a card image (a message's are dropped later)
        return base64.b64decode(value, validate=True)  # binascii.Error is a ValueError
    if type(value) is not kind:
        raise TypeError(value)
    return value


Checked = tuple[dict[str, Any], tuple[str, ...]]


def _check_contact(fields: dict[str, Any], emails: tuple[str, ...]) -> Checked:
    """A contact checked as `meishi add` checks a card."""
    given: dict[str, Any] = {key: fields.get(key) for key in CARD_TEXTS}
    card = check_card(
        CardInput(name=fields["full_name"], lang=fields.get("lang"), emails=emails, **given)
    )
    names = {
        key: optional_text(fields.get(key), key.replace("_", " "), limits.NAME_CHARS)
        for key in ("family_name", "given_name")
    }
    note = optional_text(fields.get("note"), "note", limits.NOTE_CHARS, lines=True)
    texts = {key: getattr(card, key) for key in CARD_TEXTS}
    return {
        **fields,
        **texts,
        **names,
        "full_name": card.name,
        "lang": card.lang,
        "note": note,
    }, card.emails


def _check_past_position(fields: dict[str, Any], _: tuple[str, ...]) -> Checked:
    """An earlier position, its texts checked as a card's are."""
    texts = {key: optional_text(fields.get(key), key, CARD_TEXTS[key]) for key in POSITION_FIELDS}
    return {**fields, **texts}, ()


def _check_event(fields: dict[str, Any], _: tuple[str, ...]) -> Checked:
    """An event checked as `meishi event add` checks one."""
    given: dict[str, Any] = {key: fields.get(key) for key in EventInput.__dataclass_fields__}
    checked = asdict(check_event(EventInput(**given)))
    status = check_choice(fields.get("attendance", REGISTERED), STATUSES, "attendance")
    return {**fields, **checked, "attendance": status}, ()


def _check_change(fields: dict[str, Any], _: tuple[str, ...]) -> Checked:
    """A change of attendance: a known status, a reason as `meishi cancel` takes one."""
    check_choice(fields["status"], STATUSES, "status")
    reason = optional_text(fields.get("reason"), "reason", limits.REASON_CHARS)
    return {**fields, "reason": reason}, ()


def _check_obligation(fields: dict[str, Any], _: tuple[str, ...]) -> Checked:
    """Something owed: an apology or a fee, amounts as `meishi paid` takes them."""
    check_choice(fields["kind"], (APOLOGY, FEE), "obligation")
    for key in ("amount", "paid"):
        if fields.get(key) is not None:
            check_amount(fields[key], key, "give it in yen")
    if fields.get("how") is not None:
        check_choice(fields["how"], APOLOGY_WAYS, "way")
    return fields, ()


def _check_follow_up(fields: dict[str, Any], _: tuple[str, ...]) -> Checked:
    """An organizer's follow-up as `meishi followup` takes it, or as sync found it in mail."""
    check_choice(fields["kind"], FOLLOW_UP_KINDS, "follow-up")
    check_choice(fields.get("source", "hand"), SOURCES, "source")
    note = optional_text(fields.get("note"), "note", limits.NOTE_CHARS, lines=True)
    return {**fields, "note": note, **_mail_evidence(fields, "evidence")}, ()


def _check_review(fields: dict[str, Any], _: tuple[str, ...]) -> Checked:
    """A doubtful follow-up found in mail, and what the user decided about it."""
    check_choice(fields["kind"], FOLLOW_UP_KINDS, "follow-up")
    check_choice(fields["decision"], REVIEW_DECISIONS, "decision")
    if fields.get("decided_kind") is not None:
        check_choice(fields["decided_kind"], FOLLOW_UP_KINDS, "follow-up")
    checked = _mail_evidence(fields, "reasons")
    message_id = required_text(fields["message_id"], "message_id", limits.EVENT_FIELD_CHARS)
    texts = {"subject": checked["subject"] or "", "reasons": checked["reasons"] or ""}
    return {**fields, **checked, **texts, "message_id": message_id}, ()


def _mail_evidence(fields: dict[str, Any], lines: str) -> dict[str, Any]:
    """A mail's Message-ID and subject (one line each) and its evidence (`lines`), checked."""
    return {
        "message_id": optional_text(
            fields.get("message_id"), "message_id", limits.EVENT_FIELD_CHARS
        ),
        "subject": optional_text(
            fields.get("subject") or None, "subject", limits.EVENT_FIELD_CHARS
        ),
        lines: optional_text(fields.get(lines), lines, limits.NOTE_CHARS, lines=True),
    }


def _check_encounter(fields: dict[str, Any], topics: tuple[str, ...]) -> Checked:
    """A meeting: its note and topics as `meishi add` takes them."""
    note = optional_text(fields.get("note"), "note", limits.NOTE_CHARS, lines=True)
    return {**fields, "note": note}, check_topics(topics)


def _check_draft(fields: dict[str, Any], _: tuple[str, ...]) -> Checked:
    """A draft as meishi renders one; pending ones come in as RESTORED, never to be sent
    until drafted again here."""
    return {
        **fields,
        **_message_texts(fields),
        "template": required_text(fields["template"], "template", limits.LINE_CHARS),
        "to_name": check_text(fields["to_name"], "name", limits.NAME_CHARS),
        "body": check_length(
            check_chars(fields["body"], "body", lines=True), "body", limits.TEMPLATE_OUTPUT_CHARS
        ),
        "state": SENT if fields.get("state") == SENT else RESTORED,
        # The file it was written to is this machine's business, not the dump's.
        "eml_path": None,
        "eml_sha256": None,
        # Where it was pushed is unchecked input that would pick a message to delete on the
        # server: a restored draft pushed again starts a new copy instead.
        "imap_folder": None,
        "imap_uidvalidity": None,
        "imap_uid": None,
    }, ()


def _check_message(fields: dict[str, Any], _: tuple[str, ...]) -> Checked:
    """An outbox message as a record only: sent and failed ones keep their state, any other
    becomes RESTORED, and its bytes are not kept, so that it can never be sent."""
    state = fields.get("state")
    return {
        **fields,
        **_message_texts(fields),
        "message_id": required_text(fields["message_id"], "Message-ID", limits.LINE_CHARS),
        "last_error": optional_text(fields.get("last_error"), "error", limits.NOTE_CHARS),
        "state": state if state in (SENT, FAILED) else RESTORED,
        "raw": b"",
        "claimed_by": None,  # which machine sent it is the sending store's business
    }, ()


def _message_texts(fields: dict[str, Any]) -> dict[str, Any]:
    """What a draft and a message share: a kind, one recipient, a one-line subject."""
    check_choice(fields.get("kind", "thank"), MESSAGE_KINDS, "kind of message")
    address = check_text(fields["to_addr"], "email", limits.EMAIL_CHARS)
    return {
        "to_addr": check_email(address),
        "subject": required_text(fields["subject"], "subject", limits.LINE_CHARS),
    }


def _check_decision(fields: dict[str, Any], _: tuple[str, ...]) -> Checked:
    """A should-return verdict given for a series."""
    check_choice(fields["verdict"], (RETURN, WAIT, SKIP), "verdict")
    series = required_text(fields["series"], "series", limits.EVENT_FIELD_CHARS)
    return {**fields, "series": series}, ()


def _check_cursor(fields: dict[str, Any], _: tuple[str, ...]) -> Checked:
    """How far sync read a mailbox folder."""
    folder = required_text(fields["folder"], "folder", limits.EVENT_FIELD_CHARS)
    return {**fields, "folder": folder}, ()


def _check_exchange(fields: dict[str, Any], _: tuple[str, ...]) -> Checked:
    """A mail with a contact, as sync read it."""
    check_choice(fields["direction"], DIRECTIONS, "direction")
    check_choice(fields["matched"], MATCHES, "matched")
    texts = {
        name: required_text(fields[name], name, limits.EVENT_FIELD_CHARS)
        for name in ("message_id", "folder")
    }
    subject = optional_text(fields.get("subject") or None, "subject", limits.EVENT_FIELD_CHARS)
    threads = {  # which conversation it belongs to: absent from dumps before 0013
        name: optional_text(fields.get(name), name, limits.EVENT_FIELD_CHARS)
        for name in ("thread_root", "gmail_thread")
    }
    return {**fields, **texts, **threads, "subject": subject or ""}, ()


# A kept card image's path: a file in the home's cards/ folder, nowhere else.
IMAGE_PATH = re.compile(r"cards/[0-9A-Za-z_-]{1,64}(?:\.[0-9A-Za-z]{1,8})?")
SHA256 = re.compile(r"[0-9a-f]{64}")


def _check_image(fields: dict[str, Any], _: tuple[str, ...]) -> Checked:
    """A kept card image: its file inside cards/, its digest, the extra fields read."""
    if not IMAGE_PATH.fullmatch(fields["path"]):
        raise BadValue(f"the image path {fields['path'][:80]!r} is not a file in cards/")
    if not SHA256.fullmatch(fields["sha256"]):
        raise BadValue("the image's sha256 is not 64 hexadecimal digits")
    extras = _extras_of(fields.get("fields"))
    return {**fields, "fields": json.dumps(extras, ensure_ascii=False) if extras else None}, ()


def _extras_of(text: str | None) -> dict[str, str]:
    """The extra fields read from a card, from the JSON text an image row keeps them in."""
    try:
        extras = json.loads(text or "{}", parse_int=_whole_number, parse_constant=_not_a_number)
    except (ValueError, RecursionError):
        extras = None
    if not isinstance(extras, dict) or not all(isinstance(v, str) for v in extras.values()):
        raise BadValue("the image's fields are not a JSON object of texts")
    return check_extras(extras)


# Each table's checks, and the list a row carries with it (and what its items are).
CHECKS: dict[type[SQLModel], Callable[[dict[str, Any], tuple[str, ...]], Checked]] = {
    Contact: _check_contact,
    PastPosition: _check_past_position,
    CardImage: _check_image,
    Event: _check_event,
    AttendanceChange: _check_change,
    Obligation: _check_obligation,
    OrganizerFollowUp: _check_follow_up,
    FollowUpReview: _check_review,
    Encounter: _check_encounter,
    Draft: _check_draft,
    DraftEncounter: lambda fields, _: (fields, ()),  # two references, mapped already
    OutboxMessage: _check_message,
    Decision: _check_decision,
    MailCursor: _check_cursor,
    Exchange: _check_exchange,
}
CHILDREN = {Contact: ("emails", "addresses"), Encounter: ("topics", "texts")}


def _restore_row(
    session: Session, model: type[SQLModel], fields: dict[str, Any], children: tuple[str, ...]
) -> tuple[SQLModel, bool]:
    """(row, added): the store's row the dumped one duplicates, else the dumped row added."""
    known = _known_row(session, model, fields, children)
    if known is not None:
        return known, False
    row = model(**fields)
    session.add(row)
    session.flush()
    if model is Contact:
        for position, address in enumerate(children):
            session.add(ContactEmail(contact_id=id_of(row), address=address, position=position))
    if model is Encounter:
        for position, text in enumerate(children):
            session.add(Topic(encounter_id=id_of(row), position=position, text=text))
    session.flush()
    return row, True


# What makes a dumped row the same as one already stored, table by table.
SAME_AS = {
    PastPosition: ("contact_id", "company", "department", "title", "until"),
    CardImage: ("contact_id", "sha256"),
    Event: ("name", "date", "start_time"),
    AttendanceChange: ("event_id", "status", "at"),
    Obligation: ("event_id", "kind", "created_at"),
    OrganizerFollowUp: ("event_id", "kind", "date", "note"),
    FollowUpReview: ("event_id", "message_id", "kind"),
    Encounter: ("contact_id", "event_id"),
    Draft: ("kind", "event_id", "encounter_id", "created_at"),
    DraftEncounter: ("draft_id", "encounter_id"),
    OutboxMessage: ("message_id",),
    Decision: ("series", "verdict", "decided_at"),
    MailCursor: ("folder",),
    Exchange: ("message_id", "contact_id", "direction"),
}


def _known_row(
    session: Session, model: type[SQLModel], fields: dict[str, Any], emails: tuple[str, ...]
) -> SQLModel | None:
    """The stored row a dumped one duplicates, if any (a contact: by email, or name and company)."""
    if model is Contact:
        known = contact_with_email(session, emails)
        if known is not None:
            return known
        named = contact_by_name(raw_connection(session), fields["full_name"], fields.get("company"))
        return None if named is None else by_id(session, Contact, named.id)
    return matching(session, model, {name: fields.get(name) for name in SAME_AS[model]})
