"""An exception a stage did not expect is recorded on its row, with a reason a person reads, counts as an
attempt, and is never rolled back with the work that raised it; the other rows of a batch go on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from core.stages import StageStatus, claim, stage_task
from entities.models import Enrichment, EnrichmentKind
from entities.tasks import enrichment_run_task, entity_source_resolve_task
from extraction.models import Extraction
from images.models import UrlImage
from images.tasks import image_fetch_task
from sourcing import services as sourcing
from sourcing.api_queries import api_query_run
from sourcing.models import ScheduledTask, ScheduledTaskKind, Scrape, SourceKind
from sourcing.signals import scrape_stored
from tests.factories import EntitySourceFactory, ExtractionFactory

pytestmark = [pytest.mark.django_db(transaction=True)]


@stage_task
def _claim_write_and_crash(extraction_id: int) -> None:
    """A task that claims its row, writes inside a transaction, then hits a bug in that transaction."""
    row = claim(Extraction, extraction_id)
    assert row is not None
    with transaction.atomic():
        Extraction.objects.filter(pk=row.pk).update(warnings=["half-done"])
        raise OverflowError("cannot convert float infinity to integer")


def test_a_task_that_crashes_records_why_on_its_row_and_the_record_stays(settings):
    settings.PIPELINE_MAX_ATTEMPTS = 2
    row = ExtractionFactory.create(status=StageStatus.PENDING, finished_at=None, warnings=[])

    # The exception still reaches django-q2 (its failure log keeps the traceback)
    with pytest.raises(OverflowError):
        _claim_write_and_crash(row.pk)
    row.refresh_from_db()
    assert row.status == StageStatus.PENDING  # retryable, with backoff
    assert row.retry_at is not None
    assert row.attempts == 1
    assert row.last_error == (
        "Unexpected error (OverflowError: cannot convert float infinity to integer); "
        "the worker log has the traceback."
    )
    assert row.warnings == []  # the crashed work rolled back; its failure record did not

    # The second time is the last attempt: failed for good, saying so
    with pytest.raises(OverflowError):
        _claim_write_and_crash(row.pk)
    row.refresh_from_db()
    assert row.status == StageStatus.FAILED
    assert row.attempts == 2
    assert row.last_error.startswith("Gave up after 2 attempts: Unexpected error (OverflowError")


def test_a_crash_while_storing_one_page_fails_that_row_and_the_batch_goes_on(demo_web, pipeline_settings):
    # Given two pages, and a receiver of stored scrapes that breaks on one of them
    source = sourcing.source_upsert(name="two", kind="venue_site")
    bad = sourcing.url_add(source=source, url=demo_web.url("/fremont-abbey/events/index.html"))
    good = sourcing.url_add(source=source, url=demo_web.url("/royal-room/events/index.html"))

    def breaks(sender, *, scrape, **kwargs):
        if scrape.url_id == bad.pk:
            raise UnicodeError("encoding with 'idna' codec failed (label too long)")

    scrape_stored.connect(breaks, dispatch_uid="test-breaks")
    try:
        sourcing.scrapes_request_due()
    finally:
        scrape_stored.disconnect(dispatch_uid="test-breaks")

    broken = Scrape.objects.get(url=bad)
    assert broken.status == StageStatus.PENDING
    assert broken.attempts == 1
    assert broken.last_error.startswith("Unexpected error (UnicodeError: encoding with 'idna' codec failed")
    assert not broken.body_compressed  # the store rolled back with the hand-off; the failure stayed
    assert Scrape.objects.get(url=good).status == StageStatus.DONE
    assert Extraction.objects.filter(scrape__url=good).exists()
    assert not Extraction.objects.filter(scrape__url=bad).exists()


def test_an_image_task_that_crashes_is_recorded(pipeline_settings, monkeypatch):
    image = UrlImage.objects.create(url="http://127.0.0.1:9/x.jpg", url_hash="x" * 64)

    def bug(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("images.services.fetch", bug)
    with pytest.raises(ZeroDivisionError):
        image_fetch_task(image.pk)
    image.refresh_from_db()
    assert image.status == StageStatus.PENDING
    assert image.attempts == 1
    assert image.last_error.startswith("Unexpected error (ZeroDivisionError: division by zero)")


def test_a_resolution_task_that_crashes_is_recorded(pipeline_settings, monkeypatch):
    es = EntitySourceFactory.create(venue=None, status=StageStatus.PENDING, data={"name": "Somewhere"})

    def bug(*args, **kwargs):
        raise KeyError("postal_code")

    monkeypatch.setattr("entities.services.resolve._resolve_venue", bug)
    entity_source_resolve_task(es.pk)  # resolution records its own errors; stage_task is the net below
    es.refresh_from_db()
    assert es.status in (StageStatus.PENDING, StageStatus.FAILED)
    assert es.attempts == 1
    assert "KeyError" in es.last_error
    assert "postal_code" in es.last_error


def test_an_enrichment_whose_recompute_crashes_is_recorded(monkeypatch, settings):
    # enrichment_run records what its lookups raise; a bug in the recompute after them (inside the
    # transaction that marks the row done) is stage_task's to record
    settings.PIPELINE_MAX_ATTEMPTS = 3
    row = Enrichment.objects.create(kind=EnrichmentKind.GEOCODE_OFFLINE, entity_type="venue", entity_id=1)

    def bug(*args, **kwargs):
        raise ValueError("latitude out of range")

    monkeypatch.setattr("entities.services.enrichment._recompute", bug)
    with pytest.raises(ValueError, match="latitude"):
        enrichment_run_task(row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (StageStatus.PENDING, 1)
    assert row.last_error.startswith("Unexpected error (ValueError: latitude out of range)")


def test_an_api_query_that_crashes_records_why_and_waits(monkeypatch):
    source = sourcing.source_upsert(name="bit", kind=SourceKind.BANDSINTOWN)
    task = ScheduledTask.objects.create(
        name="q", kind=ScheduledTaskKind.API_QUERY, source=source, params={"method": "iter_events"},
        interval=dt.timedelta(hours=1),
    )  # fmt: skip

    def bug(*args, **kwargs):
        raise OverflowError("Retry-After: inf")

    monkeypatch.setattr("sourcing.api_queries.api_client_for", bug)
    with override_settings(BANDSINTOWN_APP_ID="x"):
        assert api_query_run(task_id=task.pk) == {"pages": 0, "changed": 0}
    task.refresh_from_db()
    assert task.last_error.startswith("Unexpected error (OverflowError: Retry-After: inf)")
    assert task.next_run_at is not None
    assert task.next_run_at > timezone.now() + dt.timedelta(minutes=10)
