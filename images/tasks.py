"""django-q2 tasks for images: thin wrappers that take ids and call services."""

from core.stages import stage_task
from images import services


@stage_task
def image_fetch_task(image_id: int) -> None:
    services.image_fetch(image_id=image_id)
