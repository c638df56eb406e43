"""Records over a target's size limit fail once, for good, with the reason, checked before sending:
Algolia's record size (ALGOLIA_MAX_RECORD_BYTES, 10 KB on most plans) on the wire server, Firestore's
1 MiB per document on the emulator. A refusal after sending (a request refused as a whole) is split
down to the document at fault, which alone is rejected."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from entities.models import Venue
from sync.models import SyncRecord, SyncStatus
from sync.reconcile import sync_reindex
from sync.services import sync_mark_dirty, sync_push, target_for
from sync.targets.firestore import FirestoreTarget
from tests.sync.conftest import INDEX_PREFIX, make_entities

pytestmark = [pytest.mark.django_db(transaction=True)]

VENUES = f"{INDEX_PREFIX}venues"
ZERO = {"written": 0, "deleted": 0, "failed": 0, "rejected": 0}


def sent_to(algolia, index: str) -> list[str]:
    return [r["body"]["objectID"] for b in algolia.batches(index) for r in b.body["requests"]]


def test_a_record_too_big_for_algolia_is_rejected_before_sending_and_once(algolia):
    made = make_entities(venues=3, artists=1, performances=0)
    big = Venue.objects.get(pk=made["venue"][1].pk)
    # ~13 KB of former names: over Algolia's 10 KB, far under Firestore's 1 MiB
    big.former_names = [f"The Old Name Number {i} of a Long-Lived Hall" for i in range(300)]
    big.save()
    sync_mark_dirty(entity_type="venue", entity=big)

    totals = sync_push(target="algolia")

    assert totals["rejected"] == 1
    assert totals["written"] == 3  # the two other venues and the artist
    assert big.public_id not in sent_to(algolia, VENUES)  # never sent
    record = SyncRecord.objects.get(target="algolia", public_id=big.public_id)
    assert record.status == SyncStatus.REJECTED
    assert "too big for Algolia" in record.last_error
    assert "over the record limit of 10,000 bytes" in record.last_error
    assert record.retry_at is None
    # Firestore's limit is 1 MiB: its document goes out (to the local stand-in here)
    assert sync_push(target="firestore")["rejected"] == 0

    # Failed once: later pushes leave it alone, and it costs no request
    requests = len(algolia.requests)
    assert sync_push(target="algolia", now=timezone.now() + dt.timedelta(days=3)) == ZERO
    assert len(algolia.requests) == requests
    # Until it changes
    big.former_names = big.former_names[:3]
    big.save()
    sync_mark_dirty(entity_type="venue", entity=big)
    assert sync_push(target="algolia")["written"] == 1
    assert len(algolia.records(VENUES)[big.public_id]["former_names"]) == 3
    assert SyncRecord.objects.get(target="algolia", public_id=big.public_id).status == SyncStatus.SYNCED


def test_the_record_limit_follows_the_plan(algolia, sync_settings):
    sync_settings.ALGOLIA_MAX_RECORD_BYTES = 100_000  # a plan with 100 KB records
    made = make_entities(venues=1, artists=0, performances=0)
    venue = Venue.objects.get(pk=made["venue"][0].pk)
    venue.former_names = [f"Old name {i} " + "x" * 50 for i in range(300)]  # ~20 KB
    venue.save()
    sync_mark_dirty(entity_type="venue", entity=venue)
    assert sync_push(target="algolia")["rejected"] == 0
    assert venue.public_id in algolia.records(VENUES)


def test_a_document_too_big_for_firestore_is_rejected_before_sending(firestore):
    made = make_entities(venues=3, artists=0, performances=0)
    big = Venue.objects.get(pk=made["venue"][1].pk)
    big.former_names = [f"Former name number {i} " + "x" * 1000 for i in range(1100)]  # ~1.1 MB
    big.save()
    sync_mark_dirty(entity_type="venue", entity=big)

    target = target_for("firestore")
    assert isinstance(target, FirestoreTarget)
    totals = sync_push(target="firestore", store=target)

    assert (totals["written"], totals["rejected"]) == (2, 1)
    assert target.get("evt_venues", big.public_id) is None
    assert target.commits == 1  # the two others, in one request
    record = SyncRecord.objects.get(target="firestore", public_id=big.public_id)
    assert record.status == SyncStatus.REJECTED
    assert "too big for Firestore" in record.last_error
    assert sync_push(target="firestore", now=timezone.now() + dt.timedelta(days=3)) == ZERO


class Unchecked(FirestoreTarget):
    """A target that does not check sizes before sending, to reach the refusal after sending."""

    def document_problem(self, collection, doc_id, doc):
        return None


def test_a_request_refused_as_a_whole_is_split_until_the_document_at_fault_is_alone(firestore, sync_settings):
    made = make_entities(venues=6, artists=0, performances=0)
    big = Venue.objects.get(pk=made["venue"][4].pk)
    big.former_names = ["x" * 1_100_000]
    big.save()
    sync_mark_dirty(entity_type="venue", entity=big)
    store = Unchecked(
        project=sync_settings.FIRESTORE_PROJECT,
        emulator_host=sync_settings.FIRESTORE_EMULATOR_HOST,
        retry_attempts=2,
        retry_base_delay=0,
    )

    totals = sync_push(target="firestore", store=store)

    # The emulator refused the request that carried it; the others went through in smaller ones
    assert (totals["written"], totals["rejected"], totals["failed"]) == (5, 1, 0)
    record = SyncRecord.objects.get(target="firestore", public_id=big.public_id)
    assert record.status == SyncStatus.REJECTED
    assert "Firestore refused" in record.last_error
    assert "longer than" in record.last_error
    assert len(store.list_hashes("evt_venues")) == 5


def test_a_rebuild_leaves_a_record_too_big_out_and_rejected(algolia):
    made = make_entities(venues=3, artists=0, performances=0)
    big = Venue.objects.get(pk=made["venue"][0].pk)
    big.former_names = [f"The Old Name Number {i} of a Long-Lived Hall" for i in range(300)]
    big.save()
    sync_mark_dirty(entity_type="venue", entity=big)
    sync_push(target="algolia")

    counts = sync_reindex()

    assert counts["venue"] == 2
    assert set(algolia.records(VENUES)) == {v.public_id for v in made["venue"][1:]}
    assert SyncRecord.objects.get(target="algolia", public_id=big.public_id).status == SyncStatus.REJECTED
    assert set(
        SyncRecord.objects.filter(target="algolia")
        .exclude(public_id=big.public_id)
        .values_list("status", flat=True)
    ) == {SyncStatus.SYNCED}
