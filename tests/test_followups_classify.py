"""The organizer's follow-up mail: reading a whole message, which mail is a candidate for
an event, what kind of follow-up it is, and how well that goes on the labelled corpus."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import meishi.followups.classify as classifier
from meishi.followups.candidates import (
    FOLLOW_UP_DAYS,
    PLATFORMS,
    EventWindow,
    is_candidate,
    series_name,
    series_of,
)
from meishi.followups.classify import CONFIDENT, KINDS, Finding, classify, later_dates
from meishi.followups.mail import UNDATED, OrganizerMail, links_in, organizer_mail
from organizer_corpus import CORPUS, Labelled, judge, load, per_kind

JST = dt.timezone(dt.timedelta(hours=9))
START = dt.datetime(2026, 11, 20, 19, 0, tzinfo=JST)
RUST = EventWindow("第12回 Tokyo Rust Meetup", "Tokyo Rust Meetup", START, "hello@tokyorust.org")
ORGANIZER = "hello@tokyorust.org"
NEXT_DAY = START + dt.timedelta(hours=15)
SIGNATURE = "\n--\nTokyo Rust Meetup 運営チーム\n"


def corpus_mail(name: str) -> OrganizerMail:
    """One mail of the corpus, read."""
    return organizer_mail((CORPUS / name).read_bytes())


def mail(
    subject: str,
    body: str,
    *,
    sender: str = ORGANIZER,
    attachments: tuple[str, ...] = (),
    date: dt.datetime = NEXT_DAY,
) -> OrganizerMail:
    """A mail as read, its links found in its body."""
    return OrganizerMail(
        sender=sender,
        sender_name="",
        subject=subject,
        date=date,
        body=body,
        links=tuple(links_in(body)),
        attachments=attachments,
        message_id="<t@example.jp>",
    )


def kinds(findings: tuple[Finding, ...], confident: bool = True) -> set[str]:
    """The kinds found: the confident ones, or those for review (confident=False)."""
    return {f.kind for f in findings if f.confident == confident}


# --- reading a whole message -------------------------------------------------------------


def test_an_iso_2022_jp_mail_is_read_whole() -> None:
    read = corpus_mail("rust-01-thanks-jis.eml")
    assert read.sender == "hello@tokyorust.org"
    assert read.sender_name == "Tokyo Rust Meetup 運営"
    assert read.subject == "【ご参加御礼】第12回 Tokyo Rust Meetup"
    assert read.date == dt.datetime(2026, 11, 21, 10, 12, tzinfo=JST)
    assert "ご参加いただき、誠にありがとうございました" in read.body
    assert read.message_id == "<corpus-001.rust-01-thanks-jis@mail.example>"


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("rust-04-report-qp.eml", "開催レポートを公開しました"),  # UTF-8, quoted-printable
        ("cnd-09-thanks-sjis.eml", "ご来場いただき、ありがとうございました"),  # Shift_JIS
        ("kyotopy-01-connpass-thanks.eml", "件名: ご参加ありがとうございました"),  # base64
    ],
)
def test_bodies_in_every_transfer_encoding_and_charset_are_text(name: str, phrase: str) -> None:
    assert phrase in corpus_mail(name).body


def test_an_html_only_mail_gives_its_text_and_the_links_behind_its_words() -> None:
    read = corpus_mail("rust-11-thanks-report-html.eml")
    assert "ありがとうございました" in read.body
    assert "<" not in read.body and "font-family" not in read.body  # no tags, no style
    assert read.links == (
        "https://speakerdeck.com/tokyorust/meetup-12",
        "https://www.youtube.com/watch?v=Rm12AbCdEfG",
        "https://tokyorust.org/",  # the signature's
    )


def test_html_layout_tables_keep_their_cells_apart_and_entities_are_decoded() -> None:
    html = (
        "<html><head><title>x</title><script>var a = 1;</script></head><body><table><tr>"
        "<td>開催報告</td><td>第12回</td></tr></table><p>Q&amp;A &lt;recap&gt;</p>"
        '<a href="https://forms.gle/a?x=1&amp;y=2">回答</a></body></html>'
    )
    raw = "From: a@b.jp\nSubject: s\nContent-Type: text/html; charset=utf-8\n\n" + html
    read = organizer_mail(raw.encode())
    assert read.body == "開催報告 第12回\nQ&A <recap>\n回答"
    assert read.links == ("https://forms.gle/a?x=1&y=2",)


def test_a_mail_with_plain_and_html_is_read_from_its_plain_text() -> None:
    read = corpus_mail("cnd-04-thanks-survey-report-pdf.eml")
    assert read.body.startswith("Cloud Native Day Osaka 2026 にご来場いただき")
    assert "<p>" not in read.body


@pytest.mark.parametrize(
    ("name", "attachments"),
    [
        ("data-08-report-pdf-2231.eml", ("vol8_開催報告.pdf",)),  # RFC 2231
        ("cnd-04-thanks-survey-report-pdf.eml", ("講演資料一覧.pdf", "cnd-logo.png")),  # 2047
        ("rust-05-minutes-pdf.eml", ("第12回議事録.pdf",)),
        ("rust-01-thanks-jis.eml", ()),
    ],
)
def test_attachment_names_are_decoded(name: str, attachments: tuple[str, ...]) -> None:
    assert corpus_mail(name).attachments == attachments


def test_links_leave_out_the_punctuation_after_them_and_are_listed_once() -> None:
    body = "回答: https://forms.gle/abc。資料は https://speakerdeck.com/x/y. 再掲 https://forms.gle/abc"
    raw = f"From: a@b.jp\nSubject: s\nContent-Type: text/plain; charset=utf-8\n\n{body}\n"
    assert organizer_mail(raw.encode()).links == (
        "https://forms.gle/abc",
        "https://speakerdeck.com/x/y",
    )


def test_a_broken_mail_is_still_read_without_an_error() -> None:
    raw = (
        b"From: broken\nSubject: =?unknown-8bit?q?x?=\nDate: yesterday\n"
        b"Content-Type: text/plain; charset=x-unknown\n\n\xe3\x81\x82 hello\n"
    )
    read = organizer_mail(raw)
    assert (read.sender, read.date) == ("", UNDATED)
    assert "hello" in read.body
    assert read.message_id.startswith("<no-id-")  # a stable stand-in, as sync uses


# --- candidacy -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sender", "expected"),
    [
        ("hello@tokyorust.org", True),  # the organizer
        ("HELLO@TokyoRust.org", True),
        ("forms@event.tokyorust.org", True),  # the organizer's own domain
        ("someone@tokyorust.org.evil.jp", False),
        ("hello@example.jp", False),
    ],
)
def test_the_organizers_address_or_domain_makes_a_candidate(sender: str, expected: bool) -> None:
    assert is_candidate(sender, "anything", NEXT_DAY, RUST) is expected


def test_a_free_mail_organizer_shares_nothing_with_others_on_the_same_service() -> None:
    on_gmail = EventWindow("Kyoto.py #34", "Kyoto.py", START, "kyotopy.staff@gmail.com")
    assert is_candidate("kyotopy.staff@gmail.com", "x", NEXT_DAY, on_gmail)
    assert not is_candidate("someone.else@gmail.com", "Kyoto.py #34", NEXT_DAY, on_gmail)


@pytest.mark.parametrize(
    ("sender", "subject", "expected"),
    [
        (
            "no-reply@connpass.com",
            "connpass イベント管理者からのメッセージ「第12回 Tokyo Rust Meetup」",
            True,
        ),
        ("no-reply@connpass.com", "connpass イベント管理者からのメッセージ「Osaka.rb #90」", False),
        (
            "noreply@peatix.com",
            "「Tokyo Rust Meetup 忘年会」主催者からのメッセージ",
            True,
        ),  # series
        ("noreply@peatix.com", "Message from the organizer of TOKYO RUST MEETUP #12", True),
        ("no-reply@doorkeeper.jp", "[Tokyo Rust Meetup] 第12回 ご参加ありがとうございました", True),
        ("no-reply@doorkeeper.jp", "[Osaka Rust] Tokyo Rust Meetup の皆さんと合同で", False),
        ("noreply@techplay.jp", "【TECH PLAY】第12回 Tokyo Rust Meetup 主催者からのお知らせ", True),
        ("no-reply@connpass.com", "connpass からのお知らせ", False),
    ],
)
def test_a_platform_mail_is_a_candidate_when_its_subject_names_the_event(
    sender: str, subject: str, expected: bool
) -> None:
    no_address = EventWindow(RUST.name, RUST.series, START, None)
    assert is_candidate(sender, subject, NEXT_DAY, no_address) is expected


def test_an_organizer_known_by_a_platforms_address_is_the_platform() -> None:
    via_connpass = EventWindow(RUST.name, RUST.series, START, "no-reply@connpass.com")
    other = "connpass イベント管理者からのメッセージ「Osaka.rb #90」"
    assert not is_candidate("no-reply@connpass.com", other, NEXT_DAY, via_connpass)
    ours = "connpass イベント管理者からのメッセージ「第12回 Tokyo Rust Meetup」"
    assert is_candidate("no-reply@connpass.com", ours, NEXT_DAY, via_connpass)


def test_every_platform_names_its_domains_and_its_event_pages() -> None:
    assert {p.name for p in PLATFORMS} >= {"connpass", "Peatix", "Doorkeeper", "TECH PLAY"}
    assert all(p.domains and p.event_page.pattern for p in PLATFORMS)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (START - dt.timedelta(minutes=1), False),  # a reminder before the start
        (START, True),
        (START + dt.timedelta(days=FOLLOW_UP_DAYS), True),
        (START + dt.timedelta(days=FOLLOW_UP_DAYS, minutes=1), False),
    ],
)
def test_candidates_are_dated_from_the_start_to_30_days_after(
    moment: dt.datetime, expected: bool
) -> None:
    assert is_candidate(ORGANIZER, "x", moment, RUST) is expected


def test_an_event_without_a_series_is_known_by_its_name_without_the_numbering() -> None:
    summit = EventWindow("DevRel Summit Japan 2026", None, START, None)
    assert series_of(summit) == "devrelsummitjapan"
    assert series_name(summit) == "DevRel Summit Japan"
    next_one = mail("Save the date: DevRel Summit Japan 2027", "Join us again next year!")
    assert 'the subject names the series "DevRel Summit Japan"' in (
        classify(next_one, summit)[0].reasons
    )
    assert series_of(EventWindow("2026", None, START, None)) == ""


# --- each kind -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "subject",
    [
        "【ご参加御礼】第12回 Tokyo Rust Meetup",
        "第12回 Tokyo Rust Meetup ご来場ありがとうございました",
        "Thank you for joining 第12回 Tokyo Rust Meetup!",
        "Thanks for attending 第12回 Tokyo Rust Meetup",
    ],
)
def test_a_thank_you_in_the_subject_naming_the_event_is_a_confident_thanks(subject: str) -> None:
    findings = classify(mail(subject, "皆さま、昨日はありがとうございました。"), RUST)
    assert kinds(findings) == {"thanks"}


@pytest.mark.parametrize(
    "link",
    [
        "https://docs.google.com/forms/d/e/1FAIpQLSd/viewform",
        "https://forms.gle/AbCdEf123",
        "https://forms.office.com/r/Xyz",
        "https://questant.jp/q/abc",
        "https://www.surveymonkey.com/r/abc",
        "https://team.typeform.com/to/abc",
    ],
)
def test_a_form_link_is_a_survey(link: str) -> None:
    body = f"第12回 Tokyo Rust Meetup のアンケートにご協力ください。\n{link}\n"
    findings = classify(mail("第12回 Tokyo Rust Meetup のご連絡", body), RUST)
    assert kinds(findings) == {"survey"}
    assert f"a survey link: {link}" in findings[0].reasons


@pytest.mark.parametrize(
    "link",
    [
        "https://speakerdeck.com/kmori/async",
        "https://www.slideshare.net/x/y",
        "https://www.docswell.com/s/x/ABC",
        "https://note.com/tokyorust/n/n123",
        "https://qiita.com/x/items/1",
        "https://zenn.dev/x/articles/y",
        "https://www.youtube.com/watch?v=abc",
        "https://youtu.be/abc",
        "https://tokyorust.connpass.com/event/301234/presentation/",
    ],
)
def test_a_slide_blog_or_video_link_is_a_report(link: str) -> None:
    body = f"第12回 Tokyo Rust Meetup の発表資料を公開しました。\n{link}\n"
    findings = classify(mail("第12回 Tokyo Rust Meetup のご連絡", body), RUST)
    assert kinds(findings) == {"report"}


@pytest.mark.parametrize(
    ("name", "report"),
    [("第12回_開催報告.pdf", True), ("Meetup12_minutes.pdf", True), ("会場地図.pdf", False)],
)
def test_a_pdf_named_like_a_report_counts_as_one(name: str, report: bool) -> None:
    read = mail("第12回 Tokyo Rust Meetup", "議事録を添付します。", attachments=(name,))
    confident = kinds(classify(read, RUST))
    assert ("report" in confident) is report


def test_a_registration_page_for_a_later_date_is_an_invitation() -> None:
    body = "第13回を12月18日に開催します。\nhttps://tokyorust.connpass.com/event/305511/\n"
    findings = classify(mail("【次回のご案内】Tokyo Rust Meetup", body), RUST)
    assert kinds(findings) == {"invite"}
    assert "a registration page: https://tokyorust.connpass.com/event/305511/" in (
        findings[0].reasons
    )


def test_a_registration_page_without_a_later_date_is_not_an_invitation() -> None:
    body = (
        "資料は11月20日のイベントページにあります。\nhttps://tokyorust.connpass.com/event/301234/"
    )
    assert classify(mail("第12回 Tokyo Rust Meetup", body), RUST) == ()


def test_deadlines_are_not_the_date_of_a_next_one() -> None:
    sent = dt.date(2026, 11, 21)
    assert later_dates("回答期限: 11月30日", sent) == []
    assert later_dates("12月4日までにご回答ください", sent) == []
    assert later_dates("Please answer by December 4.", sent) == []
    assert later_dates("次回は1月15日、その次は2027/02/19です", sent) == ["1月15日", "2027/02/19"]


def test_one_mail_can_be_several_kinds() -> None:
    body = (
        "昨日はご参加ありがとうございました。\nアンケート: https://forms.gle/Abc\n"
        "スライド: https://speakerdeck.com/tokyorust/12\n" + SIGNATURE
    )
    findings = classify(mail("【御礼】第12回 Tokyo Rust Meetup", body), RUST)
    assert [f.kind for f in findings] == ["thanks", "survey", "report"]
    assert all(f.confident for f in findings)


def test_the_reasons_name_the_phrases_and_links_that_decided() -> None:
    body = "ご参加ありがとうございました。アンケート https://forms.gle/Abc"
    findings = classify(mail("【ご参加御礼】第12回 Tokyo Rust Meetup", body), RUST)
    assert findings[0].reasons == (
        'the subject says "ご参加御礼"',
        'the body says "ご参加ありがとう"',
        'the subject names "第12回 Tokyo Rust Meetup"',
    )
    assert "a survey link: https://forms.gle/Abc" in findings[1].reasons


def test_naming_the_event_in_the_subject_raises_the_score() -> None:
    body = "ご参加ありがとうございました。"
    named = classify(mail("ご参加御礼：第12回 Tokyo Rust Meetup", body), RUST)[0]
    unnamed = classify(mail("ご参加御礼", body), RUST)[0]
    assert named.score > unnamed.score >= CONFIDENT - 0.3
    assert named.confident and not unnamed.confident


def test_a_mail_of_no_kind_gives_no_finding() -> None:
    body = "本日の会場は渋谷です。受付は18:30からです。" + SIGNATURE
    assert classify(mail("【本日】第12回 Tokyo Rust Meetup 会場のご案内", body), RUST) == ()


def test_english_mail_is_read_too() -> None:
    body = "Thank you for joining us! Here's our recap: https://tokyorust.org/blog/recap"
    findings = classify(mail("Tokyo Rust Meetup #12: thanks and recap", body), RUST)
    assert kinds(findings) == {"thanks", "report"}


# --- look-alikes ---------------------------------------------------------------------------


def test_a_newsletter_from_the_organizer_is_never_confident() -> None:
    body = (
        "Tokyo Rust通信 12月号\n先月の第12回 Tokyo Rust Meetup のレポートを公開しました。\n"
        "https://note.com/tokyorust/n/n1\nアンケート結果 https://forms.gle/x\n"
    )
    findings = classify(mail("【Tokyo Rust通信】2026年12月号 第12回 Tokyo Rust Meetup", body), RUST)
    assert findings and kinds(findings) == set()
    assert all('reads like a newsletter ("12月号")' in f.reasons for f in findings)


def test_an_invitation_that_thanks_for_last_time_is_no_thank_you() -> None:
    body = (
        "前回はご参加ありがとうございました！\n次回を12月18日に開催します。\n"
        "https://tokyorust.connpass.com/event/305511/\n"
    )
    findings = classify(mail("【次回のご案内】第13回 Tokyo Rust Meetup", body), RUST)
    assert [f.kind for f in findings] == ["invite"]


def test_a_thank_you_for_another_of_the_organizers_events_is_not_confident() -> None:
    body = "Rust LT Night にご参加いただき、ありがとうございました。" + SIGNATURE
    findings = classify(mail("【ご参加御礼】Rust LT Night vol.3", body), RUST)
    assert kinds(findings) == set() and kinds(findings, confident=False) == {"thanks"}
    assert "does not name the event or its series" in findings[0].reasons


def test_someone_elses_event_advertised_by_the_organizer_is_not_a_confident_invitation() -> None:
    body = (
        "第12回 Tokyo Rust Meetup の協賛企業よりウェビナーのご案内です。12月9日開催、"
        "申込受付開始しました。\nhttps://peatix.com/event/4419999\n"
    )
    findings = classify(mail("【協賛企業からのお知らせ】ウェビナーのご案内", body), RUST)
    assert kinds(findings) == set()
    assert "the subject does not name the series" in findings[0].reasons


def test_two_minutes_of_your_time_are_no_minutes() -> None:
    body = "Could you spare two minutes for our survey? https://forms.gle/x"
    findings = classify(mail("Tokyo Rust Meetup #12 feedback", body), RUST)
    assert [f.kind for f in findings] == ["survey"]


# --- hostile mail: sync must never stop on one ------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    name=st.sampled_from(sorted(p.name for p in CORPUS.glob("*.eml"))),
    cut=st.integers(min_value=0, max_value=4000),
    noise=st.binary(max_size=200),
)
# A mangled From that 3.11's header parser fails on with an AttributeError, not ValueError.
@example(name="cnd-04-thanks-survey-report-pdf.eml", cut=143, noise=b"\x00\x00\x00.")
def test_a_mangled_mail_is_read_and_classified_without_an_error(
    name: str, cut: int, noise: bytes
) -> None:
    raw = (CORPUS / name).read_bytes()
    read = organizer_mail(raw[:cut] + noise + raw[cut + len(noise) :])
    assert read.date.tzinfo is not None
    for finding in classify(read, RUST):
        assert finding.kind in KINDS and 0 < finding.score <= 1 and finding.reasons


@settings(max_examples=150, deadline=None)
@given(subject=st.text(max_size=80), body=st.text(max_size=600))
def test_any_text_is_classified_without_an_error(subject: str, body: str) -> None:
    findings = classify(mail(subject, body), RUST)
    assert [f.kind for f in findings] == [k for k in KINDS if k in {f.kind for f in findings}]


# --- the corpus ----------------------------------------------------------------------------

CORPUS_MAILS = load()
OUTCOMES = [judge(m) for m in CORPUS_MAILS]


def test_the_corpus_holds_60_mails_of_every_kind_look_alikes_and_encodings() -> None:
    assert len(CORPUS_MAILS) >= 60
    for kind in KINDS:
        assert sum(kind in m.kinds for m in CORPUS_MAILS) >= 8, kind
    assert sum(len(m.kinds) > 1 for m in CORPUS_MAILS) >= 8  # mixed kinds
    assert sum(not m.candidate for m in CORPUS_MAILS) >= 10
    heads = b"\n".join(m.raw for m in CORPUS_MAILS)
    for mark in (b"iso-2022-jp", b"shift_jis", b"quoted-printable", b"base64", b"text/html"):
        assert mark in heads, mark
    assert b"filename*=utf-8''" in heads and b'filename="=?utf-8?b?' in heads


def test_the_corpus_is_what_its_script_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location("maker", CORPUS.parent / "make_organizer_mail.py")
    assert spec and spec.loader
    maker = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "maker", maker)  # its dataclasses look themselves up
    spec.loader.exec_module(maker)
    maker.write(tmp_path)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(p.name for p in CORPUS.iterdir())
    assert all((tmp_path / n).read_bytes() == (CORPUS / n).read_bytes() for n in written)


@pytest.mark.parametrize("labelled", CORPUS_MAILS, ids=lambda m: m.file)
def test_each_corpus_mail_is_a_candidate_exactly_when_labelled_so(labelled: Labelled) -> None:
    assert judge(labelled).candidate is labelled.candidate


def test_confident_findings_on_the_corpus_are_right_95_percent_of_the_time() -> None:
    scores = per_kind(OUTCOMES, confident_only=True)
    assert scores["all"].found >= 40  # enough is recorded without review to mean something
    assert scores["all"].precision >= 0.95, scores


def test_with_the_review_list_90_percent_of_the_follow_ups_are_found() -> None:
    scores = per_kind(OUTCOMES, confident_only=False)
    assert scores["all"].true >= 50
    assert scores["all"].recall >= 0.9, scores
    assert all(scores[kind].recall >= 0.8 for kind in KINDS), scores


def test_look_alikes_are_never_confident() -> None:
    look_alikes = [o for o in OUTCOMES if o.mail.candidate and not o.mail.kinds]
    assert len(look_alikes) >= 6
    assert [o.mail.file for o in look_alikes if o.kinds(confident_only=True)] == []


def test_the_documented_weights_and_thresholds_are_the_classifiers() -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "should-return.md").read_text("utf-8")
    section = page.split("## How meishi reads the organizer's mail", 1)[1]
    section = section.split("| Constant | Value |", 1)[1].split("\n\n", 1)[0]
    rows = [line.split("|") for line in section.splitlines() if line.startswith("| `")]
    documented = {row[1].strip(" `"): row[2].strip() for row in rows if len(row) == 4}
    assert documented, "the table of constants is missing"
    for name, value in documented.items():
        assert float(value) == pytest.approx(getattr(classifier, name)), name
    assert set(documented) >= {"SUBJECT", "BODY", "LINK", "FOUND", "CONFIDENT", "DOUBTFUL"}
