"""Algolia sync with the official client against the recording server: records, settings, batching
limits, idempotent pushes, outages and rate limits, refused records, reconcile and the reindex."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from entities.models import Artist, Performance, Venue
from sync.models import SyncRecord, SyncStatus
from sync.reconcile import sync_reconcile
from sync.services import sync_mark_dirty, sync_push, target_for
from sync.targets.algolia import REPLICAS, AlgoliaTarget
from tests.sync.conftest import INDEX_PREFIX, make_entities

pytestmark = [pytest.mark.django_db(transaction=True)]

VENUES, ARTISTS, PERFORMANCES = (f"{INDEX_PREFIX}{n}" for n in ("venues", "artists", "performances"))
ZERO = {"written": 0, "deleted": 0, "failed": 0, "rejected": 0}


def test_push_sends_search_records_with_settings_from_code(algolia):
    made = make_entities(venues=3, artists=2, performances=2)
    assert isinstance(target_for("algolia"), AlgoliaTarget)

    totals = sync_push(target="algolia")

    assert totals == {"written": 7, "deleted": 0, "failed": 0, "rejected": 0}
    venue = made["venue"][0]
    record = algolia.records(VENUES)[venue.public_id]
    assert record["objectID"] == venue.public_id
    assert record["_geoloc"] == {"lat": venue.latitude, "lng": venue.longitude}
    assert record["city"] == "Portland"
    assert record["schema_version"] == 1
    assert isinstance(record["updated_at"], int)
    assert not [key for key in record if key.startswith("_") and key != "_geoloc"]  # no internals
    show = algolia.records(PERFORMANCES)[made["performance"][1].public_id]
    assert show["date"] == "2026-06-08"
    assert show["date_ts"] == int(dt.datetime(2026, 6, 8, tzinfo=dt.UTC).timestamp())
    assert show["artists"] == ["Artist 0", "Artist 1"]
    # Settings come from code; performances have date-sorted replicas that receive the records
    settings = algolia.indexes[PERFORMANCES].settings
    assert "searchable(city)" in settings["attributesForFaceting"]
    assert settings["replicas"] == [f"{INDEX_PREFIX}{name}" for name in REPLICAS["performances"]]
    asc = algolia.indexes[f"{INDEX_PREFIX}performances_date_asc"]
    assert asc.settings["ranking"][0] == "asc(date_ts)"
    assert len(asc.records) == 2
    assert "searchable(genres)" in algolia.indexes[ARTISTS].settings["attributesForFaceting"]
    assert set(SyncRecord.objects.filter(target="algolia").values_list("status", flat=True)) == {"synced"}
    synced_at = SyncRecord.objects.filter(target="algolia").values_list("synced_at", flat=True)
    assert all(abs(timezone.now() - t) < dt.timedelta(minutes=5) for t in synced_at if t is not None)
    assert None not in synced_at


def test_second_push_and_unchanged_entities_cost_nothing(algolia):
    made = make_entities(venues=3, artists=2, performances=2)
    sync_push(target="algolia")
    requests_after_first = len(algolia.requests)

    # Nothing changed: no record turns dirty, and the push sends no request at all
    venue = Venue.objects.get(pk=made["venue"][0].pk)
    assert sync_mark_dirty(entity_type="venue", entity=venue) == 0
    assert sync_push(target="algolia") == ZERO
    assert len(algolia.requests) == requests_after_first

    # A phone number is not in the search record: Firestore's document changes, Algolia's does not
    venue.phone = "+12065559999"
    venue.save()
    assert sync_mark_dirty(entity_type="venue", entity=venue) == 1
    assert SyncRecord.objects.get(target="firestore", public_id=venue.public_id).status == SyncStatus.DIRTY
    assert SyncRecord.objects.get(target="algolia", public_id=venue.public_id).status == SyncStatus.SYNCED
    assert sync_push(target="algolia") == ZERO

    # A new name is: the venue's record, and the record of the show that embeds the name
    venue.name = "The Renamed Room"
    venue.save()
    sync_mark_dirty(entity_type="venue", entity=venue)
    assert sync_push(target="algolia") == {"written": 2, "deleted": 0, "failed": 0, "rejected": 0}
    (venues_batch,) = algolia.batches(VENUES)[-1:]
    assert [r["body"]["objectID"] for r in venues_batch.body["requests"]] == [venue.public_id]
    assert algolia.records(VENUES)[venue.public_id]["name"] == "The Renamed Room"
    show = made["performance"][0]
    assert algolia.batches(PERFORMANCES)[-1].body["requests"][0]["body"]["objectID"] == show.public_id
    assert algolia.records(PERFORMANCES)[show.public_id]["venue"] == "The Renamed Room"


def test_1200_records_go_in_batches_of_at_most_1000_and_split_by_size(algolia):
    make_entities(venues=1200, artists=0, performances=0)

    assert sync_push(target="algolia") == {"written": 1200, "deleted": 0, "failed": 0, "rejected": 0}

    sizes = [len(b.body["requests"]) for b in algolia.batches(VENUES)]
    assert sizes == [1000, 200]
    assert len(algolia.records(VENUES)) == 1200

    # Request size: with a 40 kB limit the same records need many smaller requests
    SyncRecord.objects.filter(target="algolia").update(status=SyncStatus.DIRTY, synced_hash="")
    algolia.requests.clear()
    store = AlgoliaTarget(
        app_id="TESTAPP",
        api_key="test-admin-key",
        index_prefix=INDEX_PREFIX,
        hosts=[algolia.url],
        max_batch_bytes=40_000,
    )
    assert sync_push(target="algolia", store=store)["written"] == 1200
    sent = [b.size for b in algolia.batches(VENUES)]
    assert len(sent) >= 8
    assert max(sent) <= 40_000
    assert sum(len(b.body["requests"]) for b in algolia.batches(VENUES)) == 1200


def test_outage_keeps_records_failed_with_backoff_then_pushes_everything(algolia, sync_settings):
    made = make_entities(venues=4, artists=2, performances=3)
    algolia.down()
    now = timezone.now()

    totals = sync_push(target="algolia", now=now)

    # The first batch failed after the in-call retries and ended the run; nothing is marked synced
    assert totals["written"] == 0
    assert totals["failed"] >= 1
    failed = SyncRecord.objects.filter(target="algolia", status=SyncStatus.FAILED)
    assert failed.count() == totals["failed"]
    record = failed.earliest("pk")
    assert record.attempts == 1
    assert record.retry_at is not None
    assert record.retry_at > now
    assert "Unreachable" in record.last_error or "503" in record.last_error
    assert not SyncRecord.objects.filter(target="algolia", status=SyncStatus.SYNCED).exists()
    # The client tried SYNC_RETRY_ATTEMPTS times before giving up
    assert len([r for r in algolia.requests if r.status == 503]) >= sync_settings.SYNC_RETRY_ATTEMPTS

    # Down for an hour: each run backs off further (at most an hour), nothing is dropped
    later = now
    for _ in range(6):
        later += dt.timedelta(minutes=10)
        sync_push(target="algolia", now=later)
    assert not SyncRecord.objects.filter(target="algolia", status=SyncStatus.SYNCED).exists()
    assert max(SyncRecord.objects.filter(target="algolia").values_list("attempts", flat=True)) >= 5
    for r in SyncRecord.objects.filter(target="algolia", status=SyncStatus.FAILED):
        assert r.retry_at is not None
        assert r.retry_at <= later + dt.timedelta(hours=1)

    # Back up: a run before retry_at leaves failed records alone, a later one pushes all of them
    algolia.up()
    sync_push(target="algolia", now=later + dt.timedelta(hours=2))
    assert set(SyncRecord.objects.filter(target="algolia").values_list("status", flat=True)) == {"synced"}
    assert len(algolia.records(VENUES)) == 4
    assert len(algolia.records(ARTISTS)) == 2
    assert set(algolia.records(PERFORMANCES)) == {p.public_id for p in made["performance"]}
    assert sync_push(target="algolia", now=later + dt.timedelta(hours=3)) == ZERO


def test_transient_errors_and_rate_limits_are_retried_within_the_call(algolia):
    make_entities(venues=2, artists=0, performances=0)
    algolia.fail_next(2, status=503)  # two failures, then the third attempt goes through

    assert sync_push(target="algolia")["written"] == 2
    assert not SyncRecord.objects.filter(status=SyncStatus.FAILED).exists()

    venue = Venue.objects.earliest("pk")
    venue.name = "Rate Limited"
    venue.save()
    sync_mark_dirty(entity_type="venue", entity=venue)
    algolia.fail_next(1, status=429, retry_after=1)  # the client waits out Retry-After itself

    assert sync_push(target="algolia") == {"written": 1, "deleted": 0, "failed": 0, "rejected": 0}
    assert 429 in [r.status for r in algolia.requests]
    assert algolia.records(VENUES)[venue.public_id]["name"] == "Rate Limited"


def test_a_refused_record_does_not_hold_back_its_batch(algolia):
    made = make_entities(venues=10, artists=0, performances=0)
    bad = made["venue"][6]
    algolia.refuse(bad.public_id)

    totals = sync_push(target="algolia")

    assert totals == {"written": 9, "deleted": 0, "failed": 0, "rejected": 1}
    assert set(algolia.records(VENUES)) == {v.public_id for v in made["venue"]} - {bad.public_id}
    record = SyncRecord.objects.get(target="algolia", public_id=bad.public_id)
    # Refused for its content: rejected for good, with the reason, and never sent again unchanged
    assert record.status == SyncStatus.REJECTED
    assert "too big" in record.last_error
    assert record.retry_at is None
    sent = len(algolia.batches(VENUES))
    assert sync_push(target="algolia", now=timezone.now() + dt.timedelta(days=2)) == ZERO
    assert len(algolia.batches(VENUES)) == sent


def test_reconcile_reports_drift_and_repairs_it(algolia, capsys):
    made = make_entities(venues=5, artists=3, performances=4)
    sync_push(target="algolia")
    gone, changed = made["venue"][1].public_id, made["artist"][0].public_id
    # Behind our back: a record deleted, one edited, one that is not ours
    with algolia.lock:
        del algolia.indexes[VENUES].records[gone]
        algolia.indexes[ARTISTS].records[changed]["name"] = "Edited in the dashboard"
        algolia.indexes[PERFORMANCES].records["GHOST"] = {"objectID": "GHOST", "name": "Not ours"}

    call_command("sync_reconcile", "--target", "algolia", "--no-progress")
    out = capsys.readouterr().out
    assert "algolia venues: database 5, target 4, missing 1, extra 0, stale 0, rejected 0" in out
    assert f"missing: {gone}" in out
    assert "algolia artists: database 3, target 3, missing 0, extra 0, stale 1, rejected 0" in out
    assert "algolia performances: database 4, target 5, missing 0, extra 1, stale 0, rejected 0" in out
    assert "run again with --repair" in out

    call_command("sync_reconcile", "--target", "algolia", "--repair", "--no-progress")
    assert "algolia: repaired" in capsys.readouterr().out
    assert gone in algolia.records(VENUES)
    assert algolia.records(ARTISTS)[changed]["name"] == "Artist 0"
    assert "GHOST" not in algolia.records(PERFORMANCES)

    assert sync_reconcile(target="algolia").clean
    assert sync_push(target="algolia") == ZERO

    # Whole records are compared: any edit shows, even one to a single attribute
    with algolia.lock:
        algolia.indexes[VENUES].records[gone]["city"] = "Edited again"
    assert sync_reconcile(target="algolia").drift[0].stale == [gone]
    sync_reconcile(target="algolia", repair=True)
    assert sync_reconcile(target="algolia").clean


def test_reconcile_reports_settings_changed_in_the_dashboard(algolia):
    make_entities(venues=1, artists=0, performances=0)
    sync_push(target="algolia")
    algolia.indexes[VENUES].settings["searchableAttributes"] = ["street"]

    report = sync_reconcile(target="algolia")
    assert report.drift[0].settings == {VENUES: ["searchableAttributes"]}

    sync_reconcile(target="algolia", repair=True)
    assert algolia.indexes[VENUES].settings["searchableAttributes"][0] == "name"


def test_reindex_builds_a_temporary_index_and_moves_it_onto_the_live_one(algolia, capsys):
    made = make_entities(venues=3, artists=2, performances=5)
    sync_push(target="algolia")
    with algolia.lock:
        algolia.indexes[PERFORMANCES].records["STALE"] = {"objectID": "STALE", "name": "Left over"}
        algolia.indexes[PERFORMANCES].settings["synonyms_marker"] = "kept"  # a dashboard tweak
    algolia.requests.clear()
    # A change waiting to be pushed is included, and its record ends synced
    show = Performance.objects.get(pk=made["performance"][0].pk)
    show.name = "Renamed Before Reindex"
    show.save()
    sync_mark_dirty(entity_type="performance", entity=show)

    call_command("sync_reindex", "--target", "algolia", "--no-progress")

    assert "performance: 5 records moved onto the live index" in capsys.readouterr().out
    ops = [(r.index, r.body) for r in algolia.calls("POST", "/operation") if r.index.startswith(PERFORMANCES)]
    (live, copy), (tmp, move) = ops
    assert live == PERFORMANCES
    assert copy["operation"] == "copy"
    assert copy["scope"] == ["settings", "synonyms", "rules"]
    assert copy["destination"] == tmp
    assert tmp.startswith(f"{PERFORMANCES}_tmp_")
    assert move == {"operation": "move", "destination": PERFORMANCES}
    # The records went to the temporary index, never to the live one, and tasks were waited for first
    assert algolia.batches(tmp)
    assert not algolia.batches(PERFORMANCES)
    paths = [r.path for r in algolia.requests]
    move_at = max(i for i, p in enumerate(paths) if p == f"/1/indexes/{tmp}/operation")
    assert any(p.startswith(f"/1/indexes/{tmp}/task/") for p in paths[:move_at])
    # The live index holds exactly the database, keeps its settings and its replicas
    live_index = algolia.indexes[PERFORMANCES]
    assert set(live_index.records) == {p.public_id for p in made["performance"]}
    assert live_index.records[show.public_id]["name"] == "Renamed Before Reindex"
    assert live_index.settings["synonyms_marker"] == "kept"
    assert live_index.settings["replicas"] == [f"{INDEX_PREFIX}{n}" for n in REPLICAS["performances"]]
    assert "STALE" not in algolia.indexes[f"{INDEX_PREFIX}performances_date_asc"].records
    assert not [name for name in algolia.indexes if "_tmp_" in name]
    assert set(SyncRecord.objects.filter(target="algolia").values_list("status", flat=True)) == {"synced"}
    assert sync_push(target="algolia") == ZERO
    assert sync_reconcile(target="algolia").clean


def test_reindex_needs_algolia_configured(sync_settings):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="ALGOLIA_APP_ID"):
        call_command("sync_reindex", "--no-progress")


def test_sync_push_command_reports_per_target(algolia, capsys):
    make_entities(venues=2, artists=1, performances=1)
    call_command("sync_push", "--target", "all", "--no-progress")
    out = capsys.readouterr().out
    assert "firestore (LocalDocumentStore): written 4, deleted 0, failed 0, rejected 0" in out
    assert "algolia (AlgoliaTarget): written 4, deleted 0, failed 0, rejected 0" in out
    call_command("sync_push", "--no-progress")
    assert "algolia (AlgoliaTarget): written 0, deleted 0, failed 0, rejected 0" in capsys.readouterr().out
    assert Artist.objects.count() == 1


def test_a_change_made_during_a_push_stays_dirty_for_the_next_one(algolia, monkeypatch):
    made = make_entities(venues=3, artists=0, performances=0)
    venue = Venue.objects.get(pk=made["venue"][2].pk)
    real_write = AlgoliaTarget.write

    def write_then_change(self, collection, upserts, deletes):
        outcome = real_write(self, collection, upserts, deletes)
        monkeypatch.setattr(AlgoliaTarget, "write", real_write)
        venue.name = "Changed While Pushing"  # another worker, between our send and our bookkeeping
        venue.save()
        sync_mark_dirty(entity_type="venue", entity=venue)
        return outcome

    monkeypatch.setattr(AlgoliaTarget, "write", write_then_change)
    assert sync_push(target="algolia")["written"] == 3

    statuses = dict(SyncRecord.objects.filter(target="algolia").values_list("public_id", "status"))
    assert statuses.pop(venue.public_id) == SyncStatus.DIRTY
    assert set(statuses.values()) == {SyncStatus.SYNCED}
    assert sync_push(target="algolia") == {"written": 1, "deleted": 0, "failed": 0, "rejected": 0}
    assert algolia.records(VENUES)[venue.public_id]["name"] == "Changed While Pushing"
    assert sync_push(target="algolia") == ZERO
