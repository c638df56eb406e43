"""Admin helpers shared by the apps: the retry action for pipeline rows."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from core.stages import rows_retry


def make_retry_action(task: str) -> Any:
    @admin.action(description="Retry selected failed or waiting rows", permissions=["change"])
    def retry(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: Any) -> None:
        count = rows_retry(queryset, task=task)
        modeladmin.message_user(request, f"Queued {count} row(s) again.", messages.SUCCESS)

    return retry
