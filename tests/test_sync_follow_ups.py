"""The organizer's follow-up found by `meishi sync` in a real Dovecot's inbox: recorded,
kept for review, named by `should-return`; and no other mail's body is ever read."""

from __future__ import annotations

import json
import re
import time
from email.header import Header
from pathlib import Path
from typing import Any

import pytest

from helpers import (
    MemoryKeyring,
    add_event,
    add_person,
    error_of,
    fails,
    json_of,
    ok,
    set_me,
    snapshot,
    table_count,
)
from imap_server import HANAKO, DovecotServer
from test_sync import configure, memory_keyring  # noqa: F401  (a fixture)

EVENT = "AI勉強会 #12"
SERIES = "AI勉強会"
ORGANIZER = "info@ai-benkyo.jp"
ME = "hanako@example.jp"
SUZUKI = "suzuki@example.com"
THANKS_SUBJECT = "【ご参加御礼】AI勉強会 #12 ありがとうございました"
THANKS_BODY = (
    "AI勉強会 #12 にご参加いただきありがとうございました。\n"
    "今後の運営のため、アンケートへのご回答をお願いいたします。\n"
    "https://forms.gle/Ab12Cd34\n"
)
# From the organizer, naming only the series, with one word of a report: a doubtful finding.
DOUBTFUL_SUBJECT = "AI勉強会 運営からのお知らせ"
DOUBTFUL_BODY = "先日のスライドについて、ご質問をいただきました。\n詳細は追ってご連絡します。\n"


@pytest.fixture
def attended(memory_keyring: MemoryKeyring, imap_server: DovecotServer) -> DovecotServer:  # noqa: F811
    """An event attended three days ago, its organizer's address known, one person met; and
    meishi pointed at the test Dovecot."""
    set_me()
    add_event(EVENT, -3, "--series", SERIES, "--organizer-email", ORGANIZER)
    add_person(EVENT, "鈴木 一郎", "--email", SUZUKI)
    configure(imap_server)
    return imap_server


def date_header(days: int) -> str:
    """A Date header's value `days` from today (negative: before), 10:00 in Japan."""
    import datetime as dt

    jst = dt.timezone(dt.timedelta(hours=9))
    when = dt.datetime.combine(dt.date.today() + dt.timedelta(days=days), dt.time(10), jst)
    return when.strftime("%a, %d %b %Y %H:%M:%S +0900")


def mail(sender: str, subject: str, body: str, message_id: str, days: int) -> bytes:
    """A plain-text message to me, dated `days` from today."""
    encoded = subject if subject.isascii() else Header(subject, "utf-8").encode()
    lines = [
        f"From: {sender}",
        f"To: {ME}",
        f"Subject: {encoded}",
        f"Date: {date_header(days)}",
        f"Message-ID: {message_id}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "",
        body,
    ]
    return "\r\n".join(lines).encode()


def deliver(server: DovecotServer, *messages: bytes) -> None:
    """Put messages in hanako's inbox."""
    for raw in messages:
        server.append(HANAKO.name, "INBOX", raw)


def thanks_mail() -> bytes:
    """The organizer's thank-you with a survey link, two days after the event."""
    return mail(ORGANIZER, THANKS_SUBJECT, THANKS_BODY, "<thanks-12@ai-benkyo.jp>", -1)


def doubtful_mail() -> bytes:
    """The organizer's mail the classifier is not sure of."""
    return mail(ORGANIZER, DOUBTFUL_SUBJECT, DOUBTFUL_BODY, "<notice-12@ai-benkyo.jp>", -1)


