"""Ticketmaster Discovery API v2 adapter: events, venues and attractions -> `ExtractionResult`.

Pure Python (no Django). It never raises on bad input: a body that is not JSON, an error response or
an item it cannot read becomes a warning, and the other items are still returned.

Accepted shapes: an event, venue or attraction (`GET /discovery/v2/{events|venues|attractions}/{id}`),
a search page ({"_embedded": {"events"|"venues"|"attractions": [...]}, "page", "_links"}; an empty
search has no `_embedded`), or a bare list of events. Errors ({"fault": ...} from the gateway,
{"errors": [...]} from the API) give an empty result with a warning. A search page's `_links.next`
becomes a discovered URL of kind "listing" (its URI template "{&sort}" removed; the client adds the key).

Mapping decisions:
- Event -> performance, `source_key` "ticketmaster:event:<id>", `external_ids {"ticketmaster": id}`.
  `dates.start.localDate` and `localTime` are the venue's wall time. Precision: `timeTBA` -> TBA,
  `noSpecificTime` (or no `localTime`) -> DATE, else EXACT. `dateTBA`/`dateTBD` mean the date itself is
  unknown (the localDate is a placeholder): such an event is skipped with a warning. The UTC offset is
  the difference between the local time and `dates.start.dateTime` (UTC), else the offset of
  `dates.timezone` on that date. Doors: `dates.access.startDateTime` in the event's zone.
- `dates.status.code`: onsale/offsale -> scheduled (onsale also sets `ticket_status` "instock"),
  cancelled/canceled -> cancelled, postponed -> postponed, rescheduled -> rescheduled. The API gives no
  previous date for a rescheduled event.
- `priceRanges` -> offers (min/max price and currency, one per range type: "standard", "standard
  including fees"...), each with the event's URL.
- `_embedded.venues[0]` -> the venue, `source_key` "ticketmaster:venue:<id>", `external_ids
  {"ticketmaster": id}`, with address line(s), city, state code, postal code, country code,
  coordinates and `timezone`. The venue's `url` is Ticketmaster's page, not its website: not kept.
- `_embedded.attractions` -> performers in the order given (Ticketmaster lists the headliner first,
  but says nothing of billing: a lone attraction is the headliner, otherwise billing stays None).
  Each artist: `source_key` "ticketmaster:attraction:<id>", `external_ids {"ticketmaster": id}` plus
  MusicBrainz and Spotify ids and Last.fm/Wikipedia pages from `externalLinks`; `url` is the
  `homepage` link when there is one; genres are the classification's genre and sub-genre (not
  "Undefined").
- Images: the widest non-fallback images, at most three.
- Events of any segment are kept (Sports, Arts & Theatre...): the client's query decides what to ask for.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urljoin

from pydantic import ValidationError

from extraction.adapters.apijson import (
    MAX_DESCRIPTION_CHARS,
    NOT_JSON,
    Node,
    Warnings,
    coordinates,
    country_code,
    currency_code,
    dig,
    event_with_id,
    html_text,
    http_url,
    identifier,
    json_type,
    load_json,
    node,
    nodes,
    number,
    offset_minutes,
    text,
    unique_by_source_key,
    utc_instant,
)
from extraction.adapters.schemaorg_dates import load_zone
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
    TimePrecision,
)

EXTRACTOR_NAME = "ticketmaster"
EXTRACTOR_VERSION = "1"

API_BASE_URL = "https://app.ticketmaster.com"
MAX_ITEMS = 1_000
MAX_IMAGES = 3

_STATUSES = {
    "onsale": EventStatus.SCHEDULED,
    "offsale": EventStatus.SCHEDULED,
    "cancelled": EventStatus.CANCELLED,
    "canceled": EventStatus.CANCELLED,
    "postponed": EventStatus.POSTPONED,
    "rescheduled": EventStatus.RESCHEDULED,
}
_TEMPLATE_RE = re.compile(r"\{[^}]*\}")
_SPOTIFY_ARTIST_RE = re.compile(r"/artist/([A-Za-z0-9]+)")
_LOCAL_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def extract_ticketmaster(
    body: bytes | str, *, url: str | None = None, default_timezone: str | None = None
) -> ExtractionResult:
    """Read one Discovery v2 response; bad items are skipped with a warning."""
    warnings = Warnings()
    data = load_json(body, warnings)
    performances: list[ExtractedPerformance] = []
    venues: list[ExtractedVenue] = []
    artists: list[ExtractedArtist] = []
    if data is not NOT_JSON:
        events, venue_items, attraction_items = _items(data, warnings)
        performances = unique_by_source_key(
            _performance(event, index, default_timezone, warnings) for index, event in enumerate(events)
        )
        venues = [v for v in (_venue(item, warnings) for item in venue_items) if v is not None]
        artists = [a for a in (_artist(item, warnings) for item in attraction_items) if a is not None]
    return ExtractionResult(
        venues=venues,
        artists=artists,
        performances=performances,
        discovered_urls=_next_page(data, url),
        warnings=warnings.items,
    )


# ---------------------------------------------------------------------------------------------
# Document shape


def _items(data: object, warnings: Warnings) -> tuple[list[object], list[object], list[object]]:
    """(events, venues, attractions) of a response."""
    if isinstance(data, list):
        return data[:MAX_ITEMS], [], []
    if not isinstance(data, dict):
        warnings.warn(f"expected a Discovery response, got a JSON {json_type(data)}")
        return [], [], []
    error = _error(data)
    if error is not None:
        warnings.warn(f"Ticketmaster error response: {error}")
        return [], [], []
    embedded = data.get("_embedded")
    kind = text(data.get("type"))
    if "page" in data or (isinstance(embedded, dict) and kind is None):  # a search page
        listed = node(embedded)
        return _list(listed.get("events")), _list(listed.get("venues")), _list(listed.get("attractions"))
    if kind == "event" or "dates" in data:
        return [data], [], []
    if kind == "venue":
        return [], [data], []
    if kind == "attraction":
        return [], [], [data]
    warnings.warn(f"expected a Discovery response, got an object with keys {sorted(data)[:10]}")
    return [], [], []


def _list(value: object) -> list[object]:
    return value[:MAX_ITEMS] if isinstance(value, list) else []


def _error(data: Node) -> str | None:
    fault = data.get("fault")
    if isinstance(fault, dict):
        code = text(dig(fault, "detail", "errorcode"))
        return " ".join(part for part in (code, text(fault.get("faultstring"))) if part) or "fault"
    errors = data.get("errors")
    if isinstance(errors, list) and errors:
        messages = [
            " ".join(part for part in (text(e.get("code")), text(e.get("detail"))) if part)
            for e in nodes(errors)
        ]
        return "; ".join(m for m in messages if m) or "errors"
    return None


def _next_page(data: object, url: str | None) -> list[DiscoveredUrl]:
    href = text(dig(data, "_links", "next", "href"))
    if href is None:
        return []
    following = http_url(_TEMPLATE_RE.sub("", href), urljoin(url or API_BASE_URL, "/"))
    if following is None or following == url:
        return []
    return [DiscoveredUrl(url=following, kind="listing")]


# ---------------------------------------------------------------------------------------------
# Events


def _performance(
    item: object, index: int, default_timezone: str | None, warnings: Warnings
) -> ExtractedPerformance | None:
    checked = event_with_id(item, f"item {index}", warnings)
    if checked is None:
        return None
    event, event_id = checked
    label = f"event {event_id}"
    name = html_text(event.get("name"))
    if name is None:
        warnings.warn(f"{label}: no name; skipped")
        return None
    dates = node(event.get("dates"))
    start = node(dates.get("start"))
    if start.get("dateTBA") is True or start.get("dateTBD") is True:
        warnings.warn(f"{label}: date to be announced; skipped")
        return None
    local_date = _date(start.get("localDate"))
    if local_date is None:
        warnings.warn(f"{label}: no usable localDate ({text(start.get('localDate'))!r}); skipped")
        return None
    embedded = node(event.get("_embedded"))
    venue_items = nodes(embedded.get("venues"))
    venue = _venue(venue_items[0], warnings) if venue_items else None
    zone_name = text(dates.get("timezone")) or (venue.timezone if venue else None) or default_timezone
    zone = load_zone(zone_name)
    local_time, precision = _start_time(start, label, warnings)
    offset = None
    if local_time is not None:
        offset = _offset(dt.datetime.combine(local_date, local_time), start.get("dateTime"), zone)
    status_code = (text(dig(dates, "status", "code")) or "").casefold()
    if status_code and status_code not in _STATUSES:
        warnings.warn(f"{label}: unknown status {status_code!r}; taken as scheduled")
    url = http_url(event.get("url"))
    try:
        return ExtractedPerformance(
            source_key=f"ticketmaster:event:{event_id}",
            name=name,
            venue=venue,
            performers=_performers(nodes(embedded.get("attractions")), warnings),
            local_date=local_date,
            local_start_time=local_time,
            local_doors_time=_doors(dates, zone),
            utc_offset_minutes=offset,
            time_precision=precision,
            status=_STATUSES.get(status_code, EventStatus.SCHEDULED),
            ticket_status="instock" if status_code == "onsale" else None,
            offers=_offers(event, url, warnings, label),
            url=url,
            description=_description(event),
            image_urls=_images(event.get("images")),
            external_ids={"ticketmaster": event_id},
        )
    except ValidationError as exc:
        warnings.warn(f"{label}: invalid ({exc.errors()[0]['msg']}); skipped")
        return None


def _date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text(value) or "")
    except ValueError:
        return None


def _start_time(start: Node, label: str, warnings: Warnings) -> tuple[dt.time | None, TimePrecision]:
    if start.get("timeTBA") is True:
        return None, TimePrecision.TBA
    if start.get("noSpecificTime") is True:
        return None, TimePrecision.DATE
    raw = text(start.get("localTime"))
    if raw is None:
        return None, TimePrecision.DATE
    match = _LOCAL_TIME_RE.match(raw)
    try:
        if match is None:
            raise ValueError(raw)
        clock = dt.time(int(match[1]), int(match[2]), int(match[3] or 0))
    except ValueError:
        warnings.warn(f"{label}: unparseable localTime {raw[:20]!r}; date only")
        return None, TimePrecision.DATE
    return clock, TimePrecision.EXACT


def _offset(local: dt.datetime, utc_value: object, zone: dt.tzinfo | None) -> int | None:
    instant = utc_instant(utc_value)
    if instant is not None:
        minutes = offset_minutes(local, instant)
        if minutes is not None:
            return minutes
    if zone is None:
        return None
    delta = local.replace(tzinfo=zone).utcoffset()
    return int(delta.total_seconds()) // 60 if delta is not None else None


def _doors(dates: Node, zone: dt.tzinfo | None) -> dt.time | None:
    instant = utc_instant(dig(dates, "access", "startDateTime"))
    if instant is None or zone is None:
        return None
    return instant.astimezone(zone).time().replace(tzinfo=None)


def _offers(event: Node, url: str | None, warnings: Warnings, label: str) -> list[ExtractedOffer]:
    offers: list[ExtractedOffer] = []
    for item in nodes(event.get("priceRanges")):
        low, high = number(item.get("min")), number(item.get("max"))
        if (low is not None and low < 0) or (high is not None and high < 0):
            warnings.warn(f"{label}: negative price range; dropped")
            continue
        offer = ExtractedOffer(
            url=url, min_price=low, max_price=high, currency=currency_code(item.get("currency"))
        )
        if offer not in offers:
            offers.append(offer)
    return offers


def _description(event: Node) -> str | None:
    parts = [text(event.get(key)) for key in ("description", "info", "pleaseNote")]
    joined = "\n".join(part for part in parts if part)
    return joined[:MAX_DESCRIPTION_CHARS] or None


def _images(value: object) -> list[str]:
    images = [image for image in nodes(value) if image.get("fallback") is not True]
    images.sort(key=lambda image: -(number(image.get("width")) or 0))
    urls = [link for link in (http_url(image.get("url")) for image in images) if link]
    return list(dict.fromkeys(urls))[:MAX_IMAGES]


# ---------------------------------------------------------------------------------------------
# Venues and attractions


def _venue(item: object, warnings: Warnings) -> ExtractedVenue | None:
    if not isinstance(item, dict):
        warnings.warn(f"venue: expected an object, got a JSON {json_type(item)}; skipped")
        return None
    venue_id = identifier(item.get("id"))
    name = html_text(item.get("name"))
    if name is None:
        warnings.warn(f"venue {venue_id or '?'}: no name; skipped")
        return None
    label = f"venue {venue_id or name!r}"
    lines = [text(dig(item, "address", key)) for key in ("line1", "line2", "line3")]
    address = ExtractedAddress(
        street=", ".join(line for line in lines if line) or None,
        locality=text(dig(item, "city", "name")),
        region=text(dig(item, "state", "stateCode")) or text(dig(item, "state", "name")),
        postal_code=text(item.get("postalCode")),
        country=country_code(dig(item, "country", "countryCode")) or text(dig(item, "country", "name")),
    )
    location = node(item.get("location"))
    latitude, longitude = coordinates(location.get("latitude"), location.get("longitude"), warnings, label)
    zone = text(item.get("timezone"))
    if zone and load_zone(zone) is None:
        warnings.warn(f"{label}: unknown time zone {zone[:60]!r}; dropped")
        zone = None
    try:
        return ExtractedVenue(
            source_key=f"ticketmaster:venue:{venue_id}" if venue_id else None,
            name=name,
            address=address if address.model_dump(exclude_none=True) else None,
            latitude=latitude,
            longitude=longitude,
            timezone=zone,
            external_ids={"ticketmaster": venue_id} if venue_id else {},
            image_urls=_images(item.get("images")),
        )
    except ValidationError as exc:
        warnings.warn(f"{label}: invalid ({exc.errors()[0]['msg']}); skipped")
        return None


def _performers(items: list[Node], warnings: Warnings) -> list[ExtractedPerformer]:
    artists: dict[str, ExtractedArtist] = {}
    for item in items:
        artist = _artist(item, warnings)
        if artist is not None:
            artists.setdefault(artist.name.casefold(), artist)
    lone = len(artists) == 1
    return [
        ExtractedPerformer(artist=artist, billing=Billing.HEADLINER if lone else None, order=order)
        for order, artist in enumerate(artists.values())
    ]


def _artist(item: object, warnings: Warnings) -> ExtractedArtist | None:
    if not isinstance(item, dict):
        warnings.warn(f"attraction: expected an object, got a JSON {json_type(item)}; skipped")
        return None
    attraction_id = identifier(item.get("id"))
    name = html_text(item.get("name"))
    if name is None:
        warnings.warn(f"attraction {attraction_id or '?'}: no name; skipped")
        return None
    links = node(item.get("externalLinks"))
    external_ids = {"ticketmaster": attraction_id} if attraction_id else {}
    external_ids.update(_link_ids(links))
    homepage = next((link for link in map(_link_url, nodes(links.get("homepage"))) if link), None)
    try:
        return ExtractedArtist(
            source_key=f"ticketmaster:attraction:{attraction_id}" if attraction_id else None,
            name=name,
            url=homepage,
            genres=_genres(item.get("classifications")),
            external_ids=external_ids,
            image_urls=_images(item.get("images")),
        )
    except ValidationError as exc:
        warnings.warn(f"attraction {attraction_id or name!r}: invalid ({exc.errors()[0]['msg']}); skipped")
        return None


def _link_url(link: Node) -> str | None:
    return http_url(link.get("url"))


def _link_ids(links: Node) -> dict[str, str]:
    ids: dict[str, str] = {}
    musicbrainz = next((identifier(link.get("id")) for link in nodes(links.get("musicbrainz"))), None)
    if musicbrainz:
        ids["musicbrainz"] = musicbrainz
    for link in nodes(links.get("spotify")):
        match = _SPOTIFY_ARTIST_RE.search(_link_url(link) or "")
        if match:
            ids["spotify"] = match.group(1)
            break
    for scheme, key in (("lastfm", "lastfm"), ("wikipedia", "wiki")):
        page = next((u for u in map(_link_url, nodes(links.get(key))) if u), None)
        if page:
            ids[scheme] = page
    return ids


def _genres(value: object) -> list[str]:
    genres: list[str] = []
    for classification in nodes(value):
        for key in ("genre", "subGenre"):
            genre = text(dig(classification, key, "name"))
            if genre and genre.casefold() != "undefined" and genre not in genres:
                genres.append(genre)
    return genres
