"""`meishi followup` and `meishi should-return`: is this gathering worth going back to?"""

import datetime as dt

import pytest

from helpers import add_event, add_person, day, db_dump, error_of, fails, json_of, ok


def verdict(name: str) -> dict:
    """What `should-return NAME --json` decides."""
    return json_of(ok("should-return", name, "--json"))


def test_survey_and_report_after_an_attended_event_mean_return() -> None:
    add_event("AI勉強会 #3", -10, "--series", "AI勉強会")
    add_person("AI勉強会 #3", "田中 太郎", "--email", "taro@example.jp")
    result = ok("followup", "AI勉強会 #3", "survey", "--date", day(-9))
    assert result.stdout.strip() == (
        f"Recorded for AI勉強会 #3 ({day(-10)}): "
        f"the organizer sent a satisfaction survey on {day(-9)}."
    )
    ok("followup", "AI勉強会 #3", "report", "--date", day(-5), "--note", "minutes on connpass")

    found = verdict("AI勉強会")
    assert {"verdict", "series", "attended", "reasons"} <= found.keys()
    assert (found["verdict"], found["series"], found["attended"]) == ("return", "AI勉強会", 1)
    assert found["strength"] == 2
    assert (found["people_met"], found["thanked"]) == (1, 0)
    kinds = [(r["kind"], r["date"]) for r in found["reasons"] if r["kind"]]
    assert kinds == [("survey", day(-9)), ("report", day(-5))]
    texts = " ".join(r["text"] for r in found["reasons"])
    assert "followed up after your latest visit" in texts
    assert '(note: "minutes on connpass")' in texts

    text = ok("should-return", "AI勉強会").stdout
    assert text.splitlines()[0] == "return: Go back — AI勉強会"
    assert "a good sign they value participants" in text


def test_two_silent_visits_long_ago_mean_skip() -> None:
    add_event("交流会 夏", -90, "--series", "丸の内交流会")
    add_event("交流会 秋", -60, "--series", "丸の内交流会")
    found = verdict("丸の内交流会")
    assert (found["verdict"], found["attended"], found["ask_again_on"]) == ("skip", 2, None)
    assert "after any of your 2 visits" in found["reasons"][0]["text"]
    assert ok("should-return", "丸の内交流会").stdout.startswith("skip: Skip it — 丸の内交流会")


def test_an_invitation_alone_is_not_a_reason_to_return() -> None:
    add_event("Mixer", -30)
    ok("followup", "Mixer", "invite", "--date", day(-20))
    found = verdict("Mixer")
    assert found["verdict"] == "skip"
    invite = [r for r in found["reasons"] if r["kind"] == "invite"]
    assert len(invite) == 1
    assert "an invitation alone does not show care" in invite[0]["text"]


def test_an_invitation_to_a_recent_event_still_waits() -> None:
    add_event("Mixer", -3)
    ok("followup", "Mixer", "invite", "--date", day(-1))
    assert verdict("Mixer")["verdict"] == "wait"


def test_a_recent_event_with_nothing_yet_means_wait() -> None:
    add_event("Pitch Night", -3)
    found = verdict("Pitch Night")
    expected = (dt.date.today() + dt.timedelta(days=11)).isoformat()
    assert (found["verdict"], found["attended"], found["ask_again_on"]) == ("wait", 1, expected)
    assert f"ask again from {expected}" in found["reasons"][0]["text"]
    assert ok("should-return", "Pitch Night").stdout.startswith("wait: Wait and see — Pitch Night")


def test_a_future_event_only_means_unknown() -> None:
    add_event("Design Meetup", 10)
    found = verdict("Design Meetup")
    assert (found["verdict"], found["attended"]) == ("unknown", 0)
    assert "You have not attended" in found["reasons"][0]["text"]
    assert any("is upcoming" in r["text"] for r in found["reasons"])
    assert ok("should-return", "Design Meetup").stdout.startswith("unknown: Unknown — Design")


