"""formats/registry.py: one table of formats, and the card-field table the formats use."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from helpers import add_event, add_person, error_of, fails, ok
from meishi.card_fields import CARD_FIELD_TABLE, CSV, MAPPED, card_fields
from meishi.formats import registry


@pytest.mark.parametrize("fmt", registry.REGISTRY, ids=lambda fmt: fmt.name)
def test_each_format_is_one_module_with_its_reader_and_its_writer_beside_it(
    fmt: registry.Format,
) -> None:
    module = importlib.import_module(f"meishi.formats.{fmt.module}")
    assert callable(module.reader)
    assert callable(getattr(module, "write", None)) == fmt.exported


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("cards.txt", "\ufeff  BEGIN:VCARD\r\nVERSION:3.0", "vcard"),  # the text wins
        ("cal.csv", "begin:vcalendar\n", "ics"),
        ("dump", '{"meishi": 1}', "json"),
        ("people.TSV", "name\tmail\n", "csv"),  # the extension, whatever its case
        ("meeting.ical", "", "ics"),
        ("list", "name,email\n", "csv"),  # a delimiter is the last guess
    ],
)
def test_a_file_format_is_told_by_its_start_then_its_extension_then_a_guess(
    name: str, head: str, expected: str
) -> None:
    assert registry.detect_format(Path(name), head) == expected


def test_a_file_nothing_tells_asks_for_format_naming_every_format() -> None:
    with pytest.raises(Exception, match=r"give --format \(vcard, csv, ics, json\)"):
        registry.detect_format(Path("notes"), "just words")


def test_the_format_help_of_import_and_export_is_made_from_the_table() -> None:
    import_help = ok("import", "--help").stdout
    export_help = ok("export", "--help").stdout
    assert "vCard, CSV, iCalendar or meishi JSON files." in import_help
    assert "vcard, csv, ics or json (default: detected)." in " ".join(import_help.split())
    assert "vcard, csv or json." in export_help
    assert registry.names(exported=True) == ("vcard", "csv", "json")


def test_an_unknown_format_names_those_of_the_table() -> None:
    message = error_of(fails("export", "--format", "ics"))
    assert message == "unknown format 'ics'; use one of: vcard, csv, json"


def test_the_csv_export_has_the_card_field_tables_columns_in_its_order(tmp_path: Path) -> None:
    add_event("AI勉強会", -1)
    add_person("AI勉強会", "田中 太郎", "--email", "taro@example.jp")
    out = tmp_path / "out.csv"
    ok("export", "--format", "csv", "--out", str(out))
    header = out.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == ",".join(f'"{name}"' for name in card_fields(CSV))
    assert card_fields(CSV)[:4] == ("name", "reading", "family_name", "given_name")


def test_map_names_the_fields_of_the_card_field_table(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("氏名,メール\n佐藤 健,ken@example.jp\n", encoding="utf-8")
    message = error_of(fails("import", "--map", "氏名=fullname", str(path)))
    assert message.endswith(f"fields: {', '.join(card_fields(MAPPED))}")


def test_every_card_field_is_listed_once() -> None:
    names = [row.name for row in CARD_FIELD_TABLE]
    assert len(names) == len(set(names))
