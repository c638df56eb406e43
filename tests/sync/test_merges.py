"""A venue merge on the real targets: Algolia deletes the loser's record and re-points its shows;
Firestore keeps a redirect document under the loser's ID; an unmerge brings the loser back."""

from __future__ import annotations

import pytest

from entities.models import MergeRecord, Performance, Venue
from entities.services import venue_duplicates_find, venue_merge, venue_unmerge
from sourcing import services as sourcing
from sync.services import sync_push, target_for
from sync.targets.firestore import FirestoreTarget
from tests.sync.conftest import INDEX_PREFIX

pytestmark = [pytest.mark.django_db(transaction=True)]

VENUES, PERFORMANCES = f"{INDEX_PREFIX}venues", f"{INDEX_PREFIX}performances"
SPEC = {
    "sources": [
        {
            "name": "hidden-hall",
            "kind": "venue_site",
            "priority": 50,
            "urls": ["/hidden-hall/events/index.html"],
        },
        {
            "name": "seattle-shows",
            "kind": "aggregator",
            "priority": 20,
            "urls": ["/seattle-shows/index.html"],
        },
    ]
}


@pytest.fixture
def seattle(demo_web, sync_settings):
    """The venue site and the aggregator that spells its venue differently, run through the pipeline."""
    sourcing.sources_import(spec=SPEC, base_url=demo_web.base_url)
    sourcing.scrapes_request_due()
    venue_duplicates_find()
    return Venue.objects.get(name="Hidden Hall"), Venue.objects.get(name="Hidden Hall (Fremont)")


def test_merge_deletes_the_loser_from_algolia_and_unmerge_brings_it_back(algolia, seattle):
    winner, loser = seattle
    sync_push(target="algolia")
    assert loser.public_id in algolia.records(VENUES)
    moved = list(Performance.objects.filter(venue=loser).values_list("public_id", flat=True))
    assert moved

    record = venue_merge(winner=winner, loser=loser, reason="same room")
    totals = sync_push(target="algolia")

    assert totals["deleted"] == 1
    assert loser.public_id not in algolia.records(VENUES)
    deletes = [
        r["body"]["objectID"]
        for b in algolia.batches(VENUES)
        for r in b.body["requests"]
        if r["action"] == "deleteObject"
    ]
    assert deletes == [loser.public_id]
    shows = algolia.records(PERFORMANCES)
    assert {shows[p]["venue_id"] for p in moved} == {winner.public_id}

    venue_unmerge(record=MergeRecord.objects.get(pk=record.pk))
    sync_push(target="algolia")
    assert algolia.records(VENUES)[loser.public_id]["name"] == "Hidden Hall (Fremont)"
    assert {algolia.records(PERFORMANCES)[p]["venue_id"] for p in moved} == {loser.public_id}


def test_merge_leaves_a_redirect_document_in_firestore(firestore, seattle):
    winner, loser = seattle
    sync_push(target="firestore")
    moved = list(Performance.objects.filter(venue=loser).values_list("public_id", flat=True))

    venue_merge(winner=winner, loser=loser, reason="same room")
    sync_push(target="firestore")

    target = target_for("firestore")
    assert isinstance(target, FirestoreTarget)
    redirect = target.get("evt_venues", loser.public_id) or {}
    assert {k: v for k, v in redirect.items() if k != "updated_at"} == {
        "id": loser.public_id,
        "schema_version": 1,
        "status": "merged",
        "merged_into": winner.public_id,
    }
    assert redirect["updated_at"].tzinfo is not None  # a Firestore Timestamp
    for public_id in moved:
        show = target.get("evt_performances", public_id) or {}
        assert show["venue"]["id"] == winner.public_id
    assert sync_push(target="firestore") == {"written": 0, "deleted": 0, "failed": 0, "rejected": 0}
