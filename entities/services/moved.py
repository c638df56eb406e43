"""Shows moved to another date: the pipeline's side of `entities.resolution.performances`.

A show's identity is venue + local date + headliner, so a reschedule looks like a new show. Two
moments catch it:

- when a new listing arrives (`performance_find_moved`, called by resolution after the same-day
  checks): it joins the show it moved from, which keeps its public ID and records the old date;
- when the old listing stops being listed (`performances_merge_moved`, called by ingest after it
  counts a miss): the new listing was resolved first, as its own show; the old show is merged into
  it with a redirect, and `performance_unmerge` undoes that.

Both apply `moved_show_match`: same venue, same headliner, within a few days, and a sign of a move.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from entities.models import (
    Artist,
    CanonicalStatus,
    EntitySource,
    EntityType,
    MergeRecord,
    Performance,
    PerformanceArtist,
    Venue,
)
from entities.resolution.performances import RESCHEDULE_WINDOW_DAYS, PerformanceRecord, moved_show_match
from entities.services.listings import listing_record
from entities.services.recompute import performance_recompute
from entities.services.redirects import external_id_pks, merged_pair, redirect_leave, redirect_remove
from entities.signals import announce_change

logger = logging.getLogger(__name__)


def _headliner(performance: Performance) -> Artist | None:
    row = (
        PerformanceArtist.objects.filter(performance=performance)
        .select_related("artist")
        .order_by("order", "pk")
        .first()
    )
    return row.artist if row else None


def _candidates(
    venue: Venue,
    headliner: Artist,
    day: dt.date,
    *,
    exclude_pk: int | None = None,
    named_dates: Iterable[dt.date] = (),
) -> dict[int, list[PerformanceRecord]]:
    """Shows at the venue with the headliner a few days either side of `day`, with their listings.

    A show whose date has passed is not a candidate (calendars drop past shows: that is not a move),
    unless the new listing names its date as a previous one."""
    window = dt.timedelta(days=RESCHEDULE_WINDOW_DAYS)
    upcoming = Q(local_date__gte=timezone.localdate()) | Q(local_date__in=list(named_dates))
    shows = (
        Performance.objects.filter(
            upcoming, venue=venue, local_date__range=(day - window, day + window), billing__artist=headliner
        )
        .exclude(status=CanonicalStatus.MERGED)
        .exclude(pk=exclude_pk or 0)
        .distinct()
        .order_by("pk")
    )
    out: dict[int, list[PerformanceRecord]] = {}
    for show in shows:
        listings = [
            listing_record(es, venue_id=venue.pk, headliner=headliner.name)
            for es in show.sources.all().order_by("pk")
            if es.data.get("local_date")
        ]
        if listings:
            out[show.pk] = listings
    return out


def performance_find_moved(
    es: EntitySource, venue: Venue | None, headliner: Artist | None
) -> Performance | None:
    """The show this new listing is, moved from another date; None when there is no such show."""
    if venue is None or headliner is None or not es.data.get("local_date"):
        return None
    listing = listing_record(es, venue_id=venue.pk, headliner=headliner.name)
    candidates = _candidates(venue, headliner, listing.local_date, named_dates=listing.previous_dates)
    found = moved_show_match(listing, candidates)
    if found is None:
        return None
    pk, match = found
    logger.info("Listing %s is show %s moved (score %.3f)", es.pk, pk, match.score)
    return Performance.objects.get(pk=pk)


def performances_merge_moved(performance_ids: Iterable[int]) -> list[MergeRecord]:
    """Shows none of whose listings is listed any more: merge each into the show it moved to."""
    records = []
    shows = Performance.objects.filter(
        pk__in=set(performance_ids), status=CanonicalStatus.ACTIVE, local_date__gte=timezone.localdate()
    )
    for show in shows:
        sources = list(show.sources.all().order_by("pk"))
        if not sources or show.venue_id is None or any(es.missed_scrapes == 0 for es in sources):
            continue
        headliner = _headliner(show)
        if headliner is None:
            continue
        venue = show.venue
        assert venue is not None
        candidates = _candidates(venue, headliner, show.local_date, exclude_pk=show.pk)
        # Every listing of the old show must point to the same new one.
        targets = set()
        best = None
        for es in sources:
            found = moved_show_match(
                listing_record(es, venue_id=venue.pk, headliner=headliner.name), candidates
            )
            targets.add(found[0] if found else None)
            best = found
        if len(targets) != 1 or best is None:
            continue
        winner = Performance.objects.get(pk=best[0])
        records.append(
            performance_merge(winner=winner, loser=show, reason="moved to another date", score=best[1].score)
        )
    return records


@transaction.atomic
def performance_merge(
    *, winner: Performance, loser: Performance, by: Any = None, reason: str = "", score: float | None = None
) -> MergeRecord:
    """Fold `loser` into `winner`: its listings and IDs move, its public ID redirects to the winner."""
    if winner.pk == loser.pk:
        raise ValueError("A performance cannot be merged into itself.")
    rows = {p.pk: p for p in Performance.objects.select_for_update().filter(pk__in=[winner.pk, loser.pk])}
    if CanonicalStatus.MERGED in (rows[winner.pk].status, rows[loser.pk].status):
        raise ValueError("One of these performances was already merged; merge the surviving one instead.")
    moved: dict[str, Any] = {
        "entity_sources": list(EntitySource.objects.filter(performance=loser).values_list("pk", flat=True)),
        "external_ids": external_id_pks(EntityType.PERFORMANCE, loser.public_id),
    }
    EntitySource.objects.filter(pk__in=moved["entity_sources"]).update(performance=winner)
    record = redirect_leave(
        entity_type=EntityType.PERFORMANCE,
        winner=winner,
        loser=loser,
        moved=moved,
        by=by,
        reason=reason,
        score=score,
    )
    performance_recompute(winner)
    announce_change(entity_type=EntityType.PERFORMANCE, entity=loser)
    return record


@transaction.atomic
def performance_unmerge(*, record: MergeRecord, by: Any = None, reason: str = "") -> Performance:
    """Undo a performance merge: the loser comes back with its listings and IDs."""
    winner, loser = merged_pair(record, Performance)
    moved = record.moved
    EntitySource.objects.filter(pk__in=moved.get("entity_sources", []), performance=winner).update(
        performance=loser
    )
    redirect_remove(record=record, loser=loser, by=by, reason=reason)
    for show in (winner, loser):
        if not performance_recompute(show):
            announce_change(entity_type=EntityType.PERFORMANCE, entity=show)
    return loser
