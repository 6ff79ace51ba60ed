"""Templates: finding, overriding, rendering safely, and wrapping Japanese and English."""

import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from meishi.drafts import templates as drafts
from meishi.drafts import wrapping
from meishi.errors import BadValue, NotFound, TemplateProblem

REPO = Path(__file__).resolve().parents[1]
CLOSING = "、。，．」』）！？"


def make_context(**changes: Any) -> dict[str, Any]:
    """A context like the one the CLI passes, with some values replaced."""
    context: dict[str, Any] = {
        "contact": {
            "full_name": "田中 太郎",
            "family_name": "田中",
            "given_name": "太郎",
            "reading": "たなか たろう",
            "company": "株式会社サンプル",
            "department": "開発本部",
            "title": "部長",
            "email": "taro@example.jp",
            "latin_name": "Taro Tanaka",
        },
        "event": {
            "name": "AI勉強会",
            "name_en": "AI勉強会",
            "date": date(2024, 11, 28),
            "place": "渋谷",
            "series": "AI勉強会",
            "organizer_name": "佐藤",
        },
        "topics": ["LLMの評価", "社内勉強会の運営"],
        "note": "",
        "me": {
            "name": "山田 花子",
            "email": "hanako@example.com",
            "company": "株式会社メイシ",
            "title": "営業",
            "signature": "",
        },
        "lang": "ja",
        "today": date(2024, 11, 29),
    }
    context.update(changes)
    # One meeting, as the CLI passes it for someone met once.
    only = {**context["event"], "topics": context["topics"], "note": context["note"]}
    context.setdefault("events", [only])
    return context


def english_context(**changes: Any) -> dict[str, Any]:
    """A context for an English-speaking contact."""
    contact = {
        "full_name": "Alice Smith",
        "family_name": "Smith",
        "given_name": "Alice",
        "reading": "",
        "company": "Example Ltd",
        "department": "",
        "title": "CTO",
        "email": "alice@example.com",
        "latin_name": "Alice Smith",
    }
    return make_context(**{"contact": contact, "topics": ["evaluation", "hiring"], **changes})


