from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from core.admin_display import PipelineRowAdmin, compact_time, short
from sync.models import ReconcileRun, SyncRecord
from sync.services import sync_records_retry


@admin.register(SyncRecord)
class SyncRecordAdmin(PipelineRowAdmin, admin.ModelAdmin):
    """Pipeline rows: read-only; pushed again by their action."""

    list_display = [
        "target",
        "entity_type",
        "public_id",
        "status",
        "tombstone",
        "attempts",
        "synced_at_when",
        "short_error",
    ]
    list_filter = ["target", "entity_type", "status", "tombstone", ("synced_at", admin.DateFieldListFilter)]
    search_fields = ["=public_id", "last_error"]
    show_full_result_count = False
    actions = ["retry"]

    synced_at_when = compact_time("synced_at", "Synced")

    @admin.display(description="Last error")
    def short_error(self, obj: SyncRecord) -> str:
        return short(obj.last_error, 40)

    @admin.action(description="Push again now", permissions=["change"])
    def retry(self, request: HttpRequest, queryset: QuerySet[SyncRecord]) -> None:
        count = sync_records_retry(queryset)
        self.message_user(request, f"Queued {count} record(s).", messages.SUCCESS)


@admin.register(ReconcileRun)
class ReconcileRunAdmin(PipelineRowAdmin, admin.ModelAdmin):
    """What each reconcile found (read-only: runs are made by the schedule or `manage.py sync_reconcile`)."""

    list_display = [
        "target",
        "started_at_when",
        "finished_at_when",
        "expected",
        "found",
        "missing",
        "extra",
        "stale",
        "rejected",
        "settings_drift",
        "repair",
        "short_error",
    ]
    list_filter = ["target", "repair", ("started_at", admin.DateFieldListFilter)]
    show_full_result_count = False

    started_at_when = compact_time("started_at", "Started")
    finished_at_when = compact_time("finished_at", "Finished")

    @admin.display(description="Error")
    def short_error(self, obj: ReconcileRun) -> str:
        return short(obj.error, 40)
