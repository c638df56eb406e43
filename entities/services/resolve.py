"""Resolution: match each entity source to a canonical entity (or create one), then recompute it."""

from __future__ import annotations

import logging
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When

from core.stages import StageStatus, claim, fail, finish
from entities.models import (
    Artist,
    CanonicalStatus,
    EntitySource,
    EntityType,
    ExternalId,
    Performance,
    Venue,
)
from entities.resolution.keys import venue_block_key
from entities.resolution.links import EntityKind, is_identifying, record_external_ids
from entities.resolution.normalize import normalize_artist_name, normalize_city, normalize_name
from entities.services.duplicates import venue_candidates_scored, venue_duplicate_file
from entities.services.moved import performance_find_moved
from entities.services.recompute import artist_recompute, performance_recompute, venue_recompute
from entities.signals import entities_resolved
from extraction.schemas import ExtractedArtist, ExtractedVenue

logger = logging.getLogger(__name__)

_TYPE_ORDER = Case(
    When(entity_type=EntityType.VENUE, then=Value(0)),
    When(entity_type=EntityType.ARTIST, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


class NotReady(Exception):
    """A dependency (the performance's venue or artists) is still being resolved elsewhere."""


def entity_sources_resolve_for_extraction(*, extraction_id: int) -> int:
    """Resolve the pending sources of one extraction: venues, then artists, then performances."""
    ids = list(
        EntitySource.objects.filter(extraction_id=extraction_id, status=StageStatus.PENDING)
        .order_by(_TYPE_ORDER, "pk")
        .values_list("pk", flat=True)
    )
    resolved = sum(1 for pk in ids if entity_source_resolve(entity_source_id=pk) is not None)
    entities_resolved.send(sender=EntitySource, resolved=resolved)
    return resolved


def entity_source_resolve(*, entity_source_id: int) -> Venue | Artist | Performance | None:
    """Resolve one source; None when it was not ours to resolve (done already, or held by another worker)."""
    es = claim(EntitySource, entity_source_id)
    if es is None:
        return None
    try:
        with transaction.atomic():
            if es.entity_type == EntityType.VENUE:
                entity: Venue | Artist | Performance = _resolve_venue(es)
            elif es.entity_type == EntityType.ARTIST:
                entity = _resolve_artist(es)
            else:
                entity = _resolve_performance(es)
            link: dict[str, Any] = {es.entity_type: entity}
            finish(es, status=StageStatus.DONE, **link)
    except NotReady as exc:
        fail(es, str(exc), retryable=True, backoff_seconds=2)
        return None
    except Exception as exc:  # one bad record must not stop the others: record it for review and retry
        logger.exception("resolving entity source %s failed", es.pk)
        fail(es, f"{type(exc).__name__}: {exc}", retryable=False)
        return None
    return entity


def _surviving[T: (Venue, Artist, Performance)](entity: T) -> T:
    """Follow merge redirects to the entity that survives."""
    model = type(entity)
    seen = set()
    while entity.status == CanonicalStatus.MERGED and entity.merged_into_id and entity.pk not in seen:
        seen.add(entity.pk)
        entity = model.objects.get(pk=entity.merged_into_id)
    return entity


def _by_external_ids(entity_type: str, pairs: list[tuple[str, str]]) -> str | None:
    for scheme, value in pairs:
        hit = ExternalId.objects.filter(entity_type=entity_type, scheme=scheme, value=value).first()
        if hit:
            return hit.public_id
    return None


def _source_ids(es: EntitySource) -> list[tuple[str, str]]:
    """The IDs a source is matched by: its own key, then the typed IDs of its record that name one entity
    (`entities.resolution.links`: Spotify, MusicBrainz, an artist's Instagram... not a bare website, nor a
    venue's social account). The hook for
    resolution by link: an artist source with a Spotify ID resolves to the artist holding that ID."""
    typed = record_external_ids(cast(EntityKind, es.entity_type), es.data)
    identifying = (p for p in typed if is_identifying(p[0], es.entity_type))
    return [(f"source:{es.source.name}", es.source_key), *identifying]


def _resolve_venue(es: EntitySource) -> Venue:
    venue: Venue | None
    if es.venue_id:
        venue = _surviving(Venue.objects.get(pk=es.venue_id))
    else:
        data = ExtractedVenue.model_validate(es.data)
        venue = _match_venue(es, data)
        scored = [] if venue else venue_candidates_scored(data)
        if scored and scored[0][1].score >= settings.RESOLUTION_AUTO_MERGE_THRESHOLD:
            venue = scored[0][0]  # the same place, spelled another way: no new venue at all
        if venue is None:
            name_key = normalize_name(data.name)
            city_key = normalize_city(data.address.locality) if data.address and data.address.locality else ""
            venue = Venue.objects.create(
                name=data.name,
                name_key=name_key,
                city_key=city_key,
                block_key=venue_block_key(name_key, city_key),
            )
            # Between the thresholds (or renamed, by the rule): a new venue, and a question for staff.
            for other, result in scored:
                a, b = sorted((venue.pk, other.pk))
                venue_duplicate_file(a, b, score=result.score, explanation=result.explanation)
        es.venue = venue
        es.save(update_fields=["venue"])
    venue_recompute(venue)
    return venue


def _match_venue(es: EntitySource, data: ExtractedVenue) -> Venue | None:
    public_id = _by_external_ids(EntityType.VENUE, _source_ids(es))
    if public_id:
        return _surviving(Venue.objects.get(public_id=public_id))
    name_key = normalize_name(data.name)
    city = data.address.locality if data.address else None
    active = Venue.objects.filter(name_key=name_key).exclude(status=CanonicalStatus.MERGED)
    if city:
        match = active.filter(city_key=normalize_city(city)).order_by("pk").first()
        if match:
            return match
        # A venue known by name only (a calendar that gives no address) is the same place.
        return active.filter(city_key="").order_by("pk").first()
    # No city in this source: only an unambiguous name match is safe.
    candidates = list(active.order_by("pk")[:2])
    return candidates[0] if len(candidates) == 1 else None


def _resolve_artist(es: EntitySource) -> Artist:
    if es.artist_id:
        artist = _surviving(Artist.objects.get(pk=es.artist_id))
    else:
        data = ExtractedArtist.model_validate(es.data)
        public_id = _by_external_ids(EntityType.ARTIST, _source_ids(es))
        name_key = normalize_artist_name(data.name)
        if public_id:
            artist = _surviving(Artist.objects.get(public_id=public_id))
        else:
            found = (
                Artist.objects.filter(name_key=name_key)
                .exclude(status=CanonicalStatus.MERGED)
                .order_by("pk")
                .first()
            )
            artist = found or Artist.objects.create(name=data.name, name_key=name_key)
        es.artist = artist
        es.save(update_fields=["artist"])
    artist_recompute(artist)
    return artist


def _dependency(es: EntitySource, entity_type: str, key: str) -> EntitySource:
    dep = EntitySource.objects.get(source_id=es.source_id, entity_type=entity_type, source_key=key)
    if getattr(dep, f"{entity_type}_id") is None:
        # Resolve it here (the same code path its own task takes); if another worker holds it, retry later.
        if entity_source_resolve(entity_source_id=dep.pk) is None:
            dep.refresh_from_db()
            if getattr(dep, f"{entity_type}_id") is None:
                raise NotReady(f"The {entity_type} source {key!r} is not resolved yet.")
        dep.refresh_from_db()
    return dep


def _resolve_performance(es: EntitySource) -> Performance:
    data = es.data
    venue = None
    if data.get("venue_key"):
        venue_source = _dependency(es, EntityType.VENUE, data["venue_key"])
        assert venue_source.venue is not None  # _dependency guarantees it
        venue = _surviving(venue_source.venue)
    headliners: list[Artist] = []
    for performer in data.get("performers", []):
        artist_source = _dependency(es, EntityType.ARTIST, performer["key"])
        assert artist_source.artist is not None
        headliners.append(_surviving(artist_source.artist))
    if es.performance_id:
        performance = _surviving(Performance.objects.get(pk=es.performance_id))
    else:
        performance = _match_performance(es, venue, headliners[:1]) or Performance.objects.create(
            venue=venue,
            name=data["name"],
            local_date=data["local_date"],
            name_key=normalize_name(data["name"]),
        )
        es.performance = performance
        es.save(update_fields=["performance"])
    performance_recompute(performance)
    return performance


def _match_performance(es: EntitySource, venue: Venue | None, headliner: list[Artist]) -> Performance | None:
    data = es.data
    public_id = _by_external_ids(EntityType.PERFORMANCE, _source_ids(es))
    if public_id:
        return _surviving(Performance.objects.get(public_id=public_id))
    same_day = Performance.objects.filter(venue=venue, local_date=data["local_date"]).exclude(
        status=CanonicalStatus.MERGED
    )
    by_name = same_day.filter(name_key=normalize_name(data["name"])).order_by("pk").first()
    if by_name or not headliner:
        return by_name
    # Same venue, same day, same headliner: the same show under another title.
    same_show = same_day.filter(billing__artist=headliner[0]).order_by("pk").first()
    # Else the same headliner a few days away, with a sign of a move: the same show, rescheduled.
    return same_show or performance_find_moved(es, venue, headliner[0])
