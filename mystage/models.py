"""Project-level models: API keys, and the staff review queue (a proxy over venue duplicates)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from entities.models import CanonicalStatus, DuplicateStatus, VenueDuplicate


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


class PendingVenueDuplicateManager(models.Manager[VenueDuplicate]):
    """Pending pairs whose venues are both still active (a pair with a merged venue is moot)."""

    def get_queryset(self) -> models.QuerySet[VenueDuplicate]:
        return (
            super()
            .get_queryset()
            .filter(status=DuplicateStatus.PENDING)
            .exclude(venue_a__status=CanonicalStatus.MERGED)
            .exclude(venue_b__status=CanonicalStatus.MERGED)
        )


class PendingVenueDuplicate(VenueDuplicate):
    """The review queue: venue pairs waiting for a decision, most uncertain with most upcoming shows first."""

    objects = PendingVenueDuplicateManager()  # type: ignore[misc,assignment]

    class Meta:
        proxy = True
        ordering = ["-priority", "-score", "pk"]
        verbose_name = "venue duplicate to review"
        verbose_name_plural = "venue duplicates to review (queue)"
