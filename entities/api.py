"""Read API for canonical venues, artists and performances. A merged ID redirects to the survivor.

Lists and details are public; details show provenance, locks and sources to staff (a staff session or
a staff-scoped X-API-Key) and null in their place to anyone else. An X-API-Key that is not a valid key
is refused (401) everywhere, never taken for anonymous (core/auth.py).
"""

import datetime as dt
import re
from typing import Annotated, Any

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import BeforeValidator

from core.api_errors import responses
from core.auth import OPTIONAL_SECURITY, STAFF_OR_PUBLIC
from entities import selectors
from entities.models import Artist, CanonicalStatus, EventStatus, Performance, PerformanceArtist, Venue
from entities.schemas import (
    ArtistDetailOut,
    ArtistOut,
    PerformanceDetailOut,
    PerformanceOut,
    SearchOut,
    VenueDetailOut,
    VenueOut,
)

router = Router(tags=["entities"], auth=STAFF_OR_PUBLIC)

# Public IDs are ULIDs; anything else cannot exist, so it is a 404 before any query.
PUBLIC_ID = re.compile(r"^[0-9A-Za-z]{1,26}$")
MAX_QUERY_LENGTH = 200
MAX_REDIRECT_HOPS = 20
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date_text(value: Any) -> Any:
    """Only YYYY-MM-DD, as documented: pydantic alone would also read "0" as a Unix time."""
    if isinstance(value, str) and not ISO_DATE.match(value):
        raise ValueError("give a date as YYYY-MM-DD")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_text)]


class Pagination(LimitOffsetPagination):
    """limit/offset with bounds, so that no request asks the database for an absurd page."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=500)
        offset: int = Field(0, ge=0, le=1_000_000_000)


def _text(value: str | None) -> str | None:
    """A query parameter as the database may see it: no NUL (PostgreSQL refuses it), bounded length."""
    if value is None:
        return None
    return value.replace("\x00", "").strip()[:MAX_QUERY_LENGTH] or None


def _get(queryset: Any, public_id: str) -> Any:
    if not PUBLIC_ID.match(public_id):
        raise Http404("No such ID.")
    entity = queryset.filter(public_id=public_id).first()
    if entity is None:
        raise Http404("No such ID.")
    return entity


def _redirect_if_merged(request: HttpRequest, entity: Any, route: str) -> HttpResponse | None:
    """A merged entity answers with a permanent redirect to the entity that survives (chains followed)."""
    if entity.status != CanonicalStatus.MERGED or not entity.merged_into_id:
        return None
    model = type(entity)
    winner = entity
    for _ in range(MAX_REDIRECT_HOPS):
        if winner.status != CanonicalStatus.MERGED or not winner.merged_into_id:
            break
        winner = model.objects.get(pk=winner.merged_into_id)
    url = reverse(f"api-1:{route}", kwargs={"public_id": winner.public_id})
    return HttpResponsePermanentRedirect(request.build_absolute_uri(url))


@router.get("/search", response=responses({200: SearchOut}, 401, 422), openapi_extra=OPTIONAL_SECURITY)
def search(
    request: HttpRequest,
    q: str = Query(..., min_length=1, max_length=MAX_QUERY_LENGTH, description="Name, former name or alias."),
    limit: int = Query(10, ge=1, le=50),
) -> Any:
    text = _text(q) or ""
    if not text:
        return {"venues": [], "artists": [], "performances": []}
    return {
        "venues": list(selectors.venue_list(q=text)[:limit]),
        "artists": list(selectors.artist_list(q=text)[:limit]),
        "performances": list(selectors.performance_list(q=text)[:limit]),
    }


@router.get("/venues", response=responses({200: list[VenueOut]}, 401, 422), openapi_extra=OPTIONAL_SECURITY)
@paginate(Pagination)
def list_venues(
    request: HttpRequest,
    city: str | None = None,
    q: str | None = Query(None, description="Part of the name or a former name."),
) -> Any:
    return selectors.venue_list(city=_text(city), q=_text(q))


@router.get(
    "/venues/{public_id}",
    response=responses({200: VenueDetailOut, 301: None}, 401, 404),
    openapi_extra=OPTIONAL_SECURITY,
    url_name="venue_detail",
)
def get_venue(request: HttpRequest, public_id: str) -> Any:
    venue: Venue = _get(Venue.objects.all(), public_id)
    return _redirect_if_merged(request, venue, "venue_detail") or venue


@router.get("/artists", response=responses({200: list[ArtistOut]}, 401, 422), openapi_extra=OPTIONAL_SECURITY)
@paginate(Pagination)
def list_artists(
    request: HttpRequest, q: str | None = Query(None, description="Part of the name or an alias.")
) -> Any:
    return selectors.artist_list(q=_text(q))


@router.get(
    "/artists/{public_id}",
    response=responses({200: ArtistDetailOut, 301: None}, 401, 404),
    openapi_extra=OPTIONAL_SECURITY,
    url_name="artist_detail",
)
def get_artist(request: HttpRequest, public_id: str) -> Any:
    artist: Artist = _get(Artist.objects.all(), public_id)
    return _redirect_if_merged(request, artist, "artist_detail") or artist


@router.get(
    "/performances",
    response=responses({200: list[PerformanceOut]}, 401, 422),
    openapi_extra=OPTIONAL_SECURITY,
)
@paginate(Pagination)
def list_performances(
    request: HttpRequest,
    city: str | None = None,
    date_from: IsoDate | None = None,
    date_to: IsoDate | None = None,
    venue: str | None = Query(None, description="A venue's ID."),
    artist: str | None = Query(None, description="An artist's ID."),
    status: EventStatus | None = None,
    q: str | None = Query(None, description="Part of the title or of an act's name."),
) -> Any:
    return selectors.performance_list(
        city=_text(city),
        date_from=date_from,
        date_to=date_to,
        venue_id=_text(venue),
        artist_id=_text(artist),
        status=status,
        q=_text(q),
    )


@router.get(
    "/performances/{public_id}",
    response=responses({200: PerformanceDetailOut, 301: None}, 401, 404),
    openapi_extra=OPTIONAL_SECURITY,
    url_name="performance_detail",
)
def get_performance(request: HttpRequest, public_id: str) -> Any:
    queryset = Performance.objects.select_related("venue").prefetch_related(
        Prefetch("billing", queryset=PerformanceArtist.objects.select_related("artist"))
    )
    performance: Performance = _get(queryset, public_id)
    return _redirect_if_merged(request, performance, "performance_detail") or performance
