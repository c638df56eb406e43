"""Eventbrite API v3 adapter: events (with the `venue` expansion) -> `ExtractionResult`.

Pure Python (no Django). It never raises on bad input: a body that is not JSON, an error response or
an event it cannot read becomes a warning, and the other events are still returned.

Accepted shapes: a page of events ({"pagination": {...}, "events": [...]}, as
`GET /v3/organizations/{id}/events/?expand=venue` and `/v3/venues/{id}/events/` return it), a bare list
of events, or one event. {"error", "error_description"} gives an empty result with a warning. A page
with `pagination.has_more_items` and a `continuation` token becomes a discovered URL of kind "listing"
(the request URL with `continuation=<token>`), when the request URL is known.

Mapping decisions:
- Each event -> one performance, `source_key` "eventbrite:event:<id>", `external_ids
  {"eventbrite": id}`; the name is `name.text` (else `name.html` with entities decoded).
- `start.local` is the venue's wall time, always with a time (Eventbrite has no date-only events), so
  EXACT even at midnight; `start.utc` gives the UTC offset; `start.timezone` the venue's zone.
- The venue comes from the `venue` expansion (`source_key` "eventbrite:venue:<id>", `external_ids
  {"eventbrite": id}`, address_1/address_2, city, region, postal code, country, coordinates). An event
  whose `venue` is null but whose `venue_id` another event of the page expanded gets that venue; an
  online event (`online_event`) has none.
- Status "canceled" -> cancelled; every other status (live, started, ended, completed) -> scheduled;
  drafts are skipped. `is_free` gives a price-0 offer; the `ticket_availability` expansion, when asked
  for, gives the price range and "soldout".
- No performers: Eventbrite has no lineup field.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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
    number,
    offset_minutes,
    text,
    unique_by_source_key,
    utc_instant,
)
from extraction.adapters.schemaorg_dates import load_zone
from extraction.schemas import (
    DiscoveredUrl,
    EventStatus,
    ExtractedAddress,
    ExtractedOffer,
    ExtractedPerformance,
    ExtractedVenue,
    ExtractionResult,
    TimePrecision,
)

EXTRACTOR_NAME = "eventbrite"
EXTRACTOR_VERSION = "1"

MAX_EVENTS = 1_000


def extract_eventbrite(
    body: bytes | str, *, url: str | None = None, default_timezone: str | None = None
) -> ExtractionResult:
    """Read one Eventbrite events response; bad events are skipped with a warning."""
    warnings = Warnings()
    data = load_json(body, warnings)
    events = _events(data, warnings) if data is not NOT_JSON else []
    venues_by_id: dict[str, ExtractedVenue] = {}
    for event in events:  # the expansion of one event serves the others at the same venue
        raw = node(event).get("venue")
        venue = _venue(raw, warnings) if isinstance(raw, dict) else None
        if venue is not None and venue.external_ids.get("eventbrite"):
            venues_by_id.setdefault(venue.external_ids["eventbrite"], venue)
    performances = unique_by_source_key(
        _performance(event, index, venues_by_id, default_timezone, warnings)
        for index, event in enumerate(events)
    )
    return ExtractionResult(
        performances=performances, discovered_urls=_next_page(data, url), warnings=warnings.items
    )


def _events(data: object, warnings: Warnings) -> list[object]:
    if isinstance(data, list):
        return data[:MAX_EVENTS]
    if not isinstance(data, dict):
        warnings.warn(f"expected an Eventbrite response, got a JSON {json_type(data)}")
        return []
    if data.get("error") is not None:
        message = " ".join(p for p in (text(data.get("error")), text(data.get("error_description"))) if p)
        warnings.warn(f"Eventbrite error response: {message or 'no details'}")
        return []
    if "events" in data:
        items = data["events"]
        return items[:MAX_EVENTS] if isinstance(items, list) else []
    if "id" in data and "start" in data:
        return [data]
    warnings.warn(f"expected an Eventbrite response, got an object with keys {sorted(data)[:10]}")
    return []


def _next_page(data: object, url: str | None) -> list[DiscoveredUrl]:
    token = text(dig(data, "pagination", "continuation"))
    if url is None or token is None or dig(data, "pagination", "has_more_items") is not True:
        return []
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != "continuation"]
    following = urlunsplit(parts._replace(query=urlencode([*query, ("continuation", token)])))
    return [DiscoveredUrl(url=following, kind="listing")]


def _performance(
    item: object,
    index: int,
    venues_by_id: dict[str, ExtractedVenue],
    default_timezone: str | None,
    warnings: Warnings,
) -> ExtractedPerformance | None:
    checked = event_with_id(item, f"item {index}", warnings)
    if checked is None:
        return None
    event, event_id = checked
    label = f"event {event_id}"
    name = text(dig(event, "name", "text")) or html_text(dig(event, "name", "html"))
    if name is None:
        warnings.warn(f"{label}: no name; skipped")
        return None
    status = (text(event.get("status")) or "").casefold()
    if status == "draft":
        warnings.warn(f"{label}: a draft; skipped")
        return None
    start = node(event.get("start"))
    local = _local(start.get("local"))
    if local is None:
        warnings.warn(f"{label}: no usable start.local ({text(start.get('local'))!r}); skipped")
        return None
    zone_name = text(start.get("timezone")) or default_timezone
    if zone_name and load_zone(zone_name) is None:
        warnings.warn(f"{label}: unknown time zone {zone_name[:60]!r}")
        zone_name = None
    instant = utc_instant(start.get("utc"))
    offset = offset_minutes(local, instant) if instant is not None else None
    venue = _event_venue(event, venues_by_id, zone_name, warnings, label)
    url = http_url(event.get("url"))
    offers = _offers(event, url)
    try:
        return ExtractedPerformance(
            source_key=f"eventbrite:event:{event_id}",
            name=name,
            venue=venue,
            local_date=local.date(),
            local_start_time=local.time(),
            utc_offset_minutes=offset,
            time_precision=TimePrecision.EXACT,
            status=EventStatus.CANCELLED if status in ("canceled", "cancelled") else EventStatus.SCHEDULED,
            ticket_status=_ticket_status(event),
            offers=offers,
            url=url,
            description=(text(dig(event, "description", "text")) or "")[:MAX_DESCRIPTION_CHARS] or None,
            image_urls=[link for link in (http_url(dig(event, "logo", "original", "url")),) if link]
            or [link for link in (http_url(dig(event, "logo", "url")),) if link],
            external_ids={"eventbrite": event_id},
        )
    except ValidationError as exc:
        warnings.warn(f"{label}: invalid ({exc.errors()[0]['msg']}); skipped")
        return None


def _local(value: object) -> dt.datetime | None:
    raw = text(value)
    if raw is None:
        return None
    try:
        local = dt.datetime.fromisoformat(raw)
    except ValueError:
        return None
    return local.replace(tzinfo=None)


def _event_venue(
    event: Node,
    venues_by_id: dict[str, ExtractedVenue],
    zone_name: str | None,
    warnings: Warnings,
    label: str,
) -> ExtractedVenue | None:
    raw = event.get("venue")
    venue = _venue(raw, warnings) if isinstance(raw, dict) else None
    if venue is None:
        venue_id = identifier(event.get("venue_id"))
        venue = venues_by_id.get(venue_id) if venue_id else None
        if venue is None and event.get("online_event") is not True:
            warnings.warn(f"{label}: no venue (not expanded, and no other event names venue {venue_id!r})")
    if venue is not None and venue.timezone is None and zone_name:
        venue = venue.model_copy(update={"timezone": zone_name})
    return venue


def _venue(item: Node, warnings: Warnings) -> ExtractedVenue | None:
    venue_id = identifier(item.get("id"))
    name = html_text(item.get("name"))
    if name is None:
        warnings.warn(f"venue {venue_id or '?'}: no name; skipped")
        return None
    raw_address = node(item.get("address"))
    lines = [text(raw_address.get(key)) for key in ("address_1", "address_2")]
    address = ExtractedAddress(
        street=", ".join(line for line in lines if line) or None,
        locality=text(raw_address.get("city")),
        region=text(raw_address.get("region")),
        postal_code=text(raw_address.get("postal_code")),
        country=country_code(raw_address.get("country")),
    )
    latitude, longitude = coordinates(
        item.get("latitude") or raw_address.get("latitude"),
        item.get("longitude") or raw_address.get("longitude"),
        warnings,
        f"venue {venue_id or name!r}",
    )
    try:
        return ExtractedVenue(
            source_key=f"eventbrite:venue:{venue_id}" if venue_id else None,
            name=name,
            address=address if address.model_dump(exclude_none=True) else None,
            latitude=latitude,
            longitude=longitude,
            capacity=_capacity(item.get("capacity")),
            external_ids={"eventbrite": venue_id} if venue_id else {},
        )
    except ValidationError as exc:
        warnings.warn(f"venue {venue_id or name!r}: invalid ({exc.errors()[0]['msg']}); skipped")
        return None


def _capacity(value: object) -> int | None:
    capacity = number(value)
    return int(capacity) if capacity is not None and capacity.is_integer() and capacity >= 0 else None


def _offers(event: Node, url: str | None) -> list[ExtractedOffer]:
    availability = node(event.get("ticket_availability"))
    low = _money(availability.get("minimum_ticket_price"))
    high = _money(availability.get("maximum_ticket_price"))
    sold_out = availability.get("is_sold_out") is True
    if low is not None or high is not None:
        currency = low[1] if low else high[1] if high else None
        return [
            ExtractedOffer(
                url=url,
                min_price=low[0] if low else None,
                max_price=high[0] if high else None,
                currency=currency,
                availability="soldout" if sold_out else None,
            )
        ]
    if event.get("is_free") is True:
        return [ExtractedOffer(url=url, price=0.0, availability="soldout" if sold_out else None)]
    return []


def _money(value: object) -> tuple[float, str | None] | None:
    """Eventbrite's {"major_value": "25.00", "currency": "USD"} (or "value" in minor units)."""
    money = node(value)
    amount = number(money.get("major_value"))
    if amount is None and number(money.get("value")) is not None:
        amount = (number(money.get("value")) or 0) / 100
    if amount is None or amount < 0:
        return None
    return amount, currency_code(money.get("currency"))


def _ticket_status(event: Node) -> str | None:
    if dig(event, "ticket_availability", "is_sold_out") is True:
        return "soldout"
    return None
