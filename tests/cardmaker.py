"""Business cards for the scanning tests and benchmark, drawn with Pillow and a CJK font.

Each card is a person (the truth) and an image in one of several layouts:
Japanese horizontal, English, bilingual, with or without a QR code or a logo
block, optionally turned slightly and sprinkled with noise.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, fields, replace
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/opentype/noto")
REGULAR = FONT_DIR / "NotoSansCJK-Regular.ttc"
BOLD = FONT_DIR / "NotoSansCJK-Bold.ttc"
SIZE = (1075, 650)  # 91 x 55 mm at 300 dpi
LAYOUTS = ("ja", "en", "bilingual")

FAMILY = [
    ("田中", "たなか", "Tanaka"),
    ("佐藤", "さとう", "Sato"),
    ("鈴木", "すずき", "Suzuki"),
    ("高橋", "たかはし", "Takahashi"),
    ("伊藤", "いとう", "Ito"),
    ("渡辺", "わたなべ", "Watanabe"),
    ("山本", "やまもと", "Yamamoto"),
    ("中村", "なかむら", "Nakamura"),
    ("小林", "こばやし", "Kobayashi"),
    ("加藤", "かとう", "Kato"),
]
GIVEN = [
    ("太郎", "たろう", "Taro"),
    ("花子", "はなこ", "Hanako"),
    ("一郎", "いちろう", "Ichiro"),
    ("美咲", "みさき", "Misaki"),
    ("健", "けん", "Ken"),
    ("陽子", "ようこ", "Yoko"),
    ("大輔", "だいすけ", "Daisuke"),
    ("直樹", "なおき", "Naoki"),
]
EN_PEOPLE = [
    ("Sarah", "Johnson"),
    ("Michael", "Brown"),
    ("Emily", "Clark"),
    ("David", "Miller"),
    ("Laura", "Wilson"),
    ("James", "Carter"),
]
JA_COMPANIES = [
    ("株式会社", "サンプル商事", "sample-shoji"),
    ("株式会社", "テクノロジア", "technologia"),
    ("合同会社", "ミライラボ", "mirai-lab"),
    ("有限会社", "山川製作所", "yamakawa"),
    ("一般社団法人", "日本データ協会", "jdata"),
]
EN_COMPANIES = [
    ("Northwind", "Ltd.", "northwind"),
    ("Contoso", "Inc.", "contoso"),
    ("Fabrikam", "LLC", "fabrikam"),
    ("Blue Harbor", "Co., Ltd.", "blueharbor"),
]
JA_ROLES = [
    ("営業部", "部長"),
    ("AI戦略室", "室長"),
    ("開発本部", "マネージャー"),
    ("経営企画課", "課長"),
    ("", "代表取締役"),
]
EN_ROLES = [
    ("Sales Department", "Director"),
    ("Engineering", "Senior Engineer"),
    ("", "CEO"),
    ("Marketing Division", "Manager"),
]
JA_ADDRESSES = [
    ("100-0005", "東京都千代田区丸の内1-2-3"),
    ("530-0001", "大阪府大阪市北区梅田2-4-9"),
    ("150-0002", "東京都渋谷区渋谷3-12-18"),
    ("460-0008", "愛知県名古屋市中区栄4-1-1"),
]


@dataclass(frozen=True)
class Person:
    """What a card says: the fields the scanner should read back."""

    name: str
    reading: str | None
    company: str
    department: str | None
    title: str
    email: str
    phone: str
    mobile: str | None
    fax: str | None
    url: str | None
    postal_code: str | None
    address: str | None

    def truth(self) -> dict[str, str | None]:
        """The fields as a dict, names as in meishi.cards.fields.FIELDS."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Card:
    """A person, the layout their card is drawn in, and how it was spoiled."""

    person: Person
    layout: str
    qr: str | None = None  # "vcard" or "mecard"
    logo: bool = False
    angle: float = 0.0  # degrees, counter-clockwise
    noise: int = 0  # how many speckles


