"""Admin for entity sources and canonical entities, and the venue duplicate review (entities/admin_review.py).

The admin is an interface: every write goes through entities.services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, ClassVar

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import CharField, Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from core.admin_actions import make_retry_action
from core.admin_display import PipelineRowAdmin, compact_time, json_table, short, when
from entities import admin_artist_review, admin_group_review, admin_review, review_selectors, services
from entities.models import (
    Artist,
    ArtistDuplicate,
    CanonicalStatus,
    DuplicateStatus,
    Enrichment,
    EntitySource,
    EntitySourceRevision,
    EntityType,
    ExternalId,
    MergeRecord,
    PendingArtistDuplicate,
    PendingVenueDuplicate,
    Performance,
    PerformanceArtist,
    Review,
    ReviewDecisionKind,
    Venue,
    VenueDuplicate,
)
from entities.review_kinds import ARTIST_REVIEW, REVIEW_KINDS, VENUE_REVIEW, ReviewKind
from entities.selectors import search_filter
from entities.services.curation import LOCKABLE_FIELDS, entity_type_of
from sourcing.admin_filters import source_filter


def json_display(field: str, description: str) -> Any:
    """A read-only display of a JSON field as a table (core.admin_display.json_table)."""

    @admin.display(description=description)
    def display(self: Any, obj: Any) -> Any:
        return json_table(getattr(obj, field))

    display.__name__ = f"{field}_table"
    return display


def _provenance_table(obj: Any) -> Any:
    """Per field: the source whose value won, when it was seen and why it won."""
    rows = sorted((obj.provenance or {}).items())
    if not rows:
        return json_table(None)
    return json_table(
        [{"field": field, **(info if isinstance(info, dict) else {"value": info})} for field, info in rows]
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

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        """The form checks each value staff change as the pipeline checks a source's (a phone becomes
        E.164 or is refused, coordinates must lie on the globe...), before anything is saved."""
        form = super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]
        entity_type = entity_type_of(self.model())  # type: ignore[attr-defined]
        lockable = LOCKABLE_FIELDS[entity_type]

        class CuratedForm(form):  # type: ignore[misc,valid-type]
            def clean(self) -> dict[str, Any]:
                cleaned: dict[str, Any] = super().clean()
                for name in self.changed_data:
                    if name in lockable and name in cleaned:
                        try:
                            cleaned[name] = services.curated_value(
                                entity_type=entity_type, field=name, value=cleaned[name]
                            )
                        except ValueError as exc:
                            self.add_error(name, str(exc))
                return cleaned

        return CuratedForm

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A merged entity is a redirect: edit the one it was merged into.
        if obj is not None and obj.status == CanonicalStatus.MERGED:
            return False
        return bool(super().has_change_permission(request, obj))  # type: ignore[misc]

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "status":
            # "Merged" is what a merge does (with its record and redirect), never a value to pick.
            kwargs["choices"] = [
                (v, label) for v, label in CanonicalStatus.choices if v != CanonicalStatus.MERGED
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)  # type: ignore[misc]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        if not change:
            return
        lockable = LOCKABLE_FIELDS[entity_type_of(obj)]
        edited = {name: getattr(obj, name) for name in form.changed_data if name in lockable}
        if edited:
            services.entity_fields_lock(
                entity=obj,
                values=edited,
                by=request.user,
                reason="edited in the admin",
                # The form saved the new values already: what they replaced is the form's initial data.
                previous={name: form.initial.get(name) for name in edited},
            )
            self.message_user(  # type: ignore[attr-defined]
                request, f"Locked {', '.join(sorted(edited))}: sources and merges keep these values."
            )

    @admin.action(description="Unlock all fields (the sources decide again)", permissions=["change"])
    def unlock(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        count = 0
        for entity in queryset.exclude(locked_fields={}):
            count += bool(
                services.entity_fields_unlock(
                    entity=entity, fields=list(entity.locked_fields), by=request.user, reason="unlock action"
                )
            )
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


class SearchKeyMixin:
    """Search that ignores punctuation, accents and case: every word of the query in the entity's search
    key (entities/search.py), besides the admin's own `search_fields` (IDs, phones, streets...)."""

    search_key_paths: tuple[str, ...] = ("search_key",)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)  # type: ignore[misc]
        condition = Q()
        for key_path in self.search_key_paths:
            words = search_filter(search_term, key_path)
            if words is not None:
                condition |= words
        if condition:
            results = results | queryset.filter(condition)
        return results, may_have_duplicates


def city_filter(path: str) -> type[admin.SimpleListFilter]:
    """A "By city" filter over `path` (the lookup to a venue's locality): the most common cities."""

    class CityFilter(admin.SimpleListFilter):
        title = "city"
        parameter_name = "city"

        def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
            cities = (
                Venue.objects.exclude(status=CanonicalStatus.MERGED)
                .exclude(locality="")
                .values("locality")
                .annotate(n=Count("pk"))
                .order_by("-n", "locality")[:30]
            )
            return [(row["locality"], f"{row['locality']} ({row['n']})") for row in cities]

        def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
            return queryset.filter(**{f"{path}__iexact": self.value()}) if self.value() else queryset

    return CityFilter


