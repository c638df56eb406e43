"""What each sync target holds, by payload hash, so each change is pushed exactly once."""

from __future__ import annotations

from django.db import models


class SyncTarget(models.TextChoices):
    FIRESTORE = "firestore", "Firestore"
    ALGOLIA = "algolia", "Algolia"


class SyncStatus(models.TextChoices):
    DIRTY = "dirty", "Waiting to be pushed"
    SYNCED = "synced", "Synced"
    FAILED = "failed", "Failed"


class SyncRecord(models.Model):
    target = models.CharField(max_length=16, choices=SyncTarget.choices)
    entity_type = models.CharField(max_length=16)
    public_id = models.CharField(max_length=26)
    # Hash of the document the target should hold, and of the one it was last sent.
    payload_hash = models.CharField(max_length=64)
    synced_hash = models.CharField(max_length=64, blank=True, default="")
    # A merged or removed entity is deleted from search indexes and left as a redirect document.
    tombstone = models.BooleanField(default=False)
    status = models.CharField(
        max_length=16, choices=SyncStatus.choices, default=SyncStatus.DIRTY, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    retry_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "sync_records"
        constraints = [
            models.UniqueConstraint(
                fields=["target", "entity_type", "public_id"], name="one_record_per_target_entity"
            )
        ]
        indexes = [models.Index(fields=["target", "status"])]

    def __str__(self) -> str:
        return f"{self.target}:{self.entity_type}:{self.public_id}"
