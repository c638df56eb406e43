"""List filters the admins of several apps share: by source (any path to a Source), by HTTP status band."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from sourcing.models import Source

MAX_CHOICES = 200


def source_filter(path: str, *, distinct: bool = False) -> type[admin.SimpleListFilter]:
    """A "By source" filter over `path`, the lookup from the listed model to Source's name
    (e.g. "url__source__name"). `distinct` where a row has several sources (a venue)."""

    class SourceFilter(admin.SimpleListFilter):
        title = "source"
        parameter_name = "source"

        def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
            names = Source.objects.order_by("name").values_list("name", flat=True)[:MAX_CHOICES]
            return [(name, name) for name in names]

        def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
            if not self.value():
                return queryset
            filtered = queryset.filter(**{path: self.value()})
            return filtered.distinct() if distinct else filtered

    return SourceFilter


class HttpStatusBandFilter(admin.SimpleListFilter):
    title = "HTTP status"
    parameter_name = "http"
    BANDS = {"2xx": (200, 300), "3xx": (300, 400), "4xx": (400, 500), "5xx": (500, 600)}

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [*((band, band) for band in self.BANDS), ("none", "no response")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value == "none":
            return queryset.filter(http_status__isnull=True)
        if value in self.BANDS:
            low, high = self.BANDS[value]
            return queryset.filter(http_status__gte=low, http_status__lt=high)
        return queryset
