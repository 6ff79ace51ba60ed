"""Every bundled template, rendered for a matrix of people, topics and organizers, reads as
a person would write it: lines that fit, breaks between phrases, 御中 xor 様, legal forms
written in full, at most two topics, and English without kanji where it greets and signs."""

import datetime as dt
import importlib.util
import itertools
import re
from pathlib import Path
from types import ModuleType

import pytest

from meishi.drafts import templates, wrapping
from meishi.drafts.context import ApologyFacts, apology_vars, thank_vars
from meishi.models import Contact, Event


def _generator(name: str) -> ModuleType:
    """One of the docs/gen_*.py scripts, as a module."""
    script = Path(__file__).resolve().parents[1] / "docs" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, script)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TODAY = dt.date(2026, 12, 2)
NOWHERE = Path("/nonexistent")  # no user templates: the bundled ones
# The sample identity the example page (docs/drafts.md) writes with, English included.
ME = _generator("gen_drafts").ME
LONG_DEPARTMENT = "独立行政法人情報処理推進機構 デジタル基盤センター 営業本部第一営業部"
CONTACTS = {
    "company before": dict(full_name="田中 太郎", company="株式会社サンプル商事", title="部長"),
    "company after": dict(full_name="田中 太郎", company="サンプル商事株式会社", title="課長"),
    "(株)": dict(full_name="田中 太郎", company="(株)サンプル", title="部長"),
    "㈱ after": dict(full_name="田中 太郎", company="サンプル㈱", title="部長"),
    "long department": dict(
        full_name="鈴木 一郎", company="㈱サンプル", department=LONG_DEPARTMENT, title="部長"
    ),
    "一般社団法人": dict(full_name="佐藤 花", company="(一社)日本ABC協会", title="理事"),
    "no title": dict(full_name="高橋 美咲", company="株式会社サンプル"),
    "English": dict(
        full_name="Sarah Johnson", given_name="Sarah", company="Northwind Ltd.", title="CTO"
    ),
    "Japanese, in English": dict(
        full_name="森 健二", reading="もり けんじ", company="(株)サンプル", lang="en"
    ),
    "kanji only, in English": dict(full_name="森 翔太", company="サンプル", lang="en"),
}
TOPICS = {
    "none": [],
    "one": ["生成AIの社内導入"],
    "three": ["RAGの評価", "採用", "社内勉強会"],
    "について / の話": ["RAGの評価について", "採用の話"],
    "「」": ["「ChatGPT」の件", "本『AI時代』と「仕事」"],
    "English": ["AI in sales", "hiring", "tea"],
}
ORGANIZERS = [
    "佐藤 一郎",
    "AI勉強会 運営事務局",
    "(株)サンプル",
    "Tokyo AI 実行委員会",
    "John Smith",
    None,
]
SCRIPTS = (
    ("kanji", re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf々]")),
    ("hiragana", re.compile(r"[\u3041-\u309f]")),
    ("katakana", re.compile(r"[\u30a1-\u30ffー]")),
    ("latin", re.compile(r"[A-Za-z]")),
    ("digits", re.compile(r"[0-9０-９]")),
)
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")


def contact_of(fields: dict[str, str]) -> Contact:
    """A contact from a few fields."""
    family, _, given = fields["full_name"].partition(" ")
    return Contact(**{"family_name": family, "given_name": given, **fields})


EVENT = Event(
    id=12,
    name="Tokyo AI 勉強会 #12",
    date=TODAY - dt.timedelta(days=1),
    start_time=dt.time(19, 0),
    series="Tokyo AI 勉強会",
    fee=3000,
    attendance="cancelled",
)


def script_of(char: str) -> str | None:
    """The script of a character, among those a line must not be broken inside."""
    return next((name for name, pattern in SCRIPTS if pattern.match(char)), None)


