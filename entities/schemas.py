"""API shapes for canonical entities (django-ninja).

Details carry `provenance`, `locked_fields` and `sources` for staff (a staff session or a staff-scoped
API key); for anyone else they are null. Resolvers see the request through pydantic's validation
context, which django-ninja fills in.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import PlainSerializer, WithJsonSchema

# A wall-clock time at the venue, without an offset (the venue's `timezone` says where). JSON Schema's
# `format: time` means RFC 3339's full-time, which requires an offset, so the schema says what we send.
LocalTime = Annotated[
    dt.time,
    PlainSerializer(lambda value: value.isoformat(timespec="seconds"), return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$",
            "description": "Local time at the venue, HH:MM:SS, without an offset (see `timezone`).",
            "examples": ["19:30:00"],
        }
    ),
]

STAFF_ONLY = "Staff only (a staff session or a staff-scoped X-API-Key); null for anyone else."


def _staff(context: Any) -> bool:
    from core.auth import is_staff_request

    request = (context or {}).get("request")
    return request is not None and is_staff_request(request)


class SourceOut(Schema):
    """What one source says about the entity, and where we read it."""

    source: str
    source_kind: str
    priority: int
    key: str
    status: str
    page_url: str | None
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime
    vanished_at: dt.datetime | None
    data: dict[str, Any]


def _sources(obj: Any, context: Any) -> list[dict[str, Any]] | None:
    if not _staff(context):
        return None
    rows = obj.sources.select_related("source", "extraction__scrape__url").order_by("pk")
    return [
        {
            "source": es.source.name,
            "source_kind": es.source.kind,
            "priority": es.source.priority,
            "key": es.source_key,
            "status": es.status,
            "page_url": es.extraction.scrape.url.url if es.extraction else None,
            "first_seen_at": es.first_seen_at,
            "last_seen_at": es.last_seen_at,
            "vanished_at": es.vanished_at,
            "data": es.data,
        }
        for es in rows
    ]


class StaffDetail(Schema):
    provenance: dict[str, Any] | None = Field(
        None, description="Per field: the source that gave the value, when, and why it won. " + STAFF_ONLY
    )
    locked_fields: dict[str, Any] | None = Field(
        None, description="Values staff set by hand, never overwritten. " + STAFF_ONLY
    )
    sources: list[SourceOut] | None = Field(None, description="Every source of the entity. " + STAFF_ONLY)

    @staticmethod
    def resolve_provenance(obj: Any, context: Any) -> dict[str, Any] | None:
        return obj.provenance if _staff(context) else None

    @staticmethod
    def resolve_locked_fields(obj: Any, context: Any) -> dict[str, Any] | None:
        return obj.locked_fields if _staff(context) else None

    @staticmethod
    def resolve_sources(obj: Any, context: Any) -> list[dict[str, Any]] | None:
        return _sources(obj, context)


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


class VenueDetailOut(StaffDetail, VenueOut):
    capacity: int | None
    socials: list[str]
    image_urls: list[str]
    upcoming_performances: int

    @staticmethod
    def resolve_upcoming_performances(obj: Any) -> int:
        from django.utils import timezone

        return int(obj.performances.filter(local_date__gte=timezone.localdate()).count())


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


class ArtistDetailOut(StaffDetail, ArtistOut):
    sort_name: str
    disambiguation: str
    artist_type: str
    images: list[dict[str, Any]]


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
    local_start_time: LocalTime | None
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


class PerformanceDetailOut(StaffDetail, PerformanceOut):
    local_doors_time: LocalTime | None
    ticket_status: str
    offers: list[Any]
    description: str
    previous_dates: list[Any]
    image_urls: list[str]
    external_ids: dict[str, Any]


class SearchOut(Schema):
    """The best matches of each type for one query (names, former names and aliases)."""

    venues: list[VenueOut]
    artists: list[ArtistOut]
    performances: list[PerformanceOut]
