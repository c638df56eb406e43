"""Reads for canonical entities."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from entities.models import (
    Artist,
    CanonicalStatus,
    DuplicateStatus,
    EntitySource,
    EntityType,
    Performance,
    PerformanceArtist,
    Venue,
    VenueDuplicate,
)
from entities.resolution.scoring import haversine_m
from entities.search import search_words
from entities.venue_fields import VENUE_CHOICES, venue_values_from
from images.selectors import image_url_key


def search_filter(query: str | None, field: str = "search_key") -> Q | None:
    """Every word of the query in the entity's search key (entities/search.py): punctuation, accents and
    case do not matter. None when the query has no words (match nothing)."""
    words = search_words(query)
    if not words:
        return None
    condition = Q()
    for word in words:
        condition &= Q(**{f"{field}__contains": word})
    return condition


def venue_list(
    *, city: str | None = None, q: str | None = None, include_merged: bool = False
) -> QuerySet[Venue]:
    qs = Venue.objects.all() if include_merged else Venue.objects.exclude(status=CanonicalStatus.MERGED)
    if city:
        qs = qs.filter(locality__iexact=city)
    if q:
        condition = search_filter(q)
        qs = qs.filter(condition) if condition is not None else qs.none()
    return qs.order_by("name", "pk")


def artist_list(*, q: str | None = None) -> QuerySet[Artist]:
    qs = Artist.objects.exclude(status=CanonicalStatus.MERGED)
    if q:
        condition = search_filter(q)
        qs = qs.filter(condition) if condition is not None else qs.none()
    return qs.order_by("name", "pk")


def performance_list(
    *,
    city: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    venue_id: str | None = None,
    artist_id: str | None = None,
    status: str | None = None,
    q: str | None = None,
) -> QuerySet[Performance]:
    qs = (
        Performance.objects.exclude(status=CanonicalStatus.MERGED)
        .select_related("venue")
        .prefetch_related(Prefetch("billing", queryset=PerformanceArtist.objects.select_related("artist")))
    )
    if city:
        qs = qs.filter(venue__locality__iexact=city)
    if date_from:
        qs = qs.filter(local_date__gte=date_from)
    if date_to:
        qs = qs.filter(local_date__lte=date_to)
    if venue_id:
        qs = qs.filter(venue__public_id=venue_id)
    if artist_id:
        qs = qs.filter(billing__artist__public_id=artist_id)
    if status:
        qs = qs.filter(event_status=status)
    if q:
        condition = search_filter(q)
        if condition is None:
            return qs.none()
        by_act = PerformanceArtist.objects.filter(search_filter(q, "artist__search_key")).values(
            "performance"
        )
        qs = qs.filter(condition | Q(pk__in=by_act))
    return qs.order_by("local_date", "local_start_time", "pk")


# --- Staff review: side-by-side comparison of venues -------------------------------------------

# Explanation rows of the pair score (entities.resolution.scoring) that speak about each choice.
EXPLANATION_FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    "address": ("street", "city", "postcode", "country", "location_overlap"),
    "coordinates": ("geo",),
    "phone": ("phone",),
    "website": ("website",),
}
CHOICE_LABELS = {
    "name": "Name",
    "kind": "Kind",
    "address": "Address",
    "coordinates": "Coordinates",
    "timezone": "Time zone",
    "phone": "Phone",
    "website": "Website",
    "capacity": "Capacity",
}
UPCOMING_SHOWN = 8


def _display(choice: str, venue: Venue) -> str:
    if choice == "address":
        lines = [venue.street, " ".join(p for p in (venue.postal_code, venue.locality) if p)]
        lines.append(", ".join(p for p in (venue.region, venue.country) if p))
        return "\n".join(line for line in lines if line)
    if choice == "coordinates":
        if venue.latitude is None or venue.longitude is None:
            return ""
        return f"{venue.latitude:.6f}, {venue.longitude:.6f}"
    if choice == "kind":
        return venue.get_kind_display()
    value = getattr(venue, choice)
    return "" if value is None else str(value)


def venue_comparison(venues: list[Venue], *, duplicate: VenueDuplicate | None = None) -> dict[str, Any]:
    """Everything the review page shows about two or more venues: per choice the values side by side
    (differences flagged, locks marked, the score's explanation), the distances between their
    coordinates, their sources and their upcoming performances."""

    today = timezone.localdate()
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    explanation = list(duplicate.explanation) if duplicate is not None else []
    if duplicate is not None:
        # The explanation's value_a/value_b follow the pair's order (venue_a < venue_b).
        pair_order = [duplicate.venue_a_id, duplicate.venue_b_id]
        venues = sorted(venues, key=lambda v: pair_order.index(v.pk) if v.pk in pair_order else 99)
    sources: dict[int, list[EntitySource]] = {v.pk: [] for v in venues}
    for es in (
        EntitySource.objects.filter(venue__in=venues)
        .select_related("source", "extraction__scrape__url")
        .order_by("-source__priority", "pk")
    ):
        assert es.venue_id is not None
        sources[es.venue_id].append(es)
    columns = []
    for i, venue in enumerate(venues):
        upcoming = Performance.objects.filter(venue=venue, local_date__gte=today).exclude(
            status=CanonicalStatus.MERGED
        )
        columns.append(
            {
                "letter": letters[i % 26],
                "venue": venue,
                "sources": sources[venue.pk],
                "upcoming": list(upcoming.order_by("local_date", "local_start_time", "pk")[:UPCOMING_SHOWN]),
                "upcoming_count": upcoming.count(),
            }
        )
    rows = []
    for choice in VENUE_CHOICES:
        raw = [venue_values_from(v, choice) for v in venues]
        rows.append(
            {
                "choice": choice,
                "label": CHOICE_LABELS[choice],
                "cells": [
                    {
                        "venue": v,
                        "display": _display(choice, v),
                        "locked": bool(set(r) & set(v.locked_fields)),
                        "odd": r != raw[0],
                    }
                    for v, r in zip(venues, raw, strict=True)
                ],
                "differs": any(r != raw[0] for r in raw[1:]),
                "explanation": [
                    e for e in explanation if e.get("field") in EXPLANATION_FIELDS.get(choice, ())
                ],
            }
        )
    extra_rows = [
        ("Former names", [", ".join(v.former_names) for v in venues]),
        ("External IDs", [_ids(v.external_ids) for v in venues]),
        ("Rooms of", [str(v.parent) if v.parent_id else "" for v in venues]),
        ("Status", [v.get_status_display() for v in venues]),
        ("Staff locks", [", ".join(sorted(v.locked_fields)) for v in venues]),
    ]
    distances = []
    for i, a in enumerate(venues):
        for b in venues[i + 1 :]:
            metres = None
            if None not in (a.latitude, a.longitude, b.latitude, b.longitude):
                metres = haversine_m(a.latitude, a.longitude, b.latitude, b.longitude)  # type: ignore[arg-type]
            distances.append({"a": a, "b": b, "metres": metres, "display": _distance(metres)})
    return {
        "columns": columns,
        "rows": rows,
        "extra_rows": [
            {
                "label": label,
                "cells": [{"display": v, "odd": v != values[0]} for v in values],
                "differs": len(set(values)) > 1,
            }
            for label, values in extra_rows
        ],
        "distances": distances,
        "explanation": explanation,
        "total_weight": round(sum(float(e.get("weight") or 0) for e in explanation), 2),
    }


def _ids(external_ids: dict[str, Any]) -> str:
    return "\n".join(
        f"{scheme}: {', '.join(map(str, values))}"
        for scheme, values in sorted(external_ids.items())
        if not scheme.startswith("source:")
    )


def _distance(metres: float | None) -> str:
    if metres is None:
        return "unknown (coordinates missing)"
    if metres < 1000:
        return f"{metres:.0f} m"
    return f"{metres / 1000:.1f} km"


def venue_duplicate_queue() -> QuerySet[VenueDuplicate]:
    """Pending pairs whose venues are both still active, in review order (priority = uncertainty ×
    upcoming performances, then score)."""
    return (
        VenueDuplicate.objects.filter(status=DuplicateStatus.PENDING)
        .exclude(venue_a__status=CanonicalStatus.MERGED)
        .exclude(venue_b__status=CanonicalStatus.MERGED)
        .order_by("-priority", "-score", "pk")
    )


def venue_duplicate_neighbours(duplicate: VenueDuplicate) -> tuple[int | None, int | None]:
    """The previous and next pending pair in queue order (for j/k)."""
    queue = venue_duplicate_queue().exclude(pk=duplicate.pk)
    p, s, pk = duplicate.priority, duplicate.score, duplicate.pk
    after = Q(priority__lt=p) | Q(priority=p, score__lt=s) | Q(priority=p, score=s, pk__gt=pk)
    before = Q(priority__gt=p) | Q(priority=p, score__gt=s) | Q(priority=p, score=s, pk__lt=pk)
    following = queue.filter(after).values_list("pk", flat=True).first()
    previous = queue.filter(before).order_by("priority", "score", "-pk").values_list("pk", flat=True).first()
    return previous, following


def entities_showing_image(*, url: str, url_hash: str) -> Iterator[tuple[str, Venue | Artist | Performance]]:
    """Active canonical entities whose images include this one (compared by normalised URL hash)."""
    # JSON lists are searched as text (works on SQLite and PostgreSQL alike), in the spelling the
    # database stores: as written, and JSON-escaped. Matches are confirmed by URL hash below.
    spellings = {url, json.dumps(url)[1:-1]}
    models: tuple[tuple[str, Any, str], ...] = (
        (EntityType.VENUE, Venue, "image_urls"),
        (EntityType.ARTIST, Artist, "images"),
        (EntityType.PERFORMANCE, Performance, "image_urls"),
    )
    for entity_type, model, field in models:
        text_match = Q()
        for spelling in spellings:
            text_match |= Q(**{f"{field}__icontains": spelling})
        for entity in model.objects.filter(text_match).exclude(status=CanonicalStatus.MERGED):
            urls = [i.get("url") if isinstance(i, dict) else i for i in getattr(entity, field) or []]
            if any(isinstance(u, str) and image_url_key(u) == url_hash for u in urls):
                yield entity_type, entity
