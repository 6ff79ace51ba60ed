"""The documents that are checked against the code, so that they cannot go stale."""

import datetime as dt
import importlib.util
from pathlib import Path
from typing import Any

from meishi.models import Contact, Event

DOCS = Path(__file__).resolve().parents[1] / "docs"


def generated(name: str) -> tuple[str, str]:
    """What docs/gen_NAME.py writes now, and what its page holds."""
    script = DOCS / f"gen_{name}.py"
    spec = importlib.util.spec_from_file_location(f"gen_{name}", script)
    assert spec and spec.loader
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    return generator.render(), generator.TARGET.read_text(encoding="utf-8")


def test_cli_reference_is_current() -> None:
    fresh, current = generated("cli_reference")
    assert fresh == current, "docs/cli.md is stale: run python docs/gen_cli_reference.py"


def test_the_example_drafts_are_current() -> None:
    fresh, current = generated("drafts")
    assert fresh == current, "docs/drafts.md is stale: run python docs/gen_drafts.py"
    assert "Dear Taro Tanaka," in current and "御中" in current  # the samples show them


def documented(heading: str) -> set[str]:
    """The backticked variable names in the table under a heading of docs/templates.md."""
    text = (DOCS / "templates.md").read_text(encoding="utf-8")
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {row.split("`")[1] for row in rows}


def names(context: dict[str, Any], prefix: str = "") -> set[str]:
    """The dotted names a template can use, e.g. contact.full_name."""
    found: set[str] = set()
    for key, value in context.items():
        if isinstance(value, dict):
            found |= names(value, f"{prefix}{key}.")
        else:
            found.add(prefix + key)
    return found


ME = {
    "name": "山田 花子",
    "email": "hanako@example.jp",
    "company": "",
    "title": "",
    "signature": "",
}
EVENT = Event(name="AI勉強会 #12", date=dt.date(2026, 11, 28), fee=1000, attendance="no-show")


def test_every_thank_you_template_variable_is_documented() -> None:
    from meishi.drafts.context import thank_vars

    contact = Contact(full_name="田中 太郎")
    context = thank_vars(contact, "taro@example.jp", EVENT, [], None, ME, "ja", EVENT.date)
    assert names(context) <= documented("Variables")


def test_every_apology_template_variable_is_documented() -> None:
    from meishi.drafts.context import ApologyFacts, apology_vars

    assert names(apology_vars(EVENT, ApologyFacts("", True), ME, "ja", EVENT.date)) <= documented(
        "Apology variables"
    )
