"""What a business card says: fields read from its QR code (vCard, MECARD) or its OCR'd text.

Pure: no images, no Tesseract. The scanner hands in what Tesseract saw as lines of
positioned words; this module decides which line is the company, the title, the
name, and how sure it is of each.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from meishi.card_fields import SCANNED, card_fields
from meishi.text import has_japanese

STRAY = " []【】〔〕|｜「」<>{}_~'\"・•"
# Every field a card can yield, in the order they are shown for review.
FIELDS = card_fields(SCANNED)
# Below this Tesseract confidence (0-100) a field is shown as doubtful.
CONFIDENT = 80.0
# Next to a CJK glyph, a gap wider than this share of the line's height is a space
# (Tesseract's boxes for Japanese are loose, so only a wide gap counts).
SPACE_GAP = 0.85

COMPANY_JA = re.compile(
    r"株式会社|有限会社|合同会社|合資会社|合名会社|[一公]般?[社財]団法人|公益[社財]団法人"
    r"|特定非営利活動法人|NPO法人|学校法人|医療法人|社会福祉法人|独立行政法人|[(（]株[)）]"
)
COMPANY_EN = re.compile(
    r"\b(?:Inc|Co|Ltd|LLC|LLP|Corp|Corporation|Company|Limited|GmbH|K\.K|Holdings|PLC|S\.A)\b\.?",
    re.IGNORECASE,
)
TITLES_JA = (
    "代表取締役社長",
    "代表取締役会長",
    "代表取締役",
    "取締役副社長",
    "専務取締役",
    "常務取締役",
    "取締役",
    "執行役員",
    "代表理事",
    "理事長",
    "理事",
    "監査役",
    "社長",
    "副社長",
    "会長",
    "本部長",
    "事業部長",
    "部長代理",
    "副部長",
    "部長",
    "次長",
    "課長代理",
    "課長",
    "係長",
    "室長",
    "所長",
    "支店長",
    "センター長",
    "グループ長",
    "主任",
    "主査",
    "顧問",
    "マネージャー",
    "マネジャー",
    "シニアマネージャー",
    "ディレクター",
    "エンジニア",
    "コンサルタント",
    "デザイナー",
    "リーダー",
    "プロデューサー",
    "代表",
)
TITLE_EN = re.compile(
    r"\b(?:CEO|CTO|CFO|COO|CIO|CMO|President|Vice President|VP|Director|Manager|Engineer"
    r"|Head|Lead|Founder|Co-Founder|Partner|Consultant|Designer|Officer|Specialist|Analyst"
    r"|Architect|Chief|Chairman|Representative|Researcher|Scientist|Developer|Executive"
    r"|Associate|Producer|Advisor|Adviser)\b",
    re.IGNORECASE,
)
DEPARTMENT_JA = re.compile(
    r"\S*(?:本部|事業部|部|課|室|局|センター|グループ|チーム|研究所|支店|営業所)$"
)
DEPARTMENT_EN = re.compile(
    r"\b(?:Department|Dept|Division|Team|Group|Office|Unit|Lab|Laboratory|Bureau|Engineering"
    r"|Sales|Marketing|Research|Development|Operations|Finance|Human Resources)\b\.?",
    re.IGNORECASE,
)
EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
URL = re.compile(
    r"(?:[Hh][Tt][Tt][Pp][Ss]?://|[Ww]{3}\.)[^\s、,]+"
    r"|\b[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.(?:com|jp|net|org|io|co|dev|ai)\b(?:/[^\s、,]*)?"
)
POSTAL = re.compile(r"(?:〒|T\s)?\s*(\d{3})\s*[-ー−‐]\s*(\d{4})")
ADDRESS_JA = re.compile(r"(?:東京都|北海道|(?:京都|大阪)府|\S{2,3}県)\S*?[市区町村郡]")
ADDRESS_EN = re.compile(
    r"\d+.*\b(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Suite|Floor|Drive|Dr|Lane)\b",
    re.IGNORECASE,
)
# Labels before a number, in the order they are tried; the first label word decides.
PHONE_LABELS = (
    ("fax", re.compile(r"(?:FAX|Fax|fax|ファックス|ファクス|Ｆ|F)\s*[.:：]?\s*$")),
    ("mobile", re.compile(r"(?:携帯|Mobile|MOBILE|mobile|Cell|CELL|M|Mob)\s*[.:：]?\s*$")),
    ("phone", re.compile(r"(?:TEL|Tel|tel|電話|Phone|PHONE|Ｔ|T|D|Direct)\s*[.:：]?\s*$")),
)
MOBILE_PREFIX = re.compile(r"^0[789]0")
# Common family names, for splitting a Japanese name printed without a space.
FAMILY_NAME_LIST = (
    "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 林 斎藤"
    " 清水 山崎 森 池田 橋本 阿部 石川 山下 中島 石井 小川 前田 岡田 長谷川 藤田 後藤 近藤 村上"
    " 遠藤 青木 坂本 斉藤 福田 太田 西村 藤井 金子 岡本 藤原 中野 三浦 原田 中川 松田 竹内 小野"
    " 田村 中山 和田 石田 森田 上田 原 柴田 酒井 工藤 横山 宮崎 宮本 内田 高木 安藤 島田 谷口 大野"
    " 高田 丸山 今井 河野 藤本 村田 武田 上野 杉山 増田 小山 大塚 平野 菅原 久保 松井 千葉 岩崎"
    " 桜井 木下 野口 松尾 菊地 野村 新井 渡部"
)
FAMILY_NAMES = frozenset(FAMILY_NAME_LIST.split())


@dataclass(frozen=True)
class Word:
    """One word (for Japanese, often one glyph) as OCR saw it, with its box and confidence."""

    text: str
    left: int
    top: int
    width: int
    height: int
    confidence: float


@dataclass(frozen=True)
class Line:
    """A line of words, left to right."""

    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        """The words joined: a space between Latin words or across a wide gap."""
        return join_words(self.words)

    @property
    def height(self) -> float:
        """How tall the line's glyphs are: its prominence on the card."""
        return statistics.median(word.height for word in self.words) if self.words else 0.0

    @property
    def confidence(self) -> float:
        """The lowest confidence of its words, a stray Latin fragment counting as none."""
        return min(self.confidences(), default=0.0)

    @property
    def mean_confidence(self) -> float:
        """The average confidence of its words, a stray Latin fragment counting as none."""
        scores = self.confidences()
        return sum(scores) / len(scores) if scores else 0.0

    def confidences(self) -> list[float]:
        """Each word's confidence; 0 for a stray Latin fragment in a Japanese line.

        Read with Japanese and English models together, a big kanji often comes out
        as two or three capitals (大輔 as "KR") with a high confidence.
        """
        japanese = has_japanese(self.text)
        return [
            0.0 if japanese and re.fullmatch(r"[A-Za-z]{1,3}", word.text) else word.confidence
            for word in self.words
        ]


