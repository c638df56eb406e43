"""Yelp Fusion API adapter: business details and business search responses -> venues.

Pure Python (no Django). It never raises on bad input: a body that is not JSON, an error response or
a business it cannot read becomes a warning, and the other businesses are still returned.

STORAGE TERMS. Yelp's display requirements let us keep the business ID and cache the rest for at most
24 hours: the name, address, coordinates and phone serve to *match* a venue when the response is
ingested and are never stored in canonical records or sent to Firestore or Algolia. Every venue
carries `external_ids {"yelp": <business id>}` (and `source_key` "yelp:<id>"); the pipeline treats
sources of kind `yelp` as ID-only (`entities/services/recompute.py`, `ID_ONLY_SOURCE_KINDS`) and keeps
the `yelp` scheme out of sync documents (`sync/serializers.py`, `PRIVATE_ID_SCHEMES`). Photos, ratings,
reviews, categories and hours are not read; the business `url` is Yelp's page, not the venue's
website, so `website` stays empty.

Accepted shapes: `GET /v3/businesses/{id}` (one business), `GET /v3/businesses/search`
({"businesses": [...], "total", "region"}), a bare list of businesses; {"error": {"code",
"description"}} gives an empty result with a warning. A business with `is_closed` true (Yelp: closed
for good) is kept with a warning.

Mapping: street is address1-3 joined with ", "; city, state, zip code and country (ISO alpha-2) as
given; the phone in E.164 ("+14159083801") when present, else the display phone.
"""

from __future__ import annotations

from pydantic import ValidationError

from extraction.adapters.apijson import (
    NOT_JSON,
    Node,
    Warnings,
    coordinates,
    country_code,
    identifier,
    json_type,
    load_json,
    node,
    text,
    unique_by_source_key,
)
from extraction.schemas import ExtractedAddress, ExtractedVenue, ExtractionResult

EXTRACTOR_NAME = "yelp"
EXTRACTOR_VERSION = "1"

MAX_BUSINESSES = 1_000


def extract_yelp(
    body: bytes | str, *, url: str | None = None, default_timezone: str | None = None
) -> ExtractionResult:
    """Read one Yelp response; every business becomes a venue keyed by its Yelp ID (matching only)."""
    warnings = Warnings()
    data = load_json(body, warnings)
    businesses = _businesses(data, warnings) if data is not NOT_JSON else []
    venues = unique_by_source_key(
        _venue(business, index, warnings) for index, business in enumerate(businesses)
    )
    return ExtractionResult(venues=venues, warnings=warnings.items)


def _businesses(data: object, warnings: Warnings) -> list[object]:
    if isinstance(data, list):
        return data[:MAX_BUSINESSES]
    if not isinstance(data, dict):
        warnings.warn(f"expected a Yelp response, got a JSON {json_type(data)}")
        return []
    error = data.get("error")
    if error is not None:
        details = node(error)
        message = " ".join(p for p in (text(details.get("code")), text(details.get("description"))) if p)
        warnings.warn(f"Yelp error response: {message or text(error) or 'no details'}")
        return []
    if "businesses" in data:
        items = data["businesses"]
        return items[:MAX_BUSINESSES] if isinstance(items, list) else []
    if "id" in data and "name" in data:
        return [data]
    warnings.warn(f"expected a Yelp response, got an object with keys {sorted(data)[:10]}")
    return []


def _venue(business: object, index: int, warnings: Warnings) -> ExtractedVenue | None:
    if not isinstance(business, dict):
        warnings.warn(f"item {index}: expected a business object, got a JSON {json_type(business)}; skipped")
        return None
    business_id = identifier(business.get("id"))
    if business_id is None:
        warnings.warn(f"item {index}: business without an id; skipped (only the id may be kept)")
        return None
    label = f"business {business_id}"
    name = text(business.get("name"))
    if name is None:
        warnings.warn(f"{label}: no name; skipped")
        return None
    if business.get("is_closed") is True:
        warnings.warn(f"{label}: {name!r} is closed for good")
    position = node(business.get("coordinates"))
    latitude, longitude = coordinates(position.get("latitude"), position.get("longitude"), warnings, label)
    try:
        return ExtractedVenue(
            source_key=f"yelp:{business_id}",
            name=name,
            address=_address(node(business.get("location"))),
            latitude=latitude,
            longitude=longitude,
            phone=text(business.get("phone")) or text(business.get("display_phone")),
            external_ids={"yelp": business_id},
        )
    except ValidationError as exc:
        warnings.warn(f"{label}: invalid ({exc.errors()[0]['msg']}); skipped")
        return None


def _address(location: Node) -> ExtractedAddress | None:
    lines = [line for line in (text(location.get(f"address{n}")) for n in (1, 2, 3)) if line]
    address = ExtractedAddress(
        street=", ".join(lines) or None,
        locality=text(location.get("city")),
        region=text(location.get("state")),
        postal_code=text(location.get("zip_code")),
        country=country_code(location.get("country")),
    )
    return address if address.model_dump(exclude_none=True) else None
