"""docs/security.md lists every limit meishi keeps."""

import re
from pathlib import Path

from meishi import limits

DOC = Path(__file__).parents[1] / "docs" / "security.md"


def test_every_limit_is_in_the_security_doc() -> None:
    """A limit added to limits.py without a line in the doc fails here."""
    names = {name for name in vars(limits) if re.fullmatch(r"[A-Z][A-Z_]+", name)}
    documented = set(re.findall(r"`([A-Z][A-Z_]+)`", DOC.read_text(encoding="utf-8")))
    assert names, "limits.py defines no limits"
    assert names <= documented, f"not in docs/security.md: {sorted(names - documented)}"