def person(rng: random.Random, layout: str) -> Person:
    """A random person for a layout."""
    phone, mobile = (
        _number(rng, rng.choice(["03-####-####", "06-####-####", "052-###-####"])),
        (_number(rng, rng.choice(["090", "080", "070"]) + "-####-####")),
    )
    if layout == "en":
        given, family = rng.choice(EN_PEOPLE)
        company, suffix, domain = rng.choice(EN_COMPANIES)
        department, title = rng.choice(EN_ROLES)
        return Person(
            name=f"{given} {family}",
            reading=None,
            company=f"{company} {suffix}",
            department=department or None,
            title=title,
            email=f"{given.lower()}.{family.lower()}@{domain}.example.com",
            phone=phone,
            mobile=mobile if rng.random() < 0.5 else None,
            fax=None,
            url=f"https://www.{domain}.example.com",
            postal_code=None,
            address=None,
        )
    (family, family_kana, family_latin), (given, given_kana, given_latin) = (
        rng.choice(FAMILY),
        rng.choice(GIVEN),
    )
    form, company, domain = rng.choice(JA_COMPANIES)
    department, title = rng.choice(JA_ROLES)
    postal, address = rng.choice(JA_ADDRESSES)
    return Person(
        name=f"{family} {given}",
        reading=(
            f"{given_latin} {family_latin}"
            if layout == "bilingual"
            else f"{family_kana} {given_kana}"
        ),
        company=f"{form}{company}" if rng.random() < 0.7 else f"{company}{form}",
        department=department or None,
        title=title,
        email=f"{given_latin.lower()}.{family_latin.lower()}@{domain}.co.jp",
        phone=phone,
        mobile=mobile if rng.random() < 0.5 else None,
        fax=_number(rng, phone[:-4] + "####") if rng.random() < 0.5 else None,
        url=f"https://www.{domain}.co.jp" if rng.random() < 0.5 else None,
        postal_code=postal,
        address=address,
    )


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """Noto Sans CJK JP at a pixel size."""
    return ImageFont.truetype(str(BOLD if bold else REGULAR), size, index=0)


def _number(rng: random.Random, pattern: str) -> str:
    """A valid Japanese number following a pattern, # for a random digit (not 0 first)."""
    import phonenumbers

    while True:
        number = "".join(rng.choice("123456789") if c == "#" else c for c in pattern)
        if phonenumbers.is_valid_number(phonenumbers.parse(number, "JP")):
            return number


def family_given(p: Person) -> tuple[str, str]:
    """(family, given): Japanese names are printed family first, English given first."""
    first, _, second = p.name.partition(" ")
    return (second, first) if p.reading is None else (first, second)


def vcard(p: Person) -> str:
    """The person as a vCard 3.0."""
    family, given = family_given(p)
    n = f"{family};{given};;;"
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"N:{n}",
        f"FN:{p.name}",
        f"ORG:{p.company};{p.department or ''}",
        f"TITLE:{p.title}",
        f"EMAIL;TYPE=INTERNET,WORK:{p.email}",
        f"TEL;TYPE=WORK,VOICE:{p.phone}",
    ]
    lines += [f"TEL;TYPE=CELL:{p.mobile}"] if p.mobile else []
    lines += [f"TEL;TYPE=WORK,FAX:{p.fax}"] if p.fax else []
    lines += [f"URL:{p.url}"] if p.url else []
    if p.address:
        lines.append(f"ADR;TYPE=WORK:;;{p.address};;;{p.postal_code};Japan")
    return "\r\n".join([*lines, "END:VCARD"])


def mecard(p: Person) -> str:
    """The person as a MECARD."""
    family, given = family_given(p)
    parts = [f"N:{family},{given}", f"TEL:{p.phone}", f"EMAIL:{p.email}"]
    parts += [f"URL:{p.url}"] if p.url else []
    parts += [f"ORG:{p.company}", f"TITLE:{p.title}"]
    return (
        "MECARD:"
        + ";".join(
            key + ":" + value.replace(":", "\\:")
            for key, value in (part.split(":", 1) for part in parts)
        )
        + ";;"
    )


def qr_image(payload: str, box: int) -> Image.Image:
    """A QR code of about box pixels."""
    import io

    import segno

    code = segno.make(payload, error="m", micro=False)
    scale = max(2, box // (code.symbol_size()[0]))
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=scale, border=2)
    buffer.seek(0)
    return Image.open(buffer).convert("L")


