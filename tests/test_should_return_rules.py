"""The should-return rule, tested directly with `today` passed in."""

import json
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meishi.errors import BadValue
from meishi.should_return.rules import (
    FOLLOW_UP_WINDOW_DAYS,
    FollowUpFact,
    Occurrence,
    OwedFact,
    Verdict,
    decide,
    with_owed,
)

SERIES = "AI勉強会"
EVENT_DAY = date(2026, 3, 10)
LONG_AFTER = date(2026, 6, 1)


def visit(
    event_id: int,
    on: date,
    *kinds: str,
    attended: bool = True,
    people_met: int = 0,
    thanked: int = 0,
) -> Occurrence:
    """An occurrence of SERIES with one follow-up per kind, each dated the day after."""
    facts = tuple(FollowUpFact(kind, on + timedelta(days=1)) for kind in kinds)
    return Occurrence(event_id, SERIES, on, attended, facts, people_met, thanked)


def texts(verdict: Verdict) -> list[str]:
    """The reason sentences of a verdict."""
    return [reason.text for reason in verdict.reasons]


def test_never_attended_anything_is_unknown_and_says_what_to_record() -> None:
    result = decide(SERIES, [], LONG_AFTER)
    assert result.verdict == "unknown"
    assert result.attended == 0
    assert result.strength == 0
    assert "meishi event add" in texts(result)[0]
    assert "meishi add" in texts(result)[0]


def test_only_registered_is_unknown_and_mentions_the_upcoming_occurrence() -> None:
    upcoming = visit(7, date(2026, 12, 10), "thanks", attended=False)
    result = decide(SERIES, [upcoming], LONG_AFTER)
    assert result.verdict == "unknown"
    assert result.ask_again_on is None
    assert "AI勉強会 on 2026-12-10 is upcoming; it counts once you have been." in texts(result)


def test_care_after_the_latest_visit_is_return() -> None:
    result = decide(SERIES, [visit(1, EVENT_DAY, "survey", "report")], LONG_AFTER)
    assert result.verdict == "return"
    assert result.strength == 2
    assert result.ask_again_on is None
    assert texts(result)[0] == (
        "The organizer followed up after your latest visit, AI勉強会 on 2026-03-10."
    )


def test_each_follow_up_is_a_reason_naming_event_date_kind_and_note() -> None:
    fact = FollowUpFact("report", date(2026, 3, 12), note="minutes on the wiki")
    result = decide(SERIES, [Occurrence(3, SERIES, EVENT_DAY, True, (fact,))], LONG_AFTER)
    reason = next(r for r in result.reasons if r.kind == "report")
    assert reason.text == (
        "On 2026-03-12 the organizer of AI勉強会 on 2026-03-10 published a report or minutes"
        ' (note: "minutes on the wiki").'
    )
    assert (reason.event_id, reason.on) == (3, date(2026, 3, 12))


@pytest.mark.parametrize(
    ("kinds", "strength", "words"),
    [
        (("thanks",), 1, "1 kind of follow-up: thanks — a sign"),
        (("thanks", "report"), 2, "2 kinds of follow-up: thanks and report — a good sign"),
        (
            ("report", "thanks", "survey"),
            3,
            "3 kinds of follow-up: thanks, survey and report — a strong",
        ),
    ],
)
def test_strength_grows_with_the_kinds_of_care(
    kinds: tuple[str, ...], strength: int, words: str
) -> None:
    result = decide(SERIES, [visit(1, EVENT_DAY, *kinds)], LONG_AFTER)
    assert result.verdict == "return"
    assert result.strength == strength
    assert any(words in text for text in texts(result))


def test_repeated_kind_counts_once_toward_strength() -> None:
    result = decide(SERIES, [visit(1, EVENT_DAY, "thanks", "thanks")], LONG_AFTER)
    assert result.strength == 1


def test_day_13_after_the_event_with_nothing_recorded_is_wait() -> None:
    result = decide(SERIES, [visit(1, EVENT_DAY)], EVENT_DAY + timedelta(days=13))
    assert result.verdict == "wait"
    assert result.ask_again_on == EVENT_DAY + timedelta(days=FOLLOW_UP_WINDOW_DAYS)
    assert result.ask_again_on == date(2026, 3, 24)
    assert "ask again from 2026-03-24" in texts(result)[0]


def test_day_14_after_the_event_with_nothing_recorded_is_skip() -> None:
    result = decide(SERIES, [visit(1, EVENT_DAY)], EVENT_DAY + timedelta(days=14))
    assert result.verdict == "skip"
    assert result.ask_again_on is None
    assert texts(result)[0] == (
        "The 14-day follow-up window after AI勉強会 on 2026-03-10 has passed"
        " with no thank-you, survey or report recorded after it."
    )


