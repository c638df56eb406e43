"""Entity sources as the pure matching code reads them (no service imports: recompute uses this too)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from entities.models import EntitySource
from entities.resolution.performances import MovedShow, PerformanceRecord, merge_moved


def listing_record(es: EntitySource, *, venue_id: int | None, headliner: str) -> PerformanceRecord:
    """One source's listing of a show, as the pure matching code reads it.

    Listed means seen in the latest scrape of its page: a miss already says "not there any more"."""
    data = es.data
    start = data.get("local_start_time")
    return PerformanceRecord(
        id=str(es.pk),
        venue_id=str(venue_id),
        local_date=dt.date.fromisoformat(data["local_date"]),
        headliner=headliner,
        start_time=dt.time.fromisoformat(start) if start else None,
        source=str(es.source_id),
        # A fingerprint key contains the date, so only a real event ID says "the same event".
        source_event_id=None if es.source_key.startswith("fp:") else es.source_key,
        status=data.get("status"),
        listed=es.missed_scrapes == 0 and es.vanished_at is None,
        seen_at=es.last_seen_at,
        previous_dates=tuple(dt.date.fromisoformat(d) for d in data.get("previous_local_dates") or ()),
    )


def moved_listing_dates(sources: Iterable[EntitySource]) -> MovedShow | None:
    """Where listings of one show disagree on its date: the current date and the earlier ones."""
    listings = [
        listing_record(es, venue_id=None, headliner="") for es in sources if es.data.get("local_date")
    ]
    if len({p.local_date for p in listings}) < 2:
        return None
    return merge_moved(listings)
