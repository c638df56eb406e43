"""django-q2 tasks for entities."""

from entities import services


def entity_sources_resolve_task(extraction_id: int) -> int:
    return services.entity_sources_resolve_for_extraction(extraction_id=extraction_id)


def entity_source_resolve_task(entity_source_id: int) -> None:
    services.entity_source_resolve(entity_source_id=entity_source_id)


def venue_duplicates_find_task() -> dict[str, int]:
    return services.venue_duplicates_find()


def enrichment_run_task(enrichment_id: int) -> str | None:
    return services.enrichment_run(enrichment_id=enrichment_id)


def gazetteer_build_task() -> int:
    return services.gazetteer_build()
