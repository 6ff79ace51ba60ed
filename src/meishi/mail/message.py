"""Mail messages: checked header values and RFC 5322 messages, as they go on the wire."""

from __future__ import annotations

import base64
import email.utils
from datetime import datetime
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from typing import TYPE_CHECKING, Any

from meishi import validation
from meishi.errors import BadValue, HeaderInjection

if TYPE_CHECKING:
    from email_validator import ValidatedEmail

    from meishi.models import Draft
    from meishi.store.drafting import StoredDraft

# Used for Message-IDs when the sender's domain is unknown; never the machine's hostname,
# which would leak it and is often not a real domain anyway.
FALLBACK_DOMAIN = "meishi.invalid"


class _Policy(EmailPolicy):
    """The SMTP policy (7-bit headers, CRLF), minus two header-folding bugs of Python 3.11.

    gh-80222 (fixed in 3.12.9 and 3.13.2): folding a long quoted display name drops its
    quotes, so "Smith, John ..." <a@example.com> goes out as two recipients.
    And the folder splits text like "山田 花子" into encoded-words separated by a space,
    which RFC 2047 tells readers to drop ("山田花子"). So mailboxes and non-ASCII text are
    written here, with email.header's encoder, which keeps spaces inside the words.
    """

    def header_store_parse(self, name: str, value: Any) -> tuple[str, Any]:
        """The header to keep; text that looks encoded is kept literally, not decoded."""
        if isinstance(value, str) and _looks_encoded(value):
            # The parser would decode "=?utf-8?b?DQo=?=" into a line break; an encoded
            # word holding the text decodes back to the text itself.
            value = Header(value, "utf-8").encode(maxlinelen=0)
        return super().header_store_parse(name, value)

    def fold(self, name: str, value: str) -> str:
        """The header as folded lines of text."""
        if hasattr(value, "addresses"):
            # One mailbox a line, so that each line keeps within the length of encoded-words.
            mailboxes = f",{self.linesep} ".join(
                _mailbox(box, name, self.linesep) for box in value.addresses
            )
            return f"{name}: {mailboxes}{self.linesep}"
        if not str(value).isascii() or _looks_encoded(str(value)):
            return f"{name}: {_encoded_words(str(value), name, self.linesep)}{self.linesep}"
        return str(super().fold(name, value))

    def fold_binary(self, name: str, value: str) -> bytes:
        """The header as bytes: the same lines, all ASCII."""
        return self.fold(name, value).encode("ascii")


def _looks_encoded(text: str) -> bool:
    """True for text a mail reader would decode as RFC 2047 (=?charset?b?...?=)."""
    return "=?" in text


def _mailbox(address: Address, field: str, linesep: str) -> str:
    """One mailbox for a header: an ASCII name quoted as needed, on one line; others (and
    names that look encoded, which readers would decode) encoded."""
    if address.display_name.isascii() and not _looks_encoded(address.display_name):
        return str(address)
    words = _encoded_words(address.display_name, field, linesep)
    last_line = len(words.rsplit(linesep, 1)[-1])
    # The address moves to a line of its own rather than push the last word's past 76.
    space = " " if last_line + len(address.addr_spec) + 3 <= ENCODED_LINE_MAX else f"{linesep} "
    return f"{words}{space}<{address.addr_spec}>"


# RFC 2047: an encoded-word is at most 75 characters, and a line holding one at most 76.
ENCODED_WORD_MAX = 75
ENCODED_LINE_MAX = 76
_WORD_OVERHEAD = len("=?utf-8?b??=")


def _encoded_words(text: str, field: str, linesep: str) -> str:
    """text as RFC 2047 encoded-words in UTF-8, one a line, each line at most 76 columns.

    The first word shares its line with "Field: "; a word never splits a character,
    and spaces stay inside the words, where readers keep them.
    """
    words: list[str] = []
    room = ENCODED_LINE_MAX - len(f"{field}: ")
    chunk = ""
    for char in text:
        if chunk and _word_length(chunk + char) > room:
            words.append(_encoded_word(chunk))
            room, chunk = ENCODED_WORD_MAX, ""
        chunk += char
    words.append(_encoded_word(chunk))
    return f"{linesep} ".join(words)