@dataclass(frozen=True)
class Reading:
    """A field's value and whether it was read with confidence."""

    value: str
    sure: bool = True


@dataclass
class CardFields:
    """The fields read from one card; those not found are absent."""

    fields: dict[str, Reading] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        """A field's value, or None."""
        reading = self.fields.get(name)
        return reading.value if reading else None

    def sure(self, name: str) -> bool:
        """True unless the field was read with low confidence."""
        reading = self.fields.get(name)
        return reading is None or reading.sure

    def set(self, name: str, value: str | None, sure: bool = True) -> None:
        """Record a field unless it is already known or the value is empty."""
        value = (value or "").strip()
        if value and name not in self.fields:
            self.fields[name] = Reading(value, sure)


def is_cjk(char: str) -> bool:
    """True for a kanji, kana or full-width punctuation glyph."""
    return ord(char) >= 0x2E80 or has_japanese(char)


def join_words(words: Sequence[Word]) -> str:
    """Words as text: CJK glyphs run together unless a wide gap separates them."""
    height = max((word.height for word in words), default=0)
    text = ""
    for before, word in zip((None, *words), words, strict=False):
        if before is not None:
            cjk = is_cjk(before.text[-1]) or is_cjk(word.text[0])
            gap = word.left - (before.left + before.width)
            if not cjk or gap > SPACE_GAP * height:
                text += " "
        text += word.text
    return text


