"""A real SMTP server on 127.0.0.1 for the sending tests, misbehaving on request.

It records every envelope it completes. It can answer 421 once after some
messages, drop the connection after a message's DATA (before replying), reply to a
message's DATA late, refuse
a recipient with 550, answer the DATA command wrongly, offer STARTTLS or
implicit TLS with a trustme certificate, and require a login.
"""

from __future__ import annotations

import asyncio
import email.policy
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Received:
    """One message the server completed: its envelope and exact bytes."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    login: str | None  # who had logged in, when the server required it
    tls: bool  # whether the session was encrypted

    def message(self) -> EmailMessage:
        """The data parsed as a mail client would."""
        parsed = BytesParser(policy=email.policy.default).parsebytes(self.data)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def message_id(self) -> str:
        """The Message-ID header."""
        return str(self.message()["Message-ID"])


@dataclass
class Recorder:
    """The server's handler: records messages and misbehaves as configured."""

    busy_after: int | None = None  # answer 421 at MAIL, once, after this many messages
    drop_after_data: set[str] = field(default_factory=set)  # once per recipient
    refuse: set[str] = field(default_factory=set)  # 550 at RCPT
    data_answer: str | None = None  # said to the DATA command instead of 354
    slow_reply: dict[str, float] = field(default_factory=dict)  # seconds, once per recipient
    login: tuple[str, str] | None = None  # the user and password AUTH accepts
    received: list[Received] = field(default_factory=list)
    rcpt_attempts: list[str] = field(default_factory=list)
    logins: list[tuple[str, bool]] = field(default_factory=list)  # (user, accepted)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def snapshot(self) -> list[Received]:
        """The messages received so far."""
        with self.lock:
            return list(self.received)

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        """Accept the sender, unless it is time to answer 421 and hang up."""
        with self.lock:
            busy = self.busy_after is not None and len(self.received) >= self.busy_after
            if busy:
                self.busy_after = None
        if busy:
            asyncio.get_running_loop().call_soon(server.transport.close)
            return "421 4.7.0 Too many messages, try again later"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        """Accept a recipient, or refuse one marked as unknown here."""
        with self.lock:
            self.rcpt_attempts.append(address)
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Record the message; hang up instead of replying when asked to."""
        received = Received(
            mail_from=envelope.mail_from,
            rcpt_tos=tuple(envelope.rcpt_tos),
            data=envelope.original_content,
            login=session.auth_data.login.decode() if session.authenticated else None,
            tls=server.transport.get_extra_info("sslcontext") is not None,
        )
        with self.lock:
            self.received.append(received)
            drop = bool(self.drop_after_data & set(envelope.rcpt_tos))
            self.drop_after_data -= set(envelope.rcpt_tos)
            delay = sum(self.slow_reply.pop(address, 0.0) for address in envelope.rcpt_tos)
        await asyncio.sleep(delay)  # the message is taken, its reply not yet given
        if drop:
            server.transport.close()
        return "250 2.0.0 Ok: queued"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        """Accept exactly the configured user and password."""
        assert self.login is not None and isinstance(auth_data, LoginPassword)
        user, password = auth_data.login.decode(), auth_data.password.decode()
        accepted = (user, password) == self.login
        with self.lock:
            self.logins.append((user, accepted))
        return AuthResult(success=accepted, handled=False, auth_data=auth_data)


class _Smtp(SMTP):
    """aiosmtpd's server, able to answer the DATA command as the handler says."""

    async def smtp_DATA(self, arg: str) -> None:
        """Ask for the message, or say what the handler wants said instead."""
        answer = self.event_handler.data_answer
        if answer is None:
            await super().smtp_DATA(arg)
        else:
            await self.push(answer)


class _Controller(Controller):
    """A controller that listens on a free port (given port 0) and learns which."""

    def factory(self) -> SMTP:
        """One server protocol per connection."""
        return _Smtp(self.handler, **self.SMTP_kwargs)

    def _trigger_server(self) -> None:
        """Read the port the OS chose before the first connection."""
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass(frozen=True)
class Tls:
    """A private CA and a server certificate for 127.0.0.1 issued by it."""

    cafile: Path  # what the client trusts
    server_context: ssl.SSLContext


def make_tls(folder: Path) -> Tls:
    """A trustme CA (written to folder) and a server TLS context using its certificate."""
    import trustme

    ca = trustme.CA()
    cafile = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(HOST).configure_cert(context)
    return Tls(cafile, context)


@dataclass
class SmtpServer:
    """A running server: where it listens and what it recorded."""

    port: int
    handler: Recorder

    def received(self) -> list[Received]:
        """Every message completed so far."""
        return self.handler.snapshot()


@contextmanager
def smtp_server(
    handler: Recorder | None = None,
    *,
    starttls: ssl.SSLContext | None = None,
    implicit_tls: ssl.SSLContext | None = None,
) -> Iterator[SmtpServer]:
    """Run a server on 127.0.0.1 for the duration of the block.

    With starttls, MAIL is refused before STARTTLS; with a handler login, AUTH
    is required (over TLS when STARTTLS is on offer).
    """
    handler = handler or Recorder()
    options: dict[str, Any] = {}
    if starttls is not None:
        options.update(tls_context=starttls, require_starttls=True)
    if handler.login is not None:
        options.update(
            authenticator=handler.authenticate,
            auth_required=True,
            auth_require_tls=starttls is not None,
        )
    controller = _Controller(
        handler, hostname=HOST, port=0, ssl_context=implicit_tls, ready_timeout=5.0, **options
    )
    controller.start()
    try:
        yield SmtpServer(controller.port, handler)
    finally:
        controller.stop()
