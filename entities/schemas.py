"""API shapes for canonical entities (django-ninja)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema


class VenueOut(Schema):
    id: str
    name: str
    status: str
    kind: str
    street: str
    locality: str
    region: str
    postal_code: str
    country: str
    latitude: float | None
    longitude: float | None
    timezone: str
    phone: str
    website: str
    former_names: list[str]
    external_ids: dict[str, Any]

    @staticmethod
    def resolve_id(obj: Any) -> str:
        return str(obj.public_id)


class VenueDetailOut(VenueOut):
    provenance: dict[str, Any]
    sources: list[dict[str, Any]]

    @staticmethod
    def resolve_sources(obj: Any) -> list[dict[str, Any]]:
        return [
            {"source": es.source.name, "key": es.source_key, "last_seen_at": es.last_seen_at.isoformat()}
            for es in obj.sources.select_related("source")
        ]


class ArtistOut(Schema):
    id: str
    name: str
    status: str
    aliases: list[str]
    genres: list[str]
    url: str
    external_ids: dict[str, Any]

    @staticmethod
    def resolve_id(obj: Any) -> str:
        return str(obj.public_id)


class BillingOut(Schema):
    artist_id: str
    name: str
    billing: str
    order: int


class PerformanceOut(Schema):
    id: str
    name: str
    event_status: str
    venue_id: str | None
    venue_name: str | None
    local_date: dt.date
    local_start_time: dt.time | None
    timezone: str
    starts_at: dt.datetime | None
    time_precision: str
    url: str
    artists: list[BillingOut]

    @staticmethod
    def resolve_id(obj: Any) -> str:
        return str(obj.public_id)

    @staticmethod
    def resolve_venue_id(obj: Any) -> str | None:
        return obj.venue.public_id if obj.venue else None

    @staticmethod
    def resolve_venue_name(obj: Any) -> str | None:
        return obj.venue.name if obj.venue else None

    @staticmethod
    def resolve_artists(obj: Any) -> list[dict[str, Any]]:
        return [
            {"artist_id": b.artist.public_id, "name": b.artist.name, "billing": b.billing, "order": b.order}
            for b in obj.billing.all()
        ]
