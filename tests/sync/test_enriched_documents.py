"""What enrichment adds reaches the published documents, inside the contract: held-out venue pages with a
postal address and no coordinates publish a location marked with its precision, their performances a
UTC instant; an artist MusicBrainz enriched publishes its MBID, the typed IDs of its links, its type
and genres; a venue Google geocoded publishes the rooftop point and never Google's place ID."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from entities.models import Artist, Performance, Venue
from sourcing import services as sourcing
from sync.services import sync_push
from sync.targets.local import LocalDocumentStore
from tests.enrichment.test_pipeline_enrichment import BEDFORD_PAGE, PAGES
from tests.fake_apis import FakeApis
from tests.sync.schemas import leaks, problems

pytestmark = [pytest.mark.django_db(transaction=True)]

HELD_OUT = ["denver-ogden", "berlin-so36", "melbourne-corner", "evansville-victory", "toronto-horseshoe"]
COLLECTIONS = ("evt_venues", "evt_artists", "evt_performances")
INDEXES = ("venues", "artists", "performances")


@pytest.fixture
def web(tmp_path):
    """The held-out enrichment pages, and one Brooklyn page (a street address, for Google)."""
    from demo.webserver import start_server

    root = tmp_path / "web"
    for page in HELD_OUT:
        (root / page).mkdir(parents=True)
        (root / page / "index.html").write_bytes((PAGES / page / "index.html").read_bytes())
    (root / "bedford").mkdir()
    (root / "bedford" / "index.html").write_text(BEDFORD_PAGE)
    with start_server(root, host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture
def services(sync_settings):
    """MusicBrainz and the Google Geocoding API, as the fake server plays them."""
    with FakeApis() as fake:
        sync_settings.MUSICBRAINZ_CONTACT = "ops@mystage.example"
        sync_settings.MUSICBRAINZ_BASE_URL = fake.base_url
        sync_settings.MUSICBRAINZ_MIN_INTERVAL_SECONDS = 0
        sync_settings.GOOGLE_GEOCODING_API_KEY = fake.keys["google_geocoding"]
        sync_settings.GOOGLE_GEOCODING_BASE_URL = fake.base_url
        yield fake


def _documents(root: Path, target: str, collection: str) -> dict[str, Any]:
    return LocalDocumentStore(root, target).documents(collection)


def test_enriched_entities_publish_what_enrichment_found_and_fit_the_contract(web, services, sync_settings):
    for slug in [*HELD_OUT, "bedford"]:
        source = sourcing.source_upsert(name=slug, kind="venue_site")
        sourcing.url_add(source=source, url=web.url(f"/{slug}/index.html"))
    sourcing.scrapes_request_due()
    sync_push(target="firestore")
    sync_push(target="algolia")
    root = sync_settings.SYNC_LOCAL_DIR

    # Every document and record fits its schema and leaks nothing
    for target, collections in (("firestore", COLLECTIONS), ("algolia", INDEXES)):
        for collection in collections:
            docs = _documents(root, target, collection)
            assert docs, (target, collection)
            for doc_id, doc in docs.items():
                assert problems(target, collection, doc) == [], (target, collection, doc_id)
                assert leaks(doc) == [], (target, collection, doc_id)
    venues = _documents(root, "firestore", "evt_venues")
    shows = _documents(root, "firestore", "evt_performances")
    records = _documents(root, "algolia", "venues")

    # A venue placed by the gazetteer: its centroid, marked so, its zone; its shows have their instant
    so36 = Venue.objects.get(name="SO36")
    doc = venues[so36.public_id]
    assert doc["address"]["country"] == "DE"
    assert doc["timezone"] == "Europe/Berlin"
    assert doc["location"]["precision"] == "city"
    assert abs(doc["location"]["lat"] - 52.50) < 0.2
    assert records[so36.public_id]["_geoloc"] == {
        "lat": doc["location"]["lat"],
        "lng": doc["location"]["lng"],
    }
    (show,) = Performance.objects.filter(venue=so36)
    assert shows[show.public_id]["starts_at"] == "2031-07-04T19:00:00Z"
    assert shows[show.public_id]["venue"]["location"] == {
        "lat": doc["location"]["lat"],
        "lng": doc["location"]["lng"],
    }
    ogden = venues[Venue.objects.get(name="Ogden Theatre").public_id]
    assert (ogden["location"]["precision"], ogden["timezone"]) == ("postal_code", "America/Denver")

    # Google's rooftop point is published; its place ID is not (the terms let us keep it only)
    bedford = Venue.objects.get(name="Bedford Hall")
    doc = venues[bedford.public_id]
    assert doc["location"] == {"lat": 40.7142205, "lng": -73.9612903, "precision": "rooftop"}
    text = json.dumps(doc)
    for place_id in bedford.external_ids.get("google_place") or []:
        assert place_id not in text
    assert "google_place" not in doc["external_ids"]

    # An artist MusicBrainz enriched: its MBID and the typed IDs of its links, its type and genres
    artist = Artist.objects.get(name="Within Temptation")
    doc = _documents(root, "firestore", "evt_artists")[artist.public_id]
    assert doc["external_ids"]["musicbrainz"] == ["eace2373-31c8-4aba-9a5c-7bce22dd140a"]
    assert doc["external_ids"]["spotify"] == ["3hE8S8ohRErocpkY7uJW4a"]
    published = {k for k in artist.external_ids if not k.startswith("source:")}
    assert set(doc["external_ids"]) == published  # every typed ID it holds is a public one
    assert (doc["type"], doc["disambiguation"]) == ("group", "Dutch symphonic metal band")
    assert doc["genres"] == ["symphonic metal", "gothic metal", "metal"]
    record = _documents(root, "algolia", "artists")[artist.public_id]
    assert (record["artist_type"], record["genres"]) == ("group", doc["genres"])
    assert dt.datetime.fromisoformat(doc["updated_at"]).tzinfo is not None