class ScoreBandFilter(admin.SimpleListFilter):
    title = "score"
    parameter_name = "score"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        bulk = _bulk_merge_threshold()
        return [
            ("bulk", f"≥ {bulk:.2f} (bulk merge)"),
            ("high", f"0.70 – {bulk:.2f}"),
            ("middle", "0.50 – 0.70"),
            ("low", "< 0.50"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        bulk = _bulk_merge_threshold()
        bands = {
            "bulk": Q(score__gte=bulk),
            "high": Q(score__gte=0.7, score__lt=bulk),
            "middle": Q(score__gte=0.5, score__lt=0.7),
            "low": Q(score__lt=0.5),
        }
        value = self.value()
        return queryset.filter(bands[value]) if value in bands else queryset


class ShowDateFilter(admin.SimpleListFilter):
    title = "date"
    parameter_name = "when"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("upcoming", "Upcoming"),
            ("week", "Next 7 days"),
            ("month", "Next 30 days"),
            ("past", "Past"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        today = timezone.localdate()
        spans = {
            "upcoming": Q(local_date__gte=today),
            "week": Q(local_date__gte=today, local_date__lt=today + dt.timedelta(days=7)),
            "month": Q(local_date__gte=today, local_date__lt=today + dt.timedelta(days=30)),
            "past": Q(local_date__lt=today),
        }
        value = self.value()
        return queryset.filter(spans[value]) if value in spans else queryset


def _change_link(obj: Any, text: str | None = None, length: int = 40) -> Any:
    """A link to the row's admin page (plain text where the admin has none)."""
    if obj is None:
        return "—"
    label = short(text if text is not None else str(obj), length)
    try:
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return label
    return format_html('<a href="{}">{}</a>', url, label)


# --- Entity sources ---------------------------------------------------------------------------


@admin.register(EntitySource)
class EntitySourceAdmin(PipelineRowAdmin, admin.ModelAdmin):
    """What one source says about one entity: made and updated by extraction, resolved by the pipeline;
    read-only here (retry re-resolves it)."""

    list_display = [
        "id",
        "source",
        "entity_type",
        "key",
        "status",
        "entity",
        "last_seen_at_when",
        "vanished_at_when",
    ]
    list_filter = [
        "entity_type",
        "status",
        source_filter("source__name"),
        ("vanished_at", admin.EmptyFieldListFilter),
        ("last_seen_at", admin.DateFieldListFilter),
    ]
    search_fields = ["source_key", "last_error"]
    list_select_related = ["source", "venue", "artist", "performance"]
    show_full_result_count = False
    exclude = ["data"]
    readonly_fields = ["data_table"]
    actions = [make_retry_action("entities.tasks.entity_source_resolve_task")]
    data_table = json_display("data", "What the source says")
    last_seen_at_when = compact_time("last_seen_at", "Last seen")
    vanished_at_when = compact_time("vanished_at", "Vanished")

    @admin.display(description="Source key", ordering="source_key")
    def key(self, obj: EntitySource) -> str:
        return short(obj.source_key, 30)

    @admin.display(description="Resolved to")
    def entity(self, obj: EntitySource) -> Any:
        return _change_link(obj.venue or obj.artist or obj.performance, length=34)


@admin.register(EntitySourceRevision)
class EntitySourceRevisionAdmin(PipelineRowAdmin, admin.ModelAdmin):
    list_display = ["id", "entity_source", "seen_at_when", "changed_fields"]
    list_filter = [("seen_at", admin.DateFieldListFilter)]
    list_select_related = ["entity_source"]
    search_fields = ["entity_source__source_key"]
    date_hierarchy = "seen_at"
    show_full_result_count = False
    exclude = ["changes"]
    readonly_fields = ["changes_table"]
    seen_at_when = compact_time("seen_at", "Seen")

    @admin.display(description="Changed")
    def changed_fields(self, obj: EntitySourceRevision) -> str:
        return short(", ".join(sorted(obj.changes)), 80)

    @admin.display(description="Changes (old → new)")
    def changes_table(self, obj: EntitySourceRevision) -> Any:
        rows = [
            {
                "field": field,
                "old": pair[0] if isinstance(pair, list) and pair else None,
                "new": pair[1] if isinstance(pair, list) and len(pair) > 1 else pair,
            }
            for field, pair in sorted(obj.changes.items())
        ]
        return json_table(rows)


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

# Kept by the pipeline and merges; shown, never typed into.
RECORD_FIELDS = ["public_id", "merged_into", "created_at", "updated_at"]
JSON_FIELDS = ["provenance", "locked_fields", "external_ids"]


class CanonicalAdmin(SearchKeyMixin, LockOnSaveMixin, admin.ModelAdmin):
    """Shared by venues, artists and performances: provenance, locks and external IDs as tables."""

    show_full_result_count = False
    inlines = [SourceInline]

    provenance_table = admin.display(description="Provenance (which source won each field, and why)")(
        lambda self, obj: _provenance_table(obj)
    )
    locks_table = json_display("locked_fields", "Staff locks (values sources and merges keep)")
    external_ids_table = json_display("external_ids", "External IDs")

    @admin.display(description="Sources", ordering="n_sources")
    def source_count(self, obj: Any) -> int:
        return int(obj.n_sources)

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        """Venues and artists: their whole history (merges, review decisions, curated values, admin
        edits) instead of the admin's edit log alone."""
        kind = REVIEW_KINDS.get(entity_type_of(self.model()))
        obj = self.get_object(request, object_id)
        if kind is None or obj is None:
            return super().history_view(request, object_id, extra_context)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return admin_group_review.history_response(request, kind, obj, extra_context or {})

    @admin.display(description="Locked")
    def locks(self, obj: Any) -> str:
        return short(", ".join(sorted(obj.locked_fields)), 30) or "—"


@admin.register(Venue)
class VenueAdmin(CanonicalAdmin):
    list_display = [
        "name",
        "kind",
        "locality",
        "country",
        "phone",
        "status",
        "source_count",
        "locks",
    ]
    list_filter = [
        "status",
        "kind",
        city_filter("locality"),
        source_filter("sources__source__name", distinct=True),
        LockedFilter,
        "country",
        ("updated_at", admin.DateFieldListFilter),
    ]
    search_fields = ["=public_id", "street", "locality", "phone", "website"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "parent", "status"]}),
        ("Address", {"fields": ["street", "locality", "region", "postal_code", "country"]}),
        ("Location", {"fields": ["latitude", "longitude", "coord_precision", "coord_source", "timezone"]}),
        ("Contact", {"fields": ["phone", "website", "capacity"]}),
        (
            "Names, links and images (from the sources)",
            {"fields": ["former_names_table", "socials_table", "image_urls_table", "external_ids_table"]},
        ),
        ("Locks and provenance", {"fields": ["locks_table", "provenance_table"]}),
        (
            "Record",
            {"classes": ["collapse"], "fields": [*RECORD_FIELDS, "name_key", "city_key", "block_key"]},
        ),
    ]
    readonly_fields = [
        *RECORD_FIELDS,
        "name_key",
        "city_key",
        "block_key",
        "coord_source",
        "former_names_table",
        "socials_table",
        "image_urls_table",
        "external_ids_table",
        "locks_table",
        "provenance_table",
    ]
    autocomplete_fields = ["parent"]
    actions = ["compare", "unlock"]
    former_names_table = json_display("former_names", "Former names")
    socials_table = json_display("socials", "Social profiles")
    image_urls_table = json_display("image_urls", "Images")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Venue]:
        return super().get_queryset(request).annotate(n_sources=_source_count("venue"))

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
class ArtistAdmin(CanonicalAdmin):
    list_display = ["name", "artist_type", "disambiguation", "status", "source_count", "locks"]
    list_filter = [
        "status",
        "artist_type",
        source_filter("sources__source__name", distinct=True),
        LockedFilter,
        ("updated_at", admin.DateFieldListFilter),
    ]
    search_fields = ["=public_id"]
    fieldsets = [
        (None, {"fields": ["name", "sort_name", "disambiguation", "artist_type", "url", "status"]}),
        (
            "Aliases, genres and images (from the sources)",
            {"fields": ["aliases_table", "genres_table", "images_table", "external_ids_table"]},
        ),
        ("Locks and provenance", {"fields": ["locks_table", "provenance_table"]}),
        ("Record", {"classes": ["collapse"], "fields": [*RECORD_FIELDS, "name_key"]}),
    ]
    readonly_fields = [
        *RECORD_FIELDS,
        "name_key",
        "aliases_table",
        "genres_table",
        "images_table",
        "external_ids_table",
        "locks_table",
        "provenance_table",
    ]
    actions = ["merge_artists", "unlock"]
    aliases_table = json_display("aliases", "Aliases")
    genres_table = json_display("genres", "Genres")
    images_table = json_display("images", "Images (with licence and attribution)")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Artist]:
        return super().get_queryset(request).annotate(n_sources=_source_count("artist"))

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
class PerformanceAdmin(CanonicalAdmin):
    list_display = [
        "show",
        "at_venue",
        "local_date",
        "local_start_time",
        "event_status",
        "time_precision",
    ]
    list_filter = [
        ShowDateFilter,
        "event_status",
        city_filter("venue__locality"),
        source_filter("sources__source__name", distinct=True),
        "time_precision",
        LockedFilter,
    ]
    search_fields = ["=public_id"]
    search_key_paths = ("search_key", "venue__search_key")
    list_select_related = ["venue"]
    autocomplete_fields = ["venue"]
    date_hierarchy = "local_date"
    fieldsets = [
        (None, {"fields": ["name", "venue", "status"]}),
        (
            "When",
            {
                "fields": [
                    "local_date",
                    "local_start_time",
                    "local_doors_time",
                    "time_precision",
                    "timezone",
                    "starts_at",
                    "previous_dates_table",
                ]
            },
        ),
        ("Status and tickets", {"fields": ["event_status", "ticket_status", "offers_table", "url"]}),
        ("Description and images", {"fields": ["description", "image_urls_table", "external_ids_table"]}),
        ("Locks and provenance", {"fields": ["locks_table", "provenance_table"]}),
        ("Record", {"classes": ["collapse"], "fields": [*RECORD_FIELDS, "name_key"]}),
    ]
    readonly_fields = [
        *RECORD_FIELDS,
        "name_key",
        "timezone",
        "starts_at",
        "previous_dates_table",
        "offers_table",
        "image_urls_table",
        "external_ids_table",
        "locks_table",
        "provenance_table",
    ]
    inlines = [BillingInline, SourceInline]
    actions = ["unlock"]
    previous_dates_table = json_display("previous_dates", "Earlier dates")
    offers_table = json_display("offers", "Offers")
    image_urls_table = json_display("image_urls", "Images")

    @admin.display(description="Performance", ordering="name")
    def show(self, obj: Performance) -> str:
        return short(obj.name, 48)

    @admin.display(description="Venue", ordering="venue__name")
    def at_venue(self, obj: Performance) -> str:
        return short(str(obj.venue), 36) if obj.venue_id else "—"


