from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from core.admin_actions import make_retry_action
from sourcing import services
from sourcing.models import HostState, ScheduledTask, Scrape, Source, Url

PREVIEW_BYTES = 20_000


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "priority", "is_active", "base_url", "created_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "base_url"]


@admin.register(Url)
class UrlAdmin(admin.ModelAdmin):
    list_display = [
        "url",
        "source",
        "kind",
        "priority",
        "next_scrape_at",
        "last_scraped_at",
        "consecutive_failures",
        "is_active",
    ]
    list_filter = ["kind", "is_active", "source__kind", "source"]
    search_fields = ["url"]
    list_select_related = ["source"]
    raw_id_fields = ["discovered_from"]
    readonly_fields = ["url_hash", "etag", "last_modified", "last_content_hash"]
    show_full_result_count = False
    actions = ["scrape_now"]

    @admin.action(description="Scrape now")
    def scrape_now(self, request: HttpRequest, queryset: QuerySet[Url]) -> None:
        queued = sum(1 for url in queryset if services.scrape_request(url=url, requested_by="admin"))
        self.message_user(request, f"Queued {queued} scrape(s).", messages.SUCCESS)


@admin.register(Scrape)
class ScrapeAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "url",
        "status",
        "http_status",
        "body_size",
        "fetch_ms",
        "unchanged",
        "attempts",
        "created_at",
    ]
    list_filter = ["status", "unchanged", "http_status", "url__source"]
    search_fields = ["url__url", "last_error", "content_hash"]
    list_select_related = ["url"]
    raw_id_fields = ["url"]
    show_full_result_count = False
    date_hierarchy = "created_at"
    exclude = ["body_compressed"]
    readonly_fields = ["body_preview", "response_headers", "content_hash", "claim_token"]
    actions = [make_retry_action("sourcing.tasks.scrape_fetch_task"), "rescrape"]

    @admin.display(description="Body (first 20 kB, escaped, never rendered)")
    def body_preview(self, obj: Scrape) -> Any:
        text = obj.text[:PREVIEW_BYTES]
        return format_html(
            '<pre style="white-space: pre-wrap; max-height: 30em; overflow: auto">{}</pre>', text
        )

    @admin.action(description="Scrape these URLs again")
    def rescrape(self, request: HttpRequest, queryset: QuerySet[Scrape]) -> None:
        queued = sum(
            1
            for scrape in queryset.select_related("url")
            if services.scrape_request(url=scrape.url, requested_by="admin")
        )
        self.message_user(request, f"Queued {queued} scrape(s).", messages.SUCCESS)


@admin.register(ScheduledTask)
class ScheduledTaskAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "source",
        "interval",
        "enabled",
        "next_run_at",
        "last_run_at",
        "last_error",
    ]
    list_filter = ["kind", "enabled"]
    list_select_related = ["source"]
    autocomplete_fields = ["source"]


@admin.register(HostState)
class HostStateAdmin(admin.ModelAdmin):
    """Per-host politeness: the cached robots.txt and the next free request slot (read-mostly)."""

    list_display = ["host", "next_slot_at", "crawl_delay", "robots_status", "robots_fetched_at"]
    search_fields = ["host"]
    readonly_fields = ["robots_txt"]
    show_full_result_count = False
