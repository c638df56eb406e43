"""Sync against real clients: algoliasearch against the recording server, google-cloud-firestore
against the emulator (TEST_FIRESTORE_EMULATOR_HOST, set by scripts/services.sh; tests skip without it)."""

from __future__ import annotations

import datetime as dt
import os
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from entities.models import Artist, Performance, PerformanceArtist, Venue
from sync.services import sync_mark_dirty
from tests.algolia_server import AlgoliaServer

FIRESTORE_HOST = os.environ.get("TEST_FIRESTORE_EMULATOR_HOST", "")
# One project per test process: two suites sharing an emulator never see each other's documents.
FIRESTORE_PROJECT = f"mystage-test-{os.getpid()}"
INDEX_PREFIX = "test_"


@pytest.fixture
def sync_settings(pipeline_settings: Any) -> Any:
    """Local stand-ins unless a test configures a real target; fast in-call retries."""
    pipeline_settings.FIRESTORE_PROJECT = ""
    pipeline_settings.FIRESTORE_EMULATOR_HOST = ""
    pipeline_settings.GOOGLE_APPLICATION_CREDENTIALS = ""
    pipeline_settings.ALGOLIA_APP_ID = ""
    pipeline_settings.ALGOLIA_API_KEY = ""
    pipeline_settings.ALGOLIA_HOSTS = []
    pipeline_settings.SYNC_RETRY_ATTEMPTS = 3
    pipeline_settings.SYNC_RETRY_BASE_SECONDS = 0
    return pipeline_settings


@pytest.fixture
def algolia(sync_settings: Any) -> Iterator[AlgoliaServer]:
    """The recording Algolia server, and settings that point the official client at it."""
    with AlgoliaServer() as server:
        sync_settings.ALGOLIA_APP_ID = "TESTAPP"
        sync_settings.ALGOLIA_API_KEY = "test-admin-key"
        sync_settings.ALGOLIA_INDEX_PREFIX = INDEX_PREFIX
        sync_settings.ALGOLIA_HOSTS = [server.url]
        yield server


def firestore_wipe(host: str, project: str) -> None:
    request = urllib.request.Request(
        f"http://{host}/emulator/v1/projects/{project}/databases/(default)/documents", method="DELETE"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


@pytest.fixture
def firestore(sync_settings: Any) -> Iterator[str]:
    """The Firestore emulator, wiped before and after; the project name to read it with."""
    if not FIRESTORE_HOST:
        pytest.skip(
            "TEST_FIRESTORE_EMULATOR_HOST is not set: start the emulator with scripts/services.sh "
            "(make test does) to run the Firestore tests"
        )
    firestore_wipe(FIRESTORE_HOST, FIRESTORE_PROJECT)
    sync_settings.FIRESTORE_PROJECT = FIRESTORE_PROJECT
    sync_settings.FIRESTORE_EMULATOR_HOST = FIRESTORE_HOST
    yield FIRESTORE_PROJECT
    firestore_wipe(FIRESTORE_HOST, FIRESTORE_PROJECT)


def make_entities(venues: int = 3, artists: int = 2, performances: int = 2) -> dict[str, list[Any]]:
    """Synthetic canonical entities, marked dirty for every target as the pipeline would."""
    made_venues = Venue.objects.bulk_create(
        [
            Venue(
                name=f"Venue {i}",
                locality="Seattle" if i % 2 else "Portland",
                country="US",
                street=f"{100 + i} Pine St",
                latitude=47.6 + i / 1000 if i % 3 == 0 else None,
                longitude=-122.3 if i % 3 == 0 else None,
                phone=f"+1206555{i:04d}",
                timezone="America/Los_Angeles",
            )
            for i in range(venues)
        ]
    )
    made_artists = Artist.objects.bulk_create(
        [Artist(name=f"Artist {i}", genres=["rock", "indie"] if i % 2 else ["jazz"]) for i in range(artists)]
    )
    made_performances = []
    start = dt.date(2026, 6, 1)
    for i in range(performances):
        performance = Performance.objects.create(
            name=f"Show {i}",
            venue=made_venues[i % len(made_venues)] if made_venues else None,
            local_date=start + dt.timedelta(days=(i * 7) % 60),
        )
        for order, artist in enumerate(made_artists[:2]):
            PerformanceArtist.objects.create(performance=performance, artist=artist, order=order)
        made_performances.append(performance)
    with transaction.atomic():
        for entity_type, entities in (
            ("venue", made_venues),
            ("artist", made_artists),
            ("performance", made_performances),
        ):
            for entity in entities:
                sync_mark_dirty(entity_type=entity_type, entity=entity)
    return {"venue": made_venues, "artist": made_artists, "performance": made_performances}