def others() -> tuple[bytes, ...]:
    """Mail that is no organizer's follow-up: a contact's, a stranger's survey, a newsletter
    from the organizer's domain before the event, a platform mail about another event."""
    return (
        mail(SUZUKI, "先日はどうも", "アンケートの話、面白かったです。\n", "<s1@example.com>", -1),
        mail(
            "research@survey-firm.example",
            "ご参加ありがとうございました：アンケートのお願い",
            "https://forms.gle/Zz99\n",
            "<survey@survey-firm.example>",
            -1,
        ),
        mail(
            ORGANIZER, "AI勉強会 #12 のご案内", "次回のご案内です。\n", "<before@ai-benkyo.jp>", -10
        ),
        mail(
            "no-reply@connpass.com",
            "connpass イベント管理者からのメッセージ「Rust もくもく会 #3」",
            "ご参加ありがとうございました。\n",
            "<other@connpass.com>",
            -1,
        ),
    )


def sync(*args: str) -> Any:
    """Run meishi sync --json; its report."""
    return json_of(ok("sync", "--json", *args))


def log_after_sync(server: DovecotServer) -> str:
    """Dovecot's log since the test began, once sync's session (the one that read headers)
    has logged out: Dovecot writes that line just after the client leaves, so a test
    reading the log at once may miss it."""
    deadline = time.monotonic() + 10
    while not re.search(r"hdr_count=[1-9]", log := server.log()):
        assert time.monotonic() < deadline, f"sync's session never logged out:\n{log}"
        time.sleep(0.05)
    return log


def bodies_fetched(server: DovecotServer) -> int:
    """How many message bodies Dovecot sent since the test began, from its logout lines."""
    return sum(int(n) for n in re.findall(r"body_count=(\d+)", log_after_sync(server)))


def verdict() -> Any:
    """should-return's verdict on the series, as JSON."""
    return json_of(ok("should-return", SERIES, "--json"))


def test_sync_records_the_organizers_thank_you_and_should_return_names_it(
    attended: DovecotServer,
) -> None:
    before = verdict()
    assert before["verdict"] == "wait"
    deliver(attended, thanks_mail(), *others())
    report = sync()
    assert report["follow_ups"] == {"found": 2, "waiting for review": 0}
    after = verdict()
    assert after["verdict"] == "return"
    texts = [reason["text"] for reason in after["reasons"]]
    assert any(
        text.startswith("On ")
        and 'the organizer sent "【ご参加御礼】AI勉強会 #12 ありがとうございました"' in text
        and "(thank-you, with a survey link)" in text
        for text in texts
    ), texts
    shown = json_of(ok("event", "show", EVENT, "--json"))["follow_ups"]
    assert [(f["kind"], f["source"], f["subject"]) for f in shown] == [
        ("thanks", "mail", THANKS_SUBJECT),
        ("survey", "mail", THANKS_SUBJECT),
    ]
    assert f'thanks (mail: "{THANKS_SUBJECT}")' in ok("event", "show", EVENT).stdout
    # Nothing twice: the same mail delivered again (a new UID) records nothing new.
    deliver(attended, thanks_mail())
    assert sync()["follow_ups"] == {"found": 0, "waiting for review": 0}
    assert table_count("organizerfollowup") == 2


def test_only_the_candidates_bodies_are_fetched(attended: DovecotServer) -> None:
    deliver(attended, thanks_mail(), doubtful_mail(), *others())
    sync()
    # Six messages arrived; only the organizer's two dated after the event were read whole.
    assert bodies_fetched(attended) == 2


def test_mail_of_no_organizer_of_yours_is_never_read_whole(attended: DovecotServer) -> None:
    ok("event", "edit", EVENT, "--organizer-email", "office@another-org.example")
    deliver(attended, thanks_mail(), doubtful_mail())
    report = sync()
    assert report["follow_ups"] == {"found": 0, "waiting for review": 0}
    assert bodies_fetched(attended) == 0


