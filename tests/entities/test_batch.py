"""The batch resolver: lean scoring, resolving a CSV or prepared venues, and its results."""

import random
import re

import pytest

from bench.er_synth import generate, write_csv
from entities.resolution import normalize
from entities.resolution.batch import resolve_csv, resolve_table
from entities.resolution.blocking import iter_candidate_pairs
from entities.resolution.columnar import VenueTable, read_venue_csv
from entities.resolution.estimate import estimate_venue_model
from entities.resolution.model import HAND_MODEL
from entities.resolution.scoring import pair_bits, pair_levels, score_venue_pair, venue_levels


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    rows, truth = generate(30_000, seed=21)
    path = tmp_path_factory.mktemp("er") / "venues.csv"
    write_csv(path, rows)
    return path, rows, truth


def prepared(path, count):
    return read_venue_csv(path).venues(range(count))


def test_lean_scoring_equals_the_explained_score(table):
    # given: blocked pairs and random pairs, under the hand model and an estimated one
    path, _, _ = table
    venues = prepared(path, 8000)
    model = estimate_venue_model(venues)
    rng = random.Random(0)
    pairs = [p for _, p in zip(range(3000), iter_candidate_pairs(venues), strict=False)]
    pairs += [(rng.randrange(len(venues)), rng.randrange(len(venues))) for _ in range(1000)]

    # when / then
    for i, j in pairs:
        a, b = venues[i], venues[j]
        assert pair_levels(a, b) == venue_levels(a, b).levels
        for m in (HAND_MODEL, model):
            full = score_venue_pair(a, b, m)
            bits = pair_bits(a, b, m)
            assert bits is not None
            assert bits == pytest.approx(m.prior_weight + full.weight, abs=1e-9)
            for floor in (-5.0, 0.0, 5.0):
                if pair_bits(a, b, m, at_least=floor) is None:
                    assert bits < floor  # the early exit never drops a pair that makes it


def test_resolve_csv_reports_and_explains(table):
    # given
    path, rows, _ = table
    phases = []

    # when
    resolution = resolve_csv(path, progress=lambda phase, done, total: phases.append(phase))

    # then
    cluster_of = resolution.cluster_of
    assert list(cluster_of) == [r[0] for r in rows]  # every row, in file order
    assert all(cluster_of[c] == c for c in cluster_of.values())  # roots are members
    assert all(c <= i for i, c in cluster_of.items())  # the smallest id names the cluster
    assert {"read", "estimate", "block", "score", "cluster"} <= set(phases)
    assert resolution.stats["clusters"] == len(set(cluster_of.values()))
    merged = next(i for i, c in cluster_of.items() if c != i)
    explained = resolution.explain(merged, cluster_of[merged])
    assert explained.weight == pytest.approx(sum(row.weight for row in explained.explanation))


def test_resolve_rejects_repeated_ids(table):
    # given
    path, _, _ = table
    venues = prepared(path, 10)

    # when / then
    with pytest.raises(ValueError, match="duplicate venue id"):
        resolve_table(VenueTable.from_venues([*venues, venues[0]]))


def test_hand_model_on_request(table):
    # given
    path, _, _ = table
    venues = prepared(path, 3000)

    # when
    resolution = resolve_table(VenueTable.from_venues(venues), model="hand")

    # then
    assert resolution.model is HAND_MODEL


def test_explain_needs_known_ids(table):
    path, _, _ = table
    resolution = resolve_table(VenueTable.from_venues(prepared(path, 600)))
    with pytest.raises(ValueError, match="unknown venue id"):
        resolution.explain("nope", "1")


# --- normaliser fast paths: same results as the general path ------------------------------------


def test_phone_fast_path_equals_phonenumbers():
    # given: random North American numbers (valid or not) in many shapes and default regions
    rng = random.Random(1)
    shapes = [
        "({a}) {b}-{c}",
        "{a}-{b}-{c}",
        "{a}.{b}.{c}",
        "+1 {a} {b} {c}",
        "{a}{b}{c}",
        "1-{a}-{b}-{c}",
        "{a}/{b}-{c}",
    ]

    # when / then
    for _ in range(3000):
        a, b, c = str(rng.randrange(200, 1000)), f"{rng.randrange(1000):03d}", f"{rng.randrange(10000):04d}"
        text = rng.choice(shapes).format(a=a, b=b, c=c)
        region = rng.choice(["US", "CA", "GB"])
        assert normalize.normalize_phone(text, region) == normalize._parse_phone(text, region), (text, region)


def test_caribbean_numbers_take_the_full_path():
    # Barbados and Jamaica number plans look past the exchange: no fast path for them.
    assert normalize._nanp_fast("246-521-0000", "US") is None
    assert normalize._nanp_fast("876-606-1234", "US") is None


@pytest.mark.parametrize(
    "url",
    [
        "HTTP://WWW.Neumos.COM:8080/x?y#z",
        "https://a.b.",
        "http://a..b.com",
        "http://user@host.com/",
        "www2.x.com/a",
    ],
)
def test_website_fast_path_equals_urlsplit(url, monkeypatch):
    # when
    fast = normalize.website_host(url)
    monkeypatch.setattr(normalize, "_SIMPLE_URL", re.compile(r"(?!)"))  # never matches
    slow = normalize.website_host(url)

    # then
    assert fast == slow