def test_window_days_can_be_passed_in() -> None:
    today = EVENT_DAY + timedelta(days=20)
    assert decide(SERIES, [visit(1, EVENT_DAY)], today, window_days=30).verdict == "wait"
    assert decide(SERIES, [visit(1, EVENT_DAY)], today, window_days=20).verdict == "skip"


def test_care_inside_the_window_is_return_not_wait() -> None:
    result = decide(SERIES, [visit(1, EVENT_DAY, "thanks")], EVENT_DAY + timedelta(days=2))
    assert result.verdict == "return"


def test_invite_only_inside_the_window_is_wait() -> None:
    result = decide(SERIES, [visit(1, EVENT_DAY, "invite")], EVENT_DAY + timedelta(days=3))
    assert result.verdict == "wait"
    assert result.strength == 0


def test_invite_only_after_the_window_is_skip_and_is_reported() -> None:
    result = decide(SERIES, [visit(1, EVENT_DAY, "invite")], LONG_AFTER)
    assert result.verdict == "skip"
    assert result.strength == 0
    assert (
        "On 2026-03-11 the organizer of AI勉強会 on 2026-03-10 invited you to the next one;"
        " an invitation alone does not show care for participants."
    ) in texts(result)


def test_invites_after_every_visit_never_make_return() -> None:
    visits = [visit(i, EVENT_DAY + timedelta(days=30 * i), "invite") for i in range(3)]
    assert decide(SERIES, visits, LONG_AFTER).verdict == "skip"


def test_care_after_2_of_3_visits_but_not_the_latest_is_return() -> None:
    visits = [
        visit(1, date(2026, 1, 10), "thanks"),
        visit(2, date(2026, 2, 10), "survey"),
        visit(3, date(2026, 3, 10)),
    ]
    result = decide(SERIES, visits, LONG_AFTER)
    assert result.verdict == "return"
    assert result.strength == 2
    assert texts(result)[0] == (
        "The organizer followed up after 2 of 3 visits, more than half,"
        " though nothing is recorded yet for the latest, AI勉強会 on 2026-03-10."
    )


def test_care_after_1_of_3_visits_not_the_latest_is_skip() -> None:
    visits = [
        visit(1, date(2026, 1, 10), "thanks"),
        visit(2, date(2026, 2, 10)),
        visit(3, date(2026, 3, 10)),
    ]
    result = decide(SERIES, visits, LONG_AFTER)
    assert result.verdict == "skip"
    assert "only after 1 of 3 visits, not the latest" in texts(result)[0]
    assert "On 2026-01-11 the organizer of AI勉強会 on 2026-01-10" in " ".join(texts(result))


def test_care_after_1_of_2_visits_is_not_a_majority() -> None:
    visits = [visit(1, date(2026, 1, 10), "thanks"), visit(2, date(2026, 2, 10))]
    assert decide(SERIES, visits, LONG_AFTER).verdict == "skip"


def test_care_after_the_latest_of_3_visits_is_return_even_when_alone() -> None:
    visits = [
        visit(1, date(2026, 1, 10)),
        visit(2, date(2026, 2, 10)),
        visit(3, EVENT_DAY, "report"),
    ]
    result = decide(SERIES, visits, LONG_AFTER)
    assert result.verdict == "return"
    assert texts(result)[0].endswith("AI勉強会 on 2026-03-10, and after 1 of 3 visits in all.")


def test_earlier_care_is_mentioned_while_waiting_on_the_latest() -> None:
    visits = [visit(1, date(2026, 1, 10), "thanks"), visit(2, EVENT_DAY)]
    result = decide(SERIES, visits, EVENT_DAY + timedelta(days=5))
    assert result.verdict == "wait"
    assert "Before that, the organizer followed up after 1 of 1 earlier visit." in texts(result)


def test_follow_up_dated_before_the_event_does_not_count() -> None:
    early = FollowUpFact("thanks", EVENT_DAY - timedelta(days=1))
    result = decide(SERIES, [Occurrence(1, SERIES, EVENT_DAY, True, (early,))], LONG_AFTER)
    assert result.verdict == "skip"
    assert result.strength == 0
    assert (
        "The thanks dated 2026-03-09 comes before AI勉強会 on 2026-03-10, so it does not count."
    ) in texts(result)


def test_follow_up_on_the_event_day_counts() -> None:
    same_day = FollowUpFact("thanks", EVENT_DAY)
    result = decide(SERIES, [Occurrence(1, SERIES, EVENT_DAY, True, (same_day,))], LONG_AFTER)
    assert result.verdict == "return"


