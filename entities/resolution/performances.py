"""Performance pairs: one show listed twice, and one show moved to another date or time.

A show is identified by venue + local date + headliner (``keys.performance_fingerprint``). When a
show is rescheduled, that identity changes: the source lists it on a new date (often under the same
event ID), and other sources still list the old one for a while. The rule here: **same venue + same
headliner within RESCHEDULE_WINDOW_DAYS = the same show, moved**, unless the sources say otherwise
(one source listing both dates under different event IDs, both still listed, is a run of nights, not a
move). ``merge_moved`` then keeps the current date and time and every previous one.

Scores are Fellegi-Sunter bits with hand-set weights, and every score keeps its explanation
(field, values, level, weight), as for venues.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from entities.resolution.model import FieldComparison, Level, bits_to_probability
from entities.resolution.normalize import normalize_artist_name
from entities.resolution.scoring import string_ratio

RESCHEDULE_WINDOW_DAYS: Final = 4
# Prior for a candidate pair (same venue and headliner within the window): 1 in 9.
PERFORMANCE_PRIOR_WEIGHT: Final = -3.0
PERFORMANCE_WEIGHTS: Final[Mapping[str, Mapping[str, float]]] = {
    "venue": {"exact": 4.0, "different": -20.0},
    "headliner": {"exact": 6.0, "close": 3.0, "different": -8.0},
    # A moved date is what a reschedule looks like: no evidence against, by itself.
    "date": {"exact": 3.0, "close": 0.0, "different": -12.0},
    "time": {"exact": 1.0, "different": 0.0},
    # The same source's own event ID is the source saying "this is that show".
    "source_event": {"exact": 10.0, "different": -12.0},
    # A listing marked rescheduled/postponed, or no longer listed, explains a second date.
    "moved_signal": {"exact": 2.0},
}
MOVED_STATUSES: Final = frozenset({"rescheduled", "postponed", "moved"})

PerformanceKind = Literal["same", "time_changed", "rescheduled", "different"]


@dataclass(frozen=True, slots=True)
class PerformanceRecord:
    """A performance as one source lists it, its venue already resolved to a canonical venue id."""

    id: str
    venue_id: str
    local_date: dt.date
    headliner: str
    start_time: dt.time | None = None
    source: str | None = None
    source_event_id: str | None = None
    status: str | None = None  # "scheduled", "rescheduled", "postponed", "cancelled"
    listed: bool = True  # False once its source stopped listing it (vanished)
    seen_at: dt.datetime | None = None  # when its source last showed it
    previous_dates: tuple[dt.date, ...] = ()


@dataclass(frozen=True, slots=True)
class PerformanceMatch:
    a_id: str
    b_id: str
    score: float
    weight: float
    kind: PerformanceKind
    explanation: tuple[FieldComparison, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "a_id": self.a_id,
            "b_id": self.b_id,
            "score": round(self.score, 6),
            "weight": self.weight,
            "kind": self.kind,
            "explanation": [c.to_json() for c in self.explanation],
        }


def _row(fieldname: str, a: str | None, b: str | None, level: Level, similarity: float) -> FieldComparison:
    weight = 0.0 if level == "missing" else PERFORMANCE_WEIGHTS[fieldname][level]
    return FieldComparison(fieldname, a, b, level, similarity, weight)


def score_performance_pair(
    a: PerformanceRecord, b: PerformanceRecord, *, window_days: int = RESCHEDULE_WINDOW_DAYS
) -> PerformanceMatch:
    """Score two listings: the same show, the same show at another time or date, or two shows."""
    rows: list[FieldComparison] = []
    same_venue = a.venue_id == b.venue_id
    rows.append(
        _row("venue", a.venue_id, b.venue_id, "exact" if same_venue else "different", float(same_venue))
    )

    ha, hb = normalize_artist_name(a.headliner), normalize_artist_name(b.headliner)
    if ha and ha == hb:
        rows.append(_row("headliner", ha, hb, "exact", 1.0))
    else:
        # Space-free, as venue names: typos and spacing dominate in short names.
        sim = string_ratio(ha.replace(" ", ""), hb.replace(" ", ""))
        rows.append(_row("headliner", ha, hb, "close" if sim >= 0.92 else "different", sim))

    days = abs((a.local_date - b.local_date).days)
    date_level: Level = "exact" if days == 0 else "close" if days <= window_days else "different"
    rows.append(
        _row("date", a.local_date.isoformat(), b.local_date.isoformat(), date_level, 1.0 / (1.0 + days))
    )

    ta, tb = a.start_time, b.start_time
    if ta is None or tb is None:
        rows.append(_row("time", _hhmm(ta), _hhmm(tb), "missing", 0.0))
    else:
        rows.append(_row("time", _hhmm(ta), _hhmm(tb), "exact" if ta == tb else "different", float(ta == tb)))

    rows.append(_source_event_row(a, b))

    signal = days > 0 and (
        any((p.status or "").lower() in MOVED_STATUSES or not p.listed for p in (a, b))
        or _names_other_date(a, b)
    )
    rows.append(
        _row(
            "moved_signal",
            _signal(a),
            _signal(b),
            "exact" if signal else "missing",
            float(signal),
        )
    )
    weight = sum(r.weight for r in rows)
    score = bits_to_probability(PERFORMANCE_PRIOR_WEIGHT + weight)
    kind: PerformanceKind
    if score < 0.5:
        kind = "different"
    elif days > 0:
        kind = "rescheduled"
    elif ta is not None and tb is not None and ta != tb:
        kind = "time_changed"
    else:
        kind = "same"
    return PerformanceMatch(a.id, b.id, score, weight, kind, tuple(rows))


def _source_event_row(a: PerformanceRecord, b: PerformanceRecord) -> FieldComparison:
    if not a.source or a.source != b.source:
        return _row("source_event", a.source_event_id, b.source_event_id, "missing", 0.0)
    if a.source_event_id and a.source_event_id == b.source_event_id:
        return _row("source_event", a.source_event_id, b.source_event_id, "exact", 1.0)
    if a.listed and b.listed and a.local_date != b.local_date and not _names_other_date(a, b):
        # One source listing both dates at once: a run of nights (or a weekly residency), unless
        # a listing says the other date was its own before (the old one not yet taken down).
        return _row("source_event", a.source_event_id, b.source_event_id, "different", 0.0)
    return _row("source_event", a.source_event_id, b.source_event_id, "missing", 0.0)


def _names_other_date(a: PerformanceRecord, b: PerformanceRecord) -> bool:
    return a.local_date in b.previous_dates or b.local_date in a.previous_dates


def _hhmm(t: dt.time | None) -> str | None:
    return t.strftime("%H:%M") if t is not None else None


def _signal(p: PerformanceRecord) -> str | None:
    if not p.listed:
        return "no longer listed"
    return p.status


def moved_show_match[K](
    listing: PerformanceRecord,
    candidates: Mapping[K, Sequence[PerformanceRecord]],
    *,
    window_days: int = RESCHEDULE_WINDOW_DAYS,
    threshold: float = 0.5,
) -> tuple[K, PerformanceMatch] | None:
    """The show among `candidates` (each given by its listings) that `listing` is, moved to another date.

    Stricter than a pair score, because a wrong answer here hides a night of a run: every listing of
    the candidate must score as the same show, and at least one pair must carry a sign of a move (a
    listing no longer listed, a status such as "rescheduled", or the old date among the new listing's
    previous dates). Without a sign, two sources that each list another night of a residency would be
    one show. The weakest pair is the candidate's score; the best candidate wins (ties: first given).
    """
    best: tuple[K, PerformanceMatch] | None = None
    for key, listings in candidates.items():
        pairs = [score_performance_pair(listing, other, window_days=window_days) for other in listings]
        if not pairs or any(m.kind == "different" or m.score < threshold for m in pairs):
            continue
        if not any(_has_moved_signal(m) for m in pairs):
            continue
        weakest = min(pairs, key=lambda m: m.score)
        if best is None or weakest.score > best[1].score:
            best = (key, weakest)
    return best


def _has_moved_signal(match: PerformanceMatch) -> bool:
    return any(row.field == "moved_signal" and row.level == "exact" for row in match.explanation)


@dataclass(frozen=True, slots=True)
class MovedShow:
    """One show after merging its listings: the current date and time, and every earlier date."""

    ids: tuple[str, ...]
    local_date: dt.date
    start_time: dt.time | None
    previous_dates: tuple[dt.date, ...]
    current_from: str  # the listing whose date won


def merge_moved(listings: Sequence[PerformanceRecord]) -> MovedShow:
    """Merge listings of one show: the current date is the one a still-listed source showed last
    (a listing marked rescheduled beats one that is not; then the latest ``seen_at``); every other
    date any listing had, and their own ``previous_dates``, are kept as previous dates."""
    if not listings:
        raise ValueError("merge_moved needs at least one listing")
    never = dt.datetime.min.replace(tzinfo=dt.UTC)

    def rank(p: PerformanceRecord) -> tuple[bool, bool, dt.datetime, str]:
        moved = (p.status or "").lower() in MOVED_STATUSES
        return p.listed, moved, p.seen_at or never, p.id

    current = max(listings, key=rank)
    previous = {d for p in listings for d in (p.local_date, *p.previous_dates)} - {current.local_date}
    return MovedShow(
        ids=tuple(sorted(p.id for p in listings)),
        local_date=current.local_date,
        start_time=current.start_time,
        previous_dates=tuple(sorted(previous)),
        current_from=current.id,
    )
