from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from sync.models import SyncRecord
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
    show_full_result_count = False
    actions = ["retry"]

    @admin.action(description="Push again now")
    def retry(self, request: HttpRequest, queryset: QuerySet[SyncRecord]) -> None:
        count = sync_records_retry(queryset)
        self.message_user(request, f"Queued {count} record(s).", messages.SUCCESS)
