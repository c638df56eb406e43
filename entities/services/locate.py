"""What recompute asks of enrichment: a venue's country and coordinates where its sources gave none, an
artist's MusicBrainz facts. Everything here runs inside a recompute, so nothing here may fail it: an
error is recorded on the entity's `Enrichment` row and the entity is recomputed without it.

- Offline geocoding runs inline: a gazetteer lookup is a fraction of a millisecond, so a venue gets its
  zone and its performances their UTC instants in the same transaction that created it. Its outcome is
  kept (and not looked up again while the address is unchanged).
- Google geocoding and MusicBrainz are network calls with quotas and rate rules: they are *requested*
  here (an `Enrichment` row, queued once per question) and run by `entities.services.enrichment`,
  which recomputes the entity when the answer arrives.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import asdict, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.queue import enqueue
from core.stages import StageStatus
from entities.enrichment.gazetteer import Gazetteer, gazetteer_file_name, open_gazetteer
from entities.enrichment.geocoding import Address, Geocode, GeocodeMiss, geocode_offline, infer_country
from entities.merging.timing import timezone_for_region
from entities.models import Artist, Enrichment, EnrichmentKind, EnrichmentOutcome, EntityType, Venue
from entities.resolution.links import classify_link, is_identifying

logger = logging.getLogger(__name__)

ENRICHMENT_TASK = "entities.tasks.enrichment_run_task"


def query_hash(query: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(query, sort_keys=True, default=str).encode()).hexdigest()


GAZETTEER_BUILD_TASK = "entities.tasks.gazetteer_build_task"


class GazetteerNotBuilt(Exception):
    """The index is not built on this machine yet: it is being built by a task, never inside a recompute
    (building takes ~20 s, which must not hold a transaction)."""


@lru_cache(maxsize=4)
def _gazetteer(directory: str) -> Gazetteer:
    return Gazetteer(Path(directory) / gazetteer_file_name())


def gazetteer() -> Gazetteer:
    """The offline gazetteer of this deployment (see entities/enrichment/gazetteer.py); raises
    GazetteerNotBuilt, and queues its build, when this machine has not built it."""
    if not (settings.GAZETTEER_DIR / gazetteer_file_name()).exists():
        enqueue(GAZETTEER_BUILD_TASK)
        raise GazetteerNotBuilt("The offline gazetteer is being built; venues are placed once it is ready.")
    return _gazetteer(str(settings.GAZETTEER_DIR))


def gazetteer_build() -> int:
    """Build the gazetteer (idempotent, under a file lock), then queue the venues that waited for it; a
    build that fails says why on each of them."""
    waiting_rows = Enrichment.objects.filter(kind=EnrichmentKind.GEOCODE_OFFLINE, status=StageStatus.PENDING)
    try:
        open_gazetteer(settings.GAZETTEER_DIR)
    except Exception as exc:
        waiting_rows.filter(last_error__startswith="The offline gazetteer is being built").update(
            status=StageStatus.FAILED,
            retry_at=None,
            last_error=f"The offline gazetteer could not be built: {type(exc).__name__}: {exc}",
        )
        raise
    waiting = list(waiting_rows.values_list("pk", flat=True))
    for pk in waiting:
        enqueue(ENRICHMENT_TASK, pk)
    return len(waiting)


def _row(kind: str, entity_type: str, entity_id: int) -> Enrichment | None:
    return Enrichment.objects.filter(kind=kind, entity_type=entity_type, entity_id=entity_id).first()


def _save(kind: str, entity_type: str, entity_id: int, **fields: Any) -> None:
    """Create or update the row, in a savepoint: a concurrent writer of the same row wins, and a failure
    here never breaks the recompute around it."""
    try:
        with transaction.atomic():
            Enrichment.objects.update_or_create(
                kind=kind, entity_type=entity_type, entity_id=entity_id, defaults=fields
            )
    except IntegrityError:
        logger.info("%s of %s %s written concurrently; keeping the other write", kind, entity_type, entity_id)


def _request(kind: str, entity_type: str, entity_id: int, query: dict[str, Any]) -> Enrichment | None:
    """Queue the question once: a new row, or a row whose question changed, goes (back) to pending."""
    digest = query_hash(query)
    row = _row(kind, entity_type, entity_id)
    if row is not None and row.query_hash == digest:
        return row
    _save(
        kind,
        entity_type,
        entity_id,
        query=query,
        query_hash=digest,
        status=StageStatus.PENDING,
        attempts=0,
        last_error="",
        claim_token=None,
        retry_at=None,
        outcome="",
        result={},
        refresh_after=None,
    )
    row = _row(kind, entity_type, entity_id)
    if row is not None:
        enqueue(ENRICHMENT_TASK, row.pk)
    return row


# --- venues -------------------------------------------------------------------------------------


def venue_locate(*, venue: Venue, values: dict[str, Any], provenance: dict[str, Any]) -> None:
    """Fill a venue recompute's country, coordinates, precision and source where the sources left them
    empty (country inferred; coordinates from Google when it has answered, else the gazetteer)."""
    try:
        _venue_locate(venue, values, provenance)
    except Exception:  # enrichment never fails a recompute: the venue is kept as its sources say
        logger.exception("locating venue %s failed; kept without enrichment", venue.pk)


def _open_gazetteer() -> tuple[Gazetteer | None, str]:
    """The gazetteer, or None with the reason it cannot be used now."""
    if not settings.GEOCODING_OFFLINE_ENABLED:
        return None, ""
    try:
        return gazetteer(), ""
    except GazetteerNotBuilt as exc:
        return None, str(exc)
    except Exception as exc:
        logger.exception("the offline gazetteer could not be opened")
        return None, f"The offline gazetteer failed: {type(exc).__name__}: {exc}"


def _venue_locate(venue: Venue, values: dict[str, Any], provenance: dict[str, Any]) -> None:
    locks = venue.locked_fields
    address = Address.from_mapping(values)
    places, places_error = _open_gazetteer()
    if not values.get("country") and "country" not in locks:
        guess = infer_country(
            country="",
            region=address.region,
            postal_code=address.postal_code,
            phone=values.get("phone") or "",
            locality=address.locality,
            default_region=settings.DEFAULT_PHONE_REGION,
            gazetteer=places,
        )
        if guess.country:
            values["country"] = guess.country
            provenance["country"] = {"source": "inferred", "reason": guess.reason}
    if values.get("latitude") is not None:
        values["coord_precision"] = locks.get("coord_precision") or "reported"
        values["coord_source"] = provenance.get("latitude", {}).get("source", "")
        return
    values["coord_precision"] = values["coord_source"] = ""
    if "latitude" in locks or not (address.locality or address.postal_code):
        return
    address = replace(address, country=values.get("country") or "")
    found = _google_geocode(venue, address) or _offline_geocode(venue, address, places, places_error)
    if found is None:
        return
    values["latitude"], values["longitude"] = found.latitude, found.longitude
    values["coord_precision"], values["coord_source"] = found.precision, found.source
    reason = f"geocoded ({found.precision}): {found.label}"
    for name in ("latitude", "longitude"):
        provenance[name] = {"source": found.source, "reason": reason}


def _offline_geocode(
    venue: Venue, address: Address, places: Gazetteer | None, places_error: str
) -> Geocode | None:
    if not settings.GEOCODING_OFFLINE_ENABLED:
        return None
    query = {"address": asdict(address)}
    digest = query_hash(query)
    row = _row(EnrichmentKind.GEOCODE_OFFLINE, EntityType.VENUE, venue.pk)
    if row is not None and row.query_hash == digest and row.status in (StageStatus.DONE, StageStatus.FAILED):
        return _geocode_of(row)  # asked before: the same answer (a failure is retried from the admin)
    now = timezone.now()
    fields: dict[str, Any] = {
        "query": query,
        "query_hash": digest,
        "started_at": now,
        "finished_at": now,
        "claim_token": None,
        "attempts": 1,
    }
    if places is None:  # not built yet (waits for its build task), or broken (fails, with the reason)
        building = places_error.startswith("The offline gazetteer is being built")
        _save(
            EnrichmentKind.GEOCODE_OFFLINE,
            EntityType.VENUE,
            venue.pk,
            **fields,
            status=StageStatus.PENDING if building else StageStatus.FAILED,
            retry_at=now + dt.timedelta(minutes=1) if building else None,
            last_error=places_error,
            outcome="",
            result={},
        )
        return None
    answer = geocode_offline(
        address,
        country=address.country or None,
        gazetteer=places,
        region_zone=timezone_for_region(address.country, address.region),
    )
    if isinstance(answer, GeocodeMiss):
        fields |= {"outcome": EnrichmentOutcome.NOT_FOUND, "result": {"reason": answer.reason}}
    else:
        fields |= {"outcome": EnrichmentOutcome.FOUND, "result": asdict(answer)}
    _save(
        EnrichmentKind.GEOCODE_OFFLINE,
        EntityType.VENUE,
        venue.pk,
        **fields,
        status=StageStatus.DONE,
        last_error="",
    )
    return answer if isinstance(answer, Geocode) else None


def _google_geocode(venue: Venue, address: Address) -> Geocode | None:
    if not settings.GOOGLE_GEOCODING_API_KEY:
        return None
    components = {"country": address.country, "postal_code": address.postal_code}
    query = {"address": address.one_line(), "components": {k: v for k, v in components.items() if v}}
    row = _request(EnrichmentKind.GEOCODE_GOOGLE, EntityType.VENUE, venue.pk, query)
    if row is None or row.status != StageStatus.DONE or row.outcome != EnrichmentOutcome.FOUND:
        return None
    if row.refresh_after is not None and row.refresh_after <= timezone.now():
        return None  # past the 30 days the terms allow: not used until refreshed
    return _geocode_of(row)


def _geocode_of(row: Enrichment) -> Geocode | None:
    if row.outcome != EnrichmentOutcome.FOUND:
        return None
    result = row.result
    try:
        return Geocode(
            latitude=float(result["latitude"]),
            longitude=float(result["longitude"]),
            precision=str(result["precision"]),
            source=str(result["source"]),
            label=str(result.get("label") or ""),
            place_id=str(result.get("place_id") or ""),
        )
    except (KeyError, TypeError, ValueError):
        return None


# --- artists ------------------------------------------------------------------------------------


def artist_musicbrainz(
    *, artist: Artist, name: str, external_ids: dict[str, list[str]]
) -> dict[str, Any] | None:
    """The artist's MusicBrainz facts once found (None before, or without a match); asks for them when
    the artist's name, MBIDs or links changed and MUSICBRAINZ_CONTACT is set."""
    try:
        if settings.MUSICBRAINZ_CONTACT:
            mbids = sorted(external_ids.get("musicbrainz") or [])
            links = sorted(
                url
                for scheme, values in external_ids.items()
                if is_identifying(scheme) and scheme != "musicbrainz" and not scheme.startswith("source:")
                for url in (_link_url(scheme, v) for v in values)
                if url
            )
            _request(
                EnrichmentKind.MUSICBRAINZ,
                EntityType.ARTIST,
                artist.pk,
                {"name": name, "mbids": mbids, "links": links},
            )
        row = _row(EnrichmentKind.MUSICBRAINZ, EntityType.ARTIST, artist.pk)
    except Exception:
        logger.exception("requesting MusicBrainz facts for artist %s failed", artist.pk)
        return None
    if row is None or row.outcome != EnrichmentOutcome.FOUND:
        return None
    return dict(row.result)


