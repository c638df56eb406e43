"""Recompute a canonical entity from all its sources (survivorship), keep provenance, announce the change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, cast

from entities.merging.survivorship import Observation, merge_records, union_values
from entities.merging.timing import resolve_time, timezone_at, timezone_for_region
from entities.models import (
    Artist,
    Billing,
    CanonicalStatus,
    EntitySource,
    EntityType,
    EventStatus,
    ExternalId,
    Performance,
    PerformanceArtist,
    TimePrecision,
    Venue,
)
from entities.resolution.keys import venue_block_key
from entities.resolution.links import EntityKind, record_external_ids, typed_external_ids
from entities.resolution.normalize import (
    normalize_artist_name,
    normalize_city,
    normalize_country,
    normalize_name,
    normalize_phone,
)
from entities.resolution.performances import MovedShow
from entities.services.listings import moved_listing_dates
from entities.services.locate import artist_musicbrainz, venue_locate
from entities.signals import announce_change
from entities.venue_fields import ADDRESS_FIELDS
from images.services import images_request
from sourcing.models import SourceKind

# Sources whose terms let us keep their IDs but not their content (DESIGN.md section 3).
ID_ONLY_SOURCE_KINDS = frozenset({SourceKind.GOOGLE_PLACES, SourceKind.YELP})


def _sources(entity: Venue | Artist | Performance) -> list[EntitySource]:
    return list(entity.sources.select_related("source").order_by("pk"))


def _content_sources(sources: Iterable[EntitySource]) -> list[EntitySource]:
    return [es for es in sources if es.source.kind not in ID_ONLY_SOURCE_KINDS]


def _observe(sources: Iterable[EntitySource], getter: Callable[[dict[str, Any]], Any]) -> list[Observation]:
    observations = []
    for es in sources:
        value = getter(es.data)
        if value not in (None, "", [], {}):
            observations.append(
                Observation(
                    source=es.source.name, priority=es.source.priority, seen_at=es.last_seen_at, value=value
                )
            )
    return observations


def _union(observations: list[Observation], *, flatten: bool = False) -> list[Any]:
    """All distinct values, best source first; with `flatten`, list values count item by item."""
    if flatten:
        observations = [
            Observation(source=o.source, priority=o.priority, seen_at=o.seen_at, value=item)
            for o in observations
            for item in (o.value if isinstance(o.value, list) else [o.value])
            if item not in (None, "")
        ]
    return list(union_values(observations))


def _external_ids(
    entity_type: str,
    entity: Venue | Artist | Performance,
    sources: list[EntitySource],
    extra: Iterable[tuple[str, str]] = (),
) -> dict[str, list[str]]:
    """Every external ID of every source (several per scheme allowed), typed and normalised
    (`entities.resolution.links`: a Spotify URL and a Spotify URI are one ID), plus those an enrichment
    found (`extra`); each indexed in ExternalId for exact matching."""
    ids: dict[str, list[str]] = {}
    kind = cast(EntityKind, entity_type)
    for es in sources:
        # An ID-only source (Google Places, Yelp) gives its IDs, never its links: those are its content.
        data = (
            {"external_ids": es.data.get("external_ids")}
            if es.source.kind in ID_ONLY_SOURCE_KINDS
            else es.data
        )
        pairs = [(f"source:{es.source.name}", es.source_key), *record_external_ids(kind, data)]
        for scheme, value in pairs:
            if value and value not in ids.setdefault(scheme, []):
                ids[scheme].append(value)
    for scheme, value in extra:
        if value and value not in ids.setdefault(scheme, []):
            ids[scheme].append(value)
    for scheme, values in ids.items():
        for value in values:
            # First come keeps the ID: a conflict means two canonical entities claim one ID, which
            # the duplicate finder surfaces; we never silently move an ID.
            ExternalId.objects.get_or_create(
                entity_type=entity_type,
                scheme=scheme,
                value=value[:500],
                defaults={"public_id": entity.public_id},
            )
    return {k: ids[k] for k in sorted(ids) if ids[k]}


def _apply(entity: Venue | Artist | Performance, values: dict[str, Any]) -> bool:
    changed = [name for name, value in values.items() if getattr(entity, name) != value]
    for name in changed:
        setattr(entity, name, values[name])
    if changed:
        entity.save()
    return bool(changed)


def _address_part(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda data: (data.get("address") or {}).get(name)


def venue_recompute(venue: Venue) -> bool:
    """Rebuild the venue's fields from its sources; True when anything changed."""
    if venue.status == CanonicalStatus.MERGED:
        return False
    sources = _sources(venue)
    content = _content_sources(sources)
    fields: dict[str, list[Observation]] = {
        "name": _observe(content, lambda d: d.get("name")),
        "latitude": _observe(content, lambda d: d.get("latitude")),
        "longitude": _observe(content, lambda d: d.get("longitude")),
        "timezone": _observe(content, lambda d: d.get("timezone")),
        "phone": _observe(content, lambda d: normalize_phone(d.get("phone") or "")),
        "website": _observe(content, lambda d: d.get("website")),
        "capacity": _observe(content, lambda d: d.get("capacity")),
    }
    for name in ADDRESS_FIELDS:
        fields[name] = _observe(content, _address_part(name))
    outcome = merge_records(
        fields, locks=venue.locked_fields, grouped_fields=[ADDRESS_FIELDS, ("latitude", "longitude")]
    )
    values: dict[str, Any] = {name: outcome.values.get(name) for name in fields}
    # Only ISO alpha-2 codes are stored; anything else stays in the sources.
    country = normalize_country(values["country"]) or ""
    values["country"] = country if len(country) == 2 else ""
    for name in ("name", "phone", "website", "timezone", *ADDRESS_FIELDS):
        values[name] = (values[name] or "")[: Venue._meta.get_field(name).max_length]  # type: ignore[union-attr]
    values["name"] = values["name"] or venue.name
    provenance = dict(outcome.provenance)
    # Where the sources leave them empty: the country inferred, coordinates geocoded (with precision).
    venue_locate(venue=venue, values=values, provenance=provenance)
    values["timezone"] = (
        values["timezone"]
        or timezone_at(values["latitude"], values["longitude"])
        or timezone_for_region(values["country"], values["region"])
        or ""
    )
    names = _union(fields["name"])
    values["former_names"] = [n for n in names if n != values["name"]]
    values["socials"] = _union(_observe(content, lambda d: d.get("socials")), flatten=True)
    values["image_urls"] = _union(_observe(content, lambda d: d.get("image_urls")), flatten=True)
    images_request(values["image_urls"])
    values["external_ids"] = _external_ids(EntityType.VENUE, venue, sources)
    values["provenance"] = provenance
    values["name_key"] = normalize_name(values["name"])
    values["city_key"] = normalize_city(values["locality"]) if values["locality"] else ""
    values["block_key"] = venue_block_key(values["name_key"], values["city_key"])
    renamed = values["name"] != venue.name or values["locality"] != venue.locality
    rezoned = values["timezone"] != venue.timezone
    changed = _apply(venue, values)
    if changed:
        announce_change(entity_type=EntityType.VENUE, entity=venue)
        for performance in venue.performances.all() if renamed or rezoned else ():
            # Local times depend on the venue's zone; documents embed its name and city.
            if not (rezoned and performance_recompute(performance)):
                announce_change(entity_type=EntityType.PERFORMANCE, entity=performance)
    return changed


