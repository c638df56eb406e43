"""WordPress' The Events Calendar (the "tribe" plugin) REST API, `/wp-json/tribe/events/v1/events`
-> `ExtractionResult`.

Pure Python (no Django); nothing raises on bad input. A page of the API is `{"events": [...],
"next_rest_url", "total", "total_pages"}`; each event gives its local `start_date` ("2026-03-06
20:00:00") with its `timezone` and `utc_start_date`, so the wall time is the venue's and the offset is
their difference; `all_day` events are date-only. `venue` is an object (or an empty list), `cost_details`
the prices, `website` the ticket link. The next page's URL is discovered as a feed, so that the
pipeline fetches it as a URL of its own, politely. The plugin's organisers are promoters, not acts:
no performers are claimed.
"""

from __future__ import annotations

import datetime as dt

from extraction.adapters.apijson import (
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
    load_json,
    node,
    number,
    offset_minutes,
    text,
    unique_by_source_key,
)
from extraction.adapters.text import plain_text
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

EXTRACTOR_NAME = "tribe_events"
EXTRACTOR_VERSION = "1"
_STATUSES = {
    "canceled": EventStatus.CANCELLED,
    "cancelled": EventStatus.CANCELLED,
    "postponed": EventStatus.POSTPONED,
    "rescheduled": EventStatus.RESCHEDULED,
    "moved_online": EventStatus.MOVED_ONLINE,
}


def looks_like_tribe(body: bytes) -> bool:
    """Whether a JSON body is a page of The Events Calendar's REST API."""
    return b'"events"' in body[:200] and b"/tribe/events/v1/" in body


def extract_tribe_events(body: bytes | str, *, url: str | None = None) -> ExtractionResult:
    """Read one page of The Events Calendar's events endpoint."""
    warnings = Warnings()
    data = load_json(body, warnings)
    if data is NOT_JSON:
        return ExtractionResult(warnings=warnings.items)
    events = dig(data, "events")
    if not isinstance(events, list):
        warnings.warn('expected The Events Calendar\'s events page ({"events": [...]})')
        return ExtractionResult(warnings=warnings.items)
    performances = unique_by_source_key(
        _performance(item, index, url, warnings) for index, item in enumerate(events)
    )
    following = http_url(dig(data, "next_rest_url"), url)
    urls = [DiscoveredUrl(url=following, kind="feed")] if following and following != url else []
    return ExtractionResult(performances=performances, discovered_urls=urls, warnings=warnings.items)


def _performance(
    item: object, index: int, url: str | None, warnings: Warnings
) -> ExtractedPerformance | None:
    checked = event_with_id(item, f"event {index}", warnings)
    if checked is None:
        return None
    event, event_id = checked
    name = html_text(event.get("title"))
    label = f"event {event_id}"
    if name is None:
        warnings.warn(f"{label}: no title; skipped")
        return None
    start = _local(event.get("start_date"))
    if start is None:
        warnings.warn(f"{label}: unparseable start_date {event.get('start_date')!r}; skipped")
        return None
    all_day = event.get("all_day") is True
    utc = _local(event.get("utc_start_date"))
    offset = None if all_day or utc is None else offset_minutes(start, utc.replace(tzinfo=dt.UTC))
    page = http_url(event.get("url"), url)
    status = _STATUSES.get((text(event.get("event_status")) or "").casefold(), EventStatus.SCHEDULED)
    try:
        return ExtractedPerformance(
            source_key=page or f"tribe:{event_id}",
            name=name,
            venue=_venue(node(event.get("venue")), url, warnings, label),
            local_date=start.date(),
            local_start_time=None if all_day else start.time(),
            utc_offset_minutes=offset,
            time_precision=TimePrecision.DATE if all_day else TimePrecision.EXACT,
            status=status,
            offers=_offers(event, url),
            url=page,
            description=plain_text(event.get("description")) if event.get("description") else None,
            image_urls=[image] if (image := http_url(dig(event, "image", "url"), url)) else [],
        )
    except ValueError as exc:
        warnings.warn(f"{label}: {str(exc).splitlines()[0]}; skipped")
        return None


def _local(value: object) -> dt.datetime | None:
    result = text(value)
    if result is None:
        return None
    try:
        return dt.datetime.fromisoformat(result.replace(" ", "T")).replace(tzinfo=None)  # a wall time
    except ValueError:
        return None


def _venue(venue: Node, url: str | None, warnings: Warnings, label: str) -> ExtractedVenue | None:
    name = html_text(venue.get("venue"))
    if name is None:
        return None
    latitude, longitude = coordinates(venue.get("geo_lat"), venue.get("geo_lng"), warnings, label)
    parts = {
        "street": html_text(venue.get("address")),
        "locality": html_text(venue.get("city")),
        "region": html_text(venue.get("stateprovince") or venue.get("state") or venue.get("province")),
        "postal_code": text(venue.get("zip")),
        "country": country_code(venue.get("country")),
    }
    page = http_url(venue.get("url"), url)
    return ExtractedVenue(
        source_key=page or (f"tribe-venue:{venue['id']}" if venue.get("id") else None),
        name=name,
        address=ExtractedAddress(**parts) if any(parts.values()) else None,
        latitude=latitude,
        longitude=longitude,
        phone=text(venue.get("phone")),
        website=http_url(venue.get("website"), url),
    )


def _offers(event: Node, url: str | None) -> list[ExtractedOffer]:
    details = node(event.get("cost_details"))
    values = details.get("values")
    prices = [
        p
        for p in (number(v) for v in (values if isinstance(values, list) else []))
        if p is not None and p >= 0
    ]
    cost = text(event.get("cost")) or ""
    if not prices and cost.casefold() == "free":
        prices = [0.0]
    ticket = http_url(event.get("website"), url)
    if not prices and ticket is None:
        return []
    currency = currency_code(details.get("currency_code")) or (
        "EUR"
        if details.get("currency_symbol") == "€"
        else "GBP"
        if details.get("currency_symbol") == "£"
        else None
    )
    return [
        ExtractedOffer(
            url=ticket,
            price=prices[0] if len(prices) == 1 else None,
            min_price=min(prices) if len(prices) > 1 else None,
            max_price=max(prices) if len(prices) > 1 else None,
            currency=currency,
        )
    ]
