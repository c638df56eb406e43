"""Weights estimated from the data: Fellegi-Sunter m and u probabilities per comparison level.

The method is Splink's, unsupervised, with two refinements:

- u (P(level | different venues)) from random pairs of records, as Splink does; for the "exact"
  level of equality fields (name key, city, postcode, phone, website) exactly, from value
  frequencies (sum of c * (c - 1) over values), which a sample of random pairs cannot resolve
  when one pair in a million shares a phone.
- m (P(level | same venue)) by expectation maximisation over blocked pairs, in two sessions as
  Splink's tutorials do: pairs sharing a phone train every field but phone, pairs sharing a name
  key train every field but name. A weak Dirichlet prior ("matches mostly agree") keeps levels the
  data barely see from swinging to extremes. The E-step combines evidence exactly as scoring does
  (``model.level_weights``, with the "max" rule for the correlated place fields).
- The prior (probability that two random records match) is not a guess: each session's expected
  matches, divided by that session's blocking recall (which the *other* session measured: m of
  "phone exact" times the share of pairs that both have a phone; m of "name exact"), estimate the
  number of matching pairs in the whole table.

Country and external IDs keep fixed weights (rare in the data, near-decisive by design). The result
is a ``VenueModel`` whose ``details`` record what was done, so an explanation can cite it.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Final, Literal

from entities.resolution.model import (
    FIELD_INDEX,
    HAND_MODEL,
    VENUE_FIELDS,
    VenueModel,
    bits_to_probability,
    level_weights,
)
from entities.resolution.records import PreparedVenue
from entities.resolution.scoring import pair_levels

Pattern = tuple[str, ...]
Table = dict[str, dict[str, float]]

# The levels each estimated field can take (besides "missing"/"ignored", which weigh 0), best first.
ESTIMATED_LEVELS: Final[Mapping[str, tuple[str, ...]]] = {
    "name": ("exact", "close", "similar", "partial", "different"),
    "city": ("exact", "close", "different_nearby", "different"),
    "street": ("exact", "close", "different"),
    "postcode": ("exact", "different"),
    "geo": ("exact", "close", "near", "different"),
    "phone": ("exact", "close", "different"),
    "website": ("exact", "different"),
}
# Weights that are not estimated, on the scale of an all-pairs prior (a shared place ID must beat
# a prior of one in a million; a different one must sink a pair that agrees on everything else).
FIXED_WEIGHTS: Final[Mapping[str, Mapping[str, float]]] = {
    "country": {"exact": 0.0, "different": -12.0},
    "external_ids": {"exact": 40.0, "different": -30.0, "conflict": 0.0},
}
# "Matches mostly agree": the Dirichlet prior on m, worth PRIOR_STRENGTH pseudo-matches per field.
M_PRIOR: Final[Mapping[str, Mapping[str, float]]] = {
    "name": {"exact": 0.55, "close": 0.2, "similar": 0.1, "partial": 0.08, "different": 0.07},
    "city": {"exact": 0.85, "close": 0.05, "different_nearby": 0.03, "different": 0.07},
    "street": {"exact": 0.7, "close": 0.2, "different": 0.1},
    "postcode": {"exact": 0.9, "different": 0.1},
    "geo": {"exact": 0.7, "close": 0.2, "near": 0.06, "different": 0.04},
    "phone": {"exact": 0.88, "close": 0.04, "different": 0.08},
    "website": {"exact": 0.85, "different": 0.15},
}
PRIOR_STRENGTH: Final = 5.0
# Fields whose "exact" u comes from value frequencies, and the attribute holding the value.
_EQUALITY_ATTRS: Final[Mapping[str, str]] = {
    "name": "name_key",
    "city": "city",
    "postcode": "postcode",
    "phone": "phone",
    "website": "website_host",
}
# Below this many records, "auto" uses the hand model: too few pairs to estimate m and u from.
AUTO_ESTIMATE_MIN_VENUES: Final = 500


@dataclass(frozen=True, slots=True)
class EMResult:
    m: Table
    lam: float  # share of matches among the training pairs
    iterations: int
    converged: bool
    pairs: int
    expected_matches: float
    mass: Table  # expected matching pairs at each level in the last iteration


def _weights(m: Mapping[str, Mapping[str, float]], u: Mapping[str, Mapping[str, float]]) -> Table:
    table: Table = {f: dict(levels) for f, levels in FIXED_WEIGHTS.items()}
    for f, levels in ESTIMATED_LEVELS.items():
        table[f] = {lvl: math.log2(m[f][lvl] / u[f][lvl]) for lvl in levels}
    return table


def expectation_maximisation(
    patterns: Mapping[Pattern, int],
    *,
    u: Mapping[str, Mapping[str, float]],
    m_start: Mapping[str, Mapping[str, float]],
    train: Iterable[str],
    exclude: Iterable[str] = (),
    lam_start: float = 0.5,
    max_iterations: int = 100,
    tolerance: float = 1e-5,
    prior: Mapping[str, Mapping[str, float]] = M_PRIOR,
    prior_strength: float = PRIOR_STRENGTH,
) -> EMResult:
    """Estimate m (for the ``train`` fields) and the match share from counted level patterns.

    ``patterns`` maps a level vector (VENUE_FIELDS order) to how many training pairs have it.
    ``exclude`` fields (those the training pairs were blocked on, hence agree by construction)
    are left out of the E-step. u stays fixed, as in Splink.
    """
    trained = [f for f in train if f in ESTIMATED_LEVELS]
    excluded = set(exclude)
    m: Table = {f: dict(levels) for f, levels in m_start.items()}
    lam = min(0.99, max(0.01, lam_start))
    total = sum(patterns.values())
    items = list(patterns.items())
    iterations = 0
    converged = False
    expected = 0.0
    counts: dict[str, dict[str, float]] = {}
    for iterations in range(1, max_iterations + 1):  # noqa: B007 - reported after the loop
        model = VenueModel(
            weights=_weights(m, u), prior_weight=math.log2(lam / (1 - lam)), kind="estimated", location="max"
        )
        counts = {f: dict.fromkeys(ESTIMATED_LEVELS[f], 0.0) for f in trained}
        present: dict[str, float] = dict.fromkeys(trained, 0.0)
        expected = 0.0
        for pattern, count in items:
            masked = [
                "missing" if f in excluded else lvl for f, lvl in zip(VENUE_FIELDS, pattern, strict=True)
            ]
            weights, overlap = level_weights(masked, model)
            bits = model.prior_weight + sum(weights) + overlap
            r = bits_to_probability(bits)
            rc = r * count
            expected += rc
            for f in trained:
                lvl = pattern[FIELD_INDEX[f]]
                if lvl in ESTIMATED_LEVELS[f]:
                    counts[f][lvl] += rc
                    present[f] += rc
        change = 0.0
        for f in trained:
            denominator = present[f] + prior_strength
            for lvl in ESTIMATED_LEVELS[f]:
                new = (counts[f][lvl] + prior_strength * prior[f][lvl]) / denominator
                change = max(change, abs(new - m[f][lvl]))
                m[f][lvl] = new
        new_lam = min(0.999, max(0.001, expected / total)) if total else lam
        change = max(change, abs(new_lam - lam))
        lam = new_lam
        if change < tolerance:
            converged = True
            break
    return EMResult(m, lam, iterations, converged, total, expected, counts)


def _equal_pair_share(counts: ValueCounts) -> tuple[int, float]:
    """(records with a value, share of ordered pairs of them with equal values)."""
    n = counts.records
    sizes = list(counts.shared.values())
    equal = math.sumprod(sizes, sizes) - sum(sizes)  # sum of c * (c - 1), at C speed
    return n, (equal / (n * (n - 1)) if n > 1 else 0.0)


@dataclass(frozen=True, slots=True)
class ValueCounts:
    """How one field's values are shared: the records that have a value, and each value that two
    or more records hold with its count (the rest are held once)."""

    records: int
    shared: Mapping[str, int]

    @classmethod
    def of(cls, values: Iterable[str | None]) -> ValueCounts:
        counts = Counter(v for v in values if v)
        return cls(counts.total(), {v: c for v, c in counts.items() if c > 1})


def value_blocks(values: Sequence[str | None], max_block_size: int) -> list[list[int]]:
    """The positions of each value held by 2 to max_block_size records, in order of first occurrence."""
    groups: dict[str, list[int]] = {}
    for i, value in enumerate(values):
        if value:
            groups.setdefault(value, []).append(i)
    return [b for b in groups.values() if 2 <= len(b) <= max_block_size]


def frequent_values(counts: ValueCounts, *, min_bits: float = 0.5) -> dict[str, float]:
    """Term-frequency adjustments for an "exact" level: for a value held by c of the n records that
    have one, u is (c - 1) / (n - 1) instead of the field's average; values more common than average
    by more than ``min_bits`` get log2(average / u) (negative), the others nothing."""
    n, average = _equal_pair_share(counts)
    if n < 3 or average <= 0:
        return {}
    out: dict[str, float] = {}
    for value, c in counts.shared.items():
        bits = math.log2(average * (n - 1) / (c - 1))
        if bits < -min_bits:
            out[value] = round(bits, 3)
    return out


# Level vectors (VENUE_FIELDS order) of pairs of positions: the scalar pair_levels over prepared
# venues, or the columnar pair_level_codes over a table; both give the same levels.
LevelsOf = Callable[[Sequence[tuple[int, int]]], Iterable[Pattern]]


def estimate_u(
    size: int,
    counts: Mapping[str, ValueCounts],
    levels_of: LevelsOf,
    *,
    max_pairs: int = 40_000,
    seed: int = 0,
) -> tuple[Table, dict[str, float], dict[str, Counter[str]]]:
    """u per field and level from random pairs of ``size`` records (exact levels of the equality
    fields from their ``counts``), the share of records that have each equality field, and the raw
    counts of the random sample."""
    rng = random.Random(seed)
    n = size
    pairs = []
    for _ in range(max_pairs if n > 1 else 0):
        i, j = rng.randrange(n), rng.randrange(n - 1)
        j += j >= i
        pairs.append((i, j))
    sample: dict[str, Counter[str]] = {f: Counter() for f in ESTIMATED_LEVELS}
    for pattern, count in Counter(levels_of(pairs)).items():
        for f in ESTIMATED_LEVELS:
            sample[f][pattern[FIELD_INDEX[f]]] += count
    u: Table = {}
    share: dict[str, float] = {}
    for f, levels in ESTIMATED_LEVELS.items():
        seen = sample[f]
        observed = {lvl: seen[lvl] + 0.5 for lvl in levels}  # add-half: unseen is rare, not impossible
        if f in counts:
            with_value, exact = _equal_pair_share(counts[f])
            share[f] = with_value / n if n else 0.0
            exact = max(exact, 0.5 / max(1, with_value) ** 2)
            rest = sum(c for lvl, c in observed.items() if lvl != "exact")
            u[f] = {lvl: (exact if lvl == "exact" else (1 - exact) * observed[lvl] / rest) for lvl in levels}
        else:
            total = sum(observed.values())
            u[f] = {lvl: observed[lvl] / total for lvl in levels}
    return u, share, sample


def _session_pairs(
    blocks: Sequence[Sequence[int]], *, max_pairs: int, rng: random.Random
) -> tuple[list[tuple[int, int]], int]:
    """Pairs within blocks, whole blocks sampled so that about max_pairs remain, and how many pairs
    there were in all."""
    sizes = list(map(len, blocks))
    total = int(math.sumprod(sizes, sizes) - sum(sizes)) // 2
    keep = min(1.0, max_pairs / total) if total else 1.0
    pairs: list[tuple[int, int]] = []
    for b in blocks:
        if keep >= 1.0 or rng.random() < keep:
            pairs.extend(combinations(b, 2))
    return pairs, total


def _monotone(weights: Table) -> Table:
    """Better levels never weigh less than worse ones (EM noise on thin levels can invert them)."""
    out: Table = {}
    for f, levels in weights.items():
        order = ESTIMATED_LEVELS.get(f)
        if order is None:
            out[f] = dict(levels)
            continue
        fixed = dict(levels)
        # "different_nearby" is softer than "different" but not ranked against "close".
        ranked = [lvl for lvl in order if lvl != "different_nearby"]
        for better, worse in zip(reversed(ranked[:-1]), reversed(ranked[1:]), strict=True):
            fixed[better] = max(fixed[better], fixed[worse])
        if "different_nearby" in fixed:
            # A city mismatch next door may be softer than a mismatch, never better than a match.
            fixed["different_nearby"] = min(fixed["different_nearby"], fixed["exact"])
        out[f] = fixed
    return out


def choose_model(
    model: VenueModel | Literal["auto", "hand"], records: int, estimate: Callable[[], VenueModel]
) -> VenueModel:
    """The given model; for "auto", ``estimate()`` when there are AUTO_ESTIMATE_MIN_VENUES ``records``
    or more, else (and for "hand") the hand model."""
    if isinstance(model, VenueModel):
        return model
    if model == "hand" or records < AUTO_ESTIMATE_MIN_VENUES:
        return HAND_MODEL
    return estimate()


def estimate_venue_model(
    venues: Sequence[PreparedVenue],
    *,
    seed: int = 0,
    max_training_pairs: int = 40_000,
    max_random_pairs: int = 40_000,
    max_block_size: int = 100,
) -> VenueModel:
    """A VenueModel estimated from ``venues`` (see the module docstring); the hand model if EM fails."""
    values = {f: [getattr(v, attr) for v in venues] for f, attr in _EQUALITY_ATTRS.items()}
    values["website"] = [None if v.website_generic else v.website_host for v in venues]
    return estimate_model(
        len(venues),
        {f: ValueCounts.of(column) for f, column in values.items()},
        {f: value_blocks(values[f], max_block_size) for f in SESSION_FIELDS},
        lambda pairs: [pair_levels(venues[i], venues[j]) for i, j in pairs],
        seed=seed,
        max_training_pairs=max_training_pairs,
        max_random_pairs=max_random_pairs,
    )


# The fields whose shared values block the two EM sessions.
SESSION_FIELDS: Final = ("phone", "name")


def estimate_model(
    size: int,
    counts: Mapping[str, ValueCounts],
    blocks: Mapping[str, Sequence[Sequence[int]]],
    levels_of: LevelsOf,
    *,
    seed: int = 0,
    max_training_pairs: int = 40_000,
    max_random_pairs: int = 40_000,
) -> VenueModel:
    """The estimation itself, on any representation of the records: ``size`` records, the
    ``counts`` of each equality field (website without generic hosts), the ``blocks`` of shared
    values of SESSION_FIELDS (as ``value_blocks``), and ``levels_of`` pairs of positions."""
    n = size
    if n < 3:
        return HAND_MODEL
    rng = random.Random(seed)
    u, share, sample = estimate_u(n, counts, levels_of, max_pairs=max_random_pairs, seed=seed)
    mass: dict[str, Counter[str]] = {f: Counter() for f in ESTIMATED_LEVELS}
    m: Table = {f: dict(levels) for f, levels in M_PRIOR.items()}
    sessions: dict[str, object] = {}
    estimates: dict[str, Table] = {}
    matches: list[float] = []
    # Session "phone": trains everything but phone. Session "name": everything but name.
    for blocked_field in SESSION_FIELDS:
        pairs, total = _session_pairs(blocks[blocked_field], max_pairs=max_training_pairs, rng=rng)
        if len(pairs) < 20:
            sessions[blocked_field] = {"pairs": len(pairs), "skipped": "too few pairs"}
            continue
        train = [f for f in ESTIMATED_LEVELS if f != blocked_field]
        result = expectation_maximisation(
            Counter(levels_of(pairs)), u=u, m_start=m, train=train, exclude=(blocked_field,)
        )
        estimates[blocked_field] = result.m
        for f, levels in result.mass.items():
            mass[f].update(levels)
        sessions[blocked_field] = {
            "pairs": result.pairs,
            "blocked_pairs": total,
            "match_share": round(result.lam, 4),
            "iterations": result.iterations,
            "converged": result.converged,
        }
        scaled = result.expected_matches * (total / result.pairs if result.pairs else 0.0)
        sessions[blocked_field + "_matches"] = scaled
    if not estimates:
        return HAND_MODEL
    # Each field's m: the mean over the sessions that trained it.
    for f in ESTIMATED_LEVELS:
        trained = [est[f] for blocked, est in estimates.items() if blocked != f]
        if trained:
            m[f] = {lvl: sum(t[lvl] for t in trained) / len(trained) for lvl in ESTIMATED_LEVELS[f]}
    # Matching pairs in the whole table = a session's matches / that session's blocking recall.
    phone_matches = sessions.get("phone_matches")
    if isinstance(phone_matches, float):
        recall = share.get("phone", 0.0) ** 2 * m["phone"]["exact"]
        if recall > 0:
            matches.append(phone_matches / recall)
    name_matches = sessions.get("name_matches")
    if isinstance(name_matches, float) and m["name"]["exact"] > 0:
        matches.append(name_matches / m["name"]["exact"])
    all_pairs = n * (n - 1) / 2
    expected_matches = sum(matches) / len(matches) if matches else all_pairs * 1e-4
    lam = min(0.5, max(1.0 / all_pairs, expected_matches / all_pairs))
    weights = _weights(m, u)
    # A level neither random pairs nor likely matches ever showed (coordinates in a table without
    # any) has m from the prior and u from smoothing alone: its ratio means nothing. It weighs 0.
    unobserved = [
        f"{f}.{lvl}"
        for f, levels in ESTIMATED_LEVELS.items()
        for lvl in levels
        if sample[f][lvl] == 0 and mass[f][lvl] < 1.0 and not (lvl == "exact" and share.get(f, 0.0) > 0)
    ]
    for name in unobserved:
        f, lvl = name.split(".")
        weights[f][lvl] = 0.0
    weights = _monotone(weights)
    if not all(math.isfinite(w) for levels in weights.values() for w in levels.values()):
        return HAND_MODEL
    return VenueModel(
        weights=weights,
        prior_weight=math.log2(lam / (1 - lam)),
        kind="estimated",
        location="max",
        m=m,
        u=u,
        frequent={f: frequent_values(counts[f]) for f in ("name", "phone", "website")},
        details={
            "records": n,
            "expected_matching_pairs": round(expected_matches, 1),
            "sessions": {k: v for k, v in sessions.items() if not k.endswith("_matches")},
            "random_pairs": max_random_pairs,
            "fixed_fields": sorted(FIXED_WEIGHTS),
            "unobserved_levels": unobserved,
        },
    )
