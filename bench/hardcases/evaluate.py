"""Pairwise scores of a clustering against hard-case truth: overall, per family, and room pairs.

Definitions (bench/README.md says the same):

- A *true pair* is two records of one entity; a *predicted pair* is two records in one predicted
  cluster. Precision, recall and F1 are over pairs (``bench.er.pairwise_scores``: counted from
  cluster sizes; a record the clustering leaves out is a singleton).
- A pair *belongs to family F* when either of its records was generated for F. A pair of records of
  two families counts in both, so the per-family counts do not add up to the overall ones; a family's
  false merges include those that pulled one of its records into another family's entity.
- A *room pair* (venues only) is two records of different entities with one complex id: two rooms of
  one complex, or a room and the complex itself. Room pairs are non-matches: merging one is a false
  positive in every F1, and ``room_pairs`` counts them apart (how many there are, how many were merged).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from bench.er import PairScore, pairwise_scores


@dataclass(frozen=True, slots=True)
class Truth:
    """Record id -> true entity, family and complex id ("" when none)."""

    entity: dict[str, str]
    family: dict[str, str]
    complex: dict[str, str]

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, str]]) -> Truth:
        entity, family, complex_ = {}, {}, {}
        for row in rows:
            rid = row["id"]
            entity[rid] = row["entity_id"]
            family[rid] = row["family"]
            complex_[rid] = row.get("complex_id") or ""
        return cls(entity, family, complex_)

    @property
    def families(self) -> list[str]:
        return sorted(set(self.family.values()))


def _pairs(counts: Iterable[int]) -> int:
    return sum(n * (n - 1) // 2 for n in counts)


def _minus(a: PairScore, b: PairScore) -> PairScore:
    return PairScore(
        a.true_positives - b.true_positives,
        a.predicted_pairs - b.predicted_pairs,
        a.true_pairs - b.true_pairs,
    )


def family_scores(predicted: Mapping[str, Hashable], truth: Truth) -> dict[str, PairScore]:
    """Per family F, the scores over the pairs with at least one record of F: all pairs minus the
    pairs among the records of the other families."""
    total = pairwise_scores(predicted, truth.entity)
    out: dict[str, PairScore] = {}
    for family in truth.families:
        others = {rid: e for rid, e in truth.entity.items() if truth.family[rid] != family}
        out[family] = _minus(total, pairwise_scores(predicted, others))
    return out


@dataclass(frozen=True, slots=True)
class RoomPairs:
    pairs: int  # room pairs in the truth
    merged: int  # of them, in one predicted cluster

    @property
    def merged_share(self) -> float:
        return self.merged / self.pairs if self.pairs else 0.0


def room_pairs(predicted: Mapping[str, Hashable], truth: Truth) -> RoomPairs:
    """Room pairs (one complex, different entities) and how many the clustering merged."""
    ids = [rid for rid, c in truth.complex.items() if c]
    pred = {rid: predicted.get(rid, ("singleton", rid)) for rid in ids}
    in_complex = _pairs(Counter(truth.complex[r] for r in ids).values())
    same_entity = _pairs(Counter(truth.entity[r] for r in ids).values())
    merged_complex = _pairs(Counter((pred[r], truth.complex[r]) for r in ids).values())
    merged_entity = _pairs(Counter((pred[r], truth.entity[r]) for r in ids).values())
    return RoomPairs(pairs=in_complex - same_entity, merged=merged_complex - merged_entity)


@dataclass(frozen=True, slots=True)
class ErrorPair:
    kind: str  # "false_merge", "room_merged" or "missed"
    a: str
    b: str


def error_pairs(
    predicted: Mapping[str, Hashable], truth: Truth, *, max_cluster: int = 200
) -> list[ErrorPair]:
    """Every wrong pair: merged pairs of different entities (room pairs apart) and missed true pairs.
    Predicted clusters above ``max_cluster`` records contribute only the pairs of their first
    ``max_cluster`` records (in id order), so one runaway cluster cannot flood the list."""
    by_cluster: dict[Hashable, list[str]] = {}
    by_entity: dict[str, list[str]] = {}
    for rid in sorted(truth.entity, key=_id_order):
        by_cluster.setdefault(predicted.get(rid, ("singleton", rid)), []).append(rid)
        by_entity.setdefault(truth.entity[rid], []).append(rid)
    out: list[ErrorPair] = []
    for members in by_cluster.values():
        members = members[:max_cluster]
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if truth.entity[a] != truth.entity[b]:
                    room = truth.complex[a] and truth.complex[a] == truth.complex[b]
                    out.append(ErrorPair("room_merged" if room else "false_merge", a, b))
    for members in by_entity.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if predicted.get(a, ("singleton", a)) != predicted.get(b, ("singleton", b)):
                    out.append(ErrorPair("missed", a, b))
    return out


def _id_order(rid: str) -> tuple[int, str]:
    digits = "".join(ch for ch in rid if ch.isdigit())
    return (int(digits) if digits else 0, rid)
