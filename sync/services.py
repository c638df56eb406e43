"""Writes for sync: mark what changed, push it once, record what each target holds."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from core.queue import enqueue
from entities.models import Artist, CanonicalStatus, Performance, PerformanceArtist, Venue
from images.selectors import image_variants_of, image_variants_prefetch
from sync import serializers
from sync.models import SyncRecord, SyncStatus, SyncTarget
from sync.targets.base import DocumentTarget, TargetRefused
from sync.targets.local import LocalDocumentStore

logger = logging.getLogger(__name__)

PUSH_ALL_TASK = "sync.tasks.sync_push_all_task"

MODELS: dict[str, type[Venue] | type[Artist] | type[Performance]] = {
    "venue": Venue,
    "artist": Artist,
    "performance": Performance,
}
ALGOLIA_INDEXES = {"venue": "venues", "artist": "artists", "performance": "performances"}
MAX_RETRY_DELAY = dt.timedelta(hours=1)

Progress = Callable[[int], None]


def firestore_configured() -> bool:
    return bool(
        settings.FIRESTORE_PROJECT
        and (settings.FIRESTORE_EMULATOR_HOST or settings.GOOGLE_APPLICATION_CREDENTIALS)
    )


def algolia_configured() -> bool:
    return bool(settings.ALGOLIA_APP_ID and settings.ALGOLIA_API_KEY)


def target_for(name: str) -> DocumentTarget:
    """The configured target: Firestore with FIRESTORE_PROJECT and an emulator host or credentials,
    Algolia with ALGOLIA_APP_ID and ALGOLIA_API_KEY; otherwise the local stand-in (the embedded default)."""
    if name == SyncTarget.FIRESTORE and firestore_configured():
        from sync.targets.firestore import FirestoreTarget

        return FirestoreTarget(
            project=settings.FIRESTORE_PROJECT,
            emulator_host=settings.FIRESTORE_EMULATOR_HOST,
            credentials_file=settings.GOOGLE_APPLICATION_CREDENTIALS,
            database=settings.FIRESTORE_DATABASE,
            retry_attempts=settings.SYNC_RETRY_ATTEMPTS,
            retry_base_delay=settings.SYNC_RETRY_BASE_SECONDS,
        )
    if name == SyncTarget.ALGOLIA and algolia_configured():
        from sync.targets.algolia import AlgoliaTarget

        return AlgoliaTarget(
            app_id=settings.ALGOLIA_APP_ID,
            api_key=settings.ALGOLIA_API_KEY,
            index_prefix=settings.ALGOLIA_INDEX_PREFIX,
            hosts=settings.ALGOLIA_HOSTS,
            retry_attempts=settings.SYNC_RETRY_ATTEMPTS,
            retry_base_delay=settings.SYNC_RETRY_BASE_SECONDS,
        )
    return LocalDocumentStore(settings.SYNC_LOCAL_DIR, name)


def collection_for(target: str, entity_type: str) -> str:
    """Firestore collection or (unprefixed) Algolia index of an entity type."""
    if target == SyncTarget.ALGOLIA:
        return ALGOLIA_INDEXES[entity_type]
    return serializers.COLLECTIONS[entity_type]


def entity_queryset(entity_type: str) -> QuerySet[Any]:
    """Entities with what their documents need fetched in bulk (survivor, venue, billed artists)."""
    qs: QuerySet[Any] = MODELS[entity_type].objects.select_related("merged_into")
    if entity_type == "performance":
        qs = qs.select_related("venue").prefetch_related(
            Prefetch("billing", queryset=PerformanceArtist.objects.select_related("artist").order_by("order"))
        )
    return qs


def entity_data(entity: Venue | Artist | Performance) -> dict[str, Any]:
    """The plain mapping the pure serialisers take."""
    if isinstance(entity, Venue):
        fields = [
            f.name for f in Venue._meta.concrete_fields if f.name not in {"id", "merged_into", "parent"}
        ]
        return {name: getattr(entity, name) for name in fields} | {
            "image_variants": image_variants_of(entity)
        }
    if isinstance(entity, Artist):
        fields = [f.name for f in Artist._meta.concrete_fields if f.name not in {"id", "merged_into"}]
        return {name: getattr(entity, name) for name in fields} | {
            "image_variants": image_variants_of(entity)
        }
    venue = entity.venue
    # Billing prefetched by `entity_queryset` when there is a batch of performances; one query otherwise.
    if "billing" in getattr(entity, "_prefetched_objects_cache", {}):
        billing = list(entity.billing.all())
    else:
        billing = list(entity.billing.select_related("artist").order_by("order"))
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
            for b in billing
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
        "image_variants": image_variants_of(entity),
        "external_ids": entity.external_ids,
    }


def entity_document(entity_type: str, entity: Venue | Artist | Performance) -> dict[str, Any]:
    if entity.status == CanonicalStatus.MERGED and entity.merged_into_id:
        winner = entity.merged_into
        assert winner is not None
        return serializers.redirect_document(entity.public_id, winner.public_id)
    return serializers.SERIALIZERS[entity_type](entity_data(entity))


def target_payload(target: str, entity_type: str, doc: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """What `target` should hold for a document, and its hash. Firestore holds the document itself (a
    merged entity's is its redirect); Algolia holds a search record, and nothing for a merged entity.
    Hashing the payload per target means a change that does not show in a search record (a phone
    number) costs no Algolia write."""
    if target == SyncTarget.ALGOLIA:
        if doc.get("status") == "merged":
            return None, serializers.document_hash(doc)
        record = serializers.search_record(entity_type, doc)
        return record, serializers.document_hash(record)
    return doc, serializers.document_hash(doc)


def expected_payloads(
    target: str, entity_type: str, *, chunk_size: int = 500
) -> Iterator[tuple[str, dict[str, Any] | None, str, bool]]:
    """(public ID, payload or None, hash, tombstone) for every entity of a type, from the database,
    read `chunk_size` entities at a time (keyset pagination on pk, related rows fetched per chunk)."""
    last_pk = 0
    while True:
        chunk = list(entity_queryset(entity_type).filter(pk__gt=last_pk).order_by("pk")[:chunk_size])
        if not chunk:
            return
        last_pk = chunk[-1].pk
        image_variants_prefetch(chunk)
        for entity in chunk:
            doc = entity_document(entity_type, entity)
            payload, payload_hash = target_payload(target, entity_type, doc)
            yield entity.public_id, payload, payload_hash, doc.get("status") == "merged"


def sync_records_retry(records: QuerySet[SyncRecord]) -> int:
    """Push these records again (those not in sync): mark them dirty now and queue a push."""
    count = records.exclude(status=SyncStatus.SYNCED).update(status=SyncStatus.DIRTY, retry_at=None)
    enqueue(PUSH_ALL_TASK)
    return count


def sync_mark_dirty(*, entity_type: str, entity: Venue | Artist | Performance) -> int:
    """Record the document each target should hold; only a changed payload makes a record dirty."""
    doc = entity_document(entity_type, entity)
    tombstone = doc.get("status") == "merged"
    changed = 0
    # One query for every target's record: marking an unchanged entity (the common case) costs only that.
    existing = {
        r.target: r
        for r in SyncRecord.objects.filter(entity_type=entity_type, public_id=entity.public_id).only(
            "pk", "target", "payload_hash", "synced_hash", "tombstone"
        )
    }
    for target in SyncTarget.values:
        _, payload_hash = target_payload(target, entity_type, doc)
        record = existing.get(target)
        if record is None:
            try:
                with transaction.atomic():
                    SyncRecord.objects.create(
                        target=target,
                        entity_type=entity_type,
                        public_id=entity.public_id,
                        payload_hash=payload_hash,
                        tombstone=tombstone,
                    )
                changed += 1
                continue
            except IntegrityError:  # another worker created it meanwhile: compare with theirs
                record = SyncRecord.objects.get(
                    target=target, entity_type=entity_type, public_id=entity.public_id
                )
        if record.payload_hash != payload_hash or record.tombstone != tombstone:
            SyncRecord.objects.filter(pk=record.pk).update(
                payload_hash=payload_hash,
                tombstone=tombstone,
                status=SyncStatus.SYNCED if payload_hash == record.synced_hash else SyncStatus.DIRTY,
                updated_at=timezone.now(),
            )
            changed += 1
    return changed


def due_records(target: str, now: dt.datetime) -> QuerySet[SyncRecord]:
    due = Q(status=SyncStatus.DIRTY) | Q(status=SyncStatus.FAILED, retry_at__lte=now)
    return SyncRecord.objects.filter(due, target=target)


def sync_push(
    *,
    target: str,
    batch_size: int | None = None,
    now: dt.datetime | None = None,
    store: DocumentTarget | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Push every due record of one target in batches; safe to run twice (the second run writes nothing).

    A target that stays unavailable through the in-call retries ends the run: its batch is marked failed
    (retry_at backs off) and the rest stays dirty for the next run, so an outage costs one batch's retries
    per run, not one per batch."""
    now = now or timezone.now()
    own_store = store is None
    store = store or target_for(target)
    size = batch_size or store.max_batch
    totals = {"written": 0, "deleted": 0, "failed": 0}
    last_pk = 0
    try:
        while True:
            batch = list(due_records(target, now).filter(pk__gt=last_pk).order_by("pk")[:size])
            if not batch:
                return totals
            last_pk = batch[-1].pk
            for entity_type in MODELS:
                records = [r for r in batch if r.entity_type == entity_type]
                if records and not _push_records(store, target, entity_type, records, totals, now):
                    return totals
            if progress is not None:
                progress(len(batch))
    finally:
        if own_store:
            store.close()


Item = tuple[SyncRecord, dict[str, Any] | None, str]  # record, payload (None: delete), hash


def _push_records(
    store: DocumentTarget,
    target: str,
    entity_type: str,
    records: list[SyncRecord],
    totals: dict[str, int],
    now: dt.datetime,
) -> bool:
    """Send one batch of records of one type; False when the target is unavailable."""
    entities = {
        e.public_id: e
        for e in entity_queryset(entity_type).filter(public_id__in=[r.public_id for r in records])
    }
    image_variants_prefetch(entities.values())  # one query for the batch's processed images
    items: list[Item] = []
    for record in records:
        entity = entities.get(record.public_id)
        if entity is None:  # removed from the database: remove it from the target
            items.append((record, None, record.payload_hash))
            continue
        payload, payload_hash = target_payload(target, entity_type, entity_document(entity_type, entity))
        items.append((record, payload, payload_hash))
    return _send(store, collection_for(target, entity_type), items, totals, now)


def _send(
    store: DocumentTarget, collection: str, items: list[Item], totals: dict[str, int], now: dt.datetime
) -> bool:
    upserts = [(r.public_id, payload) for r, payload, _ in items if payload is not None]
    removals = [r.public_id for r, payload, _ in items if payload is None]
    try:
        if upserts:
            store.upsert(collection, upserts)
        if removals:
            store.delete(collection, removals)
    except TargetRefused as exc:
        # The target refused the request: halve it until the record it refuses is alone, so one bad
        # document does not hold back the others.
        if len(items) > 1:
            middle = len(items) // 2
            return _send(store, collection, items[:middle], totals, now) and _send(
                store, collection, items[middle:], totals, now
            )
        logger.warning("sync to %s refused %s/%s: %s", store.name, collection, items[0][0].public_id, exc)
        _mark_failed([items[0][0]], exc, now)
        totals["failed"] += 1
        return True
    except Exception as exc:
        # An outage that outlived the in-call retries (TargetUnavailable), or a refusal that is not about
        # the documents (credentials, permissions): keep the records and retry them later with backoff.
        logger.warning("sync to %s failed: %s: %s", store.name, type(exc).__name__, exc)
        _mark_failed([r for r, _, _ in items], exc, now)
        totals["failed"] += len(items)
        return False
    _mark_synced([(record, payload_hash) for record, _, payload_hash in items])
    totals["written"] += len(upserts)
    totals["deleted"] += len(removals)
    return True


@transaction.atomic
def _mark_synced(sent: list[tuple[SyncRecord, str]]) -> None:
    """Mark records synced with the hash sent, each only if its payload hash is still the one read
    before the push: a change that arrived meanwhile keeps its record dirty for the next run. One
    prepared UPDATE run for every record (`executemany`), in one transaction."""
    if not sent:
        return
    ops = connection.ops
    column = {f.name: ops.quote_name(str(f.column)) for f in SyncRecord._meta.concrete_fields}
    sql = (
        f"UPDATE {ops.quote_name(SyncRecord._meta.db_table)} SET {column['payload_hash']} = %s, "
        f"{column['synced_hash']} = %s, {column['status']} = %s, {column['attempts']} = 0, "
        f"{column['last_error']} = '', {column['synced_at']} = %s, {column['retry_at']} = NULL "
        f"WHERE {column['id']} = %s AND {column['payload_hash']} = %s"
    )
    synced_at = ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [(h, h, SyncStatus.SYNCED.value, synced_at, r.pk, r.payload_hash) for r, h in sent],
        )


@transaction.atomic
def _mark_failed(records: list[SyncRecord], exc: BaseException, now: dt.datetime) -> None:
    """Failed, to be retried after 30 s, then 1, 2, 4 ... minutes, at most an hour apart: forever, so
    an outage of any length loses nothing."""
    for record in records:
        delay = min(MAX_RETRY_DELAY, dt.timedelta(seconds=30 * 2 ** min(record.attempts, 12)))
        SyncRecord.objects.filter(pk=record.pk).update(
            status=SyncStatus.FAILED,
            attempts=record.attempts + 1,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            retry_at=now + delay,
        )
