"""Canonical entity -> target document (pure: no Django import).

Documents carry only what we may store (DESIGN.md section 3): canonical entities never hold
Google Places or Yelp content beyond their IDs, and the serialisers drop those IDs' schemes
from search records too, so nothing a source's terms forbid leaves the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

COLLECTIONS = {"venue": "evt_venues", "artist": "evt_artists", "performance": "evt_performances"}
# External ID schemes whose terms let us keep the ID but not publish it.
PRIVATE_ID_SCHEMES = frozenset({"google_place", "yelp"})

Document = dict[str, Any]


def _private_value(value: Any) -> bool:
    # A source's own key is kept under "source:<name>" and names its scheme: "google_place:ChIJ...".
    return isinstance(value, str) and value.split(":", 1)[0] in PRIVATE_ID_SCHEMES


def _public_ids(external_ids: Mapping[str, Any]) -> dict[str, Any]:
    public: dict[str, Any] = {}
    for scheme, ids in sorted(external_ids.items()):
        if scheme in PRIVATE_ID_SCHEMES:
            continue
        if isinstance(ids, list):
            kept = [i for i in ids if not _private_value(i)]
            if kept:
                public[scheme] = kept
        elif not _private_value(ids):
            public[scheme] = ids
    return public


def venue_document(v: Mapping[str, Any]) -> Document:
    return {
        "id": v["public_id"],
        "name": v["name"],
        "former_names": list(v.get("former_names") or []),
        "kind": v.get("kind") or "venue",
        "status": v["status"],
        "address": {
            "street": v.get("street") or None,
            "locality": v.get("locality") or None,
            "region": v.get("region") or None,
            "postal_code": v.get("postal_code") or None,
            "country": v.get("country") or None,
        },
        "location": (
            {"lat": v["latitude"], "lng": v["longitude"]}
            if v.get("latitude") is not None and v.get("longitude") is not None
            else None
        ),
        "timezone": v.get("timezone") or None,
        "phone": v.get("phone") or None,
        "website": v.get("website") or None,
        "socials": list(v.get("socials") or []),
        "capacity": v.get("capacity"),
        "images": list(v.get("image_urls") or []),
        "image_variants": list(v.get("image_variants") or []),  # processed images: images/services.py
        "external_ids": _public_ids(v.get("external_ids") or {}),
    }


def artist_document(a: Mapping[str, Any]) -> Document:
    return {
        "id": a["public_id"],
        "name": a["name"],
        "sort_name": a.get("sort_name") or None,
        "disambiguation": a.get("disambiguation") or None,
        "aliases": list(a.get("aliases") or []),
        "type": a.get("artist_type") or None,
        "genres": list(a.get("genres") or []),
        "url": a.get("url") or None,
        "images": list(a.get("images") or []),
        "image_variants": list(a.get("image_variants") or []),
        "status": a["status"],
        "external_ids": _public_ids(a.get("external_ids") or {}),
    }


def performance_document(p: Mapping[str, Any]) -> Document:
    return {
        "id": p["public_id"],
        "name": p["name"],
        "status": p["event_status"],
        "venue": p.get("venue"),  # {"id", "name", "locality", "country"} or None
        "artists": list(p.get("artists") or []),  # [{"id", "name", "billing", "order"}]
        "local_date": p["local_date"],
        "local_start_time": p.get("local_start_time"),
        "local_doors_time": p.get("local_doors_time"),
        "timezone": p.get("timezone") or None,
        "starts_at": p.get("starts_at"),
        "time_precision": p["time_precision"],
        "ticket_status": p.get("ticket_status") or None,
        "previous_dates": list(p.get("previous_dates") or []),
        "offers": list(p.get("offers") or []),
        "url": p.get("url") or None,
        "images": list(p.get("image_urls") or []),
        "image_variants": list(p.get("image_variants") or []),
        "external_ids": _public_ids(p.get("external_ids") or {}),
    }


SERIALIZERS = {"venue": venue_document, "artist": artist_document, "performance": performance_document}


def redirect_document(public_id: str, merged_into: str) -> Document:
    """What a merged entity's document becomes: a pointer to the survivor, kept forever."""
    return {"id": public_id, "status": "merged", "merged_into": merged_into}


def search_record(entity_type: str, doc: Document) -> Document:
    """A flattened record for a search index (Algolia's objectID and _geoloc conventions)."""
    record: Document = {"objectID": doc["id"], "type": entity_type, "name": doc["name"]}
    if entity_type == "venue":
        record |= {
            "former_names": doc["former_names"],
            "city": doc["address"]["locality"],
            "country": doc["address"]["country"],
            "street": doc["address"]["street"],
        }
        if doc["location"]:
            record["_geoloc"] = doc["location"]
    elif entity_type == "artist":
        record |= {"aliases": doc["aliases"], "genres": doc["genres"]}
    else:
        venue = doc["venue"] or {}
        record |= {
            "date": doc["local_date"],
            # Numeric, for the date-sorted replicas and date-range filters.
            "date_ts": date_timestamp(doc["local_date"]),
            "starts_at": doc["starts_at"],
            "status": doc["status"],
            "venue": venue.get("name"),
            "venue_id": venue.get("id"),
            "city": venue.get("locality"),
            "artists": [a["name"] for a in doc["artists"]],
            "artist_ids": [a["id"] for a in doc["artists"]],
        }
    return record


def date_timestamp(local_date: str) -> int:
    """A local date (YYYY-MM-DD) as the Unix timestamp of its midnight in UTC: sortable, not an instant."""
    day = dt.date.fromisoformat(local_date)
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def document_hash(doc: Document) -> str:
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