@admin.register(PerformanceArtist)
class PerformanceArtistAdmin(admin.ModelAdmin):
    """Billing rows (also edited inline on each performance)."""

    list_display = ["show", "act", "billing", "order", "set_start_time"]
    list_filter = ["billing"]
    search_fields = ["artist__name", "performance__name"]
    list_select_related = ["performance", "artist"]
    autocomplete_fields = ["performance", "artist"]
    show_full_result_count = False

    @admin.display(description="Performance", ordering="performance__local_date")
    def show(self, obj: PerformanceArtist) -> str:
        return short(str(obj.performance), 56)

    @admin.display(description="Artist", ordering="artist__name")
    def act(self, obj: PerformanceArtist) -> str:
        return short(obj.artist.name, 36)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[PerformanceArtist], search_term: str
    ) -> tuple[QuerySet[PerformanceArtist], bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        for path_ in ("artist__search_key", "performance__search_key"):
            condition = search_filter(search_term, path_)
            if condition is not None:
                results = results | queryset.filter(condition)
        return results, may_have_duplicates


@admin.register(Enrichment)
class EnrichmentAdmin(PipelineRowAdmin, admin.ModelAdmin):
    """Geocoding and MusicBrainz lookups per entity: what was asked, what came back, why it failed."""

    list_display = [
        "id",
        "kind",
        "entity_type",
        "entity_id",
        "status",
        "outcome",
        "finished_at",
        "refresh_after",
        "last_error",
    ]
    list_filter = ["kind", "status", "outcome"]
    search_fields = ["=entity_id", "last_error"]
    show_full_result_count = False
    readonly_fields = ["query_table", "result_table", "query_hash", "claim_token"]
    exclude = ["query", "result"]
    actions = [make_retry_action("entities.tasks.enrichment_run_task")]

    query_table = json_display("query", "Query")
    result_table = json_display("result", "Result")


@admin.register(ExternalId)
class ExternalIdAdmin(PipelineRowAdmin, admin.ModelAdmin):
    """The index of external IDs kept by resolution and merges: read-only."""

    list_display = ["entity_type", "scheme", "value", "public_id"]
    list_filter = ["entity_type", "scheme"]
    search_fields = ["=value", "=public_id", "scheme"]
    show_full_result_count = False


# --- Venue duplicates: the review queue, every pair, and merge history ----------------------------


def group_review_urls(site: admin.AdminSite, kind: ReviewKind) -> list[URLPattern]:
    """The group review's URLs under a pair admin: the next unclaimed group, and one group."""
    prefix = f"entities_{kind.duplicate_model._meta.model_name}"
    return [
        path(
            "group/next/",
            site.admin_view(admin_group_review.GroupReviewNextView.as_view(kind=kind)),
            name=f"{prefix}_group_next",
        ),
        path(
            "group/<int:anchor_id>/",
            site.admin_view(admin_group_review.GroupReviewView.as_view(kind=kind)),
            name=f"{prefix}_group",
        ),
    ]


class GroupColumnsMixin:
    """The queue's group and claim columns: each pair opens the group of its busier side (the hub),
    and says who is reviewing it now."""

    review: ReviewKind

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        kind = self.review
        return (
            super()  # type: ignore[misc]
            .get_queryset(request)
            .annotate(
                n_a=review_selectors.pending_candidates(kind, kind.side_a),
                n_b=review_selectors.pending_candidates(kind, kind.side_b),
                holder_a=review_selectors.claim_holder(kind, kind.side_a),
                holder_b=review_selectors.claim_holder(kind, kind.side_b),
            )
        )

    @admin.display(description="Group")
    def group(self, obj: Any) -> Any:
        kind = self.review
        a, b = kind.pair_of(obj)
        anchor, size = (b, obj.n_b) if obj.n_b > obj.n_a else (a, obj.n_a)
        return format_html(
            '<a href="{}" class="group-link">{} {}s</a>',
            reverse(kind.admin_name("group"), args=[anchor]),
            size + 1,
            kind.noun,
        )

    @admin.display(description="Reviewing")
    def reviewer(self, obj: Any) -> str:
        return obj.holder_a or obj.holder_b or "—"


def _bulk_merge_threshold() -> float:
    return float(settings.REVIEW_BULK_MERGE_MIN_SCORE)


def decide_pairs(
    model_admin: Any, request: HttpRequest, kind: ReviewKind, queryset: QuerySet[Any], decision: str
) -> int:
    """One decision for each selected pending pair, each a review of its own (so that it shows in both
    entities' history and can be undone); a pair another reviewer holds is left, with a warning."""
    count = 0
    reason = f"bulk: {ReviewDecisionKind(decision).label.lower()}"
    pairs = kind.duplicate_model.objects.filter(pk__in=queryset.values("pk"), status=DuplicateStatus.PENDING)
    for pair in pairs.order_by("pk"):
        anchor, other = kind.pair_of(pair)
        try:
            services.review_apply(
                entity_type=kind.entity_type,
                anchor_id=anchor,
                decisions={other: decision},
                by=request.user,
                reason=reason,
            )
            count += 1
        except ValueError as exc:
            model_admin.message_user(request, f"{pair}: {exc}", messages.WARNING)
    return count


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
        count = decide_pairs(self, request, VENUE_REVIEW, queryset, ReviewDecisionKind.DIFFERENT)
        self.message_user(request, f"Recorded {count} pair(s) as not duplicates.", messages.SUCCESS)  # type: ignore[attr-defined]

    @admin.action(description="Skip (take out of the queue for now)", permissions=["change"])
    def skip(self, request: HttpRequest, queryset: QuerySet[VenueDuplicate]) -> None:
        count = decide_pairs(self, request, VENUE_REVIEW, queryset, ReviewDecisionKind.SKIPPED)
        self.message_user(request, f"Skipped {count} pair(s).", messages.SUCCESS)  # type: ignore[attr-defined]

    @admin.display(description="Pair (open to review)")
    def pair(self, obj: VenueDuplicate) -> Any:
        return format_html(
            '<a href="{}">{} ~ {}</a>',
            reverse("admin:entities_venueduplicate_review", args=[obj.pk]),
            short(obj.venue_a.name, 34),
            short(obj.venue_b.name, 34),
        )

    @admin.display(description="Score", ordering="score")
    def score_display(self, obj: VenueDuplicate) -> str:
        return f"{obj.score:.2f}"


@admin.register(VenueDuplicate)
class VenueDuplicateAdmin(SearchKeyMixin, DuplicateActionsMixin, PipelineRowAdmin, admin.ModelAdmin):
    """Every pair ever filed. Pairs are filed by the duplicate finder and decided on the review page (or
    by the actions here): their pages are read-only, so no status is ever typed in."""

    list_display = ["id", "pair", "score_display", "status", "decided_by", "decided_at_when", "short_reason"]
    list_display_links = ["id"]
    list_filter = [
        "status",
        "kind",
        ScoreBandFilter,
        city_filter("venue_a__locality"),
        ("decided_at", admin.DateFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["reason"]
    search_key_paths = ("venue_a__search_key", "venue_b__search_key")
    list_select_related = ["venue_a", "venue_b", "decided_by"]
    exclude = ["explanation"]
    readonly_fields = ["review_link", "explanation_table"]
    show_full_result_count = False
    actions = ["bulk_merge", "not_duplicate", "skip", "reopen"]

    @admin.action(
        description="Reopen (put skipped or rejected pairs back in the queue)", permissions=["change"]
    )
    def reopen(self, request: HttpRequest, queryset: QuerySet[VenueDuplicate]) -> None:
        count = services.venue_duplicates_reopen(duplicates=queryset, by=request.user)
        self.message_user(request, f"Reopened {count} pair(s).", messages.SUCCESS)

    decided_at_when = compact_time("decided_at", "Decided")

    @admin.display(description="Reason")
    def short_reason(self, obj: VenueDuplicate) -> str:
        return short(obj.reason, 30)

    @admin.display(description="Review")
    def review_link(self, obj: VenueDuplicate) -> Any:
        return format_html(
            '<a href="{}">Compare the two venues side by side and decide</a>',
            reverse("admin:entities_venueduplicate_review", args=[obj.pk]),
        )

    @admin.display(description="Explanation")
    def explanation_table(self, obj: VenueDuplicate) -> Any:
        return json_table(
            [
                {
                    "field": e.get("field"),
                    "A": e.get("value_a"),
                    "B": e.get("value_b"),
                    "level": e.get("level"),
                    "similarity": e.get("similarity"),
                    "weight": e.get("weight"),
                }
                for e in obj.explanation
                if isinstance(e, dict)
            ]
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
            *group_review_urls(self.admin_site, VENUE_REVIEW),
            *super().get_urls(),
        ]


def _upcoming(field: str) -> Any:
    """Upcoming shows at the pair's venue `field` (a correlated count per listed row)."""
    counts = (
        Performance.objects.filter(venue=OuterRef(field), local_date__gte=timezone.localdate())
        .exclude(status=CanonicalStatus.MERGED)
        .order_by()
        .values("venue")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


@admin.register(PendingVenueDuplicate)
class PendingVenueDuplicateAdmin(GroupColumnsMixin, SearchKeyMixin, DuplicateActionsMixin, admin.ModelAdmin):
    """The queue: pairs waiting for a decision, most uncertain with most upcoming shows first."""

    review = VENUE_REVIEW
    list_display = ["pair", "group", "score_display", "upcoming_shows", "city", "reviewer", "created_at_when"]
    list_display_links = None
    list_filter = [
        "kind",
        ScoreBandFilter,
        city_filter("venue_a__locality"),
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields: ClassVar[list[str]] = []
    search_key_paths = ("venue_a__search_key", "venue_b__search_key")
    list_select_related = ["venue_a", "venue_b"]
    show_full_result_count = False
    actions = ["bulk_merge", "not_duplicate", "skip"]
    change_list_template = "admin/entities/venueduplicate/queue.html"

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        # The search box shows with the search key alone (SearchKeyMixin does the searching).
        return ["venue_a__name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[VenueDuplicate]:
        return (
            super()
            .get_queryset(request)
            .annotate(upcoming_a=_upcoming("venue_a"), upcoming_b=_upcoming("venue_b"))
        )

    created_at_when = compact_time("created_at", "Filed")

    @admin.display(description="Upcoming shows (A + B)")
    def upcoming_shows(self, obj: Any) -> str:
        return f"{obj.upcoming_a + obj.upcoming_b} ({obj.upcoming_a} + {obj.upcoming_b})"

    @admin.display(description="City", ordering="venue_a__locality")
    def city(self, obj: VenueDuplicate) -> str:
        cities = dict.fromkeys(c for c in (obj.venue_a.locality, obj.venue_b.locality) if c)
        return " / ".join(cities) or "—"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
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
            "group_next_url": reverse("admin:entities_venueduplicate_group_next"),
            "bulk_threshold": _bulk_merge_threshold(),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra)


def _entity_value(field: str, value: str, output: Any) -> Any:
    """`value` ("name", "pk") of the venue, artist or performance whose public ID is in `field` (merged
    ones too; public IDs are ULIDs, so at most one of the three matches)."""
    found = [
        Subquery(model.objects.filter(public_id=OuterRef(field)).values(value)[:1], output_field=output)
        for model in (Venue, Artist, Performance)
    ]
    return Coalesce(*found, output_field=output)


@admin.register(MergeRecord)
class MergeRecordAdmin(PipelineRowAdmin, admin.ModelAdmin):
    """Merges, automatic and by hand: read-only history; undone by the action or the result page."""

    list_display = [
        "created_at_when",
        "entity_type",
        "winner",
        "loser",
        "by",
        "score_display",
        "short_reason",
        "undone_at_when",
    ]
    list_filter = [
        "entity_type",
        "automatic",
        ("created_at", admin.DateFieldListFilter),
        ("undone_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["=winner_public_id", "=loser_public_id", "reason"]
    list_select_related = ["merged_by"]
    exclude = ["moved"]
    readonly_fields = ["winner", "loser", "moved_table"]
    show_full_result_count = False
    actions = ["undo"]
    moved_table = json_display("moved", "What moved from the loser to the winner (row ids)")
    created_at_when = compact_time("created_at", "Merged")
    undone_at_when = compact_time("undone_at", "Undone")

    def get_queryset(self, request: HttpRequest) -> QuerySet[MergeRecord]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                winner_name=_entity_value("winner_public_id", "name", CharField()),
                winner_pk=_entity_value("winner_public_id", "pk", IntegerField()),
                loser_name=_entity_value("loser_public_id", "name", CharField()),
                loser_pk=_entity_value("loser_public_id", "pk", IntegerField()),
            )
        )

    @staticmethod
    def _entity_link(entity_type: str, public_id: str, name: str | None, pk: int | None) -> Any:
        label = f"{short(name or '?', 32)} ({public_id[-6:]})"
        if pk is None or entity_type not in EntityType.values:
            return label
        url = reverse(f"admin:entities_{entity_type}_change", args=[pk])
        return format_html('<a href="{}" title="{}">{}</a>', url, public_id, label)

    @admin.display(description="Survivor")
    def winner(self, obj: Any) -> Any:
        return self._entity_link(obj.entity_type, obj.winner_public_id, obj.winner_name, obj.winner_pk)

    @admin.display(description="Merged into it")
    def loser(self, obj: Any) -> Any:
        return self._entity_link(obj.entity_type, obj.loser_public_id, obj.loser_name, obj.loser_pk)

    @admin.display(description="By")
    def by(self, obj: MergeRecord) -> str:
        return "automatic" if obj.automatic else str(obj.merged_by or "—")

    @admin.display(description="Score", ordering="score")
    def score_display(self, obj: MergeRecord) -> str:
        return "—" if obj.score is None else f"{obj.score:.2f}"

    @admin.display(description="Reason")
    def short_reason(self, obj: MergeRecord) -> str:
        return short(obj.reason, 40)

    @admin.action(description="Undo these merges (unmerge), saying why", permissions=["change"])
    def undo(self, request: HttpRequest, queryset: QuerySet[MergeRecord]) -> Any:
        records = list(queryset.filter(undone_at__isnull=True).order_by("-pk"))
        reason = request.POST.get("undo_reason", "").strip()
        if request.POST.get("confirm") != "yes" or not reason:
            # First ask why: the reason is kept beside each merge's own.
            context = {
                **self.admin_site.each_context(request),
                "title": "Undo merges",
                "opts": self.model._meta,
                "records": records,
                "missing_reason": request.POST.get("confirm") == "yes",
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/entities/mergerecord/undo_confirmation.html", context)
        undone = 0
        for record in records:
            try:
                services.merge_record_undo(record=record, by=request.user, reason=reason)
                undone += 1
            except ValueError as exc:
                self.message_user(request, f"{record}: {exc}", messages.WARNING)
        self.message_user(request, f"Undone {undone} merge(s).", messages.SUCCESS)
        return None

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("result/", view(admin_review.MergeResultView.as_view()), name="entities_mergerecord_result"),
            path("undo/", view(admin_review.MergeUndoView.as_view()), name="entities_mergerecord_undo"),
            *super().get_urls(),
        ]


@admin.register(Review)
class ReviewAdmin(PipelineRowAdmin, admin.ModelAdmin):
    """Every review of a pair or group, read-only: who decided what, when and why, and its undo. Each
    opens its result page, where it is undone (with a reason)."""

    list_display = ["reviewed_at_when", "entity_type", "about", "by", "decided", "short_reason", "undone"]
    list_display_links = None
    list_filter = [
        "entity_type",
        ("reviewed_at", admin.DateFieldListFilter),
        ("undone_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["=anchor_public_id", "=survivor_public_id", "reason", "undo_reason"]
    list_select_related = ["reviewed_by", "undone_by"]
    show_full_result_count = False
    reviewed_at_when = compact_time("reviewed_at", "Reviewed")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Review]:
        return (
            super()
            .get_queryset(request)
            .annotate(anchor_name=_entity_value("anchor_public_id", "name", CharField()))
            .prefetch_related("decisions")
        )

    @admin.display(description="Group around")
    def about(self, obj: Any) -> Any:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:entities_review_result", args=[obj.pk]),
            short(obj.anchor_name or obj.anchor_public_id, 36),
        )

    @admin.display(description="By")
    def by(self, obj: Review) -> str:
        return str(obj.reviewed_by or "—")

    @admin.display(description="Decisions")
    def decided(self, obj: Review) -> str:
        counts: dict[str, int] = {}
        for decision in obj.decisions.all():
            label = decision.get_decision_display().split(" (")[0].lower()
            counts[label] = counts.get(label, 0) + 1
        parts = [f"{n} {label}" for label, n in counts.items()]
        if obj.values:
            parts.append(f"{len(obj.values)} value(s)")
        return short(", ".join(parts), 40) or "—"

    @admin.display(description="Reason")
    def short_reason(self, obj: Review) -> str:
        return short(obj.reason, 30)

    @admin.display(description="Undone")
    def undone(self, obj: Review) -> str:
        if obj.undone_at is None:
            return "—"
        return short(f"{when(obj.undone_at)} by {obj.undone_by or '?'}: {obj.undo_reason}", 40)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        # A review is read on its result page, which shows what it did and holds its undo.
        if not object_id.isdigit():
            return super().change_view(request, object_id, form_url, extra_context)
        return HttpResponseRedirect(reverse("admin:entities_review_result", args=[int(object_id)]))

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/result/",
                self.admin_site.admin_view(admin_group_review.ReviewResultView.as_view()),
                name="entities_review_result",
            ),
            *super().get_urls(),
        ]


# --- Artist duplicates -----------------------------------------------------------------------------------


class ArtistDuplicateActionsMixin:
    """Actions shared by the artist queue and the full list of artist pairs."""

    @admin.action(description="Not a duplicate (two acts; never ask again)", permissions=["change"])
    def not_duplicate(self, request: HttpRequest, queryset: QuerySet[ArtistDuplicate]) -> None:
        count = decide_pairs(self, request, ARTIST_REVIEW, queryset, ReviewDecisionKind.DIFFERENT)
        self.message_user(request, f"Recorded {count} pair(s) as two acts.", messages.SUCCESS)  # type: ignore[attr-defined]

    @admin.action(description="Skip (take out of the queue for now)", permissions=["change"])
    def skip(self, request: HttpRequest, queryset: QuerySet[ArtistDuplicate]) -> None:
        count = decide_pairs(self, request, ARTIST_REVIEW, queryset, ReviewDecisionKind.SKIPPED)
        self.message_user(request, f"Skipped {count} pair(s).", messages.SUCCESS)  # type: ignore[attr-defined]

    @admin.display(description="Pair (open to review)")
    def pair(self, obj: ArtistDuplicate) -> Any:
        return format_html(
            '<a href="{}">{} ~ {}</a>',
            reverse("admin:entities_artistduplicate_review", args=[obj.pk]),
            short(obj.artist_a.name, 34),
            short(obj.artist_b.name, 34),
        )

    @admin.display(description="Score", ordering="score")
    def score_display(self, obj: ArtistDuplicate) -> str:
        return f"{obj.score:.2f}"


class ArtistScoreBandFilter(admin.SimpleListFilter):
    """Score bands of artist pairs (no bulk merge: artist pairs are decided one by one)."""

    title = "score"
    parameter_name = "score"
    BANDS: ClassVar[dict[str, tuple[str, Q]]] = {
        "high": ("≥ 0.70", Q(score__gte=0.7)),
        "middle": ("0.50 – 0.70", Q(score__gte=0.5, score__lt=0.7)),
        "low": ("< 0.50", Q(score__lt=0.5)),
    }

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(key, label) for key, (label, _) in self.BANDS.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(self.BANDS[value][1]) if value in self.BANDS else queryset


@admin.register(ArtistDuplicate)
class ArtistDuplicateAdmin(SearchKeyMixin, ArtistDuplicateActionsMixin, PipelineRowAdmin, admin.ModelAdmin):
    """Every artist pair ever filed, read-only: decided on the review page or by the actions here."""

    list_display = ["id", "pair", "score_display", "status", "decided_by", "decided_at_when", "short_reason"]
    list_display_links = ["id"]
    list_filter = [
        "status",
        ArtistScoreBandFilter,
        ("decided_at", admin.DateFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["reason"]
    search_key_paths = ("artist_a__search_key", "artist_b__search_key")
    list_select_related = ["artist_a", "artist_b", "decided_by"]
    exclude = ["explanation"]
    readonly_fields = ["review_link", "explanation_table"]
    show_full_result_count = False
    actions = ["not_duplicate", "skip", "reopen"]
    decided_at_when = compact_time("decided_at", "Decided")

    @admin.action(
        description="Reopen (put skipped or rejected pairs back in the queue)", permissions=["change"]
    )
    def reopen(self, request: HttpRequest, queryset: QuerySet[ArtistDuplicate]) -> None:
        count = services.artist_duplicates_reopen(duplicates=queryset, by=request.user)
        self.message_user(request, f"Reopened {count} pair(s).", messages.SUCCESS)

    @admin.display(description="Reason")
    def short_reason(self, obj: ArtistDuplicate) -> str:
        return short(obj.reason, 30)

    @admin.display(description="Review")
    def review_link(self, obj: ArtistDuplicate) -> Any:
        return format_html(
            '<a href="{}">Compare the two artists side by side and decide</a>',
            reverse("admin:entities_artistduplicate_review", args=[obj.pk]),
        )

    @admin.display(description="Explanation")
    def explanation_table(self, obj: ArtistDuplicate) -> Any:
        return json_table(
            [
                {
                    "field": e.get("field"),
                    "A": e.get("value_a"),
                    "B": e.get("value_b"),
                    "level": e.get("level"),
                    "weight": e.get("weight"),
                }
                for e in obj.explanation
                if isinstance(e, dict)
            ]
        )

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path(
                "review/",
                view(admin_artist_review.ArtistReviewNextView.as_view()),
                name="entities_artistduplicate_review_next",
            ),
            path(
                "<int:pk>/review/",
                view(admin_artist_review.ArtistReviewDuplicateView.as_view()),
                name="entities_artistduplicate_review",
            ),
            *group_review_urls(self.admin_site, ARTIST_REVIEW),
            *super().get_urls(),
        ]


@admin.register(PendingArtistDuplicate)
class PendingArtistDuplicateAdmin(
    GroupColumnsMixin, SearchKeyMixin, ArtistDuplicateActionsMixin, admin.ModelAdmin
):
    """The artist queue: pairs waiting for a decision, most uncertain with most upcoming shows first."""

    review = ARTIST_REVIEW
    list_display = ["pair", "group", "score_display", "priority", "reviewer", "created_at_when"]
    list_display_links = None
    list_filter = [ArtistScoreBandFilter, ("created_at", admin.DateFieldListFilter)]
    search_fields: ClassVar[list[str]] = []
    search_key_paths = ("artist_a__search_key", "artist_b__search_key")
    list_select_related = ["artist_a", "artist_b"]
    show_full_result_count = False
    actions = ["not_duplicate", "skip"]
    change_list_template = "admin/entities/artistduplicate/queue.html"
    created_at_when = compact_time("created_at", "Filed")

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        # The search box shows with the search key alone (SearchKeyMixin does the searching).
        return ["artist_a__name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and request.user.has_perm("entities.change_artistduplicate")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("entities.view_artistduplicate") or request.user.has_perm(
            "entities.change_artistduplicate"
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        extra = {
            "review_next_url": reverse("admin:entities_artistduplicate_review_next"),
            "group_next_url": reverse("admin:entities_artistduplicate_group_next"),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra)
