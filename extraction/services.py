"""Writes for extraction: creating extraction rows for a scrape and running them."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.queue import enqueue
from core.stages import StageStatus, claim, fail, finish, retry_rows
from extraction.llm import AGENT_NAME
from extraction.models import Extraction
from extraction.router import EXTRACTORS, LLM_PAGE, STRUCTURED, Document, route
from extraction.schemas import ExtractionResult
from extraction.signals import extraction_stored, links_discovered
from sourcing.models import Scrape, UrlKind

logger = logging.getLogger(__name__)

RUN_TASK = "extraction.tasks.extraction_run_task"
NO_LLM_MODEL = "No structured data, and no LLM_MODEL is configured to read the page."
CACHE_NOTE = "reused cached LLM output from extraction"


def _document(scrape: Scrape) -> Document:
    url = scrape.url
    fetched = scrape.started_at or scrape.created_at
    return Document(
        body=scrape.body,
        url=scrape.final_url or url.url,
        content_type=scrape.content_type,
        source_kind=url.source.kind,
        # Recurring events are expanded from the day the page was fetched: a replay gives the same.
        reference_date=timezone.localdate(fetched) if fetched else None,
        horizon_days=settings.EXTRACTION_HORIZON_DAYS,
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
                "last_error": NO_LLM_MODEL if waiting else "",
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
    if extraction.extractor == AGENT_NAME:
        _llm_page_run(extraction=extraction, scrape=scrape)
        return extraction
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
    """Store a validated result and hand it on (entity sources, discovered links), atomically."""
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
                extraction_stored.send(sender=Extraction, extraction=extraction, result=result)
                if result.discovered_urls:
                    # Listing pages hand their event and pagination links back to sourcing.
                    links_discovered.send(
                        sender=Extraction,
                        scrape=extraction.scrape,
                        candidates=[(d.url, d.kind) for d in result.discovered_urls],
                    )
                if result.is_empty and extraction.extractor == STRUCTURED.name and not _links_feeds(result):
                    # Markup, but nothing we can use in it (an Organization, a WebSite): read the page instead.
                    # A page that links its calendar feeds waits for them instead ("feeds first").
                    _llm_follow_up(extraction)
    except Exception as exc:  # the whole ingest rolled back: record why; a retry replays it
        logger.exception("ingesting extraction %s failed", extraction.pk)
        fail(extraction, f"Ingesting entity sources failed: {type(exc).__name__}: {exc}", retryable=False)
        return False
    return stored


def _links_feeds(result: ExtractionResult) -> bool:
    return any(link.kind == UrlKind.FEED for link in result.discovered_urls)


def _llm_follow_up(extraction: Extraction) -> None:
    waiting = not settings.LLM_MODEL
    row, created = Extraction.objects.get_or_create(
        scrape_id=extraction.scrape_id,
        extractor=LLM_PAGE.name,
        extractor_version=LLM_PAGE.version,
        defaults={
            "status": StageStatus.WAITING if waiting else StageStatus.PENDING,
            "last_error": NO_LLM_MODEL if waiting else "",
        },
    )
    if created and not waiting:
        enqueue(RUN_TASK, row.pk)


def _llm_page_run(*, extraction: Extraction, scrape: Scrape) -> None:
    """Read a page without structured data with the configured LLM: from the cache when this content
    was read before by this agent version, else by the model, recording tokens and cost."""
    from extraction.llm.agent import LlmConfigError, LlmExtractionError, get_model, run_llm_extraction
    from extraction.llm.reduce import reduce_html

    if not settings.LLM_MODEL:
        finish(extraction, status=StageStatus.WAITING, error=NO_LLM_MODEL)
        return
    cached = _llm_cached_result(extraction=extraction, scrape=scrape)
    if cached is not None:
        # No new spend: keep what earlier attempts of this row paid (nothing, usually), cost known as 0.
        _record(extraction, cost_usd=extraction.cost_usd or Decimal(0))
        extraction_store_result(extraction=extraction, result=cached)
        return
    try:
        model = get_model(settings.LLM_MODEL)
    except LlmConfigError as exc:  # a configuration to fix, not a page to fail: `resume_llm` after the fix
        finish(extraction, status=StageStatus.WAITING, error=str(exc))
        return
    doc = _document(scrape)
    page = reduce_html(doc.text, base_url=doc.url or None)
    try:
        outcome = run_llm_extraction(
            page.text,
            model=model,
            url=doc.url or None,
            title=page.title,
            page_date=timezone.localdate(scrape.started_at or scrape.created_at),
            # Finish before q2's timeout kills the task (and loses what was paid for).
            timeout_seconds=max(30.0, settings.TASK_TIMEOUT_SECONDS - 60.0),
        )
    except LlmExtractionError as exc:
        spent = _spend(extraction, exc.usage.input_tokens, exc.usage.output_tokens, exc.usage.cost)
        fail(extraction, exc.reason, retryable=exc.retryable, **spent)
        return
    except Exception as exc:  # a bug in our code around the model: record it, replay later
        logger.exception("extraction %s crashed", extraction.pk)
        fail(extraction, f"{AGENT_NAME} crashed: {type(exc).__name__}: {exc}", retryable=False)
        return
    logger.info(
        "extraction %s: %s read %d of %d chars (ratio %.3f) in %d chunks, %d requests, %d+%d tokens, $%s",
        extraction.pk,
        outcome.model_name,
        page.chars_out,
        page.chars_in,
        page.ratio,
        outcome.chunks,
        outcome.requests,
        outcome.input_tokens,
        outcome.output_tokens,
        outcome.cost_usd,
    )
    # Keep the paid-for output on the row before ingesting: if ingesting fails, a retry reuses it.
    spent = _spend(extraction, outcome.input_tokens, outcome.output_tokens, outcome.cost_usd)
    if _record(extraction, output=outcome.result.model_dump(mode="json"), **spent):
        extraction_store_result(extraction=extraction, result=outcome.result)


def _llm_cached_result(*, extraction: Extraction, scrape: Scrape) -> ExtractionResult | None:
    """This row's own stored output (a retry after a failed ingest), else the output of a done
    extraction by the same agent version of a scrape with the same content hash."""
    if extraction.output is not None:
        return ExtractionResult.model_validate(extraction.output)
    if not scrape.content_hash:
        return None
    source = (
        Extraction.objects.filter(
            extractor=extraction.extractor,
            extractor_version=extraction.extractor_version,
            status=StageStatus.DONE,
            scrape__content_hash=scrape.content_hash,
            output__isnull=False,
        )
        .exclude(pk=extraction.pk)
        .order_by("pk")
        .first()
    )
    if source is None:
        return None
    result = ExtractionResult.model_validate(source.output)
    warnings = [w for w in result.warnings if not w.startswith(CACHE_NOTE)]
    return result.model_copy(update={"warnings": [*warnings, f"{CACHE_NOTE} {source.pk}"]})


def _spend(
    extraction: Extraction, input_tokens: int, output_tokens: int, cost: Decimal | None
) -> dict[str, Any]:
    """Tokens and cost of this attempt added to what earlier attempts of the row spent."""
    known = [c for c in (extraction.cost_usd, cost) if c is not None]
    return {
        "input_tokens": extraction.input_tokens + input_tokens,
        "output_tokens": extraction.output_tokens + output_tokens,
        "cost_usd": sum(known, Decimal(0)).quantize(Decimal("0.000001")) if known else None,
    }


def _record(extraction: Extraction, **fields: Any) -> bool:
    """Write fields of a claimed row, fenced by its claim token; False if the claim was taken over."""
    changed = Extraction.objects.filter(pk=extraction.pk, claim_token=extraction.claim_token).update(
        **fields, updated_at=timezone.now()
    )
    for name, value in fields.items():
        setattr(extraction, name, value)
    return changed == 1


def extractions_resume_waiting() -> int:
    """Queue the LLM page extractions parked as waiting (for when a model has been configured)."""
    if not settings.LLM_MODEL:
        return 0
    waiting = Extraction.objects.filter(extractor=AGENT_NAME, status=StageStatus.WAITING).order_by("pk")
    resumed = last = 0
    # Walk by primary key: a row that goes back to waiting (the model is still unusable) is not revisited.
    while ids := list(waiting.filter(pk__gt=last).values_list("pk", flat=True)[:500]):
        last = ids[-1]
        with transaction.atomic():
            resumed += retry_rows(Extraction.objects.filter(pk__in=ids, status=StageStatus.WAITING))
            for pk in ids:
                enqueue(RUN_TASK, pk)
    return resumed


def text_of(scrape: Scrape) -> str:
    """The scrape's body as text, with its encoding detected (for LLM agents)."""
    return scrape.text
