"""Canonical entity -> published documents and search records (pure: no Django import).

Every document is built through the contract's models (`sync/contract.py`), so what we publish is
what the schemas under `sync/schemas/` say. The serialisers take plain mappings (`sync.services.
entity_data` reads them from the database) and clean what a canonical record may hold but a document
may not: source keys and fingerprints, Google and Yelp IDs (their terms), IDs of services we do not
publish, values that are not what their field promises (a phone that is not E.164, a link that is not
http(s)), and offers with neither a price nor a link.

A document's `updated_at` is when its content last changed (`sync.models.SyncRecord.changed_at`); it is
left out of `content_hash`, so stamping it never makes a document look changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import typing
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any
from urllib.parse import unquote_plus

import pycountry
from pydantic import BaseModel, TypeAdapter, ValidationError

from sourcing.urlnorm import SECRET_PARAMS, strip_tracking
from sync.contract import (
    ALGOLIA_INDEXES,
    ARTIST_TYPES,
    COORD_PRECISIONS,
    FIRESTORE_COLLECTIONS,
    PUBLIC_ID_SCHEMES,
    SCHEMA_VERSION,
    ArtistDocument,
    ArtistRecord,
    ExternalIds,
    Image,
    ImageVariant,
    PerformanceDocument,
    PerformanceRecord,
    Point,
    RedirectDocument,
    VenueDocument,
    VenueRecord,
)

COLLECTIONS = {entity_type: name for entity_type, (name, _) in FIRESTORE_COLLECTIONS.items()}
INDEXES = {entity_type: name for entity_type, (name, _) in ALGOLIA_INDEXES.items()}
UPDATED_AT = "updated_at"

Document = VenueDocument | ArtistDocument | PerformanceDocument | RedirectDocument
Record = VenueRecord | ArtistRecord | PerformanceRecord

# Canonical external ID schemes named after what they identify at their service -> the public key.
SCHEME_ALIASES = {
    "bandsintown_artist": "bandsintown",
    "bandsintown_event": "bandsintown",
    "bandsintown_venue": "bandsintown",
    "dice_artist": "dice",
    "dice_event": "dice",
    "dice_venue": "dice",
}
# Kept in our database (their terms let us keep the ID), never published.
PRIVATE_ID_SCHEMES = frozenset({"google_place", "yelp"})

_HTTP = re.compile(r"^https?://\S+$", re.IGNORECASE)
_E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ContractViolation(ValueError):
    """An entity whose document would break the contract; it is not published (the reason is kept)."""


# --- small cleaners ------------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _http(value: Any, *, as_written: bool = False) -> str | None:
    """An http(s) URL as published: without tracking parameters and without credentials a source put
    in its links (Bandsintown's links carry the `app_id` we query it with). Image URLs stay as written
    (`as_written`): a signed CDN URL breaks when anything in it changes, and holds no secret of ours."""
    text = _text(value)
    if not text or len(text) > 2000 or not _HTTP.match(text):
        return None
    return text if as_written else _without_secrets(strip_tracking(text))


def _without_secrets(url: str) -> str:
    head, hash_mark, fragment = url.partition("#")
    before, _, query = head.partition("?")
    if not query:
        return url
    pairs = [
        p for p in query.split("&") if p and unquote_plus(p.partition("=")[0]).lower() not in SECRET_PARAMS
    ]
    return before + ("?" + "&".join(pairs) if pairs else "") + hash_mark + fragment


def _country(value: Any) -> str | None:
    text = (_text(value) or "").upper()
    return text if _COUNTRY.match(text) else None


def _unique(values: Iterable[Any]) -> list[Any]:
    seen: list[Any] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def _strings(values: Any) -> list[str]:
    return _unique(t for t in (_text(v) for v in values or []) if t)


@cache
def _id_adapter(scheme: str) -> TypeAdapter[Any]:
    (item,) = typing.get_args(ExternalIds.model_fields[scheme].annotation)
    return TypeAdapter(item)


def public_external_ids(external_ids: Mapping[str, Any]) -> ExternalIds:
    """The IDs apps may use, under their public keys; every other key (our sources' keys and
    fingerprints, Google's and Yelp's IDs, services the contract does not name) and every value that
    is not an ID of its service's form stays in our database."""
    public: dict[str, list[str]] = {}
    for scheme, values in sorted(external_ids.items()):
        key = SCHEME_ALIASES.get(scheme, scheme)
        if key in PRIVATE_ID_SCHEMES or key not in PUBLIC_ID_SCHEMES:
            continue
        for value in values if isinstance(values, list) else [values]:
            if not isinstance(value, str):
                continue
            try:
                _id_adapter(key).validate_python(value.strip())
            except ValidationError:
                continue
            if value.strip() not in public.setdefault(key, []):
                public[key].append(value.strip())
    return ExternalIds(**public)


def images(given: Iterable[str | Mapping[str, Any]], processed: Iterable[Mapping[str, Any]]) -> list[Image]:
    """One shape for every image: the original URL, and the WebP variants once they were made.

    `given` is what the entity lists (URLs, or {"url", "license", "attribution"}); `processed` what the
    images stage made of them ({"url", "width", "height", "variants": {width: url}, ...})."""
    done = {str(p.get("url")): p for p in processed}
    out: list[Image] = []
    seen: set[str] = set()
    for item in given:
        described: Mapping[str, Any] = {"url": item} if isinstance(item, str) else item
        url = _http(described.get("url"), as_written=True)
        if url is None or url in seen:
            continue
        seen.add(url)
        row = done.get(url) or {}
        variants = sorted(
            (ImageVariant(url=str(v), width=int(w)) for w, v in (row.get("variants") or {}).items()),
            key=lambda v: v.width,
        )
        out.append(
            Image(
                url=url,
                width=row.get("width") or None,
                height=row.get("height") or None,
                variants=variants,
                license=_text(described.get("license") or row.get("license")),
                attribution=_text(described.get("attribution") or row.get("attribution")),
            )
        )
    return out


def thumbnail(doc_images: list[Image]) -> str | None:
    """The first image's narrowest variant, or the original while it has none."""
    if not doc_images:
        return None
    first = doc_images[0]
    return first.variants[0].url if first.variants else first.url


@cache
def _country_names(code: str) -> frozenset[str]:
    country = pycountry.countries.get(alpha_2=code)
    names = {code}
    if country is not None:
        names |= {getattr(country, a, "") for a in ("alpha_3", "name", "official_name", "common_name")}
    return frozenset(n.casefold() for n in names if n)


def street_line(
    street: str | None,
    *,
    locality: str | None,
    region: str | None,
    postal_code: str | None,
    country: str | None,
) -> str | None:
    """The street lines alone: some sources write the whole address in the street ("4272 Fremont Ave N,
    Seattle, WA 98103, USA"); trailing parts made only of the locality, region, postal code or country
    that the address also holds are dropped."""
    text = _text(street)
    if text is None:
        return None
    known = {p.casefold() for p in (locality, region, postal_code) if p and p.strip()}
    if country:
        known |= _country_names(country.upper())
    if not known:
        return text
    # Longest first, so "united states of america" goes before "united states".
    pattern = re.compile(
        r"\b(?:" + "|".join(re.escape(k) for k in sorted(known, key=len, reverse=True)) + r")\b",
        re.IGNORECASE,
    )
    parts = [p.strip() for p in text.split(",")]
    while len(parts) > 1 and not re.sub(r"[\s.\-]", "", pattern.sub("", parts[-1])):
        parts.pop()
    return ", ".join(parts)


def _location(v: Mapping[str, Any]) -> dict[str, Any] | None:
    lat, lng = v.get("latitude"), v.get("longitude")
    if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    # Coordinates without a stated precision were given by a source for this venue.
    precision = v.get("coord_precision") or "reported"
    return {"lat": lat, "lng": lng, "precision": precision if precision in COORD_PRECISIONS else None}


def _build[M: BaseModel](model: type[M], public_id: str, **fields: Any) -> M:
    try:
        return model(id=public_id, schema_version=SCHEMA_VERSION, **fields)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'document'}: {e['msg']}" for e in exc.errors()
        )
        raise ContractViolation(f"{model.__name__} {public_id} breaks the contract: {problems}") from exc


