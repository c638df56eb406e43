"""django-q2 tasks for extraction."""

from extraction import services


def extraction_run_task(extraction_id: int) -> None:
    services.extraction_run(extraction_id=extraction_id)
