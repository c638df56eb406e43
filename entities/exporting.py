"""Canonical entities as flat records for export (JSON lines or CSV), in batches, with their links as
public IDs. Reads only."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from entities.models import Artist, CanonicalStatus, EntityType, Performance, PerformanceArtist, Venue

COMMON = ["id", "type", "status", "merged_into"]
FIELDS: dict[str, list[str]] = {
    EntityType.VENUE: [
        "name", "former_names", "kind", "parent", "street", "locality", "region", "postal_code", "country",
        "latitude", "longitude", "timezone", "phone", "website", "socials", "capacity", "image_urls",
    ],
    EntityType.ARTIST: [
        "name", "sort_name", "disambiguation", "aliases", "artist_type", "genres", "url", "images",
    ],
    EntityType.PERFORMANCE: [
        "venue", "name", "local_date", "local_start_time", "local_doors_time", "timezone", "starts_at",
        "time_precision", "event_status", "ticket_status", "url", "description", "offers", "previous_dates",
        "image_urls", "artists",
    ],
}  # fmt: skip
TRAILING = ["external_ids", "locked_fields", "created_at", "updated_at"]


def export_columns(entity_type: str) -> list[str]:
    return [*COMMON, *FIELDS[entity_type], *TRAILING]


def export_queryset(entity_type: str, *, include_merged: bool = False) -> QuerySet[Any]:
    qs: QuerySet[Any]
    if entity_type == EntityType.VENUE:
        qs = Venue.objects.select_related("merged_into", "parent")
    elif entity_type == EntityType.ARTIST:
        qs = Artist.objects.select_related("merged_into")
    elif entity_type == EntityType.PERFORMANCE:
        qs = Performance.objects.select_related("merged_into", "venue").prefetch_related(
            Prefetch("billing", queryset=PerformanceArtist.objects.select_related("artist"))
        )
    else:
        raise ValueError(f"Unknown type {entity_type!r}")
    if not include_merged:
        qs = qs.exclude(status=CanonicalStatus.MERGED)
    return qs.order_by("pk")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return value


def export_record(entity_type: str, entity: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": entity.public_id,
        "type": entity_type,
        "status": entity.status,
        "merged_into": entity.merged_into.public_id if entity.merged_into_id else None,
    }
    for name in FIELDS[entity_type]:
        if name in ("parent", "venue"):
            related = getattr(entity, name)
            record[name] = related.public_id if related is not None else None
        elif name == "artists":
            record[name] = [
                {"id": b.artist.public_id, "name": b.artist.name, "billing": b.billing, "order": b.order}
                for b in entity.billing.all()
            ]
        else:
            record[name] = _plain(getattr(entity, name))
    for name in TRAILING:
        record[name] = _plain(getattr(entity, name))
    return record


def export_records(
    entity_type: str, *, include_merged: bool = False, batch_size: int = 500
) -> Iterator[dict[str, Any]]:
    for entity in export_queryset(entity_type, include_merged=include_merged).iterator(chunk_size=batch_size):
        yield export_record(entity_type, entity)


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(value: Any) -> str:
    """Lists and mappings as JSON inside the cell; None as an empty cell. Text that a spreadsheet would
    run as a formula is neutralised with a leading apostrophe (OWASP's rule); numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal):
        return str(value)
    text = (
        json.dumps(value, ensure_ascii=False, sort_keys=True)
        if isinstance(value, list | dict)
        else str(value)
    )
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text
