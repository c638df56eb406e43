"""The entity-resolution benchmark's evaluation (bench/er.py), on toy examples."""

import pytest

from bench.er import PairScore, clusters_from_pairs, pairwise_scores, worker_ours
from bench.er_synth import generate, write_csv


def test_pairwise_scores_on_a_toy_clustering():
    # given: truth {a,b,c} {d,e} {f}; predicted {a,b} {c,d,e} {f}
    truth = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2, "f": 3}
    predicted = {"a": "x", "b": "x", "c": "y", "d": "y", "e": "y", "f": "z"}

    # when
    score = pairwise_scores(predicted, truth)

    # then: true pairs ab ac bc de; predicted ab cd ce de; shared ab de
    assert score == PairScore(true_positives=2, predicted_pairs=4, true_pairs=4)
    assert (score.precision, score.recall, score.f1) == (0.5, 0.5, 0.5)


def test_missing_predictions_are_singletons_and_perfect_is_one():
    # given
    truth = {"a": 1, "b": 1, "c": 2}

    # when / then
    assert pairwise_scores({}, truth).recall == 0.0
    assert pairwise_scores({}, truth).precision == 1.0  # nothing predicted, nothing wrong
    assert pairwise_scores({"a": 7, "b": 7, "c": 8}, truth).f1 == 1.0


def test_clusters_from_pairs():
    # when
    clusters = clusters_from_pairs(["z1", "f2", "f3", "z4"], [("f2", "z1"), ("z4", "f3")])

    # then
    assert clusters == {"z1": "f2", "f2": "f2", "f3": "f3", "z4": "f3"}


def test_our_worker_on_a_small_synthetic_table(tmp_path):
    # given
    rows, truth = generate(3000, seed=4)
    path = tmp_path / "venues.csv"
    write_csv(path, rows)

    # when
    report = worker_ours(path, tmp_path / "clusters.csv")

    # then
    from bench.er import read_clusters

    score = pairwise_scores(
        read_clusters(tmp_path / "clusters.csv"), {r[0]: t for r, t in zip(rows, truth, strict=True)}
    )
    assert report["seconds"] > 0
    assert report["peak_mb"] > 0
    assert score.f1 == pytest.approx(1.0, abs=0.1)
