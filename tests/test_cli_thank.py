"""`meishi thank`: one individual thank-you draft per person met, never a group mail."""

import email.policy
import os
import shlex
import stat
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest

from helpers import (
    ME_EMAIL,
    ME_NAME,
    add_event,
    add_person,
    day,
    db_dump,
    error_of,
    fails,
    home,
    json_of,
    ok,
    orm_modules_after,
    set_me,
    table_count,
)

EVENT = "AI勉強会 #12"


@pytest.fixture
def met() -> None:
    """Yesterday's event: a Japanese and an English contact with email, one without."""
    set_me()
    add_event(EVENT, -1)
    add_person(
        EVENT,
        "田中 太郎",
        "--company",
        "株式会社ソフト",
        "--title",
        "部長",
        "--email",
        "taro@example.jp",
        "--topic",
        "生成AIの社内導入",
        "--topic",
        "RAGの評価",
    )
    add_person(
        EVENT,
        "Sarah Johnson",
        "--company",
        "Northwind Ltd.",
        "--email",
        "sarah@northwind.example",
        "--topic",
        "expanding into Japan",
    )
    add_person(EVENT, "高橋 美咲", "--topic", "UXリサーチ")


def thank_json(*options: str) -> dict:
    """What `meishi thank --json` reports."""
    return json_of(ok("thank", "--json", *options))


def read_eml(path: Path) -> EmailMessage:
    """An .eml file parsed as a mail client would."""
    with path.open("rb") as file:
        message = BytesParser(policy=email.policy.default).parse(file)
    assert isinstance(message, EmailMessage)
    return message


def test_thank_without_me_name_tells_how_to_set_it() -> None:
    add_event(EVENT, -1)
    add_person(EVENT, "Bob Lee", "--email", "bob@example.com")
    message = error_of(fails("thank"))
    assert "me.name is not set" in message
    assert "meishi config set me.name" in message
    assert table_count("draft") == 0


@pytest.mark.usefixtures("met")
def test_thank_shows_one_draft_per_person_with_email_and_skips_the_rest() -> None:
    text = ok("thank").stdout
    assert "To: 田中 太郎 <taro@example.jp>" in text
    assert "To: Sarah Johnson <sarah@northwind.example>" in text
    assert text.count("To: ") == 2
    assert f"Skipped 高橋 美咲 ({EVENT}): no email address" in text
    assert "2 draft(s) ready; add --out DIR to save them as .eml files." in text

    run_ = thank_json()
    assert [(d["contact"]["name"], d["to"]) for d in run_["drafts"]] == [
        ("田中 太郎", "taro@example.jp"),
        ("Sarah Johnson", "sarah@northwind.example"),
    ]
    assert run_["skipped"] == [
        {"contact": {"id": 3, "name": "高橋 美咲"}, "reason": "no email address"}
    ]


@pytest.mark.usefixtures("met")
def test_thank_picks_the_language_per_person() -> None:
    by_name = {d["contact"]["name"]: d for d in thank_json()["drafts"]}
    japanese = by_name["田中 太郎"]
    assert japanese["template"] == "thank-ja"
    assert EVENT in japanese["subject"] and ME_NAME in japanese["subject"]
    body = japanese["body"]
    assert body.startswith("株式会社ソフト\n部長\n田中 太郎 様\n")
    assert "昨日の「AI勉強会 #12」" in body
    assert "特に「生成AIの社内導入」や「RAGの評価」についてのお話は" in body
    english = by_name["Sarah Johnson"]
    assert english["template"] == "thank-en"
    assert english["subject"] == f"Great meeting you at {EVENT}"
    assert english["body"].startswith("Dear Sarah,\n")
    assert "I especially enjoyed our conversation about expanding into Japan." in english["body"]
    assert "様" not in english["body"]


