"""meishi.cards.fields: the fields of a card from its QR code or its OCR'd lines."""

import pytest

from meishi.cards.fields import (
    CardFields,
    Line,
    Word,
    join_words,
    merge,
    parse_code,
    read_lines,
    split_japanese_name,
    split_title,
)


def line(text: str, height: int = 30, confidence: float = 95.0, top: int = 0) -> Line:
    """A line as OCR would give it: one word per space-separated part, evenly spaced."""
    words, left = [], 0
    for part in text.split(" "):
        width = height * len(part)
        words.append(Word(part, left, top, width, height, confidence))
        left += width + height  # a gap of one glyph: a space
    return Line(tuple(words))


def values(card: CardFields) -> dict[str, str]:
    """Every field read, by name."""
    return {name: reading.value for name, reading in card.fields.items()}


JAPANESE_CARD = [
    line("株式会社サンプル商事"),
    line("営業企画部 部長"),
    line("田中 太郎", height=70),
    line("〒100-0005 東京都千代田区丸の内1-2-3"),
    line("TEL 03-1234-5678 FAX 03-1234-5679"),
    line("携帯 090-1234-5678"),
    line("E-mail: Taro.Tanaka@Sample.co.jp"),
    line("https://www.sample.co.jp"),
]


def test_a_japanese_card_yields_every_field() -> None:
    assert values(read_lines(JAPANESE_CARD)) == {
        "company": "株式会社サンプル商事",
        "department": "営業企画部",
        "title": "部長",
        "name": "田中 太郎",
        "postal_code": "100-0005",
        "address": "東京都千代田区丸の内1-2-3",
        "phone": "03-1234-5678",
        "fax": "03-1234-5679",
        "mobile": "090-1234-5678",
        "email": "taro.tanaka@sample.co.jp",
        "url": "https://www.sample.co.jp",
    }


def test_an_english_card_yields_every_field() -> None:
    card = read_lines(
        [
            line("Northwind Co., Ltd."),
            line("Sarah Johnson", height=60),
            line("Director"),
            line("Business Development Department"),
            line("Tel: +1 415-555-0132"),
            line("Mobile: 080-2345-6789"),
            line("sarah.johnson@northwind.example"),
        ]
    )
    assert values(card) == {
        "company": "Northwind Co., Ltd.",
        "name": "Sarah Johnson",
        "title": "Director",
        "department": "Business Development Department",
        "phone": "+1 415-555-0132",
        "mobile": "080-2345-6789",
        "email": "sarah.johnson@northwind.example",
    }


def test_the_name_is_the_most_prominent_remaining_line_and_furigana_its_reading() -> None:
    card = read_lines([line("たなか たろう", height=20), line("田中太郎", height=80)])
    assert (card.get("name"), card.get("reading")) == ("田中 太郎", "たなか たろう")
    bilingual = read_lines([line("山本 陽子", height=80), line("Yoko Yamamoto", height=30)])
    assert (bilingual.get("name"), bilingual.get("reading")) == ("山本 陽子", "Yoko Yamamoto")


def test_low_confidence_fields_are_marked_doubtful() -> None:
    card = read_lines([line("株式会社サンプル", confidence=55), line("田中 太郎", height=70)])
    assert not card.sure("company")
    assert card.sure("name")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("田中 太郎", ("田中 太郎", True)),
        ("佐々木一郎", ("佐々木 一郎", True)),
        ("林美咲", ("林 美咲", True)),
        ("東雲陽子", ("東雲 陽子", False)),  # not a common family name: a guess
        ("鈴木", ("鈴木", False)),  # the given name was not read
    ],
)
def test_japanese_names_are_split_into_family_and_given(
    text: str, expected: tuple[str, bool]
) -> None:
    assert split_japanese_name(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("営業部 部長", ("営業部", "部長")),
        ("AI戦略室室長", ("AI戦略室", "室長")),
        ("代表取締役社長", ("", "代表取締役社長")),
        ("Sales Department Manager", ("Sales Department", "Manager")),
        ("Senior Engineer", ("", "Senior Engineer")),
        ("経営企画課", ("経営企画課", None)),
    ],
)
def test_department_and_title_are_told_apart(text: str, expected: tuple[str, str | None]) -> None:
    assert split_title(text) == expected


