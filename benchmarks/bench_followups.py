"""How well, and how fast, meishi reads the organizer's follow-up mail.

Run: PYTHONPATH=src python benchmarks/bench_followups.py [--rounds 20]. On the labelled
corpus (tests/corpus/organizer_mail), it prints precision and recall per kind, first of
what would be recorded without review (confident findings), then counting the review list
too, on all the corpus and on the mails held out (written after the rules were set),
and how many mails a second are read, checked and classified (as `sync` does: a whole
message parsed, its candidacy checked, and a candidate classified).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from organizer_corpus import Score, judge, load, per_kind

TARGETS = {"precision recorded": 0.95, "recall with review": 0.9}


def table(title: str, scores: dict[str, Score]) -> str:
    """One block of the report: each kind's precision and recall, with their counts."""
    lines = [title, f"  {'kind':8} {'precision':>16} {'recall':>16}"]
    for kind, score in scores.items():
        precision = f"{score.precision:.3f} ({score.hits}/{score.found})"
        recall = f"{score.recall:.3f} ({score.hits}/{score.true})"
        lines.append(f"  {kind:8} {precision:>16} {recall:>16}")
    return "\n".join(lines)


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="passes over the corpus to time")
    rounds = parser.parse_args().rounds
    mails = load()
    outcomes = [judge(mail) for mail in mails]
    recorded, reviewed = per_kind(outcomes, True), per_kind(outcomes, False)
    print(f"{len(mails)} mails, {sum(o.candidate for o in outcomes)} candidates")
    print(table("recorded without review (confident findings):", recorded))
    print(table("counting the review list:", reviewed))
    held = [o for o in outcomes if o.mail.held_out]
    print(f"of which held out ({len(held)} mails written after the rules were set):")
    print(table("  recorded without review:", per_kind(held, True)))
    print(table("  counting the review list:", per_kind(held, False)))
    met = {
        "precision recorded": recorded["all"].precision,
        "recall with review": reviewed["all"].recall,
    }
    for name, value in met.items():
        verdict = "met" if value >= TARGETS[name] else "NOT met"
        print(f"target {name} >= {TARGETS[name]}: {value:.3f} {verdict}")
    started = time.perf_counter()
    for _ in range(rounds):
        for mail in mails:
            judge(mail)
    seconds = time.perf_counter() - started
    print(f"{rounds * len(mails) / seconds:,.0f} mails/second (read, checked and classified)")


if __name__ == "__main__":
    main()