@pytest.mark.usefixtures("met")
def test_out_writes_one_private_eml_per_person(tmp_path: Path) -> None:
    out = tmp_path / "drafts"
    result = ok("thank", "--out", str(out))
    assert f"written to {out}" in result.stdout
    files = sorted(out.iterdir())
    assert [f.name for f in files] == [
        f"thank-{day(-1)}-e1-c1-田中-太郎.eml",
        f"thank-{day(-1)}-e1-c2-Sarah-Johnson.eml",
    ]
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600

    expected = {
        "taro@example.jp": ("田中 太郎", ["生成AIの社内導入", "RAGの評価"], "expanding into Japan"),
        "sarah@northwind.example": ("Sarah Johnson", ["expanding into Japan"], "RAGの評価"),
    }
    for path in files:
        message = read_eml(path)
        [to] = message["To"].addresses
        name, topics, other_topic = expected[to.addr_spec]
        assert to.display_name == name
        assert message.get_all("To") and len(message.get_all("To")) == 1
        assert message["Cc"] is None and message["Bcc"] is None
        assert EVENT in message["Subject"]
        assert message["From"].addresses[0].addr_spec == ME_EMAIL
        assert message["X-Unsent"] == "1"
        body = message.get_content()
        for topic in topics:
            assert topic in body
        assert other_topic not in body
        assert "UXリサーチ" not in body


@pytest.mark.usefixtures("met")
def test_rerun_gives_the_same_drafts_and_files(tmp_path: Path) -> None:
    out = tmp_path / "drafts"
    first = thank_json("--out", str(out))
    names = sorted(p.name for p in out.iterdir())
    drafts = table_count("draft")
    second = thank_json("--out", str(out))
    assert [d["id"] for d in second["drafts"]] == [d["id"] for d in first["drafts"]]
    assert [(d["subject"], d["body"], d["file"]) for d in second["drafts"]] == [
        (d["subject"], d["body"], d["file"]) for d in first["drafts"]
    ]
    assert sorted(p.name for p in out.iterdir()) == names
    assert table_count("draft") == drafts == 2


@pytest.mark.usefixtures("met")
def test_drafting_on_the_plain_writer_imports_no_orm_and_the_orm_reads_the_drafts() -> None:
    assert orm_modules_after(["thank"]) == []
    assert orm_modules_after(["thank"]) == []  # drafted again: the same drafts, re-rendered
    drafts = json_of(ok("drafts", "list", "--json"))
    assert sorted((d["kind"], d["state"], d["to"]["email"]) for d in drafts) == [
        ("thank-you", "pending", "sarah@northwind.example"),
        ("thank-you", "pending", "taro@example.jp"),
    ]


@pytest.mark.usefixtures("met")
def test_mark_sent_leaves_the_person_out_of_later_runs() -> None:
    ok("thank")
    result = ok("thank", "--mark-sent", "sarah@northwind.example")
    assert result.stdout.strip() == (
        f"Recorded the thank-you to Sarah Johnson for {EVENT} as sent."
    )
    assert [d["contact"]["name"] for d in thank_json()["drafts"]] == ["田中 太郎"]
    assert "  thank-you: sent " in ok("contacts", "show", "Sarah").stdout
    assert (
        json_of(ok("contacts", "show", "Sarah", "--json"))["encounters"][0]["thank_you"]["state"]
        == "sent"
    )
    taro = ok("contacts", "show", "田中 太郎").stdout
    assert "thank-you: drafted (draft #1), not sent yet" in taro
    shown = json_of(ok("event", "show", EVENT, "--json"))["people"]
    assert [p["thank_you"] for p in shown] == ["drafted", "sent", "no email"]


@pytest.mark.usefixtures("met")
def test_mark_sent_twice_is_refused() -> None:
    ok("thank", "--mark-sent", "Sarah Johnson")
    before = db_dump()
    message = error_of(fails("thank", "--mark-sent", "Sarah Johnson"))
    assert "already recorded as sent" in message
    assert db_dump() == before


def met_bob_twice(first_days_ago: int) -> None:
    """Bob Lee, met at First some days ago and at Second yesterday."""
    set_me()
    add_event("First", -first_days_ago)
    add_event("Second", -1)
    add_person("First", "Bob Lee", "--email", "bob@example.com")
    add_person("Second", "Bob Lee", "--email", "bob@example.com")


def bobs_thank_yous() -> list[tuple[str, str]]:
    """(event, state of its thank-you) for each of Bob Lee's meetings, the latest first."""
    shown = json_of(ok("contacts", "show", "Bob Lee", "--json"))
    return [(e["event"]["name"], e["thank_you"]["state"]) for e in shown["encounters"]]


