"""Source terms through the whole pipeline (DESIGN.md section 3): a venue that a Google Places source
also describes gets the Google place ID, but keeps the venue site's values, and the documents sent to
Firestore and Algolia carry no Google content and no Google ID."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from core.stages import StageStatus
from entities.models import EntitySource, ExternalId, Venue
from extraction.models import Extraction
from sourcing import services as sourcing
from sync.models import SyncRecord, SyncStatus
from sync.serializers import venue_document
from sync.services import sync_push
from sync.targets.local import LocalDocumentStore
from tests.fake_apis import FakeApis

PLACE_ID = "ChIJ-test-Fremont-Abbey-0001"
# The Place that the fake Places API answers for the venue: Places API (New) shape (as in the saved
# tests/fixtures/apis/google_places_new_place_details_full.json), with values only Google has, so
# that any of them leaking into a canonical record or a document shows.
FREMONT_ABBEY_PLACE = {
    "name": f"places/{PLACE_ID}",
    "id": PLACE_ID,
    "displayName": {"text": "Fremont Abbey Arts Center", "languageCode": "en"},
    "formattedAddress": "4272 Fremont Ave N, Seattle, WA 98103, USA",
    "addressComponents": [
        {"longText": "4272", "shortText": "4272", "types": ["street_number"], "languageCode": "en"},
        {
            "longText": "Fremont Avenue North",
            "shortText": "Fremont Ave N",
            "types": ["route"],
            "languageCode": "en",
        },
        {
            "longText": "Seattle",
            "shortText": "Seattle",
            "types": ["locality", "political"],
            "languageCode": "en",
        },
        {
            "longText": "Washington",
            "shortText": "WA",
            "types": ["administrative_area_level_1", "political"],
            "languageCode": "en",
        },
        {
            "longText": "United States",
            "shortText": "US",
            "types": ["country", "political"],
            "languageCode": "en",
        },
        {"longText": "98103", "shortText": "98103", "types": ["postal_code"], "languageCode": "en-US"},
    ],
    "location": {"latitude": 47.6587913, "longitude": -122.3500937},
    "nationalPhoneNumber": "(206) 555-0142",
    "internationalPhoneNumber": "+1 206-555-0142",
    "websiteUri": "https://google-only.example/fremont-abbey",
    "timeZone": {"id": "America/Los_Angeles"},
}
GOOGLE_ONLY = [
    PLACE_ID,
    "555-0142",
    "5550142",
    "google-only.example",
    "47.6587913",
    "-122.3500937",
    "Fremont Avenue",
]
FIELDS = "id,displayName,formattedAddress,addressComponents,location,nationalPhoneNumber,internationalPhoneNumber,websiteUri"


@pytest.fixture
def places_api():
    with FakeApis() as fake:
        fake.add_google_place(FREMONT_ABBEY_PLACE)
        yield fake


@pytest.mark.django_db(transaction=True)
def test_google_places_contributes_its_id_only(demo_web, places_api, pipeline_settings):
    # Given the venue's own site, and a Google Places source answering Place Details for the venue
    site = sourcing.source_upsert(name="fremont-abbey", kind="venue_site", priority=50)
    sourcing.url_add(source=site, url=demo_web.url("/fremont-abbey/events/index.html"))
    sourcing.scrapes_request_due()
    google = sourcing.source_upsert(name="google-places", kind="google_places", priority=90)
    # The fetch stage GETs stored URLs, so the key rides in the query (`key=`, which Places accepts);
    # once the fetch stage calls sourcing.clients for API sources, it goes in a header instead.
    key = places_api.keys["google_places"]
    sourcing.url_add(
        source=google, url=places_api.url(f"/v1/places/{PLACE_ID}?fields={FIELDS}&key={key}"), kind="api"
    )

    # When the pipeline runs and syncs
    sourcing.scrapes_request_due()
    sync_push(target="firestore")
    sync_push(target="algolia")

    # Then the Places response was read by its adapter and matched to the venue the site described
    (extraction,) = Extraction.objects.filter(scrape__url__source=google)
    assert extraction.status == StageStatus.DONE
    assert extraction.extractor == "google_places"
    (google_source,) = EntitySource.objects.filter(source=google)
    venue = Venue.objects.get(name="Fremont Abbey Arts Center")
    assert google_source.venue_id == venue.pk

    # And the canonical venue has the place ID, but every value is the site's, none of Google's
    assert venue.external_ids["google_place"] == [PLACE_ID]
    assert ExternalId.objects.filter(
        scheme="google_place", value=PLACE_ID, public_id=venue.public_id
    ).exists()
    assert venue.street == "4272 Fremont Ave N, Seattle, WA 98103, USA"
    assert (venue.locality, venue.postal_code, venue.country) == ("Seattle", "98103", "US")
    assert not venue.phone
    assert not venue.website or "google-only" not in venue.website
    # Google's point is not kept: the venue is placed by the offline gazetteer at its postal code
    assert (venue.latitude, venue.longitude) != (47.6587913, -122.3500937)
    assert (venue.coord_precision, venue.coord_source) == ("postal_code", "gazetteer:postal_code")
    assert {entry["source"] for entry in venue.provenance.values()} == {
        "fremont-abbey",
        "gazetteer:postal_code",
    }

    # And nothing of Google's, not even its place ID, is in any document sent to Firestore or Algolia
    documents = list(pipeline_settings.SYNC_LOCAL_DIR.rglob("*.json"))
    assert documents
    venue_docs = [p for p in documents if venue.public_id in p.name]
    assert len(venue_docs) == 2  # the Firestore document and the Algolia record
    for path in documents:
        text = path.read_text(encoding="utf-8")
        for value in GOOGLE_ONLY:
            assert value not in text, (
                f"{value!r} leaked into {path.relative_to(pipeline_settings.SYNC_LOCAL_DIR)}"
            )
    firestore = json.loads(next(p for p in venue_docs if "firestore" in p.parts).read_text())
    assert firestore["name"] == "Fremont Abbey Arts Center"
    assert "google_place" not in firestore["external_ids"]


def test_documents_publish_only_public_external_ids():
    venue = {
        "public_id": "01TEST0000000000000000000A",
        "name": "Fremont Abbey Arts Center",
        "status": "active",
        "external_ids": {
            "google_place": [PLACE_ID],
            "yelp": ["fremont-abbey-seattle"],
            "source:google-places": [f"google_place:{PLACE_ID}"],
            "source:yelp": ["yelp:fremont-abbey-seattle"],
            "source:fremont-abbey": ["fp:0123"],
            "source:both": ["yelp:x", "ticketmaster:KovZpZA7AAEA"],
            "musicbrainz": ["5b11f4ce-a62d-471e-81fc-a69a8278c7da"],
        },
    }
    # Our sources' keys and fingerprints and Google's and Yelp's IDs stay in the database
    doc = venue_document(venue, updated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert doc.model_dump()["external_ids"] == {"musicbrainz": ["5b11f4ce-a62d-471e-81fc-a69a8278c7da"]}


@pytest.mark.django_db(transaction=True)
def test_a_venue_only_google_knows_publishes_nothing_until_a_site_describes_it(
    demo_web, places_api, pipeline_settings
):
    # Given only the Google Places source, answering Place Details for a venue no other source knows yet
    google = sourcing.source_upsert(name="google-places", kind="google_places", priority=90)
    key = places_api.keys["google_places"]
    sourcing.url_add(
        source=google, url=places_api.url(f"/v1/places/{PLACE_ID}?fields={FIELDS}&key={key}"), kind="api"
    )

    # When the pipeline runs and syncs
    sourcing.scrapes_request_due()
    sync_push(target="firestore")
    sync_push(target="algolia")

    # Then the venue exists for matching (with its place ID), but nothing of it is published: no
    # document, no search record, nothing of Google's in any file; its records need nothing sent
    (google_source,) = EntitySource.objects.filter(source=google)
    assert google_source.venue_id is not None
    venue = Venue.objects.get(pk=google_source.venue_id)
    assert venue.external_ids["google_place"] == [PLACE_ID]
    assert not list(pipeline_settings.SYNC_LOCAL_DIR.rglob(f"{venue.public_id}.json"))
    for path in pipeline_settings.SYNC_LOCAL_DIR.rglob("*.json"):
        text = path.read_text(encoding="utf-8")
        assert "Fremont Abbey" not in text
        assert PLACE_ID not in text
    records = SyncRecord.objects.filter(public_id=venue.public_id)
    assert {(r.target, r.status, r.payload_hash, r.synced_hash) for r in records} == {
        ("firestore", SyncStatus.SYNCED, "absent", "absent"),
        ("algolia", SyncStatus.SYNCED, "absent", "absent"),
    }

    # When the venue's own site describes it
    site = sourcing.source_upsert(name="fremont-abbey", kind="venue_site", priority=50)
    sourcing.url_add(source=site, url=demo_web.url("/fremont-abbey/events/index.html"))
    sourcing.scrapes_request_due()
    sync_push(target="firestore")
    sync_push(target="algolia")

    # Then it is published, with the site's values and still nothing of Google's
    venue.refresh_from_db()
    assert google_source.venue_id == venue.pk
    store = LocalDocumentStore(pipeline_settings.SYNC_LOCAL_DIR, "firestore")
    doc = store.get("evt_venues", venue.public_id)
    assert doc is not None
    assert doc["name"] == "Fremont Abbey Arts Center"
    # Google's coordinates stay unpublished; the site gives none, so the venue is placed by our own
    # gazetteer from the site's postal address (a centroid, marked as one)
    assert doc["location"] is not None
    assert doc["location"]["precision"] in ("postal_code", "city")
    assert (doc["location"]["lat"], doc["location"]["lng"]) != (47.6587913, -122.3500937)
    assert "google_place" not in doc["external_ids"]
    shows = store.documents("evt_performances")
    assert [s for s in shows.values() if (s["venue"] or {}).get("id") == venue.public_id]
    for path in pipeline_settings.SYNC_LOCAL_DIR.rglob("*.json"):
        text = path.read_text(encoding="utf-8")
        for value in GOOGLE_ONLY:
            assert value not in text
