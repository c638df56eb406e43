"""Clustering scored pairs without chaining through weak links.

Plain union-find is transitive: A~B and B~C put A and C together even when
A and C clearly differ ("Showbox" ~ "Showbox at the Market" ~ "Showbox SoDo"). ``cluster_scored``
merges greedily from the strongest pair down and joins two groups only when the *average* evidence
over all pairs between them (in bits, scored on demand) still clears the threshold, so one strong
link cannot drag in a record that disagrees with the rest of the group, and a strongly negative
pair (a conflicting place ID, another city) vetoes the join.

``components`` (scipy's connected components) is the plain transitive clustering, for pairs that are
all to be joined (a ground truth given as pairs); ``cluster_edges`` splits the graph with it first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components


@dataclass(slots=True)
class ClusterStats:
    edges: int = 0
    merges: int = 0
    refused: int = 0  # joins refused because the average link was too weak
    too_large: int = 0  # joins refused because the groups were too large to check
    pair_checks: int = 0
    refused_examples: list[tuple[int, int]] = field(default_factory=list)


def cluster_scored(
    size: int,
    edges: Iterable[tuple[int, int, float]],
    *,
    threshold_bits: float,
    link_bits: Callable[[int, int], float] | None = None,
    max_pairs_checked: int = 1024,
    stats: ClusterStats | None = None,
) -> list[int]:
    """Cluster positions 0..size-1 from scored edges (i, j, bits); returns a root position per record.

    Edges below ``threshold_bits`` are ignored. With ``link_bits`` (scores any pair, e.g. through
    ``scoring.pair_bits``), two groups join only if the mean bits over all pairs between them is at
    least ``threshold_bits``; pairs that came as edges are not scored again. Groups whose product of
    sizes exceeds ``max_pairs_checked`` are not joined. Without ``link_bits`` this is union-find.
    """
    stats = stats if stats is not None else ClusterStats()
    parent = list(range(size))
    members: dict[int, list[int]] = {}
    # Bits of pairs already scored, keyed by smaller * size + larger (ints: a million of these fit).
    known: dict[int, float] = {}
    strong = []
    for i, j, bits in edges:
        if bits >= threshold_bits and i != j:
            a, b = (i, j) if i < j else (j, i)
            strong.append((bits, a, b))
            known[a * size + b] = bits
    stats.edges = len(strong)
    # Strongest first; ties broken by position so the result does not depend on input order.
    strong.sort(key=lambda e: (-e[0], e[1], e[2]))

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for _bits, a, b in strong:
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        group_a = members.get(ra, [ra])
        group_b = members.get(rb, [rb])
        if link_bits is not None and (len(group_a) > 1 or len(group_b) > 1):
            if len(group_a) * len(group_b) > max_pairs_checked:
                stats.too_large += 1
                continue
            total = 0.0
            for x in group_a:
                for y in group_b:
                    lo, hi = (x, y) if x < y else (y, x)
                    value = known.get(lo * size + hi)
                    if value is None:
                        value = link_bits(lo, hi)
                        known[lo * size + hi] = value
                        stats.pair_checks += 1
                    total += value
            if total / (len(group_a) * len(group_b)) < threshold_bits:
                stats.refused += 1
                if len(stats.refused_examples) < 20:
                    stats.refused_examples.append((a, b))
                continue
        # Union by size; the merged group keeps one member list.
        if len(group_a) < len(group_b):
            ra, rb, group_a, group_b = rb, ra, group_b, group_a
        parent[rb] = ra
        members[ra] = group_a + group_b
        members.pop(rb, None)
        stats.merges += 1
    return [find(x) for x in range(size)]


def components(size: int, left: npt.NDArray[np.int64], right: npt.NDArray[np.int64]) -> npt.NDArray[np.int32]:
    """The connected component of every position 0..size-1 in the graph of edges (left[k], right[k]):
    plain transitive clustering (scipy), for pairs that are all to be joined."""
    graph = coo_array((np.ones(len(left), dtype=np.int8), (left, right)), shape=(size, size))
    labels: npt.NDArray[np.int32] = connected_components(graph, directed=False)[1]
    return labels


def cluster_ids(ids: Sequence[str], roots: Sequence[int]) -> dict[str, str]:
    """Each id -> the smallest id of its cluster (the convention of every clustering here)."""
    smallest: dict[int, str] = {}
    for x, root in zip(ids, roots, strict=True):
        current = smallest.get(root)
        if current is None or x < current:
            smallest[root] = x
    return {x: smallest[root] for x, root in zip(ids, roots, strict=True)}


def cluster_edges(
    size: int,
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
    bits: npt.NDArray[np.float64],
    *,
    threshold_bits: float,
    link_bits: Callable[[int, int], float] | None = None,
    max_pairs_checked: int = 1024,
    stats: ClusterStats | None = None,
) -> npt.NDArray[np.int64]:
    """cluster_scored over edges given as arrays, the same result, split first: the graph of edges
    at or above the threshold falls into connected components; a component of two records is one
    merge, and only the larger components that are not complete go through cluster_scored (the average-evidence rule),
    each on its own (a join in one component never depends on another). Returns a root position
    per record."""
    stats = stats if stats is not None else ClusterStats()
    strong = bits >= threshold_bits
    left, right, bits = left[strong], right[strong], bits[strong]
    roots = np.arange(size, dtype=np.int64)
    if not len(left):
        return roots
    component = components(size, left, right)
    nodes_in = np.bincount(component)
    edges_in = np.bincount(component[left], minlength=len(nodes_in))
    k = nodes_in[component[left]]
    # A component whose every pair is an edge (two records, or a few copies of one venue that all
    # agree) is one cluster: every average between its groups clears the threshold. Up to 64
    # records, so that no join in it would have been refused as too large to check.
    complete = (edges_in[component[left]] == k * (k - 1) // 2) & (k * k <= 4 * max_pairs_checked)
    first = np.full(len(nodes_in), size, dtype=np.int64)
    np.minimum.at(first, component[left], left)
    roots[left[complete]] = first[component[left[complete]]]
    roots[right[complete]] = first[component[right[complete]]]
    is_complete = np.zeros(len(nodes_in), dtype=bool)
    is_complete[component[left[complete]]] = True
    merged = int(np.sum(nodes_in[is_complete] - 1))
    stats.edges += int(complete.sum())
    stats.merges += merged
    pairs_only = complete
    larger = ~pairs_only
    if larger.any():
        # Positions renumbered in order, so that ties break as they would over all positions.
        nodes = np.sort(np.concatenate([left[larger], right[larger]]))
        nodes = nodes[np.concatenate([[True], nodes[1:] != nodes[:-1]])]
        a = np.searchsorted(nodes, left[larger])
        b = np.searchsorted(nodes, right[larger])
        inner = ClusterStats()
        local = cluster_scored(
            len(nodes),
            zip(a.tolist(), b.tolist(), bits[larger].tolist(), strict=True),
            threshold_bits=threshold_bits,
            link_bits=(lambda i, j: link_bits(int(nodes[i]), int(nodes[j])))
            if link_bits is not None
            else None,
            max_pairs_checked=max_pairs_checked,
            stats=inner,
        )
        roots[nodes] = nodes[np.asarray(local, dtype=np.int64)]
        stats.edges += inner.edges
        stats.merges += inner.merges
        stats.refused += inner.refused
        stats.too_large += inner.too_large
        stats.pair_checks += inner.pair_checks
        stats.refused_examples.extend(
            (int(nodes[x]), int(nodes[y]))
            for x, y in inner.refused_examples[: 20 - len(stats.refused_examples)]
        )
    return roots
