"""How fast each read command answers at 10k and 100k contacts, as a fresh process.

Run:  python benchmarks/bench_reads.py [--sizes 10000 100000] [--runs 5] [--home SIZE=PATH]
                                       [--mail-by-date] [--against OTHER/src ...]

Builds each home as bench_cli.py does (its builder, in a child process), then adds what
the agenda reads and bench_cli's home lacks: mail exchanged with one contact in ten, an
obligation, organizer follow-ups and a coming occurrence of the series (the mail recorded
contact by contact, or with --mail-by-date in order of time, as sync records it). Each
command runs as a fresh process (output to a pipe) of byte-compiled code, as pip installs
it; the table gives the median wall and CPU (user + system of the child) milliseconds of
`--runs` runs. `--home SIZE=PATH` reuses a home built before (with --keep) instead of
building one; `--against OTHER/src` times another checkout's meishi too, run for run in
turn with this one (before and after a change, under the same load).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
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

# label: arguments. Each command reads the home's series 'Tokyo AI 勉強会' (events 1-100
# held weekly up to yesterday, #101 coming in ten days).
COMMANDS: dict[str, list[str]] = {
    "search zzzqqq (the fixed cost)": ["search", "zzzqqq"],  # no match: start and exit
    "todo": ["todo"],
    "should-return 'Tokyo AI 勉強会'": ["should-return", "Tokyo AI 勉強会"],
    "relationships": ["relationships"],
    "brief 101": ["brief", "101"],
    # The pages: #99 has about one contact in 99 met there (and the apology owed for it).
    "event list": ["event", "list"],
    "event show 99": ["event", "show", "99"],
    "contacts show 1": ["contacts", "show", "1"],
    "record": ["record"],
}


def enrich(home: Path, size: int, by_date: bool = False) -> None:
    """Add mail, an obligation, follow-ups and a coming occurrence to a bench_cli home (the
    mail recorded contact by contact, or with by_date in order of time, as sync records it)."""
    rng = random.Random(size)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    stamp = now.isoformat(sep=" ")
    today = dt.date.today()
    connection = sqlite3.connect(home / "meishi.db")
    with connection:
        connection.execute(
            "INSERT INTO event (id, name, date, series, organizer_name, attendance, created_at)"
            " VALUES (101, 'Tokyo AI 勉強会 #101', ?, 'Tokyo AI 勉強会', '佐藤 健',"
            " 'registered', ?)",
            ((today + dt.timedelta(days=10)).isoformat(), stamp),
        )
        connection.execute(  # a no-show at #99: an apology owed
            "UPDATE event SET attendance = 'no-show' WHERE id = 99"
        )
        connection.execute(
            "INSERT INTO obligation (event_id, kind, created_at) VALUES (99, 'apology', ?)",
            (stamp,),
        )
        connection.executemany(
            "INSERT INTO organizerfollowup (event_id, kind, date, source, created_at)"
            " VALUES (?, 'thanks', ?, 'hand', ?)",
            [
                (event, (today - dt.timedelta(days=7 * (100 - event))).isoformat(), stamp)
                for event in range(1, 96, 2)
            ],
        )
        connection.executemany(
            "INSERT INTO exchange (contact_id, direction, date, subject, message_id, folder,"
            " matched, thread_root, created_at) VALUES (?, ?, ?, ?, ?, ?, 'address', ?, ?)",
            sorted(_mail(size, rng, now, stamp), key=lambda row: str(row[2]))
            if by_date
            else _mail(size, rng, now, stamp),
        )
    connection.close()


def _mail(size: int, rng: random.Random, now: dt.datetime, stamp: str) -> list[tuple[object, ...]]:
    """Three mails each with one contact in ten, over the last 200 days, either way."""
    rows: list[tuple[object, ...]] = []
    for contact in range(1, size + 1, 10):
        for number in range(3):
            direction = "out" if number == 0 else rng.choice(("in", "out"))
            when = (now - dt.timedelta(days=rng.randrange(200), minutes=number)).isoformat(sep=" ")
            message = f"<m{contact}.{number}@bench>"
            folder = "Sent" if direction == "out" else "INBOX"
            rows.append(
                (
                    contact,
                    direction,
                    when,
                    "Re: 勉強会",
                    message,
                    folder,
                    f"<m{contact}.0@bench>",
                    stamp,
                )
            )
    return rows


def timed(command: list[str], envs: list[dict[str, str]], runs: int) -> list[tuple[float, float]]:
    """Median wall and CPU milliseconds of a command run as a fresh process `runs` times in
    each environment, the environments in turn (so that the machine's load falls on each)."""
    samples: list[tuple[list[float], list[float]]] = [([], []) for _ in envs]
    for _ in range(runs):
        for env, (walls, cpus) in zip(envs, samples, strict=True):
            _run(command, env, walls, cpus)
    return [(statistics.median(walls), statistics.median(cpus)) for walls, cpus in samples]


def _run(command: list[str], env: dict[str, str], walls: list[float], cpus: list[float]) -> None:
    """Run a command once as a fresh process, its wall and CPU milliseconds added to the lists."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None
    while process.stdout.read(1 << 16):
        pass
    _, status, usage = os.wait4(process.pid, 0)
    walls.append((time.perf_counter() - started) * 1000)
    cpus.append((usage.ru_utime + usage.ru_stime) * 1000)
    assert os.waitstatus_to_exitcode(status) == 0, command


def built(size: int, keep: bool, by_date: bool = False) -> Path:
    """A new home of `size` contacts: bench_cli's builder, then enrich()."""
    home = Path(tempfile.mkdtemp(prefix=f"meishi-reads-{size}-"))
    started = time.perf_counter()
    subprocess.run([sys.executable, ROOT / "bench_cli.py", "--build", home, str(size)], check=True)
    shutil.rmtree(home / "vcards", ignore_errors=True)
    enrich(home, size, by_date)
    kept = f": {home}" if keep else ""
    print(f"{size:>8}  (home built in {time.perf_counter() - started:.1f} s{kept})", flush=True)
    return home


def main() -> None:
    """Build (or reuse) each home, time each command, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the homes, print where")
    parser.add_argument("--home", action="append", default=[], metavar="SIZE=PATH")
    parser.add_argument("--only", nargs="+", metavar="LABEL", help="time only these commands")
    parser.add_argument(
        "--mail-by-date",
        action="store_true",
        help="record the mail in order of time, as sync does (default: contact by contact)",
    )
    add_against(parser)
    args = parser.parse_args()
    os.environ.pop("MEISHI_DATABASE_URL", None)  # the SQLite home, never a server set
    compiled = codes(args.against)  # byte-compiled first, as pip installs it
    given = {int(size): Path(path) for size, path in (item.split("=", 1) for item in args.home)}
    heads = "".join(f" {'wall ms':>8} {'CPU ms':>8}" for _ in compiled)
    print(f"{'contacts':>8}  {'command':<34}{heads}", flush=True)
    if args.against:
        print(" " * 44 + "  ".join(f"{env['MEISHI_LABEL']:>17}" for env in compiled))
    for size in args.sizes:
        home = given.get(size) or built(size, args.keep, args.mail_by_date)
        envs = [{**env, "MEISHI_HOME": str(home)} for env in compiled]
        for label, argv in COMMANDS.items():
            if args.only and label not in args.only:
                continue
            cells = "".join(
                f" {w:>8.0f} {c:>8.0f}" for w, c in timed([*MEISHI, *argv], envs, args.runs)
            )
            print(f"{size:>8}  {label:<34}{cells}", flush=True)
        if size not in given and not args.keep:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
