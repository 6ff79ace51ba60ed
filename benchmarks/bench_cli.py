"""How fast meishi answers at 1k, 10k and 100k contacts, beside khard on the same people.

Run:  pip install khard && python benchmarks/bench_cli.py [--sizes 1000 10000 100000] [--runs 5]

Prints the median wall and CPU time and the peak memory of each command (each run a
fresh process, as a user types it), then khard's times on the same 10k people as vCards,
its search run in turn with meishi's. `--against OTHER/src` times another checkout's
meishi beside this one, run for run: before and after a change, in one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import pty
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

FAMILY = ["田中", "佐藤", "鈴木", "高橋", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"]
FAMILY_KANA = [
    "たなか",
    "さとう",
    "すずき",
    "たかはし",
    "いとう",
    "わたなべ",
    "やまもと",
    "なかむら",
    "こばやし",
    "かとう",
]
GIVEN = ["太郎", "花子", "一郎", "美咲", "健", "愛", "翔", "陽子", "大輔", "真由美"]
GIVEN_KANA = [
    "たろう",
    "はなこ",
    "いちろう",
    "みさき",
    "けん",
    "あい",
    "しょう",
    "ようこ",
    "だいすけ",
    "まゆみ",
]
COMPANY = [
    "株式会社ソフトバンク",
    "合同会社すずきラボ",
    "株式会社サンプル商事",
    "一般社団法人未来会議",
    "有限会社タカハシ工務店",
]
TOPICS = [
    "生成AIの社内導入",
    "RAGの評価方法",
    "決済API",
    "UXリサーチ",
    "採用ブランディング",
    "expanding into Japan",
    "developer relations",
    "supply chain",
    "climate tech",
]
EN_FIRST = ["John", "Sarah", "Emily", "Michael", "Olivia", "David", "Sophia", "James"]
EN_LAST = ["Smith", "Johnson", "Clark", "Brown", "Taylor", "Wilson", "Lee", "Walker"]
SEARCHES = {
    "kanji": "田中",
    "kana reading": "たなか",
    "company fragment": "ソフト",
    "topic": "社内導入",
    "no match": "zzzqqq",
}


def person(number: int, rng: random.Random) -> dict[str, str]:
    """One synthetic person: a third Japanese, with reading, company and topics."""
    if number % 3 == 0:
        f, g = rng.randrange(len(FAMILY)), rng.randrange(len(GIVEN))
        return {
            "name": f"{FAMILY[f]} {GIVEN[g]}",
            "reading": f"{FAMILY_KANA[f]} {GIVEN_KANA[g]}",
            "company": rng.choice(COMPANY),
            "email": f"p{number}@example.jp",
        }
    first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
    return {
        "name": f"{first} {last} {number}",
        "reading": "",
        "company": f"{last} Holdings {number % 97}",
        "email": f"{first.lower()}.{last.lower()}{number}@example.com",
    }


def build_home(home: Path, size: int) -> list[dict[str, str]]:
    """A meishi home with `size` contacts, 100 events, encounters and topics."""
    env = {**os.environ, "MEISHI_HOME": str(home)}
    run(["config", "set", "me.name", "山田 花子"], env)
    run(["event", "list"], env)  # creates the store at the current schema
    from meishi.store.sqlite import prepare_connection

    rng = random.Random(size)
    people = [person(number, rng) for number in range(size)]
    connection = sqlite3.connect(home / "meishi.db")
    prepare_connection(connection)  # the search index triggers need meishi_fold()
    now = dt.datetime.now(dt.UTC).isoformat(sep=" ")
    today = dt.date.today()
    with connection:
        for number in range(100):  # the last one was yesterday, in one series
            day = today - dt.timedelta(days=1 + 7 * (99 - number))
            connection.execute(
                "INSERT INTO event (id, name, date, series, organizer_name, attendance, created_at)"
                " VALUES (?, ?, ?, 'Tokyo AI 勉強会', '佐藤 健', 'attended', ?)",
                (number + 1, f"Tokyo AI 勉強会 #{number + 1}", day.isoformat(), now),
            )
        for number, p in enumerate(people, start=1):
            connection.execute(
                "INSERT INTO contact (id, full_name, reading, company, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (number, p["name"], p["reading"] or None, p["company"], now, now),
            )
            connection.execute(
                "INSERT INTO contactemail (contact_id, address, position) VALUES (?, ?, 0)",
                (number, p["email"]),
            )
            # The newest 50 were met yesterday; everyone else at an older event.
            event = 100 if number > size - 50 else 1 + number % 99
            connection.execute(
                "INSERT INTO encounter (id, contact_id, event_id, created_at) VALUES (?, ?, ?, ?)",
                (number, number, event, now),
            )
            for position, topic in enumerate(rng.sample(TOPICS, 2)):
                connection.execute(
                    "INSERT INTO topic (encounter_id, position, text) VALUES (?, ?, ?)",
                    (number, position, topic),
                )
    connection.close()
    return people


def run(args: list[str], env: dict[str, str]) -> None:
    """Run meishi once, quietly, failing loudly."""
    subprocess.run([*MEISHI, *args], env=env, check=True, stdout=subprocess.DEVNULL)


class Timing(NamedTuple):
    """A command's medians over its runs, and its peak memory."""

    wall: float  # seconds
    cpu: float  # seconds of CPU (user + system): steadier than wall time on a busy machine
    peak: float  # MB resident


