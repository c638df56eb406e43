"""The whole pipeline on the bundled demo web, with tasks run inline (django-q2 sync mode)."""

from __future__ import annotations

import json

import pytest

from core.stages import StageStatus
from entities.models import Artist, EntitySource, Performance, Venue, VenueDuplicate
from entities.services import venue_duplicates_find
from extraction.models import Extraction
from mystage.pipeline.services import pipeline_counts, pipeline_open_work
from sourcing import services as sourcing
from sourcing.models import Scrape, Url
from sync.models import SyncRecord, SyncStatus
from sync.services import sync_push

pytestmark = [pytest.mark.django_db(transaction=True)]

SEED = json.loads(
    (__import__("pathlib").Path(__file__).resolve().parents[2] / "demo" / "seed.json").read_text()
)


def run_pipeline(base_url: str) -> None:
    sourcing.sources_import(spec=SEED, base_url=base_url)
    sourcing.scrapes_request_due()


def test_demo_web_flows_to_canonical_entities_and_sync(demo_web, pipeline_settings, tmp_path):
    # Given the demo web and its seed; when every stage runs
    run_pipeline(demo_web.base_url)
    venue_duplicates_find()
    sync_push(target="firestore")
    sync_push(target="algolia")

    # Then every URL was scraped once and nothing is left in flight or failed
    assert Scrape.objects.count() == Url.objects.count() == sum(len(s["urls"]) for s in SEED["sources"])
    assert set(Scrape.objects.values_list("status", flat=True)) == {StageStatus.DONE}
    assert not Extraction.objects.filter(status=StageStatus.FAILED).exists()
    assert not EntitySource.objects.exclude(status=StageStatus.DONE).exists()
    assert pipeline_open_work() == 0

    # And canonical entities exist, with the venue sites' facts
    fremont = Venue.objects.get(name="Fremont Abbey Arts Center")
    assert (fremont.locality, fremont.postal_code, fremont.country) == ("Seattle", "98103", "US")
    assert fremont.performances.count() >= 5
    # A venue with coordinates gets its IANA zone from them
    assert Venue.objects.exclude(latitude=None).exclude(timezone="").exists()
    assert Performance.objects.count() > 100
    assert Artist.objects.count() > 5
    assert Performance.objects.filter(billing__isnull=False).distinct().count() > 5

    # And the API sources were read by their adapters: DICE's venue with its zone, Bandsintown's artists with IDs
    sunset = Venue.objects.get(name="The Sunset Tavern")
    assert (sunset.locality, sunset.country, sunset.timezone) == ("Seattle", "US", "America/Los_Angeles")
    assert sunset.performances.count() == 50
    odesza = Artist.objects.get(name_key="odesza")
    # Bandsintown's API artist ID and its /a/<id> page links are one typed scheme
    assert odesza.external_ids["bandsintown"] == ["3213796"]
    assert odesza.performances.count() >= 30

    # And times are local to the venue, with an instant only where the time is known
    exact = Performance.objects.filter(time_precision="exact").exclude(starts_at=None)
    assert exact.exists()
    assert not Performance.objects.filter(time_precision="date").exclude(starts_at=None).exists()

    # And the aggregator's other spellings of known venues became review candidates, not new silent merges
    assert VenueDuplicate.objects.filter(status="pending").exists()

    # And every canonical entity is synced to both local stand-ins
    counts = pipeline_counts()
    entities = counts["venues"] + counts["artists"] + counts["performances"]
    assert SyncRecord.objects.filter(status=SyncStatus.SYNCED).count() == 2 * entities
    assert (
        pipeline_settings.SYNC_LOCAL_DIR / "firestore" / "evt_venues" / f"{fremont.public_id}.json"
    ).exists()
    assert (pipeline_settings.SYNC_LOCAL_DIR / "algolia" / "venues" / f"{fremont.public_id}.json").exists()


def test_running_the_pipeline_again_changes_nothing(demo_web, pipeline_settings):
    # Given a finished run
    run_pipeline(demo_web.base_url)
    sync_push(target="firestore")
    before = {
        "entity_sources": list(
            EntitySource.objects.order_by("pk").values_list(
                "pk", "data_hash", "venue", "artist", "performance"
            )
        ),
        "venues": list(Venue.objects.order_by("pk").values_list("pk", "public_id", "name", "updated_at")),
        "performances": list(Performance.objects.order_by("pk").values_list("pk", "public_id", "updated_at")),
        "extractions": Extraction.objects.count(),
    }

    # When every URL is due again and scraped again
    Url.objects.update(next_scrape_at=None)
    for url in Url.objects.all():
        sourcing.scrape_request(url=url, requested_by="test")

    # Then the pages came back unchanged: no new extraction, no entity changed, nothing to push
    assert Scrape.objects.filter(unchanged=True).count() == Url.objects.count()
    assert Extraction.objects.count() == before["extractions"]
    assert (
        list(
            EntitySource.objects.order_by("pk").values_list(
                "pk", "data_hash", "venue", "artist", "performance"
            )
        )
        == before["entity_sources"]
    )
    assert (
        list(Venue.objects.order_by("pk").values_list("pk", "public_id", "name", "updated_at"))
        == before["venues"]
    )
    assert (
        list(Performance.objects.order_by("pk").values_list("pk", "public_id", "updated_at"))
        == before["performances"]
    )
    assert sync_push(target="firestore") == {"written": 0, "deleted": 0, "failed": 0, "rejected": 0}
