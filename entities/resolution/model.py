"""The Fellegi-Sunter model venue pairs are scored with: levels, weights, explanations, probabilities.

Each field comparison falls into a level ("exact", "close", ..., "missing") and each level has a
weight in bits, i.e. log2 of P(level | same venue) / P(level | different venues). A ``VenueModel``
holds the table (field -> level -> weight) and the prior. Two models exist:

- ``HAND_MODEL``: weights chosen by hand against the hard cases in tests/entities/test_scoring.py,
  with a prior for a *blocked* candidate pair (1 in 9). It is the fallback and the default for a
  single pair.
- an estimated model (``estimate.estimate_venue_model``): u probabilities from random pairs, m
  probabilities by EM over blocked pairs, and the prior of two *random* records matching, as Splink
  does; ``duplicates.find_duplicates`` and the batch resolver estimate one when there is enough data.

A missing field (either side empty) always weighs 0: absence is not evidence.

Street, postcode and geo distance (and, in an estimated model, phone too) all measure "same place"
and are strongly correlated, so their weights are not simply added (``level_weights``):
- hand model: the street + postcode + geo sum is clamped to [LOCATION_MIN, LOCATION_MAX], so that
  rooms sharing an address cannot outvote a different name;
- estimated model: the group counts its strongest agreement plus its strongest disagreement
  ("max" combination): a shared address says little more once a shared switchboard phone has
  been counted, which is what keeps restaurants in one hotel apart. A shared website says "same
  operator" (rooms of a complex, a chain's locations), so it adds only what exceeds the stronger
  of the name and the place evidence.
The correction shows up as a "location_overlap" row in the explanation.

MatchScore.weight is the sum of the explanation weights; MatchScore.score is the probability
1 / (1 + 2 ** -(prior_weight + weight)) (``bits_to_probability``), which is what thresholds compare
against. Comparing the fields of two venues is ``scoring``'s job; this module knows no venue.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal, NamedTuple

# Log-odds of "same venue" for a blocked candidate pair before looking at any field (1 in 9).
PRIOR_WEIGHT: Final = -3.0

VENUE_WEIGHTS: Final[Mapping[str, Mapping[str, float]]] = {
    # Different names must dominate shared addresses/phones (rooms in one complex).
    "name": {"exact": 6.0, "close": 4.0, "similar": 1.0, "partial": -1.0, "different": -6.0},
    "city": {"exact": 1.0, "close": 0.0, "different": -8.0, "different_nearby": -1.0},
    "country": {"exact": 0.0, "different": -6.0},
    "street": {"exact": 3.0, "close": 1.5, "different": -2.0},
    "postcode": {"exact": 1.0, "different": -1.5},
    "geo": {"exact": 2.0, "close": 1.0, "near": 0.0, "different": -4.0},
    # One digit apart = same switchboard/building, not the same room: barely positive.
    "phone": {"exact": 6.0, "close": 0.5, "different": -1.0},
    # Operators host several rooms on one site, and venues change sites: moderate both ways.
    "website": {"exact": 3.0, "different": -1.0},
    # Same scheme + same ID is near proof; same scheme + other ID nearly rules it out (a source
    # that holds two IDs for one venue is itself a duplicate to fix there). Both at once: 0.
    "external_ids": {"exact": 12.0, "different": -10.0, "conflict": 0.0},
}
LOCATION_FIELDS: Final = ("street", "postcode", "geo")
LOCATION_MAX: Final = 4.0
LOCATION_MIN: Final = -6.0
# Fields that all say "same place" and are combined by strongest agreement + strongest disagreement
# in an estimated model. A shared website says "same operator": the same place (rooms of one
# complex share it) or the same brand (a chain's locations share it), so an agreeing website adds
# only what it says beyond the stronger of the name and the place; a disagreeing one counts with
# the place disagreements.
PLACE_GROUP: Final = ("street", "postcode", "geo", "phone")

# The compared fields, in explanation order; VenueLevels holds one level per field in this order.
VENUE_FIELDS: Final = (
    "name", "city", "country", "street", "postcode", "geo", "phone", "website", "external_ids",
)  # fmt: skip


Level = Literal[
    "exact", "close", "similar", "partial", "near", "different", "different_nearby", "conflict",
    "missing", "ignored", "adjustment", "rule",
]  # fmt: skip
ModelKind = Literal["hand", "estimated"]
LocationRule = Literal["clamp", "max"]


class FieldComparison(NamedTuple):
    """One row of a score's explanation; values are display strings of the normalised inputs.

    A NamedTuple rather than a frozen dataclass: ten are built per scored pair, and this is the
    cheapest immutable record to construct.
    """

    field: str
    value_a: str | None
    value_b: str | None
    level: Level
    similarity: float
    weight: float

    def to_json(self) -> dict[str, object]:
        return {
            "field": self.field,
            "value_a": self.value_a,
            "value_b": self.value_b,
            "level": self.level,
            "similarity": round(self.similarity, 4),
            "weight": self.weight,
        }


@dataclass(frozen=True, slots=True)
class MatchScore:
    """weight: summed bits of evidence; score: probability of a match in [0, 1]."""

    score: float
    weight: float
    explanation: tuple[FieldComparison, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "score": round(self.score, 6),
            "weight": self.weight,
            "explanation": [c.to_json() for c in self.explanation],
        }


@dataclass(frozen=True, slots=True)
class VenueModel:
    """Weights (field -> level -> bits), the prior in bits, and how place evidence is combined.

    ``m`` and ``u`` are the estimated probabilities behind the weights (empty for the hand model);
    ``details`` says how they were estimated (pairs, iterations, which fields fell back to hand
    weights). ``to_json`` gives all of it, for logs and for staff reading an explanation.
    """

    weights: Mapping[str, Mapping[str, float]]
    prior_weight: float
    kind: ModelKind = "hand"
    location: LocationRule = "clamp"
    m: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    u: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    details: Mapping[str, object] = field(default_factory=dict)
    # Term-frequency adjustments (bits, <= 0) of an "exact" level for values shared by many records:
    # "name" -> name key, "phone" -> E.164, "website" -> host. A chain's name or domain, a ticket
    # agency's phone, are weaker evidence than a name or a number only two records share.
    frequent: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    # Per field (VENUE_FIELDS order) level -> weight, "missing"/"ignored" included: pair_bits' table.
    table: tuple[dict[str, float], ...] = field(init=False, repr=False, compare=False)
    # The best name weight below "exact": a bound for pairs whose names cannot be exact.
    name_inexact_max: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        table = tuple({**self.weights[f], "missing": 0.0, "ignored": 0.0} for f in VENUE_FIELDS)
        object.__setattr__(self, "table", table)
        inexact = [w for level, w in self.weights["name"].items() if level != "exact"]
        object.__setattr__(self, "name_inexact_max", max(inexact, default=self.weights["name"]["exact"]))

    def weight(self, fieldname: str, level: str) -> float:
        if level in ("missing", "ignored"):
            return 0.0
        return self.weights[fieldname][level]

    def to_json(self) -> dict[str, object]:
        def rounded(table: Mapping[str, Mapping[str, float]], digits: int) -> dict[str, dict[str, float]]:
            return {f: {lvl: round(v, digits) for lvl, v in levels.items()} for f, levels in table.items()}

        return {
            "kind": self.kind,
            "location": self.location,
            "prior_weight": round(self.prior_weight, 4),
            "weights": rounded(self.weights, 4),
            "m": rounded(self.m, 6),
            "u": rounded(self.u, 9),
            "details": dict(self.details),
            "frequent_values": {f: len(values) for f, values in self.frequent.items()},
        }


HAND_MODEL: Final = VenueModel(weights=VENUE_WEIGHTS, prior_weight=PRIOR_WEIGHT)


# Field name -> its position in VENUE_FIELDS (and in every level vector).
FIELD_INDEX: Final = {name: i for i, name in enumerate(VENUE_FIELDS)}
_LOCATION_IDX: Final = tuple(FIELD_INDEX[f] for f in LOCATION_FIELDS)
_PLACE_IDX: Final = tuple(FIELD_INDEX[f] for f in PLACE_GROUP)
_NAME_IDX: Final = FIELD_INDEX["name"]
_WEB_IDX: Final = FIELD_INDEX["website"]


def level_weights(
    levels: Sequence[str], model: VenueModel, adjustments: Mapping[int, float] | None = None
) -> tuple[list[float], float]:
    """Per-field weights for a level vector, and the location-overlap correction to add to their sum.

    ``adjustments`` (field index -> bits) are added to field weights before the place fields are
    combined (term frequencies, see ``frequency_adjustments``). Shared by scoring and by EM (whose
    E-step must combine evidence exactly as scoring does; it leaves term frequencies out, as
    Splink's ``estimate_without_term_frequencies`` does).
    """
    weights = [model.weight(f, lvl) for f, lvl in zip(VENUE_FIELDS, levels, strict=True)]
    if adjustments:
        for index, bits in adjustments.items():
            weights[index] += bits
    if model.location == "clamp":
        location = sum(weights[i] for i in _LOCATION_IDX)
        return weights, min(LOCATION_MAX, max(LOCATION_MIN, location)) - location
    group = [weights[i] for i in _PLACE_IDX]
    name, web = weights[_NAME_IDX], weights[_WEB_IDX]
    agree = max(0.0, *group)
    combined = agree + min(0.0, web, *group) + max(0.0, web - max(name, agree))
    return weights, combined - sum(group) - web


def bits_to_probability(bits: float) -> float:
    """The probability a prior + weight in bits stands for: 1 / (1 + 2 ** -bits)."""
    # Clamp keeps 2 ** x finite; beyond +-60 bits the probability is 0/1 at float precision anyway.
    return 1.0 / (1.0 + math.pow(2.0, -max(-60.0, min(60.0, bits))))


def probability_to_bits(p: float) -> float:
    """The log-odds (bits) a probability threshold corresponds to."""
    p = min(1 - 1e-15, max(1e-15, p))
    return math.log2(p / (1 - p))
