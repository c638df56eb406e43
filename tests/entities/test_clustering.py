"""Clustering scored pairs: union-find when told nothing else, no chaining through weak links."""

import numpy as np
import pytest

from entities.resolution.clustering import ClusterStats, cluster_ids, cluster_scored, components


def test_without_link_scores_it_is_union_find():
    # given
    edges = [(0, 1, 5.0), (1, 2, 3.0), (3, 4, 1.0), (4, 5, -2.0)]

    # when
    roots = cluster_scored(6, edges, threshold_bits=0.0)

    # then: the edge below the threshold is ignored
    assert roots[0] == roots[1] == roots[2]
    assert roots[3] == roots[4] != roots[5]


def test_a_weak_link_does_not_chain_two_groups():
    # given: A~B strong, C~D strong, B~C just above the threshold, and A, D, and A-C, B-D clearly apart
    scores = {(0, 1): 20.0, (2, 3): 20.0, (1, 2): 1.0, (0, 2): -15.0, (0, 3): -15.0, (1, 3): -15.0}
    stats = ClusterStats()

    # when
    roots = cluster_scored(
        4,
        [(a, b, s) for (a, b), s in scores.items()],
        threshold_bits=0.0,
        link_bits=lambda i, j: scores[(i, j)],
        stats=stats,
    )

    # then
    assert roots[0] == roots[1]
    assert roots[2] == roots[3]
    assert roots[0] != roots[2]
    assert stats.refused == 1


def test_a_record_joins_a_group_when_the_average_link_holds():
    # given: 0~1 strong; 2 links strongly to 1 and weakly-negatively to 0
    scores = {(0, 1): 20.0, (1, 2): 12.0, (0, 2): -3.0}

    # when
    roots = cluster_scored(
        3, [(0, 1, 20.0), (1, 2, 12.0)], threshold_bits=0.0, link_bits=lambda i, j: scores[(i, j)]
    )

    # then: mean of 12 and -3 is above 0
    assert len(set(roots)) == 1


def test_groups_too_large_to_check_are_not_joined():
    # given: two groups of 3 and one edge between them, checking limited to 4 pairs
    edges = [(0, 1, 9.0), (1, 2, 9.0), (3, 4, 9.0), (4, 5, 9.0), (2, 3, 5.0)]

    # when
    stats = ClusterStats()
    roots = cluster_scored(
        6, edges, threshold_bits=0.0, link_bits=lambda i, j: 9.0, max_pairs_checked=4, stats=stats
    )

    # then
    assert roots[0] != roots[5]
    assert stats.too_large == 1


@pytest.mark.parametrize("order", [1, -1])
def test_result_does_not_depend_on_edge_order(order):
    # given
    edges = [(0, 1, 3.0), (1, 2, 3.0), (2, 3, 3.0), (5, 6, 2.0)]

    # when
    roots = cluster_scored(7, edges[::order], threshold_bits=0.0, link_bits=lambda i, j: 3.0)

    # then
    assert cluster_ids(list("abcdefg"), roots) == {
        "a": "a", "b": "a", "c": "a", "d": "a", "e": "e", "f": "f", "g": "f",
    }  # fmt: skip


def greedy(size, left, right):
    return cluster_scored(size, zip(left, right, [1.0] * len(left), strict=True), threshold_bits=0.0)


def connected(size, left, right):
    return components(size, np.array(left, dtype=np.int64), np.array(right, dtype=np.int64)).tolist()


def clusters(pairs, how):
    """Plain transitive clustering of id pairs, each cluster named by its smallest id."""
    ids = sorted({x for pair in pairs for x in pair})
    position = {x: i for i, x in enumerate(ids)}
    left, right = [position[a] for a, _ in pairs], [position[b] for _, b in pairs]
    return cluster_ids(ids, how(len(ids), left, right))


@pytest.mark.parametrize("how", [greedy, connected])
@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([], {}),
        ([("b", "a")], {"a": "a", "b": "a"}),
        ([("c", "b"), ("b", "a"), ("x", "y")], {"a": "a", "b": "a", "c": "a", "x": "x", "y": "x"}),
        ([("d", "c"), ("b", "a"), ("c", "b")], {"a": "a", "b": "a", "c": "a", "d": "a"}),
        ([("a", "a")], {"a": "a"}),
        ([("v10", "v9"), ("v9", "v3")], {"v10": "v10", "v9": "v10", "v3": "v10"}),  # smallest by string order
    ],
)
def test_without_link_scores_it_clusters_as_connected_components(pairs, expected, how):
    # when / then: cluster_scored without link scores is union-find, the same as components
    assert clusters(pairs, how) == expected


@pytest.mark.parametrize("how", [greedy, connected])
def test_a_long_chain_is_one_cluster(how):
    # given
    pairs = [(f"n{i:05}", f"n{i + 1:05}") for i in range(20_000)]

    # when
    result = clusters(list(reversed(pairs)), how)

    # then
    assert set(result.values()) == {"n00000"}


@pytest.mark.parametrize("seed", range(6))
def test_split_into_components_it_clusters_as_a_whole(seed):
    # given: random sparse graphs (pairs, complete groups, chains, one large component) with strong
    # and weak edges; pairs without an edge score -3
    import random

    from entities.resolution.clustering import cluster_edges

    rng = random.Random(seed)
    size = 400
    scores = {}
    for _ in range(150 + 150 * seed):
        a, b = sorted(rng.sample(range(size), 2))
        scores[(a, b)] = rng.choice([-8.0, -1.0, 0.5, 2.0, 6.0, 12.0]) + rng.random()
    for start in range(0, 40, 4):  # complete groups of four
        for a in range(start, start + 4):
            for b in range(a + 1, start + 4):
                scores[(a, b)] = 5.0 + rng.random()

    def link(i, j):
        return scores.get((i, j), -3.0)

    edges = [(a, b, s) for (a, b), s in scores.items()]
    left = np.array([e[0] for e in edges], dtype=np.int64)
    right = np.array([e[1] for e in edges], dtype=np.int64)
    bits = np.array([e[2] for e in edges])
    ids = [f"{i:03d}" for i in range(size)]

    # when
    whole = cluster_scored(size, edges, threshold_bits=0.0, link_bits=link)
    split = cluster_edges(size, left, right, bits, threshold_bits=0.0, link_bits=link)

    # then: the same clusters (roots may differ within a cluster)
    assert cluster_ids(ids, whole) == cluster_ids(ids, split.tolist())
