"""Squarespace event collections (`<events page>?format=json`) -> `ExtractionResult`.

Pure Python (no Django); nothing raises on bad input. The JSON view of an events page holds the site
(`website.timeZone`, the venue's IANA zone), the collection, and its events in `upcoming` (and `past`,
or `items` on some templates). Each event's `startDate` is an instant in milliseconds: it becomes the
wall time in the site's zone (else the caller's `default_timezone`, else UTC) with that zone's offset
on that date. `location.addressTitle` names the venue, `addressLine1`/`addressLine2` ("Seattle, WA,
98101") give its address, `mapLat`/`mapLng` its point. Past events are left out; the next page
(`pagination.nextPageUrl`) is discovered as a feed.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit, urlunsplit

from extraction.adapters.apijson import (
    NOT_JSON,
    Node,
    Warnings,
    coordinates,
    country_code,
    dig,
    html_text,
    http_url,
    identifier,
    load_json,
    node,
    nodes,
    number,
    text,
    unique_by_source_key,
)
from extraction.adapters.schemaorg_dates import load_zone
from extraction.adapters.text import plain_text
from extraction.schemas import (
    DiscoveredUrl,
    ExtractedAddress,
    ExtractedPerformance,
    ExtractedVenue,
    ExtractionResult,
    TimePrecision,
)

EXTRACTOR_NAME = "squarespace"
EXTRACTOR_VERSION = "1"
_MAX_MILLISECONDS = 253402300799000  # 9999-12-31


def looks_like_squarespace(body: bytes) -> bool:
    """Whether a JSON body is a Squarespace collection's JSON view with events."""
    return (
        b'"collection"' in body
        and (b'"websiteSettings"' in body or b"squarespace" in body)
        and (b'"upcoming"' in body or b'"past"' in body or b'"items"' in body)
    )


def extract_squarespace(
    body: bytes | str,
    *,
    url: str | None = None,
    default_timezone: str | None = None,
    reference_date: dt.date | None = None,
) -> ExtractionResult:
    """Read the JSON view of a Squarespace events page."""
    warnings = Warnings()
    data = load_json(body, warnings)
    if data is NOT_JSON or not isinstance(data, dict):
        if data is not NOT_JSON:
            warnings.warn("expected a Squarespace collection object")
        return ExtractionResult(warnings=warnings.items)
    zone_name = text(dig(data, "website", "timeZone")) or default_timezone
    zone = load_zone(zone_name)
    if zone_name and zone is None:
        warnings.warn(f"unknown time zone {zone_name!r}; times kept in UTC")
    today = reference_date or dt.datetime.now(dt.UTC).date()
    items = nodes(data.get("upcoming")) or [
        item for item in nodes(data.get("items")) if item.get("startDate") is not None
    ]
    performances = [
        p
        for p in unique_by_source_key(
            _performance(item, index, url, zone, warnings) for index, item in enumerate(items)
        )
        if p.local_date >= today
    ]
    return ExtractionResult(
        performances=performances, discovered_urls=_next_page(data, url), warnings=warnings.items
    )


def _performance(
    item: Node, index: int, url: str | None, zone: dt.tzinfo | None, warnings: Warnings
) -> ExtractedPerformance | None:
    label = f"event {identifier(item.get('id')) or index}"
    name = html_text(item.get("title"))
    if name is None:
        warnings.warn(f"{label}: no title; skipped")
        return None
    milliseconds = number(item.get("startDate"))
    if milliseconds is None or not 0 <= milliseconds <= _MAX_MILLISECONDS:
        warnings.warn(f"{label}: unusable startDate {item.get('startDate')!r}; skipped")
        return None
    instant = dt.datetime.fromtimestamp(milliseconds / 1000, tz=dt.UTC)
    local = instant.astimezone(zone) if zone is not None else instant
    delta = local.utcoffset()
    page = http_url(item.get("fullUrl"), url)
    try:
        return ExtractedPerformance(
            source_key=page or f"squarespace:{identifier(item.get('id'))}",
            name=name,
            venue=_venue(node(item.get("location")), warnings, label),
            local_date=local.date(),
            local_start_time=local.time().replace(tzinfo=None, microsecond=0),
            utc_offset_minutes=int(delta.total_seconds()) // 60 if delta is not None else None,
            time_precision=TimePrecision.EXACT,
            url=page,
            description=plain_text(item.get("excerpt") or item.get("body"))
            if (item.get("excerpt") or item.get("body"))
            else None,
            image_urls=[image] if (image := http_url(item.get("assetUrl"))) else [],
        )
    except ValueError as exc:
        warnings.warn(f"{label}: {str(exc).splitlines()[0]}; skipped")
        return None


def _venue(location: Node, warnings: Warnings, label: str) -> ExtractedVenue | None:
    name = html_text(location.get("addressTitle"))
    if name is None:
        return None
    latitude, longitude = coordinates(
        location.get("mapLat") or location.get("markerLat"),
        location.get("mapLng") or location.get("markerLng"),
        warnings,
        label,
    )
    locality = region = postal_code = None
    line2 = html_text(location.get("addressLine2"))
    if line2:  # "Seattle, WA, 98101" or "Seattle, WA 98101"
        parts = [part.strip() for part in line2.split(",") if part.strip()]
        locality = parts[0] if parts else None
        rest = " ".join(parts[1:]).split()
        if rest and rest[-1].replace("-", "").isdigit():
            postal_code = rest.pop()
        region = " ".join(rest) or None
    address = ExtractedAddress(
        street=html_text(location.get("addressLine1")),
        locality=locality,
        region=region,
        postal_code=postal_code,
        country=country_code(location.get("addressCountry")),
    )
    return ExtractedVenue(
        name=name,
        address=address if any(address.model_dump().values()) else None,
        latitude=latitude,
        longitude=longitude,
    )


def _next_page(data: Node, url: str | None) -> list[DiscoveredUrl]:
    following = text(dig(data, "pagination", "nextPageUrl"))
    if not following or dig(data, "pagination", "nextPage") is False:
        return []
    absolute = http_url(following, url)
    if absolute is None:
        return []
    parts = urlsplit(absolute)
    if "format=json" not in parts.query:
        query = f"{parts.query}&format=json" if parts.query else "format=json"
        absolute = urlunsplit(parts._replace(query=query))
    return [] if absolute == url else [DiscoveredUrl(url=absolute, kind="feed")]
