"""Venue and artist pair scoring, blocking and clustering.

Scoring model (Fellegi-Sunter style, hand-set for now): each field comparison falls into a level
("exact", "close", ..., "missing") and each level has a weight in bits, i.e. log2 of
P(level | same venue) / P(level | different venues). The weights below are a starting point chosen
by hand against the hard cases in tests/entities/test_matching.py; EM over real candidate pairs
will replace them later (keep the table shape: field -> level -> weight). A missing field
(either side empty) always weighs 0: absence is not evidence.

Two deliberate departures from independent per-field weights:
- Street, postcode and geo distance all measure "same place" and are strongly correlated; their sum
  is clamped to [LOCATION_MIN, LOCATION_MAX] so that rooms sharing an address cannot outvote a
  different name. The clamp shows up as a "location_overlap" row in the explanation.
- A city mismatch is softened when the coordinates put both records within 1 km: sources disagree
  on neighbourhood vs municipality ("Brooklyn" vs "New York").

MatchScore.weight is the sum of the explanation weights; MatchScore.score is the probability
1 / (1 + 2 ** -(PRIOR_WEIGHT + weight)), which is what thresholds compare against.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Final, Literal, NamedTuple

from entities.resolution.normalize import (
    is_generic_host,
    normalize_artist_name,
    normalize_city,
    normalize_country,
    normalize_name,
    normalize_phone,
    normalize_postcode,
    normalize_street,
    venue_name_key,
    website_host,
)

# Log-odds of "same venue" for a blocked candidate pair before looking at any field (1 in 9).
PRIOR_WEIGHT: Final = -3.0

VENUE_WEIGHTS: Final[Mapping[str, Mapping[str, float]]] = {
    # Different names must dominate shared addresses/phones (rooms in one complex).
    "name": {"exact": 6.0, "close": 4.0, "similar": 1.0, "different": -6.0},
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

# Geo distance buckets (metres): <= exact, <= close, <= near, else different.
GEO_EXACT_M: Final = 50.0
GEO_CLOSE_M: Final = 300.0
GEO_NEAR_M: Final = 3000.0
CITY_SAME_PLACE_M: Final = 1000.0

NAME_CLOSE: Final = 0.9
NAME_SIMILAR: Final = 0.75

DEFAULT_REVIEW_THRESHOLD: Final = 0.5
DEFAULT_AUTO_THRESHOLD: Final = 0.99

ARTIST_PRIOR_WEIGHT: Final = -3.0
ARTIST_WEIGHTS: Final[Mapping[str, Mapping[str, float]]] = {
    "name": {"exact": 6.0, "alias": 5.0, "close": 3.5, "different": -6.0},
    # MusicBrainz & co. keep same-named artists apart by ID: a conflict outweighs an exact name.
    "external_ids": {"exact": 12.0, "different": -12.0, "conflict": 0.0},
}

# Venue-type and filler words: used only to judge name similarity ("The Moore" vs "Moore Theatre"),
# never removed from stored names.
VENUE_NOISE_TOKENS: Final = frozenset(
    {
        "the", "and", "at", "of", "on", "in", "a",
        "theater", "theaters", "club", "nightclub", "bar", "lounge", "hall", "music", "live", "venue",
        "cafe", "tavern", "pub", "room", "ballroom", "arena", "center", "amphitheater", "auditorium",
        "stage", "concert", "concerts", "saloon", "cabaret",
    }
)  # fmt: skip

Level = Literal[
    "exact", "close", "similar", "near", "alias", "different", "different_nearby", "conflict", "missing",
    "ignored", "adjustment",
]  # fmt: skip
Decision = Literal["auto_merge", "review"]


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
class VenueRecord:
    """A venue as a source or the canonical table gives it; only id and name are required."""

    id: str
    name: str
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country: str | None = None
    phone: str | None = None  # E.164 or raw
    website: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    external_ids: Mapping[str, str] = field(default_factory=dict)

    def prepare(self) -> PreparedVenue:
        return PreparedVenue.from_record(self)


@dataclass(frozen=True, slots=True)
class PreparedVenue:
    """A VenueRecord normalised once, so scoring many pairs never re-normalises."""

    id: str
    name: str
    name_norm: str
    name_key: str
    tokens: frozenset[str]
    core_tokens: frozenset[str]  # tokens minus VENUE_NOISE_TOKENS (may be empty: "The Music Hall")
    noise_tokens: frozenset[str]
    street: str | None
    street_number: str | None
    city: str | None
    postcode: str | None
    country: str | None
    phone: str | None  # E.164, None if absent or invalid
    website_host: str | None
    website_generic: bool
    latitude: float | None
    longitude: float | None
    external_ids: frozenset[tuple[str, str]]  # (scheme, id), scheme lower-cased
    id_schemes: frozenset[str]

    @classmethod
    def from_record(cls, r: VenueRecord) -> PreparedVenue:
        name_norm = normalize_name(r.name)
        tokens = frozenset(name_norm.split())
        country = normalize_country(r.country)
        street = normalize_street(r.street) or None
        number = street.split(" ", 1)[0] if street else None
        host = website_host(r.website)
        ext = frozenset(
            (scheme.strip().lower(), str(value).strip())
            for scheme, value in r.external_ids.items()
            if scheme and scheme.strip() and value is not None and str(value).strip()
        )
        lat, lon = r.latitude, r.longitude
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == lon == 0):
            lat = lon = None  # (0, 0) is a geocoder's "unknown", not a venue in the Gulf of Guinea
        return cls(
            id=r.id,
            name=r.name,
            name_norm=name_norm,
            name_key=venue_name_key(r.name),
            tokens=tokens,
            core_tokens=tokens - VENUE_NOISE_TOKENS,
            noise_tokens=tokens & VENUE_NOISE_TOKENS,
            street=street,
            street_number=number if number and any(ch.isdigit() for ch in number) else None,
            city=normalize_city(r.city) or None,
            postcode=normalize_postcode(r.postal_code, country),
            country=country,
            phone=normalize_phone(r.phone, country if country and len(country) == 2 else "US"),
            website_host=host,
            website_generic=is_generic_host(host),
            latitude=lat,
            longitude=lon,
            external_ids=ext,
            id_schemes=frozenset(scheme for scheme, _ in ext),
        )


def prepare_venues(records: Iterable[VenueRecord]) -> list[PreparedVenue]:
    return [PreparedVenue.from_record(r) for r in records]


def exact_match_keys(v: PreparedVenue) -> set[str]:
    """Keys under which an incoming venue is looked up for online exact matching.

    "ext:<scheme>:<id>" per external ID, "name_city:<name key>|<city>" and
    "name_postcode:<name key>|<postcode>". Phone, website and address are NOT identity keys:
    rooms in one complex share them. A hit is a strong candidate, not a verdict: the pipeline
    should still score it (a conflicting external ID must stop an attach).
    """
    keys = {f"ext:{scheme}:{value}" for scheme, value in v.external_ids}
    if v.name_key and v.city:
        keys.add(f"name_city:{v.name_key}|{v.city}")
    if v.name_key and v.postcode:
        keys.add(f"name_postcode:{v.name_key}|{v.postcode}")
    return keys


# --- field comparisons -------------------------------------------------------------------------


def name_similarity(a: PreparedVenue, b: PreparedVenue, *, floor: float = 0.0) -> float:
    """Similarity of two venue names in [0, 1].

    1.0 for equal name keys; 0.95 when the non-noise words are equal and one name's venue-type
    words are a subset of the other's ("The Moore" vs "Moore Theatre", but not "Sunset Tavern" vs
    "Sunset Room"); otherwise the larger of the difflib ratio over the space-free keys (catches
    typos and run-together words) and the Jaccard index of the full word sets (catches reordering).

    With ``floor``, a pair whose similarity is certainly below it may get a cheaper, lower value
    (the Jaccard index) instead of the exact one: scoring only needs to know it is below the lowest
    level, and this skips most difflib work on clearly different names.
    """
    if a.name_key == b.name_key:
        return 1.0
    if (
        a.core_tokens
        and a.core_tokens == b.core_tokens
        and (a.noise_tokens <= b.noise_tokens or b.noise_tokens <= a.noise_tokens)
    ):
        return 0.95
    # Full word sets here: the core words were equal-or-not above ("Sunset Tavern" vs "Sunset Room").
    ta, tb = a.tokens, b.tokens
    shorter, longer = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    if len(shorter) >= 2 and shorter < longer and len(longer - shorter) <= 2:
        # One name is the other plus a qualifier: "Hidden Hall" / "Hidden Hall (Fremont)",
        # "St Mark's Cathedral" / "St Mark's Episcopal Cathedral". Similar, not the same: staff decide.
        return NAME_SIMILAR
    union = len(ta | tb)
    jaccard = len(ta & tb) / union if union else 0.0
    # Upper bounds on difflib's ratio, cheapest first: skip the expensive part when it cannot matter.
    la, lb = len(a.name_key), len(b.name_key)
    bound = 2.0 * min(la, lb) / (la + lb) if la + lb else 0.0
    if bound <= jaccard or bound < floor:
        return jaccard
    matcher = SequenceMatcher(None, a.name_key, b.name_key, autojunk=False)
    bound = matcher.quick_ratio()
    if bound <= jaccard or bound < floor:
        return jaccard
    return max(jaccard, matcher.ratio())


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(h)))


def _row(fieldname: str, a: str | None, b: str | None, level: Level, sim: float) -> FieldComparison:
    weight = 0.0 if level in ("missing", "ignored") else VENUE_WEIGHTS[fieldname][level]
    return FieldComparison(fieldname, a, b, level, sim, weight)


def _compare_name(a: PreparedVenue, b: PreparedVenue) -> FieldComparison:
    sim = name_similarity(a, b, floor=NAME_SIMILAR)
    level: Level
    if sim >= 0.999:
        level = "exact"
    elif sim >= NAME_CLOSE:
        level = "close"
    elif sim >= NAME_SIMILAR:
        level = "similar"
    else:
        level = "different"
    return _row("name", a.name_norm, b.name_norm, level, sim)


def _compare_street(a: PreparedVenue, b: PreparedVenue) -> FieldComparison:
    if not a.street or not b.street:
        return _row("street", a.street, b.street, "missing", 0.0)
    if a.street == b.street:
        return _row("street", a.street, b.street, "exact", 1.0)
    if a.street_number and b.street_number and a.street_number != b.street_number:
        # Next-door numbers are different buildings often enough; the name decides.
        return _row("street", a.street, b.street, "different", 0.0)
    sim = SequenceMatcher(None, a.street, b.street, autojunk=False).ratio()
    return _row("street", a.street, b.street, "close" if sim >= 0.85 else "different", sim)


def _compare_equal(fieldname: str, a: str | None, b: str | None) -> FieldComparison:
    if not a or not b:
        return _row(fieldname, a, b, "missing", 0.0)
    return _row(fieldname, a, b, "exact" if a == b else "different", 1.0 if a == b else 0.0)


def _compare_phone(a: PreparedVenue, b: PreparedVenue) -> FieldComparison:
    pa, pb = a.phone, b.phone
    if not pa or not pb:
        return _row("phone", pa, pb, "missing", 0.0)
    if pa == pb:
        return _row("phone", pa, pb, "exact", 1.0)
    if len(pa) == len(pb) and sum(x != y for x, y in zip(pa, pb, strict=True)) == 1:
        return _row("phone", pa, pb, "close", 1 - 1 / len(pa))
    return _row("phone", pa, pb, "different", 0.0)


def _compare_website(a: PreparedVenue, b: PreparedVenue) -> FieldComparison:
    ha, hb = a.website_host, b.website_host
    if not ha or not hb:
        return _row("website", ha, hb, "missing", 0.0)
    if a.website_generic or b.website_generic:
        return _row("website", ha, hb, "ignored", 0.0)  # facebook.com says nothing about identity
    return _row("website", ha, hb, "exact" if ha == hb else "different", 1.0 if ha == hb else 0.0)


def _distance(a: PreparedVenue, b: PreparedVenue) -> float | None:
    if a.latitude is None or a.longitude is None or b.latitude is None or b.longitude is None:
        return None
    return haversine_m(a.latitude, a.longitude, b.latitude, b.longitude)


def _compare_geo(a: PreparedVenue, b: PreparedVenue, metres: float | None) -> FieldComparison:
    fa = f"{a.latitude:.5f},{a.longitude:.5f}" if a.latitude is not None else None
    fb = f"{b.latitude:.5f},{b.longitude:.5f}" if b.latitude is not None else None
    if metres is None:
        return _row("geo", fa, fb, "missing", 0.0)
    level: Level
    if metres <= GEO_EXACT_M:
        level = "exact"
    elif metres <= GEO_CLOSE_M:
        level = "close"
    elif metres <= GEO_NEAR_M:
        level = "near"
    else:
        level = "different"
    # similarity: 1 at 0 m, 0.5 at GEO_CLOSE_M, towards 0 beyond.
    return _row("geo", fa, fb, level, GEO_CLOSE_M / (GEO_CLOSE_M + metres))


def _compare_city(a: PreparedVenue, b: PreparedVenue, metres: float | None) -> FieldComparison:
    ca, cb = a.city, b.city
    if not ca or not cb:
        return _row("city", ca, cb, "missing", 0.0)
    if ca == cb:
        return _row("city", ca, cb, "exact", 1.0)
    sim = SequenceMatcher(None, ca, cb, autojunk=False).ratio()
    if sim >= 0.9:
        return _row("city", ca, cb, "close", sim)  # "Seatle"
    if metres is not None and metres <= CITY_SAME_PLACE_M:
        return _row("city", ca, cb, "different_nearby", sim)
    return _row("city", ca, cb, "different", sim)


def _compare_external_ids(
    a_ids: frozenset[tuple[str, str]],
    b_ids: frozenset[tuple[str, str]],
    weights: Mapping[str, float],
) -> FieldComparison:
    if not a_ids or not b_ids:
        return FieldComparison("external_ids", None, None, "missing", 0.0, 0.0)
    shared = {s for s, _ in a_ids} & {s for s, _ in b_ids}
    shown_a = ",".join(sorted(f"{s}:{v}" for s, v in a_ids if s in shared)) or None
    shown_b = ",".join(sorted(f"{s}:{v}" for s, v in b_ids if s in shared)) or None
    if not shared:
        return FieldComparison("external_ids", shown_a, shown_b, "missing", 0.0, 0.0)
    agree = sum(1 for s in shared if {v for t, v in a_ids if t == s} & {v for t, v in b_ids if t == s})
    level: Level
    if agree == len(shared):
        level = "exact"
    elif agree == 0:
        level = "different"
    else:
        level = "conflict"
    return FieldComparison("external_ids", shown_a, shown_b, level, agree / len(shared), weights[level])


def _probability(bits: float) -> float:
    # Clamp keeps 2 ** x finite; beyond +-60 bits the probability is 0/1 at float precision anyway.
    return 1.0 / (1.0 + math.pow(2.0, -max(-60.0, min(60.0, bits))))


def score_venue_pair(a: PreparedVenue, b: PreparedVenue) -> MatchScore:
    """Score two prepared venues; the explanation lists every field, weights sum to ``weight``."""
    metres = _distance(a, b)
    street = _compare_street(a, b)
    postcode = _compare_equal("postcode", a.postcode, b.postcode)
    geo = _compare_geo(a, b, metres)
    rows = [
        _compare_name(a, b),
        _compare_city(a, b, metres),
        _compare_equal("country", a.country, b.country),
        street,
        postcode,
        geo,
        _compare_phone(a, b),
        _compare_website(a, b),
        _compare_external_ids(a.external_ids, b.external_ids, VENUE_WEIGHTS["external_ids"]),
    ]
    location = street.weight + postcode.weight + geo.weight
    clamped = min(LOCATION_MAX, max(LOCATION_MIN, location))
    if clamped != location:
        rows.append(FieldComparison("location_overlap", None, None, "adjustment", 0.0, clamped - location))
    weight = sum(r.weight for r in rows)
    return MatchScore(score=_probability(PRIOR_WEIGHT + weight), weight=weight, explanation=tuple(rows))


# --- blocking ----------------------------------------------------------------------------------

# ~1 km cells: 0.009 degrees of latitude; longitude scaled per latitude row.
_CELL_DEG: Final = 0.009
_BLOCK_STOP_TOKENS: Final = frozenset({"the", "and", "at", "of", "on", "in", "a"})


def _geo_row(lat: float) -> int:
    return math.floor(lat / _CELL_DEG)


def _geo_col(row: int, lon: float) -> int:
    scale = max(0.01, math.cos(math.radians((row + 0.5) * _CELL_DEG)))
    return math.floor(lon * scale / _CELL_DEG)


def block_pairs(venues: Sequence[PreparedVenue], *, max_block_size: int = 100) -> set[tuple[str, str]]:
    """Candidate pairs (smaller id first) sharing at least one blocking key.

    Keys: E.164 phone; website host unless generic; ~1 km geo cell (each venue meets its own and the
    8 neighbouring cells, so pairs within ~1 km are never lost at a cell edge); the space-free name
    key; each non-noise name token; postcode + first name word. Any block with more than
    ``max_block_size`` records (a token like "bar", a ticket agency's phone, a dense downtown
    cell) is skipped as unselective, which bounds the work at O(n * max_block_size); such pairs can
    still meet through another key.
    """
    blocks: dict[str, list[str]] = defaultdict(list)
    cells: dict[tuple[int, int], list[PreparedVenue]] = defaultdict(list)
    for v in venues:
        keys: set[str] = set()
        if v.phone:
            keys.add(f"p:{v.phone}")
        if v.website_host and not v.website_generic:
            keys.add(f"w:{v.website_host}")
        if v.name_key:
            keys.add(f"k:{v.name_key}")
        keys.update(
            f"t:{t}" for t in (v.core_tokens or v.tokens) if len(t) > 1 and t not in _BLOCK_STOP_TOKENS
        )
        if v.postcode and v.name_norm:
            keys.add(f"pc:{v.postcode}|{v.name_norm.split(' ', 1)[0]}")
        for key in keys:
            blocks[key].append(v.id)
        if v.latitude is not None and v.longitude is not None:
            row = _geo_row(v.latitude)
            cells[(row, _geo_col(row, v.longitude))].append(v)

    pairs: set[tuple[str, str]] = set()
    for ids in blocks.values():
        if 1 < len(ids) <= max_block_size:
            _add_all_pairs(ids, pairs)

    for v in venues:
        if v.latitude is None or v.longitude is None:
            continue
        row = _geo_row(v.latitude)
        neighbours: list[PreparedVenue] = []
        for r in (row - 1, row, row + 1):
            col = _geo_col(r, v.longitude)
            for c in (col - 1, col, col + 1):
                neighbours.extend(cells.get((r, c), ()))
        if len(neighbours) > max_block_size:
            continue
        for other in neighbours:
            if other.id != v.id:
                pairs.add((v.id, other.id) if v.id < other.id else (other.id, v.id))
    return pairs


def _add_all_pairs(ids: Sequence[str], pairs: set[tuple[str, str]]) -> None:
    unique = sorted(set(ids))
    for i, x in enumerate(unique):
        for y in unique[i + 1 :]:
            pairs.add((x, y))


# --- duplicates and clusters -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DuplicateCandidate:
    a_id: str
    b_id: str
    score: float
    weight: float
    explanation: tuple[FieldComparison, ...]
    decision: Decision


def find_duplicates(
    venues: Sequence[PreparedVenue],
    *,
    review_threshold: float = DEFAULT_REVIEW_THRESHOLD,
    auto_threshold: float = DEFAULT_AUTO_THRESHOLD,
    pairs: Iterable[tuple[str, str]] | None = None,
    max_block_size: int = 100,
) -> list[DuplicateCandidate]:
    """Score blocked pairs (or the given ``pairs``) and keep those at or above review_threshold.

    Sorted by score descending, then ids, so runs are reproducible. Pairs the caller already
    decided ("not a duplicate") should be filtered out by the caller before filing.
    """
    if not 0.0 <= review_threshold <= auto_threshold <= 1.0:
        raise ValueError("need 0 <= review_threshold <= auto_threshold <= 1")
    by_id: dict[str, PreparedVenue] = {}
    for v in venues:
        if v.id in by_id:
            raise ValueError(f"duplicate venue id {v.id!r}")
        by_id[v.id] = v
    candidate_pairs = block_pairs(venues, max_block_size=max_block_size) if pairs is None else set(pairs)
    out: list[DuplicateCandidate] = []
    for x, y in candidate_pairs:
        a_id, b_id = (x, y) if x <= y else (y, x)
        if a_id == b_id:
            continue
        result = score_venue_pair(by_id[a_id], by_id[b_id])
        if result.score < review_threshold:
            continue
        decision: Decision = "auto_merge" if result.score >= auto_threshold else "review"
        out.append(DuplicateCandidate(a_id, b_id, result.score, result.weight, result.explanation, decision))
    out.sort(key=lambda d: (-d.score, d.a_id, d.b_id))
    return out


def cluster(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Union-find over pairs: each id -> the smallest id of its connected component.

    Clustering is transitive (A~B and B~C put A and C together even if A and C scored low), so feed
    it auto-merge or staff-confirmed pairs, not everything above the review threshold.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            # Keeping the smaller id as root makes the root the cluster id.
            if ra < rb:
                parent[rb] = ra
            else:
                parent[ra] = rb
    return {x: find(x) for x in parent}


# --- artists -----------------------------------------------------------------------------------


def _artist_ids(ids: Mapping[str, str] | None) -> frozenset[tuple[str, str]]:
    if not ids:
        return frozenset()
    return frozenset(
        (s.strip().lower(), str(v).strip()) for s, v in ids.items() if s.strip() and str(v).strip()
    )


def score_artist_pair(
    a_name: str,
    b_name: str,
    a_ext_ids: Mapping[str, str] | None = None,
    b_ext_ids: Mapping[str, str] | None = None,
    *,
    a_aliases: Iterable[str] = (),
    b_aliases: Iterable[str] = (),
) -> MatchScore:
    """Basic artist comparison: normalised names (feat. tails and "(Live)" notes stripped, leading
    "the" dropped), aliases, and external IDs (a MusicBrainz ID conflict beats an equal name)."""
    na, nb = normalize_artist_name(a_name), normalize_artist_name(b_name)
    level: Level
    if na and na == nb:
        level, sim = "exact", 1.0
    else:
        names_a = {na} | {normalize_artist_name(x) for x in a_aliases}
        names_b = {nb} | {normalize_artist_name(x) for x in b_aliases}
        names_a.discard("")
        names_b.discard("")
        if names_a & names_b:
            level, sim = "alias", 1.0
        else:
            # Space-free comparison: artist names are short, typos and spacing dominate.
            sim = SequenceMatcher(None, na.replace(" ", ""), nb.replace(" ", ""), autojunk=False).ratio()
            level = "close" if sim >= 0.92 else "different"
    rows = (
        FieldComparison("name", na, nb, level, sim, ARTIST_WEIGHTS["name"][level]),
        _compare_external_ids(_artist_ids(a_ext_ids), _artist_ids(b_ext_ids), ARTIST_WEIGHTS["external_ids"]),
    )
    weight = sum(r.weight for r in rows)
    return MatchScore(score=_probability(ARTIST_PRIOR_WEIGHT + weight), weight=weight, explanation=rows)
