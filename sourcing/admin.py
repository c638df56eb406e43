"""Admin for sources, URLs, schedules and scrapes. Scrapes are pipeline rows: read-only, changed by
their actions (retry, scrape again) only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html

from core.admin_actions import make_retry_action
from core.admin_display import PipelineRowAdmin, compact_time, json_table, short
from sourcing import services
from sourcing.admin_filters import HttpStatusBandFilter, source_filter
from sourcing.models import HostState, ScheduledTask, Scrape, Source, SourceKind, Url

PREVIEW_BYTES = 20_000


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "priority", "is_active", "base_url", "created_at"]
    list_filter = ["kind", "is_active", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["name", "base_url"]


class SourceKindFilter(admin.SimpleListFilter):
    title = "source kind"
    parameter_name = "source_kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(value), str(label)) for value, label in SourceKind.choices]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Url]) -> QuerySet[Url]:
        return queryset.filter(source__kind=self.value()) if self.value() else queryset


@admin.register(Url)
class UrlAdmin(admin.ModelAdmin):
    """URLs come from import_sources, the API and discovery (each checked there); staff change how and
    when they are scraped, not what they are."""

    list_display = [
        "short_url",
        "source",
        "kind",
        "priority",
        "next_scrape_at_when",
        "last_scraped_at_when",
        "failures",
        "is_active",
    ]
    list_filter = [
        "kind",
        "is_active",
        SourceKindFilter,
        source_filter("source__name"),
        ("next_scrape_at", admin.DateFieldListFilter),
    ]
    search_fields = ["url"]
    list_select_related = ["source"]
    raw_id_fields = ["discovered_from"]
    readonly_fields = [
        "url",
        "source",
        "url_hash",
        "depth",
        "discovered_from",
        "etag",
        "last_modified",
        "last_content_hash",
        "last_scraped_at",
        "consecutive_failures",
    ]
    show_full_result_count = False
    actions = ["scrape_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    next_scrape_at_when = compact_time("next_scrape_at", "Next scrape")
    last_scraped_at_when = compact_time("last_scraped_at", "Last scraped")

    @admin.display(description="URL", ordering="url")
    def short_url(self, obj: Url) -> str:
        return short(obj.url, 40)

    @admin.display(description="Failures", ordering="consecutive_failures")
    def failures(self, obj: Url) -> int:
        return obj.consecutive_failures

    @admin.action(description="Scrape now", permissions=["change"])
    def scrape_now(self, request: HttpRequest, queryset: QuerySet[Url]) -> None:
        queued = sum(1 for url in queryset if services.scrape_request(url=url, requested_by="admin"))
        self.message_user(request, f"Queued {queued} scrape(s).", messages.SUCCESS)


@admin.register(Scrape)
class ScrapeAdmin(PipelineRowAdmin, admin.ModelAdmin):
    list_display = [
        "id",
        "short_url",
        "status",
        "http",
        "size",
        "time",
        "unchanged",
        "attempts",
        "created_at_when",
    ]
    list_filter = [
        "status",
        source_filter("url__source__name"),
        HttpStatusBandFilter,
        "unchanged",
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["url__url", "last_error", "=content_hash"]
    list_select_related = ["url"]
    show_full_result_count = False
    date_hierarchy = "created_at"
    exclude = ["body_compressed", "response_headers"]
    readonly_fields = ["headers_table", "body_preview"]
    actions = [make_retry_action("sourcing.tasks.scrape_fetch_task"), "rescrape"]

    created_at_when = compact_time("created_at", "Created")

    @admin.display(description="URL", ordering="url__url")
    def short_url(self, obj: Scrape) -> str:
        return short(obj.url.url, 48)

    @admin.display(description="HTTP", ordering="http_status")
    def http(self, obj: Scrape) -> str:
        return str(obj.http_status or "—")

    @admin.display(description="Fetch", ordering="fetch_ms")
    def time(self, obj: Scrape) -> str:
        return "—" if obj.fetch_ms is None else f"{obj.fetch_ms} ms"

    @admin.display(description="Size", ordering="body_size")
    def size(self, obj: Scrape) -> str:
        return filesizeformat(obj.body_size) if obj.body_size is not None else "—"

    @admin.display(description="Response headers")
    def headers_table(self, obj: Scrape) -> Any:
        return json_table(obj.response_headers)

    @admin.display(description="Body (first 20 kB, escaped, never rendered)")
    def body_preview(self, obj: Scrape) -> Any:
        text = obj.text[:PREVIEW_BYTES]
        return format_html(
            '<pre style="white-space: pre-wrap; max-height: 30em; overflow: auto">{}</pre>', text
        )

    @admin.action(description="Scrape these URLs again", permissions=["change"])
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
        "next_run_at_when",
        "last_run_at_when",
        "short_error",
    ]
    list_filter = ["kind", "enabled", source_filter("source__name")]
    search_fields = ["name", "last_error"]
    list_select_related = ["source"]
    autocomplete_fields = ["source"]
    readonly_fields = ["last_run_at", "last_error"]

    next_run_at_when = compact_time("next_run_at", "Next run")
    last_run_at_when = compact_time("last_run_at", "Last run")

    @admin.display(description="Last error")
    def short_error(self, obj: ScheduledTask) -> str:
        return short(obj.last_error, 50)


@admin.register(HostState)
class HostStateAdmin(PipelineRowAdmin, admin.ModelAdmin):
    """Per-host politeness: the cached robots.txt and the next free request slot (kept by the fetcher)."""

    list_display = ["host", "next_slot_at", "crawl_delay", "robots_status", "robots_fetched_at"]
    list_filter = ["robots_status"]
    search_fields = ["host"]
    show_full_result_count = False
