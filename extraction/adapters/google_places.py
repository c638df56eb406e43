"""Google Places API adapter: Place Details and Text Search responses -> venues (`ExtractionResult`).

Pure Python (no Django). It never raises on bad input: a body that is not JSON, an error response or
a place it cannot read becomes a warning, and the other places are still returned.

STORAGE TERMS. Google Maps Platform lets us keep the place ID indefinitely and nothing else: the name,
address, coordinates, phone, website and time zone may be used to *match* a venue when the response
is ingested, never stored in canonical records or sent to Firestore or Algolia. So every venue carries
`external_ids {"google_place": <place id>}` (and `source_key` "google_place:<id>"), and its other fields
are there only for matching. The pipeline enforces the terms downstream: sources of kind
`google_places` are ID-only (`entities/services/recompute.py`, `ID_ONLY_SOURCE_KINDS`: their values
never win survivorship) and the `google_place` scheme is private in sync documents
(`sync/serializers.py`, `PRIVATE_ID_SCHEMES`). Photos, ratings, reviews and opening hours are not read.

Accepted shapes:
- Places API (New): a Place (`GET /v1/places/{id}`: "id", "displayName", "formattedAddress",
  "addressComponents", "postalAddress", "location", "timeZone", ...) or a Text Search page
  (`POST /v1/places:searchText`: {"places": [...], "nextPageToken"}). Its paging token goes in the
  next POST body, so no URL is discovered.
- The legacy Places API: {"result": place} (details) and {"results": [...]} (text or nearby search),
  with "place_id", "name", "address_components", "geometry.location", "formatted_phone_number"...
- Errors: {"error": {"status", "message"}} (New) or {"status": "REQUEST_DENIED", "error_message"}
  (legacy) give an empty result with a warning; "ZERO_RESULTS" gives an empty result without one.

Mapping: street is the postal address lines (New) or "<street_number> <route>"; locality, region (the
short form: "CA"), postal code and country code (ISO 3166-1 alpha-2) come from the address components;
without components the one-line formatted address is kept whole as the street. Phone is the
international number when given. A place whose business status is CLOSED_PERMANENTLY is kept, with a
warning (matching it still links the venue to its ID).
"""

from __future__ import annotations

from pydantic import ValidationError

from extraction.adapters.apijson import (
    NOT_JSON,
    Node,
    Warnings,
    coordinates,
    country_code,
    dig,
    http_url,
    identifier,
    json_type,
    load_json,
    node,
    nodes,
    text,
    unique_by_source_key,
)
from extraction.schemas import ExtractedAddress, ExtractedVenue, ExtractionResult

EXTRACTOR_NAME = "google_places"
EXTRACTOR_VERSION = "1"

MAX_PLACES = 1_000

_NO_RESULTS = frozenset({"ZERO_RESULTS"})
_NONE: tuple[str | None, str | None] = (None, None)


def extract_google_places(
    body: bytes | str, *, url: str | None = None, default_timezone: str | None = None
) -> ExtractionResult:
    """Read one Places response; every place becomes a venue keyed by its place ID (matching only)."""
    warnings = Warnings()
    data = load_json(body, warnings)
    places = _places(data, warnings) if data is not NOT_JSON else []
    venues = unique_by_source_key(_venue(place, index, warnings) for index, place in enumerate(places))
    return ExtractionResult(venues=venues, warnings=warnings.items)


def _places(data: object, warnings: Warnings) -> list[object]:
    if isinstance(data, list):
        return data[:MAX_PLACES]
    if not isinstance(data, dict):
        warnings.warn(f"expected a Places response, got a JSON {json_type(data)}")
        return []
    error = data.get("error")
    if isinstance(error, dict):
        message = " ".join(part for part in (text(error.get("status")), text(error.get("message"))) if part)
        warnings.warn(f"Places error response: {message}")
        return []
    status = text(data.get("status"))
    if status and status not in ("OK", *_NO_RESULTS):
        message = text(data.get("error_message")) or ""
        warnings.warn(f"Places error response: {status} {message}".strip())
        return []
    for key in ("places", "results"):
        if key in data:
            items = data[key]
            return items[:MAX_PLACES] if isinstance(items, list) else []
    if "result" in data:
        return [data["result"]]
    if _place_id(data) is not None:
        return [data]
    if status in _NO_RESULTS:
        return []
    warnings.warn(f"expected a Places response, got an object with keys {sorted(data)[:10]}")
    return []


