"""Enqueueing pipeline tasks on django-q2, always after the surrounding transaction commits.

**Lanes.** One cluster serves three queues, read in this order by its broker (`core.brokers`):
`tick` (the minute's tick and the scheduling it runs: never behind a backlog), `fetch` (the fetch
stage's batch tasks, a few at a time: fetching goes on while the other workers extract and resolve),
then the main queue (every other stage). A lane is a queue name of its own, `<cluster name>@<lane>`;
without the lane broker (another broker class) lanes are plain queues nobody reads, so settings.py
always sets it.

**Jobs.** A task that works on batches rather than one row (a fetch batch, the due-URL scheduler)
is queued under a key, at most once at a time: `enqueue_job` marks the key queued (`QueuedJob`), the
task clears the mark when it starts (`job_started`), so asking again while one waits in the queue is a
no-op, and one more may be queued while it runs. A mark older than PIPELINE_QUEUED_PATIENCE_SECONDS
counts as lost (a broker restarted without its data) and is queued again.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_q.brokers import Broker, get_broker
from django_q.tasks import async_task

logger = logging.getLogger(__name__)

TICK_LANE = "tick"
FETCH_LANE = "fetch"
LANES = (TICK_LANE, FETCH_LANE)  # read before the main queue, in this order


def lane_queue(lane: str) -> str:
    """The queue name of a lane."""
    return f"{settings.Q_CLUSTER['name']}@{lane}"


_brokers: dict[str, Broker] = {}


def _broker(lane: str | None) -> Broker:
    # One broker per lane and process: get_broker builds a new one (a new Redis client) on every call.
    key = lane or ""
    broker = _brokers.get(key)
    if broker is None:
        broker = _brokers[key] = get_broker(lane_queue(lane) if lane else None)
    return broker


def enqueue(func: str, *args: Any, group: str | None = None, lane: str | None = None) -> None:
    """Enqueue `func(*args)` once the current transaction commits (at once outside a transaction), on
    the main queue or a lane.

    Tasks take ids, never model instances: q2 pickles arguments and the row may change meanwhile.
    """

    def _send() -> None:
        async_task(func, *args, group=group or func.rsplit(".", 1)[-1], broker=_broker(lane))

    transaction.on_commit(_send)


def enqueue_job(func: str, *args: Any, key: str, lane: str | None = None) -> None:
    """Enqueue `func(*args, job_key=key)` after commit unless a task under `key` is already queued."""

    def _send() -> None:
        if _mark_queued(key):
            async_task(func, *args, job_key=key, group=key, broker=_broker(lane))

    transaction.on_commit(_send)


def _mark_queued(key: str) -> bool:
    from core.models import QueuedJob

    now = timezone.now()
    lost = now - dt.timedelta(seconds=settings.PIPELINE_QUEUED_PATIENCE_SECONDS)
    free = QueuedJob.objects.filter(key=key).filter(enqueued_at__isnull=True) | QueuedJob.objects.filter(
        key=key, enqueued_at__lt=lost
    )
    if free.update(enqueued_at=now):
        return True
    try:
        with transaction.atomic():
            QueuedJob.objects.create(key=key, enqueued_at=now)
    except IntegrityError:  # it exists, and is queued
        return False
    return True


def job_started(key: str | None) -> None:
    """A job's task has started: another may be queued under its key from now on."""
    if key:
        from core.models import QueuedJob

        QueuedJob.objects.filter(key=key).update(enqueued_at=None)


def queued_tasks() -> int:
    """Tasks waiting in the main queue and the lanes (those already handed to a worker not counted)."""
    return sum(int(_broker(lane).queue_size() or 0) for lane in (None, *LANES))


def queue_is_empty() -> bool:
    """Whether no task waits in the main queue or a lane (tasks already handed to a worker not counted).
    A broker that cannot say counts as not empty."""
    try:
        return queued_tasks() == 0
    except Exception:
        logger.warning("could not read the task queue's size", exc_info=True)
        return False
