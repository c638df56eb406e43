"""A venue seen for the first time is matched against canonical venues as it arrives: above the
automatic threshold it is that venue, between the thresholds it is filed for staff at once; the batch
pass merges pairs above the threshold and never those staff decided."""

from __future__ import annotations

import pytest

from entities.models import CanonicalStatus, DuplicateStatus, MergeRecord, Venue, VenueDuplicate
from entities.resolution.keys import venue_block_key
from entities.services import venue_duplicate_reject, venue_duplicates_find
from entities.services.duplicates import venue_candidates_scored
from extraction.schemas import ExtractedAddress, ExtractedVenue
from sourcing.models import SourceKind
from tests.factories import SourceFactory, _ingest

pytestmark = pytest.mark.django_db

NEUMOS = {
    "source_key": "neumos",
    "name": "Neumos",
    "address": {"street": "925 E Pike St", "locality": "Seattle", "postal_code": "98122", "country": "US"},
    "latitude": 47.61389,
    "longitude": -122.31966,
    "phone": "+1 206 709 9442",
    "website": "https://www.neumos.com/",
}


def venue_from(source_name: str, venue: dict[str, object], kind: str = SourceKind.AGGREGATOR) -> None:
    source = SourceFactory.create(name=source_name, kind=kind)
    _ingest(source, {"venues": [venue]})


def test_the_same_place_spelled_another_way_is_that_venue():
    # given
    venue_from("neumos-site", NEUMOS, kind=SourceKind.VENUE_SITE)

    # when: an aggregator writes the name and address its own way (no exact name match)
    venue_from(
        "listings",
        {
            "source_key": "l-neumos",
            "name": "Neumo's Crystal Ball Reading Room",
            "address": {"street": "925 East Pike Street", "locality": "Seattle", "postal_code": "98122"},
            "phone": "(206) 709-9442",
            "website": "http://neumos.com",
        },
    )

    # then: one venue with both sources, nothing to review
    [venue] = Venue.objects.all()
    assert venue.sources.count() == 2
    assert not VenueDuplicate.objects.exists()


def test_a_likely_match_is_a_new_venue_and_a_question_for_staff():
    # given
    venue_from("neumos-site", NEUMOS, kind=SourceKind.VENUE_SITE)

    # when: a renamed venue at the same address and number
    venue_from(
        "listings",
        {
            "source_key": "l-other",
            "name": "Pike Street Ballroom",
            "address": {"street": "925 E Pike St", "locality": "Seattle"},
            "phone": "206-709-9442",
        },
    )

    # then: filed for review as it arrived, with its explanation
    assert Venue.objects.count() == 2
    [duplicate] = VenueDuplicate.objects.all()
    assert duplicate.status == DuplicateStatus.PENDING
    assert {row["field"] for row in duplicate.explanation} >= {"name", "street", "phone"}


def test_the_batch_pass_merges_above_the_threshold_but_never_what_staff_decided(settings):
    # given: two venues that arrived while every match went to staff
    settings.RESOLUTION_AUTO_MERGE_THRESHOLD = 1.0
    venue_from("neumos-site", NEUMOS, kind=SourceKind.VENUE_SITE)
    venue_from("listings", NEUMOS | {"source_key": "l-neumos", "name": "Neumos Seattle"})
    venue_from("other-listings", NEUMOS | {"source_key": "o-neumos", "name": "Neumos (Capitol Hill)"})
    assert Venue.objects.count() == 3
    first = VenueDuplicate.objects.order_by("venue_a", "venue_b").first()
    assert first is not None
    venue_duplicate_reject(duplicate=first, reason="two rooms")

    # when: the automatic threshold is back
    settings.RESOLUTION_AUTO_MERGE_THRESHOLD = 0.97
    counts = venue_duplicates_find()

    # then: one automatic merge, with its record; the rejected pair is still apart
    assert counts["merged"] == 1
    record = MergeRecord.objects.get()
    assert record.automatic
    assert record.reason.startswith("automatic: score")
    first.refresh_from_db()
    assert first.status == DuplicateStatus.NOT_DUPLICATE
    a, b = Venue.objects.get(pk=first.venue_a_id), Venue.objects.get(pk=first.venue_b_id)
    assert a.merged_into_id != b.pk
    assert b.merged_into_id != a.pk
    assert Venue.objects.exclude(status=CanonicalStatus.MERGED).count() == 2

    # and running it again changes nothing
    assert venue_duplicates_find()["merged"] == 0
    assert MergeRecord.objects.count() == 1


def test_the_city_and_first_name_word_find_a_venue_without_a_phone():
    # given
    venue_from("neumos-site", NEUMOS, kind=SourceKind.VENUE_SITE)
    [neumos] = Venue.objects.all()
    assert neumos.block_key == "seattle|neumos"
    listing = ExtractedVenue(
        name="Neumos Music Hall", address=ExtractedAddress(street="925 E. Pike", locality="Seattle")
    )

    # when
    found = venue_candidates_scored(listing)
    elsewhere = venue_candidates_scored(
        listing.model_copy(update={"address": ExtractedAddress(locality="Tacoma")})
    )

    # then: found through the block (another name, no phone), with its explanation; not in another city
    assert [c.venue.pk for c in found] == [neumos.pk]
    assert elsewhere == []


def test_block_keys():
    assert venue_block_key("neumos crystal ball", "seattle") == "seattle|neumos"
    assert venue_block_key("neumos", "") == ""
    assert venue_block_key("", "seattle") == ""
