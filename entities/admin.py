from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from entities import services
from entities.models import (
    Artist,
    DuplicateStatus,
    EntitySource,
    MergeRecord,
    Performance,
    PerformanceArtist,
    Venue,
    VenueDuplicate,
)
from mystage.admin_utils import make_retry_action


@admin.register(EntitySource)
class EntitySourceAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "source",
        "entity_type",
        "source_key",
        "status",
        "venue",
        "artist",
        "performance",
        "last_seen_at",
        "missed_scrapes",
    ]
    list_filter = ["entity_type", "status", "source"]
    search_fields = ["source_key", "last_error"]
    list_select_related = ["source", "venue", "artist", "performance"]
    raw_id_fields = ["venue", "artist", "performance", "extraction"]
    show_full_result_count = False
    readonly_fields = ["data", "data_hash", "claim_token"]
    actions = [make_retry_action("entities.tasks.entity_source_resolve_task")]


class SourceInline(admin.TabularInline):
    model = EntitySource
    fields = ("source", "entity_type", "source_key", "last_seen_at", "status")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "locality",
        "region",
        "country",
        "phone",
        "website",
        "status",
        "timezone",
        "updated_at",
    ]
    list_filter = ["status", "kind", "country", "locality"]
    search_fields = ["name", "public_id", "street", "locality", "phone", "website"]
    readonly_fields = ["public_id", "provenance", "external_ids", "merged_into", "name_key", "city_key"]
    raw_id_fields = ["parent"]
    show_full_result_count = False
    inlines = [SourceInline]


@admin.register(Artist)
class ArtistAdmin(admin.ModelAdmin):
    list_display = ["name", "artist_type", "status", "updated_at"]
    list_filter = ["status", "artist_type"]
    search_fields = ["name", "public_id", "aliases"]
    readonly_fields = ["public_id", "provenance", "external_ids", "merged_into", "name_key"]
    show_full_result_count = False
    inlines = [SourceInline]


class BillingInline(admin.TabularInline):
    model = PerformanceArtist
    raw_id_fields = ["artist"]
    extra = 0


@admin.register(Performance)
class PerformanceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "venue",
        "local_date",
        "local_start_time",
        "time_precision",
        "event_status",
        "updated_at",
    ]
    list_filter = ["event_status", "time_precision", "local_date"]
    search_fields = ["name", "public_id", "venue__name"]
    list_select_related = ["venue"]
    raw_id_fields = ["venue"]
    date_hierarchy = "local_date"
    readonly_fields = ["public_id", "provenance", "external_ids", "merged_into", "starts_at"]
    show_full_result_count = False
    inlines = [BillingInline, SourceInline]


@admin.register(VenueDuplicate)
class VenueDuplicateAdmin(admin.ModelAdmin):
    list_display = ["id", "venue_a", "venue_b", "score", "priority", "status", "decided_by", "decided_at"]
    list_filter = ["status"]
    search_fields = ["venue_a__name", "venue_b__name"]
    list_select_related = ["venue_a", "venue_b", "decided_by"]
    raw_id_fields = ["venue_a", "venue_b"]
    readonly_fields = ["explanation", "score", "priority"]
    actions = ["merge_into_first", "not_duplicate"]

    @admin.action(description="Merge: keep the first venue (A)")
    def merge_into_first(self, request: HttpRequest, queryset: QuerySet[VenueDuplicate]) -> None:
        merged = 0
        for dup in queryset.filter(status=DuplicateStatus.PENDING).select_related("venue_a", "venue_b"):
            try:
                services.venue_merge(
                    winner=dup.venue_a,
                    loser=dup.venue_b,
                    by=request.user,
                    reason="admin bulk merge",
                    score=dup.score,
                )
                merged += 1
            except ValueError as exc:
                self.message_user(request, f"{dup}: {exc}", messages.WARNING)
        self.message_user(request, f"Merged {merged} pair(s).", messages.SUCCESS)

    @admin.action(description="Not a duplicate (never ask again)")
    def not_duplicate(self, request: HttpRequest, queryset: QuerySet[VenueDuplicate]) -> None:
        for dup in queryset.filter(status=DuplicateStatus.PENDING):
            services.venue_duplicate_decide(
                duplicate=dup, status=DuplicateStatus.NOT_DUPLICATE, by=request.user
            )
        self.message_user(request, "Recorded.", messages.SUCCESS)


@admin.register(MergeRecord)
class MergeRecordAdmin(admin.ModelAdmin):
    list_display = [
        "entity_type",
        "winner_public_id",
        "loser_public_id",
        "merged_by",
        "automatic",
        "created_at",
        "undone_at",
    ]
    list_filter = ["entity_type", "automatic"]
    search_fields = ["winner_public_id", "loser_public_id"]
    readonly_fields = ["moved"]
    actions = ["undo"]

    @admin.action(description="Undo these merges (unmerge)")
    def undo(self, request: HttpRequest, queryset: QuerySet[MergeRecord]) -> Any:
        for record in queryset.filter(undone_at__isnull=True, entity_type="venue"):
            services.venue_unmerge(record=record, by=request.user)
        self.message_user(request, "Undone.", messages.SUCCESS)
