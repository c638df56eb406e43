from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from sync.models import ReconcileRun, SyncRecord
from sync.services import sync_records_retry


@admin.register(SyncRecord)
class SyncRecordAdmin(admin.ModelAdmin):
    list_display = [
        "target",
        "entity_type",
        "public_id",
        "status",
        "tombstone",
        "attempts",
        "synced_at",
        "last_error",
    ]
    list_filter = ["target", "entity_type", "status", "tombstone"]
    search_fields = ["public_id", "last_error"]
    readonly_fields = ["claim_token", "claimed_until", "changed_at", "embed_hash"]
    show_full_result_count = False
    actions = ["retry"]

    @admin.action(description="Push again now")
    def retry(self, request: HttpRequest, queryset: QuerySet[SyncRecord]) -> None:
        count = sync_records_retry(queryset)
        self.message_user(request, f"Queued {count} record(s).", messages.SUCCESS)


@admin.register(ReconcileRun)
class ReconcileRunAdmin(admin.ModelAdmin):
    """What each reconcile found (read only: runs are made by the schedule or `manage.py sync_reconcile`)."""

    list_display = [
        "target",
        "started_at",
        "finished_at",
        "expected",
        "found",
        "missing",
        "extra",
        "stale",
        "rejected",
        "settings_drift",
        "repair",
        "error",
    ]
    list_filter = ["target", "repair"]
    readonly_fields = [f.name for f in ReconcileRun._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
