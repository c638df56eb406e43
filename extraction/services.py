"""Writes for extraction: creating extraction rows for a scrape and running them."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

from extraction.models import Extraction
from extraction.router import EXTRACTORS, Document, route
from extraction.schemas import ExtractionResult
from mystage.queue import enqueue
from mystage.stages import StageStatus, claim, fail, finish
from sourcing.fetching import decode_body
from sourcing.models import Scrape

logger = logging.getLogger(__name__)

RUN_TASK = "extraction.tasks.extraction_run_task"


def _document(scrape: Scrape) -> Document:
    url = scrape.url
    return Document(
        body=scrape.body,
        url=scrape.final_url or url.url,
        content_type=scrape.content_type,
        source_kind=url.source.kind,
    )


def extractions_create_for_scrape(*, scrape: Scrape) -> list[Extraction]:
    """Create (once) an extraction per routed extractor and queue the runnable ones."""
    scrape = Scrape.objects.select_related("url__source").get(pk=scrape.pk)
    created = []
    for extractor in route(_document(scrape)):
        waiting = extractor.needs_llm and not settings.LLM_MODEL
        extraction, was_created = Extraction.objects.get_or_create(
            scrape=scrape,
            extractor=extractor.name,
            extractor_version=extractor.version,
            defaults={
                "status": StageStatus.WAITING if waiting else StageStatus.PENDING,
                "last_error": "No structured data, and no LLM_MODEL is configured to read the page."
                if waiting
                else "",
            },
        )
        if was_created and extraction.status == StageStatus.PENDING:
            enqueue(RUN_TASK, extraction.pk)
        created.append(extraction)
    return created


def extraction_run(*, extraction_id: int) -> Extraction | None:
    """Run one extractor over its stored scrape and hand what it found to entity-source management."""
    extraction = claim(Extraction, extraction_id)
    if extraction is None:
        return None
    scrape = Scrape.objects.select_related("url__source").get(pk=extraction.scrape_id)
    extractor = EXTRACTORS.get(extraction.extractor)
    if extractor is None or extractor.run is None:
        reason = f"No runnable extractor {extraction.extractor!r} (version {extraction.extractor_version})."
        if extractor is not None and extractor.needs_llm:
            finish(extraction, status=StageStatus.WAITING, error="This page needs an LLM agent to be read.")
        else:
            fail(extraction, reason, retryable=False)
        return extraction
    try:
        result = extractor.run(_document(scrape))
    except Exception as exc:  # an adapter bug must not stop the pipeline: record it, replay later
        logger.exception("extraction %s crashed", extraction.pk)
        fail(extraction, f"{extractor.name} crashed: {type(exc).__name__}: {exc}", retryable=False)
        return extraction
    extraction_store_result(extraction=extraction, result=result)
    return extraction


def extraction_store_result(*, extraction: Extraction, result: ExtractionResult) -> bool:
    """Store a validated result and ingest its entities, atomically."""
    from entities.services import entity_sources_ingest

    try:
        with transaction.atomic():
            stored = finish(
                extraction,
                status=StageStatus.DONE,
                output=result.model_dump(mode="json"),
                warnings=result.warnings[:100],
                venue_count=len(result.venues) + sum(1 for p in result.performances if p.venue),
                artist_count=len(result.artists) + sum(len(p.performers) for p in result.performances),
                performance_count=len(result.performances),
            )
            if stored:
                entity_sources_ingest(extraction=extraction, result=result)
    except Exception as exc:  # the whole ingest rolled back: record why; a retry replays it
        logger.exception("ingesting extraction %s failed", extraction.pk)
        fail(extraction, f"Ingesting entity sources failed: {type(exc).__name__}: {exc}", retryable=False)
        return False
    return stored


def text_of(scrape: Scrape) -> str:
    """The scrape's body as text, with its encoding detected (for previews and LLM agents)."""
    return decode_body(scrape.body, scrape.content_type)[0]