def test_mark_sent_needs_event_when_met_twice() -> None:
    met_bob_twice(9)
    assert "met at several events" in error_of(fails("thank", "--mark-sent", "Bob Lee"))
    ok("thank", "--mark-sent", "Bob Lee", "--event", "First")
    assert bobs_thank_yous() == [("Second", "pending"), ("First", "sent")]


def test_mark_sent_on_the_plain_writer_marks_every_meeting_its_thank_you_names() -> None:
    met_bob_twice(3)
    (draft,) = thank_json("--since", "4 days ago")["drafts"]  # one, naming both meetings
    assert orm_modules_after(["thank", "--mark-sent", "Bob Lee", "--event", "First"]) == []
    assert bobs_thank_yous() == [("Second", "sent"), ("First", "sent")]  # one mail for both
    drafts = json_of(ok("drafts", "list", "--json"))  # the ORM reads what the writer wrote
    assert [(d["id"], d["state"]) for d in drafts] == [(draft["id"], "sent")]
    assert "already recorded as sent" in error_of(fails("thank", "--mark-sent", "Bob Lee"))


def test_since_excludes_older_events_and_event_alone_ignores_the_date() -> None:
    set_me()
    add_event("Old Meetup", -10)
    add_event("Fresh Meetup", -1)
    add_person("Old Meetup", "Olga Old", "--email", "olga@example.com")
    add_person("Fresh Meetup", "Fred Fresh", "--email", "fred@example.com")
    assert [d["to"] for d in thank_json()["drafts"]] == ["fred@example.com"]
    assert [d["to"] for d in thank_json("--since", "yesterday")["drafts"]] == ["fred@example.com"]
    since_old = thank_json("--since", "10 days ago")["drafts"]
    assert [d["to"] for d in since_old] == ["olga@example.com", "fred@example.com"]
    only_old = thank_json("--event", "Old Meetup")["drafts"]
    assert [d["to"] for d in only_old] == ["olga@example.com"]


def test_a_late_thank_you_is_flagged() -> None:
    set_me()
    add_event("Five days ago", -5)
    add_event("Three days ago", -3)
    add_person("Five days ago", "Lara Late", "--email", "lara@example.com")
    add_person("Three days ago", "Tim Timely", "--email", "tim@example.com")
    drafts = thank_json("--since", "5 days ago")["drafts"]
    assert [(d["to"], d["days_after"], d["late"]) for d in drafts] == [
        ("lara@example.com", 5, True),
        ("tim@example.com", 3, False),
    ]
    assert "late: 5 days after" in ok("thank", "--since", "5 days ago").stdout


@pytest.mark.usefixtures("met")
def test_nobody_left_to_thank() -> None:
    for person in ("田中 太郎", "Sarah Johnson", "高橋 美咲"):
        ok("thank", "--mark-sent", person)
    assert ok("thank").stdout.strip() == (
        f"No one to thank: everyone met since {day(-1)} has been thanked."
    )


@pytest.mark.usefixtures("met")
def test_unknown_template_lists_the_available_ones() -> None:
    before = db_dump()
    message = error_of(fails("thank", "--template", "thank-fr"))
    assert message == (
        "unknown template 'thank-fr'; available: "
        "apology-en, apology-ja, notice-en, notice-ja, thank-en, thank-ja"
    )
    assert db_dump() == before


def write_template(name: str, text: str) -> Path:
    """A user template in $MEISHI_HOME/templates."""
    folder = home() / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.j2"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.usefixtures("met")
def test_a_user_template_overrides_the_bundled_one() -> None:
    write_template(
        "thank-en", "Subject: Cheers from {{ event.name }}\n\nHi {{ contact.given_name }}!\n"
    )
    by_name = {d["contact"]["name"]: d for d in thank_json()["drafts"]}
    assert by_name["Sarah Johnson"]["subject"] == f"Cheers from {EVENT}"
    assert by_name["Sarah Johnson"]["body"] == "Hi Sarah!\n"
    assert by_name["田中 太郎"]["template"] == "thank-ja"  # the Japanese one is untouched


