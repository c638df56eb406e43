"""Admin for extractions: pipeline rows, read-only; retried by their action."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from core.admin_actions import make_retry_action
from core.admin_display import PipelineRowAdmin, compact_time, json_table, short
from extraction.models import Extraction
from sourcing.admin_filters import source_filter


@admin.register(Extraction)
class ExtractionAdmin(PipelineRowAdmin, admin.ModelAdmin):
    list_display = ["id", "page", "extractor_and_version", "status", "found", "attempts", "created_at_when"]
    list_filter = [
        "status",
        "extractor",
        source_filter("scrape__url__source__name"),
        ("created_at", admin.DateFieldListFilter),
        "extractor_version",
    ]
    search_fields = ["scrape__url__url", "last_error"]
    list_select_related = ["scrape__url"]
    show_full_result_count = False
    exclude = ["output", "warnings"]
    readonly_fields = ["output_table", "warnings_table"]
    actions = [make_retry_action("extraction.tasks.extraction_run_task")]

    created_at_when = compact_time("created_at", "Created")

    @admin.display(description="Page", ordering="scrape__url__url")
    def page(self, obj: Extraction) -> str:
        return short(obj.scrape.url.url, 44)

    @admin.display(description="Extractor", ordering="extractor")
    def extractor_and_version(self, obj: Extraction) -> str:
        return short(f"{obj.extractor} {obj.extractor_version}", 28)

    @admin.display(description="Found (shows · venues · artists)")
    def found(self, obj: Extraction) -> str:
        return f"{obj.performance_count} · {obj.venue_count} · {obj.artist_count}"

    @admin.display(description="Output")
    def output_table(self, obj: Extraction) -> Any:
        return json_table(obj.output)

    @admin.display(description="Warnings")
    def warnings_table(self, obj: Extraction) -> Any:
        return json_table(obj.warnings)