def normalize(text: str) -> str:
    """OCR text in one form: NFKC (full-width digits and Latin made ASCII), spaces tidied.

    Brackets and bars at either end are what OCR makes of logos and rules; "Al" before
    Japanese is nearly always "AI" (AI戦略室).
    """
    text = " ".join(unicodedata.normalize("NFKC", text).split()).strip(STRAY)
    return re.sub(r"\bAl(?=[\u3000-\u9fff])", "AI", text)


# --- QR codes ----------------------------------------------------------------------------


def parse_code(payload: str) -> CardFields | None:
    """The fields of a vCard or MECARD payload, or None when it is neither."""
    text = payload.strip()
    if text.upper().startswith("BEGIN:VCARD"):
        return parse_vcard(text)
    if text.upper().startswith("MECARD:"):
        return parse_mecard(text)
    return None


def split_escaped(text: str, separator: str) -> list[str]:
    """Text split on a separator not escaped with a backslash, escapes undone."""
    parts, current, chars = [], "", iter(text)
    for char in chars:
        if char == "\\":
            escaped = next(chars, "")
            current += "\n" if escaped in "nN" and escaped else escaped
        elif char == separator:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def parse_vcard(text: str) -> CardFields:
    """The fields of a vCard (2.1, 3.0 or 4.0), read by the same parser as vCard files."""
    from meishi.formats.vcard import read_vcard_text
    from meishi.inputs import CardRecord

    record = read_vcard_text(text)
    card = CardFields()
    if not isinstance(record, CardRecord):
        return card
    card.set("name", record.name or join_name(record.family_name or "", record.given_name or ""))
    readings = (record.family_reading or "", record.given_reading or "")
    card.set("reading", record.reading or " ".join(r for r in readings if r))
    for name in ("company", "department", "title"):
        card.set(name, getattr(record, name))
    card.set("email", next(iter(record.emails), None))
    card.set("url", next(iter(record.urls), None))
    for kind, number in record.typed_phones:
        card.set(kind, format_phone(number) or number)
    if record.address_parts:
        _set_address(card, record.address_parts)
    return card


def _set_address(card: CardFields, parts: list[str]) -> None:
    """Postal code and address from vCard ADR parts (box;ext;street;city;region;code;country)."""
    _box, extended, street, city, region, code, *_ = [*parts, *[""] * 7]
    card.set("postal_code", normalize_postal(code) or code)
    japanese = has_japanese(region + city + street)
    ordered = (region, city, street, extended) if japanese else (street, extended, city, region)
    card.set("address", ("" if japanese else " ").join(p for p in ordered if p))


def parse_mecard(text: str) -> CardFields:
    """The fields of a MECARD (the format of Japanese phones' contact QR codes)."""
    card = CardFields()
    for part in split_escaped(text[len("MECARD:") :], ";"):
        key, _, value = part.partition(":")
        key = key.upper()
        if key == "N":
            family, _, given = value.partition(",")
            card.set("name", join_name(family, given))
        elif key == "SOUND":
            card.set("reading", value.replace(",", " "))
        elif key in ("TEL", "TEL-AV"):
            number = format_phone(value) or value
            card.set("mobile" if MOBILE_PREFIX.match(digits(value)) else "phone", number)
        elif key in ("EMAIL", "URL", "ORG", "TITLE"):
            card.set({"ORG": "company"}.get(key, key.lower()), value)
        elif key == "ADR":
            _set_address(card, value.split(","))
    return card


def join_name(family: str, given: str) -> str:
    """A full name from its parts, in the order the name's script uses."""
    family, given = family.strip(), given.strip()
    if has_japanese(family + given):
        return f"{family} {given}".strip()
    return f"{given} {family}".strip()