def test_a_doubtful_mail_waits_for_review_and_the_decision_survives_a_resync(
    attended: DovecotServer,
) -> None:
    deliver(attended, doubtful_mail())
    assert sync()["follow_ups"] == {"found": 0, "waiting for review": 1}
    assert verdict()["verdict"] == "wait"
    (waiting,) = json_of(ok("followup", "review", "--json"))
    assert (waiting["event"], waiting["kind"], waiting["subject"]) == (
        EVENT,
        "report",
        DOUBTFUL_SUBJECT,
    )
    assert any("スライド" in reason for reason in waiting["reasons"]), waiting["reasons"]
    shown = ok("followup", "review", input="r\n").stdout
    assert DOUBTFUL_SUBJECT in shown and "スライド" in shown
    assert f"Rejected: #{waiting['id']} report for {EVENT}" in shown
    assert json_of(ok("followup", "review", "--json")) == []
    # The same mail again (delivered twice, read anew): it never asks a second time.
    deliver(attended, doubtful_mail())
    assert sync()["follow_ups"] == {"found": 0, "waiting for review": 0}
    assert json_of(ok("followup", "review", "--json")) == []
    assert table_count("organizerfollowup") == 0
    assert verdict()["verdict"] == "wait"


def test_a_skipped_one_waits_and_one_accepted_as_another_kind_counts(
    attended: DovecotServer,
) -> None:
    deliver(attended, doubtful_mail())
    sync()
    skipped = ok("followup", "review", input="s\n").stdout
    assert "0 decided" in skipped
    stopped = ok("followup", "review", input="").stdout  # the input ends: nothing decided
    assert "0 decided" in stopped
    (waiting,) = json_of(ok("followup", "review", "--json"))
    said = ok("followup", "review", input="k\nthanks\n").stdout
    assert f"Accepted as thanks: #{waiting['id']}" in said
    assert verdict()["verdict"] == "return"
    dump = json_of(ok("export", "--format", "json"))
    (review,) = dump["follow_up_reviews"]
    assert (review["decision"], review["decided_kind"]) == ("changed", "thanks")
    (follow_up,) = dump["follow_ups"]
    assert (follow_up["kind"], follow_up["source"]) == ("thanks", "mail")
    assert "accepted in review as thanks" in follow_up["evidence"]


def test_review_by_id_and_its_refusals(attended: DovecotServer) -> None:
    deliver(attended, doubtful_mail())
    sync()
    (waiting,) = json_of(ok("followup", "review", "--json"))
    number = str(waiting["id"])
    before = snapshot()
    assert "not both" in error_of(
        fails("followup", "review", "--accept", number, "--reject", number)
    )
    assert "--kind goes with --accept" in error_of(fails("followup", "review", "--kind", "survey"))
    refused = fails("followup", "review", "--accept", number, "--kind", "party")
    assert "unknown follow-up 'party'; use one of: thanks" in error_of(refused)
    assert "no follow-up #99 waits" in error_of(fails("followup", "review", "--accept", "99"))
    huge = "99999999999999999999"  # beyond SQLite's integers: not found, no traceback
    assert f"no follow-up #{huge} waits" in error_of(fails("followup", "review", "--reject", huge))
    assert snapshot() == before
    said = ok("followup", "review", "--accept", number, "--kind", "invite").stdout
    assert "Accepted as invite" in said
    assert "was changed already" in error_of(fails("followup", "review", "--reject", number))
    assert "No follow-up found in mail waits" in ok("followup", "review").stdout


def test_a_follow_up_typed_by_hand_and_one_found_in_mail_are_one(
    attended: DovecotServer,
) -> None:
    import datetime as dt

    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    ok("followup", EVENT, "thanks", "--date", yesterday, "--note", "会場で聞いた")
    deliver(attended, thanks_mail())
    assert sync()["follow_ups"] == {"found": 2, "waiting for review": 0}
    shown = json_of(ok("event", "show", EVENT, "--json"))["follow_ups"]
    assert [(f["kind"], f["source"], f["subject"]) for f in shown] == [
        ("thanks", "hand", THANKS_SUBJECT),
        ("survey", "mail", THANKS_SUBJECT),
    ]
    # And the other way: typing the survey found in mail joins it.
    ok("followup", EVENT, "survey", "--date", yesterday, "--note", "回答済み")
    shown = json_of(ok("event", "show", EVENT, "--json"))["follow_ups"]
    assert [(f["kind"], f["source"], f["note"]) for f in shown] == [
        ("thanks", "hand", "会場で聞いた"),
        ("survey", "hand", "回答済み"),
    ]
    texts = [reason["text"] for reason in verdict()["reasons"]]
    mail_reasons = [t for t in texts if "the organizer sent" in t]
    assert len(mail_reasons) == 1 and "会場で聞いた" in mail_reasons[0], texts


