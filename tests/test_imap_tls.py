"""The mailbox over TLS: `imap.security` ssl and starttls against a Dovecot whose
certificate comes from a CA made in the test, trusted only through `imap.cafile`."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import MemoryKeyring, error_of, fails, ok, snapshot
from imap_server import HANAKO, DovecotServer, make_certificate
from test_sync import memory_keyring

__all__ = ["memory_keyring"]  # a fixture, used by name


def configure_tls(server: DovecotServer, security: str, cafile: Path | None) -> None:
    """Point meishi at the TLS Dovecot as hanako, trusting `cafile` (None: the system's)."""
    port = server.ssl_port if security == "ssl" else server.port
    for key, value in (
        ("imap.host", server.host),
        ("imap.port", str(port)),
        ("imap.user", HANAKO.name),
        ("imap.security", security),
    ):
        ok("config", "set", key, value)
    if cafile is not None:
        ok("config", "set", "imap.cafile", str(cafile))
    ok("config", "set-password", "imap", input=server.password(HANAKO.name) + "\n")


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_tls_with_a_certificate_trusted_through_imap_cafile(
    imap_tls_server: DovecotServer, memory_keyring: MemoryKeyring, security: str
) -> None:
    assert imap_tls_server.tls is not None
    configure_tls(imap_tls_server, security, imap_tls_server.tls.cafile)
    said = ok("mail", "check").stdout
    assert f"sent: {HANAKO.sent}  (SPECIAL-USE \\Sent)" in said
    # Dovecot notes how each login was secured: TLS, not merely "secured" (loopback).
    assert "Login: user=<hanako>, method=PLAIN" in imap_tls_server.log()
    assert ", TLS, session=" in imap_tls_server.log()
    report = ok("sync", "--json").stdout
    assert '"read": 0' in report


@pytest.mark.parametrize("security", ["ssl", "starttls"])
@pytest.mark.parametrize("trusted", ["the system's", "another CA"])
def test_an_untrusted_certificate_is_one_line_exit_1(
    imap_tls_server: DovecotServer,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
    security: str,
    trusted: str,
) -> None:
    other = make_certificate(tmp_path).cafile if trusted == "another CA" else None
    configure_tls(imap_tls_server, security, other)
    port = imap_tls_server.ssl_port if security == "ssl" else imap_tls_server.port
    ok("drafts")  # the store exists, to be compared
    before = snapshot()
    for command in (("mail", "check"), ("sync",)):
        result = fails(*command, code=1)
        assert error_of(result).startswith(f"the certificate of 127.0.0.1:{port} is not trusted (")
        assert "meishi config set imap.cafile CA_FILE" in error_of(result)
        assert imap_tls_server.password(HANAKO.name) not in result.output
    assert snapshot() == before
    assert "Login: user=<hanako>" not in imap_tls_server.log()  # the password never went
