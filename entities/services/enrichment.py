"""Running one enrichment (`entities.tasks.enrichment_run_task`): claim its row, ask the service, keep what
may be kept, recompute the entity. A stage like the others (claim, fence, retry with backoff, a reason
people read on failure), on its own rows, so that a slow or failing service never holds up resolution.

- Google geocoding: at most GOOGLE_GEOCODING_MAX_PER_DAY calls a day (past it the row waits for the next
  day, not counting an attempt); a refresh asks for the kept place ID; coordinates expire after
  GOOGLE_GEOCODING_CACHE_DAYS.
- MusicBrainz: every request takes the next slot of the MusicBrainz host shared by all workers
  (`sourcing.politeness.reserve_slot`), MUSICBRAINZ_MIN_INTERVAL_SECONDS apart; a slot too far away
  hands the row back to the queue. The match rule is `entities.enrichment.musicbrainz.choose_artist`.
- Offline geocoding normally runs inline at recompute; a row retried from the admin runs here.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from typing import Any

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.stages import StageStatus, claim, fail, finish
from entities.enrichment.geocoding import Geocode, google_candidates, google_result
from entities.enrichment.musicbrainz import choose_artist
from entities.models import Artist, Enrichment, EnrichmentKind, EnrichmentOutcome, Venue
from entities.services.recompute import artist_recompute, venue_recompute
from sourcing.api_clients import geocoding_client, musicbrainz_client
from sourcing.clients.base import ApiResponse, SourceApiError
from sourcing.clients.musicbrainz import MbArtist, parse_artist, parse_search, parse_url_artists
from sourcing.politeness import reserve_slot

logger = logging.getLogger(__name__)

# Links looked up in MusicBrainz per artist at most (each is one request, a second apart).
MAX_LINK_LOOKUPS = 3


class _NotNow(Exception):
    """The service cannot be asked now (a daily budget, a rate slot too far away): try later."""

    def __init__(self, reason: str, *, retry_at: dt.datetime) -> None:
        super().__init__(reason)
        self.retry_at = retry_at


def enrichment_run(*, enrichment_id: int) -> str | None:
    """Run one enrichment row; returns its outcome, or None when it was not ours to run."""
    row = claim(Enrichment, enrichment_id)
    if row is None:
        return None
    try:
        if row.kind == EnrichmentKind.GEOCODE_GOOGLE:
            fields = _google(row)
        elif row.kind == EnrichmentKind.MUSICBRAINZ:
            fields = _musicbrainz(row)
        else:
            fields = _offline(row)
    except _NotNow as wait:
        # Not an attempt that failed: the row waits for its time, with the reason shown.
        finish(
            row,
            status=StageStatus.PENDING,
            error=str(wait),
            retry_at=wait.retry_at,
            attempts=row.attempts - 1,
        )
        return None
    except SourceApiError as exc:
        fail(row, exc.reason, retryable=exc.retryable, backoff_seconds=max(30, int(exc.retry_after or 0)))
        return None
    except Exception as exc:
        logger.exception("enrichment %s failed", row.pk)
        fail(row, f"{type(exc).__name__}: {exc}", retryable=False)
        return None
    with transaction.atomic():
        if not finish(row, status=StageStatus.DONE, **fields):
            return None  # our claim was taken over: the other worker's answer stands
        _recompute(row)
    return str(fields.get("outcome") or "")


def _recompute(row: Enrichment) -> None:
    if row.entity_type == "venue":
        venue = Venue.objects.filter(pk=row.entity_id).first()
        if venue is not None:
            venue_recompute(venue)
    else:
        artist = Artist.objects.filter(pk=row.entity_id).first()
        if artist is not None:
            artist_recompute(artist)


def _found(result: dict[str, Any], *, days: int) -> dict[str, Any]:
    return {
        "outcome": EnrichmentOutcome.FOUND,
        "result": result,
        "refresh_after": timezone.now() + dt.timedelta(days=days),
    }


# --- Google geocoding ---------------------------------------------------------------------------


def _google(row: Enrichment) -> dict[str, Any]:
    now = timezone.now()
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    used = (
        Enrichment.objects.filter(kind=EnrichmentKind.GEOCODE_GOOGLE, finished_at__gte=day_start)
        .exclude(pk=row.pk)
        .count()
    )
    if used >= settings.GOOGLE_GEOCODING_MAX_PER_DAY:
        raise _NotNow(
            f"GOOGLE_GEOCODING_MAX_PER_DAY ({settings.GOOGLE_GEOCODING_MAX_PER_DAY}) calls made today; "
            "asking again tomorrow.",
            retry_at=day_start + dt.timedelta(days=1),
        )
    query = row.query
    place_id = str(row.result.get("place_id") or "") if row.outcome == EnrichmentOutcome.FOUND else ""
    with httpx.Client() as http:
        client = geocoding_client(http=http)
        if place_id:  # a refresh of coordinates we were allowed to keep for a while
            page = client.place(place_id)
        else:
            page = client.geocode(query.get("address") or None, components=query.get("components") or {})
    country = (query.get("components") or {}).get("country")
    answer = google_result(google_candidates(page.data), country=country)
    if isinstance(answer, Geocode):
        return _found(asdict(answer), days=settings.GOOGLE_GEOCODING_CACHE_DAYS)
    return {
        "outcome": EnrichmentOutcome.NOT_FOUND,
        "result": {"reason": answer.reason},
        "refresh_after": None,
    }


# --- offline geocoding (a retry from the admin) ---------------------------------------------------


def _offline(row: Enrichment) -> dict[str, Any]:
    # Recompute asks the gazetteer again once the row's question is no longer answered.
    return {"query_hash": "", "outcome": "", "result": {}}


# --- MusicBrainz ----------------------------------------------------------------------------------


def _musicbrainz(row: Enrichment) -> dict[str, Any]:
    artist = Artist.objects.filter(pk=row.entity_id).first()
    if artist is None:
        return {"outcome": EnrichmentOutcome.NOT_FOUND, "result": {"reason": "the artist no longer exists"}}
    query = row.query
    with httpx.Client() as http:
        client = musicbrainz_client(http=http)

        def ask(call: Callable[[str], ApiResponse], argument: str) -> ApiResponse:
            _take_slot(client.base_url)
            return call(argument)

        mbids: list[str] = list(query.get("mbids") or [])
        rule, reason = "source", "the MBID a source gave"
        if not mbids:
            name = str(query["name"])
            related = _related_artists(ask, client.lookup_url, list(query.get("links") or []))
            named = [a for a in related if choose_artist(name, [_scored(a)]).mbid]
            if len({a.mbid for a in named}) == 1:
                # One of the artist's own links belongs, in MusicBrainz, to an artist of this name.
                mbids, rule = [named[0].mbid], "link"
                reason = f"MusicBrainz relates the artist's link to {named[0].name} {named[0].mbid}"
            else:
                candidates = parse_search(ask(client.search_artists, name).data)
                match = choose_artist(
                    name,
                    candidates,
                    linked_mbids={a.mbid for a in related},
                    venue_countries=_venue_countries(artist),
                )
                if match.mbid is None:
                    ambiguous = "exact candidates" in match.reason
                    return {
                        "outcome": EnrichmentOutcome.AMBIGUOUS if ambiguous else EnrichmentOutcome.NOT_FOUND,
                        "result": {"reason": match.reason},
                        "refresh_after": timezone.now()
                        + dt.timedelta(days=settings.MUSICBRAINZ_REFRESH_DAYS),
                    }
                mbids, rule, reason = [match.mbid], match.rule, match.reason
        try:
            found = parse_artist(ask(client.lookup_artist, mbids[0]).data)
        except SourceApiError as exc:
            if exc.status_code != 404:
                raise
            found = None
    if found is None:
        return {
            "outcome": EnrichmentOutcome.NOT_FOUND,
            "result": {"reason": f"MusicBrainz has no artist {mbids[0]}"},
        }
    return _found(_facts(found, rule=rule, reason=reason), days=settings.MUSICBRAINZ_REFRESH_DAYS)


def _take_slot(base_url: str) -> None:
    """The next MusicBrainz request slot shared by every worker; too far away, the row waits its turn."""
    wait = reserve_slot(url=base_url, delay=settings.MUSICBRAINZ_MIN_INTERVAL_SECONDS)
    if wait > settings.SCRAPE_MAX_SLOT_WAIT_SECONDS:
        raise _NotNow(
            f"MusicBrainz's request slots are taken for {wait:.0f} s (one request per "
            f"{settings.MUSICBRAINZ_MIN_INTERVAL_SECONDS:g} s); queued again.",
            retry_at=timezone.now() + dt.timedelta(seconds=wait),
        )
    if wait > 0:
        time.sleep(wait)


def _related_artists(
    ask: Callable[[Callable[[str], ApiResponse], str], ApiResponse],
    lookup: Callable[[str], ApiResponse],
    links: list[str],
) -> list[MbArtist]:
    """The artists MusicBrainz relates to the artist's links (a link it does not know is a 404: skipped)."""
    found: list[MbArtist] = []
    for link in links[:MAX_LINK_LOOKUPS]:
        try:
            found += parse_url_artists(ask(lookup, link).data)
        except SourceApiError as exc:
            if exc.status_code != 404:
                raise
    return found


def _scored(artist: MbArtist) -> MbArtist:
    """A related artist as an exact search hit would be (for the name test of the rule)."""
    return replace(artist, score=100)


def _venue_countries(artist: Artist) -> set[str]:
    return set(
        Venue.objects.filter(performances__billing__artist=artist)
        .exclude(country="")
        .values_list("country", flat=True)
        .distinct()
    )


def _facts(artist: MbArtist, *, rule: str, reason: str) -> dict[str, Any]:
    """What we keep of MusicBrainz (CC0 core data, and its genres)."""
    return {
        "mbid": artist.mbid,
        "name": artist.name,
        "sort_name": artist.sort_name,
        "disambiguation": artist.disambiguation,
        "type": artist.type,
        "country": artist.country,
        "area": artist.area,
        "genres": list(artist.genres[:10]),
        "links": list(artist.links),
        "rule": rule,
        "reason": reason,
    }
