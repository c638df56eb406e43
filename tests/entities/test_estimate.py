"""Weights estimated from the data (Fellegi-Sunter, EM): recovered m/u, the prior, fallbacks."""

import itertools
import math
from collections import Counter

import pytest

from bench.er_synth import COLUMNS, generate
from entities.resolution.batch import records_from_rows, resolve_table
from entities.resolution.blocking import iter_candidate_pairs
from entities.resolution.columnar import VenueTable
from entities.resolution.duplicates import find_duplicates
from entities.resolution.estimate import (
    ESTIMATED_LEVELS,
    ValueCounts,
    estimate_u,
    estimate_venue_model,
    expectation_maximisation,
    frequent_values,
)
from entities.resolution.model import FIELD_INDEX, HAND_MODEL, VENUE_FIELDS
from entities.resolution.records import VenueRecord
from entities.resolution.scoring import pair_levels, score_venue_pair


@pytest.fixture(scope="module")
def synthetic():
    """6,000 synthetic rows with their true venue (entity) numbers, prepared."""
    rows, truth = generate(6000, seed=11)
    venues = [r.prepare() for r in records_from_rows(dict(zip(COLUMNS, row, strict=True)) for row in rows)]
    return venues, truth


@pytest.fixture(scope="module")
def model(synthetic):
    venues, _ = synthetic
    return estimate_venue_model(venues)


def _true_distribution(venues, truth, pairs, field):
    counts: Counter[str] = Counter(pair_levels(venues[i], venues[j])[FIELD_INDEX[field]] for i, j in pairs)
    levels = ESTIMATED_LEVELS[field]
    total = sum(counts[lvl] for lvl in levels)
    return {lvl: counts[lvl] / total for lvl in levels}


def test_em_recovers_m_close_to_the_truth(synthetic, model):
    # given: m measured on the true matching pairs, which the estimate never saw
    venues, truth = synthetic
    by_entity: dict[int, list[int]] = {}
    for i, entity in enumerate(truth):
        by_entity.setdefault(entity, []).append(i)
    true_pairs = [p for members in by_entity.values() for p in itertools.combinations(members, 2)]

    # when / then: the big levels are within a few points of the truth
    for field, level in [
        ("name", "exact"),
        ("phone", "exact"),
        ("street", "exact"),
        ("city", "exact"),
        ("postcode", "exact"),
    ]:
        true_m = _true_distribution(venues, truth, true_pairs, field)[level]
        assert model.m[field][level] == pytest.approx(true_m, abs=0.08), (field, level)


def test_u_matches_random_non_matching_pairs(synthetic, model):
    # given
    venues, _ = synthetic

    # then: "exact" u is small for identifying fields, large for the city, and levels sum to one
    assert model.u["phone"]["exact"] < 1e-3
    assert model.u["name"]["exact"] < 1e-2
    assert 0.001 < model.u["city"]["exact"] < 0.5
    for field, levels in ESTIMATED_LEVELS.items():
        assert sum(model.u[field][lvl] for lvl in levels) == pytest.approx(1.0), field
        assert sum(model.m[field][lvl] for lvl in levels) == pytest.approx(1.0), field


