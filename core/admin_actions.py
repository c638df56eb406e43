"""Admin helpers shared by the apps: the retry action for pipeline rows."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from core.queue import enqueue
from core.stages import retry_rows


def make_retry_action(task: str) -> Any:
    @admin.action(description="Retry selected failed or waiting rows", permissions=["change"])
    def retry(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: Any) -> None:
        ids = list(queryset.filter(status__in=["failed", "waiting"]).values_list("pk", flat=True))
        count = retry_rows(queryset.model.objects.filter(pk__in=ids))
        for pk in ids:
            enqueue(task, pk)
        modeladmin.message_user(request, f"Queued {count} row(s) again.", messages.SUCCESS)

    return retry