# --- OCR text ----------------------------------------------------------------------------


def digits(text: str) -> str:
    """Only the digits of a text."""
    return re.sub(r"\D", "", text)


def format_phone(text: str) -> str | None:
    """A phone number as written at home (03-1234-5678, or +1 ... abroad), or None."""
    import phonenumbers

    try:
        number = phonenumbers.parse(normalize(text), "JP")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 81
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def normalize_postal(text: str) -> str | None:
    """A Japanese postal code as 123-4567, or None."""
    found = POSTAL.search(normalize(text))
    if found:
        return f"{found[1]}-{found[2]}"
    number = digits(text)
    return f"{number[:3]}-{number[3:]}" if len(number) == 7 else None


def read_lines(lines: Iterable[Line]) -> CardFields:
    """The fields of a card from its OCR'd lines, each marked sure or doubtful."""
    card = CardFields()
    rest: list[Line] = []
    for line in lines:
        text = normalize(line.text)
        if text and not _contact_line(card, text, line.confidence >= CONFIDENT):
            rest.append(line)
    names: list[Line] = []
    for line in rest:
        text = normalize(line.text)
        if not _organization_line(card, text, line.confidence >= CONFIDENT):
            names.append(line)
    _name(card, names)
    return card


def _contact_line(card: CardFields, text: str, sure: bool) -> bool:
    """Take emails, URLs, phones and the address from a line; True when it held one."""
    found = False
    for email in EMAIL.findall(text):
        card.set("email", email.lower(), sure)
        found = True
    without_email = EMAIL.sub(" ", text)
    for url in URL.findall(without_email):
        if not re.fullmatch(r"[\d.]+", url):
            card.set("url", url.rstrip("."), sure)
            found = True
    found = _phones(card, URL.sub(" ", without_email), sure) or found
    return _address(card, text, sure) or found


def _phones(card: CardFields, text: str, sure: bool) -> bool:
    """Phone, mobile and fax numbers in a line, labelled by the word before each."""
    import phonenumbers

    found = False
    for match in phonenumbers.PhoneNumberMatcher(text, "JP", leniency=phonenumbers.Leniency.VALID):
        number = phonenumbers.format_number(
            match.number,
            phonenumbers.PhoneNumberFormat.NATIONAL
            if match.number.country_code == 81
            else phonenumbers.PhoneNumberFormat.INTERNATIONAL,
        )
        card.set(_phone_kind(text[: match.start], number), number, sure)
        found = True
    return found


def _phone_kind(before: str, number: str) -> str:
    """phone, mobile or fax, from the label just before the number (or its prefix)."""
    label = before[-12:]
    for kind, pattern in PHONE_LABELS:
        if pattern.search(label):
            return kind
    return "mobile" if MOBILE_PREFIX.match(digits(number)) else "phone"


def _address(card: CardFields, text: str, sure: bool) -> bool:
    """The postal code and the address on a line; True when the line is an address."""
    postal = POSTAL.search(text)
    # OCR often reads 〒 as T or 7 (7100-0005); at the start of a line it is still a mark.
    postal_marked = postal is not None and (
        "〒" in text or text[: postal.start()].strip() in ("", "T", "7", "干", "テ")
    )
    if postal_marked and postal is not None:
        card.set("postal_code", f"{postal[1]}-{postal[2]}", sure)
        text = text[postal.end() :].strip()
    if ADDRESS_JA.search(text) or ADDRESS_EN.search(text):
        card.set("address", text.strip(" ,"), sure)
        return True
    return postal_marked


def _without_cjk_spaces(text: str) -> str:
    """Text with the spaces between two Japanese glyphs taken out."""
    return re.sub(r"(?<=[\u3000-\u9fff]) (?=[\u3000-\u9fff])", "", text)


