"""Precision and recall of extracted events and venues against hand-checked expected files.

Pure Python (no Django). An event matches when its name, local date, local start time (to the
minute, or both unknown), venue name and set of performer names all match after normalisation
(Unicode NFKC, case folded, runs of whitespace collapsed). Venues match on their normalised name.
Scores count multisets: a page that lists a show twice must be extracted twice, and an extra copy is
a false positive.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from extraction.schemas import ExtractedPerformance, ExtractionResult

type EventKey = tuple[str, str, str | None, str | None, tuple[str, ...]]


@dataclass(frozen=True)
class Score:
    true_positives: int
    predicted: int
    expected: int

    @property
    def precision(self) -> float:
        """Share of predicted items that are expected (1.0 when nothing was predicted)."""
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        """Share of expected items that were predicted (1.0 when nothing was expected)."""
        return self.true_positives / self.expected if self.expected else 1.0

    def __add__(self, other: Score) -> Score:
        return Score(
            self.true_positives + other.true_positives,
            self.predicted + other.predicted,
            self.expected + other.expected,
        )


ZERO = Score(0, 0, 0)


def normalise(text: str | None) -> str | None:
    """NFKC, case folded, whitespace collapsed; None for empty text."""
    if text is None:
        return None
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return folded or None


def score(expected: Iterable[Hashable], predicted: Iterable[Hashable]) -> Score:
    """Multiset precision/recall counts of predicted keys against expected keys."""
    want, got = Counter(expected), Counter(predicted)
    return Score(sum((want & got).values()), sum(got.values()), sum(want.values()))


def event_key(
    *,
    name: str,
    local_date: dt.date | str,
    local_start_time: dt.time | str | None,
    venue: str | None,
    performers: Iterable[str],
) -> EventKey:
    """What two descriptions of one event must share to match."""
    if isinstance(local_start_time, dt.time):
        local_start_time = local_start_time.strftime("%H:%M")
    elif local_start_time is not None:
        local_start_time = local_start_time[:5]
    day = local_date.isoformat() if isinstance(local_date, dt.date) else local_date
    names = sorted({n for n in map(normalise, performers) if n})
    return (normalise(name) or "", day, local_start_time, normalise(venue), tuple(names))


def performance_key(performance: ExtractedPerformance) -> EventKey:
    return event_key(
        name=performance.name,
        local_date=performance.local_date,
        local_start_time=performance.local_start_time,
        venue=performance.venue.name if performance.venue else None,
        performers=[performer.artist.name for performer in performance.performers],
    )


def expected_event_key(event: Mapping[str, object]) -> EventKey:
    """The key of one event of an expected file ({name, local_date, local_start_time, venue, performers})."""
    performers = event.get("performers") or []
    start = event.get("local_start_time")
    venue = event.get("venue")
    return event_key(
        name=str(event["name"]),
        local_date=str(event["local_date"]),
        local_start_time=str(start) if start is not None else None,
        venue=str(venue) if venue is not None else None,
        performers=[str(name) for name in performers] if isinstance(performers, list) else [],
    )


def result_venue_names(result: ExtractionResult) -> set[str]:
    """Distinct normalised names of every venue a result names (standalone and event venues)."""
    names = {normalise(venue.name) for venue in result.venues}
    names |= {normalise(p.venue.name) for p in result.performances if p.venue is not None}
    return {name for name in names if name}


def score_page(expected: Mapping[str, object], result: ExtractionResult) -> tuple[Score, Score]:
    """(events, venues) scores of one extraction result against one expected file."""
    events = expected.get("events")
    venues = expected.get("venues")
    event_score = score(
        (
            expected_event_key(e)
            for e in (events if isinstance(events, list) else [])
            if isinstance(e, Mapping)
        ),
        (performance_key(p) for p in result.performances),
    )
    want_venues = {normalise(str(v)) for v in venues} if isinstance(venues, list) else set()
    venue_score = score({v for v in want_venues if v}, result_venue_names(result))
    return event_score, venue_score
