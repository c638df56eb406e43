"""Per-field survivorship: which observed value a canonical record keeps, and why.

Rule order for one field: staff lock, then source priority (higher wins), then recency (latest
seen_at), then frequency (most distinct sources reporting the value), then a deterministic
tie-break (smallest source name). Empty values (None, blank strings, empty collections) are not
observations of anything and are ignored, so a source that lost a phone number cannot blank ours;
only a staff lock can set a field to empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

Reason = Literal["locked", "only", "priority", "recency", "frequency", "tiebreak"]

LOCK_SOURCE: Final = "staff"


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()


@dataclass(frozen=True, slots=True)
class Observation:
    """One value of one field as one source reported it at ``seen_at`` (timezone-aware)."""

    source: str
    priority: int
    seen_at: dt.datetime
    value: object

    def __post_init__(self) -> None:
        # Mixing naive and aware datetimes fails only when two observations are compared; fail here.
        if self.seen_at.tzinfo is None or self.seen_at.utcoffset() is None:
            raise ValueError("Observation.seen_at must be timezone-aware")


@dataclass(frozen=True, slots=True)
class Chosen:
    """The surviving value. reason names the rule that decided: "only" means a single distinct
    value was observed, "tiebreak" that priority, recency and frequency all tied."""

    value: object
    source: str
    seen_at: dt.datetime | None
    reason: Reason

    def provenance(self) -> dict[str, str | None]:
        return {
            "source": self.source,
            "seen_at": self.seen_at.isoformat() if self.seen_at else None,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class MergeOutcome:
    values: dict[str, object]
    provenance: dict[str, dict[str, str | None]]


def is_empty(value: object) -> bool:
    """None, a blank string, or an empty collection. 0 and False are values."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set | frozenset | dict):
        return not value
    return False


def _distinct_values(observations: Sequence[Observation]) -> list[object]:
    # Equality by ==, not hashing: values may be lists or dicts.
    out: list[object] = []
    for o in observations:
        if not any(o.value == v for v in out):
            out.append(o.value)
    return out


def choose_value(observations: Iterable[Observation], *, locked_value: object = UNSET) -> Chosen | None:
    """Pick the surviving value by lock > priority > recency > frequency > source name.

    ``locked_value`` (any value, including None) wins outright with source "staff". Returns None
    when there is no lock and no non-empty observation. The reported source and seen_at are those
    of the best-ranked observation carrying the chosen value.
    """
    if locked_value is not UNSET:
        return Chosen(value=locked_value, source=LOCK_SOURCE, seen_at=None, reason="locked")
    present = [o for o in observations if not is_empty(o.value)]
    if not present:
        return None
    if len(_distinct_values(present)) == 1:
        return _chosen(present, present[0].value, "only")

    top = max(o.priority for o in present)
    candidates = [o for o in present if o.priority == top]
    if len(_distinct_values(candidates)) == 1:
        return _chosen(candidates, candidates[0].value, "priority")

    latest = max(o.seen_at for o in candidates)
    candidates = [o for o in candidates if o.seen_at == latest]
    values = _distinct_values(candidates)
    if len(values) == 1:
        return _chosen(candidates, values[0], "recency")

    # Frequency over every non-empty observation, counting each source once per value.
    counts = [len({o.source for o in present if o.value == v}) for v in values]
    best = max(counts)
    winners = [v for v, c in zip(values, counts, strict=True) if c == best]
    if len(winners) == 1:
        return _chosen(candidates, winners[0], "frequency")
    first = min((o for o in candidates if any(o.value == w for w in winners)), key=lambda o: o.source)
    return _chosen(candidates, first.value, "tiebreak")


def _chosen(observations: Sequence[Observation], value: object, reason: Reason) -> Chosen:
    # Sorted by source first: max() keeps the first of equals, so the smallest source name wins ties.
    with_value = sorted((o for o in observations if o.value == value), key=lambda o: o.source)
    best = max(with_value, key=lambda o: (o.priority, o.seen_at))
    return Chosen(value=best.value, source=best.source, seen_at=best.seen_at, reason=reason)