# --- Firestore documents -------------------------------------------------------------------------


def venue_document(v: Mapping[str, Any], *, updated_at: dt.datetime) -> VenueDocument:
    country = _country(v.get("country"))
    address = {
        "street": street_line(
            v.get("street"),
            locality=v.get("locality"),
            region=v.get("region"),
            postal_code=v.get("postal_code"),
            country=country,
        ),
        "locality": _text(v.get("locality")),
        "region": _text(v.get("region")),
        "postal_code": _text(v.get("postal_code")),
        "country": country,
    }
    phone = _text(v.get("phone"))
    capacity = v.get("capacity")
    return _build(
        VenueDocument,
        v["public_id"],
        updated_at=updated_at,
        status=v["status"],
        name=(v.get("name") or "").strip(),
        former_names=_strings(v.get("former_names")),
        kind=v.get("kind") or "venue",
        parent_id=v.get("parent_id"),
        address=address,
        location=_location(v),
        timezone=_text(v.get("timezone")),
        phone=phone if phone and _E164.match(phone) else None,
        website=_http(v.get("website")),
        socials=_unique(u for u in (_http(s) for s in v.get("socials") or []) if u),
        capacity=capacity if isinstance(capacity, int) and capacity > 0 else None,
        images=images(v.get("image_urls") or [], v.get("image_variants") or []),
        external_ids=public_external_ids(v.get("external_ids") or {}),
    )


