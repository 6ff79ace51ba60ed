"""What the docs/gen_*.py scripts share: write their page, or with --check fail when it is stale."""

from __future__ import annotations

import sys
from pathlib import Path


def write_or_check(target: Path, text: str, script: str) -> None:
    """Write text to target; with --check (CI), exit with a message when target differs."""
    if "--check" not in sys.argv[1:]:
        target.write_text(text, encoding="utf-8")
    elif not target.exists() or target.read_text(encoding="utf-8") != text:
        sys.exit(f"docs/{target.name} is stale: run python docs/{script}")