def test_prior_is_estimated_from_the_number_of_matching_pairs(synthetic, model):
    # given: the true number of matching pairs
    venues, truth = synthetic
    true_pairs = sum(c * (c - 1) // 2 for c in Counter(truth).values())
    all_pairs = len(venues) * (len(venues) - 1) / 2

    # then: within a factor of 1.5
    estimated = model.details["expected_matching_pairs"]
    assert true_pairs / 1.5 < estimated < true_pairs * 1.5
    assert model.prior_weight == pytest.approx(math.log2(estimated / (all_pairs - estimated)), abs=0.01)


def test_weights_are_log_ratios_and_ordered(model):
    # then
    for field, levels in ESTIMATED_LEVELS.items():
        weights = model.weights[field]
        ranked = [lvl for lvl in levels if lvl != "different_nearby"]
        assert all(weights[a] >= weights[b] for a, b in itertools.pairwise(ranked)), field
        assert weights["exact"] > 0 > weights["different"], field


def test_estimated_model_keeps_the_hard_cases_apart(model):
    # given
    def venue(id_, name, **fields):
        return VenueRecord(id=id_, name=name, **fields).prepare()

    rooms = (
        venue("neumos", "Neumos", street="925 E Pike St", city="Seattle", phone="206-709-9442"),
        venue("barboza", "Barboza", street="925 East Pike Street", city="Seattle", phone="(206) 709-9443"),
    )
    chains = (
        venue("lv", "House of Blues", city="Las Vegas", website="houseofblues.com"),
        venue("sd", "House of Blues", city="San Diego", website="houseofblues.com"),
    )
    same = (
        venue("x", "The Showbox", street="1426 1st Ave", city="Seattle"),
        venue("y", "Showbox", street="1426 First Avenue", city="Seattle"),
    )

    # then
    assert score_venue_pair(*rooms, model).score < 0.5
    assert score_venue_pair(*chains, model).score < 0.5
    assert score_venue_pair(*same, model).score > 0.99


def test_explanation_sums_to_the_weight(synthetic, model):
    # given
    venues, _ = synthetic

    # when
    results = [
        score_venue_pair(venues[i], venues[j], model)
        for i, j in itertools.islice(iter_candidate_pairs(venues), 300)
    ]

    # then
    for result in results:
        assert result.weight == pytest.approx(sum(row.weight for row in result.explanation))
        assert {row.field for row in result.explanation} >= set(VENUE_FIELDS)


def test_em_alone_on_counted_patterns():
    # given: 900 matches agreeing on name and phone, 100 non-matches disagreeing, u known
    u = {f: {lvl: 1 / len(levels) for lvl in levels} for f, levels in ESTIMATED_LEVELS.items()}
    u["name"] = {"exact": 0.001, "close": 0.001, "similar": 0.01, "partial": 0.01, "different": 0.978}
    agree = tuple("exact" if f in ("name", "phone") else "missing" for f in VENUE_FIELDS)
    disagree = tuple("different" if f in ("name", "phone") else "missing" for f in VENUE_FIELDS)
    m_start = {f: {lvl: 1 / len(levels) for lvl in levels} for f, levels in ESTIMATED_LEVELS.items()}

    # when
    result = expectation_maximisation(
        {agree: 900, disagree: 100}, u=u, m_start=m_start, train=["name", "phone"], max_iterations=500
    )

    # then
    assert result.converged
    assert result.lam == pytest.approx(0.9, abs=0.03)
    assert result.m["name"]["exact"] > 0.95
    assert result.m["phone"]["exact"] > 0.95


def test_unobserved_levels_weigh_nothing():
    # given: no coordinates, postcodes or websites anywhere
    rows, _ = generate(1500, seed=3)
    for row in rows:
        row[5] = row[7] = row[8] = row[9] = ""  # postcode, lat, lng, website
    venues = [r.prepare() for r in records_from_rows(dict(zip(COLUMNS, row, strict=True)) for row in rows)]

    # when
    model = estimate_venue_model(venues)

    # then
    assert set(model.weights["geo"].values()) == {0.0}
    assert set(model.weights["postcode"].values()) == {0.0}
    unobserved = model.details["unobserved_levels"]
    assert isinstance(unobserved, list)
    assert "geo.exact" in unobserved


def test_too_little_data_falls_back_to_the_hand_model():
    # given
    venues = [VenueRecord(id="a", name="A").prepare(), VenueRecord(id="b", name="B").prepare()]

    # then
    assert estimate_venue_model(venues) is HAND_MODEL


def test_frequent_values_weigh_less():
    # given: one value held by 50 records, the others by two each
    counts = ValueCounts(records=1050, shared={"chain": 50, **{f"v{i}": 2 for i in range(500)}})

    # when
    adjustments = frequent_values(counts)

    # then
    assert set(adjustments) == {"chain"}
    assert adjustments["chain"] < -1


def test_exact_u_from_frequencies(synthetic):
    # given
    venues, _ = synthetic
    phones = Counter(v.phone for v in venues if v.phone)
    n = sum(phones.values())

    # when
    counts = {"phone": ValueCounts.of(v.phone for v in venues)}
    u, share, _ = estimate_u(
        len(venues),
        counts,
        lambda pairs: [pair_levels(venues[i], venues[j]) for i, j in pairs],
        max_pairs=2000,
    )

    # then
    assert u["phone"]["exact"] == pytest.approx(sum(c * (c - 1) for c in phones.values()) / (n * (n - 1)))
    assert share["phone"] == pytest.approx(n / len(venues))


def test_find_duplicates_estimates_when_there_is_enough_data(synthetic):
    # given
    venues, truth = synthetic
    subset = venues[:1500]

    # when
    found = find_duplicates(subset, review_threshold=0.5, auto_threshold=0.99)

    # then: most filed pairs are true duplicates
    position = {v.id: i for i, v in enumerate(subset)}
    right = sum(truth[position[d.a_id]] == truth[position[d.b_id]] for d in found)
    assert found
    assert right / len(found) > 0.9
    assert all(item.to_json()["field"] for d in found for item in d.explanation)


def test_resolution_is_accurate_on_synthetic_data(synthetic):
    # given
    venues, truth = synthetic

    # when
    resolution = resolve_table(VenueTable.from_venues(venues))

    # then: pairwise F1 against the truth
    predicted = [resolution.cluster_of[v.id] for v in venues]
    both = Counter(zip(predicted, truth, strict=True))

    def pairs(counts):
        return sum(c * (c - 1) // 2 for c in counts)

    tp = pairs(both.values())
    precision = tp / pairs(Counter(predicted).values())
    recall = tp / pairs(Counter(truth).values())
    assert resolution.model.kind == "estimated"
    assert precision > 0.9
    assert recall > 0.9
