"""Shared machinery for pipeline rows: status, attempts, last error, claiming and sweeping.

Every stage row (a Scrape, an Extraction, an EntitySource awaiting resolution, ...) moves
pending -> running -> done | failed. django-q2 delivers a task at least once, so a task first
*claims* its row with a conditional UPDATE and does nothing unless exactly one row changed.
A claim is a lease: a row left "running" by a killed worker becomes claimable again once the
lease has expired, and the sweeper re-enqueues it. The claim token fences a worker whose lease
expired while it was still running: its final write matches no row and is dropped.

A task runs under `stage_task`: any exception its code did not expect is recorded on every row it had
claimed and still holds (a failure with a reason a person reads, counted as an attempt), written
after the task's own transactions are gone, so the record itself never rolls back. A row whose worker
died is claimable again when its lease expires, but only while it has attempts left; the sweeper fails
the others with the reason.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import logging
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.queue import enqueue
from core.retry import Backoff

logger = logging.getLogger(__name__)


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


def claimable(*, now: dt.datetime | None = None) -> Q:
    """Rows a task may take: pending, or running past the lease (its worker died) with attempts left."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.PIPELINE_LEASE_SECONDS)
    return Q(status=StageStatus.PENDING) | Q(
        status=StageStatus.RUNNING, started_at__lt=stale, attempts__lt=settings.PIPELINE_MAX_ATTEMPTS
    )


def claim[T: StageRow](model: type[T], pk: int) -> T | None:
    """Claim the row for this worker; None when another worker holds it or it is already final."""
    rows = claim_rows(model, [pk])
    return rows[0] if rows else None


def claim_rows[T: StageRow](model: type[T], pks: Iterable[int], *, now: dt.datetime | None = None) -> list[T]:
    """Claim every row of `pks` that is claimable, with one conditional UPDATE; the rows this worker now
    holds (one claim token for the batch: each row's final write is fenced by it)."""
    pks = list(pks)
    if not pks:
        return []
    now = now or timezone.now()
    token = uuid.uuid4()
    changed = (
        model._default_manager.filter(pk__in=pks)
        .filter(claimable(now=now))
        .update(
            status=StageStatus.RUNNING,
            attempts=F("attempts") + 1,
            claim_token=token,
            started_at=now,
            finished_at=None,
            updated_at=now,
        )
    )
    if not changed:
        return []
    rows = list(model._default_manager.filter(pk__in=pks, claim_token=token))
    held = _held.get()
    if held is not None:
        held.extend(rows)
    return rows


def finish(row: StageRow, *, status: str = StageStatus.DONE, error: str = "", **fields: Any) -> bool:
    """Record the outcome of a claimed row; False if this worker's claim was taken over meanwhile."""
    now = timezone.now()
    values = {
        "status": status,
        "last_error": readable(error),
        "finished_at": now,
        "updated_at": now,
        "retry_at": None,
    }
    values.update(fields)
    changed = type(row)._default_manager.filter(pk=row.pk, claim_token=row.claim_token).update(**values)
    for name, value in values.items():
        setattr(row, name, value)
    return changed == 1


def fail(
    row: StageRow,
    error: str,
    *,
    retryable: bool,
    backoff_seconds: int = 30,
    retry_after: float | None = None,
    **fields: Any,
) -> bool:
    """Record a failure; a retryable one goes back to pending with exponential backoff (`core.retry.Backoff`),
    or after `retry_after` seconds when the other side said so (clamped to a day), until attempts run out."""
    if retryable and row.attempts < settings.PIPELINE_MAX_ATTEMPTS:
        # Computed before anything is written: a hostile Retry-After must not break the write.
        backoff = Backoff(base_seconds=backoff_seconds, max_seconds=3600).delay(
            row.attempts, retry_after=retry_after
        )
        return finish(
            row,
            status=StageStatus.PENDING,
            error=error,
            **fields,
            retry_at=timezone.now() + dt.timedelta(seconds=backoff),
        )
    if retryable:
        error = f"Gave up after {row.attempts} attempts: {error}"
    return finish(row, status=StageStatus.FAILED, error=error, **fields)


def readable(text: str) -> str:
    """An error as stored: at most 4,000 characters, without NUL (which PostgreSQL text refuses)."""
    return text.replace("\x00", "\N{REPLACEMENT CHARACTER}")[:4000]


def unexpected_reason(exc: BaseException) -> str:
    """What people read about an exception our code did not expect."""
    detail = str(exc).strip() or "no details"
    return f"Unexpected error ({type(exc).__name__}: {detail[:500]}); the worker log has the traceback."


def rows_fail_unexpected(rows: Iterable[StageRow], exc: BaseException) -> int:
    """Record `exc` on each row this worker still holds (running, with our claim token): a retryable
    failure counted as an attempt, failed for good once attempts run out. Returns how many were written.

    Called outside the failed work's transactions, each row in a write of its own, so the record stays."""
    reason = unexpected_reason(exc)
    written = 0
    for row in rows:
        manager = type(row)._default_manager
        if not manager.filter(pk=row.pk, claim_token=row.claim_token, status=StageStatus.RUNNING).exists():
            continue  # finished already, or taken over by another worker after our lease expired
        try:
            written += fail(row, reason, retryable=True)
        except Exception:  # the record must not hide the error it records
            logger.exception("could not record the failure of %s %s", type(row).__name__, row.pk)
    return written


