"""What each sync target holds, by payload hash, so each change is pushed exactly once; and what
reconcile found when it compared the targets with the database."""

from __future__ import annotations

from django.db import models


class SyncTarget(models.TextChoices):
    FIRESTORE = "firestore", "Firestore"
    ALGOLIA = "algolia", "Algolia"


class SyncStatus(models.TextChoices):
    DIRTY = "dirty", "Waiting to be pushed"
    SYNCED = "synced", "Synced"
    FAILED = "failed", "Failed (retried later)"
    # Refused for its content (over the target's size limit, or outside the published contract): not
    # sent again until the entity changes.
    REJECTED = "rejected", "Rejected (not retried until it changes)"


class SyncRecord(models.Model):
    target = models.CharField(max_length=16, choices=SyncTarget.choices)
    entity_type = models.CharField(max_length=16)
    public_id = models.CharField(max_length=26)
    # Hash of the content the target should hold ("absent": nothing), and of the one it was last sent.
    payload_hash = models.CharField(max_length=64)
    synced_hash = models.CharField(max_length=64, blank=True, default="")
    # When payload_hash last changed: the `updated_at` the published document carries.
    changed_at = models.DateTimeField(null=True, blank=True)
    # Hash of what other documents embed of this venue or artist (its name, city...): when it
    # changes, every performance document embedding it is marked too.
    embed_hash = models.CharField(max_length=64, blank=True, default="")
    # A merged or removed entity is deleted from search indexes and left as a redirect document.
    tombstone = models.BooleanField(default=False)
    status = models.CharField(
        max_length=16, choices=SyncStatus.choices, default=SyncStatus.DIRTY, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    retry_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    # The push that holds this record (sync.services.sync_push): no other push sends it meanwhile, so
    # one version is never sent twice and an older one never after a newer one.
    claim_token = models.CharField(max_length=32, blank=True, default="")
    claimed_until = models.DateTimeField(null=True, blank=True)
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


class ReconcileRun(models.Model):
    """One comparison of a target with the database (scheduled, or `manage.py sync_reconcile`)."""

    target = models.CharField(max_length=16, choices=SyncTarget.choices)
    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    repair = models.BooleanField(default=False)
    expected = models.PositiveIntegerField(default=0)
    found = models.PositiveIntegerField(default=0)
    missing = models.PositiveIntegerField(default=0)
    extra = models.PositiveIntegerField(default=0)
    stale = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    settings_drift = models.PositiveIntegerField(default=0, help_text="Algolia indexes whose settings differ")
    # Per entity type: counts and up to 20 example IDs of each kind of drift; what repair did.
    details = models.JSONField(default=dict, blank=True)
    repaired = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, default="")

    class Meta:
        db_table = "sync_reconcile_runs"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.target} reconcile at {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def drift(self) -> int:
        return self.missing + self.extra + self.stale + self.settings_drift
