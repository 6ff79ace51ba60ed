"""How long `meishi add` takes for one person typed in as options, as fresh processes.

Run:  python benchmarks/bench_add.py [--size 10000] [--runs 9] [--tree SRC ...]

Builds a home as bench_cli.py does (SIZE contacts, 100 events, the latest one attended),
then adds a new person there RUNS times per source tree (each `--tree` a `src` folder,
e.g. main's and a branch's, taken in turn so that both see the same load), and prints the
median CPU time (user + system of the process) and wall time of each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
EVENT = "Tokyo AI 勉強会 #100"  # bench_cli.py's latest event, attended


def add_once(src: Path, home: Path, number: int) -> tuple[float, float]:
    """(wall, CPU) seconds of one `meishi add` of a new person, in a fresh process."""
    argv = [
        *("add", "--event", EVENT, "--name", f"試験 {number}", "--company", "株式会社サンプル"),
        *("--email", f"bench{number}@example.jp", "--topic", "生成AI", "--topic", "RAGの評価"),
    ]
    env = {**os.environ, "MEISHI_HOME": str(home), "PYTHONPATH": str(src)}
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "meishi", *argv], env=env, stdout=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    assert os.waitstatus_to_exitcode(status) == 0, argv
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    """Build the home, add people with each tree in turn, print the medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--tree", type=Path, nargs="+", default=[HERE.parent / "src"])
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix=f"meishi-bench-add-{args.size}-"))
    build = [sys.executable, str(HERE / "bench_cli.py"), "--build", str(home), str(args.size)]
    subprocess.run(build, check=True)
    print(f"home: {home} ({args.size} contacts); load average {os.getloadavg()[0]:.2f}")
    times: dict[Path, list[tuple[float, float]]] = {tree: [] for tree in args.tree}
    for run in range(args.runs):
        for number, tree in enumerate(args.tree):
            times[tree].append(add_once(tree.resolve(), home, run * len(args.tree) + number))
    print(f"{'tree':<40} {'CPU ms':>8} {'wall ms':>8}")
    for tree, found in times.items():
        wall = statistics.median(t[0] for t in found) * 1000
        cpu = statistics.median(t[1] for t in found) * 1000
        print(f"{tree!s:<40} {cpu:>8.0f} {wall:>8.0f}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
