"""Blocking: which venue pairs are worth scoring at all.

A venue is blocked under keys of several families (``family_keys``). Strong keys: E.164 phone
("p"); website host unless generic ("w"); name key + city ("c"); name key + postcode ("pc"); street
+ city ("s", renamed venues and typos in names at one address). Weak keys, used only while their
blocks stay small: the name key alone ("k") and each distinctive name word ("t"). The
qualifier-free base key ("Spago" for "Spago (Los Angeles)") is indexed like the name key. Each
venue also meets the venues of its ~1 km neighbourhood (its geo cell and the 8 around it).

``BlockIndex`` keeps blocks current as venues come and go (the online index); ``neighbour_lists``
and ``iter_candidate_pairs`` block a whole list at once (the duplicate pass); the columnar batch
path (``pairs.candidate_pairs``) builds the same blocks in columns.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from itertools import chain
from typing import Final, NamedTuple

from entities.resolution.normalize import VENUE_NOISE_TOKENS
from entities.resolution.records import PreparedVenue

# ~1 km cells: 0.009 degrees of latitude; longitude scaled per latitude row.
CELL_DEG: Final = 0.009
# Filler words: never a blocking key, even in names made of venue-type words alone.
BLOCK_STOP_TOKENS: Final = frozenset({"the", "and", "at", "of", "on", "in", "a"})


def _geo_row(lat: float) -> int:
    return math.floor(lat / CELL_DEG)


_ROW_SCALE: dict[int, float] = {}


def row_scale(row: int) -> float:
    """Longitude degrees -> cells in this latitude row (cached: a few thousand rows cover the world)."""
    scale = _ROW_SCALE.get(row)
    if scale is None:
        scale = _ROW_SCALE[row] = max(0.01, math.cos(math.radians((row + 0.5) * CELL_DEG))) / CELL_DEG
    return scale


def _geo_col(row: int, lon: float) -> int:
    return math.floor(lon * row_scale(row))


def _geo_cell(row: int, col: int) -> int:
    return row * 1_000_003 + col


BlockKey = str | tuple[str, str]


def _words(v: PreparedVenue) -> list[str]:
    words = v.name_norm.split()
    noise = VENUE_NOISE_TOKENS if any(t not in VENUE_NOISE_TOKENS for t in words) else BLOCK_STOP_TOKENS
    return [t for t in dict.fromkeys(words) if len(t) > 1 and t not in noise and t not in BLOCK_STOP_TOKENS]


def _names(v: PreparedVenue) -> tuple[str, ...]:
    if v.base_key != v.name_key and v.base_key:
        return (v.name_key, v.base_key) if v.name_key else (v.base_key,)
    return (v.name_key,) if v.name_key else ()


def family_keys(family: str, v: PreparedVenue) -> tuple[BlockKey, ...]:
    """The keys of one blocking family for a venue (see BLOCK_FAMILIES); natural values, no strings
    built for the common families, so that a million venues block in seconds."""
    if family == "p":
        return (v.phone,) if v.phone else ()
    if family == "w":
        return (v.website_host,) if v.website_host and not v.website_generic else ()
    if family == "c":
        return tuple((key, v.city) for key in _names(v)) if v.city else ()
    if family == "pc":
        return tuple((key, v.postcode) for key in _names(v)) if v.postcode else ()
    if family == "s":
        place = v.city or v.postcode
        return ((v.street, place),) if v.street and place else ()
    if family == "k":
        return _names(v)
    if family == "t":
        return tuple(_words(v))
    raise ValueError(f"unknown blocking family {family!r}")


# Strong families: phone, website host, name + city, name + postcode, street + city. Weak ones,
# used only while their blocks stay small: a name anywhere ("k"; across cities only for a handful of
# records, else only where a city is missing) and single distinctive name words ("t").
STRONG_FAMILIES: Final = ("p", "w", "c", "pc", "s")
BLOCK_FAMILIES: Final = (*STRONG_FAMILIES, "k", "t")


def geo_cell(v: PreparedVenue) -> int | None:
    if v.latitude is None or v.longitude is None:
        return None
    row = _geo_row(v.latitude)
    return _geo_cell(row, _geo_col(row, v.longitude))


def geo_neighbour_cells(v: PreparedVenue) -> list[int]:
    """The venue's ~1 km cell and the 8 around it, so pairs within ~1 km never miss at a cell edge."""
    if v.latitude is None or v.longitude is None:
        return []
    row = _geo_row(v.latitude)
    lon = v.longitude
    cells: list[int] = []
    for r in (row - 1, row, row + 1):
        base = _geo_cell(r, math.floor(lon * row_scale(r)))
        cells += (base - 1, base, base + 1)
    return cells