def test_non_attended_occurrences_count_toward_nothing() -> None:
    visits = [
        visit(1, EVENT_DAY),
        visit(2, date(2026, 4, 10), "thanks", "survey", attended=False, people_met=9, thanked=9),
        visit(3, date(2026, 12, 10), "report", attended=False),
    ]
    result = decide(SERIES, visits, LONG_AFTER)
    assert (result.verdict, result.attended, result.strength) == ("skip", 1, 0)
    assert (result.people_met, result.thanked) == (0, 0)
    assert "You did not attend AI勉強会 on 2026-04-10, so it does not count." in texts(result)
    assert "AI勉強会 on 2026-12-10 is upcoming; it counts once you have been." in texts(result)


def test_a_later_non_attended_occurrence_is_not_the_latest_visit() -> None:
    visits = [visit(1, EVENT_DAY, "thanks"), visit(2, date(2026, 5, 10), attended=False)]
    assert decide(SERIES, visits, LONG_AFTER).verdict == "return"


def test_occurrences_are_judged_in_date_order_whatever_the_input_order() -> None:
    visits = [visit(2, date(2026, 3, 10)), visit(1, date(2026, 1, 10), "thanks")]
    assert decide(SERIES, visits, LONG_AFTER).verdict == "skip"


def test_people_met_and_thanked_are_summed_and_reported() -> None:
    visits = [
        visit(1, date(2026, 1, 10), people_met=2, thanked=1),
        visit(2, EVENT_DAY, "thanks", people_met=3, thanked=2),
    ]
    result = decide(SERIES, visits, LONG_AFTER)
    assert (result.people_met, result.thanked) == (5, 3)
    assert texts(result)[-1] == "You met 5 people there and thanked 3 of them."


def test_one_person_met_is_singular() -> None:
    result = decide(SERIES, [visit(1, EVENT_DAY, people_met=1, thanked=0)], LONG_AFTER)
    assert texts(result)[-1] == "You met 1 person there and thanked 0 of them."


def test_nobody_met_is_still_reported() -> None:
    result = decide(SERIES, [visit(1, EVENT_DAY, "thanks")], LONG_AFTER)
    assert texts(result)[-1] == (
        "You have recorded nobody you met there yet; add them with `meishi add`."
    )


def test_unknown_follow_up_kind_is_refused() -> None:
    with pytest.raises(BadValue, match="'party': use one of thanks, survey, report, invite"):
        decide(SERIES, [visit(1, EVENT_DAY, "thanks"), visit(2, EVENT_DAY, "party")], LONG_AFTER)


def test_to_json_round_trips_through_json_dumps() -> None:
    result = decide(SERIES, [visit(4, EVENT_DAY)], EVENT_DAY + timedelta(days=1))
    data = json.loads(json.dumps(result.to_json(), ensure_ascii=False))
    assert set(data) == {
        "verdict",
        "series",
        "attended",
        "reasons",
        "ask_again_on",
        "strength",
        "people_met",
        "thanked",
        "owed",
        "sprouting",
        "in_touch",
    }
    assert (data["verdict"], data["series"], data["attended"]) == ("wait", SERIES, 1)
    assert data["owed"] == []
    assert data["ask_again_on"] == "2026-03-24"
    assert data["reasons"][0]["event_id"] == 4
    assert data["reasons"][0]["date"] == "2026-03-10"
    assert set(data["reasons"][0]) == {"text", "event_id", "kind", "date"}


def test_to_json_of_a_follow_up_reason_has_its_kind_and_date() -> None:
    result = decide(SERIES, [visit(4, EVENT_DAY, "survey")], LONG_AFTER)
    survey = next(r for r in result.reasons if r.kind == "survey")
    assert survey.to_json() == {
        "text": "On 2026-03-11 the organizer of AI勉強会 on 2026-03-10 sent a satisfaction survey.",
        "event_id": 4,
        "kind": "survey",
        "date": "2026-03-11",
    }
    assert survey.to_json() in result.to_json()["reasons"]


def test_what_is_owed_is_added_to_the_reasons_without_changing_the_verdict() -> None:
    base = decide(SERIES, [visit(4, EVENT_DAY, "survey")], LONG_AFTER)
    owed = [
        OwedFact("apology", 7, "AI勉強会 #2", date(2026, 4, 1), organizer="佐藤 健"),
        OwedFact("fee", 7, "AI勉強会 #2", date(2026, 4, 1), organizer="佐藤 健", amount=3000),
    ]
    result = with_owed(base, owed)
    assert result.verdict == base.verdict == "return"
    assert result.reasons[: len(base.reasons)] == base.reasons
    texts = [reason.text for reason in result.owed]
    assert texts == [
        "You still owe 佐藤 健 an apology for AI勉強会 #2 on 2026-04-01: go back, but settle it "
        "first (meishi apologized 7 --how in-person).",
        "You still owe 佐藤 健 the ¥3,000 fee for AI勉強会 #2 on 2026-04-01: go back, but settle "
        "it first (meishi paid 7).",
    ]
    assert [r["kind"] for r in result.to_json()["owed"]] == ["apology", "fee"]  # type: ignore[index]


