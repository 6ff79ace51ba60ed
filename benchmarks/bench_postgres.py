"""The read commands on SQLite and on a local PostgreSQL server, side by side.

Run:  python benchmarks/bench_postgres.py [--sizes 0 10000 100000] [--runs 5] [--against SRC]
                                         [--keep DIR]

Needs Debian's `postgresql` package: a throwaway cluster is started on a Unix socket
(tests/pg_server.py's PgServer, as the tests do) and removed at the end. For each size,
a SQLite home is built as bench_cli.py builds it, then copied into an empty server
database with `meishi db copy` (size 0: both left empty); each command then runs once
untimed (a store older than the meishi timed is upgraded then), then as a fresh process
on both engines, in turn, and the median wall and CPU time of each is printed. With
`--against OTHER/src`, that checkout's meishi is timed too, run for run. With `--keep
DIR`, the cluster and the homes are kept in DIR: built there the first time, reused after.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT / "tests")]

from bench_cli import MEISHI, add_against, codes, side_by_side  # noqa: E402

from pg_server import PgServer  # noqa: E402

# label: (arguments, run on a terminal?)
COMMANDS: dict[str, tuple[list[str], bool]] = {
    "search 田中": (["search", "田中"], False),
    "search ソフト": (["search", "ソフト"], False),
    "search 社内導入": (["search", "社内導入"], False),
    "contacts list (terminal page)": (["contacts", "list"], True),
    "todo": (["todo"], False),
    "should-return 'Tokyo AI 勉強会'": (["should-return", "Tokyo AI 勉強会"], False),
    "contacts show 1": (["contacts", "show", "1"], False),
    "event list": (["event", "list"], False),
}
# On an empty store: what a command costs before it has anything to do.
EMPTY = {"search 田中 (empty store)": (["search", "田中"], False), "--help": (["--help"], False)}


def build(home: Path, size: int, server: PgServer) -> str:
    """A SQLite home of `size` contacts and a server database copied from it; its URL (for
    size 0, an empty home and an empty database, each made by meishi on first use)."""
    started = time.perf_counter()
    name = f"meishi_bench_{size}"
    with server.connect() as admin:
        built = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if built and (home / "built").exists():  # kept from an earlier run (--keep)
        print(f"{size:>8}  (kept from an earlier run: {home})", flush=True)
        return server.url(name)
    server.drop_database(name)
    url = server.url(server.create_database(name))
    if not size:
        (home / "built").touch()
        return url
    subprocess.run(
        [sys.executable, ROOT / "benchmarks" / "bench_cli.py", "--build", home, str(size)],
        check=True,
    )
    copying = time.perf_counter()
    env = {**os.environ, "MEISHI_HOME": str(home)}
    subprocess.run(
        [*MEISHI, "db", "copy", "--to", url], env=env, check=True, stdout=subprocess.DEVNULL
    )
    (home / "built").touch()
    print(
        f"{size:>8}  (SQLite home built in {copying - started:.1f} s, "
        f"copied to PostgreSQL in {time.perf_counter() - copying:.1f} s)",
        flush=True,
    )
    return url


def main() -> None:
    """Start the cluster, build each size, time each command on both engines."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 10000, 100000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="keep the cluster and the homes in DIR; reuse them when DIR holds them",
    )
    add_against(parser)
    args = parser.parse_args()
    # Building must fill the SQLite home, never a server the caller has set.
    os.environ.pop("MEISHI_DATABASE_URL", None)
    envs = codes(args.against)
    server = PgServer.start(args.keep / "cluster" if args.keep else None)
    try:
        names = "".join(f" {env['MEISHI_LABEL'][:30]:>31}" for env in envs)
        print(f"{'':>44}{names}")
        engines = "  SQLite wall/CPU   PG wall/CPU" * len(envs)
        print(f"{'contacts':>8}  {'command':<34}{engines}")
        for size in args.sizes:
            if args.keep:
                home = args.keep / f"home-{size}"
                home.mkdir(parents=True, exist_ok=True)
            else:
                home = Path(tempfile.mkdtemp(prefix=f"meishi-bench-pg-{size}-"))
            try:
                url = build(home, size, server)
                local = [{**code, "MEISHI_HOME": str(home)} for code in envs]
                variants = [
                    env for each in local for env in (each, {**each, "MEISHI_DATABASE_URL": url})
                ]
                for label, (argv, tty) in (COMMANDS if size else EMPTY).items():
                    runs = [([*MEISHI, *argv], env) for env in variants]
                    side_by_side(runs, 1, tty)  # untimed: makes or upgrades the stores
                    cells = "".join(
                        f" {t.wall * 1000:>8.0f}/{t.cpu * 1000:<5.0f}"
                        for t in side_by_side(runs, args.runs, tty)
                    )
                    print(f"{size:>8}  {label:<34}{cells}", flush=True)
            finally:
                if not args.keep:
                    shutil.rmtree(home, ignore_errors=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
