"""Accuracy and speed of the structured-data extractor on the fixture pages, with extruct as the anchor.

    .venv/bin/python bench/extract.py [--seconds 3] [--pages NAME_FILTER]

(a) Runs `extract_structured` over every page that has an expected file in
    tests/fixtures/expected/ and scores events and venues (`bench/evaluation.py`).
(b) Pins itself to one CPU and times ours and extruct (JSON-LD + microdata + OpenGraph, uniform) over
    the same decoded pages, alternating rounds until each has run for `--seconds`.
(c) Times the floor: a lexbor parse of each page and `json.loads` of its JSON-LD blocks, nothing
    else (no microdata, no mapping); what no extractor built on that parser can beat.
(d) Prints, as its last line, RESULT {...} with pages/s, the ratio, the floor's ratio and the scores.
Reads nothing outside this repository.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))

from bench.evaluation import ZERO, Score, score_page  # noqa: E402
from extraction.adapters.structured import extract_structured  # noqa: E402
from sourcing.fetchrules import body_text  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
EXPECTED = FIXTURES / "expected"


def load_pages(name_filter: str | None = None) -> list[dict[str, object]]:
    """Every expected file with its page's decoded text under "text"."""
    pages = []
    for path in sorted(EXPECTED.glob("*.json")):
        expected = json.loads(path.read_text(encoding="utf-8"))
        if name_filter and name_filter not in path.stem:
            continue
        expected["name"] = path.stem
        expected["text"] = body_text((FIXTURES / str(expected["page"])).read_bytes())
        pages.append(expected)
    return pages


def evaluate(pages: list[dict[str, object]]) -> tuple[Score, Score, list[str]]:
    events, venues, lines = ZERO, ZERO, []
    for page in pages:
        result = extract_structured(str(page["text"]), url=str(page["url"]), default_timezone=_zone(page))
        event_score, venue_score = score_page(page, result)
        events, venues = events + event_score, venues + venue_score
        lines.append(
            f"{str(page['name'])[:58]:58} events {event_score.true_positives:3}/{event_score.predicted:3}/"
            f"{event_score.expected:3}  venues {venue_score.true_positives:3}/{venue_score.predicted:3}/"
            f"{venue_score.expected:3}"
        )
    return events, venues, lines


def _zone(page: dict[str, object]) -> str | None:
    zone = page.get("default_timezone")
    return str(zone) if zone else None


def pin_to_one_cpu() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity); single process"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def run_ours(pages: list[dict[str, object]]) -> None:
    for page in pages:
        extract_structured(str(page["text"]), url=str(page["url"]), default_timezone=_zone(page))


def run_extruct(pages: list[dict[str, object]]) -> None:
    import extruct

    for page in pages:
        extruct.extract(
            str(page["text"]),
            base_url=str(page["url"]),
            syntaxes=["json-ld", "microdata", "opengraph"],
            uniform=True,
        )


def run_parse_floor(pages: list[dict[str, object]]) -> None:
    from selectolax.lexbor import LexborHTMLParser

    for page in pages:
        tree = LexborHTMLParser(str(page["text"]))
        for node in tree.css('script[type="application/ld+json"]'):
            try:
                json.loads(node.text())
            except ValueError:
                pass


def best_round(run: object, pages: list[dict[str, object]], rounds: int = 15) -> float:
    return min(_timed(run, pages) for _ in range(rounds))


def time_alternating(pages: list[dict[str, object]], seconds: float) -> tuple[list[float], list[float]]:
    """Per-round times of ours and extruct, alternating, until each has run `seconds` (at least 3 rounds)."""
    run_ours(pages)  # warm up imports, caches and the allocator for both
    run_extruct(pages)
    ours: list[float] = []
    theirs: list[float] = []
    while len(ours) < 3 or min(sum(ours), sum(theirs)) < seconds:
        start = time.process_time()
        run_ours(pages)
        ours.append(time.process_time() - start)
        start = time.process_time()
        run_extruct(pages)
        theirs.append(time.process_time() - start)
    return ours, theirs


def per_page_times(pages: list[dict[str, object]], repeat: int = 20) -> list[str]:
    lines = []
    for page in pages:
        one = [page]
        best_ours = min(_timed(run_ours, one) for _ in range(repeat))
        best_extruct = min(_timed(run_extruct, one) for _ in range(repeat))
        lines.append(
            f"{str(page['name'])[:58]:58} ours {best_ours * 1000:7.2f} ms  extruct {best_extruct * 1000:7.2f} ms"
            f"  x{best_extruct / best_ours:5.2f}"
        )
    return lines


def _timed(run: object, pages: list[dict[str, object]]) -> float:
    assert callable(run)
    start = time.process_time()
    run(pages)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=3.0, help="minimum timed seconds for each side")
    parser.add_argument("--pages", default=None, help="only pages whose name contains this")
    parser.add_argument("--per-page", action="store_true", help="also time each page alone (best of 20)")
    args = parser.parse_args()

    pages = load_pages(args.pages)
    events, venues, lines = evaluate(pages)
    print(f"{len(pages)} pages, {events.expected} expected events, {venues.expected} expected venues")
    print("page (true positives / predicted / expected)")
    print("\n".join(lines))
    print(f"events: precision {events.precision:.4f} recall {events.recall:.4f}")
    print(f"venues: precision {venues.precision:.4f} recall {venues.recall:.4f}")

    print(pin_to_one_cpu())
    ours, theirs = time_alternating(pages, args.seconds)
    ours_rate = len(pages) * len(ours) / sum(ours)
    theirs_rate = len(pages) * len(theirs) / sum(theirs)
    print(
        f"ours:    {len(ours)} rounds, {sum(ours):.2f} s, {ours_rate:.1f} pages/s "
        f"(median round {statistics.median(ours) * 1000:.1f} ms)"
    )
    print(
        f"extruct: {len(theirs)} rounds, {sum(theirs):.2f} s, {theirs_rate:.1f} pages/s "
        f"(median round {statistics.median(theirs) * 1000:.1f} ms)"
    )
    # Best rounds, all three measured now: the floor's share says how much room any mapping has.
    floor_best = best_round(run_parse_floor, pages)
    ours_best, theirs_best = best_round(run_ours, pages), best_round(run_extruct, pages)
    print(
        f"best round: ours {ours_best * 1000:.1f} ms, extruct {theirs_best * 1000:.1f} ms, "
        f"floor (lexbor parse + json.loads of JSON-LD only) {floor_best * 1000:.1f} ms "
        f"= x{theirs_best / floor_best:.2f} extruct"
    )
    if args.per_page:
        print("\n".join(per_page_times(pages)))
    result = {
        "ours_pages_s": round(ours_rate, 1),
        "extruct_pages_s": round(theirs_rate, 1),
        "ratio": round(ours_rate / theirs_rate, 2),
        "floor_ratio": round(theirs_best / floor_best, 2),
        "event_precision": round(events.precision, 4),
        "event_recall": round(events.recall, 4),
        "venue_precision": round(venues.precision, 4),
        "venue_recall": round(venues.recall, 4),
    }
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
