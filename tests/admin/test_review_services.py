"""Review services: merge with chosen values (locked, kept by later recomputes), undo, decisions with
who/when/why, bulk merge above a threshold, artist merge and unmerge."""

from __future__ import annotations

import pytest

from entities.models import (
    Artist,
    CanonicalStatus,
    DuplicateStatus,
    EntitySource,
    MergeRecord,
    PerformanceArtist,
    Venue,
    VenueDuplicate,
)
from entities.services import (
    artist_merge,
    artist_unmerge,
    entity_fields_lock,
    venue_duplicate_reject,
    venue_duplicate_skip,
    venue_duplicates_merge_bulk,
    venue_duplicates_reopen,
    venue_merge_with_choices,
    venue_pick_winner,
    venue_review_undo,
)
from entities.services.recompute import venue_recompute
from tests.factories import ArtistFactory, PerformanceArtistFactory, PerformanceFactory, build_review_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_review_world()


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("reviewer", password="pw", is_staff=True, is_superuser=True)


def test_the_world_files_one_explained_candidate(world):
    assert world.duplicate.status == DuplicateStatus.PENDING
    fields = {row["field"] for row in world.duplicate.explanation}
    assert {"name", "city", "phone", "geo"} <= fields
    assert venue_pick_winner([world.listed, world.hall]) == world.hall  # more sources and shows


def test_merge_with_choices_writes_and_locks_the_chosen_values(world, staff):
    records = venue_merge_with_choices(
        winner=world.hall,
        losers=[world.listed],
        chosen_values={"name": "Hidden Hall (Fremont)", "street": "123 North 36th Street"},
        by=staff,
        reason="same room; the listing's street spelling is the official one",
        duplicate=world.duplicate,
    )
    hall = Venue.objects.get(pk=world.hall.pk)
    assert hall.name == "Hidden Hall (Fremont)"
    assert hall.street == "123 North 36th Street"
    # A part of the address locks the whole address, completed from the winner
    assert set(hall.locked_fields) == {"name", "street", "locality", "region", "postal_code", "country"}
    assert hall.locked_fields["region"] == "WA"
    assert hall.provenance["name"]["reason"] == "locked"
    # Merges and recomputes never overwrite a lock
    venue_recompute(hall)
    hall.refresh_from_db()
    assert hall.name == "Hidden Hall (Fremont)"
    listed = Venue.objects.get(pk=world.listed.pk)
    assert listed.status == CanonicalStatus.MERGED
    assert listed.merged_into_id == hall.pk
    (record,) = records
    assert record.merged_by == staff
    assert record.reason.startswith("same room")
    assert record.score == world.duplicate.score
    world.duplicate.refresh_from_db()
    assert world.duplicate.status == DuplicateStatus.MERGED
    assert world.duplicate.decided_by == staff
    assert world.duplicate.decided_at is not None
    assert world.duplicate.reason.startswith("same room")


def test_undo_restores_venues_and_locks(world, staff):
    before = Venue.objects.get(pk=world.hall.pk)
    records = venue_merge_with_choices(
        winner=world.hall, losers=[world.listed], chosen_values={"name": "Hidden Hall (Fremont)"}, by=staff
    )
    winner = venue_review_undo(records=records, by=staff)
    assert winner.pk == world.hall.pk
    hall = Venue.objects.get(pk=world.hall.pk)
    listed = Venue.objects.get(pk=world.listed.pk)
    assert hall.locked_fields == before.locked_fields == {}
    assert hall.name == "Hidden Hall"
    assert listed.status == CanonicalStatus.ACTIVE
    assert EntitySource.objects.filter(venue=listed).exists()
    assert MergeRecord.objects.get(pk=records[0].pk).undone_at is not None
    world.duplicate.refresh_from_db()
    assert world.duplicate.status == DuplicateStatus.PENDING
    with pytest.raises(ValueError, match="already undone"):
        venue_review_undo(records=[MergeRecord.objects.get(pk=records[0].pk)], by=staff)


def test_a_lock_changed_after_the_review_survives_the_undo(world, staff):
    records = venue_merge_with_choices(
        winner=world.hall, losers=[world.listed], chosen_values={"phone": "+12065550100"}, by=staff
    )
    hall = Venue.objects.get(pk=world.hall.pk)
    entity_fields_lock(entity=hall, values={"phone": "+12065559999"}, by=staff)
    venue_review_undo(records=records, by=staff)
    assert Venue.objects.get(pk=world.hall.pk).locked_fields == {"phone": "+12065559999"}