def test_resolving_by_series_event_name_prefix_and_id() -> None:
    add_event("Tokyo AI #10", -60, "--series", "Tokyo AI 勉強会")
    add_event("Tokyo AI #11", -30, "--series", "Tokyo AI 勉強会")
    add_event("Tokyo AI #12", 20, "--series", "Tokyo AI 勉強会")
    add_event("Book Club", -2)
    ok("followup", "Tokyo AI #11", "thanks", "--date", day(-29))
    for name in ("Tokyo AI 勉強会", "tokyo ai 勉強会", "Tokyo AI #10", "2", "Tokyo AI 勉"):
        found = verdict(name)
        assert (found["series"], found["verdict"], found["attended"]) == (
            "Tokyo AI 勉強会",
            "return",
            2,
        ), name
    # An event without a series stands for itself, found by name or prefix.
    assert verdict("Book")["series"] == "Book Club"
    assert verdict("4")["series"] == "Book Club"


def test_ambiguous_series_prefix_is_refused() -> None:
    add_event("A", -5, "--series", "Salon Tokyo")
    add_event("B", -5, "--series", "Salon Osaka")
    message = error_of(fails("should-return", "Salon"))
    assert "matches several series" in message
    assert "Salon Osaka" in message and "Salon Tokyo" in message


def test_should_return_with_unknown_name() -> None:
    add_event("Book Club", -2)
    message = error_of(fails("should-return", "Chess Club"))
    assert message == "no event or series matches 'Chess Club'; see `meishi event list`"


def test_followup_with_unknown_kind_is_refused() -> None:
    add_event("Mixer", -3)
    before = db_dump()
    message = error_of(fails("followup", "Mixer", "newsletter"))
    assert message == "unknown follow-up 'newsletter'; use one of: thanks, survey, report, invite"
    assert db_dump() == before


def test_followup_dated_before_the_event_is_refused() -> None:
    add_event("Mixer", -3)
    before = db_dump()
    message = error_of(fails("followup", "Mixer", "thanks", "--date", day(-4)))
    assert message.startswith(f"{day(-4)} is before the event ({day(-3)})")
    assert db_dump() == before


def test_followup_in_the_future_is_refused() -> None:
    add_event("Mixer", -3)
    assert "is in the future" in error_of(
        fails("followup", "Mixer", "thanks", "--date", "tomorrow")
    )
    assert json_of(ok("event", "show", "Mixer", "--json"))["follow_ups"] == []


def test_followup_defaults_to_today() -> None:
    add_event("Mixer", -3)
    ok("followup", "Mixer", "report")
    [recorded] = json_of(ok("event", "show", "Mixer", "--json"))["follow_ups"]
    assert recorded == {
        "id": 1,
        "kind": "report",
        "date": day(0),
        "note": None,
        "source": "hand",
        "subject": None,
    }


def test_followup_for_an_unknown_event_is_refused() -> None:
    add_event("Mixer", -3)
    assert "no event matches 'Gala'" in error_of(fails("followup", "Gala", "thanks"))


@pytest.mark.parametrize(
    ("kind", "deed"),
    [
        ("thanks", "sent participants a thank-you mail"),
        ("survey", "sent a satisfaction survey"),
        ("report", "published a report or minutes"),
    ],
)
def test_each_care_kind_alone_means_return(kind: str, deed: str) -> None:
    add_event("Mixer", -20)
    ok("followup", "Mixer", kind, "--date", day(-19))
    found = verdict("Mixer")
    assert (found["verdict"], found["strength"]) == ("return", 1)
    assert any(deed in r["text"] for r in found["reasons"])


def test_people_met_and_thanked_are_reported() -> None:
    add_event("Mixer", -3)
    add_person("Mixer", "Bob Lee", "--email", "bob@example.com")
    add_person("Mixer", "Ann Ito", "--email", "ann@example.com")
    ok("config", "set", "me.name", "Me")
    ok("thank", "--mark-sent", "Bob Lee")
    found = verdict("Mixer")
    assert (found["people_met"], found["thanked"]) == (2, 1)
    assert any(
        r["text"] == "You met 2 people there and thanked 1 of them." for r in found["reasons"]
    )