# The page URL MusicBrainz keeps for an ID of each scheme (its URL relationships are canonical URLs).
_LINK_TEMPLATES = {
    "spotify": "https://open.spotify.com/artist/{}",
    "bandcamp": "https://{}.bandcamp.com/",
    "soundcloud": "https://soundcloud.com/{}",
    "instagram": "https://www.instagram.com/{}/",
    "facebook": "https://www.facebook.com/{}",
    "twitter": "https://twitter.com/{}",
    "tiktok": "https://www.tiktok.com/@{}",
    "wikidata": "https://www.wikidata.org/wiki/{}",
    "deezer": "https://www.deezer.com/artist/{}",
    "apple_music": "https://music.apple.com/artist/{}",
    "discogs": "https://www.discogs.com/artist/{}",
    "songkick": "https://www.songkick.com/artists/{}",
}


def _link_url(scheme: str, value: str) -> str | None:
    template = _LINK_TEMPLATES.get(scheme)
    if template is None:
        return None
    url = template.format(value)
    typed = classify_link(url)
    return url if typed is not None and (typed.scheme, typed.value) == (scheme, value) else None


def refresh_due(*, now: dt.datetime | None = None) -> int:
    """Answers past their refresh time go back to pending (the sweeper then queues them): Google's
    coordinates after their 30 days, MusicBrainz facts after MUSICBRAINZ_REFRESH_DAYS."""
    now = now or timezone.now()
    # updated_at set back past the sweeper's grace period: the same sweep queues them.
    return Enrichment.objects.filter(status=StageStatus.DONE, refresh_after__lte=now).update(
        status=StageStatus.PENDING, attempts=0, retry_at=None, updated_at=now - dt.timedelta(hours=1)
    )
