"""Mail: checked header values, RFC 5322 messages, and sending them over SMTP."""

import base64
import email.utils
import ipaddress
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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
            mailboxes = ", ".join(_mailbox(box, name, self.linesep) for box in value.addresses)
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
    return f"{_encoded_words(address.display_name, field, linesep)} <{address.addr_spec}>"


def _encoded_words(text: str, field: str, linesep: str) -> str:
    """text as RFC 2047 encoded-words in UTF-8, folded to 78 columns."""
    return Header(text, "utf-8", header_name=field).encode(linesep=linesep)


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
    msg = EmailMessage(policy=_POLICY)
    msg["To"] = _address(to_name, to_addr, "name", "email", owner)
    if from_addr:
        msg["From"] = _address(from_name or "", from_addr, "sender name", "sender email", owner)
    msg["Subject"] = check_header_value(subject, "subject", owner)
    msg["Date"] = email.utils.format_datetime(when)
    msg["Message-ID"] = email.utils.make_msgid(domain=_message_id_domain(message_id_domain, owner))
    if draft:
        msg["X-Unsent"] = "1"  # Outlook and some other clients open such a file as a draft
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
    return msg.as_bytes()


# --- Sending over SMTP --------------------------------------------------------

SECURITY_MODES = ("starttls", "ssl", "none")


class SmtpUnavailable(Exception):
    """The server could not be reached, secured or logged in to; nothing was sent."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send."""

    host: str
    port: int
    security: str = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)  # never shown
    cafile: str | None = None
    timeout: float = 30.0


@dataclass(frozen=True)
class Reply:
    """What became of one message: sent, failed, queued (try later) or unknown."""

    outcome: str
    text: str
    stop: bool = False  # the connection is gone: stop the batch


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@contextmanager
def smtp_session(settings: SmtpSettings) -> Iterator[smtplib.SMTP]:
    """A connected, secured and logged-in SMTP session, closed afterwards."""
    where = f"{settings.host}:{settings.port}"
    try:
        connection = _connect(settings)
    except smtplib.SMTPAuthenticationError as error:
        raise SmtpUnavailable(
            f"{where} refused the login for {settings.user}: {_reply_text(error.smtp_error)}; "
            "check smtp.user and set the password again: meishi config set-password smtp"
        ) from None
    except (OSError, smtplib.SMTPException) as error:
        raise SmtpUnavailable(f"cannot send through {where}: {error}") from None
    try:
        yield connection
    finally:
        _close(connection)


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    """Open the connection, start TLS as configured, and log in."""
    context = ssl.create_default_context(cafile=settings.cafile)
    if settings.security == "ssl":
        connection: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context
        )
    else:
        connection = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        _secure_and_log_in(connection, settings, context)
    except BaseException:
        connection.close()
        raise
    return connection


def _secure_and_log_in(
    connection: smtplib.SMTP, settings: SmtpSettings, context: ssl.SSLContext
) -> None:
    """Greet the server, start TLS as configured, and log in."""
    connection.ehlo()
    if settings.security == "starttls":
        connection.starttls(context=context)
        connection.ehlo()
    if settings.user:
        if settings.security == "none" and not is_loopback(settings.host):
            raise SmtpUnavailable(
                f"refusing to send your password unencrypted to {settings.host}; "
                "meishi config set smtp.security starttls (or ssl)"
            )
        _login(connection, settings.user, settings.password or "")


def _login(connection: smtplib.SMTP, user: str, password: str) -> None:
    """Log in; smtplib encodes logins as ASCII, so others go as UTF-8 AUTH PLAIN (RFC 4616)."""
    if user.isascii() and password.isascii():
        connection.login(user, password)
        return
    if "PLAIN" not in connection.esmtp_features.get("auth", "").upper().split():
        raise smtplib.SMTPException(
            "the server does not offer AUTH PLAIN, which a login with non-ASCII characters needs"
        )
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, text = connection.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, text)


def _close(connection: smtplib.SMTP) -> None:
    """Say goodbye if the server still listens."""
    try:
        connection.quit()
    except (OSError, smtplib.SMTPException):
        connection.close()


def deliver(connection: smtplib.SMTP, sender: str, recipient: str, raw: bytes) -> Reply:
    """Send one message to exactly one recipient in its own envelope."""
    try:
        for command in (f"MAIL FROM:<{_ascii(sender)}>", f"RCPT TO:<{_ascii(recipient)}>", "DATA"):
            code, text = connection.docmd(command)
            if code >= 400:
                return _refused(connection, code, text)
    except (OSError, smtplib.SMTPException) as error:
        return Reply("queued", f"connection lost before the message was sent ({error})", True)
    if code != 354:  # the server did not ask for the message: nothing was handed over
        return Reply("queued", f"unexpected reply to DATA: {code} {_reply_text(text)}", True)
    try:
        connection.send(_dot_stuffed(raw))
        code, text = connection.getreply()
    except (OSError, smtplib.SMTPException) as error:
        # The server may have stored it: never resend without being asked.
        return Reply(
            "unknown", f"connection lost after the message was handed over ({error})", True
        )
    return _final(code, text)


def _refused(connection: smtplib.SMTP, code: int, text: bytes) -> Reply:
    """A refusal before the message was handed over; reset for the next one."""
    reply = _final(code, text)
    if not reply.stop:
        try:
            connection.rset()
        except (OSError, smtplib.SMTPException):
            return Reply(reply.outcome, reply.text, True)
    return reply


def _final(code: int, text: bytes) -> Reply:
    """What a reply code means for the message."""
    said = f"{code} {_reply_text(text)}"
    if 200 <= code < 300:
        return Reply("sent", said)
    if code == 421 or code < 200:  # the server is closing the connection
        return Reply("queued", said, True)
    return Reply("queued" if code < 500 else "failed", said)


def _reply_text(text: bytes | str) -> str:
    """A server's reply text on one line."""
    decoded = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return " ".join(decoded.split())


def _ascii(address: str) -> str:
    """The address as it goes into the envelope (IDN domains in ASCII)."""
    check_header_value(address, "address", "envelope")
    return _validated(address).ascii_email or address


def _dot_stuffed(raw: bytes) -> bytes:
    """The message as DATA carries it: CRLF lines, leading dots doubled, a final dot."""
    lines = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    stuffed = [b"." + line if line.startswith(b".") else line for line in lines]
    return b"\r\n".join(stuffed) + b"\r\n.\r\n"