Slots = int | list[int]  # one member, or several (most blocks hold one venue: no list for those)


def _put[K](blocks: dict[K, Slots], key: K, slot: int) -> None:
    current = blocks.get(key)
    if current is None:
        blocks[key] = slot
    elif isinstance(current, int):
        blocks[key] = [current, slot]
    else:
        current.append(slot)


def _drop[K](blocks: dict[K, Slots], key: K, slot: int) -> None:
    current = blocks.get(key)
    if current is None:
        return
    if isinstance(current, int):
        if current == slot:
            del blocks[key]
    elif slot in current:
        current.remove(slot)
        if len(current) == 1:
            blocks[key] = current[0]


def _neighbourhood(cells: dict[int, Slots], v: PreparedVenue, limit: int) -> list[int] | None:
    """The venues in v's ~1 km neighbourhood, or None if there are more than ``limit``."""
    near: list[int] = []
    for cell in geo_neighbour_cells(v):
        members = cells.get(cell)
        if members is not None:
            if isinstance(members, int):
                near.append(members)
            elif len(members) > limit:
                return None
            else:
                near.extend(members)
    # The whole neighbourhood counts as one block: a dense downtown says nothing.
    return near if len(near) <= limit else None


class BlockCaps(NamedTuple):
    strong: int  # phone, website, name + city, name + postcode, street + city
    names_anywhere: int  # "k" across cities
    names_missing_city: int  # "k" where one side has no city
    words: int  # "t"
    geo: int  # the ~1 km neighbourhood

    @classmethod
    def from_max(cls, max_block_size: int) -> BlockCaps:
        return cls(
            strong=max_block_size,
            names_anywhere=max(2, max_block_size // 20),
            names_missing_city=max(2, max_block_size // 4),
            words=max(2, max_block_size // 10),
            geo=max(2, max_block_size // 10),
        )


class BlockIndex:
    """Blocking families -> blocks of slots (ints), with add/remove; the batch pass and the online
    index use the same keys and caps.

    A block with more than ``max_block_size`` members (a ticket agency's phone, a chain's name in
    one city) is skipped as unselective, which bounds the work per record; such pairs can still meet
    through another key. Weak families get lower caps (BlockCaps): they find few pairs that no
    strong key finds, and in a large table they cost the most. A name shared across cities is
    compared only among a handful of venues, or where a city is missing ("House of Blues" in 30
    cities is 30 venues). Single-member blocks are stored as a bare int: most blocks hold one venue.
    ``venues`` (slot -> venue) lets the name family look at cities.
    """

    __slots__ = ("caps", "cells", "families", "venues")

    def __init__(self, max_block_size: int = 100, venues: Sequence[PreparedVenue | None] = ()) -> None:
        self.caps = BlockCaps.from_max(max_block_size)
        self.families: dict[str, dict[BlockKey, Slots]] = {f: {} for f in BLOCK_FAMILIES}
        self.cells: dict[int, Slots] = {}
        self.venues = venues

    def add(self, v: PreparedVenue, slot: int) -> None:
        for family, blocks in self.families.items():
            for key in family_keys(family, v):
                _put(blocks, key, slot)
        if v.latitude is not None and (cell := geo_cell(v)) is not None:
            _put(self.cells, cell, slot)

    def remove(self, v: PreparedVenue, slot: int) -> None:
        for family, blocks in self.families.items():
            for key in family_keys(family, v):
                _drop(blocks, key, slot)
        if v.latitude is not None and (cell := geo_cell(v)) is not None:
            _drop(self.cells, cell, slot)

    def _limit(self, family: str) -> int:
        caps = self.caps
        return caps.words if family == "t" else caps.names_missing_city if family == "k" else caps.strong

    def candidates(self, v: PreparedVenue) -> set[int]:
        """Slots sharing a (not oversized) block with ``v`` (``v``'s own slot included if indexed)."""
        found: set[int] = set()
        for family, blocks in self.families.items():
            limit = self._limit(family)
            for key in family_keys(family, v):
                members = blocks.get(key)
                if members is None:
                    continue
                if isinstance(members, int):
                    found.add(members)
                elif len(members) <= limit:
                    if family == "k" and len(members) > self.caps.names_anywhere and v.city:
                        venues = self.venues
                        found.update(m for m in members if (u := venues[m]) is not None and not u.city)
                    else:
                        found.update(members)
        if v.latitude is not None and (near := _neighbourhood(self.cells, v, self.caps.geo)) is not None:
            found.update(near)
        return found


def _family_key_lists(family: str, venues: Sequence[PreparedVenue]) -> Iterator[list[BlockKey | None]]:
    """family_keys for every venue, as whole lists (one per key slot): list comprehensions over a
    million venues are several times faster than a call per venue. Yields one list per key slot
    (the name key, then the base key where it differs; each name word in turn)."""
    if family == "p":
        yield [v.phone for v in venues]
    elif family == "w":
        yield [None if v.website_generic else v.website_host for v in venues]
    elif family in ("c", "pc", "k"):
        attr = {"c": 1, "pc": 2, "k": 0}[family]
        if attr == 0:
            yield [v.name_key or None for v in venues]
            yield [v.base_key if v.base_key != v.name_key and v.base_key else None for v in venues]
        elif attr == 1:
            yield [(v.name_key, v.city) if v.city and v.name_key else None for v in venues]
            yield [
                (v.base_key, v.city) if v.city and v.base_key != v.name_key and v.base_key else None
                for v in venues
            ]
        else:
            yield [(v.name_key, v.postcode) if v.postcode and v.name_key else None for v in venues]
            yield [
                (v.base_key, v.postcode) if v.postcode and v.base_key != v.name_key and v.base_key else None
                for v in venues
            ]
    elif family == "s":
        yield [(v.street, place) if v.street and (place := v.city or v.postcode) else None for v in venues]
    elif family == "t":
        words = [_words(v) for v in venues]
        for slot in range(max((len(w) for w in words), default=0)):
            yield [w[slot] if len(w) > slot else None for w in words]
    else:
        raise ValueError(f"unknown blocking family {family!r}")


def _word_key_lists(venues: Sequence[PreparedVenue], limit: int) -> list[list[BlockKey | None]]:
    """The "t" family as key lists, computing ``_words`` only for names that hold a word rare enough
    to make a block (most names hold none): same keys as family_keys("t", v) for those words."""
    splits = [v.name_norm.split() for v in venues]
    df = Counter(chain.from_iterable(map(set, splits)))
    # A noise word is a key only in names made of noise words alone: its block may be smaller than
    # its count, so it is kept whatever its count, for those names.
    rare = {
        w
        for w, c in df.items()
        if 2 <= c and (c <= limit or w in VENUE_NOISE_TOKENS) and len(w) > 1 and w not in BLOCK_STOP_TOKENS
    }
    out: list[list[BlockKey | None]] = []
    for i, words in enumerate(splits):
        if rare.isdisjoint(words):
            continue
        keys = [w for w in _words(venues[i]) if w in rare]
        for slot, key in enumerate(keys):
            while len(out) <= slot:
                out.append([None] * len(venues))
            out[slot][i] = key
    return out


def neighbour_lists(venues: Sequence[PreparedVenue], *, max_block_size: int = 100) -> list[list[int] | None]:
    """For every position i, the positions j > i it shares a block with (repeats possible).

    Built one blocking family at a time from natural keys: keys are counted first (at C speed) and
    only blocks of two to cap members are materialised, so a million venues, mostly alone in their
    blocks, cost little. Same blocks and caps as BlockIndex.candidates.
    """
    caps = BlockCaps.from_max(max_block_size)
    out: list[list[int] | None] = [None] * len(venues)

    def link(lo: int, hi: int) -> None:
        current = out[lo]
        if current is None:
            out[lo] = [hi]
        else:
            current.append(hi)

    for family in BLOCK_FAMILIES:
        limit = caps.words if family == "t" else caps.names_missing_city if family == "k" else caps.strong
        key_lists = (
            _word_key_lists(venues, limit) if family == "t" else list(_family_key_lists(family, venues))
        )
        counts: Counter[BlockKey | None] = Counter()
        for keys in key_lists:
            counts.update(keys)
        counts.pop(None, None)
        wanted = {key for key, c in counts.items() if 2 <= c <= limit}
        del counts
        if not wanted:
            continue
        blocks: dict[BlockKey, list[int]] = {}
        for keys in key_lists:
            for i, key in enumerate(keys):
                if key is not None and key in wanted:
                    members = blocks.get(key)
                    if members is None:
                        blocks[key] = [i]
                    else:
                        members.append(i)
        del key_lists, wanted
        for members in blocks.values():
            if family == "k" and len(members) > caps.names_anywhere:
                # A common name: compare across cities only where one side has no city.
                for m in members:
                    if not venues[m].city:
                        for other in members:
                            if other > m:
                                link(m, other)
                            elif other < m:
                                link(other, m)
                continue
            # One key slot adds members in position order; a second slot (base keys, more words)
            # may add earlier positions and repeats.
            ordered = sorted(set(members)) if len(members) > 2 or members[0] >= members[-1] else members
            for x, i in enumerate(ordered[:-1]):
                later = ordered[x + 1 :]
                current = out[i]
                if current is None:
                    out[i] = later
                else:
                    current.extend(later)
        del blocks
    _geo_neighbours(venues, caps.geo, link)
    return out


def _geo_neighbours(venues: Sequence[PreparedVenue], limit: int, link: Callable[[int, int], None]) -> None:
    """Link every venue to those in its ~1 km neighbourhood, where that holds at most ``limit``."""
    cells: dict[int, Slots] = {}
    located: list[tuple[int, int, float]] = []
    for i, v in enumerate(venues):
        lat, lon = v.latitude, v.longitude
        if lat is not None and lon is not None:
            row = math.floor(lat / CELL_DEG)
            _put(cells, _geo_cell(row, math.floor(lon * row_scale(row))), i)
            located.append((i, row, lon))
    get = cells.get
    for i, row, lon in located:
        near: list[int] = []
        crowded = False
        for r in (row - 1, row, row + 1):
            base = _geo_cell(r, math.floor(lon * row_scale(r)))
            for cell in (base - 1, base, base + 1):
                members = get(cell)
                if members is None:
                    continue
                if isinstance(members, int):
                    near.append(members)
                elif len(members) > limit:
                    crowded = True
                    break
                else:
                    near.extend(members)
            if crowded:
                break
        # The whole neighbourhood counts as one block: a dense downtown says nothing.
        if crowded or len(near) > limit:
            continue
        for j in near:
            if j > i:
                link(i, j)
            elif j < i:
                link(j, i)


def iter_candidate_pairs(
    venues: Sequence[PreparedVenue], *, max_block_size: int = 100
) -> Iterator[tuple[int, int]]:
    """Each blocked pair of positions (i < j) once, in order of i."""
    lists = neighbour_lists(venues, max_block_size=max_block_size)
    for i, later in enumerate(lists):
        if later is not None:
            lists[i] = None
            yield from ((i, j) for j in sorted(set(later)))