def test_nothing_owed_leaves_the_verdict_as_it_was() -> None:
    base = decide(SERIES, [visit(4, EVENT_DAY)], LONG_AFTER)
    assert with_owed(base, []) is base


def test_strength_names_its_scope_when_earlier_visits_had_other_kinds() -> None:
    visits = [visit(1, date(2026, 1, 10), "report"), visit(2, EVENT_DAY, "thanks")]
    strength = texts(decide(SERIES, visits, LONG_AFTER))[1]
    assert strength == (
        "After AI勉強会 on 2026-03-10, the organizer did 1 kind of follow-up: thanks"
        " (and report after earlier visits) — a sign they value participants."
    )


def test_a_skip_suggests_a_next_step() -> None:
    result = decide(SERIES, [visit(4, EVENT_DAY)], LONG_AFTER)
    assert result.verdict == "skip"
    step = texts(result)[1]
    assert "meishi followup 4 thanks|survey|report" in step
    assert "try another gathering" in step


@pytest.mark.parametrize("verdict_of", [(EVENT_DAY, "thanks"), (EVENT_DAY,)])
def test_only_a_skip_suggests_the_next_step(verdict_of: tuple) -> None:
    result = decide(SERIES, [visit(4, *verdict_of)], EVENT_DAY + timedelta(days=3))
    assert result.verdict in ("return", "wait")
    assert not any("try another gathering" in text for text in texts(result))


def mailed(
    kind: str, subject: str, message_id: str = "<m@org>", on: date = date(2026, 3, 12)
) -> FollowUpFact:
    """A follow-up found in the organizer's mail."""
    return FollowUpFact(kind, on, subject=subject, message_id=message_id)


def test_a_mail_with_two_kinds_is_one_reason_naming_the_mail() -> None:
    subject = "【ご参加御礼】第12回 AI勉強会 ありがとうございました。次回もどうぞ"
    facts = (mailed("survey", subject), mailed("thanks", subject))
    result = decide(SERIES, [Occurrence(1, "AI勉強会 #12", EVENT_DAY, True, facts)], LONG_AFTER)
    assert result.verdict == "return"
    named = [text for text in texts(result) if "the organizer sent" in text]
    assert named == [
        'On 2026-03-12 the organizer sent "【ご参加御礼】第12回 AI勉強会 ありがとうございました…"'
        " (thank-you, with a survey link) after AI勉強会 #12 on 2026-03-10."
    ]


def test_a_mailed_invitation_alone_keeps_its_caveat_and_a_typed_one_its_own_reason() -> None:
    facts = (
        mailed("invite", "次回のご案内", "<next@org>"),
        FollowUpFact("report", date(2026, 3, 13), note="blog"),
    )
    result = decide(SERIES, [Occurrence(1, "AI勉強会 #12", EVENT_DAY, True, facts)], LONG_AFTER)
    assert (
        'On 2026-03-12 the organizer sent "次回のご案内" (invitation) after AI勉強会 #12 on'
        " 2026-03-10; an invitation alone does not show care for participants."
    ) in texts(result)
    assert any(
        t.startswith("On 2026-03-13 the organizer of AI勉強会 #12 on 2026-03-10 published")
        for t in texts(result)
    )


_statuses = st.sampled_from(["attended", "registered", "cancelled", "no-show"])
_occurrences = st.lists(
    st.builds(
        lambda number, offset, status, kinds, met, thanked, sprouting, in_touch: Occurrence(
            number,
            SERIES,
            EVENT_DAY + timedelta(days=offset),
            status == "attended",
            tuple(FollowUpFact(kind, EVENT_DAY + timedelta(days=offset + 2)) for kind in kinds),
            met,
            min(thanked, met),
            status=status,
            sprouting=min(sprouting, met),
            in_touch=min(in_touch, met),
        ),
        st.integers(1, 50),
        st.integers(-200, 200),
        _statuses,
        st.lists(st.sampled_from(["thanks", "survey", "report", "invite"]), max_size=3),
        *(st.integers(0, 40) for _ in range(4)),
    ),
    max_size=6,
)


@given(occurrences=_occurrences, today=st.integers(-100, 400))
def test_the_verdict_and_its_first_reason_never_depend_on_the_people_met(
    occurrences: list[Occurrence], today: int
) -> None:
    """What todo relies on when it judges a gathering without reading whom you met there."""
    on = EVENT_DAY + timedelta(days=today)
    nobody = [o._replace(people_met=0, thanked=0, sprouting=0, in_touch=0) for o in occurrences]
    full, counted_no_one = decide(SERIES, occurrences, on), decide(SERIES, nobody, on)
    assert (full.verdict, full.reasons[0]) == (counted_no_one.verdict, counted_no_one.reasons[0])
