"""Online matching: canonical venues in memory, one new record matched against them in milliseconds.

``VenueIndex`` keeps prepared canonical venues and a ``blocking.BlockIndex`` over them (the same
blocking keys, caps and comparisons as the batch pass), so a new source record is compared only with
the few canonical venues it shares a key with: a lookup per key, then a lean score per candidate
(``scoring.pair_bits``), then the full explanation for the ones worth showing. Adding, replacing and
removing a venue keep the index current as merges and edits happen.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from entities.resolution.blocking import BlockIndex
from entities.resolution.model import HAND_MODEL, FieldComparison, VenueModel, probability_to_bits
from entities.resolution.records import PreparedVenue, VenueRecord
from entities.resolution.scoring import pair_bits, score_venue_pair


@dataclass(frozen=True, slots=True)
class IndexMatch:
    """A canonical venue a record may be, with the score and its per-field explanation."""

    id: str
    score: float
    weight: float
    explanation: tuple[FieldComparison, ...]


class VenueIndex:
    """An in-memory blocking index over canonical venues.

    ``match(record)`` returns the canonical venues scoring at least ``min_score``, best first. The
    model is the one the batch pass estimated (pass it in), or the hand model by default.
    """

    def __init__(self, model: VenueModel | None = None, *, max_block_size: int = 100) -> None:
        self.model = model or HAND_MODEL
        self._venues: list[PreparedVenue | None] = []
        self._blocks = BlockIndex(max_block_size, self._venues)
        self._slot: dict[str, int] = {}
        self._free: list[int] = []

    def __len__(self) -> int:
        return len(self._slot)

    def __contains__(self, venue_id: object) -> bool:
        return venue_id in self._slot

    def __iter__(self) -> Iterator[PreparedVenue]:
        return (v for v in self._venues if v is not None)

    def get(self, venue_id: str) -> PreparedVenue | None:
        slot = self._slot.get(venue_id)
        return None if slot is None else self._venues[slot]

    def add(self, venue: VenueRecord | PreparedVenue) -> PreparedVenue:
        """Index a canonical venue; one with the same id is replaced (an edit, a merge's survivor)."""
        prepared = venue.prepare() if isinstance(venue, VenueRecord) else venue
        self.remove(prepared.id)
        if self._free:
            slot = self._free.pop()
            self._venues[slot] = prepared
        else:
            slot = len(self._venues)
            self._venues.append(prepared)
        self._slot[prepared.id] = slot
        self._blocks.add(prepared, slot)
        return prepared

    def add_all(self, venues: Iterable[VenueRecord | PreparedVenue]) -> int:
        count = 0
        for venue in venues:
            self.add(venue)
            count += 1
        return count

    def remove(self, venue_id: str) -> bool:
        """Drop a venue (merged away, deleted); False if it was not indexed."""
        slot = self._slot.pop(venue_id, None)
        if slot is None:
            return False
        prepared = self._venues[slot]
        assert prepared is not None
        self._blocks.remove(prepared, slot)
        self._venues[slot] = None
        self._free.append(slot)
        return True

    def candidates(self, record: VenueRecord | PreparedVenue) -> list[PreparedVenue]:
        """The canonical venues sharing a blocking key with ``record`` (before scoring)."""
        prepared = record.prepare() if isinstance(record, VenueRecord) else record
        venues = self._venues
        return [v for slot in self._blocks.candidates(prepared) if (v := venues[slot]) is not None]

    def match(
        self,
        record: VenueRecord | PreparedVenue,
        *,
        min_score: float = 0.5,
        limit: int | None = 5,
    ) -> list[IndexMatch]:
        """Canonical venues that ``record`` may be, scoring at least ``min_score``, best first."""
        prepared = record.prepare() if isinstance(record, VenueRecord) else record
        at_least = probability_to_bits(min_score) if min_score > 0 else None
        kept: list[tuple[float, PreparedVenue]] = []
        for candidate in self.candidates(prepared):
            if candidate.id == prepared.id:
                continue
            bits = pair_bits(prepared, candidate, self.model, at_least=at_least)
            if bits is not None and (at_least is None or bits >= at_least):
                kept.append((bits, candidate))
        kept.sort(key=lambda item: (-item[0], item[1].id))
        out = []
        for _bits, candidate in kept[:limit] if limit is not None else kept:
            result = score_venue_pair(prepared, candidate, self.model)
            out.append(IndexMatch(candidate.id, result.score, result.weight, result.explanation))
        return out
