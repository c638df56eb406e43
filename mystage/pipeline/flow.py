"""The order of the pipeline, in one place: which task works on each stage's rows, what each stage
hands to the next, and which task each recurring job runs.

The stages never import the stages after them. Each sends a signal with what it produced (a stored
scrape, an extraction's result, discovered links, a changed entity, a stored image); `connect()` —
called once from `MystageConfig.ready()` — wires each signal to the service that takes it on. The
receivers run inside the sender's transaction, so a hand-off is stored with the row that caused it
or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.queue import enqueue
from entities import selectors as entity_selectors
from entities.models import Enrichment, EntitySource
from entities.services import entity_sources_ingest
from entities.signals import entities_resolved, entity_changed
from extraction.models import Extraction
from extraction.services import extractions_create_for_scrape
from extraction.signals import extraction_stored, links_discovered
from images.models import UrlImage
from images.signals import image_stored
from sourcing.fetch_stage import scrapes_enqueue_fetch
from sourcing.models import ScheduledTaskKind, Scrape
from sourcing.services import urls_discover
from sourcing.signals import scrape_stored
from sync.services import PUSH_ALL_TASK as SYNC_PUSH_TASK
from sync.services import sync_mark_dirty

TICK_TASK = "mystage.pipeline.tasks.pipeline_tick_task"

# Each stage row and what works on it: a task taking the row's id, or (a stage whose tasks take
# batches) a function that queues them for a list of ids.
STAGES: list[tuple[str, Any, str | Callable[[list[int]], None]]] = [
    ("scrapes", Scrape, scrapes_enqueue_fetch),
    ("extractions", Extraction, "extraction.tasks.extraction_run_task"),
    ("entity_sources", EntitySource, "entities.tasks.entity_source_resolve_task"),
    ("url_images", UrlImage, "images.tasks.image_fetch_task"),
    ("enrichments", Enrichment, "entities.tasks.enrichment_run_task"),
]
# Side branches that nothing downstream waits for: images come from third-party hosts and may retry
# for an hour, so they do not count as open work (the demo and tests wait for the entity pipeline).
# Enrichments (Google geocoding, MusicBrainz) wait on third-party quotas and rate rules likewise: an
# entity is complete without them and is recomputed when they arrive.
SIDE_STAGES = frozenset({"url_images", "enrichments"})

# The tick and the scheduling it runs go to the tick's lane (core.queue): never behind a backlog.
SCHEDULING_KINDS = frozenset({ScheduledTaskKind.SCRAPE_DUE, ScheduledTaskKind.SWEEP})

SCHEDULED_TASKS = {
    ScheduledTaskKind.SCRAPE_DUE: "sourcing.tasks.scrapes_request_due_task",
    ScheduledTaskKind.SWEEP: "mystage.pipeline.tasks.pipeline_sweep_task",
    ScheduledTaskKind.FIND_DUPLICATES: "entities.tasks.duplicates_find_task",
    ScheduledTaskKind.SYNC: SYNC_PUSH_TASK,
    ScheduledTaskKind.RECONCILE: "sync.tasks.sync_reconcile_all_task",
    ScheduledTaskKind.API_QUERY: "sourcing.tasks.api_query_run_task",
}


def _extract(sender: Any, *, scrape: Scrape, **kwargs: Any) -> None:
    extractions_create_for_scrape(scrape=scrape)


def _ingest(sender: Any, *, extraction: Extraction, result: Any, **kwargs: Any) -> None:
    entity_sources_ingest(extraction=extraction, result=result)


def _discover(sender: Any, *, scrape: Scrape, candidates: list[tuple[str, str]], **kwargs: Any) -> None:
    urls_discover(scrape=scrape, candidates=candidates)


def _publish(sender: Any, *, entity_type: str, entity: Any, **kwargs: Any) -> None:
    sync_mark_dirty(entity_type=entity_type, entity=entity)


def _push(sender: Any, *, resolved: int, **kwargs: Any) -> None:
    enqueue(SYNC_PUSH_TASK)


def _republish_showing(sender: Any, *, image: UrlImage, **kwargs: Any) -> None:
    """Documents of the entities showing this image now carry its variants."""
    for entity_type, entity in entity_selectors.entities_showing_image(
        url=image.url, url_hash=image.url_hash
    ):
        sync_mark_dirty(entity_type=entity_type, entity=entity)


# (signal, receiver): sourcing -> extraction -> entities -> sync, and the loops back (discovered links to
# sourcing, stored images to the documents that show them).
HANDOFFS: list[tuple[Any, Any]] = [
    (scrape_stored, _extract),
    (extraction_stored, _ingest),
    (links_discovered, _discover),
    (entity_changed, _publish),
    (entities_resolved, _push),
    (image_stored, _republish_showing),
]


def connect() -> None:
    """Wire every hand-off (idempotent: each receiver is connected once, by its dispatch_uid)."""
    for signal, receiver in HANDOFFS:
        signal.connect(receiver, dispatch_uid=f"mystage.pipeline.flow.{receiver.__name__}", weak=False)
