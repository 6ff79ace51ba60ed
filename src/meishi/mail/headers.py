"""What a message's headers say, read without its body: who, when, which thread, and
whether it is bulk mail. Pure: bytes in, a record out."""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import re
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.parser import BytesHeaderParser

# Local parts of senders nobody answers.
NO_REPLY = re.compile(
    r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer-daemon|postmaster|bounces?)([-+_.].*)?$",
    re.IGNORECASE,
)
# Reply and forward prefixes, in the languages a Japanese user's mail arrives in.
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# What the standard library's header parser raises on a malformed header. Its parser's
# own bugs included: on some mangled display names it fails with an AttributeError.
MALFORMED = (ValueError, IndexError, TypeError, LookupError, AttributeError)


@dataclass(frozen=True)
class Seen:
    """One message as its headers tell it."""

    message_id: str
    sender: str  # the From address, lower-cased; empty when missing
    recipients: tuple[str, ...]  # To and Cc, lower-cased
    date: dt.datetime  # aware
    subject: str
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    bulk: bool  # a list, a newsletter or an automatic message
    gmail_thread: str | None = None  # not a header: Gmail's X-GM-THRID, when it offers one


def read_headers(raw: bytes, arrived: dt.datetime | None, fallback: dt.datetime) -> Seen:
    """The record of a message's headers; `arrived` (else `fallback`) when Date is unreadable."""
    parsed = BytesHeaderParser(policy=policy.default).parsebytes(raw)
    senders = _addresses(parsed, "From")
    return Seen(
        message_id=_message_id(parsed, raw),
        sender=senders[0] if senders else "",
        recipients=tuple(dict.fromkeys(_addresses(parsed, "To") + _addresses(parsed, "Cc"))),
        date=_date(parsed, arrived or fallback),
        subject=_text(parsed, "Subject"),
        in_reply_to=tuple(_ids(parsed, "In-Reply-To")),
        references=tuple(_ids(parsed, "References")),
        bulk=_is_bulk(parsed),
    )


def is_no_reply(address: str) -> bool:
    """True for an address nobody reads (noreply@, mailer-daemon@ ...)."""
    return bool(NO_REPLY.match(address.partition("@")[0]))


def _text(parsed: Message, name: str) -> str:
    """A header's decoded text on one line, or empty."""
    try:
        value = parsed.get(name)
    except MALFORMED:
        return ""
    return " ".join(str(value or "").split())


def _addresses(parsed: Message, name: str) -> list[str]:
    """The addresses in an address header, lower-cased; malformed ones are left out."""
    found = []
    for value in _raw_all(parsed, name):
        parsed_ones = getattr(value, "addresses", None)
        if parsed_ones is not None:
            found += [a.addr_spec for a in parsed_ones]
        else:
            found += [a for _n, a in email.utils.getaddresses([str(value)])]
    return [a.strip().lower() for a in found if "@" in a]


def _raw_all(parsed: Message, name: str) -> list[object]:
    """Every value of a header, as parsed (a failing parse as its raw text)."""
    try:
        return list(parsed.get_all(name, []))
    except MALFORMED:
        return []


def _ids(parsed: Message, name: str) -> list[str]:
    """The Message-IDs a header lists, in order."""
    return MESSAGE_ID.findall(" ".join(str(v) for v in _raw_all(parsed, name)))


def _message_id(parsed: Message, raw: bytes) -> str:
    """The message's Message-ID; a stable stand-in made from its headers when it has none."""
    found = _ids(parsed, "Message-ID")
    if found:
        return found[0]
    return f"<no-id-{hashlib.sha256(raw).hexdigest()[:32]}@meishi.invalid>"


def _date(parsed: Message, fallback: dt.datetime) -> dt.datetime:
    """The Date header as an aware time, or the fallback when it is missing or unreadable."""
    try:
        moment = email.utils.parsedate_to_datetime(_text(parsed, "Date"))
    except (TypeError, ValueError, IndexError):
        return _aware(fallback)
    return _aware(moment)


def _aware(moment: dt.datetime) -> dt.datetime:
    """A time with a zone (a naive one is taken as UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _is_bulk(parsed: Message) -> bool:
    """True for mailing lists, newsletters and automatic replies."""
    if _text(parsed, "List-Id") or _text(parsed, "List-Unsubscribe"):
        return True
    if _text(parsed, "Precedence").lower() in ("bulk", "list", "junk"):
        return True
    auto = _text(parsed, "Auto-Submitted").lower()
    return bool(auto) and auto != "no"