def draw(card: Card) -> Image.Image:
    """The card as an RGB image."""
    p = card.person
    image = Image.new("RGB", SIZE, "white")
    pen = ImageDraw.Draw(image)
    ink = (25, 25, 35)
    left = 70
    if card.logo:
        pen.rectangle((left, 50, left + 90, 140), fill=(200, 40, 40))
        pen.ellipse((left + 20, 70, left + 70, 120), fill="white")
        left += 120
    pen.text((left, 60), p.company, font=font(38, bold=True), fill=ink)
    y = 130
    if card.layout == "en":  # the title, and the department under it
        for part in (p.title, p.department):
            if part:
                pen.text((left, y), part, font=font(28), fill=ink)
                y += 40
    else:
        role = " ".join(part for part in (p.department, p.title) if part)
        pen.text((left, y), role, font=font(30), fill=ink)
        y += 50
    y = max(y + 20, 200)
    if p.reading and card.layout == "ja":
        pen.text((70, y), p.reading, font=font(24), fill=ink)
        y += 36
    name_text = p.name if card.layout != "ja" else p.name.replace(" ", "\u3000")
    pen.text((70, y), name_text, font=font(72, bold=True), fill=ink)
    y += 105
    if p.reading and card.layout == "bilingual":
        pen.text((70, y), p.reading, font=font(32), fill=ink)
        y += 50
    y = max(y + 10, 400)
    lines = _contact_lines(p, card.layout)
    small = font(26)
    for line in lines:
        pen.text((70, y), line, font=small, fill=ink)
        y += 38
    if card.qr:
        payload = vcard(p) if card.qr == "vcard" else mecard(p)
        code = qr_image(payload, 230)
        image.paste(code, (SIZE[0] - code.width - 40, 40))
    if card.noise:
        rng = random.Random(card.noise)
        for _ in range(card.noise):
            x, yy = rng.randrange(SIZE[0]), rng.randrange(SIZE[1])
            pen.point((x, yy), fill=(90, 90, 90))
    if card.angle:
        image = image.rotate(card.angle, expand=True, fillcolor="white", resample=Image.BICUBIC)
    return image


def _contact_lines(p: Person, layout: str) -> list[str]:
    """The small lines at the bottom of a card: address, phones, email, web."""
    lines = []
    if p.address:
        lines.append(f"〒{p.postal_code} {p.address}")
    if layout == "ja":
        phones = f"TEL {p.phone}" + (f"  FAX {p.fax}" if p.fax else "")
        lines.append(phones)
        if p.mobile:
            lines.append(f"携帯 {p.mobile}")
    else:
        lines.append(f"Tel: {p.phone}" + (f"  Fax: {p.fax}" if p.fax else ""))
        if p.mobile:
            lines.append(f"Mobile: {p.mobile}")
    lines.append(f"E-mail: {p.email}")
    if p.url:
        lines.append(p.url)
    return lines


def make_cards(count: int, seed: int = 7, spoil: bool = False) -> list[Card]:
    """count cards cycling through the layouts; a third carry a QR code; spoiled ones are bent."""
    rng = random.Random(seed)
    cards = []
    for number in range(count):
        layout = LAYOUTS[number % len(LAYOUTS)]
        qr = ("vcard", None, None, "mecard", None, None)[(number // len(LAYOUTS)) % 6]
        cards.append(
            Card(
                person(rng, layout),
                layout,
                qr=qr,
                logo=number % 4 == 1,
                angle=rng.uniform(-2.5, 2.5) if spoil else 0.0,
                noise=300 if spoil else 0,
            )
        )
    return cards


def save(card: Card, path: Path) -> Path:
    """Draw the card into a file."""
    draw(card).save(path)
    return path


def qr_card_folder(folder: Path, count: int, seed: int = 9) -> Path:
    """A new folder of count cards, each with a QR code (quick to read), and a text file
    that is not a card."""
    folder.mkdir()
    for number, card in enumerate(make_cards(count, seed=seed)):
        save(replace(card, qr="mecard"), folder / f"{number}.png")
    (folder / "notes.txt").write_text("not a card")
    return folder
