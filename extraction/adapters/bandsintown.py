"""Bandsintown API v3 adapter: an "artist events" response -> `ExtractionResult`.

Pure Python (no Django). It never raises on bad input: a body that is not JSON, or an event it
cannot read, becomes a warning and the other events are still returned.

Accepted shapes: the response of `GET /artists/{name}/events` (a JSON list of events); one event
object; a list wrapped as {"events": [...]} or {"data": [...]}; and a dump {artist name: [event, ...]}.
An error body ({"errorMessage": ...}, {"warn": ...}) gives an empty result with a warning.

Mapping decisions:
- Each event -> one performance, `source_key` "bandsintown:event:<id>", its venue embedded.
  Bandsintown venues have no IDs, so `venue.source_key` stays None (the pipeline fingerprints them);
  city, region and country are kept as given (country is a name, e.g. "United States").
- `datetime` (or `starts_at`) is the venue's wall time with no offset: `utc_offset_minutes` None.
  The time is EXACT when `datetime_display_rule` is "datetime"; "date" and "range" (a festival shown
  as a span of days) mean Bandsintown does not show a time, so DATE with no time; a rule mentioning
  "tba" gives TBA. A naive midnight is a "no time" placeholder (see `schemaorg_dates`): DATE.
- Performers follow `lineup`, in its order. Billing stays None: the API puts the requested artist
  first whatever its billing (San Holo is listed before ODESZA on ODESZA's tour, Grimes before Swedish
  House Mafia), so position says nothing about headliner or support.
- The requested artist (`artist_id`, with the `artist` object that the API embeds in the first event
  only) is matched to its lineup entry by case-insensitive name (the lineup writes "SAN HOLO" for
  "San Holo"). Its name comes from the `artist` object, the dump's key or the request URL
  (/artists/<name>/events); it is listed once in `artists` and the very same object is used as the
  performer in every event, so the record it feeds does not change from event to event.
- Offers: one per ticket link; status "available" -> "instock", "sold out" -> "soldout".
  `on_sale_datetime`, `ends_at` and the festival dates are ignored (no field in the contract).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote

from pydantic import ValidationError

from extraction.adapters.apijson import (
    MAX_DESCRIPTION_CHARS,
    NOT_JSON,
    Node,
    Warnings,
    coordinates,
    event_with_id,
    http_url,
    identifier,
    json_type,
    load_json,
    text,
    unique_by_source_key,
)
from extraction.adapters.schemaorg_dates import parse_datetime
from extraction.schemas import (
    ExtractedAddress,
    ExtractedArtist,
    ExtractedOffer,
    ExtractedPerformance,
    ExtractedPerformer,
    ExtractedVenue,
    ExtractionResult,
    TimePrecision,
)

EXTRACTOR_NAME = "bandsintown"
EXTRACTOR_VERSION = "1"

# A festival lineup can list 150 acts; an untitled event is named after the first few.
NAME_MAX_ACTS = 4

_ERROR_KEYS = ("errorMessage", "error", "errors", "message", "warn")
_ARTIST_IN_URL = re.compile(r"/artists/([^/?#]+)/events")
_AVAILABILITY = {
    "available": "instock",
    "sold out": "soldout",
    "sold_out": "soldout",
    "soldout": "soldout",
    "unavailable": "outofstock",
}


@dataclass
class _Context(Warnings):
    # The requested artist(s), by Bandsintown artist id, built once for the whole document.
    artists: dict[str, ExtractedArtist] = field(default_factory=dict)


def extract_bandsintown(body: bytes | str, *, url: str | None = None) -> ExtractionResult:
    """Read a Bandsintown API v3 artist-events response; bad events are skipped with a warning."""
    ctx = _Context()
    data = load_json(body, ctx)
    groups = list(_event_groups(data, ctx)) if data is not NOT_JSON else []
    _collect_artists(groups, url, ctx)
    performances = unique_by_source_key(
        _performance(event, f"{key!r} item {index}" if key else f"item {index}", ctx)
        for key, events in groups
        for index, event in enumerate(events)
    )
    return ExtractionResult(artists=list(ctx.artists.values()), performances=performances, warnings=ctx.items)


# ---------------------------------------------------------------------------------------------
# Document shape


def _event_groups(data: object, ctx: _Context) -> Iterator[tuple[str | None, list[object]]]:
    """(artist name if the document says it, events) for each list of events in the document."""
    if isinstance(data, list):
        yield None, data
        return
    if not isinstance(data, dict):
        ctx.warn(f"expected a list of events, got a JSON {json_type(data)}")
        return
    if "id" in data and ("datetime" in data or "venue" in data):
        yield None, [data]
        return
    for key in ("events", "data"):
        if isinstance(data.get(key), list):
            yield None, data[key]
            return
    for key in _ERROR_KEYS:  # {"errorMessage": "[NotFound] The artist was not found"}
        value = data.get(key)
        if isinstance(value, str | dict) or (key == "errors" and isinstance(value, list)):
            ctx.warn(f"Bandsintown error response: {str(value)[:200]}")
            return
    for name, events in data.items():  # a dump keyed by artist name
        if isinstance(events, list):
            yield name, events
        else:
            ctx.warn(
                f"key {name[:100]!r}: expected a list of events, got a JSON {json_type(events)}; skipped"
            )


def _collect_artists(groups: list[tuple[str | None, list[object]]], url: str | None, ctx: _Context) -> None:
    """The requested artist of each list, from the embedded `artist` objects, the dump's keys or the URL."""
    for _, events in groups:
        for event in events:  # the API embeds the full object in the first event of a list only
            if not isinstance(event, dict) or not isinstance(event.get("artist"), dict):
                continue
            obj = event["artist"]
            artist_id = _id(event.get("artist_id")) or _id(obj.get("id"))
            if artist_id and artist_id not in ctx.artists:
                artist = _artist_from_object(artist_id, obj, ctx)
                if artist is not None:
                    ctx.artists[artist_id] = artist
    url_match = _ARTIST_IN_URL.search(url or "")
    url_name = text(unquote(url_match.group(1))) if url_match else None
    if url_name is not None and url_name.startswith("id_"):
        url_name = None  # /artists/id_123/events names the artist by its id
    for key, events in groups:
        ids = {_id(event.get("artist_id")) for event in events if isinstance(event, dict)} - {None}
        name = text(key) or (url_name if len(groups) == 1 else None)
        if len(ids) == 1 and name is not None:  # the name of a list's only artist
            artist_id = ids.pop()
            if artist_id is not None and artist_id not in ctx.artists:
                ctx.artists[artist_id] = _artist_stub(artist_id, name)


