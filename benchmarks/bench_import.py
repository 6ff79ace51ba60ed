"""How long a ~50 MB CSV takes to import, and how much memory the import process needs.

Run: python benchmarks/bench_import.py [--mb 50 | --rows 2000] [--runs 1]. It generates
an Eight-style CSV in a temporary folder, imports it with `meishi import` in a fresh
MEISHI_HOME as a child process, and prints the seconds taken (the median of the runs) and
the child's peak RSS.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = (
    "会社名,部署名,役職,姓,名,e-mail,郵便番号,住所,TEL会社,TEL部門,TEL直通,Fax,携帯電話,URL,"
    "名刺交換日\n"
)


def write_csv(path: Path, megabytes: int, most: int | None = None) -> int:
    """An Eight export of about this size (or of `most` rows), CP932 like Eight's own; how
    many rows."""
    target = megabytes * 1_000_000
    rows = 0
    with path.open("w", encoding="cp932", newline="") as file:
        file.write(HEADER)
        while file.tell() < target and (most is None or rows < most):
            n = rows
            file.write(
                f"株式会社サンプル{n % 5000},営業{n % 40}課,課長,髙橋,太郎{n},"
                f"taro{n}@example{n % 997}.co.jp,100-0001,東京都千代田区丸の内{n % 9}丁目,"
                f"03-1234-{n % 10000:04d},,,,090-0000-{n % 10000:04d},https://example.jp/{n},"
                f"2024/{n % 12 + 1:02d}/{n % 28 + 1:02d}\r\n"
            )
            rows += 1
    return rows


def import_once(csv_path: Path, home: Path) -> tuple[float, float]:
    """Import the CSV with `meishi import` into a fresh home; the seconds it took, and the
    CPU seconds it used (on a shared machine, what it would take alone)."""
    env = {**os.environ, "MEISHI_HOME": str(home)}
    before = _children_cpu()
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "meishi", "import", str(csv_path)], env=env, check=True)
    return time.perf_counter() - start, _children_cpu() - before


def _children_cpu() -> float:
    """User and system CPU seconds of the finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    """Generate, import, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=50, help="size of the CSV in MB")
    parser.add_argument("--rows", type=int, help="the number of cards instead (e.g. 2000)")
    parser.add_argument("--runs", type=int, default=1, help="imports into fresh homes")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "eight.csv"
        rows = write_csv(csv_path, options.mb, options.rows)
        runs = [import_once(csv_path, Path(folder) / f"home{n}") for n in range(options.runs)]
        seconds = statistics.median(wall for wall, _cpu in runs)
        cpu = statistics.median(cpu for _wall, cpu in runs)
        csv_mb = csv_path.stat().st_size / 1e6
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
        db_mb = (Path(folder) / "home0" / "meishi.db").stat().st_size / 1e6
    print(f"csv: {csv_mb:.0f} MB, {rows} rows (CP932)")
    print(f"import: {seconds:.1f} s, {rows / seconds:.0f} rows/s; CPU {cpu:.1f} s")
    print(f"peak RSS of the import process: {peak_kb / 1024:.0f} MB")
    print(f"database: {db_mb:.0f} MB")


if __name__ == "__main__":
    main()
