"""Every document the demo publishes fits the published schemas (sync/schemas/, checked with
jsonschema) and leaks nothing internal: the local stand-ins' files, the records sent to the Algolia
wire server, and the documents read back from the Firestore emulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from entities.models import Artist, CanonicalStatus, Performance, Venue, VenueDuplicate
from entities.services import venue_duplicates_find, venue_merge
from sourcing import services as sourcing
from sync.reconcile import sync_reconcile
from sync.services import sync_push, target_for
from sync.targets.firestore import FirestoreTarget
from sync.targets.local import LocalDocumentStore
from tests.sync.conftest import INDEX_PREFIX
from tests.sync.schemas import leaks, problems

pytestmark = [pytest.mark.django_db(transaction=True)]

SEED = json.loads((Path(__file__).resolve().parents[2] / "demo" / "seed.json").read_text())
COLLECTIONS = {"venue": "evt_venues", "artist": "evt_artists", "performance": "evt_performances"}
INDEXES = {"venue": "venues", "artist": "artists", "performance": "performances"}


def run_demo(base_url: str) -> None:
    """The demo's pipeline, then one merge, so redirects are published too."""
    sourcing.sources_import(spec=SEED, base_url=base_url)
    sourcing.scrapes_request_due()
    venue_duplicates_find()
    pair = VenueDuplicate.objects.filter(status="pending").order_by("-score").first()
    assert pair is not None
    venue_merge(winner=pair.venue_a, loser=pair.venue_b, reason="the demo's duplicate")
    for target in ("firestore", "algolia"):
        sync_push(target=target)


MODELS: dict[str, Any] = {"venue": Venue, "artist": Artist, "performance": Performance}


def live(entity_type: str) -> set[str]:
    active = MODELS[entity_type].objects.exclude(status=CanonicalStatus.MERGED)
    return set(active.values_list("public_id", flat=True))


def every(entity_type: str) -> set[str]:
    return set(MODELS[entity_type].objects.values_list("public_id", flat=True))


def check(target: str, collection: str, docs: dict[str, Any]) -> None:
    bad = {doc_id: problems(target, collection, doc)[:3] for doc_id, doc in docs.items()}
    assert not {k: v for k, v in bad.items() if v}, f"{target}/{collection} breaks its schema"
    leaked = {doc_id: leaks(doc) for doc_id, doc in docs.items()}
    assert not {k: v for k, v in leaked.items() if v}, f"{target}/{collection} publishes internals"


def test_every_local_and_algolia_document_of_the_demo_fits_the_contract(demo_web, algolia, sync_settings):
    run_demo(demo_web.base_url)

    # The Firestore stand-in: every entity, merged ones as redirects
    firestore = LocalDocumentStore(sync_settings.SYNC_LOCAL_DIR, "firestore")
    for entity_type, collection in COLLECTIONS.items():
        docs = firestore.documents(collection)
        assert set(docs) == every(entity_type)
        check("firestore", collection, docs)
    redirects = [d for d in firestore.documents("evt_venues").values() if d["status"] == "merged"]
    assert len(redirects) == 1
    # The Algolia wire: every record in every batch the official client sent
    sent: dict[str, dict[str, Any]] = {}
    for batch in algolia.batches():
        index = (batch.index or "").removeprefix(INDEX_PREFIX)
        for request in batch.body["requests"]:
            if request["action"] != "deleteObject":
                record = request["body"]
                assert problems("algolia", index, record) == [], (index, record["objectID"])
                assert leaks(record) == []
                sent.setdefault(index, {})[record["objectID"]] = record
    for entity_type, index in INDEXES.items():
        assert set(algolia.records(f"{INDEX_PREFIX}{index}")) == live(entity_type)
        assert live(entity_type) <= set(sent[index])
    assert any("_geoloc" in r for r in sent["performances"].values())

    # The Algolia stand-in gets the same records
    store = LocalDocumentStore(sync_settings.SYNC_LOCAL_DIR, "algolia-standin")
    sync_reconcile(target="algolia", store=store, repair=True)
    for entity_type, index in INDEXES.items():
        docs = store.documents(index)
        assert set(docs) == live(entity_type)
        check("algolia", index, docs)


def test_every_firestore_emulator_document_of_the_demo_fits_the_contract(demo_web, firestore):
    run_demo(demo_web.base_url)

    target = target_for("firestore")
    assert isinstance(target, FirestoreTarget)
    for entity_type, collection in COLLECTIONS.items():
        docs = {s.id: s.to_dict() or {} for s in target.client.collection(collection).stream()}
        assert set(docs) == every(entity_type)
        check("firestore", collection, docs)
        # Timestamps are Firestore Timestamps, read back as datetimes
        assert all(doc["updated_at"].tzinfo is not None for doc in docs.values())
    shows = [s.to_dict() or {} for s in target.client.collection("evt_performances").stream()]
    assert any(show["starts_at"] is not None and show["starts_at"].tzinfo for show in shows)
