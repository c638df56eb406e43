"""django-q2 tasks for extraction."""

from core.stages import stage_task
from extraction import services


@stage_task
def extraction_run_task(extraction_id: int) -> None:
    services.extraction_run(extraction_id=extraction_id)
