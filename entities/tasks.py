"""django-q2 tasks for entities."""

from core.queue import job_started
from core.stages import stage_task
from entities import services


@stage_task
def entity_sources_resolve_task(extraction_id: int) -> int:
    return services.entity_sources_resolve_for_extraction(extraction_id=extraction_id)


@stage_task
def entity_source_resolve_task(entity_source_id: int) -> None:
    services.entity_source_resolve(entity_source_id=entity_source_id)


def venue_duplicates_find_task() -> dict[str, int]:
    return services.venue_duplicates_find()


def artist_duplicates_find_task() -> dict[str, int]:
    return services.artist_duplicates_find()


def duplicates_find_task() -> dict[str, dict[str, int]]:
    """The scheduled duplicate passes: venues, then artists."""
    return {"venues": services.venue_duplicates_find(), "artists": services.artist_duplicates_find()}


@stage_task
def enrichment_run_task(enrichment_id: int) -> str | None:
    return services.enrichment_run(enrichment_id=enrichment_id)


def gazetteer_build_task(job_key: str | None = None) -> int:
    job_started(job_key)
    return services.gazetteer_build()
