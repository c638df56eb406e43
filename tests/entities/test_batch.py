"""The batch resolver: preparing CSV rows (in parallel or not), lean scoring, and its results."""

import csv
import io
import random
import re

import pytest

from bench.er_synth import COLUMNS, generate, write_csv
from entities.resolution import normalize
from entities.resolution.batch import (
    _csv_ranges,
    prepare_all,
    prepare_csv,
    prepare_rows,
    records_from_rows,
    resolve_venues,
)
from entities.resolution.estimate import estimate_venue_model
from entities.resolution.matching import (
    HAND_MODEL,
    iter_candidate_pairs,
    pair_bits,
    pair_levels,
    score_venue_pair,
    venue_levels,
)


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    rows, truth = generate(30_000, seed=21)
    path = tmp_path_factory.mktemp("er") / "venues.csv"
    write_csv(path, rows)
    return path, rows, truth


def test_prepare_csv_in_parallel_equals_one_process_and_records(table):
    # given
    path, rows, _ = table

    # when
    parallel = prepare_csv(path, workers=2)
    serial = prepare_csv(path, workers=1)
    with path.open(newline="") as f:
        reader = csv.reader(f)
        from_rows = prepare_rows(next(reader), reader)
    from_records = prepare_all(records_from_rows(dict(zip(COLUMNS, r, strict=True)) for r in rows))

    # then
    assert len(parallel) == len(rows)
    assert parallel == serial == from_rows == from_records


def test_prepare_csv_handles_quoted_newlines_and_missing_columns(tmp_path):
    # given: a record whose name holds a newline, and no optional columns
    path = tmp_path / "v.csv"
    path.write_text('id,name,city\n1,"Neumos\nSeattle",Seattle\n2,Barboza,Seattle\n', encoding="utf-8")

    # when
    venues = prepare_csv(path, workers=2)

    # then
    assert [(v.id, v.name_norm, v.city) for v in venues] == [
        ("1", "neumos seattle", "seattle"),
        ("2", "barboza", "seattle"),
    ]


def test_prepare_rows_needs_id_and_name():
    with pytest.raises(ValueError, match="id and name"):
        prepare_rows(["name", "city"], [["Neumos", "Seattle"]])


def test_lean_scoring_equals_the_explained_score(table):
    # given: blocked pairs and random pairs, under the hand model and an estimated one
    path, _, _ = table
    venues = prepare_csv(path)[:8000]
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


def test_resolve_venues_reports_and_explains(table):
    # given
    path, _, _ = table
    venues = prepare_csv(path)[:5000]
    phases = []

    # when
    resolution = resolve_venues(venues, progress=lambda phase, done, total: phases.append(phase))

    # then
    assert set(resolution.cluster_of) == {v.id for v in venues}
    assert all(resolution.cluster_of[c] == c for c in resolution.cluster_of.values())  # roots are members
    assert {"score", "cluster"} <= set(phases)
    assert resolution.stats["clusters"] == len(set(resolution.cluster_of.values()))
    merged = next(v.id for v in venues if resolution.cluster_of[v.id] != v.id)
    explained = resolution.explain(merged, resolution.cluster_of[merged])
    assert explained.weight == pytest.approx(sum(row.weight for row in explained.explanation))


def test_resolve_venues_rejects_repeated_ids(table):
    # given
    path, _, _ = table
    venues = prepare_csv(path)[:10]

    # when / then
    with pytest.raises(ValueError, match="duplicate venue id"):
        resolve_venues([*venues, venues[0]])


def test_hand_model_on_request(table):
    # given
    path, _, _ = table
    venues = prepare_csv(path)[:3000]

    # when
    resolution = resolve_venues(venues, model="hand")

    # then
    assert resolution.model is HAND_MODEL


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


def test_csv_ranges_cut_between_records_even_inside_quotes(tmp_path):
    # given: names with newlines and quotes, split into many ranges
    path = tmp_path / "v.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "name"])
        writer.writerows(
            [str(i), f'Room {i}\n"upstairs"' if i % 7 == 0 else f"Room {i}"] for i in range(3000)
        )

    # when
    header, ranges = _csv_ranges(str(path), 16)
    data = path.read_bytes()
    rows = [row for a, b in ranges for row in csv.reader(io.StringIO(data[a:b].decode(), newline=""))]

    # then
    assert header == ["id", "name"]
    assert len(ranges) > 8
    assert rows == list(csv.reader(io.StringIO(data.decode(), newline="")))[1:]
