"""Writes for sync: mark what changed, push each change once, record what each target holds.

Exactly once per change:
- `sync_mark_dirty` (run in the transaction that changed the entity) stores, per target, the hash of
  the content the target should hold; a record is dirty only when that differs from what was sent.
  A venue or artist whose embedded part (name, city...) changed marks every performance showing it
  (one UPDATE; the push serialises them afresh).
- `sync_push` claims a batch of due records (a conditional UPDATE: on PostgreSQL `SELECT ... FOR
  UPDATE SKIP LOCKED` first, so two pushes take disjoint batches), renews the claim just before
  sending, and finishes each record with one UPDATE fenced by its claim token. So two pushes never
  send one record at once; a record is sent again only after the push that held it finished (or its
  lease ran out, which is longer than any send can take), and it is always read afresh after the
  claim, so a newer version is never followed by an older one. A record whose fresh content is what
  the target already holds is not sent at all.
- A document over its target's size limit, or one that breaks the published contract, is rejected
  once, with the reason, and not sent again until the entity changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Count, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from core.queue import enqueue
from entities.models import (
    Artist,
    CanonicalStatus,
    EntitySource,
    Performance,
    PerformanceArtist,
    Venue,
)
from entities.services.recompute import ID_ONLY_SOURCE_KINDS
from images.selectors import image_variants_of, image_variants_prefetch
from sync import serializers
from sync.models import SyncRecord, SyncStatus, SyncTarget
from sync.serializers import ContractViolation
from sync.targets.base import DocumentTarget, WriteOutcome
from sync.targets.limits import algolia_problem, firestore_problem
from sync.targets.local import LocalDocumentStore

logger = logging.getLogger(__name__)

PUSH_ALL_TASK = "sync.tasks.sync_push_all_task"

MODELS: dict[str, type[Venue] | type[Artist] | type[Performance]] = {
    "venue": Venue,
    "artist": Artist,
    "performance": Performance,
}
ALGOLIA_INDEXES = serializers.INDEXES
MAX_RETRY_DELAY = dt.timedelta(hours=1)
# The payload hash of "the target should hold nothing" (a merged entity in a search index, a venue we
# may not publish): pushing it deletes whatever the target holds.
ABSENT = "absent"
# Embedding entities: what a change to them marks.
EMBEDDED_IN = {"venue": "venue", "artist": "billing__artist"}

Progress = Callable[[int], None]
Entity = Venue | Artist | Performance


def firestore_configured() -> bool:
    return bool(
        settings.FIRESTORE_PROJECT
        and (settings.FIRESTORE_EMULATOR_HOST or settings.GOOGLE_APPLICATION_CREDENTIALS)
    )


def algolia_configured() -> bool:
    return bool(settings.ALGOLIA_APP_ID and settings.ALGOLIA_API_KEY)


def target_for(name: str) -> DocumentTarget:
    """The configured target: Firestore with FIRESTORE_PROJECT and an emulator host or credentials,
    Algolia with ALGOLIA_APP_ID and ALGOLIA_API_KEY; otherwise the local stand-in (the embedded default),
    which checks the size limit of the target it stands in for."""
    if name == SyncTarget.FIRESTORE and firestore_configured():
        from sync.targets.firestore import FirestoreTarget

        return FirestoreTarget(
            project=settings.FIRESTORE_PROJECT,
            emulator_host=settings.FIRESTORE_EMULATOR_HOST,
            credentials_file=settings.GOOGLE_APPLICATION_CREDENTIALS,
            database=settings.FIRESTORE_DATABASE,
            retry_attempts=settings.SYNC_RETRY_ATTEMPTS,
            retry_base_delay=settings.SYNC_RETRY_BASE_SECONDS,
            initial_ops_per_second=settings.FIRESTORE_BULK_INITIAL_OPS,
            max_ops_per_second=settings.FIRESTORE_BULK_MAX_OPS,
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
            max_record_bytes=settings.ALGOLIA_MAX_RECORD_BYTES,
        )
    if name == SyncTarget.ALGOLIA:
        max_bytes = settings.ALGOLIA_MAX_RECORD_BYTES
        return LocalDocumentStore(
            settings.SYNC_LOCAL_DIR,
            name,
            problem=lambda _c, doc_id, doc: algolia_problem({**doc, "objectID": doc_id}, max_bytes=max_bytes),
        )
    return LocalDocumentStore(settings.SYNC_LOCAL_DIR, name, problem=firestore_problem)


def collection_for(target: str, entity_type: str) -> str:
    """Firestore collection or (unprefixed) Algolia index of an entity type."""
    if target == SyncTarget.ALGOLIA:
        return ALGOLIA_INDEXES[entity_type]
    return serializers.COLLECTIONS[entity_type]


# --- reading entities ----------------------------------------------------------------------------


def entity_queryset(entity_type: str) -> QuerySet[Any]:
    """Entities with what their documents need fetched in bulk (survivor, venue, billed artists)."""
    qs: QuerySet[Any] = MODELS[entity_type].objects.select_related("merged_into")
    if entity_type == "performance":
        qs = qs.select_related("venue").prefetch_related(
            Prefetch("billing", queryset=PerformanceArtist.objects.select_related("artist").order_by("order"))
        )
    return qs


# Set on a venue by `publishability_prefetch`: whether we may publish it (see `_publishable`).
PUBLISHABLE_ATTR = "_sync_publishable"


def _id_only_venues(venue_ids: Iterable[int]) -> set[int]:
    """Of these venues, those described by sources and only by ID-only ones (Google Places, Yelp)."""
    wanted = [pk for pk in set(venue_ids) if pk is not None]
    if not wanted:
        return set()
    rows = (
        EntitySource.objects.filter(venue_id__in=wanted)
        .values("venue_id")
        .annotate(content=Count("pk", filter=~Q(source__kind__in=ID_ONLY_SOURCE_KINDS)))
    )
    return {row["venue_id"] for row in rows if row["content"] == 0}


def publishability_prefetch(entities: Iterable[Entity]) -> None:
    """Decide for a batch, in one query, which venues (themselves, or embedded in performances) we may
    publish."""
    batch = list(entities)  # read twice
    venues = [e for e in batch if isinstance(e, Venue)]
    venues += [e.venue for e in batch if isinstance(e, Performance) and e.venue is not None]
    id_only = _id_only_venues(v.pk for v in venues)
    for venue in venues:
        setattr(venue, PUBLISHABLE_ATTR, venue.pk not in id_only or "name" in (venue.locked_fields or {}))


def _publishable(entity: Entity) -> bool:
    """False for a venue only Google Places or Yelp describe: their terms let us keep its ID, not publish
    anything of theirs, and every value it holds came from them (its name included) — unless staff set
    its name by hand. Artists and performances come from sources with content."""
    if not isinstance(entity, Venue):
        return True
    known = getattr(entity, PUBLISHABLE_ATTR, None)
    if known is not None:  # decided for the batch being pushed
        return bool(known)
    # One entity (marking): asked afresh, never cached on an instance whose sources may change.
    return entity.pk not in _id_only_venues([entity.pk]) or "name" in (entity.locked_fields or {})


def _venue_data(venue: Venue) -> dict[str, Any]:
    fields = [f.name for f in Venue._meta.concrete_fields if f.name not in {"id", "merged_into", "parent"}]
    parent = venue.parent_id and Venue.objects.filter(pk=venue.parent_id).values_list("public_id", flat=True)
    return {name: getattr(venue, name) for name in fields} | {
        "parent_id": parent.first() if parent else None,
        "image_variants": image_variants_of(venue),
    }


def entity_data(entity: Entity) -> dict[str, Any]:
    """The plain mapping the pure serialisers take."""
    if isinstance(entity, Venue):
        return _venue_data(entity)
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
                "public_id": venue.public_id,
                "name": venue.name,
                "locality": venue.locality,
                "region": venue.region,
                "country": venue.country,
                "latitude": venue.latitude,
                "longitude": venue.longitude,
                "publishable": _publishable(venue),
            }
            if venue
            else None
        ),
        "artists": [
            {
                "public_id": b.artist.public_id,
                "name": b.artist.name,
                "billing": b.billing or None,
                "order": b.order,
            }
            for b in billing
        ],
        "local_date": entity.local_date.isoformat(),
        "local_start_time": entity.local_start_time.isoformat() if entity.local_start_time else None,
        "local_doors_time": entity.local_doors_time.isoformat() if entity.local_doors_time else None,
        "timezone": entity.timezone,
        "starts_at": entity.starts_at,
        "time_precision": entity.time_precision,
        "ticket_status": entity.ticket_status,
        "previous_dates": entity.previous_dates,
        "offers": entity.offers,
        "url": entity.url,
        "image_urls": entity.image_urls,
        "image_variants": image_variants_of(entity),
        "external_ids": entity.external_ids,
    }


def entity_document(
    entity_type: str, entity: Entity, *, updated_at: dt.datetime, publishable: bool | None = None
) -> serializers.Document | None:
    """The Firestore document of an entity (its redirect once merged); None for one we do not publish.
    Raises ContractViolation for an entity whose document would break the contract."""
    if entity.status == CanonicalStatus.MERGED and entity.merged_into_id:
        winner = entity.merged_into
        assert winner is not None
        return serializers.redirect_document(entity.public_id, winner.public_id, updated_at=updated_at)
    if not (_publishable(entity) if publishable is None else publishable):
        return None
    return serializers.SERIALIZERS[entity_type](entity_data(entity), updated_at=updated_at)


def target_payload(
    target: str, entity_type: str, doc: serializers.Document | None
) -> tuple[dict[str, Any] | None, str]:
    """What `target` should hold for a document (None: nothing), and the hash of its content. Firestore
    holds the document itself (a merged entity's is its redirect); Algolia a search record, and nothing
    for a merged entity. Hashing per target means a change that does not show in a search record (a
    phone number) costs no Algolia write."""
    if doc is None:
        return None, ABSENT
    if target == SyncTarget.ALGOLIA:
        record = serializers.search_record(entity_type, doc)
        if record is None:
            return None, ABSENT
        payload = serializers.algolia_payload(record)
    else:
        payload = serializers.firestore_payload(doc)
    return payload, serializers.content_hash(payload)


def _stamp(target: str, payload: dict[str, Any], when: dt.datetime) -> dict[str, Any]:
    """The payload with `updated_at` set to `when` (a Timestamp in Firestore, Unix seconds in Algolia)."""
    value: Any = int(when.timestamp()) if target == SyncTarget.ALGOLIA else when.astimezone(dt.UTC)
    return {**payload, serializers.UPDATED_AT: value}


def _invalid_hash(problem: str) -> str:
    return "invalid:" + hashlib.sha256(problem.encode()).hexdigest()[:56]


@dataclass(frozen=True)
class Expected:
    """What one target should hold for one entity."""

    payload: dict[str, Any] | None  # None: nothing
    hash: str
    tombstone: bool
    problem: str = ""  # why the entity cannot be published (a contract violation)


def expected_for(
    entity_type: str,
    entity: Entity,
    *,
    updated_at: dt.datetime,
    publishable: bool | None = None,
    targets: tuple[str, ...] = tuple(SyncTarget.values),
) -> dict[str, Expected]:
    """Per target (all, or those named), what it should hold for this entity."""
    tombstone = entity.status == CanonicalStatus.MERGED and bool(entity.merged_into_id)
    try:
        doc = entity_document(entity_type, entity, updated_at=updated_at, publishable=publishable)
        expected = {}
        for target in targets:
            payload, payload_hash = target_payload(target, entity_type, doc)
            expected[target] = Expected(payload, payload_hash, tombstone)
        return expected
    except ContractViolation as exc:
        logger.error("not publishing %s %s: %s", entity_type, entity.public_id, exc)
        problem = str(exc)[:2000]
        return {t: Expected(None, _invalid_hash(problem), tombstone, problem) for t in targets}


def expected_payloads(
    target: str, entity_type: str, *, chunk_size: int = 500
) -> Iterator[tuple[str, Expected]]:
    """(public ID, what the target should hold) for every entity of a type, from the database, read
    `chunk_size` entities at a time (keyset pagination on pk, related rows fetched per chunk). Documents
    carry the `updated_at` their records hold."""
    last_pk = 0
    while True:
        chunk = list(entity_queryset(entity_type).filter(pk__gt=last_pk).order_by("pk")[:chunk_size])
        if not chunk:
            return
        last_pk = chunk[-1].pk
        image_variants_prefetch(chunk)
        publishability_prefetch(chunk)
        changed = dict(
            SyncRecord.objects.filter(
                target=target, entity_type=entity_type, public_id__in=[e.public_id for e in chunk]
            ).values_list("public_id", "changed_at")
        )
        now = timezone.now()
        for entity in chunk:
            updated_at = changed.get(entity.public_id) or now
            yield (
                entity.public_id,
                expected_for(entity_type, entity, updated_at=updated_at, targets=(target,))[target],
            )


# --- marking -------------------------------------------------------------------------------------


def sync_records_retry(records: QuerySet[SyncRecord]) -> int:
    """Push these records again (those not in sync): mark them dirty now and queue a push."""
    count = records.exclude(status=SyncStatus.SYNCED).update(status=SyncStatus.DIRTY, retry_at=None)
    enqueue(PUSH_ALL_TASK)
    return count


def _embed_hash(entity: Entity, *, publishable: bool) -> str:
    """The hash of what performance documents embed of this venue or artist."""
    if entity.status == CanonicalStatus.MERGED:
        return "merged"
    if isinstance(entity, Venue):
        data = {
            "public_id": entity.public_id,
            "name": entity.name,
            "locality": entity.locality,
            "region": entity.region,
            "country": entity.country,
            "latitude": entity.latitude,
            "longitude": entity.longitude,
            "publishable": publishable,
        }
        embedded: Any = serializers.venue_ref(data)
    else:
        embedded = serializers.artist_ref({"public_id": entity.public_id, "name": entity.name})
    return serializers.content_hash({"embedded": embedded})


def sync_mark_dirty(*, entity_type: str, entity: Entity) -> int:
    """Record the document each target should hold; only a changed payload makes a record dirty. A venue
    or artist whose embedded part changed marks the performance documents that embed it as well."""
    now = timezone.now()
    publishable = _publishable(entity)
    expected = expected_for(entity_type, entity, updated_at=now, publishable=publishable)
    embed_hash = _embed_hash(entity, publishable=publishable) if entity_type in EMBEDDED_IN else ""
    changed = 0
    # One query for every target's record: marking an unchanged entity (the common case) costs only that.
    existing = {
        r.target: r
        for r in SyncRecord.objects.filter(entity_type=entity_type, public_id=entity.public_id).only(
            "pk", "target", "payload_hash", "synced_hash", "tombstone", "embed_hash"
        )
    }
    embeds_changed = len(existing) < len(SyncTarget.values) or any(
        r.embed_hash != embed_hash for r in existing.values()
    )
    for target in SyncTarget.values:
        wanted = expected[target]
        record = existing.get(target)
        if record is None:
            # Nothing to send for an entity the target should not hold and was never sent.
            first_status = (
                SyncStatus.REJECTED
                if wanted.problem
                else SyncStatus.SYNCED
                if wanted.hash == ABSENT
                else SyncStatus.DIRTY
            )
            try:
                with transaction.atomic():
                    SyncRecord.objects.create(
                        target=target,
                        entity_type=entity_type,
                        public_id=entity.public_id,
                        payload_hash=wanted.hash,
                        synced_hash=ABSENT if first_status == SyncStatus.SYNCED else "",
                        tombstone=wanted.tombstone,
                        status=first_status,
                        last_error=wanted.problem,
                        changed_at=now,
                        embed_hash=embed_hash,
                    )
                changed += 1
                continue
            except IntegrityError:  # another worker created it meanwhile: compare with theirs
                record = SyncRecord.objects.get(
                    target=target, entity_type=entity_type, public_id=entity.public_id
                )
        if record.payload_hash != wanted.hash or record.tombstone != wanted.tombstone:
            # Synced or dirty is decided by the row as it is when the UPDATE runs, not as we read it:
            # a push that finished meanwhile may have sent exactly this content.
            status: Any = (
                Value(SyncStatus.REJECTED)
                if wanted.problem
                else Case(
                    When(synced_hash=wanted.hash, then=Value(SyncStatus.SYNCED)),
                    default=Value(SyncStatus.DIRTY),
                )
            )
            SyncRecord.objects.filter(pk=record.pk).update(
                payload_hash=wanted.hash,
                tombstone=wanted.tombstone,
                status=status,
                last_error=wanted.problem,
                retry_at=None,
                changed_at=now,
                embed_hash=embed_hash,
            )
            changed += 1
        elif embed_hash and record.embed_hash != embed_hash:
            SyncRecord.objects.filter(pk=record.pk).update(embed_hash=embed_hash)
    if embed_hash and embeds_changed:
        changed += _mark_embedding(entity_type, entity)
    return changed


def _mark_embedding(entity_type: str, entity: Entity) -> int:
    """Mark the records of every performance whose document embeds this venue or artist (renamed,
    moved...): one UPDATE, however many shows. Their payloads are serialised afresh when pushed (a push
    always reads the entity again), so marking them costs no serialising here."""
    shows = Performance.objects.filter(**{EMBEDDED_IN[entity_type]: entity}).values("public_id")
    return SyncRecord.objects.filter(
        entity_type="performance",
        public_id__in=shows,
        status__in=[SyncStatus.SYNCED, SyncStatus.REJECTED],
    ).update(status=SyncStatus.DIRTY, retry_at=None)


# --- pushing -------------------------------------------------------------------------------------


def due_records(target: str, now: dt.datetime) -> QuerySet[SyncRecord]:
    due = Q(status=SyncStatus.DIRTY) | Q(status=SyncStatus.FAILED, retry_at__lte=now)
    return SyncRecord.objects.filter(due, target=target)


def _unclaimed(now: dt.datetime) -> Q:
    return Q(claim_token="") | Q(claimed_until__lt=now)


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.SYNC_CLAIM_LEASE_SECONDS)


def _claim(target: str, token: str, *, size: int, now: dt.datetime, after_pk: int) -> list[SyncRecord]:
    """Claim up to `size` due records after `after_pk` that no other push holds; the claimed records.

    SKIP LOCKED (PostgreSQL) passes over rows another push is claiming at this instant instead of
    waiting for it; the conditional UPDATE is what makes a claim exclusive on every database."""
    clock = timezone.now()
    with transaction.atomic():
        candidates = (
            due_records(target, now)
            .filter(_unclaimed(clock), pk__gt=after_pk)
            .order_by("pk")
            .select_for_update(skip_locked=True)
        )
        ids = list(candidates.values_list("pk", flat=True)[:size])
        if not ids:
            return []
        SyncRecord.objects.filter(_unclaimed(clock), pk__in=ids).update(
            claim_token=token, claimed_until=clock + _lease()
        )
    return list(SyncRecord.objects.filter(pk__in=ids, claim_token=token).order_by("pk"))


def _renew(token: str, records: list[SyncRecord]) -> list[SyncRecord]:
    """Extend our claim just before sending; the records still ours (a claim whose lease ran out may
    have been taken over: those are not sent)."""
    pks = [r.pk for r in records]
    SyncRecord.objects.filter(pk__in=pks, claim_token=token).update(claimed_until=timezone.now() + _lease())
    ours = set(SyncRecord.objects.filter(pk__in=pks, claim_token=token).values_list("pk", flat=True))
    return [r for r in records if r.pk in ours]


def _release(token: str) -> None:
    SyncRecord.objects.filter(claim_token=token).update(claim_token="", claimed_until=None)


def sync_push(
    *,
    target: str,
    batch_size: int | None = None,
    now: dt.datetime | None = None,
    store: DocumentTarget | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Push every due record of one target in claimed batches; safe to run twice, and concurrently (the
    second run writes nothing; two at once never send one record twice).

    A target that stays unavailable through the in-call retries ends the run: its batch is marked failed
    (retry_at backs off) and the rest stays dirty for the next run, so an outage costs one batch's retries
    per run, not one per batch."""
    now = now or timezone.now()
    own_store = store is None
    store = store or target_for(target)
    size = batch_size or store.max_batch
    totals = {"written": 0, "deleted": 0, "failed": 0, "rejected": 0}
    token = uuid.uuid4().hex
    last_pk = 0
    try:
        while True:
            batch = _claim(target, token, size=size, now=now, after_pk=last_pk)
            if not batch:
                return totals
            last_pk = batch[-1].pk
            try:
                for entity_type in MODELS:
                    records = [r for r in batch if r.entity_type == entity_type]
                    if records and not _push_records(store, target, entity_type, records, totals, token):
                        return totals
            finally:
                _release(token)  # whatever a failure left claimed
            if progress is not None:
                progress(len(batch))
    finally:
        if own_store:
            store.close()


@dataclass
class Item:
    record: SyncRecord
    payload: dict[str, Any] | None  # None: delete
    hash: str


def _push_records(
    store: DocumentTarget,
    target: str,
    entity_type: str,
    records: list[SyncRecord],
    totals: dict[str, int],
    token: str,
) -> bool:
    """Send one batch of records of one type, read afresh; False when the target is unavailable."""
    sent_at = timezone.now()
    entities = {
        e.public_id: e
        for e in entity_queryset(entity_type).filter(public_id__in=[r.public_id for r in records])
    }
    image_variants_prefetch(entities.values())  # one query for the batch's processed images
    publishability_prefetch(entities.values())
    collection = collection_for(target, entity_type)
    in_sync: list[tuple[SyncRecord, str]] = []
    rejected: list[tuple[SyncRecord, str, str]] = []
    items: list[Item] = []
    for record in records:
        entity = entities.get(record.public_id)
        if entity is None:  # removed from the database: remove it from the target
            wanted = Expected(None, ABSENT, record.tombstone)
        else:
            # Unchanged since marked: the document keeps the time its content changed; otherwise it
            # changed just now, as far as anyone reading it can tell.
            stamp = record.changed_at or sent_at
            wanted = expected_for(entity_type, entity, updated_at=stamp, targets=(target,))[target]
        if wanted.problem:
            rejected.append((record, wanted.hash, wanted.problem))
        elif wanted.hash == record.synced_hash or (wanted.payload is None and not record.synced_hash):
            in_sync.append((record, wanted.hash))  # the target holds this already (or never held it)
        elif wanted.payload is None:
            items.append(Item(record, None, wanted.hash))
        else:
            when = record.changed_at if wanted.hash == record.payload_hash and record.changed_at else sent_at
            payload = _stamp(target, wanted.payload, when)
            problem = store.document_problem(collection, record.public_id, payload)
            if problem:
                rejected.append((record, wanted.hash, problem))
            else:
                items.append(Item(record, payload, wanted.hash))
    _finish_sent(token, in_sync, sent_at)
    _finish_rejected(token, rejected)
    totals["rejected"] += len(rejected)
    if not items:
        return True
    ours = {r.pk for r in _renew(token, [i.record for i in items])}
    items = [i for i in items if i.record.pk in ours]
    return _send(store, collection, items, totals, token, sent_at)


def _send(
    store: DocumentTarget,
    collection: str,
    items: list[Item],
    totals: dict[str, int],
    token: str,
    sent_at: dt.datetime,
) -> bool:
    if not items:
        return True
    outcome: WriteOutcome = store.write(
        collection,
        [(i.record.public_id, i.payload) for i in items if i.payload is not None],
        [i.record.public_id for i in items if i.payload is None],
    )
    by_id = {i.record.public_id: i for i in items}
    done = [by_id[d] for d in outcome.done if d in by_id]
    _finish_sent(token, [(i.record, i.hash) for i in done], sent_at)
    totals["written"] += sum(1 for i in done if i.payload is not None)
    totals["deleted"] += sum(1 for i in done if i.payload is None)
    refused = [(by_id[d], reason) for d, reason in outcome.refused.items() if d in by_id]
    together = [by_id[d] for d in outcome.refused_together if d in by_id]
    if len(together) == 1 and not outcome.refused:
        # The request held one document: it is the one at fault.
        refused.append((together[0], outcome.refused_together[together[0].record.public_id]))
        together = []
    if refused:
        for item, reason in refused:
            logger.warning(
                "sync to %s rejected %s/%s: %s", store.name, collection, item.record.public_id, reason
            )
        _finish_rejected(token, [(i.record, i.hash, reason) for i, reason in refused])
        totals["rejected"] += len(refused)
    if together:
        # Refused as a request without naming the document at fault: halve it until the one bad
        # document is alone, so it does not hold back the others.
        middle = len(together) // 2
        if not (
            _send(store, collection, together[:middle], totals, token, sent_at)
            and _send(store, collection, together[middle:], totals, token, sent_at)
        ):
            return False
    if outcome.failure is not None:
        # An outage that outlived the in-call retries, or a refusal that is not about the documents
        # (credentials, permissions): keep what was not written and retry it later with backoff.
        settled = set(outcome.done) | set(outcome.refused) | set(outcome.refused_together)
        unsent = [i.record for i in items if i.record.public_id not in settled]
        exc = outcome.failure
        logger.warning("sync to %s failed: %s: %s", store.name, type(exc).__name__, exc)
        _finish_failed(token, unsent, exc)
        totals["failed"] += len(unsent)
        return False
    return True


def _run_many(sql: str, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def _columns() -> tuple[str, dict[str, str]]:
    ops = connection.ops
    column = {f.name: ops.quote_name(str(f.column)) for f in SyncRecord._meta.concrete_fields}
    return ops.quote_name(SyncRecord._meta.db_table), column


def _finish_sent(token: str, finished: list[tuple[SyncRecord, str]], sent_at: dt.datetime) -> None:
    """The target holds `hash` now. The record is synced if nothing changed since it was read (or it
    changed into exactly what was sent), else it stays dirty for the next push. The content hash the
    push found becomes the record's when the record had not moved on meanwhile. One prepared UPDATE per
    record (`executemany`), fenced by the claim: a push whose claim was taken over writes nothing.
    Every right-hand side reads the row as it was before this UPDATE (SQL semantics)."""
    table, c = _columns()
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    changed_at = ops.adapt_datetimefield_value(sent_at)
    sql = (
        f"UPDATE {table} SET "
        f"{c['payload_hash']} = CASE WHEN {c['payload_hash']} = %s THEN %s ELSE {c['payload_hash']} END, "
        f"{c['changed_at']} = CASE WHEN {c['payload_hash']} = %s AND %s THEN %s ELSE {c['changed_at']} END, "
        f"{c['status']} = CASE WHEN {c['payload_hash']} = %s OR {c['payload_hash']} = %s THEN %s ELSE %s END, "
        f"{c['synced_hash']} = %s, {c['attempts']} = 0, {c['last_error']} = '', {c['synced_at']} = %s, "
        f"{c['retry_at']} = NULL, {c['claim_token']} = '', {c['claimed_until']} = NULL "
        f"WHERE {c['id']} = %s AND {c['claim_token']} = %s"
    )
    rows = []
    for record, sent in finished:
        read = record.payload_hash
        rows.append(
            (read, sent, read, read != sent, changed_at, read, sent, SyncStatus.SYNCED.value)
            + (SyncStatus.DIRTY.value, sent, now, record.pk, token)
        )
    _run_many(sql, rows)


def _finish_rejected(token: str, rejected: list[tuple[SyncRecord, str, str]]) -> None:
    """Rejected for good, with the reason, unless the record moved on meanwhile (then it stays dirty)."""
    table, c = _columns()
    sql = (
        f"UPDATE {table} SET "
        f"{c['payload_hash']} = CASE WHEN {c['payload_hash']} = %s THEN %s ELSE {c['payload_hash']} END, "
        f"{c['status']} = CASE WHEN {c['payload_hash']} = %s OR {c['payload_hash']} = %s THEN %s ELSE %s END, "
        f"{c['last_error']} = %s, {c['retry_at']} = NULL, {c['attempts']} = {c['attempts']} + 1, "
        f"{c['claim_token']} = '', {c['claimed_until']} = NULL "
        f"WHERE {c['id']} = %s AND {c['claim_token']} = %s"
    )
    rows = [
        (r.payload_hash, h, r.payload_hash, h, SyncStatus.REJECTED.value, SyncStatus.DIRTY.value)
        + (reason[:2000], r.pk, token)
        for r, h, reason in rejected
    ]
    _run_many(sql, rows)


def _finish_failed(token: str, records: list[SyncRecord], exc: BaseException) -> None:
    """Failed, to be retried after 30 s, then 1, 2, 4 ... minutes, at most an hour apart: forever, so
    an outage of any length loses nothing."""
    now = timezone.now()
    with transaction.atomic():
        for record in records:
            delay = min(MAX_RETRY_DELAY, dt.timedelta(seconds=30 * 2 ** min(record.attempts, 12)))
            SyncRecord.objects.filter(pk=record.pk, claim_token=token).update(
                status=SyncStatus.FAILED,
                attempts=record.attempts + 1,
                last_error=f"{type(exc).__name__}: {exc}"[:2000],
                retry_at=now + delay,
                claim_token="",
                claimed_until=None,
            )