def _organization_line(card: CardFields, text: str, sure: bool) -> bool:
    """Take the company, department or title from a line; True when it held one."""
    if COMPANY_JA.search(text.replace(" ", "")):  # OCR may part 有限 会社
        card.set("company", text if not has_japanese(text) else _without_cjk_spaces(text), sure)
        return True
    if COMPANY_EN.search(text):
        card.set("company", text, sure)
        return True
    department, title = split_title(text)
    if title:
        card.set("title", title, sure)
    if department and (DEPARTMENT_JA.search(department) or DEPARTMENT_EN.search(department)):
        card.set("department", department, sure)
        return True
    return bool(title)


def split_title(text: str) -> tuple[str, str | None]:
    """(the rest, the title) when a line ends with a title: 営業部 部長, Sales Manager."""
    compact = text.replace(" ", "")
    for title in TITLES_JA:
        if compact.endswith(title):
            rest = compact[: -len(title)]
            # 営業部長 is one title; 営業部 部長 (or 営業企画部課長) is a department and a title.
            if not rest or DEPARTMENT_JA.search(rest) or text.endswith(f" {title}"):
                return rest, title
            return "", compact
    if TITLE_EN.search(text) and not has_japanese(text):
        # "Sales Department Director", "Sales Dept., Manager": the title follows the unit.
        for unit in reversed(list(DEPARTMENT_EN.finditer(text))):
            if TITLE_EN.search(text[unit.end() :]):
                return text[: unit.end()].strip(" ,"), text[unit.end() :].strip(" ,")
        return "", text
    return text, None


def _name(card: CardFields, lines: Sequence[Line]) -> None:
    """The name: the tallest remaining line that looks like one; a second may be its reading."""
    candidates = [line for line in lines if _looks_like_name(normalize(line.text))]
    if not candidates:
        return
    # A furigana line is never the name when there is another candidate.
    best = max(candidates, key=lambda line: (not _is_kana(normalize(line.text)), line.height))
    text = normalize(best.text)
    name, split_sure = split_japanese_name(text) if has_japanese(text) else (text, True)
    card.set("name", name, split_sure and best.confidence >= CONFIDENT)
    for line in candidates:
        other = normalize(line.text)
        # Furigana, or the romaji of a Japanese name, is its reading.
        if line is not best and (_is_kana(other) or has_japanese(text) > has_japanese(other)):
            card.set("reading", other, line.confidence >= CONFIDENT)
            break


def _looks_like_name(text: str) -> bool:
    """True for 2-7 CJK glyphs, or 2-4 capitalized Latin words, and nothing else."""
    if _is_kana(text):
        return len(text) <= 16
    if has_japanese(text):
        return (
            bool(re.fullmatch(r"[^\W\d_]{1,5}(?: [^\W\d_]{1,5})?", text))
            and 2 <= len(text.replace(" ", "")) <= 7
        )
    words = text.split()
    return 2 <= len(words) <= 4 and all(re.fullmatch(r"[A-Z][A-Za-z'.\-]*", w) for w in words)


def _is_kana(text: str) -> bool:
    """True for text in kana only (a furigana line)."""
    compact = text.replace(" ", "")
    return bool(compact) and all("ぁ" <= c <= "ヿ" for c in compact)


def split_japanese_name(text: str) -> tuple[str, bool]:
    """A Japanese name with a space between family and given name; False when guessed."""
    if " " in text:
        return text, True
    for length in (3, 2, 1):
        if text[:length] in FAMILY_NAMES and len(text) > length:
            return f"{text[:length]} {text[length:]}", True
    if len(text) <= 2 or text in FAMILY_NAMES:  # a family name alone: the rest was not read
        return text, False
    cut = 2
    return f"{text[:cut]} {text[cut:]}", False


def merge(trusted: CardFields | None, other: CardFields) -> CardFields:
    """The fields of a QR code, with the OCR'd text filling in what the code lacks."""
    if trusted is None:
        return other
    merged = replace(trusted, fields=dict(trusted.fields))
    for name, reading in other.fields.items():
        merged.set(name, reading.value, reading.sure)
    return merged