# Rows claimed by the task running in this context (see `stage_task`).
_held: contextvars.ContextVar[list[StageRow] | None] = contextvars.ContextVar("held_rows", default=None)


def stage_task[**P, R](func: Callable[P, R]) -> Callable[P, R | None]:
    """Wrap a django-q2 task: an exception its code did not expect is recorded on every row it claimed
    and still holds (`rows_fail_unexpected`), then raised again for django-q2's failure log."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | None:
        held: list[StageRow] = []
        token = _held.set(held)
        try:
            return func(*args, **kwargs)
        except Exception as exc:
            logger.exception("%s failed unexpectedly", func.__qualname__)
            if held:
                rows_fail_unexpected(held, exc)
            raise
        finally:
            _held.reset(token)

    return wrapper


def lease_expired[T: StageRow](model: type[T], *, now: dt.datetime | None = None) -> models.QuerySet[T]:
    """Rows left running past the lease: their worker died (killed, or over the task timeout)."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.PIPELINE_LEASE_SECONDS)
    return model._default_manager.filter(status=StageStatus.RUNNING, started_at__lt=stale)


def rows_fail_abandoned(model: type[StageRow], *, now: dt.datetime | None = None) -> int:
    """Fail, with the reason, rows whose worker died on their last allowed attempt (the attempt cap holds
    for lease-expired rows too: a page that kills its worker is not retried forever)."""
    now = now or timezone.now()
    return (
        lease_expired(model, now=now)
        .filter(attempts__gte=settings.PIPELINE_MAX_ATTEMPTS)
        .update(
            status=StageStatus.FAILED,
            last_error=readable(
                f"Gave up after {settings.PIPELINE_MAX_ATTEMPTS} attempts: the worker running it stopped "
                "before it finished each time (killed, or over the task timeout)."
            ),
            finished_at=now,
            updated_at=now,
            retry_at=None,
        )
    )


def sweepable[T: StageRow](
    model: type[T],
    *,
    now: dt.datetime | None = None,
    grace_seconds: int = 60,
    queued_seconds: int | None = None,
) -> models.QuerySet[T]:
    """Rows that should have a task in flight but have none, oldest first:

    - running past the lease with attempts left (the worker died);
    - pending with a `retry_at` that has come: failed and waiting for its retry, nothing queued for it
      (when the sweeper queues its task it clears `retry_at`, so it is not queued twice);
    - pending without `retry_at`: its task was queued when the row last changed (`updated_at`), so it
      counts as lost only `queued_seconds` later (PIPELINE_QUEUED_PATIENCE_SECONDS, or `grace_seconds`
      when the caller knows the queue is empty): rows waiting in a backlog are not stuck.
    """
    now = now or timezone.now()
    patience = grace_seconds if queued_seconds is None else max(grace_seconds, queued_seconds)
    retry_due = Q(status=StageStatus.PENDING, retry_at__lte=now)
    queued_long = Q(
        status=StageStatus.PENDING,
        retry_at__isnull=True,
        updated_at__lt=now - dt.timedelta(seconds=patience),
    )
    stale = now - dt.timedelta(seconds=settings.PIPELINE_LEASE_SECONDS)
    abandoned = Q(
        status=StageStatus.RUNNING, started_at__lt=stale, attempts__lt=settings.PIPELINE_MAX_ATTEMPTS
    )
    return model._default_manager.filter(retry_due | queued_long | abandoned).order_by("updated_at", "pk")


def rows_mark_queued(model: type[StageRow], pks: list[int], *, now: dt.datetime | None = None) -> None:
    """Note that a task is now queued for these pending rows (see `sweepable`)."""
    now = now or timezone.now()
    model._default_manager.filter(pk__in=pks, status=StageStatus.PENDING).update(
        retry_at=None, updated_at=now
    )


def retry_rows(queryset: models.QuerySet[Any]) -> int:
    """Put failed or waiting rows back to pending (admin "retry" action and `retry_failed` command)."""
    return queryset.filter(status__in=[StageStatus.FAILED, StageStatus.WAITING]).update(
        status=StageStatus.PENDING, retry_at=None, attempts=0, last_error="", updated_at=timezone.now()
    )


def rows_retry(queryset: models.QuerySet[Any], *, task: str | Callable[[list[int]], None]) -> int:
    """Put the failed or waiting rows of `queryset` back to pending and enqueue them (the admin's "retry"
    action, the dashboard's "retry these"): `task` is a task taking one row's id, or a function that
    queues work for a list of ids (a stage whose tasks take batches). Returns how many."""
    ids = list(
        queryset.filter(status__in=[StageStatus.FAILED, StageStatus.WAITING]).values_list("pk", flat=True)
    )
    count = retry_rows(queryset.model._default_manager.filter(pk__in=ids))
    if callable(task):
        task(ids)
        return count
    for pk in ids:
        enqueue(task, pk)
    return count
