"""Admin for entity sources and canonical entities, and the venue duplicate review (entities/admin_review.py).

The admin is an interface: every write goes through entities.services.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join

from core.admin_actions import make_retry_action
from entities import admin_review, services
from entities.models import (
    Artist,
    CanonicalStatus,
    DuplicateStatus,
    EntitySource,
    EntitySourceRevision,
    ExternalId,
    MergeRecord,
    PendingVenueDuplicate,
    Performance,
    PerformanceArtist,
    Venue,
    VenueDuplicate,
)
from entities.services.curation import LOCKABLE_FIELDS, entity_type_of


def _pretty_json(value: Any) -> Any:
    return format_html(
        '<pre style="white-space: pre-wrap; max-height: 30em; overflow: auto">{}</pre>',
        json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str),
    )


def _source_count(field: str) -> Any:
    """A correlated count (one small subquery per listed row, not a GROUP BY over the whole table)."""
    counts = (
        EntitySource.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


class LockOnSaveMixin:
    """Values staff change by hand in a change form are locked, so sources and merges keep them; the
    "unlock" action hands every field back to the sources."""

    formfield_overrides: ClassVar[Mapping[type[models.Field[Any, Any]], Mapping[str, Any]]] = {
        models.URLField: {"assume_scheme": "https"}
    }

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        if not change:
            return
        lockable = LOCKABLE_FIELDS[entity_type_of(obj)]
        edited = {name: getattr(obj, name) for name in form.changed_data if name in lockable}
        if edited:
            services.entity_fields_lock(entity=obj, values=edited, by=request.user)
            self.message_user(  # type: ignore[attr-defined]
                request, f"Locked {', '.join(sorted(edited))}: sources and merges keep these values."
            )

    @admin.action(description="Unlock all fields (the sources decide again)", permissions=["change"])
    def unlock(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        count = 0
        for entity in queryset.exclude(locked_fields={}):
            count += bool(services.entity_fields_unlock(entity=entity, fields=list(entity.locked_fields)))
        self.message_user(request, f"Unlocked the fields of {count} record(s).", messages.SUCCESS)  # type: ignore[attr-defined]


class LockedFilter(admin.SimpleListFilter):
    title = "staff locks"
    parameter_name = "locked"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Has locked fields"), ("no", "No locks")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.exclude(locked_fields={})
        if self.value() == "no":
            return queryset.filter(locked_fields={})
        return queryset


# --- Entity sources ---------------------------------------------------------------------------


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
        "vanished_at",
    ]
    list_filter = ["entity_type", "status", "source"]
    search_fields = ["source_key", "last_error"]
    list_select_related = ["source", "venue", "artist", "performance"]
    autocomplete_fields = ["venue", "artist", "performance"]
    raw_id_fields = ["extraction"]
    show_full_result_count = False
    readonly_fields = ["data_pretty", "data_hash", "claim_token"]
    exclude = ["data"]
    actions = [make_retry_action("entities.tasks.entity_source_resolve_task")]

    @admin.display(description="Data")
    def data_pretty(self, obj: EntitySource) -> Any:
        return _pretty_json(obj.data)


@admin.register(EntitySourceRevision)
class EntitySourceRevisionAdmin(admin.ModelAdmin):
    list_display = ["id", "entity_source", "seen_at", "changed_fields"]
    list_select_related = ["entity_source"]
    raw_id_fields = ["entity_source", "extraction"]
    search_fields = ["entity_source__source_key"]
    date_hierarchy = "seen_at"
    show_full_result_count = False

    @admin.display(description="Changed")
    def changed_fields(self, obj: EntitySourceRevision) -> str:
        return ", ".join(sorted(obj.changes))


class SourceInline(admin.TabularInline):
    model = EntitySource
    fields = ("source", "entity_type", "source_key", "last_seen_at", "vanished_at", "status")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[EntitySource]:
        return super().get_queryset(request).select_related("source")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- Canonical entities -----------------------------------------------------------------------


CANONICAL_READONLY = [
    "public_id",
    "provenance_pretty",
    "external_ids",
    "merged_into",
    "created_at",
    "updated_at",
]


@admin.register(Venue)
class VenueAdmin(LockOnSaveMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "locality",
        "region",
        "country",
        "phone",
        "status",
        "source_count",
        "locks",
        "updated_at",
    ]
    list_filter = ["status", "kind", LockedFilter, "country"]
    search_fields = ["name", "=public_id", "street", "locality", "phone", "website"]
    readonly_fields = [*CANONICAL_READONLY, "name_key", "city_key", "coord_source"]
    exclude = ["provenance"]
    autocomplete_fields = ["parent"]
    show_full_result_count = False
    inlines = [SourceInline]
    actions = ["compare", "unlock"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Venue]:
        return super().get_queryset(request).annotate(n_sources=_source_count("venue"))

    @admin.display(description="Sources", ordering="n_sources")
    def source_count(self, obj: Any) -> int:
        return int(obj.n_sources)

    @admin.display(description="Locked")
    def locks(self, obj: Venue) -> str:
        return ", ".join(sorted(obj.locked_fields)) or "—"

    @admin.display(description="Provenance")
    def provenance_pretty(self, obj: Venue) -> Any:
        return _pretty_json(obj.provenance)

    @admin.action(description="Compare (and merge) the selected venues side by side")
    def compare(self, request: HttpRequest, queryset: QuerySet[Venue]) -> HttpResponse | None:
        ids = list(queryset.exclude(status=CanonicalStatus.MERGED).values_list("pk", flat=True)[:6])
        if len(ids) < 2:
            self.message_user(request, "Select two or more active venues to compare.", messages.WARNING)
            return None
        url = reverse("admin:entities_venue_compare")
        return HttpResponseRedirect(f"{url}?ids={','.join(map(str, ids))}")

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path(
                "compare/",
                view(admin_review.CompareVenuesView.as_view(model_admin=self)),
                name="entities_venue_compare",
            ),
            *super().get_urls(),
        ]


@admin.register(Artist)
class ArtistAdmin(LockOnSaveMixin, admin.ModelAdmin):
    list_display = ["name", "artist_type", "disambiguation", "status", "source_count", "locks", "updated_at"]
    list_filter = ["status", "artist_type", LockedFilter]
    search_fields = ["name", "=public_id", "aliases", "sort_name"]
    readonly_fields = [*CANONICAL_READONLY, "name_key"]
    exclude = ["provenance"]
    show_full_result_count = False
    inlines = [SourceInline]
    actions = ["merge_artists", "unlock"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Artist]:
        return super().get_queryset(request).annotate(n_sources=_source_count("artist"))

    @admin.display(description="Sources", ordering="n_sources")
    def source_count(self, obj: Any) -> int:
        return int(obj.n_sources)

    @admin.display(description="Locked")
    def locks(self, obj: Artist) -> str:
        return ", ".join(sorted(obj.locked_fields)) or "—"

    @admin.display(description="Provenance")
    def provenance_pretty(self, obj: Artist) -> Any:
        return _pretty_json(obj.provenance)

    @admin.action(description="Merge the selected artists into one", permissions=["change"])
    def merge_artists(self, request: HttpRequest, queryset: QuerySet[Artist]) -> HttpResponse | None:
        artists = list(
            queryset.exclude(status=CanonicalStatus.MERGED).annotate(n_sources=_source_count("artist"))
        )
        if len(artists) < 2:
            self.message_user(request, "Select two or more active artists to merge.", messages.WARNING)
            return None
        if request.POST.get("confirm") == "yes":
            winner_id = request.POST.get("winner", "")
            winner = next((a for a in artists if str(a.pk) == winner_id), None)
            if winner is None:
                self.message_user(request, "Choose the artist that survives.", messages.ERROR)
                return None
            reason = request.POST.get("reason", "").strip()
            merged = 0
            for loser in artists:
                if loser.pk == winner.pk:
                    continue
                try:
                    services.artist_merge(winner=winner, loser=loser, by=request.user, reason=reason)
                    merged += 1
                except ValueError as exc:
                    self.message_user(request, f"{loser}: {exc}", messages.WARNING)
            self.message_user(
                request,
                f"Merged {merged} artist(s) into {winner}. Undo from Merge records if this was wrong.",
                messages.SUCCESS,
            )
            return None
        default = max(artists, key=lambda a: (a.n_sources, -a.pk))
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge artists",
            "opts": self.model._meta,
            "artists": artists,
            "default_winner": default.pk,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/entities/artist/merge_confirmation.html", context)


class BillingInline(admin.TabularInline):
    model = PerformanceArtist
    autocomplete_fields = ["artist"]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[PerformanceArtist]:
        return super().get_queryset(request).select_related("artist")


@admin.register(Performance)
class PerformanceAdmin(LockOnSaveMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "venue",
        "local_date",
        "local_start_time",
        "time_precision",
        "event_status",
        "status",
        "updated_at",
    ]
    list_filter = ["event_status", "time_precision", "status", LockedFilter]
    search_fields = ["name", "=public_id", "venue__name"]
    list_select_related = ["venue"]
    autocomplete_fields = ["venue"]
    date_hierarchy = "local_date"
    readonly_fields = [*CANONICAL_READONLY, "starts_at", "name_key"]
    exclude = ["provenance"]
    show_full_result_count = False
    inlines = [BillingInline, SourceInline]
    actions = ["unlock"]

    @admin.display(description="Provenance")
    def provenance_pretty(self, obj: Performance) -> Any:
        return _pretty_json(obj.provenance)


@admin.register(PerformanceArtist)
class PerformanceArtistAdmin(admin.ModelAdmin):
    """Billing rows (also edited inline on each performance)."""

    list_display = ["performance", "artist", "billing", "order", "set_start_time"]
    list_filter = ["billing"]
    search_fields = ["artist__name", "performance__name"]
    list_select_related = ["performance", "artist"]
    autocomplete_fields = ["performance", "artist"]
    show_full_result_count = False


@admin.register(ExternalId)
class ExternalIdAdmin(admin.ModelAdmin):
    list_display = ["entity_type", "scheme", "value", "public_id"]
    list_filter = ["entity_type"]
    search_fields = ["=value", "=public_id", "scheme"]
    show_full_result_count = False


# --- Venue duplicates: the review queue, every pair, and merge history ----------------------------


def _bulk_merge_threshold() -> float:
    return float(settings.REVIEW_BULK_MERGE_MIN_SCORE)


class DuplicateActionsMixin:
    """Actions shared by the queue and the full list of pairs."""

    @admin.action(
        description="Merge the selected pairs scoring at least the bulk threshold", permissions=["change"]
    )
    def bulk_merge(self, request: HttpRequest, queryset: QuerySet[VenueDuplicate]) -> None:
        threshold = _bulk_merge_threshold()
        result = services.venue_duplicates_merge_bulk(
            duplicates=VenueDuplicate.objects.filter(pk__in=queryset.values("pk")),
            min_score=threshold,
            by=request.user,
        )
        level = messages.SUCCESS if result.merged else messages.WARNING
        self.message_user(  # type: ignore[attr-defined]
            request,
            f"Merged {result.merged} pair(s) scoring ≥ {threshold:.2f}; left {result.below_threshold} below it "
            f"for review one by one; {result.not_pending} already decided. Undo from Merge records.",
            level,
        )
        for error in result.errors:
            self.message_user(request, error, messages.WARNING)  # type: ignore[attr-defined]

    @admin.action(description="Not a duplicate (never ask again)", permissions=["change"])
    def not_duplicate(self, request: HttpRequest, queryset: QuerySet[VenueDuplicate]) -> None:
        count = 0
        for dup in VenueDuplicate.objects.filter(
            pk__in=queryset.values("pk"), status=DuplicateStatus.PENDING
        ):
            services.venue_duplicate_reject(duplicate=dup, by=request.user, reason="bulk: not a duplicate")
            count += 1
        self.message_user(request, f"Recorded {count} pair(s) as not duplicates.", messages.SUCCESS)  # type: ignore[attr-defined]

    @admin.action(description="Skip (take out of the queue for now)", permissions=["change"])
    def skip(self, request: HttpRequest, queryset: QuerySet[VenueDuplicate]) -> None:
        count = 0
        for dup in VenueDuplicate.objects.filter(
            pk__in=queryset.values("pk"), status=DuplicateStatus.PENDING
        ):
            services.venue_duplicate_skip(duplicate=dup, by=request.user, reason="bulk: skipped")
            count += 1
        self.message_user(request, f"Skipped {count} pair(s).", messages.SUCCESS)  # type: ignore[attr-defined]

    @admin.display(description="Pair")
    def pair(self, obj: VenueDuplicate) -> Any:
        return format_html(
            '<a href="{}">{} ~ {}</a>',
            reverse("admin:entities_venueduplicate_review", args=[obj.pk]),
            obj.venue_a,
            obj.venue_b,
        )

    @admin.display(description="Score", ordering="score")
    def score_display(self, obj: VenueDuplicate) -> str:
        return f"{obj.score:.3f}"


@admin.register(VenueDuplicate)
class VenueDuplicateAdmin(DuplicateActionsMixin, admin.ModelAdmin):
    list_display = ["id", "pair", "score_display", "priority", "status", "decided_by", "decided_at", "reason"]
    list_display_links = ["id"]
    list_filter = ["status", "decided_at"]
    search_fields = ["venue_a__name", "venue_b__name", "reason"]
    list_select_related = ["venue_a", "venue_b", "decided_by"]
    autocomplete_fields = ["venue_a", "venue_b"]
    readonly_fields = ["explanation_table", "score", "priority", "decided_by", "decided_at"]
    exclude = ["explanation"]
    show_full_result_count = False
    actions = ["bulk_merge", "not_duplicate", "skip", "reopen"]

    @admin.action(
        description="Reopen (put skipped or rejected pairs back in the queue)", permissions=["change"]
    )
    def reopen(self, request: HttpRequest, queryset: QuerySet[VenueDuplicate]) -> None:
        count = services.venue_duplicates_reopen(duplicates=queryset, by=request.user)
        self.message_user(request, f"Reopened {count} pair(s).", messages.SUCCESS)

    @admin.display(description="Explanation")
    def explanation_table(self, obj: VenueDuplicate) -> Any:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    e.get("field"),
                    e.get("value_a"),
                    e.get("value_b"),
                    e.get("level"),
                    e.get("similarity"),
                    e.get("weight"),
                )
                for e in obj.explanation
            ),
        )
        return format_html(
            "<table><tr><th>field</th><th>A</th><th>B</th><th>level</th><th>similarity</th><th>weight</th></tr>{}</table>",
            rows,
        )

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path(
                "review/",
                view(admin_review.ReviewNextView.as_view()),
                name="entities_venueduplicate_review_next",
            ),
            path(
                "<int:pk>/review/",
                view(admin_review.ReviewDuplicateView.as_view(model_admin=self)),
                name="entities_venueduplicate_review",
            ),
            *super().get_urls(),
        ]


@admin.register(PendingVenueDuplicate)
class PendingVenueDuplicateAdmin(DuplicateActionsMixin, admin.ModelAdmin):
    """The queue: pairs waiting for a decision, most uncertain with most upcoming shows first."""

    list_display = ["pair", "score_display", "priority", "created_at"]
    list_display_links = None
    search_fields = ["venue_a__name", "venue_b__name"]
    list_select_related = ["venue_a", "venue_b"]
    show_full_result_count = False
    actions = ["bulk_merge", "not_duplicate", "skip"]
    change_list_template = "admin/entities/venueduplicate/queue.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Decisions are made on the review page, not by editing rows; the list and its actions stay.
        return obj is None and request.user.has_perm("entities.change_venueduplicate")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("entities.view_venueduplicate") or request.user.has_perm(
            "entities.change_venueduplicate"
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        extra = {
            "review_next_url": reverse("admin:entities_venueduplicate_review_next"),
            "bulk_threshold": _bulk_merge_threshold(),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra)


@admin.register(MergeRecord)
class MergeRecordAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "entity_type",
        "winner_public_id",
        "loser_public_id",
        "merged_by",
        "automatic",
        "score",
        "reason",
        "undone_at",
    ]
    list_filter = ["entity_type", "automatic", "created_at", "undone_at"]
    search_fields = ["=winner_public_id", "=loser_public_id", "reason"]
    list_select_related = ["merged_by"]
    readonly_fields = [
        "entity_type",
        "winner_public_id",
        "loser_public_id",
        "merged_by",
        "automatic",
        "reason",
        "score",
        "moved_pretty",
        "created_at",
        "undone_at",
    ]
    exclude = ["moved"]
    show_full_result_count = False
    actions = ["undo"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="What moved")
    def moved_pretty(self, obj: MergeRecord) -> Any:
        return _pretty_json(obj.moved)

    @admin.action(description="Undo these merges (unmerge)", permissions=["change"])
    def undo(self, request: HttpRequest, queryset: QuerySet[MergeRecord]) -> Any:
        undone = 0
        for record in queryset.filter(undone_at__isnull=True).order_by("-pk"):
            try:
                services.merge_record_undo(record=record, by=request.user)
                undone += 1
            except ValueError as exc:
                self.message_user(request, f"{record}: {exc}", messages.WARNING)
        self.message_user(request, f"Undone {undone} merge(s).", messages.SUCCESS)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("result/", view(admin_review.MergeResultView.as_view()), name="entities_mergerecord_result"),
            path("undo/", view(admin_review.MergeUndoView.as_view()), name="entities_mergerecord_undo"),
            *super().get_urls(),
        ]


# The artist duplicate review (its admins and views) lives in its own module, beside the venue one.
from entities import admin_artist_review  # noqa: E402,F401
