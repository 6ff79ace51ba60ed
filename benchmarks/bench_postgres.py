"""The read commands on SQLite and on a local PostgreSQL server, side by side.

Run:  python benchmarks/bench_postgres.py [--sizes 0 10000 100000] [--runs 5] [--against SRC]

Needs Debian's `postgresql` package: a throwaway cluster is started on a Unix socket
(tests/pg_server.py's PgServer, as the tests do) and removed at the end. For each size,
a SQLite home is built as bench_cli.py builds it, then copied into an empty server
database with `meishi db copy` (size 0: both left empty); each command then runs as a
fresh process on both, in turn, and the median wall time of each is printed. With
`--against OTHER/src`, that checkout's meishi is timed too, run for run.
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
    url = server.url(server.create_database(f"meishi_bench_{size}"))
    if not size:
        return url
    subprocess.run(
        [sys.executable, ROOT / "benchmarks" / "bench_cli.py", "--build", home, str(size)],
        check=True,
    )
    built = time.perf_counter()
    env = {**os.environ, "MEISHI_HOME": str(home)}
    subprocess.run(
        [*MEISHI, "db", "copy", "--to", url], env=env, check=True, stdout=subprocess.DEVNULL
    )
    print(
        f"{size:>8}  (SQLite home built in {built - started:.1f} s, "
        f"copied to PostgreSQL in {time.perf_counter() - built:.1f} s)",
        flush=True,
    )
    return url


def main() -> None:
    """Start the cluster, build each size, time each command on both engines."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 10000, 100000])
    parser.add_argument("--runs", type=int, default=5)
    add_against(parser)
    args = parser.parse_args()
    # Building must fill the SQLite home, never a server the caller has set.
    os.environ.pop("MEISHI_DATABASE_URL", None)
    envs = codes(args.against)
    server = PgServer.start()
    try:
        names = "".join(f" {env['MEISHI_LABEL'][:24]:>25}" for env in envs)
        print(f"{'':>44}{names}")
        engines = " SQLite ms  PostgreSQL ms" * len(envs)
        print(f"{'contacts':>8}  {'command':<34}{engines}")
        for size in args.sizes:
            home = Path(tempfile.mkdtemp(prefix=f"meishi-bench-pg-{size}-"))
            try:
                url = build(home, size, server)
                local = [{**code, "MEISHI_HOME": str(home)} for code in envs]
                variants = [
                    env for each in local for env in (each, {**each, "MEISHI_DATABASE_URL": url})
                ]
                for label, (argv, tty) in (COMMANDS if size else EMPTY).items():
                    runs = [([*MEISHI, *argv], env) for env in variants]
                    if not size:  # the first run makes the store: not what is timed
                        side_by_side(runs, 1, tty)
                    cells = "".join(
                        f" {t.wall * 1000:>{14 if n % 2 else 9}.0f}"
                        for n, t in enumerate(side_by_side(runs, args.runs, tty))
                    )
                    print(f"{size:>8}  {label:<34}{cells}", flush=True)
            finally:
                shutil.rmtree(home, ignore_errors=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
