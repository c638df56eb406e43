"""Admin for images: thumbnails, variants, status, retry."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from core.admin_actions import make_retry_action
from core.admin_display import PipelineRowAdmin, compact_time, short
from images.models import UrlImage
from images.services import IMAGE_TASK


@admin.register(UrlImage)
class UrlImageAdmin(PipelineRowAdmin, admin.ModelAdmin):
    list_display = [
        "thumbnail",
        "short_url",
        "status",
        "format",
        "width",
        "height",
        "byte_size",
        "attempts",
        "short_error",
        "updated_at_when",
    ]
    list_display_links = ["thumbnail", "short_url"]
    list_filter = ["status", "format", ("updated_at", admin.DateFieldListFilter)]
    search_fields = ["url", "content_hash", "last_error"]
    show_full_result_count = False
    exclude = ["variants"]
    readonly_fields = ["preview"]
    actions = [make_retry_action(IMAGE_TASK)]

    @staticmethod
    def _smallest(obj: UrlImage) -> str:
        sizes = sorted(obj.variants or {}, key=lambda w: int(w))
        return obj.variants[sizes[0]] if sizes else ""

    @admin.display(description="Image")
    def thumbnail(self, obj: UrlImage) -> Any:
        src = self._smallest(obj)
        if not src:
            return "—"
        return format_html(
            '<img src="{}" alt="" loading="lazy" style="max-width: 80px; max-height: 80px">', src
        )

    @admin.display(description="Variants")
    def preview(self, obj: UrlImage) -> Any:
        variants = sorted((obj.variants or {}).items(), key=lambda item: int(item[0]))
        if not variants:
            return "—"
        return format_html_join(
            " ",
            '<a href="{}"><img src="{}" alt="{} px" title="{} px" style="max-height: 160px"></a>',
            ((src, src, width, width) for width, src in variants),
        )

    updated_at_when = compact_time("updated_at", "Updated")

    @admin.display(description="URL", ordering="url")
    def short_url(self, obj: UrlImage) -> str:
        return short(obj.url, 50)

    @admin.display(description="Error")
    def short_error(self, obj: UrlImage) -> str:
        return short(obj.last_error, 60)
