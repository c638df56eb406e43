"""django-q2 tasks for sync."""

from sync import reconcile, services
from sync.models import SyncTarget


def sync_push_task(target: str) -> dict[str, int]:
    return services.sync_push(target=target)


def sync_push_all_task() -> dict[str, dict[str, int]]:
    return {target: services.sync_push(target=target) for target in SyncTarget.values}


def sync_reconcile_all_task(repair: bool = True) -> dict[str, int]:
    """The scheduled reconcile; returns the drift found per target (for q2's task results)."""
    return {run.target: run.drift for run in reconcile.sync_reconcile_all(repair=repair)}
