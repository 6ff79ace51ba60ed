"""The pieces drafts are written with: line wrapping, company and organizer names, names
in Latin letters, reasons and times."""

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meishi.cards.companies import full_company_name, is_organization
from meishi.drafts import templates, wrapping
from meishi.drafts.context import reason_clause
from meishi.drafts.names import latin_name

NAMES = ["株式会社サンプル商事", "山田 花子", "Tokyo AI 勉強会 #12"]


def wrapped(text: str, keep: list[str] = NAMES) -> list[str]:
    """text wrapped as a Japanese draft line, as lines."""
    return wrapping.wrap_body(text, "ja", keep=keep).splitlines()


def test_the_issues_examples_break_between_phrases() -> None:
    lines = wrapped(
        "昨日の「Tokyo AI 勉強会 #12」でご挨拶させていただきました、"
        "株式会社サンプル商事の山田 花子です。"
    )
    assert lines == [
        "昨日の「Tokyo AI 勉強会 #12」でご挨拶させていただきました、",
        "株式会社サンプル商事の山田 花子です。",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "その際は貴重なお話をお聞かせいただき、誠にありがとうございました。お話は大変興味深く伺いました。",
        "お席やお資料をご準備いただいていたにもかかわらず、ご迷惑をおかけしましたことを心よりお詫び申し上げます。",
    ],
)
def test_no_line_ends_inside_a_verb(text: str) -> None:
    lines = wrapped(text)
    assert len(lines) >= 2
    assert "".join(lines) == text
    for line in lines:
        assert not line.endswith(("伺いまし", "申し上げま", "お聞か"))
        assert len(line) > wrapping.ORPHAN_CHARS


def test_a_clause_end_is_preferred_when_it_fills_half_the_line() -> None:
    text = (
        "本日19時からの「Tokyo AI 勉強会 #12」につきまして、"
        "急な体調不良のため参加できなくなりました。"
    )
    assert wrapped(text)[0].endswith("につきまして、")


@pytest.mark.parametrize(
    "word", ["１２３４５６７８９０", "ＰｙｔｈｏｎＩＣ", "12345678", "Pythonic"]
)
def test_numbers_and_latin_words_stay_whole(word: str) -> None:
    lines = wrapped("あ" * 30 + word + "円です", keep=[])
    assert any(word in line for line in lines), lines


def test_a_kept_name_is_not_split() -> None:
    text = "あ" * 24 + "NTTデータ先端技術株式会社の方です"
    assert wrapped(text, keep=[]) != wrapped(text, keep=["NTTデータ先端技術株式会社"])
    assert any(
        "NTTデータ先端技術株式会社" in line
        for line in wrapped(text, keep=["NTTデータ先端技術株式会社"])
    )


def test_no_orphan_of_three_characters_or_fewer() -> None:
    assert wrapped("あ" * 32 + "Python資料", keep=[]) == ["あ" * 32, "Python資料"]


def test_a_run_without_phrases_is_cut_at_35_characters() -> None:
    assert wrapped("あ" * 80) == ["あ" * 35, "あ" * 35, "あ" * 10]


phrases = st.lists(
    st.sampled_from(
        [
            "昨日の",
            "勉強会では、",
            "貴重な",
            "お話を",
            "伺いました。",
            "2026年",
            "12月1日",
            "Python",
            " ",
            "「資料」",
            "ありがとうございます。",
        ]
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=80, deadline=None)
@given(phrases)
def test_wrapping_keeps_the_text_and_the_width(parts: list[str]) -> None:
    text = "".join(parts).strip()
    lines = wrapped(text, keep=[])
    assert re.sub(r"\s", "", "".join(lines)) == re.sub(r"\s", "", text)
    for line in lines:
        assert wrapping.display_width(line) <= wrapping.WRAP_WIDTH["ja"], line
    for before, after in itertools.pairwise(lines):
        assert not (before[-1].isdigit() and after[0].isdigit()), (before, after)


@pytest.mark.parametrize(
    ("department", "title", "expected"),
    [
        ("営業本部 第一営業部", "部長", ["営業本部 第一営業部 部長"]),
        ("", "", []),
        (
            "独立行政法人情報処理推進機構 デジタル基盤センター 営業本部第一営業部",
            "部長",
            ["独立行政法人情報処理推進機構", "デジタル基盤センター", "営業本部", "第一営業部 部長"],
        ),
    ],
)
def test_department_lines(department: str, title: str, expected: list[str]) -> None:
    assert wrapping.department_lines(department, title, "ja") == expected


@pytest.mark.parametrize(
    ("printed", "full"),
    [
        ("(株)サンプル商事", "株式会社サンプル商事"),
        ("サンプル商事（株）", "サンプル商事株式会社"),
        ("㈱サンプル", "株式会社サンプル"),
        ("サンプル ㈲", "サンプル有限会社"),
        ("(同)テスト", "合同会社テスト"),
        ("(一社)日本ABC協会", "一般社団法人日本ABC協会"),
        ("株式会社サンプル", "株式会社サンプル"),
        ("サンプル(東京)", "サンプル(東京)"),
        ("Example Ltd", "Example Ltd"),
    ],
)
def test_full_company_name(printed: str, full: str) -> None:
    assert full_company_name(printed) == full


@pytest.mark.parametrize(
    ("full_name", "reading", "latin"),
    [
        ("森 健二", "もり けんじ", "Kenji Mori"),
        ("佐藤 優子", "サトウ ユウコ", "Yuko Sato"),
        ("大野 純一", "おおの じゅんいち", "Junichi Ono"),
        ("森 健二", "Kenji Mori", "Kenji Mori"),
        ("Alice Smith", "", "Alice Smith"),
        ("森健二", "もりけんじ", ""),  # where the family name ends is unknown
        ("翔太", "", ""),
    ],
)
def test_latin_name(full_name: str, reading: str, latin: str) -> None:
    assert latin_name(full_name, reading) == latin


@pytest.mark.parametrize(
    ("reason", "clause"),
    [("体調不良", "体調不良のため、"), ("急な残業が入った", "急な残業が入ったため、"), ("", "")],
)
def test_ja_because(reason: str, clause: str) -> None:
    assert templates.ja_because(reason) == clause


@pytest.mark.parametrize(
    ("raw", "clean"), [("体調不良のため。", "体調不良"), ("a cold.", "a cold")]
)
def test_a_reason_loses_what_the_sentence_adds(raw: str, clean: str) -> None:
    assert reason_clause(raw) == clean


@pytest.mark.parametrize(("hhmm", "ja"), [("19:00", "19時"), ("09:30", "9時30分"), ("", "")])
def test_jtime(hhmm: str, ja: str) -> None:
    assert templates.jtime(hhmm) == ja


@pytest.mark.parametrize(
    ("organizer", "organization"),
    [
        ("AI勉強会 運営事務局", True),
        ("Tokyo AI 実行委員会", True),
        ("(株)サンプル", True),
        ("一般社団法人日本ABC協会", True),
        ("佐藤 一郎", False),
        ("株式会社サンプル 佐藤 一郎", False),
        ("John Smith", False),
    ],
)
def test_is_organization(organizer: str, organization: bool) -> None:
    assert is_organization(organizer) is organization
