"""Entity-source management: one record per (source, type, key), updated in place with revisions."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.queue import enqueue
from core.stages import StageStatus
from entities.models import EntitySource, EntitySourceRevision, EntityType
from entities.resolution.keys import artist_fingerprint, performance_fingerprint, venue_fingerprint
from entities.services.moved import performances_merge_moved
from extraction.models import Extraction
from extraction.schemas import ExtractedArtist, ExtractedPerformance, ExtractedVenue, ExtractionResult
from sourcing.models import Source

RESOLVE_TASK = "entities.tasks.entity_sources_resolve_task"
# After this many scrapes of its page without it, a performance's source counts as vanished.
VANISHED_AFTER_MISSES = 3


def _hash(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def venue_source_key(venue: ExtractedVenue) -> str:
    if venue.source_key:
        return venue.source_key
    address = venue.address
    return "fp:" + venue_fingerprint(
        venue.name, address.locality if address else None, address.postal_code if address else None
    )


def artist_source_key(artist: ExtractedArtist) -> str:
    return artist.source_key or "fp:" + artist_fingerprint(artist.name)


def performance_source_key(performance: ExtractedPerformance, venue_key: str | None) -> str:
    if performance.source_key:
        return performance.source_key
    # Without a venue the show is still identified by its date and title, within this source.
    return "fp:" + performance_fingerprint(venue_key or "no-venue", performance.local_date, performance.name)


def _diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        key: [old.get(key), new.get(key)]
        for key in sorted(set(old) | set(new))
        if old.get(key) != new.get(key)
    }


def _upsert(
    *,
    source: Source,
    entity_type: str,
    key: str,
    data: dict[str, Any],
    extraction: Extraction,
    now: dt.datetime,
) -> EntitySource:
    data_hash = _hash(data)
    existing = EntitySource.objects.filter(source=source, entity_type=entity_type, source_key=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                return EntitySource.objects.create(
                    source=source,
                    entity_type=entity_type,
                    source_key=key,
                    data=data,
                    data_hash=data_hash,
                    extraction=extraction,
                    first_seen_at=now,
                    last_seen_at=now,
                )
        except IntegrityError:  # created by a concurrent extraction of another page of this source
            existing = EntitySource.objects.get(source=source, entity_type=entity_type, source_key=key)
    update: dict[str, Any] = {
        "last_seen_at": now,
        "extraction": extraction,
        "missed_scrapes": 0,
        "vanished_at": None,
    }
    if existing.data_hash != data_hash:
        EntitySourceRevision.objects.create(
            entity_source=existing, extraction=extraction, seen_at=now, changes=_diff(existing.data, data)
        )
        # Changed data needs resolving again: back to pending. A worker still resolving the old
        # data loses its claim token, so its final write is dropped.
        update |= {
            "data": data,
            "data_hash": data_hash,
            "status": StageStatus.PENDING,
            "attempts": 0,
            "last_error": "",
            "claim_token": None,  # fences out a worker resolving the old data
        }
    for name, value in update.items():
        setattr(existing, name, value)
    existing.save(update_fields=[*update.keys(), "updated_at"])
    return existing


def entity_sources_ingest(*, extraction: Extraction, result: ExtractionResult) -> list[EntitySource]:
    """Record what one extraction says about each entity, and queue the changed ones for resolution."""
    scrape = extraction.scrape
    source = scrape.url.source
    now = timezone.now()
    touched: list[EntitySource] = []

    def upsert(entity_type: str, key: str, data: dict[str, Any]) -> EntitySource:
        row = _upsert(
            source=source, entity_type=entity_type, key=key, data=data, extraction=extraction, now=now
        )
        touched.append(row)
        return row

    for venue in result.venues:
        upsert(EntityType.VENUE, venue_source_key(venue), venue.model_dump(mode="json"))
    for artist in result.artists:
        upsert(EntityType.ARTIST, artist_source_key(artist), artist.model_dump(mode="json"))
    performance_ids = []
    for performance in result.performances:
        venue_key = None
        if performance.venue is not None:
            venue_key = venue_source_key(performance.venue)
            upsert(EntityType.VENUE, venue_key, performance.venue.model_dump(mode="json"))
        performers = []
        for performer in performance.performers:
            artist_key = artist_source_key(performer.artist)
            upsert(EntityType.ARTIST, artist_key, performer.artist.model_dump(mode="json"))
            performers.append({"key": artist_key, "billing": performer.billing, "order": performer.order})
        data = performance.model_dump(mode="json", exclude={"venue", "performers"})
        data |= {"venue_key": venue_key, "performers": performers}
        row = upsert(EntityType.PERFORMANCE, performance_source_key(performance, venue_key), data)
        performance_ids.append(row.pk)

    _count_misses(extraction=extraction, seen_ids=performance_ids, now=now)
    if any(row.status == StageStatus.PENDING for row in touched):
        enqueue(RESOLVE_TASK, extraction.pk)
    return touched


def _count_misses(*, extraction: Extraction, seen_ids: list[int], now: dt.datetime) -> None:
    """Performances this page listed before but not now: count the miss, mark vanished past a bound.

    Marked, never deleted: the merge policy decides what a vanished source means."""
    from django.db.models import F

    missing = (
        EntitySource.objects.filter(
            entity_type=EntityType.PERFORMANCE,
            extraction__scrape__url_id=extraction.scrape.url_id,
            extraction__extractor=extraction.extractor,
        )
        .exclude(pk__in=seen_ids)
        .exclude(extraction=extraction)
    )
    missing.update(missed_scrapes=F("missed_scrapes") + 1)
    missing.filter(missed_scrapes__gte=VANISHED_AFTER_MISSES, vanished_at__isnull=True).update(
        vanished_at=now
    )
    # A show no longer listed anywhere may have moved to a date another listing shows.
    shows = missing.filter(performance__isnull=False).values_list("performance_id", flat=True)
    performances_merge_moved(set(shows))
