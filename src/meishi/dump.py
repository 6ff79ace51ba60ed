"""The JSON dump: everything meishi holds, written out and restored exactly.

Format (documented in docs/usage.md): an object with "meishi": 1 and one list
per table, rows in id order with every column; a contact carries its "emails",
an encounter its "topics". Ids are kept so rows can refer to one another;
restoring maps them to the ids of the store restored into.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from meishi.contacts import contact_by_name
from meishi.errors import BadValue
from meishi.importers.records import BadRecord, DumpRecord, Record
from meishi.models import (
    AttendanceChange,
    CardImage,
    Contact,
    ContactEmail,
    Decision,
    Draft,
    Encounter,
    Event,
    Obligation,
    OrganizerFollowUp,
    OutboxMessage,
    Topic,
    id_of,
)

DUMP_VERSION = 1
# The lists of a dump in the order they are restored (each refers only to those before it).
TABLES: dict[str, type[SQLModel]] = {
    "contacts": Contact,
    "card_images": CardImage,  # the rows; the image files stay in the home's cards/ folder
    "events": Event,
    "attendance_changes": AttendanceChange,
    "obligations": Obligation,
    "follow_ups": OrganizerFollowUp,
    "encounters": Encounter,
    "drafts": Draft,
    "outbox": OutboxMessage,
    "decisions": Decision,
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
        rows = session.exec(select(model).order_by(col(model.id))).all()  # type: ignore[attr-defined]
        data[name] = [_row_json(row) for row in rows]
    emails = _grouped(session, ContactEmail, "contact_id", ContactEmail.position)
    topics = _grouped(session, Topic, "encounter_id", Topic.position)
    for contact in data["contacts"]:
        contact["emails"] = [e.address for e in emails.get(contact["id"], [])]
    for encounter in data["encounters"]:
        encounter["topics"] = [t.text for t in topics.get(encounter["id"], [])]
    return data


def dump_text(session: Session) -> str:
    """The dump as indented JSON text, Japanese left readable."""
    return json.dumps(dump(session), ensure_ascii=False, indent=2) + "\n"


def _grouped(session: Session, model: type[SQLModel], key: str, order: Any) -> dict[int, list[Any]]:
    """Rows of a child table grouped by their parent's id, in order."""
    groups: dict[int, list[Any]] = {}
    for row in session.exec(select(model).order_by(col(order), col(model.id))):  # type: ignore[attr-defined]
        groups.setdefault(getattr(row, key), []).append(row)
    return groups


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
            data = json.load(file)
    except json.JSONDecodeError as error:
        yield BadRecord(error.lineno, f"not valid JSON: {error.msg}")
        return
    except UnicodeDecodeError:
        yield BadRecord(1, "not UTF-8 JSON")
        return
    if not isinstance(data, dict) or data.get("meishi") != DUMP_VERSION:
        yield BadRecord(1, f'not a meishi JSON export (no "meishi": {DUMP_VERSION})')
        return
    yield DumpRecord(1, data)


def restore(session: Session, data: dict[str, Any]) -> dict[str, int]:
    """Add a dump's rows the store lacks (known ones are matched, not doubled); counts added."""
    ids: dict[str, dict[int, int]] = {name: {} for name in TABLES}
    added: dict[str, int] = {}
    for name, model in TABLES.items():
        count = 0
        for index, values in enumerate(data.get(name) or []):
            where = f"{name}[{index}]"
            row, new = _restore_row(session, model, _fields(model, values, ids, where), values)
            ids[name][int(values["id"])] = id_of(row)
            count += new
        added[name] = count
    return added


def _fields(
    model: type[SQLModel], values: Any, ids: dict[str, dict[int, int]], where: str
) -> dict[str, Any]:
    """A dumped row's columns as Python values, its references mapped to restored ids."""
    if not isinstance(values, dict) or "id" not in values:
        raise BadValue(f"{where} is not a row with an id")
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name == "id" or name not in values:
            continue
        value = values[name]
        try:
            fields[name] = _python_value(info.annotation, value)
        except (TypeError, ValueError) as error:
            raise BadValue(f"{where}.{name}: {error}") from None
        if name in REFERENCES and value is not None:
            if value not in ids[REFERENCES[name]]:
                raise BadValue(f"{where}.{name}: no {REFERENCES[name]} row with id {value}")
            fields[name] = ids[REFERENCES[name]][value]
    return fields


def _python_value(annotation: Any, value: Any) -> Any:
    """A JSON value as the column's Python type."""
    if value is None:
        return None
    kinds = (
        typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    )
    for kind in (dt.datetime, dt.date, dt.time):
        if kind in kinds:
            return kind.fromisoformat(value)
    if bytes in kinds:
        return base64.b64decode(value, validate=True)
    return value


def _restore_row(
    session: Session, model: type[SQLModel], fields: dict[str, Any], values: dict[str, Any]
) -> tuple[SQLModel, bool]:
    """(row, added): the store's row the dumped one duplicates, else the dumped row added."""
    known = _known_row(session, model, fields, values)
    if known is not None:
        return known, False
    row = model(**fields)
    session.add(row)
    session.flush()
    if model is Contact:
        for position, address in enumerate(values.get("emails") or []):
            session.add(ContactEmail(contact_id=id_of(row), address=address, position=position))
    if model is Encounter:
        for position, text in enumerate(values.get("topics") or []):
            session.add(Topic(encounter_id=id_of(row), position=position, text=text))
    session.flush()
    return row, True


# What makes a dumped row the same as one already stored, table by table.
SAME_AS = {
    CardImage: ("contact_id", "sha256"),
    Event: ("name", "date", "start_time"),
    AttendanceChange: ("event_id", "status", "at"),
    Obligation: ("event_id", "kind", "created_at"),
    OrganizerFollowUp: ("event_id", "kind", "date", "note"),
    Encounter: ("contact_id", "event_id"),
    Draft: ("kind", "event_id", "encounter_id", "created_at"),
    OutboxMessage: ("message_id",),
    Decision: ("series", "verdict", "decided_at"),
}


def _known_row(
    session: Session, model: type[SQLModel], fields: dict[str, Any], values: dict[str, Any]
) -> SQLModel | None:
    """The stored row a dumped one duplicates, if any."""
    if model is Contact:
        emails = tuple(values.get("emails") or [])
        owner = session.exec(
            select(ContactEmail.contact_id).where(col(ContactEmail.address).in_(emails))
        ).first()
        if owner is not None:
            return session.get(Contact, owner)
        return contact_by_name(session, fields["full_name"], fields.get("company"))
    query = select(model)
    for name in SAME_AS[model]:
        column = getattr(model, name)
        value = fields.get(name)
        query = query.where(col(column).is_(None) if value is None else column == value)
    return session.exec(query).first()
