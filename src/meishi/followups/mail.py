"""One organizer mail as the classifier reads it: who, when, the text, its links and
attachments. Pure: a whole RFC 5322 message in, a record out."""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from html.parser import HTMLParser

from meishi.mail.headers import MALFORMED, read_headers

# Links written out in text; they end at whitespace, quotes, brackets and Japanese punctuation.
URL = re.compile(r"https?://[^\s<>\"'()\[\]{}「」『』（）、。]+", re.IGNORECASE)
# Characters a link written in running text often ends with, which are not part of it.
TRAILING = ".,;:!?"
# Tags after which the text of an HTML mail starts a new line.
BLOCK_TAGS = frozenset(
    [
        "p",
        "br",
        "div",
        "li",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "ul",
        "ol",
        "blockquote",
        "section",
        "article",
        "header",
        "footer",
    ]
)
SKIPPED_TAGS = frozenset(("script", "style", "head", "title"))
# Tags whose text is kept apart from the text beside it (table cells of a layout).
CELL_TAGS = frozenset(("td", "th"))
# The date of a message whose Date header is unreadable: outside every event's window.
UNDATED = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class OrganizerMail:
    """One message from (maybe) an organizer, read whole."""

    sender: str  # the From address, lower-cased; empty when missing
    sender_name: str  # the From display name, decoded; empty when missing
    subject: str
    date: dt.datetime  # aware
    body: str  # text/plain, else the text of text/html
    links: tuple[str, ...]  # in the order they appear, each once
    attachments: tuple[str, ...]  # file names, decoded
    message_id: str


def organizer_mail(raw: bytes) -> OrganizerMail:
    """Read a whole message: headers, text (plain, else from HTML), links and attachment names."""
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    seen = read_headers(raw, None, UNDATED)
    plain = _part_text(parsed, "plain")
    html_body, hrefs = read_html(_part_text(parsed, "html"))
    body = plain if plain.strip() else html_body
    return OrganizerMail(
        sender=seen.sender,
        sender_name=_sender_name(parsed),
        subject=seen.subject,
        date=seen.date,
        body=body,
        links=tuple(dict.fromkeys(links_in(plain) + links_in(html_body) + hrefs)),
        attachments=tuple(_attachment_names(parsed)),
        message_id=seen.message_id,
    )


def links_in(text: str) -> list[str]:
    """The http(s) links written out in a text, without the punctuation that follows them."""
    return [found.rstrip(TRAILING) for found in URL.findall(text)]


def read_html(html: str) -> tuple[str, list[str]]:
    """The readable text of an HTML body (one line per block, scripts and styles left out)
    and the http(s) targets of its links, in order."""
    reader = _HtmlReader()
    reader.feed(html)
    reader.close()
    lines = "".join(reader.pieces).splitlines()
    return "\n".join(" ".join(line.split()) for line in lines if line.strip()), reader.hrefs


class _HtmlReader(HTMLParser):
    """Collects the text and the link targets of an HTML body."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.hrefs: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Note skipped sections, line breaks and link targets."""
        if tag in SKIPPED_TAGS:
            self._skipping += 1
        elif tag in BLOCK_TAGS:
            self.pieces.append("\n")
        elif tag in CELL_TAGS:
            self.pieces.append(" ")
        href = dict(attrs).get("href") if tag == "a" else None
        if href and href.strip().lower().startswith(("http://", "https://")):
            self.hrefs.append(href.strip())

    def handle_endtag(self, tag: str) -> None:
        """Leave a skipped section; end a block's line."""
        if tag in SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in BLOCK_TAGS:
            self.pieces.append("\n")

    def handle_data(self, data: str) -> None:
        """Keep text outside scripts and styles."""
        if not self._skipping:
            self.pieces.append(data)


def _part_text(parsed: EmailMessage, subtype: str) -> str:
    """The decoded text of the message's first text/SUBTYPE body part, or empty."""
    try:
        part = parsed.get_body(preferencelist=(subtype,))
    except (KeyError, ValueError, IndexError, TypeError):
        return ""
    if part is None or part.get_content_type() != f"text/{subtype}":
        return ""
    return _decoded(part)


def _decoded(part: Message) -> str:
    """A text part's content, decoded; an unknown or wrong charset read leniently."""
    try:
        content = part.get_content()  # type: ignore[attr-defined]
        return content if isinstance(content, str) else ""
    except (LookupError, UnicodeError, ValueError, AssertionError, KeyError):
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""


def _attachment_names(parsed: EmailMessage) -> list[str]:
    """The decoded file names of the message's attachments (RFC 2231 and 2047 both)."""
    names = []
    for part in parsed.walk():
        if part.is_multipart():
            continue
        try:
            name = part.get_filename()
        except MALFORMED:
            continue
        if name:
            names.append(_unfolded(name))
    return names


def _unfolded(text: str) -> str:
    """A header value on one line; encoded words a lax sender left undecoded are decoded."""
    if "=?" in text:
        from email.header import decode_header, make_header

        with contextlib.suppress(LookupError, UnicodeError, ValueError):
            text = str(make_header(decode_header(text)))
    return " ".join(text.split())


def _header(parsed: Message, name: str) -> str:
    """A header's decoded text on one line, or empty when missing or malformed."""
    try:
        value = parsed.get(name)
    except MALFORMED:
        return ""
    return _unfolded(str(value or ""))


def _sender_name(parsed: Message) -> str:
    """The From header's display name, decoded, or empty."""
    return email.utils.parseaddr(_header(parsed, "From"))[0].strip()
