"""The pages' read path: `event list`, `event show`, `contacts show` and `record` read the
store over the plain connection, on either engine, and never import the ORM; and the store
queries behind them (meetings with their topics and thank-you state, the late
cancellations, the mail of a timeline, the card images a server holds)."""

from __future__ import annotations

import datetime as dt

import pytest

from helpers import (
    add_event,
    add_person,
    day,
    heavy_modules_after,
    json_of,
    ok,
    record_mail,
    set_me,
    store_reader,
)
from meishi.home import resolve
from meishi.store.contacts import card_images_of, past_positions_of
from meishi.store.encounters import meetings_at, meetings_of, topics_with
from meishi.store.events import events_newest_first, events_with_late_cancellations
from meishi.store.exchanges import mail_with
from meishi.store.meetings import topics_at
from meishi.store.writer import writer


def insert(sql: str, *parameters: object) -> None:
    """One row written as another tool would, on either engine."""
    with writer(resolve().location) as db:
        db.execute(sql, parameters)


@pytest.fixture
def store_with_everything() -> dict[str, int]:
    """Events (one cancelled late, one a no-show owing a fee), people met with topics, a
    thank-you draft and one sent, a job change, mail both ways, a follow-up."""
    set_me()
    salon = add_event("Salon #3", -2, "--series", "Salon", "--organizer", "Ken")
    late = add_event(
        "Late Night", 1, "--time", "00:00", "--organizer", "Ken"
    )  # within 24 h at any hour: a late cancellation
    gone = add_event("Gone", -5, "--fee", "2000")
    mixer = add_event("Mixer", -8)
    taro = add_person("Salon #3", "田中 太郎", "--email", "taro@example.jp", "--topic", "生成AI")
    bob = add_person("Salon #3", "Bob Lee", "--topic", "hiking", "--topic", "tea")
    sarah = add_person("Salon #3", "Sarah King", "--email", "sarah@example.com")
    add_person("Mixer", "田中 太郎", "--email", "taro@example.jp", "--topic", "決済API")
    ok("thank", "--event", "Salon #3")
    ok("thank", "--mark-sent", "Sarah King")
    ok("contacts", "edit", str(taro), "--company", "Acme", "--title", "CTO")
    ok("contacts", "edit", str(taro), "--company", "Beta")
    ok("cancel", str(late))
    ok("no-show", str(gone))
    ok("followup", "Salon #3", "survey", "--date", day(-1))
    record_mail(taro, 3, "in", "Re: お礼")
    record_mail(taro, 2, "out", "ランチ")
    record_mail(sarah, 1, "out", "お礼", thanking=3)
    events = {"salon": salon, "late": late, "gone": gone, "mixer": mixer}
    return events | {"taro": taro, "bob": bob, "sarah": sarah}


@pytest.mark.parametrize(
    "argv",
    [
        ["event", "list"],
        ["event", "list", "--json"],
        ["event", "show", "Salon #3"],
        ["event", "show", "1", "--json"],
        ["contacts", "show", "田中 太郎"],
        ["contacts", "show", "taro@example.jp", "--json"],
        ["record"],
        ["record", "--json"],
    ],
)
def test_the_pages_never_import_heavy_libraries(
    argv: list[str], store_with_everything: dict[str, int]
) -> None:
    assert heavy_modules_after(argv) == []


def test_meetings_carry_their_thank_you_state_and_topics(
    store_with_everything: dict[str, int],
) -> None:
    ids = store_with_everything
    with store_reader() as db:
        met = meetings_at(db, ids["salon"])
        topics = topics_at(db, [ids["salon"]])
        mine = meetings_of(db, ids["taro"])
        my_topics = topics_with(db, ids["taro"])
    assert [(m.contact_name, m.has_email, m.thanked_at is not None) for m in met] == [
        ("田中 太郎", True, False),
        ("Bob Lee", False, False),
        ("Sarah King", True, True),
    ]
    assert met[0].draft_id is not None and met[1].draft_id is None
    assert met[2].thanked_at is not None and met[2].thanked_at.tzinfo is not None
    assert [topics.get(m.id, []) for m in met] == [["生成AI"], ["hiking", "tea"], []]
    # The most recent event first; the topics of each of the contact's meetings, apart.
    assert [(m.event_name, m.event_date.isoformat()) for m in mine] == [
        ("Salon #3", day(-2)),
        ("Mixer", day(-8)),
    ]
    assert [my_topics[m.id] for m in mine] == [["生成AI"], ["決済API"]]


def test_events_know_a_late_cancellation_and_list_newest_first(
    store_with_everything: dict[str, int],
) -> None:
    ids = store_with_everything
    with store_reader() as db:
        newest = events_newest_first(db)
        oldest = events_with_late_cancellations(db)
    assert [e.id for e in newest] == [ids["late"], ids["salon"], ids["gone"], ids["mixer"]]
    assert newest[0].start_time == dt.time(0, 0) and newest[0].date.isoformat() == day(1)
    assert [(e.name, e.attendance, late) for e, late in oldest] == [
        ("Mixer", "attended", False),
        ("Gone", "no-show", False),
        ("Salon #3", "attended", False),
        ("Late Night", "cancelled", True),
    ]


def test_the_timeline_mail_leaves_thank_yous_out_and_positions_come_latest_first(
    store_with_everything: dict[str, int],
) -> None:
    ids = store_with_everything
    with store_reader() as db:
        taro = mail_with(db, ids["taro"])
        sarah = mail_with(db, ids["sarah"])
        positions = past_positions_of(db, ids["taro"])
    assert [(m.direction, m.subject, m.when.tzinfo is not None) for m in taro] == [
        ("in", "Re: お礼", True),
        ("out", "ランチ", True),
    ]
    assert sarah == []  # the thank-you sync found is shown as the thank-you
    # The first edit gave a company to a contact without one: nothing earlier to keep.
    assert [(p.company, p.department, p.title, p.until.isoformat()) for p in positions] == [
        ("Acme", None, "CTO", day(0))
    ]


def test_contacts_show_writes_the_card_image_the_store_holds(
    store_with_everything: dict[str, int],
) -> None:
    taro = store_with_everything["taro"]
    insert(
        "INSERT INTO cardimage (contact_id, path, sha256, fields, data, created_at)"
        " VALUES (?, 'cards/abc.jpg', 'abc', ?, ?, '2026-01-01 00:00:00')",
        taro, '{"mobile": "090-1234-5678"}', b"\xff\xd8 a card",
    )  # fmt: skip
    with store_reader() as db:
        [image] = card_images_of(db, taro)
    assert (image.path, image.held) == ("cards/abc.jpg", True)
    detail = json_of(ok("contacts", "show", str(taro), "--json"))
    kept = resolve().data / "cards" / "abc.jpg"
    assert detail["card_images"] == [{"path": str(kept), "fields": {"mobile": "090-1234-5678"}}]
    assert kept.read_bytes() == b"\xff\xd8 a card"
    assert f"card image: {kept}" in ok("contacts", "show", str(taro)).stdout


def test_record_counts_from_the_plain_connection(store_with_everything: dict[str, int]) -> None:
    record = json_of(ok("record", "--json"))
    assert record["counts"] == {"registered": 0, "attended": 2, "cancelled": 1, "no-show": 1}
    assert record["last_minute"] == 1
    assert [(o["kind"], o["amount"], o["event"]["name"]) for o in record["owed"]] == [
        ("apology", None, "Late Night"),
        ("apology", None, "Gone"),
        ("fee", 2000, "Gone"),
    ]
    assert record["owed"][0]["since"] == dt.date.today().isoformat()
