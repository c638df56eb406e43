"""Automatic merges are safe with many workers: two workers racing on one pair merge it once, a
staff decision is never merged across, a "room of" candidate is never merged, and a pair filed by
the pipeline shows each venue's values on its own side.

The race runs two real threads, each with its own database connection, on PostgreSQL (where
``select_for_update`` locks rows; SQLite serialises writers anyway): both wait at a barrier, then
merge the same pending pair at once.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from entities.models import (
    CanonicalStatus,
    DuplicateKind,
    DuplicateStatus,
    EntitySource,
    EntityType,
    MergeRecord,
    Venue,
    VenueDuplicate,
)
from entities.resolution.model import FieldComparison
from entities.services import venue_merge
from entities.services.duplicates import venue_duplicate_auto_merge, venue_duplicate_file
from entities.services.resolve import entity_source_resolve
from sourcing.models import Source

pytestmark = [pytest.mark.django_db(transaction=True)]


def _venues(*names: str) -> list[Venue]:
    return [Venue.objects.create(name=n, locality="Seattle", street="925 E Pike St") for n in names]


def _pending(a: Venue, b: Venue, *, kind: str = DuplicateKind.DUPLICATE) -> VenueDuplicate:
    first, second = sorted((a.pk, b.pk))
    return venue_duplicate_file(first, second, score=0.995, explanation=[], kind=kind).duplicate


def _race(worker, count: int = 2) -> list[object]:
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count
    errors: list[BaseException] = []

    def run(k: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[k] = worker()
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)
        finally:
            connections.close_all()  # this thread's connection

    threads = [threading.Thread(target=run, args=(k,)) for k in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_two_workers_racing_on_one_pair_merge_it_once():
    for _round in range(5):
        # given: one pending pair above the automatic threshold
        a, b = _venues("Neumos", "Neumo's")
        duplicate = _pending(a, b)

        # when: two workers merge it at the same moment
        results = _race(lambda pk=duplicate.pk: venue_duplicate_auto_merge(duplicate_id=pk))

        # then: one merged it, the other found nothing left to do; one merge record, one survivor
        assert sorted(results, key=lambda r: r is None)[1:] == [None]
        assert [r for r in results if r is not None] in ([a.pk], [b.pk])
        assert MergeRecord.objects.filter(loser_public_id__in=[a.public_id, b.public_id]).count() == 1
        states = sorted(Venue.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True))
        assert states == sorted([CanonicalStatus.ACTIVE, CanonicalStatus.MERGED])
        duplicate.refresh_from_db()
        assert duplicate.status == DuplicateStatus.MERGED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_a_staff_decision_taken_during_the_race_is_respected():
    # given: a pending pair, and staff answering "not a duplicate" while a worker merges it
    a, b = _venues("Barboza", "Barbosa")
    duplicate = _pending(a, b)

    def staff() -> None:
        VenueDuplicate.objects.filter(pk=duplicate.pk).update(status=DuplicateStatus.NOT_DUPLICATE)

    def staff_then_worker() -> object:
        staff()
        return venue_duplicate_auto_merge(duplicate_id=duplicate.pk)

    # when
    barrier_results = _race(staff_then_worker)

    # then: whichever came first, the two venues were never merged after the decision
    duplicate.refresh_from_db()
    assert duplicate.status in (DuplicateStatus.NOT_DUPLICATE, DuplicateStatus.MERGED)
    if duplicate.status == DuplicateStatus.NOT_DUPLICATE:
        assert all(r is None for r in barrier_results)
        assert not Venue.objects.filter(pk__in=[a.pk, b.pk], status=CanonicalStatus.MERGED).exists()


def test_never_across_a_staff_decision():
    # given: staff said C is not A; B was merged into A since; now B~C scores above the threshold
    a, b, c = _venues("Chop Suey", "Chop-Suey", "Chop Suey Lounge")
    decided = _pending(a, c)
    decided.status = DuplicateStatus.NOT_DUPLICATE
    decided.save()
    venue_merge(winner=a, loser=b, reason="same venue")
    # a pair filed before the merge, between the merged-away B and C
    stale = _pending(b, c)
    b_now = Venue.objects.get(pk=b.pk)
    assert b_now.status == CanonicalStatus.MERGED

    # when: the automatic pass reaches a fresh pair between the survivor's group and C
    d = Venue.objects.create(name="Chop Suey", locality="Seattle")
    venue_merge(winner=c, loser=d, reason="same venue")
    fresh = _pending(a, Venue.objects.get(pk=c.pk))

    # then: nothing is merged across "C is not A"
    assert venue_duplicate_auto_merge(duplicate_id=fresh.pk) is None
    assert venue_duplicate_auto_merge(duplicate_id=stale.pk) is None
    assert Venue.objects.get(pk=c.pk).status == CanonicalStatus.ACTIVE


def test_room_of_candidates_are_never_merged_automatically():
    # given: a room of a complex filed as such, scoring high
    hall, lounge = _venues("Madison Hall", "Madison Hall Lounge")
    room = _pending(hall, lounge, kind=DuplicateKind.ROOM_OF)

    # when: the automatic pass sees it (venue_duplicates_find merges only "duplicate" pairs)
    from entities.services import venue_duplicates_find

    venue_duplicates_find()

    # then
    room.refresh_from_db()
    assert room.kind == DuplicateKind.ROOM_OF
    assert room.status == DuplicateStatus.PENDING
    assert not Venue.objects.filter(status=CanonicalStatus.MERGED).exists()


def test_a_pair_filed_by_the_pipeline_shows_each_venue_on_its_side():
    # given: a known venue, then a new source naming it another way in the same city (filed for review)
    source = Source.objects.create(name="site", kind="venue_site")
    known = Venue.objects.create(
        name="Neumos",
        name_key="neumos",
        locality="Seattle",
        city_key="seattle",
        block_key="seattle|neumos",
        street="925 E Pike St",
        phone="+12067099442",
    )
    es = EntitySource.objects.create(
        source=source,
        entity_type=EntityType.VENUE,
        source_key="neumos-crystal",
        data={"name": "Neumos Bar", "address": {"locality": "Seattle"}},
        data_hash="x",
        first_seen_at="2026-01-01T00:00:00Z",
        last_seen_at="2026-01-01T00:00:00Z",
    )

    # when
    entity_source_resolve(entity_source_id=es.pk)

    # then: the pair is (known, new) in pk order, and the known venue's values are under A
    [pair] = VenueDuplicate.objects.all()
    assert pair.venue_a_id == known.pk
    name = next(row for row in pair.explanation if row["field"] == "name")
    assert name["value_a"] == "neumos"
    assert name["value_b"] == "neumos bar"


def test_explanation_rows_swap_sides():
    from entities.services.duplicates import explanation_sides

    row = FieldComparison("name", "new", "known", "close", 0.9, 4.0)
    assert explanation_sides([row], first=7, a=7) == (row,)
    assert explanation_sides([row], first=7, a=3)[0].value_a == "known"


def test_staff_decisions_are_the_labels_the_duplicate_pass_learns_from():
    # given: a merge by a person, a "not a duplicate", a "room of", a skip and an automatic merge
    from django.contrib.auth import get_user_model

    from entities.services.duplicates import venue_staff_labels

    staff = get_user_model().objects.create_user("staff")
    venues = _venues("A", "A.", "B", "C", "D", "E", "F", "G", "H", "I")
    decided = [
        (venues[0], venues[1], DuplicateStatus.MERGED, staff),
        (venues[2], venues[3], DuplicateStatus.NOT_DUPLICATE, staff),
        (venues[4], venues[5], DuplicateStatus.ROOM_OF, staff),
        (venues[6], venues[7], DuplicateStatus.SKIPPED, staff),
        (venues[8], venues[9], DuplicateStatus.MERGED, None),  # the pipeline's own merge
    ]
    for a, b, status, by in decided:
        VenueDuplicate.objects.filter(pk=_pending(a, b).pk).update(status=status, decided_by=by)

    # when
    labels = venue_staff_labels()

    # then: one venue, two venues, two venues; skips and automatic merges teach nothing
    assert sorted((a.name, b.name, same) for a, b, same in labels) == [
        ("A", "A.", True),
        ("B", "C", False),
        ("D", "E", False),
    ]
