"""Pipeline-wide services: the periodic tick, the sweeper, the schedules and the counts people watch."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db.models import Count
from django.utils import timezone

from core.queue import enqueue
from core.stages import StageStatus, sweepable
from entities.models import Artist, CanonicalStatus, EntitySource, Performance, Venue, VenueDuplicate
from entities.services.locate import refresh_due as enrichments_refresh_due
from extraction.models import Extraction
from images.models import UrlImage
from mystage.pipeline.flow import SCHEDULED_TASKS, SIDE_STAGES, STAGES, SYNC_PUSH_TASK, TICK_TASK
from sourcing.models import ScheduledTask, ScheduledTaskKind, Scrape
from sync.models import SyncRecord, SyncStatus

logger = logging.getLogger(__name__)

DEFAULT_SCHEDULE = [
    ("scrape-due-urls", ScheduledTaskKind.SCRAPE_DUE, dt.timedelta(minutes=1)),
    ("sweep-stuck-work", ScheduledTaskKind.SWEEP, dt.timedelta(minutes=5)),
    ("find-duplicate-venues", ScheduledTaskKind.FIND_DUPLICATES, dt.timedelta(hours=1)),
    ("push-sync-targets", ScheduledTaskKind.SYNC, dt.timedelta(minutes=5)),
    # The safety net under push: finds and repairs what a lost push or a hand edit left behind. It reads
    # every document of every collection (one Firestore read each), hence hours, not minutes.
    ("reconcile-sync-targets", ScheduledTaskKind.RECONCILE, dt.timedelta(hours=6)),
]


def pipeline_sweep(
    *, now: dt.datetime | None = None, grace_seconds: int = 60, limit: int = 5000
) -> dict[str, int]:
    """Re-enqueue work left pending or stuck running (a killed worker). Enqueueing twice is harmless:
    the task's claim lets only one run."""
    counts: dict[str, int] = {}
    enrichments_refresh_due(now=now)  # expired answers (Google's 30 days) back to pending, swept below
    for name, model, task in STAGES:
        ids = list(
            sweepable(model, now=now, grace_seconds=grace_seconds).values_list("pk", flat=True)[:limit]
        )
        for pk in ids:
            enqueue(task, pk)
        counts[name] = len(ids)
    if SyncRecord.objects.filter(status__in=[SyncStatus.DIRTY, SyncStatus.FAILED]).exists():
        enqueue(SYNC_PUSH_TASK)
    if any(counts.values()):
        logger.info("sweeper re-enqueued %s", counts)
    return counts


def schedule_setup() -> int:
    """Create the default recurring tasks and the one django-q2 tick that drives them (idempotent)."""
    from django_q.models import Schedule

    for name, kind, interval in DEFAULT_SCHEDULE:
        ScheduledTask.objects.get_or_create(name=name, defaults={"kind": kind, "interval": interval})
    Schedule.objects.update_or_create(
        name="mystage-tick",
        defaults={
            "func": TICK_TASK,
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )
    return ScheduledTask.objects.count()


def pipeline_tick(*, now: dt.datetime | None = None) -> list[str]:
    """Run each enabled ScheduledTask whose time has come; the next run is set before enqueueing."""
    now = now or timezone.now()
    ran = []
    for task in ScheduledTask.objects.filter(enabled=True).order_by("-priority"):
        if task.next_run_at and task.next_run_at > now:
            continue
        updated = ScheduledTask.objects.filter(pk=task.pk, next_run_at=task.next_run_at).update(
            next_run_at=now + task.interval, last_run_at=now
        )
        if updated:  # another tick did not take it first
            kind = ScheduledTaskKind(task.kind)
            # An API query is one of many of its kind: its task needs to know which.
            args = (task.pk,) if kind == ScheduledTaskKind.API_QUERY else ()
            enqueue(SCHEDULED_TASKS[kind], *args)
            ran.append(task.name)
    return ran


def pipeline_counts() -> dict[str, Any]:
    """Counts per stage and status, canonical entities, duplicates and sync state."""

    def by_status(qs: Any, field: str = "status") -> dict[str, int]:
        return {row[field]: row["n"] for row in qs.values(field).annotate(n=Count("pk")).order_by(field)}

    return {
        "scrapes": by_status(Scrape.objects),
        "extractions": by_status(Extraction.objects),
        "entity_sources": by_status(EntitySource.objects),
        "url_images": by_status(UrlImage.objects),
        "venues": Venue.objects.exclude(status=CanonicalStatus.MERGED).count(),
        "artists": Artist.objects.exclude(status=CanonicalStatus.MERGED).count(),
        "performances": Performance.objects.exclude(status=CanonicalStatus.MERGED).count(),
        "duplicates": by_status(VenueDuplicate.objects),
        "sync": {
            target: by_status(SyncRecord.objects.filter(target=target))
            for target in SyncRecord.objects.values_list("target", flat=True).distinct().order_by("target")
        },
    }


def pipeline_open_work() -> int:
    """Rows still moving (pending, running) plus sync records not yet pushed."""
    open_rows = sum(
        model.objects.filter(status__in=[StageStatus.PENDING, StageStatus.RUNNING]).count()
        for name, model, _ in STAGES
        if name not in SIDE_STAGES
    )
    return open_rows + SyncRecord.objects.filter(status=SyncStatus.DIRTY).count()
