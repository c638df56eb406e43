"""Models every layer may use: API keys for the REST API (the app routers authenticate with them), and
the marks that keep one batch task per key in the queue (core.queue.enqueue_job)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiKey(models.Model):
    """A key for the REST API, stored as its SHA-256 only: the key itself is shown once, at creation.

    SHA-256 rather than a slow password hash: keys are 240 random bits, so a fast hash is as safe and
    lets each request find its key with one indexed lookup.
    """

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, db_index=True, help_text="The key's first characters, shown.")
    hashed_key = models.CharField(max_length=64, unique=True, editable=False)
    is_staff = models.BooleanField(
        default=False,
        help_text="Staff scope: pipeline endpoints, and provenance and sources in entity details.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "api_keys"
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class QueuedJob(models.Model):
    """A batch task (no row of its own) that waits in the task queue: at most one per key (core.queue)."""

    key = models.CharField(max_length=100, unique=True)
    enqueued_at = models.DateTimeField(null=True, blank=True, help_text="Empty: none queued now.")

    class Meta:
        db_table = "queued_jobs"

    def __str__(self) -> str:
        return self.key