def _artist_stub(artist_id: str, name: str) -> ExtractedArtist:
    return ExtractedArtist(
        source_key=f"bandsintown:artist:{artist_id}",
        name=name,
        external_ids={"bandsintown_artist": artist_id},
    )


def _artist_from_object(artist_id: str, obj: Node, ctx: _Context) -> ExtractedArtist | None:
    name = text(obj.get("name"))
    if name is None:
        ctx.warn(f"artist {artist_id}: no name in the artist object; ignored")
        return None
    external_ids = {"bandsintown_artist": artist_id}
    if mbid := text(obj.get("mbid")):
        external_ids["musicbrainz"] = mbid
    images = [u for u in (_http(obj.get("image_url")), _http(obj.get("thumb_url"))) if u]
    return ExtractedArtist(
        source_key=f"bandsintown:artist:{artist_id}",
        name=name,
        url=_http(obj.get("url")),
        external_ids=external_ids,
        image_urls=list(dict.fromkeys(images)),
    )


# ---------------------------------------------------------------------------------------------
# Events


def _performance(item: object, position: str, ctx: _Context) -> ExtractedPerformance | None:
    checked = event_with_id(item, position, ctx, _id)
    if checked is None:
        return None
    event, event_id = checked
    label = f"event {event_id}"
    when = _when(event, ctx, label)
    if when is None:
        return None
    local_date, local_time, precision = when
    venue = _venue(event.get("venue"), ctx, label)
    lineup = _lineup(event.get("lineup"), ctx, label)
    requested = ctx.artists.get(_id(event.get("artist_id")) or "")
    performers = _performers(lineup, requested)
    name = text(event.get("title")) or _lineup_name(lineup) or (requested.name if requested else None)
    name = name or (venue.name if venue else None)
    if name is None:
        ctx.warn(f"{label}: no title, lineup or venue to name it; skipped")
        return None
    offers = _offers(event.get("offers"), ctx, label)
    states = {offer.availability for offer in offers if offer.availability}
    try:
        return ExtractedPerformance(
            source_key=f"bandsintown:event:{event_id}",
            name=name,
            venue=venue,
            performers=performers,
            local_date=local_date,
            local_start_time=local_time,
            utc_offset_minutes=None,  # Bandsintown writes the venue's wall time without an offset
            time_precision=precision,
            ticket_status=states.pop() if len(states) == 1 else None,
            offers=offers,
            url=_http(event.get("url")),
            description=(text(event.get("description")) or "")[:MAX_DESCRIPTION_CHARS] or None,
            external_ids={"bandsintown_event": event_id},
        )
    except ValidationError as exc:
        ctx.warn(f"{label}: invalid ({exc.errors()[0]['msg']}); skipped")
        return None