@pytest.mark.usefixtures("met")
def test_template_option_uses_a_user_template_for_everyone() -> None:
    write_template(
        "short", "Subject: {{ event.name }}\n\n{{ contact.full_name }}: {{ topics | join('/') }}\n"
    )
    bodies = [d["body"] for d in thank_json("--template", "short")["drafts"]]
    assert bodies == [
        "田中 太郎: 生成AIの社内導入/RAGの評価\n",
        "Sarah Johnson: expanding into Japan\n",
    ]


@pytest.mark.usefixtures("met")
def test_template_with_undefined_variable_stores_no_draft() -> None:
    write_template("broken", "Subject: Hello\n\nDear {{ contact.nickname }},\n")
    before = db_dump()
    message = error_of(fails("thank", "--template", "broken"))
    assert "template 'broken' (user)" in message
    assert "nickname" in message
    assert db_dump() == before
    assert table_count("draft") == 0


@pytest.mark.usefixtures("met")
def test_template_failing_on_the_second_person_stores_no_draft(tmp_path: Path) -> None:
    # 田中 has two topics, Sarah one: the first draft renders, the second does not.
    write_template("second", "Subject: Hello\n\n{{ topics[1] }}\n")
    before = db_dump()
    out = tmp_path / "drafts"
    assert "template 'second' (user)" in error_of(
        fails("thank", "--template", "second", "--out", str(out))
    )
    assert db_dump() == before
    assert not out.exists() or list(out.iterdir()) == []


@pytest.mark.usefixtures("met")
def test_out_that_is_a_file_is_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "drafts.txt"
    not_a_folder.write_text("mine\n")
    before = db_dump()
    message = error_of(fails("thank", "--out", str(not_a_folder)))
    assert message.startswith(f"cannot create {not_a_folder}")
    assert db_dump() == before
    assert not_a_folder.read_text() == "mine\n"


