"""Read API for canonical venues, artists and performances. A merged ID redirects to the survivor."""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from entities import selectors
from entities.models import Artist, CanonicalStatus, Performance, Venue
from entities.schemas import ArtistOut, PerformanceOut, VenueDetailOut, VenueOut

router = Router(tags=["entities"])


def _redirect_if_merged(request: HttpRequest, entity: Any, route: str) -> HttpResponse | None:
    if entity.status == CanonicalStatus.MERGED and entity.merged_into_id:
        winner = type(entity).objects.get(pk=entity.merged_into_id)
        return HttpResponsePermanentRedirect(request.build_absolute_uri(f"/api/{route}/{winner.public_id}"))
    return None


@router.get("/venues", response=list[VenueOut])
@paginate(LimitOffsetPagination)
def list_venues(request: HttpRequest, city: str | None = None, q: str | None = None) -> Any:
    return selectors.venue_list(city=city, q=q)


@router.get("/venues/{public_id}", response={200: VenueDetailOut, 301: None})
def get_venue(request: HttpRequest, public_id: str) -> Any:
    venue = get_object_or_404(Venue, public_id=public_id)
    return _redirect_if_merged(request, venue, "venues") or venue


@router.get("/artists", response=list[ArtistOut])
@paginate(LimitOffsetPagination)
def list_artists(request: HttpRequest, q: str | None = None) -> Any:
    return selectors.artist_list(q=q)


@router.get("/artists/{public_id}", response={200: ArtistOut, 301: None})
def get_artist(request: HttpRequest, public_id: str) -> Any:
    artist = get_object_or_404(Artist, public_id=public_id)
    return _redirect_if_merged(request, artist, "artists") or artist


@router.get("/performances", response=list[PerformanceOut])
@paginate(LimitOffsetPagination)
def list_performances(
    request: HttpRequest,
    city: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    venue: str | None = None,
    artist: str | None = None,
    status: str | None = None,
) -> Any:
    return selectors.performance_list(
        city=city, date_from=date_from, date_to=date_to, venue_id=venue, artist_id=artist, status=status
    )


@router.get("/performances/{public_id}", response={200: PerformanceOut, 301: None})
def get_performance(request: HttpRequest, public_id: str) -> Any:
    performance = get_object_or_404(Performance.objects.select_related("venue"), public_id=public_id)
    return _redirect_if_merged(request, performance, "performances") or performance