@pytest.mark.parametrize(
    "company",
    [
        "有限会社山川製作所",
        "ミライラボ合同会社",
        "一般社団法人日本データ協会",
        "Contoso Inc.",
        "Fabrikam LLC",
    ],
)
def test_company_forms_are_recognized(company: str) -> None:
    assert read_lines([line(company), line("田中 太郎", height=70)]).get("company") == company


def test_japanese_glyphs_run_together_unless_a_wide_gap_parts_them() -> None:
    close = (
        Word("東京", 0, 0, 60, 30, 90),
        Word("都", 64, 0, 30, 30, 90),
        Word("1-2", 96, 0, 40, 30, 90),
    )
    assert join_words(close) == "東京都1-2"
    apart = (Word("田中", 0, 0, 60, 30, 90), Word("太郎", 100, 0, 60, 30, 90))
    assert join_words(apart) == "田中 太郎"
    latin = (Word("Sarah", 0, 0, 50, 30, 90), Word("Clark", 55, 0, 50, 30, 90))
    assert join_words(latin) == "Sarah Clark"


def test_a_latin_fragment_inside_a_japanese_line_counts_as_unread() -> None:
    misread = Line((Word("小林", 0, 0, 200, 100, 90), Word("KR", 300, 0, 200, 100, 88)))
    assert misread.confidence == 0.0


def test_a_vcard_is_read_with_folded_lines_escapes_and_types() -> None:
    card = parse_code(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:田中;太郎;;;\r\nFN:田中 太郎\r\n"
        "ORG:株式会社サンプル\\, 本社;営業部\r\nTITLE:部長\r\n"
        "TEL;TYPE=WORK,VOICE:03-1234-5678\r\nTEL;TYPE=CELL:09012345678\r\n"
        "TEL;TYPE=FAX:0312345679\r\nEMAIL;TYPE=INTERNET:taro@exa\r\n mple.jp\r\n"
        "ADR;TYPE=WORK:;;丸の内1-2-3;千代田区;東京都;1000005;Japan\r\nEND:VCARD"
    )
    assert card is not None
    assert values(card) == {
        "name": "田中 太郎",
        "company": "株式会社サンプル, 本社",
        "department": "営業部",
        "title": "部長",
        "phone": "03-1234-5678",
        "mobile": "090-1234-5678",
        "fax": "03-1234-5679",
        "email": "taro@example.jp",
        "postal_code": "100-0005",
        "address": "東京都千代田区丸の内1-2-3",
    }


def test_a_mecard_is_read_with_escaped_separators() -> None:
    card = parse_code(
        "MECARD:N:Johnson,Sarah;TEL:+14155550132;EMAIL:sarah@northwind.example;"
        "URL:https\\://northwind.example;ORG:Northwind\\; Ltd.;;"
    )
    assert card is not None
    assert values(card) == {
        "name": "Sarah Johnson",
        "phone": "+1 415-555-0132",
        "email": "sarah@northwind.example",
        "url": "https://northwind.example",
        "company": "Northwind; Ltd.",
    }
    assert parse_code("https://example.com") is None


def test_the_qr_code_wins_and_ocr_fills_in_what_it_lacks() -> None:
    code = parse_code("MECARD:N:田中,太郎;EMAIL:taro@sample.jp;;")
    merged = merge(code, read_lines(JAPANESE_CARD))
    assert merged.get("email") == "taro@sample.jp"
    assert merged.get("title") == "部長"
    assert merge(None, read_lines(JAPANESE_CARD)).get("email") == "taro.tanaka@sample.co.jp"
