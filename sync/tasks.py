"""django-q2 tasks for sync."""

from sync import services
from sync.models import SyncTarget


def sync_push_task(target: str) -> dict[str, int]:
    return services.sync_push(target=target)


def sync_push_all_task() -> dict[str, dict[str, int]]:
    return {target: services.sync_push(target=target) for target in SyncTarget.values}
