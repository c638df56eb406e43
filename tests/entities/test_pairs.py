"""The columnar pair engine agrees with the scalar code pair by pair: blocks, levels, bits, model.

Levels and bits are compared exactly. The one place the two paths compute differently is the
distance (numpy's sin/cos/asin against libm's, which may differ in the last bit): a pair within a
nanometre of a geo bucket edge (50 m, 300 m, 1 km, 3 km) could fall on the other side; distances
are checked to 1e-9 relative, and no pair here lies that close to an edge.
"""

import random

import numpy as np
import pytest

from bench.er_synth import generate, write_csv
from entities.resolution.batch import estimate_table_model, records_from_rows, resolve_table
from entities.resolution.blocking import iter_candidate_pairs
from entities.resolution.columnar import VenueTable, read_venue_csv
from entities.resolution.estimate import estimate_venue_model
from entities.resolution.model import HAND_MODEL
from entities.resolution.pairs import (
    candidate_pairs,
    pair_bits_array,
    pair_level_codes,
    pairs_from,
)
from entities.resolution.records import PreparedVenue
from entities.resolution.scoring import haversine_m, pair_bits, pair_levels


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    rows, truth = generate(20_000, seed=31)
    path = tmp_path_factory.mktemp("pairs") / "venues.csv"
    write_csv(path, rows)
    return read_venue_csv(path), truth


@pytest.fixture(scope="module")
def venues(table):
    return table[0].venues()


def test_candidate_pairs_are_the_scalar_blocks(table, venues):
    # when
    left, right = candidate_pairs(table[0])

    # then
    assert list(zip(left.tolist(), right.tolist(), strict=True)) == list(iter_candidate_pairs(venues))


def test_levels_and_bits_equal_the_scalar_path(table, venues):
    # given: blocked pairs and random pairs, under the hand model and an estimated one
    rows = table[0]
    rng = random.Random(0)
    blocked = list(iter_candidate_pairs(venues))
    pairs = rng.sample(blocked, 6000) + [
        (rng.randrange(len(venues)), rng.randrange(len(venues))) for _ in range(3000)
    ]
    left, right = pairs_from(pairs)
    model = estimate_venue_model(venues)

    # when
    levels = pair_level_codes(rows, left, right)

    # then
    assert levels.patterns() == [pair_levels(venues[i], venues[j]) for i, j in pairs]
    for m in (HAND_MODEL, model):
        bits = pair_bits_array(rows, left, right, levels, m)
        assert bits.tolist() == [pair_bits(venues[i], venues[j], m) for i, j in pairs]


def test_distances_equal_haversine(table, venues):
    from entities.resolution.pairs import _metres

    # given
    rng = random.Random(1)
    located = [i for i, v in enumerate(venues) if v.latitude is not None]
    pairs = [(rng.choice(located), rng.choice(located)) for _ in range(5000)]
    left, right = pairs_from(pairs)
    frame = table[0].frame

    # when
    metres = _metres(frame[left], frame[right])

    # then
    expected = [
        haversine_m(venues[i].latitude, venues[i].longitude, venues[j].latitude, venues[j].longitude)
        for i, j in pairs
    ]
    assert metres == pytest.approx(np.array(expected), rel=1e-9, abs=1e-9)


def test_estimated_model_equals_the_scalar_estimate(table, venues):
    assert estimate_table_model(table[0]) == estimate_venue_model(venues)


def test_non_ascii_names_and_external_ids_take_the_scalar_comparison():
    # given: names in other scripts, and a conflicting place ID
    records = [
        ("1", "Кафе Пушкин", "Тверской бульвар 26А", "Москва"),
        ("2", "Кафе Пушкинъ", "Тверской бульвар 26", "Москва"),
        ("3", "東京ドーム", "文京区後楽1-3-61", "東京"),
        ("4", "東京ドームシティ", "文京区後楽1-3-61", "東京"),
    ]
    venues = [
        PreparedVenue(*v[:-1], frozenset({("osm", k)})) if k != "4" else v
        for k, v in zip(
            "1234",
            [
                r.prepare()
                for r in records_from_rows(
                    {"id": i, "name": n, "addr": a, "city": c} for i, n, a, c in records
                )
            ],
            strict=True,
        )
    ]
    table = VenueTable.from_venues(venues)
    pairs = [(i, j) for i in range(4) for j in range(i + 1, 4)]
    left, right = pairs_from(pairs)

    # when
    levels = pair_level_codes(table, left, right)

    # then
    assert levels.patterns() == [pair_levels(venues[i], venues[j]) for i, j in pairs]


def test_table_and_prepared_venues_resolve_alike(table, venues):
    # when
    from_table = resolve_table(table[0])
    from_venues = resolve_table(VenueTable.from_venues(venues))

    # then
    assert from_table.cluster_ids.to_list() == from_venues.cluster_ids.to_list()
    assert from_table.model == from_venues.model
