"""A real IMAP server (Debian's Dovecot 2.3) on 127.0.0.1 for the mailbox tests.

One unprivileged Dovecot runs per test session from a throwaway config in a
temporary folder; each test starts with empty mailboxes. Two users: hanako,
whose special-use folders are `Sent` and `Drafts`, and taro, whose are
`送信済みアイテム` and `下書き` (modified UTF-7 on the wire). Loaded by
tests/conftest.py as a pytest plugin: the fixture is `imap_server`.
"""

from __future__ import annotations

import datetime as dt
import grp
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from imapclient import IMAPClient

HOST = "127.0.0.1"
DOVECOT = Path("/usr/sbin/dovecot")
INSTANCE = "meishi-test"  # prefixes the process titles, which kill_connections reads
READY_TIMEOUT = 10.0  # seconds to wait for the first successful LOGIN
STOP_TIMEOUT = 5.0  # seconds between SIGTERM and SIGKILL
CLIENT_TIMEOUT = 10.0  # so a wedged server fails a test instead of hanging it


@dataclass(frozen=True)
class ImapUser:
    """A mailbox owner, their password and the names of their special-use folders."""

    name: str
    password: str
    sent: str
    drafts: str


HANAKO = ImapUser("hanako", "hanako-imap-secret", "Sent", "Drafts")
# A space and a quote in the password, so that clients must quote it properly.
TARO = ImapUser("taro", 'taro "imap" secret', "送信済みアイテム", "下書き")
USERS = (HANAKO, TARO)

Message = tuple[int, tuple[bytes, ...], bytes]  # (uid, flags, exact bytes)


@dataclass(frozen=True)
class TlsFiles:
    """A private CA, and a certificate for HOST it issued, as files Dovecot reads."""

    cafile: Path  # what a client must be told to trust
    cert: Path
    key: Path


def make_certificate(folder: Path) -> TlsFiles:
    """A throwaway CA (trustme) and a server certificate and key for HOST, in folder."""
    import trustme

    ca = trustme.CA()
    issued = ca.issue_cert(HOST)
    files = TlsFiles(folder / "ca.pem", folder / "cert.pem", folder / "key.pem")
    ca.cert_pem.write_to_path(str(files.cafile))
    issued.private_key_pem.write_to_path(str(files.key))
    for index, blob in enumerate(issued.cert_chain_pems):
        blob.write_to_path(str(files.cert), append=index > 0)
    return files


def require_dovecot(path: Path | None = None) -> None:
    """Fail (never skip) when Dovecot (DOVECOT unless path) is missing, saying how to get it."""
    path = path or DOVECOT
    if not path.exists():
        pytest.fail(
            f"{path} not found: the IMAP tests need Dovecot; "
            "install it with `apt-get install dovecot-imapd` (.ci/run does)",
            pytrace=False,
        )


def _free_port() -> int:
    """A TCP port on HOST that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _run_as() -> tuple[str, str]:
    """The user and group Dovecot runs as: nobody when we are root, else ourselves."""
    if os.geteuid() == 0:
        return "nobody", "nogroup"
    return pwd.getpwuid(os.geteuid()).pw_name, grp.getgrgid(os.getegid()).gr_name


def _scratch_parent() -> str:
    """Where the server's folder goes: tmpfs if there is one, else /tmp.

    Not pytest's tmp_path: nobody must reach it (pytest-of-root is 0700) and unix
    socket paths must stay short. tmpfs because deleting Maildirs there takes
    ~1 ms per test, against 50-80 ms on this machine's ext4 (mounted with discard).
    """
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else "/tmp"


def _passwd_line(user: ImapUser) -> str:
    """A passwd-file entry whose userdb fields auto-create the user's special folders."""
    auto = " ".join(
        f"userdb_namespace/inbox/mailbox/{folder}/auto=subscribe"
        for folder in (user.sent, user.drafts)
    )
    return f"{user.name}:{{PLAIN}}{user.password}::::::{auto}\n"


