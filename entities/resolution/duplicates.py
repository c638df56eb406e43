"""The duplicate pass over a list of venues: blocked pairs scored, those worth a look kept.

``find_duplicates`` files each pair at or above the review threshold with its decision (merge
automatically at or above the auto threshold, else ask staff), and pairs ``possibly_renamed``
finds for review whatever their score.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from entities.resolution.blocking import iter_candidate_pairs
from entities.resolution.estimate import choose_model, estimate_venue_model
from entities.resolution.model import FieldComparison, VenueModel, probability_to_bits
from entities.resolution.records import PreparedVenue
from entities.resolution.scoring import pair_bits, score_venue_pair

DEFAULT_REVIEW_THRESHOLD: Final = 0.5
DEFAULT_AUTO_THRESHOLD: Final = 0.99

Decision = Literal["auto_merge", "review"]


@dataclass(frozen=True, slots=True)
class DuplicateCandidate:
    a_id: str
    b_id: str
    score: float
    weight: float
    explanation: tuple[FieldComparison, ...]
    decision: Decision


# Shown in the explanation of a pair filed for review by the rule below rather than by its score.
RENAMED_RULE = FieldComparison("rule", "possibly renamed", "same street, city and phone", "rule", 0.0, 0.0)


def possibly_renamed(a: PreparedVenue, b: PreparedVenue) -> bool:
    """The same street address, city and phone number under another name: staff should look.

    A venue that changed its name (and often its website) scores low under weights estimated from
    the data, where another name at one address is usually another room of a complex; but rooms
    rarely share the exact number too. Such pairs go to review at least, whatever their score (the
    rule never merges by itself)."""
    return bool(
        a.phone
        and a.phone == b.phone
        and a.street
        and a.street == b.street
        and a.city == b.city
        and a.name_key != b.name_key
    )


def find_duplicates(
    venues: Sequence[PreparedVenue],
    *,
    review_threshold: float = DEFAULT_REVIEW_THRESHOLD,
    auto_threshold: float = DEFAULT_AUTO_THRESHOLD,
    pairs: Iterable[tuple[str, str]] | None = None,
    max_block_size: int = 100,
    model: VenueModel | Literal["auto", "hand"] = "auto",
) -> list[DuplicateCandidate]:
    """Score blocked pairs (or the given ``pairs``) and keep those at or above review_threshold.

    ``model="auto"`` estimates weights from the venues themselves when there are at least
    ``estimate.AUTO_ESTIMATE_MIN_VENUES`` of them (falling back field by field to the hand weights where the
    data say too little), else uses the hand weights. Sorted by score descending, then ids, so runs
    are reproducible. Pairs the caller already decided ("not a duplicate") should be filtered out by
    the caller before filing.
    """
    if not 0.0 <= review_threshold <= auto_threshold <= 1.0:
        raise ValueError("need 0 <= review_threshold <= auto_threshold <= 1")
    position: dict[str, int] = {}
    for i, v in enumerate(venues):
        if v.id in position:
            raise ValueError(f"duplicate venue id {v.id!r}")
        position[v.id] = i
    chosen = choose_model(model, len(venues), lambda: estimate_venue_model(venues))
    if pairs is None:
        candidate_pairs: Iterable[tuple[int, int]] = iter_candidate_pairs(
            venues, max_block_size=max_block_size
        )
    else:
        candidate_pairs = sorted(
            {(position[x], position[y]) if x <= y else (position[y], position[x]) for x, y in pairs}
        )
    at_least = probability_to_bits(review_threshold) if review_threshold > 0 else None
    out: list[DuplicateCandidate] = []
    for i, j in candidate_pairs:
        a, b = venues[i], venues[j]
        if a.id == b.id:
            continue
        if a.id > b.id:
            a, b = b, a
        renamed = possibly_renamed(a, b)
        if not renamed and at_least is not None and pair_bits(a, b, chosen, at_least=at_least) is None:
            continue
        result = score_venue_pair(a, b, chosen)
        explanation = result.explanation
        if result.score < review_threshold:
            if not renamed:
                continue
            explanation = (*explanation, RENAMED_RULE)
        decision: Decision = "auto_merge" if result.score >= auto_threshold else "review"
        out.append(DuplicateCandidate(a.id, b.id, result.score, result.weight, explanation, decision))
    out.sort(key=lambda d: (-d.score, d.a_id, d.b_id))
    return out