def _place_id(place: Node) -> str | None:
    place_id = identifier(place.get("id")) or identifier(place.get("place_id"))
    if place_id is None:
        resource = text(place.get("name"))  # New API: "places/<id>"
        if resource and resource.startswith("places/"):
            place_id = identifier(resource.removeprefix("places/"))
    return place_id


def _venue(place: object, index: int, warnings: Warnings) -> ExtractedVenue | None:
    if not isinstance(place, dict):
        warnings.warn(f"item {index}: expected a place object, got a JSON {json_type(place)}; skipped")
        return None
    place_id = _place_id(place)
    if place_id is None:
        warnings.warn(f"item {index}: place without an id; skipped (only the id may be kept)")
        return None
    label = f"place {place_id}"
    name = text(dig(place, "displayName", "text"))
    if name is None:
        legacy = text(place.get("name"))  # the legacy API's display name; the New API's "places/<id>"
        name = legacy if legacy and not legacy.startswith("places/") else None
    if name is None:
        warnings.warn(f"{label}: no name; skipped")
        return None
    if "CLOSED_PERMANENTLY" in (text(place.get("businessStatus")), text(place.get("business_status"))):
        warnings.warn(f"{label}: {name!r} is permanently closed")
    location = node(place.get("location")) or node(dig(place, "geometry", "location"))
    latitude, longitude = coordinates(
        location.get("latitude", location.get("lat")),
        location.get("longitude", location.get("lng")),
        warnings,
        label,
    )
    try:
        return ExtractedVenue(
            source_key=f"google_place:{place_id}",
            name=name,
            address=_address(place),
            latitude=latitude,
            longitude=longitude,
            timezone=text(dig(place, "timeZone", "id")),
            phone=text(place.get("internationalPhoneNumber"))
            or text(place.get("international_phone_number"))
            or text(place.get("nationalPhoneNumber"))
            or text(place.get("formatted_phone_number")),
            website=http_url(place.get("websiteUri")) or http_url(place.get("website")),
            external_ids={"google_place": place_id},
        )
    except ValidationError as exc:
        warnings.warn(f"{label}: invalid ({exc.errors()[0]['msg']}); skipped")
        return None


def _address(place: Node) -> ExtractedAddress | None:
    parts: dict[str, tuple[str | None, str | None]] = {}  # component type -> (long, short)
    for component in nodes(place.get("addressComponents")) or nodes(place.get("address_components")):
        long_text = text(component.get("longText")) or text(component.get("long_name"))
        short_text = text(component.get("shortText")) or text(component.get("short_name"))
        kinds = component.get("types")
        for kind in kinds if isinstance(kinds, list) else []:
            if isinstance(kind, str):
                parts.setdefault(kind, (long_text, short_text))
    postal = node(place.get("postalAddress"))
    raw_lines = postal.get("addressLines")
    lines = [line for line in map(text, raw_lines) if line] if isinstance(raw_lines, list) else []
    number, route = parts.get("street_number", _NONE)[0], parts.get("route", _NONE)[0]
    street = ", ".join(lines) or " ".join(part for part in (number, route) if part)
    address = ExtractedAddress(
        street=street or None,
        locality=parts.get("locality", _NONE)[0]
        or parts.get("postal_town", _NONE)[0]
        or text(postal.get("locality")),
        region=parts.get("administrative_area_level_1", _NONE)[1] or text(postal.get("administrativeArea")),
        postal_code=parts.get("postal_code", _NONE)[0] or text(postal.get("postalCode")),
        country=country_code(parts.get("country", _NONE)[1]) or country_code(postal.get("regionCode")),
    )
    if not address.model_dump(exclude_none=True):
        formatted = text(place.get("formattedAddress")) or text(place.get("formatted_address"))
        return ExtractedAddress(street=formatted) if formatted else None
    return address