def measure(command: list[str], env: dict[str, str], runs: int, tty: bool = False) -> Timing:
    """Median wall and CPU seconds and peak resident MB of a command over several runs."""
    return side_by_side([(command, env)], runs, tty)[0]


def side_by_side(
    variants: list[tuple[list[str], dict[str, str]]], runs: int, tty: bool = False
) -> list[Timing]:
    """Each (command, environment)'s timing, their runs taken in turn, so that a load that
    comes and goes weighs on each alike."""
    samples: list[list[tuple[float, float, float]]] = [[] for _ in variants]
    for _ in range(runs):
        for (command, env), taken in zip(variants, samples, strict=True):
            taken.append(_once(command, env, tty))
    return [_timing(taken) for taken in samples]


def _timing(taken: list[tuple[float, float, float]]) -> Timing:
    """The medians of a command's runs, and the highest peak."""
    walls, cpus, peaks = zip(*taken, strict=True)
    return Timing(statistics.median(walls), statistics.median(cpus), max(peaks))


def _once(command: list[str], env: dict[str, str], tty: bool) -> tuple[float, float, float]:
    """One run of a command, as a fresh process: (wall seconds, CPU seconds, peak MB)."""
    if tty:
        controller, terminal = pty.openpty()
        stdout = terminal
    else:
        stdout = subprocess.PIPE
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=stdout, stderr=subprocess.DEVNULL)
    if tty:
        os.close(terminal)
        while _drain(controller):
            pass
    else:
        assert process.stdout is not None
        while process.stdout.read(1 << 16):
            pass
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if tty:
        os.close(controller)
    assert os.waitstatus_to_exitcode(status) == 0, command
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _drain(fd: int) -> bool:
    """Read what a pseudo-terminal has; False once it is closed."""
    try:
        return bool(os.read(fd, 1 << 16))
    except OSError:
        return False


def write_vcards(folder: Path, people: list[dict[str, str]]) -> None:
    """The same people as vCard 3.0 files, one per person, as khard keeps them."""
    folder.mkdir(parents=True)
    for number, p in enumerate(people):
        family, _, given = p["name"].partition(" ")
        (folder / f"p{number}.vcf").write_text(
            "BEGIN:VCARD\r\nVERSION:3.0\r\n"
            f"UID:meishi-bench-{number}\r\nFN:{p['name']}\r\nN:{family};{given};;;\r\n"
            f"ORG:{p['company']}\r\nEMAIL;TYPE=WORK:{p['email']}\r\nEND:VCARD\r\n",
            encoding="utf-8",
        )


def khard_side_by_side(
    book: Path, runs: int, meishis: list[tuple[list[str], dict[str, str]]]
) -> None:
    """khard list, then khard list 田中 and each meishi's search 田中 run in turn on the same
    people, with how many times faster each meishi is."""
    khard = shutil.which("khard")
    if khard is None:
        print("khard is not installed (pip install khard): skipping the comparison")
        return
    root = Path(tempfile.mkdtemp(prefix="meishi-khard-"))
    config = root / "khard.conf"
    config.write_text(
        f"[addressbooks]\n[[bench]]\npath = {book}\n\n[general]\n"
        "debug = no\ndefault_action = list\neditor = true\nmerge_editor = true\n",
        encoding="utf-8",
    )
    env = {**os.environ, "XDG_CONFIG_HOME": str(root)}
    base = [khard, "-c", str(config)]
    print(_row(10000, "khard list", [measure([*base, "list"], env, runs)]))
    found, *searches = side_by_side([([*base, "list", "田中"], env), *meishis], runs)
    print(_row(10000, "khard list 田中", [found]))
    for (_, meishi_env), search in zip(meishis, searches, strict=True):
        label = f"  search 田中 {meishi_env['MEISHI_LABEL']}, in turn"
        times = f"{found.wall / search.wall:.0f}x wall, {found.cpu / search.cpu:.0f}x CPU"
        ratio = f"  khard / meishi: {times}"
        print(_row(10000, label, [search]) + ratio)
    shutil.rmtree(root, ignore_errors=True)


