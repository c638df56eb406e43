"""bench/hardcases: the generators are deterministic and truthful, and the evaluator counts pairs right."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import phonenumbers
import pytest

from bench.er import PairScore
from bench.er_hard import artist_name_key, command_resolver
from bench.hardcases.artists import ARTIST_FAMILIES, generate_artists
from bench.hardcases.evaluate import ErrorPair, Truth, error_pairs, family_scores, room_pairs
from bench.hardcases.noise import typo
from bench.hardcases.places import e164
from bench.hardcases.venues import COLUMNS, VENUE_FAMILIES, generate_venues

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def venues():
    return generate_venues(300, 11)


@pytest.fixture(scope="module")
def artists():
    return generate_artists(300, 11)


# --- generators -----------------------------------------------------------------------------------


def test_generators_are_deterministic_per_seed():
    assert generate_venues(120, 5).rows == generate_venues(120, 5).rows
    assert generate_venues(120, 5).truth == generate_venues(120, 5).truth
    assert generate_artists(120, 5).rows == generate_artists(120, 5).rows
    assert generate_venues(120, 5).rows != generate_venues(120, 6).rows
    assert generate_artists(120, 5).rows != generate_artists(120, 6).rows


def test_generators_are_pure_python():
    code = (
        "import sys, bench.hardcases.venues, bench.hardcases.artists, bench.hardcases.evaluate; "
        "assert 'django' not in sys.modules and 'polars' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_every_family_appears_even_in_a_small_set():
    assert {t["family"] for t in generate_venues(40, 1).truth} == set(VENUE_FAMILIES)
    assert {t["family"] for t in generate_artists(40, 1).truth} == set(ARTIST_FAMILIES)


def test_rows_and_truth_line_up(venues, artists):
    for dataset in (venues, artists):
        assert [r["id"] for r in dataset.rows] == [t["id"] for t in dataset.truth]
        assert len({r["id"] for r in dataset.rows}) == len(dataset.rows)
    assert list(venues.rows[0]) == list(COLUMNS)
    assert list(artists.rows[0]) == ["id", "name", "city", "genres", "urls", "co_billed"]
    entities = {e.id: e for e in venues.entities}
    for t in venues.truth:
        assert entities[t["entity_id"]].family == t["family"]
        assert entities[t["entity_id"]].complex_id == t["complex_id"]


def test_rooms_of_a_complex_share_its_address_and_switchboard(venues):
    rooms = defaultdict(list)
    for e in venues.entities:
        if e.complex_id:
            rooms[e.complex_id].append(e)
    assert rooms
    for complex_id, members in rooms.items():
        main = next(e for e in members if e.id == complex_id)
        assert len(members) >= 3  # the complex and at least two rooms
        assert len({e.id for e in members}) == len(members)
        for e in members:
            assert e.address is main.address
            assert e.phone is not None
            assert main.phone is not None
            assert e.phone.subscriber[:-1] == main.phone.subscriber[:-1]  # at most the last digit off
    # Every record of a complex that has a street gives the complex's house number.
    number = {e.id: str(e.address.number) for e in venues.entities}
    for row, t in zip(venues.rows, venues.truth, strict=True):
        if t["complex_id"] and row["addr"]:
            assert number[t["entity_id"]] in row["addr"]


def test_same_named_venues_in_one_city_are_at_other_numbers(venues):
    groups = defaultdict(list)
    for e in venues.entities:
        if e.family == "same_name_city":
            groups[(e.name, e.city.names, e.city.country)].append(e)
    assert groups
    for members in groups.values():
        assert len(members) >= 2
        places = {(e.address.street, e.address.number) for e in members}
        assert len(places) == len(members)


def test_homonyms_share_a_name_but_not_an_entity(artists):
    by_name = defaultdict(list)
    for act in artists.acts:
        if act.family == "homonym":
            by_name[act.name].append(act)
    assert by_name
    for acts in by_name.values():
        assert len(acts) >= 2
        assert len({a.id for a in acts}) == len(acts)
        assert len({(a.home.name, a.home.country) for a in acts}) == len(acts)
        for kind in ("spotify", "bandcamp", "instagram", "musicbrainz", "soundcloud"):
            values = [a.links[kind] for a in acts if kind in a.links]
            if kind in {"spotify", "musicbrainz"}:
                assert len(set(values)) == len(values)  # ids of one kind conflict


def test_tributes_name_their_original_and_groups_their_leader(artists):
    tributes = [a for a in artists.acts if a.family == "tribute"]
    originals = {a.name for a in tributes}
    assert any(a.name != o and o in a.name for a in tributes for o in originals)
    leaders = [a for a in artists.acts if a.family == "leader" and a.kind == "person"]
    groups = [a for a in artists.acts if a.family == "leader" and a.kind == "band"]
    assert leaders
    assert groups
    assert all(any(g.name.startswith(leader.name + " ") for leader in leaders) for g in groups)


def test_phone_numbers_are_valid_for_their_country(venues):
    phones = [e.phone for e in venues.entities if e.phone is not None]
    assert phones
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(e164(p))) for p in phones)


@pytest.mark.parametrize("word", ["lounge", "Ballroom", "Terrasse", "Bovenzaal"])
def test_typos_keep_the_first_letter_and_change_a_little(word):
    import random

    rng = random.Random(3)
    for _ in range(50):
        out = typo(rng, word)
        assert out[0] == word[0]
        assert abs(len(out) - len(word)) <= 1


# --- evaluation -----------------------------------------------------------------------------------


def _toy_truth() -> Truth:
    # r1 r2: the complex C (entity A); r3: a room of C (entity B); r4 r5: plain entity D;
    # r6: a chain venue E.
    rows = [
        {"id": "r1", "entity_id": "A", "family": "complex", "complex_id": "A"},
        {"id": "r2", "entity_id": "A", "family": "complex", "complex_id": "A"},
        {"id": "r3", "entity_id": "B", "family": "complex", "complex_id": "A"},
        {"id": "r4", "entity_id": "D", "family": "plain", "complex_id": ""},
        {"id": "r5", "entity_id": "D", "family": "plain", "complex_id": ""},
        {"id": "r6", "entity_id": "E", "family": "chain", "complex_id": ""},
    ]
    return Truth.from_rows(rows)


def test_family_scores_count_a_pair_in_the_family_of_either_record():
    # given: predicted {r1 r2 r3} {r4} {r5 r6}
    truth = _toy_truth()
    predicted = {"r1": "x", "r2": "x", "r3": "x", "r4": "y", "r5": "z", "r6": "z"}

    # when
    scores = family_scores(predicted, truth)

    # then: complex: true r1r2, predicted r1r2 r1r3 r2r3; plain: true r4r5, predicted r5r6;
    # chain: predicted r5r6 (counted in plain and in chain)
    assert scores["complex"] == PairScore(true_positives=1, predicted_pairs=3, true_pairs=1)
    assert scores["plain"] == PairScore(true_positives=0, predicted_pairs=1, true_pairs=1)
    assert scores["chain"] == PairScore(true_positives=0, predicted_pairs=1, true_pairs=0)


def test_room_pairs_are_counted_and_merged_ones_found():
    truth = _toy_truth()

    merged_all = room_pairs({"r1": "x", "r2": "x", "r3": "x"}, truth)
    apart = room_pairs({"r1": "x", "r2": "x", "r3": "y"}, truth)
    nothing = room_pairs({}, truth)  # missing records are singletons

    assert (merged_all.pairs, merged_all.merged) == (2, 2)  # r1-r3 and r2-r3
    assert (apart.pairs, apart.merged) == (2, 0)
    assert (nothing.pairs, nothing.merged, nothing.merged_share) == (2, 0, 0.0)


def test_error_pairs_name_every_wrong_pair():
    truth = _toy_truth()
    predicted = {"r1": "x", "r2": "x", "r3": "x", "r4": "y", "r5": "z", "r6": "z"}

    errors = error_pairs(predicted, truth)

    assert sorted(errors, key=lambda e: (e.kind, e.a, e.b)) == [
        ErrorPair("false_merge", "r5", "r6"),
        ErrorPair("missed", "r4", "r5"),
        ErrorPair("room_merged", "r1", "r3"),
        ErrorPair("room_merged", "r2", "r3"),
    ]


# --- resolvers of bench/er_hard.py ----------------------------------------------------------------


def test_artist_name_key_joins_billing_variants(tmp_path):
    path = tmp_path / "a.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "city", "genres", "urls", "co_billed"])
        w.writerows(
            [
                ["1", "The Band (Live)", "", "", "", ""],
                ["2", "band", "", "", "", ""],
                ["3", "Band Trio", "", "", "", ""],
            ]
        )

    clusters = artist_name_key(path)

    assert clusters["1"] == clusters["2"] != clusters["3"]


def test_command_resolver_runs_csv_in_out_commands(tmp_path):
    # A stand-in for a future `manage.py dedupe_artists --csv IN --out OUT`: every row its own cluster.
    script = (
        "import csv, sys; a = sys.argv; src, out = a[a.index('--csv') + 1], a[a.index('--out') + 1]; "
        "rows = list(csv.DictReader(open(src))); "
        "w = csv.writer(open(out, 'w', newline='')); w.writerow(['id', 'cluster_id']); "
        "w.writerows([r['id'], 'c' + r['id']] for r in rows)"
    )
    path = tmp_path / "in.csv"
    path.write_text("id,name\n1,x\n2,y\n", encoding="utf-8")

    clusters = command_resolver([sys.executable, "-c", script])(path)

    assert clusters == {"1": "c1", "2": "c2"}


def test_the_venue_table_has_dedupe_venues_columns(tmp_path):
    # bench/er.py feeds dedupe_venues' resolve_csv these columns; er_hard.py runs it on the tables.
    from bench.er import CSV_COLUMNS

    venues = generate_venues(40, 2)
    path = tmp_path / "venues.csv"
    truth_path = venues.write(path)

    with path.open(encoding="utf-8") as f:
        assert tuple(next(csv.reader(f))) == CSV_COLUMNS
    with truth_path.open(encoding="utf-8") as f:
        assert next(csv.reader(f)) == ["id", "entity_id", "family", "complex_id"]
