"""Compare a target with the database and repair it; rebuild an Algolia index without downtime.

The database is the truth: every entity's payload for the target is serialised again and hashed
(`sync.services.expected_payloads`) and compared with the hash of each target document's content
(`list_hashes`: whole documents are read, so an edit made by hand in a console shows too; `updated_at`
is left out of both hashes). Drift comes in three kinds: missing (in the database, not in the target),
extra (in the target, not expected: removed entities, merged ones in Algolia, venues we may not
publish, strangers) and stale (hashes differ). Records rejected for good (too big, outside the
contract) are reported apart: repairing cannot help them until their entity changes.

`sync_reconcile_run` is what the schedule runs: it reconciles each target, repairs, and stores a
`ReconcileRun` that the pipeline dashboard shows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from sync.models import ReconcileRun, SyncRecord, SyncStatus, SyncTarget
from sync.services import (
    MODELS,
    Progress,
    collection_for,
    expected_payloads,
    sync_push,
    target_for,
)
from sync.targets.base import DocumentTarget, WritesBy

EXAMPLES = 20  # IDs kept per kind of drift in a stored run

logger = logging.getLogger(__name__)


@dataclass
class Drift:
    entity_type: str
    collection: str
    expected: int = 0
    found: int = 0
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # rejected for good: not repairable by a push
    settings: dict[str, list[str]] = field(default_factory=dict)  # Algolia: index -> differing settings

    @property
    def clean(self) -> bool:
        return not (self.missing or self.extra or self.stale or self.settings)


@dataclass
class ReconcileReport:
    target: str
    drift: list[Drift]
    repaired: dict[str, int] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return all(d.clean for d in self.drift)


def _expected(target: str, entity_type: str, progress: Progress | None) -> dict[str, tuple[str, bool]]:
    """public ID -> (hash, tombstone) of what the target should hold, for entities it should hold."""
    expected: dict[str, tuple[str, bool]] = {}
    for public_id, wanted in expected_payloads(target, entity_type):
        if wanted.payload is not None:
            expected[public_id] = (wanted.hash, wanted.tombstone)
        if progress is not None:
            progress(1)
    return expected


def sync_reconcile(
    *,
    target: str,
    repair: bool = False,
    store: DocumentTarget | None = None,
    progress: Progress | None = None,
) -> ReconcileReport:
    """Report drift between one target and the database; with `repair`, mark missing and stale records
    dirty and push them, and delete extras."""
    own_store = store is None
    store = store or target_for(target)
    report = ReconcileReport(target=target, drift=[])
    try:
        plans: list[tuple[Drift, dict[str, tuple[str, bool]]]] = []
        for entity_type in MODELS:
            collection = collection_for(target, entity_type)
            expected = _expected(target, entity_type, progress)
            found = store.list_hashes(collection)
            rejected = set(
                SyncRecord.objects.filter(
                    target=target, entity_type=entity_type, status=SyncStatus.REJECTED
                ).values_list("public_id", flat=True)
            )
            drift = Drift(
                entity_type=entity_type, collection=collection, expected=len(expected), found=len(found)
            )
            drift.missing = sorted(pid for pid in expected if pid not in found and pid not in rejected)
            drift.extra = sorted(pid for pid in found if pid not in expected and pid not in rejected)
            drift.stale = sorted(
                pid
                for pid, (h, _) in expected.items()
                if pid in found and found[pid] != h and pid not in rejected
            )
            drift.rejected = sorted(rejected)
            settings_drift = getattr(store, "settings_drift", None)
            if settings_drift is not None:
                drift.settings = settings_drift(collection)
            report.drift.append(drift)
            plans.append((drift, expected))
        if repair and not report.clean:
            report.repaired = _repair(target, store, plans)
    finally:
        if own_store:
            store.close()
    return report


def _repair(
    target: str, store: DocumentTarget, plans: list[tuple[Drift, dict[str, tuple[str, bool]]]]
) -> dict[str, int]:
    repaired = {"marked": 0, "deleted": 0, "settings": 0}
    now = timezone.now()
    for drift, expected in plans:
        if drift.settings:
            ensure = getattr(store, "ensure_settings", None)
            if ensure is not None and ensure(drift.collection):
                repaired["settings"] += 1
        with transaction.atomic():
            for public_id in [*drift.missing, *drift.stale]:
                payload_hash, tombstone = expected[public_id]
                # synced_hash cleared: the target does not hold this payload, whatever we sent last.
                SyncRecord.objects.update_or_create(
                    target=target,
                    entity_type=drift.entity_type,
                    public_id=public_id,
                    defaults={
                        "payload_hash": payload_hash,
                        "tombstone": tombstone,
                        "synced_hash": "",
                        "status": SyncStatus.DIRTY,
                        "retry_at": None,
                        "updated_at": now,
                    },
                )
                repaired["marked"] += 1
        if drift.extra:
            assert isinstance(store, WritesBy)
            repaired["deleted"] += store.delete(drift.collection, drift.extra)
    pushed = sync_push(target=target, store=store)
    repaired["written"] = pushed["written"]
    repaired["failed"] = pushed["failed"]
    wait = getattr(store, "wait", None)
    if wait is not None:
        wait()
    return repaired


def sync_reindex(*, target: str = SyncTarget.ALGOLIA, progress: Progress | None = None) -> dict[str, int]:
    """Rebuild every Algolia index from the database without downtime (temporary index, then move)."""
    from sync.targets.algolia import AlgoliaTarget

    store = target_for(target)
    try:
        if not isinstance(store, AlgoliaTarget):
            raise ValueError(
                f"sync_reindex needs a configured Algolia target (ALGOLIA_APP_ID and ALGOLIA_API_KEY); "
                f"{target!r} is {type(store).__name__}"
            )
        counts: dict[str, int] = {}
        for entity_type in MODELS:
            sent: dict[str, tuple[str, bool]] = {}
            skipped: set[str] = set()
            collection = collection_for(target, entity_type)

            def records(
                entity_type: str = entity_type,
                sent: dict[str, tuple[str, bool]] = sent,
                skipped: set[str] = skipped,
                collection: str = collection,
            ) -> Iterator[tuple[str, dict[str, Any]]]:
                for public_id, wanted in expected_payloads(target, entity_type):
                    # Outside the contract, or too big for a record: left out (sending it would fail
                    # the whole rebuild) and its record left alone: a push rejects it with the reason.
                    if wanted.problem or (
                        wanted.payload is not None
                        and store.document_problem(collection, public_id, wanted.payload)
                    ):
                        skipped.add(public_id)
                        continue
                    sent[public_id] = (wanted.hash, wanted.tombstone)
                    if wanted.payload is not None:
                        yield public_id, wanted.payload

            counts[entity_type] = store.reindex(collection, records(), progress=progress)
            _records_after_full_push(target, entity_type, sent, skipped)
        return counts
    finally:
        store.close()


def _records_after_full_push(
    target: str, entity_type: str, sent: dict[str, tuple[str, bool]], skipped: set[str]
) -> None:
    """After a rebuild the target holds exactly `sent`: records that match are synced, records that
    changed meanwhile stay dirty (pushed again next run), entities without a record get one."""
    now = timezone.now()
    seen: set[str] = set()
    records = SyncRecord.objects.filter(target=target, entity_type=entity_type).order_by("pk")
    for record in records.iterator(chunk_size=1000):
        seen.add(record.public_id)
        if record.public_id in skipped:
            continue  # left out of the rebuild on purpose
        entry = sent.get(record.public_id)
        # An entity gone from the database is gone from the rebuilt index too: its removal is done.
        payload_hash = entry[0] if entry else record.payload_hash
        if record.status == SyncStatus.SYNCED and record.synced_hash == payload_hash:
            continue
        updated = SyncRecord.objects.filter(pk=record.pk, payload_hash=payload_hash).update(
            synced_hash=payload_hash,
            status=SyncStatus.SYNCED,
            attempts=0,
            last_error="",
            retry_at=None,
            synced_at=now,
        )
        if not updated:  # changed since we read it: what the index holds is older
            SyncRecord.objects.filter(pk=record.pk).update(synced_hash=payload_hash, status=SyncStatus.DIRTY)
    SyncRecord.objects.bulk_create(
        [
            SyncRecord(
                target=target,
                entity_type=entity_type,
                public_id=public_id,
                payload_hash=payload_hash,
                synced_hash=payload_hash,
                tombstone=tombstone,
                status=SyncStatus.SYNCED,
                synced_at=now,
            )
            for public_id, (payload_hash, tombstone) in sent.items()
            if public_id not in seen and public_id not in skipped
        ],
        batch_size=500,
        ignore_conflicts=True,
    )


def sync_reconcile_run(*, target: str, repair: bool = True) -> ReconcileRun:
    """Reconcile one target (repairing by default) and store what was found, for the dashboard; a
    failure is stored too, with its reason."""
    run = ReconcileRun.objects.create(target=target, started_at=timezone.now(), repair=repair)
    try:
        report = sync_reconcile(target=target, repair=repair)
    except Exception as exc:
        logger.exception("reconcile of %s failed", target)
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
    else:
        for drift in report.drift:
            run.expected += drift.expected
            run.found += drift.found
            run.missing += len(drift.missing)
            run.extra += len(drift.extra)
            run.stale += len(drift.stale)
            run.rejected += len(drift.rejected)
            run.settings_drift += len(drift.settings)
            run.details[drift.entity_type] = {
                "collection": drift.collection,
                "expected": drift.expected,
                "found": drift.found,
                **{
                    kind: {"count": len(ids), "examples": ids[:EXAMPLES]}
                    for kind, ids in (
                        ("missing", drift.missing),
                        ("extra", drift.extra),
                        ("stale", drift.stale),
                        ("rejected", drift.rejected),
                    )
                },
                "settings": drift.settings,
            }
        run.repaired = report.repaired
    run.finished_at = timezone.now()
    run.save()
    return run


def sync_reconcile_all(*, repair: bool = True) -> list[ReconcileRun]:
    """The scheduled reconcile: every target, one stored run each."""
    return [sync_reconcile_run(target=target, repair=repair) for target in SyncTarget.values]