MEISHI = [sys.executable, "-m", "meishi"]


# This checkout's code: what is timed as "(this)", whichever meishi pip installed last (an
# editable install from another clone, such as the one .ci/run makes, would be timed else).
THIS_SOURCE = Path(__file__).resolve().parent.parent / "src"


def codes(against: list[str]) -> list[dict[str, str]]:
    """The environments running each meishi timed: this checkout's, then each --against
    source folder's; each byte-compiled first, as pip does when it installs it (run from a
    checkout under PYTHONDONTWRITEBYTECODE, every start compiles every module it imports:
    ~20 ms more for search)."""
    found = [{**os.environ, "PYTHONPATH": str(THIS_SOURCE), "MEISHI_LABEL": "(this)"}]
    for source in against:
        path = str(Path(source).resolve())
        found.append({**os.environ, "PYTHONPATH": path, "MEISHI_LABEL": f"({source})"})
    for env in found:
        where = subprocess.run(
            [sys.executable, "-c", "import meishi, os; print(os.path.dirname(meishi.__file__))"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        subprocess.run([sys.executable, "-m", "compileall", "-q", where], check=True, env=env)
    return found


def _row(size: int, label: str, timings: list[Timing]) -> str:
    """One line of the table: wall and CPU ms of each meishi timed, the first's peak MB."""
    cells = "".join(f" {t.wall * 1000:>9.0f} {t.cpu * 1000:>7.0f}" for t in timings)
    return f"{size:>8}  {label:<40}{cells} {timings[0].peak:>8.1f}"


def add_against(parser: argparse.ArgumentParser) -> None:
    """The --against option: other checkouts' meishi, timed in turn with this one."""
    parser.add_argument(
        "--against",
        nargs="+",
        default=[],
        metavar="SRC",
        help="also time the meishi in these source folders (another checkout's src/), in turn",
    )


def main() -> None:
    """Build the homes, time each command, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the homes, print where")
    add_against(parser)
    parser.add_argument("--build", nargs=2, metavar=("HOME", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        home, size = Path(args.build[0]), int(args.build[1])
        write_vcards(home / "vcards", build_home(home, size))
        return
    envs = codes(args.against)
    names = "".join(f" {env['MEISHI_LABEL'][:19]:>17}" for env in envs)
    print(f"{'':>50}{names}")
    print(f"{'contacts':>8}  {'command':<40}{' wall ms  CPU ms' * len(envs)} {'peak MB':>8}")
    for size in args.sizes:
        home = Path(tempfile.mkdtemp(prefix=f"meishi-bench-{size}-"))
        started = time.perf_counter()
        # In a child: a forked child's peak memory starts from its parent's, so the
        # parent stays small (and the vCards for khard are written there too).
        build = [sys.executable, __file__, "--build", str(home), str(size)]
        subprocess.run(build, check=True)
        print(f"{size:>8}  (home built in {time.perf_counter() - started:.1f} s: {home})")
        homes = [{**env, "MEISHI_HOME": str(home)} for env in envs]
        commands = {
            "meishi --help": (["--help"], False),
            "contacts list (terminal page)": (["contacts", "list"], True),
            "contacts list --all | (pipe)": (["contacts", "list", "--all"], False),
            **{f"search {label}": (["search", text], False) for label, text in SEARCHES.items()},
            "thank --since yesterday (50 people)": (["thank", "--since", "yesterday"], False),
            "should-return 'Tokyo AI 勉強会'": (["should-return", "Tokyo AI 勉強会"], False),
        }
        for label, (argv, tty) in commands.items():
            variants = [([*MEISHI, *argv], env) for env in homes]
            print(_row(size, label, side_by_side(variants, args.runs, tty)), flush=True)
        if size == 10000:  # khard on the same 10k people, before their home goes
            searches = [([*MEISHI, "search", "田中"], env) for env in homes]
            khard_side_by_side(home / "vcards", args.runs, searches)
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
