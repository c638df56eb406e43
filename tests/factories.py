"""Factories for the admin, API and browser tests, and a small "review world": two spellings of one
venue from two sources, resolved through the real services, with a duplicate candidate filed."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

import factory
from django.utils import timezone

from entities.models import (
    Artist,
    ArtistDuplicate,
    Enrichment,
    EntitySource,
    EntitySourceRevision,
    EntityType,
    ExternalId,
    MergeRecord,
    Performance,
    PerformanceArtist,
    Review,
    ReviewDecision,
    Venue,
    VenueDuplicate,
)
from extraction.models import Extraction
from extraction.schemas import ExtractionResult
from images.models import UrlImage
from sourcing.models import HostState, ScheduledTask, Scrape, Source, SourceKind, Url
from sync.models import ReconcileRun, SyncRecord


class SourceFactory(factory.django.DjangoModelFactory[Source]):
    class Meta:
        model = Source
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"source-{n}")
    kind = SourceKind.VENUE_SITE
    priority = 50


class UrlFactory(factory.django.DjangoModelFactory[Url]):
    class Meta:
        model = Url

    url = factory.Sequence(lambda n: f"http://127.0.0.1:9/page-{n}.html")
    url_hash = factory.Sequence(lambda n: f"test-{n:059d}")
    source = factory.SubFactory(SourceFactory)


class ScrapeFactory(factory.django.DjangoModelFactory[Scrape]):
    class Meta:
        model = Scrape

    url = factory.SubFactory(UrlFactory)
    status = "done"
    http_status = 200
    finished_at = factory.LazyFunction(timezone.now)


class ExtractionFactory(factory.django.DjangoModelFactory[Extraction]):
    class Meta:
        model = Extraction

    scrape = factory.SubFactory(ScrapeFactory)
    extractor = "jsonld"
    extractor_version = factory.Sequence(lambda n: f"v{n}")
    status = "done"
    finished_at = factory.LazyFunction(timezone.now)


class VenueFactory(factory.django.DjangoModelFactory[Venue]):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Venue {n}")
    locality = "Seattle"
    country = "US"


class ArtistFactory(factory.django.DjangoModelFactory[Artist]):
    class Meta:
        model = Artist

    name = factory.Sequence(lambda n: f"Artist {n}")


class PerformanceFactory(factory.django.DjangoModelFactory[Performance]):
    class Meta:
        model = Performance

    venue = factory.SubFactory(VenueFactory)
    name = factory.Sequence(lambda n: f"Show {n}")
    local_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=7))


class PerformanceArtistFactory(factory.django.DjangoModelFactory[PerformanceArtist]):
    class Meta:
        model = PerformanceArtist

    performance = factory.SubFactory(PerformanceFactory)
    artist = factory.SubFactory(ArtistFactory)


class EntitySourceFactory(factory.django.DjangoModelFactory[EntitySource]):
    class Meta:
        model = EntitySource

    source = factory.SubFactory(SourceFactory)
    entity_type = EntityType.VENUE
    source_key = factory.Sequence(lambda n: f"key-{n}")
    data = factory.LazyFunction(dict)
    data_hash = "x"
    first_seen_at = factory.LazyFunction(timezone.now)
    last_seen_at = factory.LazyFunction(timezone.now)
    venue = factory.SubFactory(VenueFactory)
    status = "done"


_seq = itertools.count()


def make_rows(kind: str, n: int) -> None:
    """`n` rows of one admin's model, each with its related rows (for query-count tests)."""
    from django.contrib.auth import get_user_model

    from core.api_keys import api_key_create

    for _ in range(n):
        i = next(_seq)
        if kind == "source":
            SourceFactory.create()
        elif kind == "url":
            UrlFactory.create()
        elif kind == "scrape":
            ScrapeFactory.create(status="failed", last_error=f"HTTP 500 #{i}")
        elif kind == "extraction":
            ExtractionFactory.create()
        elif kind == "scheduledtask":
            ScheduledTask.objects.create(name=f"task-{i}", kind="sweep", interval=dt.timedelta(minutes=5))
        elif kind == "urlimage":
            UrlImage.objects.create(url=f"http://127.0.0.1:9/img-{i}.jpg", url_hash=f"img-{i}")
        elif kind == "hoststate":
            HostState.objects.create(host=f"host-{i}.example")
        elif kind == "entitysource":
            performance = PerformanceFactory.create()
            EntitySourceFactory.create(
                artist=ArtistFactory.create(), performance=performance, venue=performance.venue
            )
        elif kind == "entitysourcerevision":
            EntitySourceRevision.objects.create(
                entity_source=EntitySourceFactory.create(),
                seen_at=timezone.now(),
                changes={"name": ["a", "b"]},
            )
        elif kind == "venue":
            EntitySourceFactory.create(venue=VenueFactory.create(locked_fields={"name": "x"}))
        elif kind == "artist":
            EntitySourceFactory.create(
                venue=None, artist=ArtistFactory.create(), entity_type=EntityType.ARTIST
            )
        elif kind in ("performance", "performanceartist"):
            PerformanceArtistFactory.create()
        elif kind == "enrichment":
            Enrichment.objects.create(
                kind="geocode_offline",
                entity_type="venue",
                entity_id=i,
                status="failed",
                last_error=f"no place #{i}",
            )
        elif kind == "externalid":
            ExternalId.objects.create(entity_type="venue", scheme="test", value=f"v{i}", public_id="01X")
        elif kind in ("venueduplicate", "pendingvenueduplicate"):
            a, b = sorted([VenueFactory.create(), VenueFactory.create()], key=lambda v: v.pk)
            user = get_user_model().objects.create_user(f"decider-{i}")
            VenueDuplicate.objects.create(
                venue_a=a, venue_b=b, score=0.5 + i / 1000, priority=1, explanation=[], decided_by=user
            )
        elif kind in ("artistduplicate", "pendingartistduplicate"):
            first, second = sorted([ArtistFactory.create(), ArtistFactory.create()], key=lambda x: x.pk)
            user = get_user_model().objects.create_user(f"artist-decider-{i}")
            ArtistDuplicate.objects.create(
                artist_a=first,
                artist_b=second,
                score=0.5 + i / 1000,
                priority=1,
                explanation=[],
                decided_by=user,
            )
        elif kind == "mergerecord":
            user = get_user_model().objects.create_user(f"merger-{i}")
            MergeRecord.objects.create(
                entity_type="venue", winner_public_id="A", loser_public_id="B", merged_by=user, moved={}
            )
        elif kind == "review":
            user = get_user_model().objects.create_user(f"reviewer-{i}")
            anchor, other = VenueFactory.create(), VenueFactory.create()
            review = Review.objects.create(
                entity_type="venue",
                anchor_public_id=anchor.public_id,
                survivor_public_id=anchor.public_id,
                reviewed_by=user,
                undone_by=user,
                undone_at=timezone.now(),
                undo_reason="a long reason for undoing this review " * 3,
                reason="a long reason for the review itself " * 3,
                values={"name": "x"},
            )
            for decision in ("different", "skipped"):
                ReviewDecision.objects.create(
                    review=review,
                    subject_public_id=other.public_id,
                    other_public_id=anchor.public_id,
                    decision=decision,
                )
        elif kind == "syncrecord":
            SyncRecord.objects.create(
                target="algolia", entity_type="venue", public_id=f"p{i}", payload_hash="h"
            )
        elif kind == "reconcilerun":
            ReconcileRun.objects.create(
                target="firestore", started_at=timezone.now(), missing=i, details={"venue": {"missing": i}}
            )
        elif kind == "apikey":
            api_key_create(name=f"key {i}", by=get_user_model().objects.create_user(f"keymaker-{i}"))
        else:
            raise ValueError(kind)