def unwrapped(name: str, context: dict, lang: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The body as the template writes it, before wrapping."""
    with monkeypatch.context() as patch:
        patch.setattr(wrapping, "WRAP_WIDTH", {"ja": 10**6, "en": 10**6})
        return templates.render_draft(name, context, NOWHERE, lang).body


def bad_breaks(original: str, pieces: list[str], lang: str) -> list[tuple[str, str]]:
    """The breaks between pieces of original that fall inside a run of one script
    (kanji, kana, katakana, a Latin word, digits) other than at a BudouX boundary."""
    boundaries = set(wrapping._budoux_boundaries(original)) if lang == "ja" else set()
    bad = []
    at = 0
    for before, after in itertools.pairwise(pieces):
        at = original.index(after, at + len(before))
        script = script_of(original[at - 1])
        if script and script == script_of(original[at]) and at not in boundaries:
            bad.append((before, after))
    return bad


def check_lines(name: str, context: dict, lang: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Render and check the lines: widths, and breaks between phrases only."""
    draft = templates.render_draft(name, context, NOWHERE, lang)
    for line in draft.body.splitlines():
        assert wrapping.display_width(line) <= wrapping.WRAP_WIDTH[lang], line
    for original in unwrapped(name, context, lang, monkeypatch).splitlines():
        assert bad_breaks(original, wrapping.wrap_body(original, lang).splitlines(), lang) == []
    return f"Subject: {draft.subject}\n\n{draft.body}"


def test_bad_breaks_finds_a_break_inside_a_word() -> None:
    original = "ご参加いただいた皆様に感謝申し上げます"
    assert bad_breaks(original, ["ご参加いただいた皆様に感", "謝申し上げます"], "ja") != []
    assert bad_breaks(original, ["ご参加いただいた皆様に", "感謝申し上げます"], "ja") == []
    assert bad_breaks("a seat and", ["a se", "at and"], "en") != []


@pytest.mark.parametrize(("who", "topics"), itertools.product(CONTACTS, TOPICS))
def test_thank_you_drafts(who: str, topics: str, monkeypatch: pytest.MonkeyPatch) -> None:
    contact = contact_of(CONTACTS[who])
    lang = templates.choose_language(contact.lang, contact.full_name, contact.company)
    context = thank_vars(contact, "p@example.jp", EVENT, TOPICS[topics], None, ME, lang, TODAY)
    text = check_lines(f"thank-{lang}", context, lang, monkeypatch)
    assert not re.search(r"\(株\)|（株）|㈱|\(一社\)|㈲", text)
    assert "「「" not in text and "」」" not in text
    if len(TOPICS[topics]) == 3:
        assert TOPICS[topics][2] not in text.split("\n\n", 2)[-1]  # at most two topics
    if lang == "ja":
        assert "様" in text and "御中" not in text
    else:
        greeting = text.split("\n\n")[1]
        signature = text.rsplit("Best regards,", 1)[1]
        assert not CJK.search(greeting) and not CJK.search(signature), text


@pytest.mark.parametrize(
    ("letter", "organizer", "lang", "before_start", "reason"),
    itertools.product(
        ("apology", "notice"), ORGANIZERS, ("ja", "en"), (True, False), ("", "急用が入ったため")
    ),
)
def test_letters_to_organizers(
    letter: str,
    organizer: str | None,
    lang: str,
    before_start: bool,
    reason: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event = Event(**{**EVENT.model_dump(), "organizer_name": organizer})
    context = apology_vars(event, ApologyFacts(reason, before_start), ME, lang, TODAY)
    text = check_lines(f"{letter}-{lang}", context, lang, monkeypatch)
    assert not re.search(r"\(株\)|（株）|㈱", text)
    if lang == "ja":
        addressee = text.split("\n\n")[1]
        assert ("御中" in addressee) != ("様" in addressee), addressee
        assert ("御中" in addressee) == context["organizer"]["is_organization"]
        assert "ためのため" not in text and "のためのため" not in text
    else:
        greeting = text.split("\n\n")[1]
        assert not CJK.search(greeting) and "cancelling Tokyo" not in text
    if reason:
        assert text.count("急用") == 1
