"""The documents that are checked against the code, so that they cannot go stale."""

import importlib.util
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_cli_reference_is_current() -> None:
    script = DOCS / "gen_cli_reference.py"
    spec = importlib.util.spec_from_file_location("gen_cli_reference", script)
    assert spec and spec.loader
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    current = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert generator.render() == current, f"docs/cli.md is stale: run python {script}"
