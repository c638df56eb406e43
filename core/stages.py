"""Shared machinery for pipeline rows: status, attempts, last error, claiming and sweeping.

Every stage row (a Scrape, an Extraction, an EntitySource awaiting resolution, ...) moves
pending -> running -> done | failed. django-q2 delivers a task at least once, so a task first
*claims* its row with a conditional UPDATE and does nothing unless exactly one row changed.
A claim is a lease: a row left "running" by a killed worker becomes claimable again once the
lease has expired, and the sweeper re-enqueues it. The claim token fences a worker whose lease
expired while it was still running: its final write matches no row and is dropped.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.queue import enqueue
from core.retry import Backoff


class StageStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    WAITING = "waiting", "Waiting"  # parked until something outside changes (e.g. no LLM configured)


OPEN_STATUSES = (StageStatus.PENDING, StageStatus.RUNNING)


class StageRow(models.Model):
    status = models.CharField(
        max_length=16, choices=StageStatus.choices, default=StageStatus.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When a retryable failure may be tried again (exponential backoff); null = now.
    retry_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def duration_ms(self) -> int | None:
        if self.started_at and self.finished_at:
            return int((self.finished_at - self.started_at).total_seconds() * 1000)
        return None


def claim[T: StageRow](model: type[T], pk: int) -> T | None:
    """Claim the row for this worker; None when another worker holds it or it is already final."""
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.PIPELINE_LEASE_SECONDS)
    token = uuid.uuid4()
    claimable = Q(status=StageStatus.PENDING) | Q(status=StageStatus.RUNNING, started_at__lt=stale)
    changed = (
        model._default_manager.filter(pk=pk)
        .filter(claimable)
        .update(
            status=StageStatus.RUNNING,
            attempts=F("attempts") + 1,
            claim_token=token,
            started_at=now,
            finished_at=None,
            updated_at=now,
        )
    )
    if changed != 1:
        return None
    return model._default_manager.get(pk=pk)


def finish(row: StageRow, *, status: str = StageStatus.DONE, error: str = "", **fields: Any) -> bool:
    """Record the outcome of a claimed row; False if this worker's claim was taken over meanwhile."""
    now = timezone.now()
    values = {
        "status": status,
        "last_error": error[:4000],
        "finished_at": now,
        "updated_at": now,
        "retry_at": None,
    }
    values.update(fields)
    changed = type(row)._default_manager.filter(pk=row.pk, claim_token=row.claim_token).update(**values)
    for name, value in values.items():
        setattr(row, name, value)
    return changed == 1


def fail(row: StageRow, error: str, *, retryable: bool, backoff_seconds: int = 30, **fields: Any) -> bool:
    """Record a failure; a retryable one goes back to pending with exponential backoff (`core.retry.Backoff`)
    until attempts run out."""
    if retryable and row.attempts < settings.PIPELINE_MAX_ATTEMPTS:
        backoff = Backoff(base_seconds=backoff_seconds, max_seconds=3600).delay(row.attempts)
        ok = finish(row, status=StageStatus.PENDING, error=error, **fields)
        if ok:
            type(row)._default_manager.filter(pk=row.pk).update(
                retry_at=timezone.now() + dt.timedelta(seconds=backoff)
            )
        return ok
    return finish(row, status=StageStatus.FAILED, error=error, **fields)


def sweepable[T: StageRow](
    model: type[T], *, now: dt.datetime | None = None, grace_seconds: int = 60
) -> models.QuerySet[T]:
    """Rows that should have a task in flight but may not: pending past their retry time and grace,
    or running past their lease (the worker died)."""
    now = now or timezone.now()
    grace = now - dt.timedelta(seconds=grace_seconds)
    stale = now - dt.timedelta(seconds=settings.PIPELINE_LEASE_SECONDS)
    pending_due = Q(status=StageStatus.PENDING, updated_at__lt=grace) & (
        Q(retry_at__isnull=True) | Q(retry_at__lte=now)
    )
    return model._default_manager.filter(pending_due | Q(status=StageStatus.RUNNING, started_at__lt=stale))


def retry_rows(queryset: models.QuerySet[Any]) -> int:
    """Put failed or waiting rows back to pending (admin "retry" action and `retry_failed` command)."""
    return queryset.filter(status__in=[StageStatus.FAILED, StageStatus.WAITING]).update(
        status=StageStatus.PENDING, retry_at=None, attempts=0, last_error="", updated_at=timezone.now()
    )


def rows_retry(queryset: models.QuerySet[Any], *, task: str) -> int:
    """Put the failed or waiting rows of `queryset` back to pending and enqueue `task` for each (the
    admin's "retry" action, the dashboard's "retry these"); returns how many."""
    ids = list(
        queryset.filter(status__in=[StageStatus.FAILED, StageStatus.WAITING]).values_list("pk", flat=True)
    )
    count = retry_rows(queryset.model._default_manager.filter(pk__in=ids))
    for pk in ids:
        enqueue(task, pk)
    return count