def write_template(folder: Path, name: str, text: str) -> Path:
    """Write a user template file."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.j2"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def user_dir(tmp_path: Path) -> Path:
    """An empty user template folder."""
    return tmp_path / "templates"


def render_ja(user_dir: Path, **changes: Any) -> drafts.RenderedDraft:
    """The bundled Japanese note for the sample context."""
    return drafts.render_draft("thank-ja", make_context(**changes), user_dir, "ja")


@pytest.mark.parametrize(
    ("lang", "texts", "expected"),
    [
        (None, ("田中 太郎", None), "ja"),
        (None, ("Taro", "カブシキ"), "ja"),
        (None, ("Alice Smith", "Example Ltd"), "en"),
        (None, (None, ""), "en"),
        ("en", ("田中 太郎",), "en"),
        (" JA ", ("Alice",), "ja"),
    ],
)
def test_choose_language(lang: str | None, texts: tuple[str | None, ...], expected: str) -> None:
    assert drafts.choose_language(lang, *texts) == expected


def test_choose_language_refuses_unknown() -> None:
    with pytest.raises(BadValue, match="'fr'"):
        drafts.choose_language("fr")


def test_bundled_templates_are_listed(user_dir: Path) -> None:
    listed = {info.name: info.origin for info in drafts.list_templates(user_dir)}
    assert listed == {
        "apology-en": "bundled",
        "apology-ja": "bundled",
        "notice-en": "bundled",
        "notice-ja": "bundled",
        "thank-en": "bundled",
        "thank-ja": "bundled",
    }


def test_user_templates_override_and_add(user_dir: Path) -> None:
    write_template(user_dir, "thank-ja", "Subject: mine\n\nmy body\n")
    write_template(user_dir, "intro", "Subject: hi\n\nhello\n")
    listed = drafts.list_templates(user_dir)
    assert [(info.name, info.origin) for info in listed] == [
        ("apology-en", "bundled"),
        ("apology-ja", "bundled"),
        ("intro", "user"),
        ("notice-en", "bundled"),
        ("notice-ja", "bundled"),
        ("thank-en", "bundled"),
        ("thank-ja", "user"),
    ]
    rendered = drafts.render_draft("thank-ja", make_context(), user_dir, "ja")
    assert rendered == drafts.RenderedDraft("mine", "my body\n")


def test_find_template_and_source(user_dir: Path) -> None:
    info = drafts.find_template("thank-en.j2", user_dir)
    assert info.origin == "bundled"
    assert drafts.template_source(info).startswith("Subject: ")


def test_unknown_template_lists_available(user_dir: Path) -> None:
    with pytest.raises(NotFound) as caught:
        drafts.find_template("nope", user_dir)
    assert str(caught.value) == (
        "unknown template 'nope'; available: "
        "apology-en, apology-ja, notice-en, notice-ja, thank-en, thank-ja"
    )


def test_syntax_error_names_template_and_line(user_dir: Path) -> None:
    write_template(user_dir, "mine", "Subject: hi\n\nfine\n{{ contact.full_name }\n")
    with pytest.raises(TemplateProblem) as caught:
        drafts.render_draft("mine", make_context(), user_dir, "ja")
    assert str(caught.value) == "template 'mine' (user) line 4: unexpected '}'"


def test_undefined_attribute_names_template_and_variable(user_dir: Path) -> None:
    write_template(user_dir, "mine", "Subject: hi\n\n{{ contact.nickname }}\n")
    with pytest.raises(TemplateProblem) as caught:
        drafts.render_draft("mine", make_context(), user_dir, "ja")
    assert (
        str(caught.value) == "template 'mine' (user) line 3: 'contact' has no attribute 'nickname'"
    )


def test_undefined_name_in_subject(user_dir: Path) -> None:
    write_template(user_dir, "mine", "Subject: {{ sender }}\n\nbody\n")
    with pytest.raises(TemplateProblem, match=r"'mine' \(user\) line 1: 'sender' is undefined"):
        drafts.render_draft("mine", make_context(), user_dir, "ja")


def test_sandbox_refuses_unsafe_access(user_dir: Path) -> None:
    write_template(user_dir, "mine", "Subject: x\n\n{{ ''.__class__.__mro__ }}\n")
    with pytest.raises(TemplateProblem, match=r"'mine'.*unsafe"):
        drafts.render_draft("mine", make_context(), user_dir, "ja")


def test_context_cannot_be_changed_by_a_template(user_dir: Path) -> None:
    write_template(user_dir, "mine", "Subject: x\n\n{{ topics.append('x') }}\n")
    context = make_context()
    with pytest.raises(TemplateProblem, match="unsafe"):
        drafts.render_draft("mine", context, user_dir, "ja")
    assert context["topics"] == ["LLMの評価", "社内勉強会の運営"]


@pytest.mark.parametrize(
    "text",
    ["Subject hi\n\nbody\n", "Subject: hi\nbody\n", "Subject: {{ event.name }}\n\nbody\n"],
    ids=["no-colon", "no-blank-line", "multi-line-subject"],
)
def test_malformed_template_or_subject(user_dir: Path, text: str) -> None:
    write_template(user_dir, "mine", text)
    context = make_context(event={**make_context()["event"], "name": "a\nBcc: x"})
    with pytest.raises(TemplateProblem, match="'mine'"):
        drafts.render_draft("mine", context, user_dir, "ja")


def test_contact_data_is_never_template_code(user_dir: Path) -> None:
    contact = {**make_context()["contact"], "full_name": "{{ 7*7 }}", "family_name": ""}
    contact["company"] = "{% for x in y %}"
    rendered = render_ja(user_dir, contact=contact, topics=["{{ me.email }}"])
    assert "{{ 7*7 }} 様" in rendered.body
    assert "{% for x in y %}" in rendered.body
    assert "「{{ me.email }}」" in rendered.body
    assert "49" not in rendered.body


def test_japanese_draft_follows_business_custom(user_dir: Path) -> None:
    rendered = render_ja(user_dir)
    lines = rendered.body.splitlines()
    assert lines[:3] == ["株式会社サンプル", "開発本部 部長", "田中 太郎 様"]
    assert "御中" not in rendered.body
    assert "昨日の「AI勉強会」" in rendered.body
    assert "特に「LLMの評価」や「社内勉強会の運営」についてのお話は、" in rendered.body
    assert "次回のAI勉強会などで、またお目にかかれましたら幸いです。" in rendered.body
    assert "今後ともどうぞよろしくお願いいたします。" in rendered.body
    assert lines[-3:] == ["株式会社メイシ", "営業", "山田 花子"]
    assert rendered.subject == "【御礼】AI勉強会（株式会社メイシ 山田 花子）"


def test_japanese_draft_omits_missing_fields(user_dir: Path) -> None:
    contact = {**make_context()["contact"], "company": "", "department": "", "title": ""}
    contact.update(family_name="", given_name="")
    me = {**make_context()["me"], "company": "", "title": ""}
    rendered = render_ja(user_dir, contact=contact, me=me)
    assert rendered.body.startswith("田中 太郎 様\n\n")
    assert rendered.body.endswith("\n\n山田 花子\n")
    assert rendered.subject == "【御礼】AI勉強会（山田 花子）"


def test_signature_replaces_the_name_block(user_dir: Path) -> None:
    me = {**make_context()["me"], "signature": "――\n山田 花子\nhanako@example.com\n"}
    rendered = render_ja(user_dir, me=me)
    assert rendered.body.endswith("\n\n――\n山田 花子\nhanako@example.com\n")
    assert "株式会社メイシ\n営業" not in rendered.body


@pytest.mark.parametrize(
    ("topics", "expected"),
    [
        ([], None),
        (["RAG"], "特に「RAG」についてのお話は"),
        (["RAG", "評価"], "特に「RAG」や「評価」についてのお話は"),
        (["RAG", "評価", "採用"], "特に「RAG」や「評価」についてのお話は"),  # two at most
        (["RAGについて", "評価の話"], "特に「RAG」や「評価」についてのお話は"),
        (["「RAG」の件", "『本』と「映画」"], "特に「RAG」や「『本』と『映画』」についてのお話は"),
    ],
)
def test_japanese_topics(user_dir: Path, topics: list[str], expected: str | None) -> None:
    body = render_ja(user_dir, topics=topics).body
    if expected is None:
        assert "についてのお話" not in body and "「」" not in body
    else:
        assert expected in body


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2024, 11, 28), "本日の"),
        (date(2024, 11, 29), "昨日の"),
        (date(2024, 12, 5), "11月28日の"),
    ],
)
def test_japanese_when(user_dir: Path, today: date, expected: str) -> None:
    assert f"{expected}「AI勉強会」" in render_ja(user_dir, today=today).body


def test_japanese_lines_fit_and_obey_kinsoku(user_dir: Path) -> None:
    long_name = "大規模言語モデルの評価と運用について実務家が本音で語り合う夜の勉強会、第十二回。"
    contact = {**make_context()["contact"], "company": "株式会社" + "サンプル" * 12}
    event = {**make_context()["event"], "name": long_name}
    body = render_ja(user_dir, contact=contact, event=event, topics=["評価。" * 12]).body
    assert long_name[:10] in body
    for line in body.splitlines():
        assert wrapping.display_width(line) <= 70, line
        assert not line or line[0] not in CLOSING, line


def test_english_draft(user_dir: Path) -> None:
    context = english_context()
    rendered = drafts.render_draft("thank-en", context, user_dir, "en")
    assert rendered.body.startswith("Dear Alice,\n\n")
    assert "at AI勉強会 yesterday." in rendered.body
    assert "I especially enjoyed our conversation about evaluation and hiring." in rendered.body
    assert rendered.body.endswith("Best regards,\n\n山田 花子\n営業\n株式会社メイシ\n")
    assert rendered.subject == "Great meeting you at AI勉強会"


@pytest.mark.parametrize(
    ("topics", "expected"),
    [
        ([], None),
        (["RAG"], "about RAG."),
        (["RAG", "hiring"], "about RAG and hiring."),
        (["RAG", "hiring", "tea"], "about RAG and hiring."),  # two at most
    ],
)
def test_english_topics(user_dir: Path, topics: list[str], expected: str | None) -> None:
    body = drafts.render_draft("thank-en", english_context(topics=topics), user_dir, "en").body
    if expected is None:
        assert "conversation" not in body
    else:
        assert expected in body


def test_english_uses_full_name_and_date(user_dir: Path) -> None:
    contact = {**english_context()["contact"], "given_name": ""}
    context = english_context(contact=contact, today=date(2025, 1, 10))
    body = drafts.render_draft("thank-en", context, user_dir, "en").body
    assert body.startswith("Dear Alice Smith,\n")
    assert "at AI勉強会 on November 28." in body


def test_display_width() -> None:
    assert wrapping.display_width("abc") == 3
    assert wrapping.display_width("田中　ﾀﾛｳ") == 2 + 2 + 2 + 3  # half-width katakana: 1 each
    assert wrapping.display_width("e\u0301") == 1


def test_wrap_leaves_short_lines_alone() -> None:
    text = "  indented  \nshort 。\n\n"
    assert wrapping.wrap_body(text, "ja") == text
    assert wrapping.wrap_body(text, "en") == text


def test_wrap_japanese_at_35_full_width() -> None:
    wrapped = wrapping.wrap_body("あ" * 80, "ja").splitlines()
    assert wrapped == ["あ" * 35, "あ" * 35, "あ" * 10]


def test_wrap_japanese_kinsoku_pushes_a_character_down() -> None:
    wrapped = wrapping.wrap_body("あ" * 35 + "。」次", "ja").splitlines()
    assert wrapped == ["あ" * 34, "あ。」次"]


def test_wrap_japanese_keeps_latin_words_and_urls_whole() -> None:
    url = "https://example.com/" + "x" * 80
    wrapped = wrapping.wrap_body("あ" * 30 + "Python 資料は " + url, "ja").splitlines()
    assert wrapped == ["あ" * 30, "Python 資料は", url]  # not 資/料, and no orphan 料は


def test_wrap_english_at_word_boundaries() -> None:
    text = " ".join(["word"] * 30)
    wrapped = wrapping.wrap_body(text, "en").splitlines()
    assert wrapped == [" ".join(["word"] * 14), " ".join(["word"] * 14), "word word"]
    assert max(len(line) for line in wrapped) <= 72


def test_date_filters() -> None:
    day = date(2024, 11, 28)
    assert (drafts.jdate(day), drafts.jdate(day, year=True)) == ("11月28日", "2024年11月28日")
    assert (drafts.edate(day), drafts.edate(day, year=True)) == ("November 28", "November 28, 2024")


def test_wheel_ships_the_templates(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("meishi-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "meishi/templates/thank-ja.j2" in names
    assert "meishi/templates/thank-en.j2" in names


@pytest.mark.parametrize(
    ("full_name", "given_name", "latin_name", "greeting"),
    [
        ("Alice Smith", "Alice", "Alice Smith", "Dear Alice,"),
        ("森 健二", "健二", "Kenji Mori", "Dear Kenji Mori,"),
        ("森 翔太", "翔太", "", "Hello,"),
    ],
)
def test_english_greeting_never_in_kanji(
    user_dir: Path, full_name: str, given_name: str, latin_name: str, greeting: str
) -> None:
    contact = {**english_context()["contact"], "full_name": full_name, "given_name": given_name}
    context = english_context(contact={**contact, "latin_name": latin_name})
    body = drafts.render_draft("thank-en", context, user_dir, "en").body
    assert body.splitlines()[0] == greeting


def test_a_compiled_template_is_reused_yet_an_edit_is_seen(user_dir: Path) -> None:
    """Drafting many notes compiles a template once; its errors still say where they are,
    every time, and an edited template is the one used next."""
    write_template(user_dir, "mine", "Subject: one\n\nHello\n{{ contact.nickname }}\n")
    for _ in range(2):
        with pytest.raises(TemplateProblem) as caught:
            drafts.render_draft("mine", make_context(), user_dir, "ja")
        assert str(caught.value).startswith("template 'mine' (user) line 4: ")
    write_template(user_dir, "mine", "Subject: two\n\n{{ contact.full_name }}様\n")
    assert drafts.render_draft("mine", make_context(), user_dir, "ja").subject == "two"
