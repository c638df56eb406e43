"""Complexes found in the data: places where rooms were recognised, and what that says about the
other names listed there.

One pair of names is sometimes ambiguous on its own: "Echo and Door Lounge" next to "Echo and
Door" may be one venue written with and without its type word, or a room of a complex; "The
Rusty Alley" next to "The Drum Tavern" at one address may be a venue that changed its name, or
two rooms. A place where two listings are rooms of one another (``rooms.room_relation``) is a
complex, and at a complex, two listings are the same venue only when their names are the same name
(up to typos, articles, the city, a former name): everything else there is another room.

``complex_labels`` finds the complexes among scored pairs (a place: one street address in one city,
or one switchboard at an address that does not disagree); ``same_listing_name`` is the name test at
a complex. The batch resolver (``batch``) and the duplicate pass (``duplicates``) apply both, so
that the rule is the same everywhere; ``COMPLEX_RULE`` is the row an explanation carries.
Pure: no Django.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Final

import numpy as np
import numpy.typing as npt

from entities.resolution.clustering import components
from entities.resolution.model import (
    FIELD_INDEX,
    ROOM_WEIGHT,
    FieldComparison,
    MatchScore,
    VenueModel,
    bits_to_probability,
)
from entities.resolution.records import PreparedVenue
from entities.resolution.rooms import word_kind
from entities.resolution.scoring import string_ratio

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

# Names this alike (Indel ratio of their keys, without the city) are one name with a typo.
SAME_NAME_RATIO: Final = 0.9
COMPLEX_RULE: Final = FieldComparison(
    "rule", "rooms of one complex", "another name at a place with rooms", "rule", 0.0, ROOM_WEIGHT
)


def complex_labels(size: int, left: Ints, right: Ints, place: Bools, room: Bools) -> Ints:
    """Per record, the complex it is listed at (a place id) or -1: places are the connected
    components of the ``place`` pairs, and a place is a complex when one of its pairs is a ``room``
    pair."""
    labels = np.full(size, -1, dtype=np.int64)
    if not place.any() or not room.any():
        return labels
    places = components(size, left[place], right[place]).astype(np.int64)
    inside = room & (places[left] == places[right])
    complexes = np.unique(places[left[inside]])
    if not len(complexes):
        return labels
    at_complex = np.isin(places, complexes)
    labels[at_complex] = places[at_complex]
    return labels


def place_pair(levels: tuple[str, ...]) -> bool:
    """One place: the same street address in a city that does not disagree, or one switchboard
    (the same number or one digit off) at an address that does not disagree."""
    city, street, phone = levels[1], levels[3], levels[6]
    if street in ("exact", "close") and city != "different":
        return True
    return phone in ("exact", "close") and street not in ("different", "other_number") and city != "different"


def _name_words(v: PreparedVenue) -> list[str]:
    city = set((v.city or "").split())
    return [w for w in v.name_norm.split() if w not in city and word_kind(w) != "neutral"]


def complex_stems(labels: Ints, venues: Mapping[int, PreparedVenue]) -> dict[int, frozenset[str]]:
    """The complex's own name at each complex: the words (not neutral, not the city) that more than
    half of the listings there carry ("Wood's Taproom" in "Stage at Wood's Taproom", "Wood's
    Taproom: Otter Alley", "Wood's Taproom")."""
    counts: dict[int, Counter[str]] = {}
    listings: Counter[int] = Counter()
    for position, venue in venues.items():
        label = int(labels[position])
        if label < 0:
            continue
        listings[label] += 1
        counts.setdefault(label, Counter()).update(set(_name_words(venue)))
    return {
        label: frozenset(w for w, c in words.items() if 2 * c > listings[label])
        for label, words in counts.items()
    }


def same_listing_name(a: PreparedVenue, b: PreparedVenue, stem: frozenset[str] = frozenset()) -> bool:
    """At a complex whose own name is ``stem``: do two listings name the same venue? The same name up
    to typos, articles, the city and a former name, once the complex's name is set aside ("Otter
    Alley" and "Wood's Taproom: Otter Alley" are one room; "Wood's Taproom" is the complex)."""
    if a.name_key == b.name_key:
        return True
    if (a.former_key is not None and a.former_key in (b.name_key, b.former_key)) or (
        b.former_key is not None and b.former_key == a.name_key
    ):
        return True
    ka = "".join(w for w in _name_words(a) if w not in stem)
    kb = "".join(w for w in _name_words(b) if w not in stem)
    return ka == kb or (bool(ka and kb) and string_ratio(ka, kb) >= SAME_NAME_RATIO)


class ComplexRule:
    """The rule at the complexes found among scored pairs: ``separates(i, j)`` is True for two
    listings at one complex that do not name the same venue (then they weigh ROOM_WEIGHT more)."""

    __slots__ = ("labels", "stems", "venue")

    def __init__(
        self,
        size: int,
        left: Ints,
        right: Ints,
        place: Bools,
        room: Bools,
        venue: Callable[[int], PreparedVenue],
    ) -> None:
        self.labels = complex_labels(size, left, right, place, room)
        self.venue = venue
        at_complex = np.flatnonzero(self.labels >= 0).tolist()
        self.stems = complex_stems(self.labels, {p: venue(p) for p in at_complex})

    @property
    def complexes(self) -> int:
        return len(self.stems)

    def separates(self, i: int, j: int) -> bool:
        label = int(self.labels[i])
        if label < 0 or label != int(self.labels[j]):
            return False
        return not same_listing_name(self.venue(i), self.venue(j), self.stems[label])


PLACE_CODES: Final = ("exact", "close")


def place_and_room(codes: npt.NDArray[np.uint8], code: Mapping[str, int]) -> tuple[Bools, Bools]:
    """``place_pair`` and the "room" name level over level codes (VENUE_FIELDS rows, one column per
    pair; ``code``: level -> code), for the columnar path."""
    name, city = codes[FIELD_INDEX["name"]], codes[FIELD_INDEX["city"]]
    street, phone = codes[FIELD_INDEX["street"]], codes[FIELD_INDEX["phone"]]
    city_ok = city != code["different"]
    street_same = (street == code["exact"]) | (street == code["close"])
    phone_same = (phone == code["exact"]) | (phone == code["close"])
    street_ok = (street != code["different"]) & (street != code["other_number"])
    return (street_same & city_ok) | (phone_same & street_ok & city_ok), name == code["room"]


def with_complex_rule(result: MatchScore, model: VenueModel) -> MatchScore:
    """A pair's score with the complex rule's row added (two rooms at one complex)."""
    weight = result.weight + COMPLEX_RULE.weight
    return MatchScore(
        score=bits_to_probability(model.prior_weight + weight),
        weight=weight,
        explanation=(*result.explanation, COMPLEX_RULE),
    )