def _when(event: Node, ctx: _Context, label: str) -> tuple[dt.date, dt.time | None, TimePrecision] | None:
    raw = text(event.get("datetime")) or text(event.get("starts_at"))
    parsed = parse_datetime(raw) if raw else None
    if parsed is None:
        problem = f"unparseable datetime {raw[:50]!r}" if raw else "no datetime"
        ctx.warn(f"{label}: {problem}; skipped")
        return None
    rule = (text(event.get("datetime_display_rule")) or "datetime").casefold()
    if "tba" in rule:
        return parsed.local_date, None, TimePrecision.TBA
    if rule in ("date", "range") or parsed.local_time is None:
        return parsed.local_date, None, TimePrecision.DATE
    return parsed.local_date, parsed.local_time, parsed.precision


def _venue(value: object, ctx: _Context, label: str) -> ExtractedVenue | None:
    if not isinstance(value, dict):
        if value is not None:
            ctx.warn(f"{label}: venue is not an object; left out")
        return None
    name = text(value.get("name"))
    if name is None:
        ctx.warn(f"{label}: venue without a name; left out")
        return None
    address = ExtractedAddress(
        street=text(value.get("street_address")),
        locality=text(value.get("city")),
        region=text(value.get("region")),
        postal_code=text(value.get("postal_code")),
        country=text(value.get("country")),
    )
    latitude, longitude = coordinates(
        value.get("latitude"), value.get("longitude"), ctx, label, "venue coordinates"
    )
    return ExtractedVenue(
        name=name,
        address=address if address.model_dump(exclude_none=True) else None,
        latitude=latitude,
        longitude=longitude,
    )


def _lineup(value: object, ctx: _Context, label: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        ctx.warn(f"{label}: lineup is not a list; ignored")
        return []
    names: list[str] = []
    seen: set[str] = set()
    for item in value:
        name = text(item)
        if name is not None and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


def _performers(lineup: list[str], requested: ExtractedArtist | None) -> list[ExtractedPerformer]:
    """The lineup in order, the requested artist's entry replaced by its full record."""
    key = requested.name.casefold() if requested else None
    artists = [
        requested if requested and name.casefold() == key else ExtractedArtist(name=name) for name in lineup
    ]
    if requested is not None and requested not in artists:
        artists.append(requested)  # the list is this artist's own events: it plays even if unlisted
    return [ExtractedPerformer(artist=artist, order=order) for order, artist in enumerate(artists)]


def _lineup_name(lineup: list[str]) -> str | None:
    if not lineup:
        return None
    if len(lineup) <= NAME_MAX_ACTS:
        return ", ".join(lineup)
    return f"{', '.join(lineup[: NAME_MAX_ACTS - 1])} + {len(lineup) - NAME_MAX_ACTS + 1} more"


def _offers(value: object, ctx: _Context, label: str) -> list[ExtractedOffer]:
    if not isinstance(value, list):
        if value is not None:
            ctx.warn(f"{label}: offers is not a list; ignored")
        return []
    offers: list[ExtractedOffer] = []
    for item in value:
        if not isinstance(item, dict):
            ctx.warn(f"{label}: offer is not an object; ignored")
            continue
        status = (text(item.get("status")) or "").casefold()
        offer = ExtractedOffer(url=_http(item.get("url")), availability=_AVAILABILITY.get(status))
        if status and status not in _AVAILABILITY:
            ctx.warn(f"{label}: unknown offer status {status[:40]!r}; availability left unknown")
        if offer.url is not None and offer not in offers:
            offers.append(offer)
    return offers


# ---------------------------------------------------------------------------------------------
# Values


# The keys of this adapter's version 1: ids of up to 64 characters, spaces and all.
def _id(value: object) -> str | None:
    return identifier(value, max_length=64, allow_spaces=True)


def _http(value: object) -> str | None:
    return http_url(value, allow_spaces=True)
