from django.contrib import admin

from core.admin_actions import make_retry_action
from extraction.models import Extraction


@admin.register(Extraction)
class ExtractionAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "scrape",
        "extractor",
        "extractor_version",
        "status",
        "performance_count",
        "venue_count",
        "artist_count",
        "attempts",
        "created_at",
    ]
    list_filter = ["status", "extractor", "extractor_version"]
    search_fields = ["scrape__url__url", "last_error"]
    raw_id_fields = ["scrape"]
    list_select_related = ["scrape"]
    show_full_result_count = False
    readonly_fields = ["output", "warnings", "claim_token"]
    actions = [make_retry_action("extraction.tasks.extraction_run_task")]