def _word_length(text: str) -> int:
    """How long text is as one UTF-8 base64 encoded-word."""
    return _WORD_OVERHEAD + 4 * -(-len(text.encode()) // 3)


def _encoded_word(text: str) -> str:
    """text as one UTF-8 base64 encoded-word."""
    return f"=?utf-8?b?{base64.b64encode(text.encode()).decode('ascii')}?="


_POLICY = _Policy(linesep="\r\n")


def check_header_value(value: str, field: str, owner: str, *, fix: str | None = None) -> str:
    """value, if it has no line break or control character that could forge a header
    (nor any other character refused at input: text is checked by one rule everywhere)."""
    char = validation.forbidden_char(value)
    if char is not None:
        how = f"fix it with {fix}" if fix else "remove it and try again"
        raise HeaderInjection(f"{owner}: {field} contains {validation.describe(char)}; {how}")
    return value


def check_email(address: str) -> str:
    """The normalized form of an email address; BadValue if it is not one."""
    return _validated(address).normalized


def _validated(address: str) -> ValidatedEmail:
    """An address checked for syntax only (no DNS), with its ASCII (IDNA) form."""
    from email_validator import EmailNotValidError, validate_email

    try:
        # No SMTPUTF8: messages are 7-bit, so the local part must be ASCII;
        # internationalized domains are fine, they have an ASCII form.
        return validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise BadValue(f"invalid email {address!r}: {exc}") from exc


def build_message(
    *,
    to_name: str,
    to_addr: str,
    from_name: str | None,
    from_addr: str | None,
    subject: str,
    body: str,
    when: datetime,
    message_id_domain: str | None,
    draft: bool,
    owner: str,
) -> EmailMessage:
    """A text/plain message to exactly one recipient; owner names who errors are about."""
    msg = _headed(
        to_name=to_name,
        to_addr=to_addr,
        from_name=from_name,
        from_addr=from_addr,
        subject=subject,
        when=when,
        message_id_domain=message_id_domain,
        draft=draft,
        owner=owner,
    )
    msg.set_content(body, subtype="plain", charset="utf-8", cte="base64")
    return msg


def _headed(
    *,
    to_name: str,
    to_addr: str,
    from_name: str | None,
    from_addr: str | None,
    subject: str,
    when: datetime,
    message_id_domain: str | None,
    draft: bool,
    owner: str,
) -> EmailMessage:
    """A message with its headers, checked, and no body yet."""
    if when.tzinfo is None:
        raise ValueError("when must be a timezone-aware datetime")
    msg = EmailMessage(policy=_POLICY)
    msg["To"] = _address(to_name, to_addr, "name", "email", owner)
    if from_addr:
        msg["From"] = _address(from_name or "", from_addr, "sender name", "sender email", owner)
    msg["Subject"] = check_header_value(subject, "subject", owner)
    msg["Date"] = email.utils.format_datetime(when)
    msg["Message-ID"] = email.utils.make_msgid(domain=_message_id_domain(message_id_domain, owner))
    if draft:
        msg["X-Unsent"] = "1"  # Outlook and some other clients open such a file as a draft
    return msg


def _address(name: str, addr: str, name_field: str, addr_field: str, owner: str) -> Address:
    """One checked mailbox; Address quotes a display name with commas or quotes."""
    check_header_value(name, name_field, owner)
    check_header_value(addr, addr_field, owner)
    try:
        ascii_addr = _validated(addr).ascii_email
    except BadValue as exc:
        raise BadValue(f"{owner}: {exc}") from exc
    return Address(display_name=name, addr_spec=ascii_addr)


def _message_id_domain(domain: str | None, owner: str) -> str:
    """The Message-ID's domain in ASCII, or the fallback when there is none."""
    if not domain or not domain.strip():
        return FALLBACK_DOMAIN
    check_header_value(domain, "message-id domain", owner)
    try:
        return domain.strip().encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise BadValue(f"{owner}: invalid message-id domain {domain!r}: {exc}") from exc


def message_bytes(msg: EmailMessage) -> bytes:
    """The message as it goes on the wire: 7-bit headers, CRLF line ends."""
    return msg.as_bytes()


def envelope_address(address: str) -> str:
    """The address as it goes into the envelope (IDN domains in ASCII)."""
    check_header_value(address, "address", "envelope")
    return _validated(address).ascii_email or address


def message_for(
    draft: Draft | StoredDraft,
    me: dict[str, str],
    when: datetime,
    owner: str,
    unsent: bool = True,
) -> EmailMessage:
    """The RFC 5322 message for a draft, From you (by your English name when the draft's
    template is an English one, *-en, and me.name_en is set) and To exactly one person."""
    headers = _draft_headers(draft, me)
    return build_message(**headers, body=draft.body, when=when, draft=unsent, owner=owner)


def check_headers(
    draft: Draft | StoredDraft, me: dict[str, str], when: datetime, owner: str
) -> None:
    """Refuse a draft whose headers could not go out, checked as message_for() checks them
    (its body, which encoding cannot refuse, is not encoded here)."""
    _headed(**_draft_headers(draft, me), when=when, draft=True, owner=owner)


def _draft_headers(draft: Draft | StoredDraft, me: dict[str, str]) -> dict[str, Any]:
    """What a draft's message says in its headers: to whom, from you, and about what."""
    sender = me.get("email") or None
    english = draft.template.endswith("-en") and me.get("name_en")
    return {
        "to_name": draft.to_name,
        "to_addr": draft.to_addr,
        "from_name": (me["name_en"] if english else me.get("name")) or None,
        "from_addr": sender,
        "subject": draft.subject,
        "message_id_domain": sender.rpartition("@")[2] if sender else None,
    }