# --- The review world ---------------------------------------------------------------------------


@dataclass
class ReviewWorld:
    hall: Venue  # from the venue's own site (higher priority)
    listed: Venue  # the listings site's spelling of the same place
    duplicate: VenueDuplicate
    hall_source: Source
    listings_source: Source


def _ingest(source: Source, result: dict[str, Any]) -> Extraction:
    from entities.services import entity_sources_ingest
    from entities.services.resolve import entity_sources_resolve_for_extraction

    extraction = ExtractionFactory.create(scrape__url__source=source)
    entity_sources_ingest(extraction=extraction, result=ExtractionResult.model_validate(result))
    entity_sources_resolve_for_extraction(extraction_id=extraction.pk)
    return extraction


def build_review_world() -> ReviewWorld:
    """Hidden Hall on its own site and as "Hidden Hall (Fremont)" on a listings site: one place, 35 m
    apart, same phone, two upcoming shows on the site and one on the listings.

    Built with the automatic-merge threshold out of reach, as a deployment that wants staff to see
    every match sets it, so that the pair waits for review instead of being merged as it arrives."""
    from django.test import override_settings

    with override_settings(RESOLUTION_AUTO_MERGE_THRESHOLD=1.0):
        return _build_review_world()


def _build_review_world() -> ReviewWorld:
    from entities.services import venue_duplicates_find

    soon = timezone.localdate() + dt.timedelta(days=10)
    hall_source = SourceFactory.create(name="hidden-hall", kind=SourceKind.VENUE_SITE, priority=50)
    listings_source = SourceFactory.create(name="seattle-listings", kind=SourceKind.AGGREGATOR, priority=20)
    hall_venue = {
        "source_key": "hall",
        "name": "Hidden Hall",
        "address": {
            "street": "123 N 36th St",
            "locality": "Seattle",
            "region": "WA",
            "postal_code": "98103",
            "country": "US",
        },
        "latitude": 47.65180,
        "longitude": -122.35050,
        "phone": "+1 206 555 0100",
        "website": "https://hiddenhall.example/",
        "capacity": 300,
    }
    listed_venue = {
        "source_key": "hidden-hall-fremont",
        "name": "Hidden Hall (Fremont)",
        "address": {
            "street": "123 North 36th Street",
            "locality": "Seattle",
            "postal_code": "98103",
            "country": "US",
        },
        "latitude": 47.65200,
        "longitude": -122.35080,
        "phone": "(206) 555-0100",
        "website": "https://listings.example/venues/hidden-hall",
    }
    _ingest(
        hall_source,
        {
            "venues": [hall_venue],
            "performances": [
                {
                    "source_key": "show-1",
                    "name": "The Quiet Ones",
                    "venue": hall_venue,
                    "local_date": soon.isoformat(),
                    "local_start_time": "20:00:00",
                    "time_precision": "exact",
                    "performers": [{"artist": {"name": "The Quiet Ones", "source_key": "quiet"}}],
                },
                {
                    "source_key": "show-2",
                    "name": "Loud Tuesday",
                    "venue": hall_venue,
                    "local_date": (soon + dt.timedelta(days=5)).isoformat(),
                    "performers": [{"artist": {"name": "Loud Band", "source_key": "loud"}}],
                },
            ],
        },
    )
    _ingest(
        listings_source,
        {
            "venues": [listed_venue],
            "performances": [
                {
                    "source_key": "l-1",
                    "name": "Fremont Folk Night",
                    "venue": listed_venue,
                    "local_date": (soon + dt.timedelta(days=2)).isoformat(),
                    "performers": [{"artist": {"name": "Quiet 1s", "source_key": "quiet-ones"}}],
                }
            ],
        },
    )
    venue_duplicates_find()
    hall = Venue.objects.get(name="Hidden Hall")
    listed = Venue.objects.get(name="Hidden Hall (Fremont)")
    a, b = sorted([hall.pk, listed.pk])
    duplicate = VenueDuplicate.objects.get(venue_a_id=a, venue_b_id=b)
    return ReviewWorld(hall, listed, duplicate, hall_source, listings_source)