def artist_recompute(artist: Artist) -> bool:
    if artist.status == CanonicalStatus.MERGED:
        return False
    sources = _sources(artist)
    content = _content_sources(sources)
    fields = {
        "name": _observe(content, lambda d: d.get("name")),
        "artist_type": _observe(content, lambda d: d.get("type")),
        "url": _observe(content, lambda d: d.get("url")),
    }
    outcome = merge_records(fields, locks=artist.locked_fields)
    chosen: dict[str, Any] = dict(outcome.values)
    provenance = dict(outcome.provenance)
    name = (chosen.get("name") or artist.name)[:255]
    external_ids = _external_ids(EntityType.ARTIST, artist, sources)
    genres = _union(_observe(content, lambda d: d.get("genres")), flatten=True)
    values: dict[str, Any] = {
        "name": name,
        "artist_type": (chosen.get("artist_type") or "")[:32],
        "sort_name": artist.locked_fields.get("sort_name", ""),
        "disambiguation": artist.locked_fields.get("disambiguation", ""),
    }
    # MusicBrainz's facts fill what the sources leave empty; its MBID and links join the external IDs.
    facts = artist_musicbrainz(artist=artist, name=name, external_ids=external_ids)
    if facts:
        said: dict[str, Any] = {"source": "musicbrainz", "reason": str(facts.get("reason") or "")}
        filled = {
            "artist_type": str(facts.get("type") or "").lower()[:32],
            "sort_name": str(facts.get("sort_name") or "")[:255],
            "disambiguation": str(facts.get("disambiguation") or "")[:255],
        }
        for field_name, value in filled.items():
            if value and not values[field_name] and field_name not in artist.locked_fields:
                values[field_name] = value
                provenance[field_name] = said
        known = {g.casefold() for g in genres}
        genres += [g for g in facts.get("genres") or [] if g.casefold() not in known]
        extra = [("musicbrainz", str(facts["mbid"]))] + typed_external_ids(
            entity_type="artist", links=[str(link) for link in facts.get("links") or []]
        )
        external_ids = _external_ids(EntityType.ARTIST, artist, sources, extra=extra)
    values |= {
        "url": (chosen.get("url") or "")[:500],
        "aliases": [n for n in _union(fields["name"]) if n != name],
        "genres": genres,
        "images": _artist_images(content),
        "external_ids": external_ids,
        "provenance": provenance,
        "name_key": normalize_artist_name(name),
    }
    images_request(values["images"])
    changed = _apply(artist, values)
    if changed:
        announce_change(entity_type=EntityType.ARTIST, entity=artist)
    return changed