def _mailbox_section(name: str, use: str) -> str:
    """A namespace mailbox with its special-use flag; users opt in to creating it."""
    return f"  mailbox {name} {{\n    special_use = {use}\n  }}\n"


def _ssl_config(tls: TlsFiles | None) -> str:
    """TLS off, or on with the given certificate (STARTTLS on the plain port too)."""
    if tls is None:
        return "ssl = no\n"
    return f"ssl = yes\nssl_cert = <{tls.cert}\nssl_key = <{tls.key}\nssl_min_protocol = TLSv1.2\n"


def _config(root: Path, port: int, user: str, group: str, tls: tuple[TlsFiles, int] | None) -> str:
    """The whole dovecot.conf for a server rooted at root, listening on port (and, with
    tls, on its own port for TLS from the start, whose listener is otherwise off)."""
    mailboxes = "".join(
        _mailbox_section(folder, use)
        for account in USERS
        for folder, use in ((account.sent, r"\Sent"), (account.drafts, r"\Drafts"))
    )
    return f"""\
protocols = imap
listen = {HOST}
instance_name = {INSTANCE}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
verbose_proctitle = yes
auth_verbose = yes
{_ssl_config(tls[0] if tls else None)}disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:~/Maildir
mail_temp_dir = {root}/tmp
mail_fsync = never
mail_max_userip_connections = 1000
passdb {{
  driver = passwd-file
  args = {root}/passwd
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={root}/home/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
{mailboxes}}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = {tls[1] if tls else 0}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
  # No socket, so auth silently skips its penalty (2 s, 4 s, ... after a failed
  # login from 127.0.0.1); login_trusted_networks does not lift it in 2.3.19.
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


def _process_table(group: int) -> Iterator[tuple[int, str]]:
    """(pid, command name) of the live processes in a process group."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"{entry.path}/stat", "rb") as stat_file:  # plain open: 5x faster
                stat = stat_file.read()
        except OSError:
            continue  # exited while we looked
        name = stat[stat.index(b"(") + 1 : stat.rindex(b")")].decode(errors="replace")
        state, _parent, pgrp = stat[stat.rindex(b")") + 2 :].split()[:3]
        if int(pgrp) == group and state != b"Z":
            yield int(entry.name), name


def _title(pid: int) -> str:
    """A process's title, which Dovecot sets to `imap [user ip state]`."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return cmdline.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _flags(flags: Sequence[bytes]) -> tuple[bytes, ...]:
    """Stored flags in a stable order, without \\Recent (per session; gone in IMAP4rev2)."""
    return tuple(sorted(flag for flag in flags if flag.lower() != b"\\recent"))


def _append_uid(response: bytes) -> int:
    """The UID from an APPEND reply's APPENDUID code (UIDPLUS)."""
    found = re.search(rb"\[APPENDUID \d+ (\d+)\]", response)
    assert found is not None, f"no APPENDUID in {response!r}"
    return int(found.group(1))


