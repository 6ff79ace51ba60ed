"""Mail messages: one recipient, encoded headers, no header injection."""

from datetime import UTC, datetime, timedelta, timezone
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from typing import Any

import pytest

from meishi.errors import BadValue, HeaderInjection
from meishi.mail import message as mail

JST = timezone(timedelta(hours=9))
BODY = "田中 太郎 様\n\n昨日はありがとうございました。\n" + "x" * 200 + "\n"


def build(**changes: Any) -> bytes:
    """The bytes of a sample draft message, with some arguments replaced."""
    arguments: dict[str, Any] = {
        "to_name": "田中 太郎",
        "to_addr": "taro@example.jp",
        "from_name": "山田 花子",
        "from_addr": "hanako@example.com",
        "subject": "「AI勉強会」のお礼（山田 花子）",
        "body": BODY,
        "when": datetime(2024, 11, 29, 9, 30, tzinfo=JST),
        "message_id_domain": "example.com",
        "draft": True,
        "owner": "contact '田中 太郎'",
    }
    arguments.update(changes)
    return mail.message_bytes(mail.build_message(**arguments))


def parse(raw: bytes) -> EmailMessage:
    """Parse bytes back the way a mail client would."""
    message = BytesParser(policy=default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def header_lines(raw: bytes) -> list[bytes]:
    """The raw header lines of a message."""
    return raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")


def raw_field(raw: bytes, name: str) -> str:
    """A header's raw value, unfolded."""
    unfolded = b"\r\n".join(header_lines(raw)).replace(b"\r\n ", b" ").decode("ascii")
    (value,) = [
        line[len(name) + 2 :] for line in unfolded.split("\r\n") if line.startswith(f"{name}: ")
    ]
    return value


def test_exactly_one_recipient_and_no_copies() -> None:
    message = parse(build())
    (to,) = message["To"].addresses
    assert (to.display_name, to.addr_spec) == ("田中 太郎", "taro@example.jp")
    assert message["Cc"] is None and message["Bcc"] is None
    assert message["From"].addresses[0].addr_spec == "hanako@example.com"


@pytest.mark.parametrize(
    "name",
    [
        'Smith, John "JJ"',
        "田中, 太郎",
        "O'Neil (Sales)",
        "a@b.c",
        # Long enough to fold: Python 3.11's folder would drop the quotes (gh-80222).
        'Tanaka, Taro "TT" ' + "Engineering Division, " * 4,
    ],
)
def test_display_name_with_specials_is_one_address(name: str) -> None:
    (to,) = parse(build(to_name=name))["To"].addresses
    assert (to.display_name, to.addr_spec) == (name, "taro@example.jp")


def test_long_japanese_display_name_keeps_its_spaces() -> None:
    name = "株式会社サンプル Engineering Division 部長 田中 太郎 (Taro Tanaka)"
    to = raw_field(build(to_name=name), "To")
    words, _, address = to.rpartition(" ")
    assert address == "<taro@example.jp>"
    # Decoded by the book (RFC 2047): Python 3.11's parser would add spaces of its own.
    assert str(make_header(decode_header(words))) == name


@pytest.mark.parametrize(
    "subject",
    [
        "「AI勉強会」のお礼（山田 花子）",
        # Python 3.11's folder puts spaces between encoded-words, which readers drop.
        "Thank you for meeting at AI勉強会 — 山田 花子",
        "「第12回 AI勉強会」のお礼（株式会社サンプル・エンジニアリング 山田 花子）",
    ],
)
def test_headers_are_ascii_and_japanese_subject_decodes(subject: str) -> None:
    raw = build(subject=subject)
    assert all(line.isascii() and len(line) <= 78 for line in header_lines(raw))
    assert b"=?utf-8?" in raw
    assert parse(raw)["Subject"] == subject


def test_lines_end_in_crlf() -> None:
    raw = build()
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_body_round_trips() -> None:
    message = parse(build())
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    # text/plain travels with CRLF line ends (RFC 2046); clients show plain line breaks.
    assert message.get_content().replace("\r\n", "\n") == BODY


def test_date_and_message_id() -> None:
    message = parse(build())
    assert message["Date"].datetime == datetime(2024, 11, 29, 0, 30, tzinfo=UTC)
    assert message["Message-ID"].endswith("@example.com>")


def test_message_id_falls_back_to_an_invalid_domain() -> None:
    message = parse(build(message_id_domain=None, from_addr=None, from_name=None))
    assert message["Message-ID"].endswith("@meishi.invalid>")
    assert message["From"] is None


def test_internationalized_domains_are_sent_in_ascii() -> None:
    raw = build(to_addr="taro@例え.jp", message_id_domain="例え.jp")
    message = parse(raw)
    assert message["To"].addresses[0].addr_spec == "taro@xn--r8jz45g.jp"
    assert message["Message-ID"].endswith("@xn--r8jz45g.jp>")


@pytest.mark.parametrize(("draft", "expected"), [(True, "1"), (False, None)])
def test_x_unsent_only_for_drafts(draft: bool, expected: str | None) -> None:
    assert parse(build(draft=draft))["X-Unsent"] == expected


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        build(when=datetime(2024, 11, 29, 9, 30))


@pytest.mark.parametrize(
    ("argument", "field"),
    [
        ("to_name", "name"),
        ("to_addr", "email"),
        ("from_name", "sender name"),
        ("from_addr", "sender email"),
        ("subject", "subject"),
        ("message_id_domain", "message-id domain"),
    ],
)
@pytest.mark.parametrize("bad", ["\r\nBcc: evil@example.com", "\n", "\r", "\x00", "\x1b", "\u2028"])
def test_header_injection_is_refused(argument: str, field: str, bad: str) -> None:
    value = f"x{bad}" if argument != "to_addr" else f"taro@example.jp{bad}"
    with pytest.raises(HeaderInjection) as caught:
        build(**{argument: value})
    assert str(caught.value).startswith(f"contact '田中 太郎': {field} contains a line break")


def test_check_header_value() -> None:
    assert mail.check_header_value("田中 太郎", "name", "contact") == "田中 太郎"
    with pytest.raises(
        HeaderInjection, match=r"event 'AI': name .*\(U\+000A\); fix it with meishi"
    ):
        mail.check_header_value("AI\n", "name", "event 'AI'", fix="meishi event edit")


def test_invalid_recipient_names_the_owner() -> None:
    with pytest.raises(BadValue, match="contact '田中 太郎': invalid email 'nobody'"):
        build(to_addr="nobody")


@pytest.mark.parametrize(
    ("address", "normalized"),
    [
        ("taro@example.jp", "taro@example.jp"),
        ("Taro.Tanaka@Example.CO.JP", "Taro.Tanaka@example.co.jp"),
        ("taro@例え.jp", "taro@例え.jp"),
    ],
)
def test_check_email_accepts(address: str, normalized: str) -> None:
    assert mail.check_email(address) == normalized


@pytest.mark.parametrize("address", ["nobody", "a@", "a b@example.jp", "田中@example.jp", "a@host"])
def test_check_email_refuses(address: str) -> None:
    with pytest.raises(BadValue, match=f"invalid email '{address}': "):
        mail.check_email(address)


LONG_NAMES = {
    "subject": "【御礼】第12回 Tokyo AI 勉強会 〜生成AIと業務改善の最前線〜"
    "（株式会社サンプル商事 山田 花子）",
    "to_name": "独立行政法人情報処理推進機構 デジタル基盤センター 田中 太郎",
    "from_name": "株式会社サンプル商事 営業本部 第一営業部 山田 花子",
}


@pytest.mark.parametrize("field", sorted(LONG_NAMES))
def test_encoded_words_keep_to_rfc_2047_lengths(field: str) -> None:
    raw = build(**{field: LONG_NAMES[field]})
    words = [word for line in header_lines(raw) for word in line.split() if word.startswith(b"=?")]
    assert len(words) >= 3  # long enough to need several words
    assert max(len(word) for word in words) <= 75
    encoded_lines = [line for line in header_lines(raw) if b"=?" in line]
    assert max(len(line) for line in encoded_lines) <= 76
    header = {"subject": "Subject", "to_name": "To", "from_name": "From"}[field]
    decoded = str(make_header(decode_header(raw_field(raw, header))))
    assert LONG_NAMES[field] in decoded


def test_an_encoded_word_never_splits_a_character() -> None:
    raw = build(subject="🎉" * 40 + "お礼")
    for line in header_lines(raw):
        for word in line.split():
            if word.startswith(b"=?"):
                decode_header(word.decode("ascii"))[0][0].decode("utf-8")  # raises if split
    assert parse(raw)["Subject"] == "🎉" * 40 + "お礼"