# --- The artist review world ---------------------------------------------------------------------


@dataclass
class ArtistReviewWorld:
    porto: Artist  # "The Solar Lanterns", a bebop act with its Spotify page
    leeds: Artist  # "Solar Lanterns, The" on a listings site, another Spotify page, doom metal
    duplicate: ArtistDuplicate


def build_artist_review_world() -> ArtistReviewWorld:
    """Two listings of one act name with two Spotify artists: the online match files the pair for
    review (a homonym question) instead of joining it. Each plays an upcoming show."""
    soon = timezone.localdate() + dt.timedelta(days=12)
    club = SourceFactory.create(name="porto-jazz-club", kind=SourceKind.VENUE_SITE, priority=50)
    listings = SourceFactory.create(name="leeds-listings", kind=SourceKind.AGGREGATOR, priority=20)
    for source, venue, artist in (
        (
            club,
            {
                "source_key": "hot-clube",
                "name": "Hot Clube",
                "address": {"locality": "Porto", "country": "PT"},
            },
            {
                "source_key": "lanterns",
                "name": "The Solar Lanterns",
                "genres": ["bebop", "jazz"],
                "external_ids": {"spotify": "Uys520G7PqpK6duoNpJyy3"},
            },
        ),
        (
            listings,
            {
                "source_key": "brudenell",
                "name": "Brudenell Social Club",
                "address": {"locality": "Leeds", "country": "GB"},
            },
            {
                "source_key": "solar-lanterns",
                "name": "Solar Lanterns, The",
                "genres": ["doom", "metal"],
                "external_ids": {"spotify": "Qq1dX7pLmBnZx0WcVb2Tt9"},
            },
        ),
    ):
        _ingest(
            source,
            {
                "venues": [venue],
                "performances": [
                    {
                        "source_key": f"{source.name}-show",
                        "name": artist["name"],
                        "venue": venue,
                        "local_date": soon.isoformat(),
                        "performers": [{"artist": artist}],
                    }
                ],
            },
        )
    porto = Artist.objects.get(name="The Solar Lanterns")
    leeds = Artist.objects.get(name="Solar Lanterns, The")
    a, b = sorted([porto.pk, leeds.pk])
    return ArtistReviewWorld(porto, leeds, ArtistDuplicate.objects.get(artist_a_id=a, artist_b_id=b))


# --- The group review world: three listings at St. Mark's ------------------------------------------


