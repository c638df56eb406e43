"""Line-up overlap between two venues or two artists, as evidence a reviewer reads: the acts both have
(played at both venues, or billed with both artists) and the nights both list one show (the same date
with an act in common at two venues; the same date at one venue for two artists). Pure Python."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Show:
    """One show as the overlap sees it: its date, where (a venue key; empty when comparing venues,
    whose shows are at the venue itself) and its acts by normalised name key."""

    date: dt.date
    acts: frozenset[str]
    place: str = ""


@dataclass(frozen=True)
class LineupOverlap:
    # Act keys both sides share, the most shows first.
    shared_acts: tuple[str, ...]
    # Dates on which both sides list what looks like one show, oldest first.
    same_nights: tuple[dt.date, ...]

    @property
    def empty(self) -> bool:
        return not self.shared_acts and not self.same_nights


def lineup_overlap(a: Iterable[Show], b: Iterable[Show]) -> LineupOverlap:
    """What `a`'s and `b`'s shows have in common. A night counts when both list a show that day at the
    same place (artists) or with an act in common (venues: the one show listed at two venues)."""
    shows_a, shows_b = list(a), list(b)
    counts: Counter[str] = Counter()
    for show in shows_a + shows_b:
        counts.update(show.acts)
    acts_a = {act for show in shows_a for act in show.acts}
    acts_b = {act for show in shows_b for act in show.acts}
    shared = sorted(acts_a & acts_b, key=lambda act: (-counts[act], act))
    by_date: dict[dt.date, list[Show]] = {}
    for show in shows_b:
        by_date.setdefault(show.date, []).append(show)
    nights = set()
    for show in shows_a:
        for other in by_date.get(show.date, ()):
            if show.place and other.place:
                if show.place == other.place:
                    nights.add(show.date)
            elif show.acts & other.acts:
                nights.add(show.date)
    return LineupOverlap(shared_acts=tuple(shared), same_nights=tuple(sorted(nights)))
