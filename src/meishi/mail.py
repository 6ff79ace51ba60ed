"""Mail messages: checked header values, RFC 5322 messages, their bytes."""

import email.policy
import email.utils
import unicodedata
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from typing import TYPE_CHECKING

from meishi.errors import BadValue, HeaderInjection

if TYPE_CHECKING:
    from email_validator import ValidatedEmail

# Used for Message-IDs when the sender's domain is unknown; never the machine's hostname,
# which would leak it and is often not a real domain anyway.
FALLBACK_DOMAIN = "meishi.invalid"
# Line breaks that unicodedata does not class as control characters (Cc).
_LINE_SEPARATORS = frozenset("\u2028\u2029")


def check_header_value(value: str, field: str, owner: str, *, fix: str | None = None) -> str:
    """value, if it has no line break or control character that could forge a header."""
    for char in value:
        if unicodedata.category(char) == "Cc" or char in _LINE_SEPARATORS:
            how = f"fix it with {fix}" if fix else "remove it and try again"
            raise HeaderInjection(
                f"{owner}: {field} contains a line break or control character "
                f"(U+{ord(char):04X}); {how}"
            )
    return value


def check_email(address: str) -> str:
    """The normalized form of an email address; BadValue if it is not one."""
    return _validated(address).normalized


def _validated(address: str) -> "ValidatedEmail":
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
    if when.tzinfo is None:
        raise ValueError("when must be a timezone-aware datetime")
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["To"] = _address(to_name, to_addr, "name", "email", owner)
    if from_addr:
        msg["From"] = _address(from_name or "", from_addr, "sender name", "sender email", owner)
    msg["Subject"] = check_header_value(subject, "subject", owner)
    msg["Date"] = email.utils.format_datetime(when)
    msg["Message-ID"] = email.utils.make_msgid(domain=_message_id_domain(message_id_domain, owner))
    if draft:
        msg["X-Unsent"] = "1"  # Outlook, Thunderbird and Apple Mail open it as a draft
    msg.set_content(body, subtype="plain", charset="utf-8", cte="base64")
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
    return msg.as_bytes(policy=email.policy.SMTP)