def _artist_images(sources: list[EntitySource]) -> list[dict[str, str]]:
    """{"url", "license", "attribution"} per image, best source first; licence and attribution travel
    with the image when a source gives them (as an "images" list of such mappings)."""
    described = _union(
        _observe(
            sources, lambda d: [i for i in d.get("images") or [] if isinstance(i, dict) and i.get("url")]
        ),
        flatten=True,
    )
    images: dict[str, dict[str, str]] = {}
    for item in described:
        entry = {"url": str(item["url"])}
        entry |= {k: str(item[k]) for k in ("license", "attribution") if item.get(k)}
        images.setdefault(entry["url"], entry)
    for url in _union(_observe(sources, lambda d: d.get("image_urls")), flatten=True):
        images.setdefault(url, {"url": url})
    return list(images.values())


def performance_recompute(performance: Performance) -> bool:
    if performance.status == CanonicalStatus.MERGED:
        return False
    sources = _sources(performance)
    content = _content_sources(sources)
    fields = {
        "name": _observe(content, lambda d: d.get("name")),
        "local_date": _observe(content, lambda d: d.get("local_date")),
        "local_start_time": _observe(content, lambda d: d.get("local_start_time")),
        "utc_offset_minutes": _observe(content, lambda d: d.get("utc_offset_minutes")),
        "local_doors_time": _observe(content, lambda d: d.get("local_doors_time")),
        "time_precision": _observe(content, lambda d: d.get("time_precision")),
        "event_status": _observe(content, lambda d: d.get("status")),
        "ticket_status": _observe(content, lambda d: d.get("ticket_status")),
        "url": _observe(content, lambda d: d.get("url")),
        "description": _observe(content, lambda d: d.get("description")),
        "offers": _observe(content, lambda d: d.get("offers")),
    }
    # The start time travels with its offset and precision: all three from one source.
    outcome = merge_records(
        fields,
        locks=performance.locked_fields,
        grouped_fields=[("local_start_time", "utc_offset_minutes", "time_precision")],
    )
    chosen: dict[str, Any] = dict(outcome.values)
    provenance = dict(outcome.provenance)
    # Listings on different dates are one show moved (resolution joined them): the date and time
    # are the current listing's, not the highest-priority source's, and the other dates are history.
    moved = moved_listing_dates(content)
    if moved is not None:
        current = next(es for es in content if str(es.pk) == moved.current_from)
        for name in (
            "local_date",
            "local_start_time",
            "utc_offset_minutes",
            "time_precision",
            "local_doors_time",
        ):
            if name not in performance.locked_fields:
                chosen[name] = current.data.get(name)
                provenance[name] = {
                    "source": current.source.name,
                    "seen_at": current.last_seen_at.isoformat(),
                    "reason": "current date of a moved show",
                }
    venue = performance.venue
    zone = venue.timezone if venue else ""
    local_date = dt.date.fromisoformat(chosen.get("local_date") or performance.local_date.isoformat())
    start = dt.time.fromisoformat(chosen["local_start_time"]) if chosen.get("local_start_time") else None
    resolved = resolve_time(
        local_date, start, utc_offset_minutes=chosen.get("utc_offset_minutes"), zone_name=zone
    )
    doors = dt.time.fromisoformat(chosen["local_doors_time"]) if chosen.get("local_doors_time") else None
    precision = chosen.get("time_precision") or (TimePrecision.EXACT if start else TimePrecision.DATE)
    status = chosen.get("event_status") or EventStatus.SCHEDULED
    if sources and all(es.vanished_at for es in sources) and status == EventStatus.SCHEDULED:
        status = EventStatus.POSSIBLY_CANCELLED
    name = (chosen.get("name") or performance.name)[:500]
    values: dict[str, Any] = {
        "name": name,
        "name_key": normalize_name(name)[:255],
        "local_date": resolved.local_date,
        "local_start_time": resolved.local_time,
        "local_doors_time": doors,
        "timezone": zone,
        "starts_at": resolved.starts_at,
        "time_precision": precision,
        "event_status": status,
        "ticket_status": (chosen.get("ticket_status") or "")[:32],
        "url": (chosen.get("url") or "")[:1000],
        "description": chosen.get("description") or "",
        "offers": chosen.get("offers") or [],
        "previous_dates": _previous_dates(content, moved, resolved.local_date),
        "image_urls": _union(_observe(content, lambda d: d.get("image_urls")), flatten=True),
        "external_ids": _external_ids(EntityType.PERFORMANCE, performance, sources),
        "provenance": provenance,
    }
    images_request(values["image_urls"])
    changed = _apply(performance, values)
    changed = _recompute_billing(performance, content) or changed
    if changed:
        announce_change(entity_type=EntityType.PERFORMANCE, entity=performance)
    return changed