def merge_records(
    field_observations: Mapping[str, Sequence[Observation]],
    *,
    locks: Mapping[str, object],
    grouped_fields: Sequence[Sequence[str]] = (),
) -> MergeOutcome:
    """Choose every field; fields in one group all come from a single source.

    A group's source is chosen by applying ``choose_value`` to the group's anchor: its first field
    (in the order given) that has any non-empty observation, e.g. "street" for an address or
    "latitude" for coordinates. The other fields of the group then take that source's latest
    non-empty observation, or None if the source lacks them: borrowing a postcode or a longitude
    from another source would produce a mixed address or a point nobody observed. Locked fields win
    inside groups too. ``values`` holds every field that was observed, locked or grouped (None when
    nothing survived); ``provenance`` holds an entry for every field that has a value, JSON-friendly
    ({"source", "seen_at" (ISO) , "reason"}, plus "group" naming the anchor for grouped fields).
    """
    values: dict[str, object] = {}
    provenance: dict[str, dict[str, str | None]] = {}
    grouped: set[str] = set()

    for group in grouped_fields:
        overlap = grouped & set(group)
        if overlap:
            raise ValueError(f"fields in more than one group: {sorted(overlap)}")
        grouped.update(group)
        _merge_group(group, field_observations, locks, values, provenance)

    for name in [*field_observations, *locks]:
        if name in grouped or name in values:
            continue
        chosen = choose_value(field_observations.get(name, ()), locked_value=locks.get(name, UNSET))
        values[name] = chosen.value if chosen else None
        if chosen:
            provenance[name] = chosen.provenance()
    return MergeOutcome(values=values, provenance=provenance)


def _merge_group(
    group: Sequence[str],
    field_observations: Mapping[str, Sequence[Observation]],
    locks: Mapping[str, object],
    values: dict[str, object],
    provenance: dict[str, dict[str, str | None]],
) -> None:
    anchor: str | None = None
    anchor_choice: Chosen | None = None
    for name in group:
        if name in locks:
            continue
        anchor_choice = choose_value(field_observations.get(name, ()))
        if anchor_choice is not None:
            anchor = name
            break
    for name in group:
        if name in locks:
            locked = Chosen(value=locks[name], source=LOCK_SOURCE, seen_at=None, reason="locked")
            values[name] = locked.value
            provenance[name] = locked.provenance()
            continue
        if anchor is None or anchor_choice is None:
            values[name] = None
            continue
        if name == anchor:
            values[name] = anchor_choice.value
            provenance[name] = {**anchor_choice.provenance(), "group": anchor}
            continue
        own = [
            o
            for o in field_observations.get(name, ())
            if o.source == anchor_choice.source and not is_empty(o.value)
        ]
        if not own:
            values[name] = None
            continue
        latest = max(own, key=lambda o: o.seen_at)
        values[name] = latest.value
        provenance[name] = {
            "source": latest.source,
            "seen_at": latest.seen_at.isoformat(),
            "reason": anchor_choice.reason,
            "group": anchor,
        }


def union_values(
    observations: Iterable[Observation], *, key: Callable[[object], object] | None = None
) -> list[object]:
    """All distinct non-empty values for list fields (aliases, former names, external IDs).

    Ordered by source priority (high first), then first seen (earliest seen_at), then source name.
    List and set values are flattened (a source reporting ["A", "B"] contributes A and B; sets in
    sorted order); tuples are kept whole, so ("musicbrainz", "<mbid>") pairs survive. ``key``
    decides equality (e.g. normalize_name to fold "The Beatles"/"Beatles"); the first value in
    order is the one kept.
    """
    items: list[tuple[int, dt.datetime, str, int, object]] = []
    for o in observations:
        if is_empty(o.value):
            continue
        if isinstance(o.value, list):
            parts: list[object] = list(o.value)
        elif isinstance(o.value, set | frozenset):
            parts = sorted(o.value, key=repr)
        else:
            parts = [o.value]
        for i, part in enumerate(parts):
            if not is_empty(part):
                items.append((o.priority, o.seen_at, o.source, i, part))
    items.sort(key=lambda t: (-t[0], t[1], t[2], t[3]))
    out: list[object] = []
    seen: list[object] = []
    for *_, value in items:
        k = key(value) if key else value
        if not any(k == s for s in seen):
            seen.append(k)
            out.append(value)
    return out
