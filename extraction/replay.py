"""Replaying extraction over stored scrapes: the raw bodies are kept so any adapter improvement
can be applied to everything we ever fetched, without fetching again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Max, QuerySet

from core.queue import enqueue
from core.stages import StageStatus, retry_rows
from extraction.models import Extraction
from extraction.router import EXTRACTORS, Document, route
from sourcing.models import Scrape

RUN_TASK = "extraction.tasks.extraction_run_task"


def replayable_scrapes(
    *,
    source: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    latest_only: bool = True,
) -> QuerySet[Scrape]:
    """Scrapes whose body we kept; by default only the latest body of each URL (older bodies would
    make a page look as if its newer events had vanished)."""
    qs = Scrape.objects.filter(status=StageStatus.DONE, unchanged=False, body_compressed__isnull=False)
    if source:
        qs = qs.filter(url__source__name=source)
    if since:
        qs = qs.filter(created_at__gte=since)
    if until:
        qs = qs.filter(created_at__lt=until)
    if latest_only:
        latest = qs.values("url_id").annotate(last=Max("pk")).values("last")
        qs = Scrape.objects.filter(pk__in=latest)
    return qs.order_by("pk")


def batched_ids(qs: QuerySet[Scrape], batch_size: int) -> Iterator[list[int]]:
    last = 0
    while True:
        ids = list(qs.filter(pk__gt=last).values_list("pk", flat=True)[:batch_size])
        if not ids:
            return
        yield ids
        last = ids[-1]


def extractions_replay(
    *, scrape_ids: list[int], extractor: str | None = None, force: bool = False, run_inline: bool = False
) -> dict[str, int]:
    """Make sure each scrape has an extraction by the current version of each routed extractor.

    An extraction by the same extractor and version that already exists is left alone (replaying
    twice does nothing) unless `force`, which runs it again in place."""
    counts = {"created": 0, "rerun": 0, "unchanged": 0}
    to_run: list[int] = []
    for scrape in Scrape.objects.filter(pk__in=scrape_ids).select_related("url__source"):
        doc = Document(
            body=scrape.body,
            url=scrape.final_url or scrape.url.url,
            content_type=scrape.content_type,
            source_kind=scrape.url.source.kind,
        )
        for chosen in route(doc):
            if extractor and chosen.name != extractor:
                continue
            row, created = Extraction.objects.get_or_create(
                scrape=scrape, extractor=chosen.name, extractor_version=chosen.version
            )
            if created:
                counts["created"] += 1
                to_run.append(row.pk)
            elif force and row.status not in (StageStatus.PENDING, StageStatus.RUNNING):
                Extraction.objects.filter(pk=row.pk).update(status=StageStatus.FAILED)
                retry_rows(Extraction.objects.filter(pk=row.pk))
                counts["rerun"] += 1
                to_run.append(row.pk)
            else:
                counts["unchanged"] += 1
    for pk in to_run:
        if run_inline:
            from extraction.services import extraction_run

            extraction_run(extraction_id=pk)
        else:
            enqueue(RUN_TASK, pk)
    return counts


def known_extractors() -> list[str]:
    return sorted(EXTRACTORS)
