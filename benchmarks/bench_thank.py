"""How long `meishi thank --since yesterday` takes for 50 people, as a fresh process.

Run:  python benchmarks/bench_thank.py [--size 1000] [--runs 9] [--writes]
                                       [--against OTHER/src ...]

Builds a home as bench_cli.py does (SIZE contacts, 100 events, the newest 50 people met
yesterday, each with a work email and two topics; the search index current; an apology
and a ¥3,000 fee owed for a no-show at event 99), then drafts their thank-yous RUNS times
per meishi timed (this one, and each `--against` checkout's src/, taken in turn so that a
load that comes and goes weighs on each alike). `--writes` also times the other writes
that left the ORM with it: `contacts edit` (a job change), `apologized` and `paid`. Every
run starts from the same state, a fresh copy of the home (not timed), as a fresh process
of byte-compiled code. Prints the median wall and CPU (user + system of the child)
milliseconds of each command, and whether every run of every meishi printed the same and
left the same rows (stamps aside).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from bench_cli import MEISHI, add_against, codes  # noqa: E402

THANK = {"thank --since yesterday (50 people)": ["thank", "--since", "yesterday"]}
WRITES = {
    "contacts edit 1 --company … --title …": [
        *("contacts", "edit", "1", "--company", "Globex Japan", "--title", "VP"),
    ],
    "apologized 99 --how phone": ["apologized", "99", "--how", "phone"],
    "paid 99": ["paid", "99"],
}
# What a run leaves in the store, stamps aside: every draft and the meetings it thanks for,
# what is owed, the first contact, their emails and earlier positions.
STATE = (
    "SELECT d.id, d.kind, d.state, d.contact_id, d.event_id, d.encounter_id, d.template,"
    " d.to_name, d.to_addr, d.subject, d.body,"
    " (SELECT group_concat(l.encounter_id) FROM draft_encounter l WHERE l.draft_id = d.id)"
    " FROM draft d ORDER BY d.id",
    "SELECT id, event_id, kind, amount, settled_at IS NOT NULL, how, paid FROM obligation",
    "SELECT full_name, company, title FROM contact WHERE id = 1",
    "SELECT contact_id, address, position FROM contactemail WHERE contact_id = 1",
    "SELECT contact_id, company, department, title, until FROM past_position",
)


def build(home: Path, size: int, env: dict[str, str]) -> None:
    """bench_cli's home, its index current, and something owed for event 99."""
    builder = [sys.executable, str(ROOT / "bench_cli.py"), "--build", str(home), str(size)]
    subprocess.run(builder, check=True)
    shutil.rmtree(home / "vcards")  # khard's copy of the people: not meishi's
    stamp = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    connection = sqlite3.connect(home / "meishi.db")
    with connection:
        connection.execute("UPDATE event SET attendance = 'no-show', fee = 3000 WHERE id = 99")
        connection.executemany(
            "INSERT INTO obligation (event_id, kind, amount, created_at) VALUES (99, ?, ?, ?)",
            [("apology", None, stamp), ("fee", 3000, stamp)],
        )
    connection.close()
    # The builder wrote behind meishi's back: index every contact now, as meishi's own writes
    # keep it, so that no run pays for folding a thousand contacts.
    reindex = [*MEISHI, "db", "reindex"]
    subprocess.run(
        reindex, env={**env, "MEISHI_HOME": str(home)}, check=True, stdout=subprocess.DEVNULL
    )


def once(home: Path, argv: list[str], env: dict[str, str]) -> tuple[float, float, object]:
    """One command in a fresh process on a copy of the home: (wall seconds, CPU seconds,
    what it printed with the rows it left)."""
    work = Path(tempfile.mkdtemp(prefix="meishi-bench-thank-run-")) / "home"
    shutil.copytree(home, work)
    started = time.perf_counter()
    process = subprocess.Popen(
        [*MEISHI, *argv],
        env={**env, "MEISHI_HOME": str(work)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    printed = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    assert os.waitstatus_to_exitcode(status) == 0, (argv, env["MEISHI_LABEL"])
    connection = sqlite3.connect(work / "meishi.db")
    left = tuple(tuple(connection.execute(query).fetchall()) for query in STATE)
    connection.close()
    shutil.rmtree(work.parent, ignore_errors=True)
    return wall, usage.ru_utime + usage.ru_stime, (printed, left)


def main() -> None:
    """Build the home, run each command with each meishi in turn, print the medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--writes", action="store_true", help="also time the other writes")
    parser.add_argument("--keep", action="store_true", help="keep the home, print where")
    add_against(parser)
    args = parser.parse_args()
    envs = codes(args.against)
    home = Path(tempfile.mkdtemp(prefix=f"meishi-bench-thank-{args.size}-")) / "home"
    build(home, args.size, envs[0])
    print(f"home: {home} ({args.size} contacts, 50 met yesterday)")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    names = "".join(f" {env['MEISHI_LABEL'][:17]:>17}" for env in envs)
    print(f"{'':<40}{names}")
    print(f"{'command':<40}{' wall ms  CPU ms' * len(envs)}  output")
    for label, argv in {**THANK, **(WRITES if args.writes else {})}.items():
        samples: list[list[tuple[float, float]]] = [[] for _ in envs]
        outputs = set()
        for _ in range(args.runs):
            for env, taken in zip(envs, samples, strict=True):
                wall, cpu, output = once(home, argv, env)
                taken.append((wall, cpu))
                outputs.add(output)
        cells = "".join(
            f" {statistics.median(t[0] for t in taken) * 1000:>8.0f}"
            f" {statistics.median(t[1] for t in taken) * 1000:>7.0f}"
            for taken in samples
        )
        same = "the same" if len(outputs) == 1 else f"{len(outputs)} different"
        print(f"{label:<40}{cells}  {same}", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if args.keep:
        print(f"kept: {home}")
    else:
        shutil.rmtree(home.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
