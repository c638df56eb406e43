"""Online matching: one new record against canonical venues held in a VenueIndex."""

import time

import pytest

from bench.er_synth import COLUMNS, generate
from entities.resolution.batch import records_from_rows
from entities.resolution.blocking import BlockIndex, neighbour_lists
from entities.resolution.estimate import estimate_venue_model
from entities.resolution.index import VenueIndex
from entities.resolution.records import VenueRecord


def record(id_, name, **fields):
    return VenueRecord(id=id_, name=name, **fields)


CANONICAL = [
    record("showbox", "The Showbox", street="1426 1st Ave", city="Seattle", phone="206-628-3151"),
    record("sodo", "Showbox SoDo", street="1700 1st Ave S", city="Seattle"),
    record("neumos", "Neumos", street="925 E Pike St", city="Seattle", phone="206-709-9442"),
    record("barboza", "Barboza", street="925 E Pike St", city="Seattle", phone="206-709-9443"),
    record("croc-pdx", "The Crocodile", street="1 NW 2nd Ave", city="Portland"),
]


@pytest.fixture
def index():
    idx = VenueIndex()
    idx.add_all(CANONICAL)
    return idx


def test_a_respelled_record_finds_its_venue(index):
    # when
    found = index.match(record("new", "Showbox", street="1426 First Avenue", city="seattle"))

    # then
    assert [m.id for m in found] == ["showbox"]
    assert found[0].score >= 0.99
    assert {row.field for row in found[0].explanation} >= {"name", "street", "city"}


def test_a_room_in_the_same_building_is_not_matched(index):
    # when
    found = index.match(record("new", "Barboza", street="925 East Pike Street", city="Seattle"))

    # then: Barboza, not Neumos
    assert [m.id for m in found] == ["barboza"]


def test_a_new_venue_matches_nothing(index):
    # when / then
    assert index.match(record("new", "Tractor Tavern", street="5213 Ballard Ave NW", city="Seattle")) == []


def test_min_score_and_limit(index):
    # when
    everything = index.match(record("new", "Showbox", city="Seattle"), min_score=0.0, limit=None)

    # then: every candidate, best first
    assert [m.id for m in everything][0] == "showbox"
    assert [m.score for m in everything] == sorted((m.score for m in everything), reverse=True)
    assert len(index.match(record("new", "Showbox", city="Seattle"), min_score=0.0, limit=1)) == 1


def test_add_replace_and_remove(index):
    # when: the venue is renamed at its source, then merged away
    index.add(record("showbox", "Showbox at the Market", street="1426 1st Ave", city="Seattle"))
    renamed = index.match(record("q", "Showbox at the Market", city="Seattle"))
    removed = index.remove("showbox")
    after = index.match(record("q", "Showbox at the Market", city="Seattle"))

    # then
    assert [m.id for m in renamed] == ["showbox"]
    assert removed
    assert "showbox" not in index
    assert len(index) == 4
    assert after == []
    assert index.remove("showbox") is False


def test_online_candidates_are_the_batch_candidates():
    # given: the same blocks through the online index and the batch pass
    rows, _ = generate(3000, seed=5)
    venues = [v.prepare() for v in records_from_rows(dict(zip(COLUMNS, r, strict=True)) for r in rows)]
    blocks = BlockIndex(100, venues)
    for i, v in enumerate(venues):
        blocks.add(v, i)

    # when
    online = {(min(i, j), max(i, j)) for i, v in enumerate(venues) for j in blocks.candidates(v) if j != i}
    batch = {(i, j) for i, later in enumerate(neighbour_lists(venues)) for j in later or ()}

    # then
    assert online == batch


def test_matching_is_fast_on_a_large_index():
    # given: 20,000 canonical venues and a model estimated from them
    rows, _ = generate(20_000, seed=9)
    venues = [v.prepare() for v in records_from_rows(dict(zip(COLUMNS, r, strict=True)) for r in rows)]
    index = VenueIndex(estimate_venue_model(venues))
    index.add_all(venues)
    originals = venues[::100]
    queries = [v._replace(id=f"q{v.id}", name=v.name.upper()) for v in originals]

    # when
    started = time.perf_counter()
    results = [index.match(q) for q in queries]
    per_query_ms = (time.perf_counter() - started) * 1000 / len(queries)

    # then: every re-spelled copy finds its venue, well under 20 ms each (even on a busy machine)
    assert all(any(m.id == v.id for m in r) for v, r in zip(originals, results, strict=True))
    assert per_query_ms < 20
