"""Firestore sync with google-cloud-firestore against the emulator: documents under their public IDs as
the contract shapes them, BulkWriter's batches of 20, idempotent pushes, an outage, and reconcile with
repair."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
from django.core.management import call_command
from django.utils import timezone

from entities.models import Venue
from sync.models import SyncRecord, SyncStatus
from sync.reconcile import sync_reconcile
from sync.services import entity_document, sync_mark_dirty, sync_push, target_for
from sync.targets.firestore import FirestoreTarget
from tests.sync.conftest import make_entities

pytestmark = [pytest.mark.django_db(transaction=True)]

ZERO = {"written": 0, "deleted": 0, "failed": 0, "rejected": 0}


def _target() -> FirestoreTarget:
    target = target_for("firestore")
    assert isinstance(target, FirestoreTarget)
    return target


def test_push_writes_each_document_under_its_public_id(firestore):
    made = make_entities(venues=3, artists=2, performances=2)

    assert sync_push(target="firestore") == {"written": 7, "deleted": 0, "failed": 0, "rejected": 0}

    target = _target()
    venue = Venue.objects.get(pk=made["venue"][0].pk)
    record = SyncRecord.objects.get(target="firestore", public_id=venue.public_id)
    assert record.changed_at is not None
    expected = entity_document("venue", venue, updated_at=record.changed_at)
    assert expected is not None
    stored = target.get("evt_venues", venue.public_id) or {}
    # Exactly the document (no hash, no internals), its timestamp a native Timestamp
    assert stored == expected.model_dump()
    assert isinstance(stored["updated_at"], dt.datetime)
    assert stored["updated_at"] == record.changed_at
    assert stored["location"] == {"lat": venue.latitude, "lng": venue.longitude, "precision": "reported"}
    show = target.get("evt_performances", made["performance"][0].public_id) or {}
    assert [a["name"] for a in show["artists"]] == ["Artist 0", "Artist 1"]
    assert len(target.list_hashes("evt_artists")) == 2


def test_second_push_writes_nothing_and_a_change_writes_one_document(firestore):
    made = make_entities(venues=2, artists=1, performances=1)
    sync_push(target="firestore")
    target = _target()
    venue = Venue.objects.get(pk=made["venue"][1].pk)
    ref = target.client.collection("evt_venues").document(venue.public_id)
    written_at = ref.get().update_time

    assert sync_mark_dirty(entity_type="venue", entity=venue) == 0
    assert sync_push(target="firestore") == ZERO
    assert ref.get().update_time == written_at

    venue.phone = "+12065550000"
    venue.save()
    sync_mark_dirty(entity_type="venue", entity=venue)
    assert sync_push(target="firestore") == {"written": 1, "deleted": 0, "failed": 0, "rejected": 0}
    assert ref.get().update_time > written_at
    assert (ref.get().to_dict() or {})["phone"] == "+12065550000"


def test_1200_documents_go_through_bulk_writer_in_requests_of_20(firestore):
    make_entities(venues=1200, artists=0, performances=0)
    target = _target()

    assert sync_push(target="firestore", store=target)["written"] == 1200

    assert target.commits == 60  # BatchWrite requests of 20 documents
    assert len(target.list_hashes("evt_venues")) == 1200  # read back in pages of 1,000


def test_an_unreachable_firestore_keeps_records_failed_until_it_answers(firestore, sync_settings):
    make_entities(venues=3, artists=1, performances=0)
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        closed = f"127.0.0.1:{s.getsockname()[1]}"
    live_host = sync_settings.FIRESTORE_EMULATOR_HOST
    sync_settings.FIRESTORE_EMULATOR_HOST = closed
    now = timezone.now()

    totals = sync_push(target="firestore", now=now)

    assert totals["written"] == 0
    assert totals["failed"] >= 1
    record = SyncRecord.objects.filter(target="firestore", status=SyncStatus.FAILED).earliest("pk")
    assert record.retry_at is not None
    assert record.retry_at > now
    assert "ServiceUnavailable" in record.last_error or "Unavailable" in record.last_error

    sync_settings.FIRESTORE_EMULATOR_HOST = live_host
    assert sync_push(target="firestore", now=now)["written"] <= 4 - totals["failed"]
    sync_push(target="firestore", now=now + dt.timedelta(hours=1))
    assert set(SyncRecord.objects.filter(target="firestore").values_list("status", flat=True)) == {"synced"}
    assert len(_target().list_hashes("evt_venues")) == 3


def test_reconcile_finds_deleted_extra_and_stale_documents_and_repairs_them(firestore, capsys):
    made = make_entities(venues=4, artists=2, performances=3)
    sync_push(target="firestore")
    target = _target()
    gone = made["performance"][2].public_id
    edited = made["venue"][0].public_id
    # Behind our back: a document deleted, one edited, one that is not ours
    target.client.collection("evt_performances").document(gone).delete()
    target.client.collection("evt_venues").document(edited).update({"name": "Edited by hand"})
    target.client.collection("evt_artists").document("NOT-OURS").set({"name": "Stray"})

    call_command("sync_reconcile", "--target", "firestore", "--no-progress")
    out = capsys.readouterr().out
    assert "firestore evt_performances: database 3, target 2, missing 1, extra 0, stale 0, rejected 0" in out
    assert f"missing: {gone}" in out
    assert "firestore evt_artists: database 2, target 3, missing 0, extra 1, stale 0, rejected 0" in out
    # Whole documents are compared: a hand edit in the console shows
    assert "firestore evt_venues: database 4, target 4, missing 0, extra 0, stale 1, rejected 0" in out
    assert sync_reconcile(target="firestore").drift[0].stale == [edited]

    call_command("sync_reconcile", "--target", "firestore", "--repair", "--no-progress")
    assert "firestore: repaired" in capsys.readouterr().out
    assert target.get("evt_performances", gone) is not None
    assert (target.get("evt_venues", edited) or {})["name"] == "Venue 0"
    assert target.get("evt_artists", "NOT-OURS") is None
    assert sync_reconcile(target="firestore").clean
    assert sync_push(target="firestore") == ZERO
