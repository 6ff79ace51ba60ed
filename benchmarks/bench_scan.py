"""How well and how fast `meishi add --scan` reads business cards.

Run:  python benchmarks/bench_scan.py [--cards 60] [--seed 1] [--spoiled]

Draws a set of cards (Japanese, English and bilingual layouts; a third with a
vCard or MECARD QR code) with tests/cardmaker.py, reads each the way
`meishi add --scan` does, and prints per field the share read exactly, for the
QR cards and for the others (OCR) apart, and the seconds per card.
Needs the scan extra, Tesseract with Japanese, and fonts-noto-cjk.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from cardmaker import make_cards, save
from meishi.cards import scanning
from meishi.cards.fields import FIELDS

TARGETS = {"email": 0.95, "phone": 0.95, "company": 0.95, "name": 0.90}


def main() -> None:
    """Read the generated cards and print the accuracy table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--spoiled", action="store_true", help="turn and speckle the cards")
    parser.add_argument("--misses", action="store_true", help="print each field read wrong")
    options = parser.parse_args()
    cards = make_cards(options.cards, seed=options.seed, spoil=options.spoiled)
    right: dict[str, Counter[str]] = {"qr": Counter(), "ocr": Counter()}
    total: dict[str, Counter[str]] = {"qr": Counter(), "ocr": Counter()}
    seconds: dict[str, list[float]] = {"qr": [], "ocr": []}
    with tempfile.TemporaryDirectory() as folder:
        for number, card in enumerate(cards):
            path = save(card, Path(folder) / f"card{number}.png")
            start = time.perf_counter()
            read = scanning.scan(path)
            kind = "qr" if card.qr else "ocr"
            seconds[kind].append(time.perf_counter() - start)
            for field, expected in card.person.truth().items():
                if expected is None:
                    continue
                total[kind][field] += 1
                right[kind][field] += read.fields.get(field) == expected
                if options.misses and read.fields.get(field) != expected:
                    print(f"card {number} {card.layout} {field}: "
                          f"{expected!r} read as {read.fields.get(field)!r}")  # fmt: skip
    print(f"{len(cards)} cards ({len(seconds['qr'])} with a QR code), "
          f"{'spoiled' if options.spoiled else 'clean'}, seed {options.seed}")  # fmt: skip
    print(f"{'field':<12} {'OCR only':>14} {'with QR':>14}  target")
    for field in FIELDS:
        cells = [
            f"{right[kind][field] / total[kind][field]:6.1%} ({total[kind][field]:>2})"
            if total[kind][field] else f"{'-':>11}"
            for kind in ("ocr", "qr")
        ]  # fmt: skip
        target = f"{TARGETS[field]:.0%}" if field in TARGETS else ""
        print(f"{field:<12} {cells[0]:>14} {cells[1]:>14}  {target}")
    for kind in ("ocr", "qr"):
        times = seconds[kind]
        if times:
            print(f"seconds per card ({kind}): mean {sum(times) / len(times):.2f}, "
                  f"max {max(times):.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
