"""DICE events API adapter: a `GET /v1/events` page -> `ExtractionResult`.

Pure Python (no Django). It never raises on bad input: a body that is not JSON, or an event it
cannot read, becomes a warning and the other events are still returned.

Accepted shapes: {"data": [event, ...], "links": {"next": ...}} (the API's page), a bare list of
events, or one event object. An error body ({"errors": ...}, {"message": ...}) gives an empty result
with a warning. `links.next` becomes a discovered URL of kind "listing".

Mapping decisions:
- Each event -> one performance, `source_key` "dice:event:<id>". Its venue is `venues[0]` (DICE venue
  id -> `source_key` "dice:venue:<id>") with the address and coordinates of `location`; the region is
  `location.state` (DICE's `location.region` is the county); the country is kept as given ("United
  States"); `timezone` (or `location.place`) becomes `venue.timezone`.
- `date` is a UTC instant ("2026-02-21T04:30:00Z"): converted to the wall time in the event's time zone,
  with that zone's offset (-480 in winter, -420 in summer in Seattle), EXACT. Doors come from the
  lineup entry "Doors open" ("8:00 PM"). Without a known zone the UTC wall time is kept, offset 0,
  with a warning (the entities layer converts it once it knows the venue's zone).
- Performers: `detailed_artists` in the order given (DICE's billing order, the one of the event name),
  each with its DICE id; else the plain `artists` names. Acts that appear only in the timetable
  (`lineup`) are added when the event name names them too (the timetable also holds "Doors open",
  "guests", "Show"), ordered as in the event name. Billing: DICE's `headliner` flag when any artist
  has it (the others are then support); a lone performer is the headliner; otherwise None.
- Offers: one per ticket type, at the all-in price DICE shows (`price.total`, minor units -> major),
  in the event's `currency`; availability "soldout" for a sold-out ticket type, "instock" while the
  event is on sale. `ticket_status`: "soldout" if the event is sold out, "instock" while on sale.
- Status: the flags "cancelled", "postponed" and "rescheduled" (DICE's `status` is the sale status).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from pydantic import ValidationError

from extraction.adapters.apijson import (
    MAX_DESCRIPTION_CHARS,
    NOT_JSON,
    Node,
    Warnings,
    coordinates,
    currency_code,
    event_with_id,
    http_url,
    identifier,
    json_type,
    load_json,
    number,
    text,
    unique_by_source_key,
)
from extraction.adapters.schemaorg_dates import load_zone, parse_datetime, parse_time
from extraction.schemas import (
    Billing,
    DiscoveredUrl,
    EventStatus,
    ExtractedAddress,
    ExtractedArtist,
    ExtractedOffer,
    ExtractedPerformance,
    ExtractedPerformer,
    ExtractedVenue,
    ExtractionResult,
)

EXTRACTOR_NAME = "dice"
EXTRACTOR_VERSION = "1"

MAX_IMAGES = 10

_ERROR_KEYS = ("errors", "error", "message")
# Timetable entries that are not acts.
_NOT_ACTS = frozenset(
    {
        "doors", "doors open", "show", "showtime", "music", "live music", "guests", "special guests",
        "special guest", "support", "headliner", "opener", "dj", "djs", "curfew", "tba", "tbc", "tbd",
        "more tba",
    }
)  # fmt: skip
# Flags checked in this order: a cancelled show that had been rescheduled is cancelled.
_STATUS_FLAGS = (
    ("cancelled", EventStatus.CANCELLED),
    ("canceled", EventStatus.CANCELLED),
    ("postponed", EventStatus.POSTPONED),
    ("rescheduled", EventStatus.RESCHEDULED),
)


def extract_dice(body: bytes | str, *, url: str | None = None) -> ExtractionResult:
    """Read one page of the DICE events API; bad events are skipped with a warning."""
    warnings = Warnings()
    data = load_json(body, warnings)
    events = _events(data, warnings) if data is not NOT_JSON else ()
    performances = unique_by_source_key(
        _performance(event, index, warnings) for index, event in enumerate(events)
    )
    return ExtractionResult(
        performances=performances, discovered_urls=_next_page(data, url), warnings=warnings.items
    )


# ---------------------------------------------------------------------------------------------
# Document shape


def _events(data: object, warnings: Warnings) -> Iterator[object]:
    if isinstance(data, list):
        yield from data
        return
    if not isinstance(data, dict):
        warnings.warn(f"expected an events page, got a JSON {json_type(data)}")
        return
    if isinstance(data.get("data"), list):
        yield from data["data"]
        return
    if "id" in data and "date" in data:
        yield data
        return
    error = next((data[key] for key in _ERROR_KEYS if data.get(key)), None)
    if error is not None:
        warnings.warn(f"DICE error response: {str(error)[:200]}")
    else:
        warnings.warn(f"expected an events page, got an object with keys {sorted(data)[:10]}")


def _next_page(data: object, url: str | None) -> list[DiscoveredUrl]:
    links = data.get("links") if isinstance(data, dict) else None
    following = _http(links.get("next")) if isinstance(links, dict) else None
    if following is None or following == url:
        return []
    return [DiscoveredUrl(url=following, kind="listing")]


# ---------------------------------------------------------------------------------------------
# Events


def _performance(item: object, index: int, warnings: Warnings) -> ExtractedPerformance | None:
    checked = event_with_id(item, f"item {index}", warnings, _id)
    if checked is None:
        return None
    event, event_id = checked
    label = f"event {event_id}"
    name = text(event.get("name"))
    if name is None:
        warnings.warn(f"{label}: no name; skipped")
        return None
    raw_location = event.get("location")
    location: Node = raw_location if isinstance(raw_location, dict) else {}
    zone_name = text(event.get("timezone")) or text(location.get("place"))
    zone = load_zone(zone_name)
    if zone_name and zone is None:
        warnings.warn(f"{label}: unknown time zone {zone_name[:60]!r}; UTC time kept")
    raw_date = text(event.get("date"))
    start = parse_datetime(raw_date, zone=zone) if raw_date else None
    if start is None:
        problem = f"unparseable date {raw_date[:50]!r}" if raw_date else "no date"
        warnings.warn(f"{label}: {problem}; skipped")
        return None
    lineup = _lineup(event.get("lineup"), warnings, label)
    sale_status = (text(event.get("status")) or "").casefold()
    on_sale = sale_status == "on-sale"
    sold_out = event.get("sold_out") is True or sale_status in ("sold-out", "sold_out", "soldout")
    url = _http(event.get("url")) or _http(event.get("external_url"))
    try:
        return ExtractedPerformance(
            source_key=f"dice:event:{event_id}",
            name=name,
            venue=_venue(event, location, zone_name if zone else None, warnings, label),
            performers=_performers(event, name, lineup, warnings, label),
            local_date=start.local_date,
            local_start_time=start.local_time,
            local_doors_time=_doors(lineup, warnings, label),
            utc_offset_minutes=start.utc_offset_minutes,
            time_precision=start.precision,
            status=_status(event),
            ticket_status="soldout" if sold_out else "instock" if on_sale else None,
            offers=_offers(event, url, on_sale, warnings, label),
            url=url,
            description=(_description(event.get("description")) or "")[:MAX_DESCRIPTION_CHARS] or None,
            image_urls=_images(event),
            external_ids={"dice_event": event_id},
        )
    except ValidationError as exc:
        warnings.warn(f"{label}: invalid ({exc.errors()[0]['msg']}); skipped")
        return None


def _venue(
    event: Node, location: Node, zone: str | None, warnings: Warnings, label: str
) -> ExtractedVenue | None:
    venues = event.get("venues")  # a multi-venue event is placed at its first venue
    first: Node = venues[0] if isinstance(venues, list) and venues and isinstance(venues[0], dict) else {}
    name = text(first.get("name")) or text(event.get("venue"))
    if name is None:
        warnings.warn(f"{label}: no venue name; venue left out")
        return None
    venue_id = _id(first.get("id"))
    address = ExtractedAddress(
        street=text(location.get("street")),
        locality=text(location.get("city")),
        region=text(location.get("state")),
        postal_code=text(location.get("zip")),
        country=text(location.get("country")),
    )
    latitude, longitude = coordinates(
        location.get("lat"), location.get("lng"), warnings, label, "venue coordinates"
    )
    return ExtractedVenue(
        source_key=f"dice:venue:{venue_id}" if venue_id else None,
        name=name,
        address=address if address.model_dump(exclude_none=True) else None,
        latitude=latitude,
        longitude=longitude,
        timezone=zone,
        external_ids={"dice_venue": venue_id} if venue_id else {},
    )


def _lineup(value: object, warnings: Warnings, label: str) -> list[tuple[str, str | None]]:
    """The timetable as (details, time) pairs."""
    if value is None:
        return []
    if not isinstance(value, list):
        warnings.warn(f"{label}: lineup is not a list; ignored")
        return []
    return [
        (details, text(item.get("time")))
        for item in value
        if isinstance(item, dict) and (details := text(item.get("details"))) is not None
    ]


def _doors(lineup: list[tuple[str, str | None]], warnings: Warnings, label: str) -> dt.time | None:
    for details, time in lineup:
        if details.casefold().startswith("doors") and time:
            doors = parse_time(time)
            if doors is None:
                warnings.warn(f"{label}: unparseable doors time {time[:30]!r}; ignored")
            return doors
    return None


def _performers(
    event: Node, name: str, lineup: list[tuple[str, str | None]], warnings: Warnings, label: str
) -> list[ExtractedPerformer]:
    acts: list[tuple[ExtractedArtist, bool]] = []  # (artist, flagged as headliner)
    detailed = event.get("detailed_artists")
    for item in detailed if isinstance(detailed, list) else []:
        artist = _artist(item, warnings, label)
        if artist is not None:
            acts.append((artist, isinstance(item, dict) and item.get("headliner") is True))
    if not acts:
        plain = event.get("artists")
        for item in plain if isinstance(plain, list) else []:
            if (artist_name := text(item)) is not None:
                acts.append((ExtractedArtist(name=artist_name), False))
    # Timetable-only acts, when the event name names them too, in the order of the name.
    known = {artist.name.casefold() for artist, _ in acts}
    title = name.casefold()
    extra: dict[str, str] = {}
    for details, _ in lineup:
        key = details.casefold()
        if key in title and key not in known and key not in _NOT_ACTS and not key.startswith("doors"):
            extra.setdefault(key, details)
    acts += [
        (ExtractedArtist(name=details), False)
        for details in sorted(extra.values(), key=lambda d: title.index(d.casefold()))
    ]
    unique: dict[str, tuple[ExtractedArtist, bool]] = {}
    for artist, flagged in acts:
        unique.setdefault(artist.name.casefold(), (artist, flagged))
    flagged_any = any(flagged for _, flagged in unique.values())
    performers = []
    for order, (artist, flagged) in enumerate(unique.values()):
        billing = None
        if flagged_any:
            billing = Billing.HEADLINER if flagged else Billing.SUPPORT
        elif len(unique) == 1:
            billing = Billing.HEADLINER
        performers.append(ExtractedPerformer(artist=artist, billing=billing, order=order))
    return performers


def _artist(item: object, warnings: Warnings, label: str) -> ExtractedArtist | None:
    if not isinstance(item, dict):
        warnings.warn(f"{label}: artist is not an object; ignored")
        return None
    name = text(item.get("name"))
    if name is None:
        warnings.warn(f"{label}: artist without a name; ignored")
        return None
    artist_id = _id(item.get("id"))
    return ExtractedArtist(
        source_key=f"dice:artist:{artist_id}" if artist_id else None,
        name=name,
        url=_http(item.get("url")),
        external_ids={"dice_artist": artist_id} if artist_id else {},
    )


def _offers(
    event: Node, url: str | None, on_sale: bool, warnings: Warnings, label: str
) -> list[ExtractedOffer]:
    ticket_types = event.get("ticket_types")
    if not isinstance(ticket_types, list):
        return []
    currency = currency_code(event.get("currency"))
    offers: list[ExtractedOffer] = []
    for item in ticket_types:
        if not isinstance(item, dict):
            warnings.warn(f"{label}: ticket type is not an object; ignored")
            continue
        price = item.get("price")
        total = number(price.get("total")) if isinstance(price, dict) else None
        if total is not None and total < 0:
            warnings.warn(f"{label}: negative ticket price {total}; dropped")
            total = None
        sold_out = item.get("sold_out") is True
        offer = ExtractedOffer(
            url=url,
            price=round(total / 100, 2) if total is not None else None,  # DICE prices are in cents
            currency=currency if total is not None else None,
            availability="soldout" if sold_out else "instock" if on_sale else None,
        )
        if offer not in offers:  # ticket types at one price and state are one offer here
            offers.append(offer)
    return offers


def _status(event: Node) -> EventStatus:
    flags = event.get("flags")
    words = {flag.casefold() for flag in flags if isinstance(flag, str)} if isinstance(flags, list) else set()
    words.add((text(event.get("status")) or "").casefold())
    for word, status in _STATUS_FLAGS:
        if word in words:
            return status
    return EventStatus.SCHEDULED


def _images(event: Node) -> list[str]:
    images = event.get("images")
    urls = [u for u in map(_http, images) if u] if isinstance(images, list) else []
    if not urls:  # the same picture, cropped: only when there is no original
        crops = event.get("event_images")
        if isinstance(crops, dict):
            urls = [u for key in ("landscape", "square", "portrait") if (u := _http(crops.get(key)))]
    return list(dict.fromkeys(urls))[:MAX_IMAGES]


# ---------------------------------------------------------------------------------------------
# Values


def _description(value: object) -> str | None:
    """Markdown as written, blank lines kept, trailing spaces gone."""
    if not isinstance(value, str):
        return None
    return "\n".join(line.rstrip() for line in value.strip().splitlines()) or None


# The keys of this adapter's version 1: ids of up to 64 characters, spaces and all.
def _id(value: object) -> str | None:
    return identifier(value, max_length=64, allow_spaces=True)


def _http(value: object) -> str | None:
    return http_url(value, allow_spaces=True)
