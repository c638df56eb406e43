"""A stage that fails records why, loses nothing, and lets other work go on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from core.stages import StageStatus, claim, fail, retry_rows
from entities.models import EntitySource, Performance, Venue
from extraction.models import Extraction
from extraction.router import EXTRACTORS
from mystage.pipeline.services import pipeline_sweep
from sourcing import services as sourcing
from sourcing.models import Scrape, Url
from tests.factories import ScrapeFactory

pytestmark = [pytest.mark.django_db(transaction=True)]


def _add(demo_web, name, path):
    source = sourcing.source_upsert(name=name, kind="venue_site")
    return sourcing.url_add(source=source, url=demo_web.url(path))


def test_failed_fetches_are_recorded_and_other_urls_go_on(demo_web, pipeline_settings):
    gone = _add(demo_web, "gone", "/_test/status/404")
    down = _add(demo_web, "down", "/_test/status/503")
    good = _add(demo_web, "fremont-abbey", "/fremont-abbey/events/index.html")

    sourcing.scrapes_request_due()

    gone_scrape = Scrape.objects.get(url=gone)
    assert gone_scrape.status == StageStatus.FAILED
    assert gone_scrape.last_error == "HTTP 404: the page does not exist (any more)."
    assert gone_scrape.http_status == 404
    down_scrape = Scrape.objects.get(url=down)
    assert down_scrape.status == StageStatus.PENDING  # retryable: waits for its retry time
    assert "HTTP 503" in down_scrape.last_error
    assert down_scrape.retry_at is not None
    assert down_scrape.finished_at is not None
    assert down_scrape.retry_at > down_scrape.finished_at  # it waits (Retry-After: 1) before trying again
    assert Scrape.objects.get(url=good).status == StageStatus.DONE
    assert Performance.objects.count() == 12
    assert Performance.objects.filter(venue__name="Fremont Abbey Arts Center").count() == 5
    assert Url.objects.get(pk=down.pk).consecutive_failures == 1


def test_retryable_failure_is_retried_by_the_sweeper_until_attempts_run_out(demo_web, pipeline_settings):
    pipeline_settings.PIPELINE_MAX_ATTEMPTS = 3
    down = _add(demo_web, "down", "/_test/status/500")
    sourcing.scrapes_request_due()
    scrape = Scrape.objects.get(url=down)
    for _ in range(5):
        pipeline_sweep(now=timezone.now() + dt.timedelta(days=1))
    scrape.refresh_from_db()
    assert scrape.status == StageStatus.FAILED
    assert scrape.attempts == 3
    assert Scrape.objects.filter(url=down).count() == 1  # retried in place, never duplicated


def test_private_redirect_is_a_recorded_failure(demo_web, pipeline_settings):
    url = _add(demo_web, "sneaky", "/_test/redirect?to=http://169.254.169.254/latest/meta-data/")
    sourcing.scrapes_request_due()
    scrape = Scrape.objects.get(url=url)
    assert scrape.status == StageStatus.FAILED
    assert "non-public address 169.254.169.254" in scrape.last_error


def test_crashing_extractor_is_recorded_and_retry_reruns_it(demo_web, pipeline_settings, monkeypatch):
    original = EXTRACTORS["structured"]

    def crash(doc):
        raise RuntimeError("adapter bug")

    monkeypatch.setitem(
        EXTRACTORS, "structured", original.__class__(name="structured", version=original.version, run=crash)
    )
    url = _add(demo_web, "fremont-abbey", "/fremont-abbey/events/index.html")
    sourcing.scrapes_request_due()
    extraction = Extraction.objects.get(scrape__url=url)
    assert extraction.status == StageStatus.FAILED
    assert extraction.last_error == "structured crashed: RuntimeError: adapter bug"
    assert Scrape.objects.get(url=url).status == StageStatus.DONE  # the raw page is kept for replay

    # When the adapter is fixed and the row retried, the stored scrape is extracted: nothing was lost
    monkeypatch.setitem(EXTRACTORS, "structured", original)
    retry_rows(Extraction.objects.filter(pk=extraction.pk))
    pipeline_sweep(now=timezone.now() + dt.timedelta(minutes=5))
    extraction.refresh_from_db()
    assert extraction.status == StageStatus.DONE
    assert Performance.objects.count() == 12


def test_broken_jsonld_is_reported_not_fatal(demo_web, pipeline_settings):
    url = _add(demo_web, "broken", "/_test/broken-jsonld")
    sourcing.scrapes_request_due()
    extraction = Extraction.objects.get(scrape__url=url)
    assert extraction.status == StageStatus.DONE
    assert extraction.warnings or extraction.performance_count >= 1


def test_page_that_lies_about_its_encoding_is_read_correctly(demo_web, pipeline_settings):
    _add(demo_web, "cafe", "/_test/latin1")
    sourcing.scrapes_request_due()
    assert Venue.objects.get().name == "Café Nouveau"
    assert Performance.objects.get().name == "Soirée jazz au Café Nouveau"


def test_page_without_markup_waits_for_an_llm(fixtures_web, pipeline_settings):
    pipeline_settings.LLM_MODEL = ""
    url = _add(fixtures_web, "el-corazon", "/calendar-ripper/el_corazon__sample-data.html")
    sourcing.scrapes_request_due()
    extraction = Extraction.objects.get(scrape__url=url)
    assert extraction.status == StageStatus.WAITING
    assert "LLM_MODEL" in extraction.last_error
    assert not EntitySource.objects.exists()


@pytest.mark.parametrize(("attempt", "seconds"), [(1, 30), (2, 60), (3, 120), (8, 3600), (1000, 3600)])
def test_a_retryable_failure_is_scheduled_by_the_backoff_policy(settings, attempt, seconds):
    settings.PIPELINE_MAX_ATTEMPTS = 10_000
    scrape = ScrapeFactory.create(status=StageStatus.PENDING, attempts=attempt - 1)
    row = claim(Scrape, scrape.pk)
    assert row is not None
    assert row.attempts == attempt
    before = timezone.now()

    assert fail(row, "HTTP 503: the server failed.", retryable=True)

    row.refresh_from_db()
    assert row.status == StageStatus.PENDING
    assert row.retry_at is not None
    wait = dt.timedelta(seconds=seconds)
    assert before + wait <= row.retry_at <= timezone.now() + wait
