"""What a mail's subject says of its conversation (pure, and light: no email package, so the
agenda's read path can compare subjects)."""

from __future__ import annotations

import re
import unicodedata

REPLY_PREFIX = re.compile(r"^\s*((re|aw|sv|返信)\s*(\[\d+\])?\s*[:：]\s*)+", re.IGNORECASE)


def thread_subject(subject: str) -> str:
    """The subject without Re:/RE:/Ｒｅ：/返信:/AW: prefixes, folded, for comparing."""
    return " ".join(REPLY_PREFIX.sub("", _folded(subject)).split()).casefold()


def is_reply_subject(subject: str) -> bool:
    """True when the subject starts with a reply prefix (Re:, 返信:, AW: ...)."""
    return bool(REPLY_PREFIX.match(_folded(subject)))


def _folded(text: str) -> str:
    """Full-width letters and colons as their plain forms (Ｒｅ： → Re:)."""
    return unicodedata.normalize("NFKC", text)
