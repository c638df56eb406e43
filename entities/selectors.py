"""Reads for canonical entities."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet

from entities.models import Artist, CanonicalStatus, Performance, PerformanceArtist, Venue


def venue_list(
    *, city: str | None = None, q: str | None = None, include_merged: bool = False
) -> QuerySet[Venue]:
    qs = Venue.objects.all() if include_merged else Venue.objects.exclude(status=CanonicalStatus.MERGED)
    if city:
        qs = qs.filter(locality__iexact=city)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(former_names__icontains=q))
    return qs.order_by("name", "pk")


def artist_list(*, q: str | None = None) -> QuerySet[Artist]:
    qs = Artist.objects.exclude(status=CanonicalStatus.MERGED)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(aliases__icontains=q))
    return qs.order_by("name", "pk")


def performance_list(
    *,
    city: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    venue_id: str | None = None,
    artist_id: str | None = None,
    status: str | None = None,
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
    return qs.order_by("local_date", "local_start_time", "pk")
