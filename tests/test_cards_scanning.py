"""`meishi add --scan`: business cards read from generated images, QR codes first, then OCR.

The cards are drawn by cardmaker with Noto Sans CJK; Tesseract (jpn, eng) and the
font must be installed (.ci/run installs them): these tests fail, not skip, without.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cardmaker import Card, make_cards, person, qr_card_folder, save
from helpers import add_event, add_person, describe, error_of, fails, json_of, ok, run, table_count
from meishi.cards import scanning

TARGET_FIELDS = ("email", "phone", "company")


def clean_cards() -> list[Card]:
    """Six clean cards, two of each layout, none with a QR code."""
    return [dataclasses.replace(card, qr=None) for card in make_cards(6, seed=3)]


@pytest.fixture(scope="module")
def ocr_results(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Card, dict]]:
    """Each clean card with what OCR read from it (read once for the module: OCR is slow)."""
    folder = tmp_path_factory.mktemp("cards")
    results = []
    for number, card in enumerate(clean_cards()):
        read = scanning.scan(save(card, folder / f"card{number}.png"))
        assert not read.from_code
        results.append((card, {name: read.fields.get(name) for name in card.person.truth()}))
    return results


def test_the_test_machine_has_tesseract_with_japanese() -> None:
    command = scanning.tesseract_command()
    assert command is not None, scanning.INSTALL_TESSERACT
    assert scanning.tesseract_languages(command) == "jpn+eng"


@pytest.mark.slow
@pytest.mark.parametrize("field", TARGET_FIELDS)
def test_ocr_reads_emails_phones_and_companies_exactly(
    ocr_results: list[tuple[Card, dict]], field: str
) -> None:
    wrong = [(c.person.truth()[field], read[field]) for c, read in ocr_results
             if read[field] != c.person.truth()[field]]  # fmt: skip
    assert wrong == []


@pytest.mark.slow
def test_ocr_reads_names_titles_and_departments(ocr_results: list[tuple[Card, dict]]) -> None:
    for field in ("name", "title", "department"):
        right = sum(read[field] == card.person.truth()[field] for card, read in ocr_results)
        assert right >= len(ocr_results) - 1, (field, ocr_results)


@pytest.mark.slow
def test_a_slightly_turned_noisy_card_with_a_logo_is_straightened(tmp_path: Path) -> None:
    import random

    card = Card(person(random.Random(5), "ja"), "ja", logo=True, angle=2.0, noise=400)
    read = scanning.scan(save(card, tmp_path / "bent.png")).fields
    truth = card.person.truth()
    assert [read.get(f) for f in TARGET_FIELDS] == [truth[f] for f in TARGET_FIELDS]


@pytest.mark.slow
def test_an_upside_down_card_is_turned_upright(tmp_path: Path) -> None:
    import random

    from PIL import Image

    card = Card(person(random.Random(8), "en"), "en")
    path = tmp_path / "upside-down.png"
    save(card, path)
    Image.open(path).rotate(180).save(path)
    read = scanning.scan(path).fields
    assert (read.get("email"), read.get("name")) == (card.person.email, card.person.name)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["vcard", "mecard"])
def test_qr_codes_are_read_exactly_and_trusted_over_ocr(tmp_path: Path, kind: str) -> None:
    card = dataclasses.replace(make_cards(3, seed=4)[1], qr=kind)
    read = scanning.scan(save(card, tmp_path / "qr.png"), ocr=False)
    assert read.from_code
    truth = card.person.truth()
    for field in ("name", "email", "phone", "company", "title", "url"):
        assert read.fields.get(field) == truth[field], field
        assert read.fields.sure(field)


# --- the command ------------------------------------------------------------------------


def card_file(
    tmp_path: Path, number: int = 0, qr: str | None = None, seed: int = 3
) -> tuple[Card, Path]:
    """One generated card saved as a PNG."""
    card = dataclasses.replace(make_cards(number + 1, seed=seed)[number], qr=qr)
    return card, save(card, tmp_path / f"card-{seed}-{number}.png")


@pytest.mark.slow
def test_add_scan_yes_stores_the_contact_and_a_private_copy_of_the_image(
    tmp_path: Path, meishi_home: Path
) -> None:
    add_event("Tokyo AI 勉強会", -1)
    card, path = card_file(tmp_path, 1, qr="vcard")  # English, with a vCard
    result = ok("add", "--scan", str(path), "--yes", "--topic", "RAG")
    assert f"Added #1 {card.person.name} ({card.person.company}) with 1 new topic." in result.stdout
    detail = json_of(ok("contacts", "show", "1", "--json"))
    assert detail["emails"] == [card.person.email]
    assert detail["phone"] == card.person.phone
    assert detail["encounters"][0]["topics"] == ["RAG"]
    [image] = detail["card_images"]
    kept = Path(image["path"])
    assert kept.parent == meishi_home / "cards"
    assert kept.read_bytes() == path.read_bytes()
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    assert f"card image: {kept}" in ok("contacts", "show", "1").stdout


@pytest.mark.slow
def test_add_scan_a_folder_reads_every_image_with_a_progress_bar(tmp_path: Path) -> None:
    add_event("Mixer", -1)
    folder = qr_card_folder(tmp_path / "stack", 2)
    result = ok("add", "--scan", str(folder), "--yes")
    assert "Reading cards" in result.stderr
    assert result.stdout.count("Added #") == 2
    assert table_count("cardimage") == 2


@pytest.mark.slow
def test_a_known_email_links_the_scanned_card_to_the_contact(tmp_path: Path) -> None:
    add_event("Mixer", -1)
    card, path = card_file(tmp_path, 0, qr="vcard")
    add_person("Mixer", card.person.name, "--email", card.person.email)
    result = ok("add", "--scan", str(path), "--yes")
    assert "Linked to known contact #1" in result.stdout
    assert "filled in" in result.stdout
    assert table_count("contact") == 1


def test_an_unreadable_image_is_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    add_event("Mixer", -1)
    bogus = tmp_path / "card.jpg"
    bogus.write_text("not a picture")
    message = error_of(fails("add", "--scan", str(bogus), "--yes"))
    assert message == f"{bogus}: cannot read the image (not an image)"
    assert table_count("contact") == 0


@pytest.mark.slow
def test_with_several_images_the_good_ones_are_added_and_the_bad_one_named(
    tmp_path: Path,
) -> None:
    add_event("Mixer", -1)
    _, good = card_file(tmp_path, 0, qr="mecard")
    bogus = tmp_path / "broken.png"
    bogus.write_bytes(b"\x89PNG\r\n\x1a\n broken")
    result = run("add", "--scan", str(good), str(bogus), "--yes")
    assert result.exit_code == 2, describe(result)
    assert result.stderr.strip().splitlines()[-1].startswith(f"meishi: not added: {bogus}: ")
    assert table_count("contact") == 1


def test_off_a_terminal_scan_needs_yes_or_interactive(tmp_path: Path) -> None:
    add_event("Mixer", -1)
    _, path = card_file(tmp_path, 0, qr="vcard")
    message = error_of(fails("add", "--scan", str(path)))
    assert "--yes" in message and "-i" in message
    assert error_of(fails("add", str(path))) == (
        "give card images with --scan: meishi add --scan IMAGE..."
    )


@pytest.mark.slow
def test_interactive_review_accepts_replaces_and_clears_fields_then_asks_topics(
    tmp_path: Path,
) -> None:
    add_event("Mixer", -1)
    card, path = card_file(tmp_path, 1, qr="vcard")  # English: name, company, department...
    # name: keep; reading: empty; company: replace; department: clear; the rest: keep.
    answers = ["", "", "Northwind Trading Ltd.", "-"] + [""] * 8 + ["hiking", "tea", ""]
    result = ok("add", "--scan", str(path), "-i", input="\n".join(answers) + "\n")
    assert "Name [" in result.stdout
    detail = json_of(ok("contacts", "show", "1", "--json"))
    assert detail["name"] == card.person.name
    assert detail["company"] == "Northwind Trading Ltd."
    assert detail["department"] is None
    assert detail["encounters"][0]["topics"] == ["hiking", "tea"]


def test_without_tesseract_scan_says_how_to_install_it_and_still_reads_qr_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_event("Mixer", -1)
    card, path = card_file(tmp_path, 0, qr="mecard")
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert scanning.tesseract_command() is None
    result = ok("add", "--scan", str(path), "--yes")
    assert "apt-get install tesseract-ocr tesseract-ocr-jpn" in result.stderr
    assert f"Added #1 {card.person.name}" in result.stdout
    _, plain = card_file(tmp_path, 2)  # no QR code: nothing can be read
    refused = run("add", "--scan", str(plain), "--yes")
    assert refused.exit_code == 2, describe(refused)
    assert refused.stderr.splitlines()[0].startswith("Tesseract is not installed")
    assert refused.stderr.splitlines()[1].startswith(f"meishi: not added: {plain} (no name read")
    assert ok("contacts", "list").stdout.count("\n") == 1  # the rest of meishi works


def test_add_help_does_not_load_the_scanning_libraries() -> None:
    probe = (
        "import sys\nfrom meishi.cli import app\n"
        "try:\n    app(['add', '--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PIL', 'zxingcpp', 'pytesseract', 'phonenumbers')))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={**os.environ}, check=True)  # fmt: skip
    assert done.stdout.splitlines()[-1] == "[]"
    assert "--scan" in done.stdout


def test_the_card_font_is_installed() -> None:
    from cardmaker import REGULAR

    assert REGULAR.exists(), "apt-get install fonts-noto-cjk"
    assert shutil.which("tesseract")


def test_a_card_not_stored_leaves_no_image_in_the_cards_folder(tmp_path: Path) -> None:
    import datetime as dt

    from helpers import home
    from meishi.cards.fields import CardFields
    from meishi.contacts import add_met
    from meishi.errors import NotFound
    from meishi.home import resolve
    from meishi.inputs import CardInput
    from meishi.store.engine import open_store

    image = tmp_path / "card.png"
    image.write_bytes(b"the image read")
    scanned = scanning.Scan(image, CardFields(), from_code=False)
    now = dt.datetime.now(dt.UTC)
    store = open_store(resolve().location)
    with pytest.raises(NotFound):  # the event is gone: the write is rolled back
        add_met(store, 999, CardInput(name="田中 太郎"), now, home(), scanned)
    assert list((home() / "cards").glob("*")) == []
    add_event("AI勉強会", -1)
    add_met(store, 1, CardInput(name="田中 太郎"), now, home(), scanned)
    store.close()
    assert [p.read_bytes() for p in (home() / "cards").glob("*")] == [b"the image read"]