def _previous_dates(content: list[EntitySource], moved: MovedShow | None, current: dt.date) -> list[Any]:
    """Dates the show had before: what its sources say, and the dates of its other listings."""
    said = _union(_observe(content, lambda d: d.get("previous_local_dates")), flatten=True)
    if moved is None:
        return said
    dates = set(said) | {d.isoformat() for d in moved.previous_dates}
    return sorted(dates - {current.isoformat()})


def _recompute_billing(performance: Performance, sources: list[EntitySource]) -> bool:
    """One billing row per act; billing and order from the highest-priority source that lists it."""
    wanted: dict[int, tuple[int, str, int]] = {}  # artist pk -> (priority, billing, order)
    ranked = sorted(sources, key=lambda es: -es.source.priority)
    for es in ranked:
        for performer in es.data.get("performers", []):
            artist_source = EntitySource.objects.filter(
                source_id=es.source_id, entity_type=EntityType.ARTIST, source_key=performer["key"]
            ).first()
            if artist_source is None or artist_source.artist_id is None:
                continue
            artist = Artist.objects.get(pk=artist_source.artist_id)
            while artist.status == CanonicalStatus.MERGED and artist.merged_into_id:
                artist = Artist.objects.get(pk=artist.merged_into_id)
            if artist.pk not in wanted:
                billing = performer.get("billing") or ""
                if billing not in Billing.values:
                    billing = ""
                wanted[artist.pk] = (es.source.priority, billing, performer.get("order") or 0)
    current = {row.artist_id: row for row in performance.billing.all()}
    changed = False
    for artist_id, stale in current.items():
        if artist_id not in wanted:
            stale.delete()
            changed = True
    for artist_id, (_, billing, order) in wanted.items():
        row = current.get(artist_id)
        if row is None:
            PerformanceArtist.objects.create(
                performance=performance, artist_id=artist_id, billing=billing, order=order
            )
            changed = True
        elif (row.billing, row.order) != (billing, order):
            row.billing, row.order = billing, order
            row.save(update_fields=["billing", "order"])
            changed = True
    return changed
