"""Each change is sent once, in order, with pushes racing in real threads on PostgreSQL: two pushes at
once never send one record twice, and a push that starts while another is still sending an older
version of a record does not send the newer one before it (nor the older one again)."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from django.db import connection, connections

from entities.models import Venue
from sync.models import SyncRecord, SyncStatus
from sync.services import sync_mark_dirty, sync_push
from tests.sync.conftest import INDEX_PREFIX, make_entities

pytestmark = [pytest.mark.django_db(transaction=True)]

VENUES = f"{INDEX_PREFIX}venues"
ZERO = {"written": 0, "deleted": 0, "failed": 0, "rejected": 0}


@pytest.fixture(autouse=True)
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the push race runs on PostgreSQL: DATABASE_URL=$TEST_POSTGRES_URL (make test does)")


class Push(threading.Thread):
    """`sync_push` in a thread of its own (its own database connection), started at a barrier."""

    def __init__(self, barrier: threading.Barrier | None = None, **kwargs: Any):
        super().__init__(daemon=True)
        self.barrier, self.kwargs = barrier, kwargs
        self.totals: dict[str, int] | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            if self.barrier is not None:
                self.barrier.wait(timeout=30)
            self.totals = sync_push(target="algolia", **self.kwargs)
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            connections.close_all()


def sent_ids(algolia) -> Counter[str]:
    return Counter(r["body"]["objectID"] for b in algolia.batches(VENUES) for r in b.body["requests"])


def test_two_pushes_at_once_never_send_a_record_twice(algolia):
    made = make_entities(venues=600, artists=0, performances=0)
    algolia.batch_delay = 0.1  # each batch in flight for a while: the pushes overlap
    barrier = threading.Barrier(2)
    pushes = [Push(barrier, batch_size=50), Push(barrier, batch_size=50)]

    for push in pushes:
        push.start()
    for push in pushes:
        push.join(timeout=120)

    assert [p.error for p in pushes] == [None, None]
    totals = [p.totals or {} for p in pushes]
    # Both pushes worked, on disjoint batches: every venue sent exactly once
    assert all(t["written"] > 0 for t in totals), totals
    assert sum(t["written"] for t in totals) == 600
    sent = sent_ids(algolia)
    assert set(sent) == {v.public_id for v in made["venue"]}
    assert max(sent.values()) == 1
    assert set(SyncRecord.objects.filter(target="algolia").values_list("status", flat=True)) == {"synced"}
    assert not SyncRecord.objects.exclude(claim_token="").exists()


def test_a_push_racing_one_that_sends_an_older_version_waits_its_turn(algolia):
    made = make_entities(venues=1, artists=0, performances=0)
    venue = Venue.objects.get(pk=made["venue"][0].pk)
    gate = algolia.hold_batches()

    # Push A sends version 1 and is held in flight by the server
    first = Push()
    first.start()
    assert algolia.batch_waiting.wait(timeout=60)
    # Meanwhile the venue changes (version 2), and push B runs to the end
    venue.name = "Version 2"
    venue.save()
    sync_mark_dirty(entity_type="venue", entity=venue)
    second = Push()
    second.start()
    second.join(timeout=60)
    assert second.error is None
    assert second.totals == ZERO  # the record is A's: B sends nothing, older or newer
    assert first.is_alive()

    gate.set()
    first.join(timeout=60)
    assert first.error is None
    assert (first.totals or {})["written"] == 1
    # A sent version 1; the record stays dirty for version 2, which the next push sends
    assert SyncRecord.objects.get(target="algolia", public_id=venue.public_id).status == SyncStatus.DIRTY
    assert sync_push(target="algolia")["written"] == 1
    assert sync_push(target="algolia") == ZERO

    names = [r["body"]["name"] for b in algolia.batches(VENUES) for r in b.body["requests"]]
    assert names == ["Venue 0", "Version 2"]  # each version once, the older first
    assert algolia.records(VENUES)[venue.public_id]["name"] == "Version 2"