def artist_document(a: Mapping[str, Any], *, updated_at: dt.datetime) -> ArtistDocument:
    artist_type = (_text(a.get("artist_type")) or "").casefold()
    return _build(
        ArtistDocument,
        a["public_id"],
        updated_at=updated_at,
        status=a["status"],
        name=(a.get("name") or "").strip(),
        sort_name=_text(a.get("sort_name")),
        disambiguation=_text(a.get("disambiguation")),
        aliases=_strings(a.get("aliases")),
        type=artist_type if artist_type in ARTIST_TYPES else None,
        genres=_strings(a.get("genres")),
        url=_http(a.get("url")),
        images=images(a.get("images") or [], a.get("image_variants") or []),
        external_ids=public_external_ids(a.get("external_ids") or {}),
    )


def venue_ref(v: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The venue as performances embed it (`VenueRef`); None for none, or for a venue we do not publish."""
    if not v or not v.get("publishable", True):
        return None
    location = _location(v)
    return {
        "id": v["public_id"],
        "name": (v.get("name") or "").strip(),
        "locality": _text(v.get("locality")),
        "region": _text(v.get("region")),
        "country": _country(v.get("country")),
        "location": {"lat": location["lat"], "lng": location["lng"]} if location else None,
    }


def artist_ref(a: Mapping[str, Any]) -> dict[str, Any]:
    """What a performance embeds of an artist (besides its billing)."""
    return {"id": a["public_id"], "name": (a.get("name") or "").strip()}


def _offers(offers: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    def price(value: Any) -> float | None:
        return float(value) if isinstance(value, int | float) and value >= 0 else None

    out = []
    for offer in offers:
        cleaned = {
            "url": _http(offer.get("url")),
            "price": price(offer.get("price")),
            "min_price": price(offer.get("min_price")),
            "max_price": price(offer.get("max_price")),
            "currency": c
            if (c := (_text(offer.get("currency")) or "").upper()) and _CURRENCY.match(c)
            else None,
            "availability": _text(offer.get("availability")),
        }
        # An offer says something only with a price or a link.
        has_price = any(cleaned[k] is not None for k in ("price", "min_price", "max_price"))
        if (has_price or cleaned["url"]) and cleaned not in out:
            out.append(cleaned)
    return out


def performance_document(p: Mapping[str, Any], *, updated_at: dt.datetime) -> PerformanceDocument:
    billing = [b for b in p.get("artists") or [] if b.get("publishable", True)]
    return _build(
        PerformanceDocument,
        p["public_id"],
        updated_at=updated_at,
        status=p["status"],
        name=(p.get("name") or "").strip(),
        event_status=p["event_status"],
        ticket_status=_text(p.get("ticket_status")),
        venue=venue_ref(p.get("venue")),
        artists=[
            {**artist_ref(b), "billing": b.get("billing") or None, "order": b.get("order") or 0}
            for b in billing
        ],
        artist_ids=_unique(b["public_id"] for b in billing),
        local_date=p["local_date"],
        local_start_time=p.get("local_start_time"),
        local_doors_time=p.get("local_doors_time"),
        timezone=_text(p.get("timezone")),
        starts_at=p.get("starts_at"),
        time_precision=p["time_precision"],
        previous_dates=[d for d in _strings(p.get("previous_dates")) if _DATE.match(d)],
        offers=_offers(p.get("offers") or []),
        url=_http(p.get("url")),
        images=images(p.get("image_urls") or [], p.get("image_variants") or []),
        external_ids=public_external_ids(p.get("external_ids") or {}),
    )


def redirect_document(public_id: str, merged_into: str, *, updated_at: dt.datetime) -> RedirectDocument:
    """What a merged entity's document becomes: a pointer to the survivor, kept forever."""
    return _build(
        RedirectDocument, public_id, updated_at=updated_at, status="merged", merged_into=merged_into
    )


SERIALIZERS: dict[str, Callable[..., Document]] = {
    "venue": venue_document,
    "artist": artist_document,
    "performance": performance_document,
}


# --- Algolia records -----------------------------------------------------------------------------


def _unix(value: dt.datetime) -> int:
    return int(value.timestamp())


def search_record(entity_type: str, doc: Document) -> Record | None:
    """The search record of a document (Algolia's objectID and _geoloc conventions); None for a
    redirect, which search indexes do not hold."""
    try:
        return _search_record(doc)
    except ValidationError as exc:
        raise ContractViolation(
            f"the {INDEXES[entity_type]} record of {doc.id} breaks the contract: {exc}"
        ) from exc


def _search_record(doc: Document) -> Record | None:
    common: dict[str, Any] = {
        "objectID": doc.id,
        "schema_version": SCHEMA_VERSION,
        "updated_at": _unix(doc.updated_at),
    }
    if isinstance(doc, VenueDocument):
        location = doc.location
        return VenueRecord(
            **common,
            name=doc.name,
            former_names=doc.former_names,
            kind=doc.kind,
            status=doc.status,
            street=doc.address.street,
            city=doc.address.locality,
            region=doc.address.region,
            postal_code=doc.address.postal_code,
            country=doc.address.country,
            geoloc=Point(lat=location.lat, lng=location.lng) if location else None,
            image=thumbnail(doc.images),
        )
    if isinstance(doc, ArtistDocument):
        return ArtistRecord(
            **common,
            name=doc.name,
            aliases=doc.aliases,
            disambiguation=doc.disambiguation,
            genres=doc.genres,
            artist_type=doc.type,
            image=thumbnail(doc.images),
        )
    if isinstance(doc, PerformanceDocument):
        venue = doc.venue
        return PerformanceRecord(
            **common,
            name=doc.name,
            event_status=doc.event_status,
            date=doc.local_date,
            date_ts=date_timestamp(doc.local_date),
            starts_at=_unix(doc.starts_at) if doc.starts_at else None,
            time_precision=doc.time_precision,
            venue=venue.name if venue else None,
            venue_id=venue.id if venue else None,
            city=venue.locality if venue else None,
            country=venue.country if venue else None,
            geoloc=venue.location if venue else None,
            artists=[a.name for a in doc.artists],
            artist_ids=doc.artist_ids,
            image=thumbnail(doc.images),
        )
    return None


def date_timestamp(local_date: str) -> int:
    """A local date (YYYY-MM-DD) as the Unix timestamp of its midnight in UTC: sortable, not an instant."""
    day = dt.date.fromisoformat(local_date)
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


# --- what targets hold ---------------------------------------------------------------------------


def firestore_payload(doc: Document) -> dict[str, Any]:
    """The document as the Firestore client writes it: timestamps stay datetimes (Firestore
    Timestamps); everything else is JSON-like."""
    return doc.model_dump(mode="python")


def algolia_payload(record: Record) -> dict[str, Any]:
    return record.model_dump(mode="json", by_alias=True)


_ANY: TypeAdapter[Any] = TypeAdapter(Any)


def to_json(value: Any) -> Any:
    """A payload (or a document read back from a target) in its JSON form: datetimes as RFC 3339."""
    return _ANY.dump_python(value, mode="json")


def content_hash(payload: Mapping[str, Any]) -> str:
    """The hash of a document's content, leaving out `updated_at` (when that content last changed)."""
    content = {k: v for k, v in payload.items() if k != UPDATED_AT}
    canonical = json.dumps(to_json(content), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
