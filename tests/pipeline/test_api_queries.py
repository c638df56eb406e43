"""A scheduled API query runs a source client; each page becomes a Scrape and goes through extraction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from core.stages import StageStatus
from entities.models import Performance
from extraction.models import Extraction
from mystage.pipeline.services import pipeline_tick
from sourcing import services
from sourcing.models import ScheduledTask, ScheduledTaskKind, Scrape, Url
from tests.fake_apis import FakeApis

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fake():
    with FakeApis() as server:
        yield server


@pytest.fixture
def ticketmaster_query(fake, pipeline_settings):
    pipeline_settings.TICKETMASTER_API_KEY = fake.keys["ticketmaster"]
    pipeline_settings.TICKETMASTER_BASE_URL = fake.base_url
    source = services.source_upsert(name="ticketmaster", kind="ticketmaster", priority=45)
    return ScheduledTask.objects.create(
        name="ticketmaster-seattle-music",
        kind=ScheduledTaskKind.API_QUERY,
        source=source,
        params={"method": "iter_events", "args": {"city": "Seattle", "size": 20}, "max_pages": 3},
        interval=dt.timedelta(hours=6),
    )


def test_api_query_pages_become_scrapes_and_entities(fake, ticketmaster_query):
    # When the tick finds the query due
    assert (
        pipeline_tick() == ["ticketmaster-seattle-music"] or "ticketmaster-seattle-music" in pipeline_tick()
    )

    # Then each page is a stored Scrape of its own URL, without the key, extracted by the adapter
    scrapes = Scrape.objects.filter(requested_by="api_query")
    assert scrapes.exists()
    for scrape in scrapes:
        assert fake.keys["ticketmaster"] not in scrape.url.url
        assert scrape.url.next_scrape_at is None  # refreshed by the query, never fetched by URL
    extraction = Extraction.objects.get(scrape=scrapes.first())
    assert (extraction.extractor, extraction.status) == ("ticketmaster", StageStatus.DONE)
    assert Performance.objects.exists()
    ticketmaster_query.refresh_from_db()
    assert ticketmaster_query.last_error == ""

    # And running the query again stores unchanged pages without extracting them again
    ScheduledTask.objects.filter(pk=ticketmaster_query.pk).update(next_run_at=timezone.now())
    pipeline_tick()
    assert Extraction.objects.count() == scrapes.filter(unchanged=False).count()
    assert Scrape.objects.filter(requested_by="api_query", unchanged=True).exists()
    assert not Url.objects.filter(kind="api", next_scrape_at__isnull=False).exists()


def test_api_query_failure_is_recorded_and_retried_later(fake, ticketmaster_query):
    fake.fail(
        "/discovery/v2/events.json", status=429, times=10, retry_after=600
    )  # longer than a worker may sleep
    pipeline_tick()
    ticketmaster_query.refresh_from_db()
    assert "429" in ticketmaster_query.last_error
    assert ticketmaster_query.next_run_at is not None
    assert ticketmaster_query.next_run_at > timezone.now() + dt.timedelta(seconds=300)
    assert not Scrape.objects.exists()


def test_missing_key_is_reported_on_the_task(ticketmaster_query, pipeline_settings):
    pipeline_settings.TICKETMASTER_API_KEY = ""
    pipeline_tick()
    ticketmaster_query.refresh_from_db()
    assert "TICKETMASTER_API_KEY" in ticketmaster_query.last_error