def test_merge_refuses_unknown_fields_and_merged_venues(world, staff):
    with pytest.raises(ValueError, match="Cannot choose"):
        venue_merge_with_choices(winner=world.hall, losers=[world.listed], chosen_values={"status": "x"})
    venue_merge_with_choices(winner=world.hall, losers=[world.listed], chosen_values={}, by=staff)
    with pytest.raises(ValueError, match="Already merged"):
        venue_merge_with_choices(winner=world.hall, losers=[world.listed], chosen_values={}, by=staff)


def test_decisions_record_who_when_why_and_can_be_reopened(world, staff):
    venue_duplicate_skip(duplicate=world.duplicate, by=staff, reason="need to call them")
    world.duplicate.refresh_from_db()
    assert (world.duplicate.status, world.duplicate.decided_by, world.duplicate.reason) == (
        DuplicateStatus.SKIPPED,
        staff,
        "need to call them",
    )
    assert world.duplicate.decided_at is not None
    assert venue_duplicates_reopen(duplicates=VenueDuplicate.objects.all()) == 1
    venue_duplicate_reject(
        duplicate=VenueDuplicate.objects.get(pk=world.duplicate.pk), by=staff, reason="two rooms"
    )
    assert VenueDuplicate.objects.get(pk=world.duplicate.pk).status == DuplicateStatus.NOT_DUPLICATE


@pytest.mark.parametrize(("threshold", "merged"), [(0.0, 1), (1.01, 0)])
def test_bulk_merge_takes_only_pairs_at_or_above_the_threshold(world, staff, threshold, merged):
    result = venue_duplicates_merge_bulk(
        duplicates=VenueDuplicate.objects.all(), min_score=threshold, by=staff
    )
    assert (result.merged, result.below_threshold) == (merged, 1 - merged)
    assert Venue.objects.filter(status=CanonicalStatus.MERGED).count() == merged
    if merged:
        assert Venue.objects.get(pk=world.listed.pk).merged_into_id == world.hall.pk


def test_artist_merge_moves_bills_and_sources_and_undoes(world, staff):
    quiet = Artist.objects.get(name="The Quiet Ones")
    quiet_ones = Artist.objects.get(name="Quiet 1s")
    shared = PerformanceFactory.create(venue=world.hall)
    PerformanceArtistFactory.create(performance=shared, artist=quiet)
    PerformanceArtistFactory.create(performance=shared, artist=quiet_ones, order=1)
    loser_bills = set(
        PerformanceArtist.objects.filter(artist=quiet_ones).values_list("performance_id", flat=True)
    )

    record = artist_merge(winner=quiet, loser=quiet_ones, by=staff, reason="same band")
    quiet_ones.refresh_from_db()
    assert quiet_ones.status == CanonicalStatus.MERGED
    assert quiet_ones.merged_into_id == quiet.pk
    assert not PerformanceArtist.objects.filter(artist=quiet_ones).exists()
    assert EntitySource.objects.filter(artist=quiet, source__name="seattle-listings").exists()
    assert PerformanceArtist.objects.filter(performance=shared, artist=quiet).count() == 1
    assert "Quiet 1s" in Artist.objects.get(pk=quiet.pk).aliases

    artist_unmerge(record=record, by=staff)
    quiet_ones.refresh_from_db()
    assert quiet_ones.status == CanonicalStatus.ACTIVE
    assert (
        set(PerformanceArtist.objects.filter(artist=quiet_ones).values_list("performance_id", flat=True))
        == loser_bills
    )
    with pytest.raises(ValueError, match="into itself"):
        artist_merge(winner=quiet, loser=quiet)


def test_staff_values_survive_an_artist_lock(world):
    artist = ArtistFactory.create(name="Solo")
    entity_fields_lock(entity=artist, values={"name": "Solo Act", "disambiguation": "the Seattle one"})
    artist.refresh_from_db()
    assert (artist.name, artist.disambiguation) == ("Solo Act", "the Seattle one")
    assert artist.locked_fields == {"name": "Solo Act", "disambiguation": "the Seattle one"}
    with pytest.raises(ValueError, match="Cannot lock"):
        entity_fields_lock(entity=artist, values={"status": "merged"})