@dataclass
class DovecotServer:
    """A Dovecot on HOST:port with the USERS, started and stopped by the fixtures."""

    root: Path
    host: str = HOST
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    users: dict[str, ImapUser] = field(default_factory=lambda: {u.name: u for u in USERS})
    log_offset: int = 0  # where this test's part of the log begins
    tls: TlsFiles | None = None  # given: TLS on ssl_port, and STARTTLS on port
    ssl_port: int = 0

    @property
    def log_path(self) -> Path:
        """The file Dovecot logs to."""
        return self.root / "dovecot.log"

    def password(self, user: str) -> str:
        """The password of one of the USERS."""
        return self.users[user].password

    def start(self) -> float:
        """Write the config, start Dovecot and wait for a LOGIN to succeed; return seconds."""
        began = time.monotonic()
        for _attempt in range(3):  # another program may take the port we picked
            self.port = self.port or _free_port()
            self.ssl_port = self.ssl_port or (_free_port() if self.tls else 0)
            if self._launch():
                return time.monotonic() - began
            self.port = self.ssl_port = 0
        raise RuntimeError(f"Dovecot did not start:\n{self.log_tail()}")

    def _launch(self) -> bool:
        """One attempt to start on self.port: True once a LOGIN works, False if it exited."""
        user, group = _run_as()
        for folder in ("run", "state", "home", "tmp", "tls"):
            (self.root / folder).mkdir(exist_ok=True)
        (self.root / "run" / "master.pid").unlink(missing_ok=True)  # left by a SIGKILL
        (self.root / "dovecot.conf").write_text(
            _config(self.root, self.port, user, group, self._tls_port()), encoding="utf-8"
        )
        (self.root / "passwd").write_text("".join(_passwd_line(u) for u in USERS), encoding="utf-8")
        as_root = os.geteuid() == 0
        if as_root:
            # Dovecot drops nothing when started unprivileged: it runs wholly as
            # `user`, so everything it touches must belong to that user.
            for name in (".", "run", "state", "home", "tmp", "dovecot.conf", "passwd"):
                shutil.chown(self.root / name, user, group)
            for path in [self.root / "tls", *(self.root / "tls").iterdir()]:
                shutil.chown(path, user, group)
        with open(self.root / "dovecot.stderr", "ab") as stderr:
            # A session of its own, so that killpg reaches every child Dovecot forks;
            # no supplementary groups, so that root's do not leak to nobody.
            self.process = subprocess.Popen(
                [str(DOVECOT), "-F", "-c", str(self.root / "dovecot.conf")],
                stdin=subprocess.DEVNULL,
                stdout=stderr,
                stderr=stderr,
                start_new_session=True,
                user=user if as_root else None,
                group=group if as_root else None,
                extra_groups=[] if as_root else None,
            )
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            with suppress(OSError, IMAPClient.Error):
                # An open port is not enough: auth starts lazily, so wait for a login.
                self.login(HANAKO.name).logout()
                return True
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"Dovecot accepted no LOGIN in {READY_TIMEOUT} s:\n{self.log_tail()}")

    def _tls_port(self) -> tuple[TlsFiles, int] | None:
        """The certificate and the port for TLS from the start, when TLS is on."""
        return (self.tls, self.ssl_port) if self.tls else None

    def stop(self) -> None:
        """Stop Dovecot and all its processes: SIGTERM, then SIGKILL after a timeout."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def restart(self) -> float:
        """Stop and start again on the same port (every connection drops); return seconds."""
        self.stop()
        return self.start()

    @property
    def running(self) -> bool:
        """Whether the Dovecot master process is alive."""
        return self.process is not None and self.process.poll() is None

    def connect(self) -> IMAPClient:
        """A new, not yet logged-in connection."""
        return IMAPClient(self.host, self.port, ssl=False, timeout=CLIENT_TIMEOUT)

    def login(self, user: str) -> IMAPClient:
        """A new connection logged in as user; the caller logs out."""
        client = self.connect()
        try:
            client.login(user, self.password(user))
        except BaseException:
            client.shutdown()
            raise
        return client

    @contextmanager
    def session(self, user: str) -> Iterator[IMAPClient]:
        """A logged-in connection for the duration of the block."""
        client = self.login(user)
        try:
            yield client
        finally:
            with suppress(OSError, IMAPClient.Error):
                client.logout()

    def append(
        self,
        user: str,
        folder: str,
        raw: bytes,
        flags: Sequence[bytes | str] = (),
        date: dt.datetime | None = None,
    ) -> int:
        """APPEND a message to user's folder and return its UID."""
        with self.session(user) as client:
            return _append_uid(client.append(folder, raw, flags=tuple(flags), msg_time=date))

    def messages(self, user: str, folder: str) -> list[Message]:
        """Every message in user's folder, as (uid, sorted flags, exact bytes), by UID."""
        with self.session(user) as client:
            client.select_folder(folder, readonly=True)
            # imapclient 4.1 rejects fetch("1:*"): search first, then fetch those UIDs.
            uids = client.search("ALL")
            if not uids:
                return []
            fetched = client.fetch(uids, ["FLAGS", "BODY.PEEK[]"])
            return [(uid, _flags(fetched[uid][b"FLAGS"]), fetched[uid][b"BODY[]"]) for uid in uids]

    def uidvalidity(self, user: str, folder: str) -> int:
        """The folder's UIDVALIDITY."""
        with self.session(user) as client:
            return int(client.folder_status(folder, [b"UIDVALIDITY"])[b"UIDVALIDITY"])

    def recreate_folder(self, user: str, folder: str) -> int:
        """Delete the folder and create it again, empty; return its new UIDVALIDITY."""
        with self.session(user) as client:
            client.delete_folder(folder)
            client.create_folder(folder)
            return int(client.folder_status(folder, [b"UIDVALIDITY"])[b"UIDVALIDITY"])

    def kill_connections(self, user: str | None = None) -> int:
        """Drop logged-in connections (one user's, or all) as a network failure would.

        SIGKILL, not `doveadm kick`: the client gets no BYE, just a closed socket.
        Returns how many connections were dropped.
        """
        if not self.running:
            return 0
        assert self.process is not None
        victims = [
            pid
            for pid, name in _process_table(self.process.pid)
            if name == "imap"
            and (user is None or _title(pid).split(" [")[-1].startswith(f"{user} "))
        ]
        for pid in victims:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        # Wait until they are gone (or zombies), so nothing writes to a home reset deletes.
        deadline = time.monotonic() + STOP_TIMEOUT
        while victims and time.monotonic() < deadline:
            alive = {pid for pid, _name in _process_table(self.process.pid)}
            if not alive.intersection(victims):
                break
            time.sleep(0.002)
        return len(victims)

    def reset(self) -> None:
        """Empty every mailbox: drop connections and delete the homes Dovecot recreates."""
        if not self.running:
            self.start()
        self.kill_connections()
        shutil.rmtree(self.root / "home", ignore_errors=True)
        (self.root / "home").mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.root / "home", *_run_as())
        self.log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0

    def log(self) -> str:
        """What Dovecot logged since the last reset."""
        if not self.log_path.exists():
            return ""
        with open(self.log_path, "rb") as log:
            log.seek(self.log_offset)
            return log.read().decode(errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        """The end of the whole log and of Dovecot's stderr, for startup failures."""
        texts = []
        for path in (self.root / "dovecot.stderr", self.log_path):
            if path.exists():
                texts.extend(path.read_text(errors="replace").splitlines()[-lines:])
        return "\n".join(texts)


@contextmanager
def _throwaway_server(tls: bool) -> Iterator[DovecotServer]:
    """A Dovecot (with TLS, if asked) in a temporary folder removed afterwards."""
    require_dovecot()
    root = Path(tempfile.mkdtemp(prefix="meishi-dovecot-", dir=_scratch_parent()))
    (root / "tls").mkdir()
    server = DovecotServer(root, tls=make_certificate(root / "tls") if tls else None)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[DovecotServer]:
    """One Dovecot for the whole session."""
    with _throwaway_server(tls=False) as server:
        yield server


@pytest.fixture
def imap_server(dovecot_server: DovecotServer) -> DovecotServer:
    """The session's Dovecot with every mailbox empty."""
    dovecot_server.reset()
    return dovecot_server


@pytest.fixture(scope="session")
def dovecot_tls_server() -> Iterator[DovecotServer]:
    """A second Dovecot for the session, with TLS: a certificate for HOST from a throwaway
    CA (its file: `.tls.cafile`), TLS from the start on `.ssl_port`, STARTTLS on `.port`."""
    with _throwaway_server(tls=True) as server:
        yield server


@pytest.fixture
def imap_tls_server(dovecot_tls_server: DovecotServer) -> DovecotServer:
    """The session's Dovecot with TLS, every mailbox empty."""
    dovecot_tls_server.reset()
    return dovecot_tls_server


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Show the test's part of the Dovecot log when a test using the server fails."""
    report: pytest.TestReport = yield
    funcargs = getattr(item, "funcargs", {})
    server = funcargs.get("imap_server") or funcargs.get("imap_tls_server")
    if report.failed and isinstance(server, DovecotServer):
        report.sections.append(("Dovecot log", server.log() or "(empty)"))
    return report
