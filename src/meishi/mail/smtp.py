"""Sending over SMTP: connecting securely, logging in, and what the server said."""

import base64
import ipaddress
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from meishi.mail import message

SECURITY_MODES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


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
        envelope = (message.envelope_address(sender), message.envelope_address(recipient))
        for command in (f"MAIL FROM:<{envelope[0]}>", f"RCPT TO:<{envelope[1]}>", "DATA"):
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


def _dot_stuffed(raw: bytes) -> bytes:
    """The message as DATA carries it: CRLF lines, leading dots doubled, a final dot."""
    lines = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    stuffed = [b"." + line if line.startswith(b".") else line for line in lines]
    return b"\r\n".join(stuffed) + b"\r\n.\r\n"
