"""What the pipeline dashboard shows: failures grouped by reason, throughput per hour, queue depth, and
each sync target's state and the drift its last reconcile found.

Reads only, except `failures_retry`, which puts one group of failed rows back to pending and enqueues
them (the dashboard's "retry these" button).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncHour
from django.utils import timezone

from core.queue import queued_tasks
from core.stages import StageStatus, rows_retry
from mystage.pipeline.flow import STAGES
from sync.models import ReconcileRun, SyncRecord, SyncStatus, SyncTarget

logger = logging.getLogger(__name__)

FAILED_STATUSES = (StageStatus.FAILED, StageStatus.WAITING)
# Stages whose finished rows are charted, with the label people know them by.
THROUGHPUT_STAGES = [
    ("scrapes", "Scrapes"),
    ("extractions", "Extractions"),
    ("entity_sources", "Entity sources"),
]


@dataclass(frozen=True)
class FailureGroup:
    stage: str
    status: str
    last_error: str
    count: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _stage(name: str) -> tuple[Any, str | Callable[[list[int]], None]]:
    for stage, model, task in STAGES:
        if stage == name:
            return model, task
    raise ValueError(f"Unknown stage {name!r}; one of {', '.join(s for s, _, _ in STAGES)}.")


def failure_groups(*, limit: int = 10) -> list[FailureGroup]:
    """Per stage, the most frequent reasons (last_error) among failed and waiting rows, most first."""
    groups: list[FailureGroup] = []
    for stage, model, _ in STAGES:
        rows = (
            model.objects.filter(status__in=FAILED_STATUSES)
            .values("status", "last_error")
            .annotate(n=Count("pk"))
            .order_by("-n", "status", "last_error")[:limit]
        )
        groups += [FailureGroup(stage, r["status"], r["last_error"], r["n"]) for r in rows]
    return groups


def failures_retry(*, stage: str, last_error: str, status: str = StageStatus.FAILED) -> int:
    """Put every row of one failure group back to pending and enqueue it; returns how many."""
    model, task = _stage(stage)
    if status not in FAILED_STATUSES:
        raise ValueError(f"Only failed or waiting rows can be retried, not {status!r}.")
    ids = model.objects.filter(status=status, last_error=last_error).values_list("pk", flat=True)[:10_000]
    count = rows_retry(model.objects.filter(pk__in=list(ids)), task=task)
    logger.info("retrying %s %s row(s) of %s: %s", count, status, stage, last_error[:200])
    return count


def throughput(*, hours: int = 48, now: dt.datetime | None = None) -> dict[str, list[int]]:
    """Rows finished per hour over the last `hours` hours (oldest first), per charted stage."""
    now = now or timezone.now()
    end = now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    start = end - dt.timedelta(hours=hours)
    series: dict[str, list[int]] = {}
    for stage, _label in THROUGHPUT_STAGES:
        model, _ = _stage(stage)
        counts = [0] * hours
        rows = (
            model.objects.filter(finished_at__gte=start, finished_at__lt=end)
            .annotate(hour=TruncHour("finished_at", tzinfo=dt.UTC))
            .values("hour")
            .annotate(n=Count("pk"))
            .order_by("hour")
        )
        for row in rows:
            hour = row["hour"]
            if hour.tzinfo is None:  # backends that hand back naive UTC
                hour = hour.replace(tzinfo=dt.UTC)
            index = int((hour - start).total_seconds() // 3600)
            if 0 <= index < hours:
                counts[index] += row["n"]
        series[stage] = counts
    return series


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    count: int
    label: str


def svg_bars(counts: list[int], *, start: dt.datetime, width: int = 720, height: int = 120) -> dict[str, Any]:
    """Geometry of an inline SVG bar chart (rendered by the template; no JavaScript, no CDN)."""
    peak = max(counts, default=0) or 1
    slot = width / max(len(counts), 1)
    bars = []
    for i, n in enumerate(counts):
        h = round(n / peak * (height - 14), 1)
        hour = start + dt.timedelta(hours=i)
        bars.append(
            Bar(
                x=round(i * slot + 1, 1),
                y=round(height - h, 1),
                width=round(max(slot - 2, 1), 1),
                height=h,
                count=n,
                label=f"{hour:%a %H:00} UTC: {n}",
            )
        )
    ticks = [
        {"x": round(i * slot, 1), "label": f"{start + dt.timedelta(hours=i):%H:00}"}
        for i in range(0, len(counts), 6)
    ]
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "peak": peak,
        "total": sum(counts),
        "ticks": ticks,
    }


def throughput_charts(*, hours: int = 48, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    now = now or timezone.now()
    end = now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    start = end - dt.timedelta(hours=hours)
    series = throughput(hours=hours, now=now)
    return [
        {"stage": stage, "label": label, **svg_bars(series[stage], start=start)}
        for stage, label in THROUGHPUT_STAGES
    ]


def queue_depth() -> dict[str, Any]:
    """The worker cluster's queue: tasks waiting at the broker, and the tasks q2 recorded as done."""
    from django_q.models import Failure, OrmQ, Success

    broker_name = "redis" if settings.Q_CLUSTER.get("redis") else "orm"
    queued: int | None
    try:
        queued = queued_tasks()  # the main queue and the lanes (tick, fetch)
    except Exception as exc:  # a broker that is down must not take the dashboard down with it
        logger.warning("queue size unavailable: %s", exc)
        queued = None
    return {
        "broker": broker_name,
        "queued": queued,
        "orm_queue": OrmQ.objects.count() if broker_name == "orm" else None,
        "successes": Success.objects.count(),
        "failures": Failure.objects.count(),
    }


def recent_task_failures(*, limit: int = 5) -> list[Any]:
    from django_q.models import Failure

    return list(Failure.objects.order_by("-stopped")[:limit])


@dataclass(frozen=True)
class SyncTargetState:
    target: str
    label: str
    by_status: dict[str, int]
    last_run: ReconcileRun | None
    problems: list[dict[str, Any]]  # failed and rejected records grouped by reason


def sync_overview(*, reasons: int = 5) -> list[SyncTargetState]:
    """Per sync target: records by status, the latest reconcile run (its drift), and the most frequent
    reasons among failed and rejected records."""
    states = []
    for target, label in SyncTarget.choices:
        records = SyncRecord.objects.filter(target=target)
        by_status = {
            row["status"]: row["n"]
            for row in records.values("status").annotate(n=Count("pk")).order_by("status")
        }
        problems = list(
            records.filter(status__in=[SyncStatus.FAILED, SyncStatus.REJECTED])
            .values("status", "last_error")
            .annotate(n=Count("pk"))
            .order_by("-n", "status", "last_error")[:reasons]
        )
        last_run = ReconcileRun.objects.filter(target=target).order_by("-started_at").first()
        states.append(SyncTargetState(target, str(label), by_status, last_run, [dict(p) for p in problems]))
    return states
