"""Sample data for `meishi demo`: a month of gatherings, people and follow-ups."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from meishi.attendance.changes import change_attendance
from meishi.attendance.rules import CANCELLED
from meishi.contacts import add_card
from meishi.events import add_event, record_follow_up
from meishi.inputs import CardInput, EventInput

if TYPE_CHECKING:
    from sqlmodel import Session

    from meishi.home import Home
    from meishi.should_return.rules import Verdict
    from meishi.thank_yous import ThankRun
    from meishi.todo import Task

ME = {
    "me.name": "山田 花子",
    "me.email": "hanako.yamada@example.jp",
    "me.company": "株式会社サンプル商事",
    "me.title": "営業企画部 課長",
}
# (days before today, name, series, organizer, follow-ups as (kind, days after the event))
EVENTS: tuple[tuple[int, str, str, str, tuple[tuple[str, int], ...]], ...] = (
    (60, "Tokyo AI 勉強会 #10", "Tokyo AI 勉強会", "佐藤 健", (("survey", 1), ("report", 5))),
    (30, "Tokyo AI 勉強会 #11", "Tokyo AI 勉強会", "佐藤 健", (("thanks", 1), ("report", 4))),
    (1, "Tokyo AI 勉強会 #12", "Tokyo AI 勉強会", "佐藤 健", ()),
    (120, "丸の内 異業種交流会 春", "丸の内 異業種交流会", "丸の内交流会事務局", (("invite", 60),)),
    (90, "丸の内 異業種交流会 夏", "丸の内 異業種交流会", "丸の内交流会事務局", ()),
    (3, "Startup Pitch Night", "Startup Pitch Night", "Emily Clark", ()),
    (-10, "Design Systems Meetup", "Design Systems Meetup", "Ken Ito", ()),
)
# People met yesterday, and the topics talked about with each.
PEOPLE = (
    CardInput(
        name="田中 太郎",
        reading="たなか たろう",
        company="株式会社ソフトバンク",
        department="AI戦略室",
        title="部長",
        emails=("taro.tanaka@example.co.jp",),
        topics=("生成AIの社内導入", "RAGの評価方法"),
    ),
    CardInput(
        name="鈴木 一郎",
        company="合同会社すずきラボ",
        title="代表",
        emails=("ichiro@suzuki-lab.example",),
        topics=("音声認識のスタートアップ",),
    ),
    CardInput(
        name="Sarah Johnson",
        company="Northwind Ltd.",
        title="Director of Partnerships",
        emails=("sarah.johnson@northwind.example",),
        topics=("expanding into Japan", "bilingual customer support"),
    ),
    CardInput(name="高橋 美咲", company="フリーランス", topics=("UXリサーチ",)),
)


def populate(session: Session, now: dt.datetime) -> list[str]:
    """Fill an empty store with the sample; returns the series to ask about."""
    today = now.date()
    for days_before, name, series, organizer, follow_ups in EVENTS:
        on = today - dt.timedelta(days=days_before)
        given = EventInput(
            name=name,
            date=on,
            start_time=dt.time(19),
            series=series,
            organizer_name=organizer,
            fee=2000,
        )
        event = add_event(session, given, now)
        for kind, days_after in follow_ups:
            record_follow_up(session, event, kind, on + dt.timedelta(days=days_after), None, today)
        if days_before == 1:
            for card in PEOPLE:
                add_card(session, event, card, now)
    _cancel_at_the_last_minute(session, now)
    return list(dict.fromkeys(series for *_, series, _, _ in EVENTS))


def _cancel_at_the_last_minute(session: Session, now: dt.datetime) -> None:
    """Two days ago, a cancellation four hours before the start: an apology and a fee owed."""
    on = now.date() - dt.timedelta(days=2)
    given = EventInput(
        name="Fintech Night Tokyo",
        date=on,
        start_time=dt.time(19),
        organizer_name="Emily Clark",
        organizer_email="emily@fintech-night.example",
        fee=3000,
    )
    event = add_event(session, given, now)
    at = dt.datetime.combine(on, dt.time(15)).astimezone()
    change_attendance(session, event, CANCELLED, now, at=at, reason="急な出張")


@dataclass
class Tour:
    """What the demo shows: the thank-you drafts and where they went, verdicts, what is owed."""

    thanks: ThankRun
    drafts: Path
    verdicts: list[Verdict]
    tasks: list[Task]


def tour(sample: Home, now: dt.datetime, today: dt.date, since: dt.date) -> Tour:
    """Fill a throwaway home with sample data and walk through the evening after an event."""
    from meishi import config
    from meishi.drafts.box import check_out_folder, write_eml_files
    from meishi.should_return.facts import should_return
    from meishi.store.engine import open_store
    from meishi.store.resolve import raw_connection
    from meishi.thank_yous import Drafting, prepare_thanks, unthanked
    from meishi.todo import build_agenda

    for key, value in ME.items():
        config.set_value(key, value, sample.config_file)
    me = {key.removeprefix("me."): value for key, value in ME.items()} | {"signature": ""}
    out = sample.data / "drafts"
    store = open_store(sample.database)
    try:
        with store.write() as session:
            series = populate(session, now)
            plain = raw_connection(session)
            met, _ = unthanked(plain, since, None, today)
            how = Drafting(me, today, now, None, sample.templates, None)
            thanks = prepare_thanks(plain, met, how)
            check_out_folder(out)
            write_eml_files(thanks.letters(), out, me, now, sample).check()
            verdicts = [should_return(plain, name, today) for name in series]
            tasks = build_agenda(plain, today)
    finally:
        store.close()
    return Tour(thanks, out, verdicts, tasks)
