"""Every task, delivered twice (django-q2 delivers at least once), has one effect."""

from __future__ import annotations

import pytest

from core.stages import StageStatus
from entities.models import EntitySource, EntitySourceRevision, Performance, Venue, VenueDuplicate
from entities.tasks import entity_source_resolve_task, entity_sources_resolve_task, venue_duplicates_find_task
from extraction.models import Extraction
from extraction.tasks import extraction_run_task
from sourcing import services as sourcing
from sourcing.models import Scrape
from sourcing.tasks import scrape_fetch_task
from sync.models import SyncRecord
from sync.tasks import sync_push_task

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def fremont_url(demo_web, pipeline_settings):
    source = sourcing.source_upsert(name="fremont-abbey", kind="venue_site")
    return sourcing.url_add(source=source, url=demo_web.url("/fremont-abbey/events/index.html"))


def _snapshot():
    return {
        "scrapes": list(Scrape.objects.values_list("pk", "status", "content_hash", "attempts")),
        "extractions": list(Extraction.objects.values_list("pk", "status", "performance_count")),
        "entity_sources": list(
            EntitySource.objects.values_list("pk", "status", "data_hash", "venue", "performance")
        ),
        "revisions": EntitySourceRevision.objects.count(),
        "venues": list(Venue.objects.values_list("pk", "name", "updated_at")),
        "performances": list(Performance.objects.values_list("pk", "name", "updated_at")),
        "sync": list(SyncRecord.objects.values_list("pk", "status", "payload_hash", "synced_hash")),
        "duplicates": list(VenueDuplicate.objects.values_list("pk", "score")),
    }


def test_each_stage_task_run_twice_has_one_effect(fremont_url, django_capture_on_commit_callbacks):
    # Stage by stage, with tasks *not* chained automatically: each task is delivered twice by hand.
    scrape = Scrape.objects.create(url=fremont_url)

    with django_capture_on_commit_callbacks(execute=False):
        scrape_fetch_task(scrape.pk)
    after_first = _snapshot()
    scrape_fetch_task(scrape.pk)
    assert _snapshot() == after_first
    scrape.refresh_from_db()
    assert scrape.status == StageStatus.DONE
    assert scrape.attempts == 1

    extraction = Extraction.objects.get(scrape=scrape)
    with django_capture_on_commit_callbacks(execute=False):
        extraction_run_task(extraction.pk)
    after_first = _snapshot()
    with django_capture_on_commit_callbacks(execute=False):
        extraction_run_task(extraction.pk)
    assert _snapshot() == after_first
    assert EntitySource.objects.filter(status=StageStatus.PENDING).count() > 12

    with django_capture_on_commit_callbacks(execute=False):
        entity_sources_resolve_task(extraction.pk)
    after_first = _snapshot()
    with django_capture_on_commit_callbacks(execute=False):
        entity_sources_resolve_task(extraction.pk)
        for es in EntitySource.objects.all():
            entity_source_resolve_task(es.pk)
    assert _snapshot() == after_first
    assert Performance.objects.count() == 12

    sync_push_task("firestore")
    after_first = _snapshot()
    assert sync_push_task("firestore") == {"written": 0, "deleted": 0, "failed": 0, "rejected": 0}
    assert _snapshot() == after_first

    venue_duplicates_find_task()
    after_first = _snapshot()
    venue_duplicates_find_task()
    assert _snapshot() == after_first