def test_dry_run_counts_the_follow_ups_and_keeps_nothing(attended: DovecotServer) -> None:
    deliver(attended, thanks_mail(), doubtful_mail())
    before = snapshot()
    report = sync("--dry-run")
    assert report["follow_ups"] == {"found": 2, "waiting for review": 1}
    assert snapshot()[0] == before[0]
    text = ok("sync").stdout
    assert "organizers' follow-ups: 2 found, 1 waiting for review (meishi followup review)" in text


def test_the_follow_ups_found_and_the_review_list_round_trip_through_a_json_dump(
    attended: DovecotServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deliver(attended, thanks_mail(), doubtful_mail())
    sync()
    (waiting,) = json_of(ok("followup", "review", "--json"))
    ok("followup", "review", "--reject", str(waiting["id"]))
    first = tmp_path / "dump.json"
    ok("export", "--format", "json", "--out", str(first))
    data = json.loads(first.read_text(encoding="utf-8"))
    assert [r["decision"] for r in data["follow_up_reviews"]] == ["rejected"]
    assert {f["message_id"] for f in data["follow_ups"]} == {"<thanks-12@ai-benkyo.jp>"}
    monkeypatch.setenv("MEISHI_HOME", str(tmp_path / "empty"))
    ok("import", str(first))
    second = tmp_path / "again.json"
    ok("export", "--format", "json", "--out", str(second))
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")
    ok("import", str(first))  # nothing doubles
    assert (table_count("organizerfollowup"), table_count("followup_review")) == (2, 1)


def test_a_connection_killed_mid_sync_finds_each_follow_up_once(attended: DovecotServer) -> None:
    from meishi.errors import MailboxUnavailable
    from meishi.run import running
    from meishi.syncing import SyncRequest, sync_mailbox

    deliver(attended, thanks_mail(), others()[0], doubtful_mail(), others()[1])

    def kill_after_the_first_batch(folder: str, done: int, total: int) -> None:
        if folder == "INBOX" and done == 2:
            attended.kill_connections(HANAKO.name)

    with running() as current, pytest.raises(MailboxUnavailable, match="run meishi sync again"):
        sync_mailbox(
            current.store, current.settings, None, SyncRequest(batch=2), current.now,
            kill_after_the_first_batch,
        )  # fmt: skip
    assert table_count("organizerfollowup") == 2  # the first batch's thank-you, kept
    assert table_count("followup_review") == 0
    assert sync()["follow_ups"] == {"found": 0, "waiting for review": 1}
    assert sync()["follow_ups"] == {"found": 0, "waiting for review": 0}
    assert (table_count("organizerfollowup"), table_count("followup_review")) == (2, 1)


def test_a_large_attachment_is_cut_and_the_mail_still_read(attended: DovecotServer) -> None:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = ORGANIZER, ME, THANKS_SUBJECT
    message["Date"], message["Message-ID"] = date_header(-1), "<big@ai-benkyo.jp>"
    message.set_content(THANKS_BODY)
    message.add_attachment(b"%PDF" + bytes(3_000_000), "application", "pdf", filename="slides.pdf")
    deliver(attended, message.as_bytes())
    assert sync()["follow_ups"]["found"] == 2  # the thank-you and its survey link
    sent = [int(n) for n in re.findall(r"body_bytes=(\d+)", log_after_sync(attended))]
    assert 0 < max(sent) <= 1_000_000