@dataclass
class GroupWorld:
    cathedral: Venue  # "St. Mark's Cathedral" from its own site: 53 past shows, 3 upcoming
    listed: Venue  # "Saint Mark's Episcopal Cathedral" on a listings site: the same place
    chapel: Venue  # "Thomsen Chapel at St. Mark's" on a ticket site: a room of the cathedral


CATHEDRAL_ADDRESS = {
    "street": "1245 10th Ave E",
    "locality": "Seattle",
    "region": "WA",
    "postal_code": "98102",
    "country": "US",
}


def build_group_world() -> GroupWorld:
    """St. Mark's three ways, resolved through the real services: the cathedral's own site (53 past
    shows of its Sunday choir and guests, 3 upcoming), a listings site that spells it in full and lists
    ten of the same nights (same acts), and a ticket site selling recitals in its chapel (an act the
    cathedral also hosts, on other nights). The pipeline files all three pairs, so the cathedral's
    group holds the other two. The automatic-merge threshold is out of reach, as in the review world."""
    from django.test import override_settings

    with override_settings(RESOLUTION_AUTO_MERGE_THRESHOLD=1.0):
        return _build_group_world()


def _show(key: str, name: str, venue: dict[str, Any], day: dt.date, acts: list[str]) -> dict[str, Any]:
    return {
        "source_key": key,
        "name": name,
        "venue": venue,
        "local_date": day.isoformat(),
        "performers": [{"artist": {"name": act, "source_key": act.casefold()}} for act in acts],
    }


def _build_group_world() -> GroupWorld:
    today = timezone.localdate()
    site = SourceFactory.create(name="saint-marks-site", kind=SourceKind.VENUE_SITE, priority=50)
    listings = SourceFactory.create(name="seattle-listings", kind=SourceKind.AGGREGATOR, priority=20)
    tickets = SourceFactory.create(name="ticket-counter", kind=SourceKind.AGGREGATOR, priority=30)
    cathedral = {
        "source_key": "cathedral",
        "name": "St. Mark's Cathedral",
        "address": CATHEDRAL_ADDRESS,
        "phone": "+1 206 323 0300",
        "website": "https://saintmarks.example/",
        "latitude": 47.63070,
        "longitude": -122.32060,
        "capacity": 1200,
    }
    listed = {
        "source_key": "st-marks-episcopal",
        "name": "Saint Mark's Episcopal Cathedral",
        "address": {**CATHEDRAL_ADDRESS, "street": "1245 Tenth Avenue East"},
        "phone": "(206) 323-0300",
        "latitude": 47.63080,
        "longitude": -122.32070,
    }
    chapel = {
        "source_key": "thomsen-chapel",
        "name": "Thomsen Chapel at St. Mark's",
        "address": CATHEDRAL_ADDRESS,
        "phone": "+1 206 323 0300",
        "latitude": 47.63070,
        "longitude": -122.32060,
        "capacity": 80,
    }
    sundays = [today - dt.timedelta(days=7 * (week + 1)) for week in range(53)]
    guests = ["Tallis Scholars", "Seattle Pro Musica", "Byrd Ensemble"]
    site_shows = [
        _show(f"compline-{i}", "Compline", cathedral, day, ["Compline Choir", guests[i % 3]])
        for i, day in enumerate(sundays)
    ]
    site_shows += [
        _show(
            f"advent-{i}",
            "Advent Lessons and Carols",
            cathedral,
            today + dt.timedelta(days=5 + 7 * i),
            ["Compline Choir"],
        )
        for i in range(3)
    ]
    # The listings site lists ten of the same Sunday nights, with the same acts.
    listed_shows = [
        _show(f"listed-{i}", "Compline at St Mark's", listed, sundays[i], ["Compline Choir", guests[i % 3]])
        for i in range(10)
    ]
    # The chapel's recitals: an act the cathedral hosts too, never on one of its nights.
    chapel_shows = [
        _show(
            f"recital-{i}", "Organ Recital", chapel, today - dt.timedelta(days=3 + 14 * i), ["Byrd Ensemble"]
        )
        for i in range(4)
    ]
    chapel_shows.append(
        _show("recital-next", "Organ Recital", chapel, today + dt.timedelta(days=3), ["Jane Organist"])
    )
    _ingest(site, {"venues": [cathedral], "performances": site_shows})
    _ingest(listings, {"venues": [listed], "performances": listed_shows})
    _ingest(tickets, {"venues": [chapel], "performances": chapel_shows})
    return GroupWorld(
        cathedral=Venue.objects.get(name="St. Mark's Cathedral"),
        listed=Venue.objects.get(name="Saint Mark's Episcopal Cathedral"),
        chapel=Venue.objects.get(name="Thomsen Chapel at St. Mark's"),
    )
