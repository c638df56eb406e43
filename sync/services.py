"""Writes for sync: mark what changed, push it once, record what each target holds."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Protocol

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from entities.models import Artist, CanonicalStatus, Performance, Venue
from sync import serializers
from sync.models import SyncRecord, SyncStatus, SyncTarget
from sync.targets.local import LocalDocumentStore

logger = logging.getLogger(__name__)

MODELS: dict[str, type[Venue] | type[Artist] | type[Performance]] = {
    "venue": Venue,
    "artist": Artist,
    "performance": Performance,
}
ALGOLIA_INDEXES = {"venue": "venues", "artist": "artists", "performance": "performances"}


class DocumentTarget(Protocol):
    name: str

    def upsert(self, collection: str, docs: Any) -> int: ...
    def delete(self, collection: str, doc_ids: Any) -> int: ...


def target_for(name: str) -> DocumentTarget:
    """The configured target; the local stand-in when no credentials are set (the embedded default)."""
    return LocalDocumentStore(settings.SYNC_LOCAL_DIR, name)


def entity_data(entity: Venue | Artist | Performance) -> dict[str, Any]:
    """The plain mapping the pure serialisers take."""
    if isinstance(entity, Venue):
        fields = [
            f.name for f in Venue._meta.concrete_fields if f.name not in {"id", "merged_into", "parent"}
        ]
        return {name: getattr(entity, name) for name in fields}
    if isinstance(entity, Artist):
        fields = [f.name for f in Artist._meta.concrete_fields if f.name not in {"id", "merged_into"}]
        return {name: getattr(entity, name) for name in fields}
    venue = entity.venue
    return {
        "public_id": entity.public_id,
        "name": entity.name,
        "event_status": entity.event_status,
        "status": entity.status,
        "venue": (
            {
                "id": venue.public_id,
                "name": venue.name,
                "locality": venue.locality or None,
                "country": venue.country or None,
            }
            if venue
            else None
        ),
        "artists": [
            {"id": b.artist.public_id, "name": b.artist.name, "billing": b.billing or None, "order": b.order}
            for b in entity.billing.select_related("artist").order_by("order")
        ],
        "local_date": entity.local_date.isoformat(),
        "local_start_time": entity.local_start_time.isoformat() if entity.local_start_time else None,
        "local_doors_time": entity.local_doors_time.isoformat() if entity.local_doors_time else None,
        "timezone": entity.timezone,
        "starts_at": entity.starts_at.isoformat() if entity.starts_at else None,
        "time_precision": entity.time_precision,
        "ticket_status": entity.ticket_status,
        "previous_dates": entity.previous_dates,
        "offers": entity.offers,
        "url": entity.url,
        "image_urls": entity.image_urls,
        "external_ids": entity.external_ids,
    }


def entity_document(entity_type: str, entity: Venue | Artist | Performance) -> dict[str, Any]:
    if entity.status == CanonicalStatus.MERGED and entity.merged_into_id:
        winner = MODELS[entity_type].objects.only("public_id").get(pk=entity.merged_into_id)
        return serializers.redirect_document(entity.public_id, winner.public_id)
    return serializers.SERIALIZERS[entity_type](entity_data(entity))


def sync_mark_dirty(*, entity_type: str, entity: Venue | Artist | Performance) -> int:
    """Record the document each target should hold; only a changed document makes a record dirty."""
    doc = entity_document(entity_type, entity)
    payload_hash = serializers.document_hash(doc)
    tombstone = doc.get("status") == "merged"
    changed = 0
    for target in SyncTarget.values:
        record, created = SyncRecord.objects.get_or_create(
            target=target,
            entity_type=entity_type,
            public_id=entity.public_id,
            defaults={"payload_hash": payload_hash, "tombstone": tombstone},
        )
        if created:
            changed += 1
            continue
        if record.payload_hash != payload_hash or record.tombstone != tombstone:
            SyncRecord.objects.filter(pk=record.pk).update(
                payload_hash=payload_hash,
                tombstone=tombstone,
                status=SyncStatus.SYNCED if payload_hash == record.synced_hash else SyncStatus.DIRTY,
                updated_at=timezone.now(),
            )
            changed += 1
    return changed


def sync_push(*, target: str, batch_size: int = 500, now: dt.datetime | None = None) -> dict[str, int]:
    """Push every dirty record of one target in batches; safe to run twice (the second run writes nothing)."""
    now = now or timezone.now()
    store = target_for(target)
    totals = {"written": 0, "deleted": 0, "failed": 0}
    due = Q(status=SyncStatus.DIRTY) | Q(status=SyncStatus.FAILED, retry_at__lte=now)
    last_pk = 0
    while True:
        batch = list(
            SyncRecord.objects.filter(due, target=target, pk__gt=last_pk).order_by("pk")[:batch_size]
        )
        if not batch:
            return totals
        last_pk = batch[-1].pk
        for entity_type in MODELS:
            records = [r for r in batch if r.entity_type == entity_type]
            if records:
                _push_records(store, target, entity_type, records, totals)


def _push_records(
    store: DocumentTarget, target: str, entity_type: str, records: list[SyncRecord], totals: dict[str, int]
) -> None:
    model = MODELS[entity_type]
    entities = {e.public_id: e for e in model.objects.filter(public_id__in=[r.public_id for r in records])}
    upserts: list[tuple[SyncRecord, str, dict[str, Any]]] = []
    removals: list[tuple[SyncRecord, str]] = []
    for record in records:
        entity = entities.get(record.public_id)
        if entity is None:
            removals.append((record, record.payload_hash))
            continue
        doc = entity_document(entity_type, entity)
        doc_hash = serializers.document_hash(doc)
        if target == SyncTarget.ALGOLIA:
            if doc.get("status") == "merged":
                removals.append((record, doc_hash))
            else:
                upserts.append((record, doc_hash, serializers.search_record(entity_type, doc)))
        else:
            upserts.append((record, doc_hash, doc))
    collection = (
        ALGOLIA_INDEXES[entity_type] if target == SyncTarget.ALGOLIA else serializers.COLLECTIONS[entity_type]
    )
    try:
        if upserts:
            store.upsert(collection, [(r.public_id, doc) for r, _, doc in upserts])
        if removals:
            store.delete(collection, [r.public_id for r, _ in removals])
    except Exception as exc:  # a target outage: keep the records dirty, retry with backoff
        logger.warning("sync to %s failed: %s", target, exc)
        for record in records:
            delay = dt.timedelta(seconds=min(3600, 30 * 2**record.attempts))
            SyncRecord.objects.filter(pk=record.pk).update(
                status=SyncStatus.FAILED,
                attempts=record.attempts + 1,
                last_error=f"{type(exc).__name__}: {exc}"[:2000],
                retry_at=timezone.now() + delay,
            )
        totals["failed"] += len(records)
        return
    now = timezone.now()
    for record, doc_hash in [(r, h) for r, h, _ in upserts] + removals:
        # Conditional: a change that arrived while we pushed keeps the record dirty for the next run.
        SyncRecord.objects.filter(pk=record.pk, payload_hash=record.payload_hash).update(
            payload_hash=doc_hash,
            synced_hash=doc_hash,
            status=SyncStatus.SYNCED,
            attempts=0,
            last_error="",
            synced_at=now,
            retry_at=None,
        )
    totals["written"] += len(upserts)
    totals["deleted"] += len(removals)
