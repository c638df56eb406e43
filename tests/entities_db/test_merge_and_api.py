"""Merging venues leaves a redirect kept forever (API, Firestore, Algolia) and can be undone."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from entities.models import CanonicalStatus, DuplicateStatus, MergeRecord, Performance, Venue, VenueDuplicate
from entities.services import venue_duplicate_decide, venue_duplicates_find, venue_merge, venue_unmerge
from sourcing import services as sourcing
from sync.services import sync_push

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seattle(demo_web, pipeline_settings):
    """The venue sites and the aggregator that spells their venues differently."""
    spec = {
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
    sourcing.sources_import(spec=spec, base_url=demo_web.base_url)
    sourcing.scrapes_request_due()
    venue_duplicates_find()
    return pipeline_settings


def _pair(name_a, name_b):
    return Venue.objects.get(name=name_a), Venue.objects.get(name=name_b)


def test_duplicate_candidate_has_an_explanation(seattle):
    hidden, fremont_spelling = _pair("Hidden Hall", "Hidden Hall (Fremont)")
    dup = VenueDuplicate.objects.get(venue_a=min(hidden, fremont_spelling, key=lambda v: v.pk))
    assert dup.status == DuplicateStatus.PENDING
    fields = {row["field"]: row for row in dup.explanation}
    assert fields["name"]["level"] in {"similar", "close"}  # a qualifier added to the same name
    assert fields["city"]["level"] == "exact"


def test_merge_repoints_everything_and_leaves_a_redirect(seattle):
    winner, loser = _pair("Hidden Hall", "Hidden Hall (Fremont)")
    loser_performances = set(loser.performances.values_list("pk", flat=True))
    assert loser_performances

    record = venue_merge(winner=winner, loser=loser, reason="same room")
    sync_push(target="firestore")
    sync_push(target="algolia")

    loser.refresh_from_db()
    assert loser.status == CanonicalStatus.MERGED
    assert loser.merged_into_id == winner.pk
    assert set(Performance.objects.filter(pk__in=loser_performances).values_list("venue", flat=True)) == {
        winner.pk
    }
    assert winner.sources.filter(source__name="seattle-shows").exists()
    assert "Hidden Hall (Fremont)" in Venue.objects.get(pk=winner.pk).former_names
    assert (
        VenueDuplicate.objects.get(venue_a__in=[winner, loser], venue_b__in=[winner, loser]).status
        == "merged"
    )

    # The API answers the loser's ID with a permanent redirect to the winner
    response = Client().get(f"/api/venues/{loser.public_id}")
    assert response.status_code == 301
    assert response["Location"].endswith(f"/api/venues/{winner.public_id}")

    # Firestore keeps a redirect document; Algolia no longer has the loser
    doc = json.loads(
        (seattle.SYNC_LOCAL_DIR / "firestore" / "evt_venues" / f"{loser.public_id}.json").read_text()
    )
    assert {k: v for k, v in doc.items() if k != "updated_at"} == {
        "id": loser.public_id,
        "schema_version": 1,
        "status": "merged",
        "merged_into": winner.public_id,
    }
    assert not (seattle.SYNC_LOCAL_DIR / "algolia" / "venues" / f"{loser.public_id}.json").exists()

    # And the merge is undone exactly
    venue_unmerge(record=MergeRecord.objects.get(pk=record.pk))
    loser.refresh_from_db()
    assert loser.status == CanonicalStatus.ACTIVE
    assert loser.merged_into_id is None
    assert set(loser.performances.values_list("pk", flat=True)) == loser_performances
    assert Client().get(f"/api/venues/{loser.public_id}").status_code == 200
    sync_push(target="algolia")
    assert (seattle.SYNC_LOCAL_DIR / "algolia" / "venues" / f"{loser.public_id}.json").exists()


def test_not_a_duplicate_is_never_asked_again(seattle):
    dup = VenueDuplicate.objects.filter(status=DuplicateStatus.PENDING).earliest("pk")
    venue_duplicate_decide(duplicate=dup, status=DuplicateStatus.NOT_DUPLICATE, reason="two rooms")
    venue_duplicates_find()
    dup.refresh_from_db()
    assert dup.status == DuplicateStatus.NOT_DUPLICATE
    assert VenueDuplicate.objects.filter(venue_a=dup.venue_a, venue_b=dup.venue_b).count() == 1


def test_api_lists_filter_and_paginate(seattle):
    client = Client()
    venues = client.get("/api/venues", {"city": "Seattle", "limit": "2"}).json()
    assert venues["count"] >= 3
    assert len(venues["items"]) == 2
    performances = client.get("/api/performances", {"date_from": "2026-01-01", "limit": "500"}).json()
    assert performances["count"] == Performance.objects.filter(local_date__gte="2026-01-01").count()
    with_acts = [p for p in performances["items"] if p["artists"]]
    assert with_acts
    assert client.get("/api/openapi.json").status_code == 200


def test_scrape_api_needs_a_staff_session(seattle, django_user_model, settings, unused_port):
    settings.SCRAPE_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    client = Client()
    payload = {"url": f"http://127.0.0.1:{unused_port}/x", "source": "api-test"}
    assert client.post("/api/pipeline/scrapes", payload, content_type="application/json").status_code == 401
    staff = django_user_model.objects.create_user("staff", password="pw", is_staff=True)
    client.force_login(staff)
    response = client.post("/api/pipeline/scrapes", payload, content_type="application/json")
    assert response.status_code == 202
    scrape_id = response.json()["scrape_id"]
    status = client.get(f"/api/pipeline/scrapes/{scrape_id}").json()
    # Nothing listens on that port: a connection failure is retryable, so the scrape waits to be retried
    assert status["status"] == "pending"
    assert "Connection failed" in status["last_error"]