@pytest.mark.usefixtures("met")
def test_out_that_cannot_be_created_is_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    before = db_dump()
    assert "cannot create" in error_of(fails("thank", "--out", str(blocker / "drafts")))
    assert db_dump() == before


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process cannot write in; root ignores modes, but not /proc."""
    if os.geteuid() == 0:
        return Path("/proc")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    return locked


@pytest.mark.usefixtures("met")
def test_out_folder_without_write_permission_is_refused(tmp_path: Path) -> None:
    folder = unwritable_folder(tmp_path)
    before = db_dump()
    assert f"write in {folder}" in error_of(fails("thank", "--out", str(folder)))
    assert db_dump() == before
    assert not list(folder.glob("thank-*.eml"))


def test_template_syntax_in_a_name_stays_literal(tmp_path: Path) -> None:
    set_me()
    add_event("Meetup", -1)
    add_person("Meetup", "{{ 7*7 }}", "--email", "seven@example.com", "--topic", "{% raw %}x")
    out = tmp_path / "out"
    [draft] = thank_json("--out", str(out))["drafts"]
    assert draft["contact"]["name"] == "{{ 7*7 }}"
    assert "{{ 7*7" in draft["body"]
    assert "{% raw %}x" in draft["body"]
    assert "49" not in draft["body"]
    [path] = out.iterdir()
    [to] = read_eml(path)["To"].addresses
    assert (to.display_name, to.addr_spec) == ("{{ 7*7 }}", "seven@example.com")


def test_drafts_without_me_email_have_no_from(tmp_path: Path) -> None:
    set_me(email=None)
    add_event("Meetup", -1)
    add_person("Meetup", "Bob Lee", "--email", "bob@example.com")
    out = tmp_path / "out"
    ok("thank", "--out", str(out))
    [path] = out.iterdir()
    message = read_eml(path)
    assert message["From"] is None
    assert message["To"].addresses[0].addr_spec == "bob@example.com"


def test_thank_with_unknown_event_is_refused() -> None:
    set_me()
    add_event("Meetup", -1)
    assert "no event matches 'Nope'" in error_of(fails("thank", "--event", "Nope"))


def test_a_company_printed_as_kabu_is_written_in_full_and_long_departments_by_unit() -> None:
    set_me()
    add_event(EVENT, -1)
    department = "独立行政法人情報処理推進機構 デジタル基盤センター 営業本部第一営業部"
    add_person(
        EVENT,
        "田中 太郎",
        "--company",
        "㈱ソフト",
        "--department",
        department,
        "--title",
        "部長",
        "--email",
        "taro@example.jp",
    )
    (draft,) = thank_json()["drafts"]
    lines = draft["body"].splitlines()
    assert lines[:5] == [
        "株式会社ソフト",
        "独立行政法人情報処理推進機構",
        "デジタル基盤センター",
        "営業本部",
        "第一営業部 部長",
    ]
    assert "㈱" not in draft["body"] + draft["subject"]


@pytest.mark.usefixtures("met")
def test_english_drafts_use_your_english_identity(tmp_path: Path) -> None:
    ok("config", "set", "me.name_en", "Hanako Yamada")
    ok("config", "set", "me.company_en", "Meishi Inc.")
    out = tmp_path / "out"
    by_name = {d["contact"]["name"]: d for d in thank_json("--out", str(out))["drafts"]}
    english = by_name["Sarah Johnson"]["body"]
    assert english.endswith("Best regards,\n\nHanako Yamada\nMeishi Inc.\n")
    assert by_name["田中 太郎"]["body"].endswith(f"\n{ME_NAME}\n")
    senders = {
        read_eml(path)["To"].addresses[0].addr_spec: read_eml(path)["From"].addresses[0]
        for path in out.iterdir()
    }
    assert senders["sarah@northwind.example"].display_name == "Hanako Yamada"
    assert senders["taro@example.jp"].display_name == ME_NAME


def test_a_draft_without_topics_is_flagged_generic_with_the_command_that_adds_one() -> None:
    set_me()
    event_id = add_event(EVENT, -1)
    add_person(EVENT, "鈴木 一郎", "--email", "ichiro@example.jp")
    text = ok("thank").stdout
    who = "--name '鈴木 一郎' --email ichiro@example.jp"
    command = f"meishi add --event {event_id} {who} --topic TOPIC"
    assert "Generic: no topic is recorded for 鈴木 一郎" in text and command in text
    (draft,) = thank_json()["drafts"]
    assert (draft["generic"], draft["add_topic"]) == (True, command)
    ok(*shlex.split(command.replace("TOPIC", "社内DX"))[1:])  # the command does what it says
    (draft,) = thank_json()["drafts"]
    assert (draft["generic"], draft["add_topic"]) == (False, None)
    assert "「社内DX」" in draft["body"] and "Generic" not in ok("thank").stdout


@pytest.mark.usefixtures("met")
def test_thank_lang_writes_every_draft_in_that_language_this_time() -> None:
    by_name = {d["contact"]["name"]: d for d in thank_json("--lang", "en")["drafts"]}
    assert by_name["田中 太郎"]["template"] == "thank-en"
    assert by_name["田中 太郎"]["body"].startswith("Hello,\n")  # no Latin name known
    by_name = {d["contact"]["name"]: d for d in thank_json()["drafts"]}
    assert by_name["田中 太郎"]["template"] == "thank-ja"  # only for that run


@pytest.mark.usefixtures("met")
def test_thank_lang_refuses_an_unknown_language() -> None:
    before = db_dump()
    assert "unknown language 'fr'" in error_of(fails("thank", "--lang", "fr"))
    assert db_dump() == before


def test_japanese_topics_make_a_japanese_draft_for_a_romanized_name() -> None:
    set_me()
    add_event(EVENT, -1)
    add_person(EVENT, "Ken Mori", "--email", "ken@example.jp", "--topic", "生成AIの社内導入")
    (draft,) = thank_json()["drafts"]
    assert draft["template"] == "thank-ja"


@pytest.mark.usefixtures("met")
def test_an_english_draft_names_the_event_by_its_english_name() -> None:
    ok("event", "edit", EVENT, "--name-en", "AI Study Group #12")
    by_name = {d["contact"]["name"]: d for d in thank_json()["drafts"]}
    english = by_name["Sarah Johnson"]
    assert english["subject"] == "Great meeting you at AI Study Group #12"
    assert "at AI Study Group #12 yesterday." in english["body"]
    assert f"「{EVENT}」" in by_name["田中 太郎"]["body"]  # the Japanese draft keeps its name
