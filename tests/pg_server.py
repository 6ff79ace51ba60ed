"""A throwaway PostgreSQL cluster for the tests: one per session, one database per test.

The cluster lives in a temporary folder and listens only on a Unix socket there, so it
never touches TCP or the default cluster a `postgresql` package may have made on 5432.
Under root (tests and CI) the server binaries run as `nobody`, because initdb, pg_ctl
and postgres refuse to run as root; the cluster's superuser is then `nobody` too.
Every test database is cloned from `meishi_template`, which has pg_trgm installed.
"""

from __future__ import annotations

import atexit
import contextlib
import getpass
import itertools
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import URL

TEMPLATE_DB = "meishi_template"
PACKAGE_HINT = "install Debian's `postgresql` package (apt-get install postgresql; .ci/run does)"
# Durability buys nothing for a throwaway cluster and costs most of the write time.
SETTINGS = {
    "listen_addresses": "''",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# Runs beside the test process and cleans up if that process dies without doing so
# (SIGKILL, a crash): it sees EOF on its stdin, then stops the cluster and removes it.
# A kept cluster (keep == "keep") is stopped and left in place.
_WATCHDOG = """
import shutil, subprocess, sys
if sys.stdin.read() != "done":
    root, keep, uid, gid, *stop = sys.argv[1:]
    who = {} if uid == "-" else {"user": int(uid), "group": int(gid), "extra_groups": []}
    subprocess.run(stop, cwd=root, capture_output=True, **who)
    if keep != "keep":
        shutil.rmtree(root, ignore_errors=True)
"""


def _version(bindir: Path) -> tuple[int, ...]:
    """The numeric version in a Debian path like /usr/lib/postgresql/15/bin."""
    return tuple(int(p) for p in re.findall(r"\d+", bindir.parent.name)) or (0,)


def find_bindir(debian_root: Path = Path("/usr/lib/postgresql")) -> Path:
    """The folder holding initdb and pg_ctl; fails the test, naming the package, if none."""
    candidates: list[Path] = []
    if env := os.environ.get("MEISHI_PG_BINDIR"):
        candidates.append(Path(env))
    if pg_config := shutil.which("pg_config"):
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        candidates.append(Path(out.stdout.strip()))
    # Debian keeps server binaries off PATH, and /usr/bin/pg_config comes from libpq-dev,
    # which a machine with only `postgresql` lacks, so also look where Debian puts them.
    candidates += sorted(debian_root.glob("*/bin"), key=_version, reverse=True)
    if initdb := shutil.which("initdb"):
        candidates.append(Path(initdb).parent)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    pytest.fail(f"PostgreSQL server binaries (initdb, pg_ctl) not found: {PACKAGE_HINT}")


def _run_as() -> tuple[int, int] | None:
    """The (uid, gid) to run server binaries as: nobody's under root, else None for ourselves."""
    if os.geteuid() != 0:
        return None
    entry = pwd.getpwnam("nobody")
    return entry.pw_uid, entry.pw_gid


def check_name(name: str) -> str:
    """Return name if it is a plain lowercase identifier, safe in SQL and in pg_hba.conf."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a plain database or role name: {name!r}")
    return name


@dataclass
class PgServer:
    """A running throwaway cluster and the means to make and drop databases in it."""

    bindir: Path
    root: Path  # owned by the server's user; holds the data folder, log and socket
    superuser: str
    run_as: tuple[int, int] | None
    kept: bool = False  # left in place by stop(), to be started again (benchmarks)
    _watchdog: subprocess.Popen[bytes] | None = None
    _counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def data_dir(self) -> Path:
        """The cluster's data folder."""
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        """The folder holding the server's Unix socket."""
        return self.root

    @property
    def log_file(self) -> Path:
        """The server's log, read back when something fails."""
        return self.root / "server.log"

    @classmethod
    def start(cls, kept: Path | None = None) -> PgServer:
        """Initialise, configure and start a cluster, with the template database made.

        With `kept`, the cluster lives in that folder and stays there when stopped: made
        there the first time, started again from it after (the benchmarks' --keep)."""
        bindir = find_bindir()
        run_as = _run_as()
        superuser = "nobody" if run_as else getpass.getuser()
        if kept is None:
            root = Path(tempfile.mkdtemp(prefix="meishi-pg-"))
        else:
            root = kept.resolve()
            root.mkdir(parents=True, exist_ok=True)
        if run_as:
            os.chown(root, *run_as)
        server = cls(bindir, root, superuser, run_as, kept=kept is not None)
        made = (server.data_dir / "PG_VERSION").is_file()
        try:
            if not made:
                server._initdb()
            server._launch()
            if not made:
                server._make_template()
        except BaseException:
            server.stop()
            raise
        return server

    def _run(self, program: str, *args: str) -> None:
        """Run a server binary as the cluster's owner, raising with its output on failure."""
        # cwd: postgres must be able to enter it, and root's working folder may be closed.
        command = [str(self.bindir / program), *args]
        if self.run_as is None:
            done = subprocess.run(command, cwd=self.root, capture_output=True, text=True)
        else:
            uid, gid = self.run_as
            done = subprocess.run(
                command,
                cwd=self.root,
                capture_output=True,
                text=True,
                user=uid,
                group=gid,
                extra_groups=[],  # drop root's groups too
            )
        if done.returncode != 0:
            log = (
                self.log_file.read_text(errors="replace")[-2000:] if self.log_file.exists() else ""
            )
            raise RuntimeError(
                f"{program} {' '.join(args)} failed ({done.returncode}):\n"
                f"{done.stdout}{done.stderr}{log}"
            )

    def _initdb(self) -> None:
        """Create the cluster: UTF-8 in C.UTF-8, which pg_trgm needs to see Japanese as words."""
        self._run(
            "initdb",
            "--pgdata",
            str(self.data_dir),
            "--username",
            self.superuser,
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--auth=trust",  # only the socket, in a folder of ours; see require_password
            "--no-sync",
            "--no-instructions",
        )
        settings = {**SETTINGS, "unix_socket_directories": f"'{self.socket_dir}'"}
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("".join(f"{key} = {value}\n" for key, value in settings.items()))

    def _launch(self) -> None:
        """Start the server, and first a watchdog that stops it if this process dies."""
        uid, gid = (str(n) for n in self.run_as) if self.run_as else ("-", "-")
        stop = [str(self.bindir / "pg_ctl"), "stop", "-D", str(self.data_dir), "-m", self._mode]
        keep = "keep" if self.kept else "remove"
        self._watchdog = subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG, str(self.root), keep, uid, gid, *stop],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C to the test run must not kill it first
        )
        atexit.register(self.stop)
        self._run(
            "pg_ctl",
            "start",
            "--pgdata",
            str(self.data_dir),
            "--log",
            str(self.log_file),
            "--wait",
            "--silent",
        )

    def _make_template(self) -> None:
        """Create meishi_template with pg_trgm, marked as a template so it can be cloned."""
        with self.connect() as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(TEMPLATE_DB)))
        with self.connect(TEMPLATE_DB) as conn:
            conn.execute("CREATE EXTENSION pg_trgm")
        with self.connect() as admin:
            admin.execute(
                sql.SQL("ALTER DATABASE {} IS_TEMPLATE true").format(sql.Identifier(TEMPLATE_DB))
            )

    @property
    def _mode(self) -> str:
        """pg_ctl's shutdown mode: at once (nothing in a throwaway cluster is worth a clean
        shutdown), or cleanly for a kept one, which is started again."""
        return "fast" if self.kept else "immediate"

    def stop(self) -> None:
        """Stop the server and remove it (a kept one stays where it is)."""
        atexit.unregister(self.stop)
        try:
            # postmaster.pid is how pg_ctl itself tells a running server; stop is idempotent.
            if (self.data_dir / "postmaster.pid").exists():
                self._run("pg_ctl", "stop", "--pgdata", str(self.data_dir), "-m", self._mode)
        finally:
            if self._watchdog is not None:
                assert self._watchdog.stdin is not None
                with contextlib.suppress(BrokenPipeError):
                    self._watchdog.stdin.write(b"done")
                    self._watchdog.stdin.close()
                self._watchdog.wait()
                self._watchdog = None
            if not self.kept:
                shutil.rmtree(self.root, ignore_errors=True)

    def url(self, dbname: str, user: str | None = None, password: str | None = None) -> str:
        """The SQLAlchemy URL of a database: postgresql+psycopg://USER@/DB?host=SOCKETDIR."""
        return URL.create(
            "postgresql+psycopg",
            username=user or self.superuser,
            password=password,
            database=dbname,
            query={"host": str(self.socket_dir)},
        ).render_as_string(hide_password=False)

    def connect(
        self, dbname: str = "postgres", user: str | None = None, **kwargs: object
    ) -> psycopg.Connection[tuple[object, ...]]:
        """A psycopg connection through the socket (autocommit unless told otherwise)."""
        kwargs.setdefault("autocommit", True)
        return psycopg.connect(
            host=str(self.socket_dir), dbname=dbname, user=user or self.superuser, **kwargs
        )

    def create_database(
        self, name: str | None = None, owner: str | None = None, template: str = TEMPLATE_DB
    ) -> str:
        """Clone the template into a new database and return its name."""
        name = check_name(name or f"meishi_test_{next(self._counter)}")
        query = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(template)
        )
        if owner:
            query += sql.SQL(" OWNER {}").format(sql.Identifier(check_name(owner)))
        with self.connect() as admin:
            admin.execute(query)
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database; FORCE terminates its connections first, as a test may leak some."""
        with self.connect() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def require_password(self, role: str, password: str) -> str:
        """Make a login role with a password and a database of its own that demands it.

        Returns the database's name. Only that database's `local` line switches to
        scram-sha-256; every other database keeps trust.
        """
        role = check_name(role)
        with self.connect() as admin:
            admin.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(password)
                )
            )
        name = self.create_database(f"{role}_db", owner=role)
        hba = self.data_dir / "pg_hba.conf"
        # The first matching line wins, so the stricter line goes on top.
        hba.write_text(f"local {name} all scram-sha-256\n" + hba.read_text())
        with self.connect() as admin:
            admin.execute("SELECT pg_reload_conf()")
        self._await_password_required(name, role)
        return name

    def _await_password_required(self, dbname: str, role: str, timeout: float = 5.0) -> None:
        """Wait until the reload took effect: pg_reload_conf only signals the postmaster."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                # passfile: a developer's ~/.pgpass must not answer for us.
                self.connect(dbname, user=role, password="", passfile=os.devnull).close()
            except psycopg.OperationalError:
                return
            time.sleep(0.01)
        raise RuntimeError(f"pg_hba.conf reload did not take effect for {dbname}")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One PostgreSQL cluster for the whole session, stopped when the session ends."""
    server = PgServer.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    """A fresh database cloned from meishi_template, as a SQLAlchemy URL; dropped afterwards."""
    name = pg_server.create_database()
    try:
        yield pg_server.url(name)
    finally:
        pg_server.drop_database(name)
