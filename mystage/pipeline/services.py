"""Pipeline-wide services: the periodic tick, the sweeper, the schedules and the counts people watch."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from core.queue import TICK_LANE, enqueue, lane_queue, queue_is_empty
from core.stages import StageStatus, rows_fail_abandoned, rows_mark_queued, sweepable
from entities.models import Artist, CanonicalStatus, EntitySource, Performance, Venue, VenueDuplicate
from entities.services.locate import refresh_due as enrichments_refresh_due
from extraction.models import Extraction
from images.models import UrlImage
from mystage.pipeline.flow import (
    SCHEDULED_TASKS,
    SCHEDULING_KINDS,
    SIDE_STAGES,
    STAGES,
    SYNC_PUSH_TASK,
    TICK_TASK,
)
from sourcing.fetch_stage import scrapes_due
from sourcing.models import ScheduledTask, ScheduledTaskKind, Scrape
from sourcing.services import scrapes_enqueue_due
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
    *, now: dt.datetime | None = None, grace_seconds: int = 60, limit: int | None = None
) -> dict[str, int]:
    """Queue work that has no task in flight, a bounded batch per stage (PIPELINE_SWEEP_BATCH), oldest
    first; fail rows whose worker died on their last attempt.

    Rows whose task waits in the queue are not stuck: a pending row counts as lost only when its task
    was queued more than PIPELINE_QUEUED_PATIENCE_SECONDS ago (or `grace_seconds`, when no task waits
    in any queue), see `core.stages.sweepable`. The fetch stage's batches take due scrapes themselves,
    so for scrapes the sweeper queues the batch tasks (at most one per key) when any scrape is due.
    Enqueueing twice would still be harmless: a task's claim lets only one run."""
    now = now or timezone.now()
    limit = limit or settings.PIPELINE_SWEEP_BATCH
    patience = None if queue_is_empty() else settings.PIPELINE_QUEUED_PATIENCE_SECONDS
    counts: dict[str, int] = {}
    gave_up = 0
    enrichments_refresh_due(now=now)  # expired answers (Google's 30 days) back to pending, swept below
    for name, model, task in STAGES:
        gave_up += rows_fail_abandoned(model, now=now)
        if callable(task):  # a stage of batch tasks (fetch): they find their rows themselves
            due = list(scrapes_due(now=now).values_list("pk", flat=True)[:limit])
            if due:
                task(due)
            counts[name] = len(due)
            continue
        ids = list(
            sweepable(model, now=now, grace_seconds=grace_seconds, queued_seconds=patience).values_list(
                "pk", flat=True
            )[:limit]
        )
        rows_mark_queued(model, ids, now=now)
        for pk in ids:
            enqueue(task, pk)
        counts[name] = len(ids)
    if SyncRecord.objects.filter(status__in=[SyncStatus.DIRTY, SyncStatus.FAILED]).exists():
        enqueue(SYNC_PUSH_TASK)
    if any(counts.values()) or gave_up:
        logger.info(
            "sweeper queued %s; %d rows failed after their last attempt's worker died", counts, gave_up
        )
    return counts


def schedule_setup() -> int:
    """Create the default recurring tasks and the one django-q2 tick that drives them (idempotent). The
    tick is queued into the tick's lane (core.queue), ahead of any backlog."""
    from django_q.models import Schedule

    for name, kind, interval in DEFAULT_SCHEDULE:
        ScheduledTask.objects.get_or_create(name=name, defaults={"kind": kind, "interval": interval})
    Schedule.objects.update_or_create(
        name="mystage-tick",
        defaults={
            "func": TICK_TASK,
            "kwargs": repr({"q_options": {"cluster": lane_queue(TICK_LANE)}}),
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )
    return ScheduledTask.objects.count()


def pipeline_tick(*, now: dt.datetime | None = None) -> list[str]:
    """Run each enabled ScheduledTask whose time has come; the next run is set before enqueueing. The
    scheduling tasks (due URLs, the sweeper) go to the tick's lane, the others to the main queue."""
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
            if kind == ScheduledTaskKind.SCRAPE_DUE:
                # One at a time (it queues itself again while URLs are due).
                scrapes_enqueue_due()
            elif kind == ScheduledTaskKind.API_QUERY:
                # An API query is one of many of its kind: its task needs to know which.
                enqueue(SCHEDULED_TASKS[kind], task.pk)
            else:
                enqueue(SCHEDULED_TASKS[kind], lane=TICK_LANE if kind in SCHEDULING_KINDS else None)
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
