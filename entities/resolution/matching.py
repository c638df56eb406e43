"""Venue and artist pair scoring, blocking and clustering.

Scoring model (Fellegi-Sunter): each field comparison falls into a level ("exact", "close", ...,
"missing") and each level has a weight in bits, i.e. log2 of P(level | same venue) /
P(level | different venues). A ``VenueModel`` holds the table (field -> level -> weight) and the
prior. Two models exist:

- ``HAND_MODEL``: weights chosen by hand against the hard cases in tests/entities/test_matching.py,
  with a prior for a *blocked* candidate pair (1 in 9). It is the fallback and the default for a
  single pair.
- an estimated model (``entities.resolution.estimate.estimate_venue_model``): u probabilities from
  random pairs, m probabilities by EM over blocked pairs, and the prior of two *random* records
  matching, as Splink does; ``find_duplicates`` and the batch resolver estimate one when there is
  enough data.

A missing field (either side empty) always weighs 0: absence is not evidence.

Street, postcode and geo distance (and, in an estimated model, phone too) all measure "same place"
and are strongly correlated, so their weights are not simply added:
- hand model: the street + postcode + geo sum is clamped to [LOCATION_MIN, LOCATION_MAX], so that
  rooms sharing an address cannot outvote a different name;
- estimated model: the group counts its strongest agreement plus its strongest disagreement
  ("max" combination): a shared address says little more once a shared switchboard phone has
  been counted, which is what keeps restaurants in one hotel apart. A shared website says "same
  operator" (rooms of a complex, a chain's locations), so it adds only what exceeds the stronger
  of the name and the place evidence.
The correction shows up as a "location_overlap" row in the explanation. A city mismatch is
softened when the coordinates put both records within 1 km (neighbourhood vs municipality).

MatchScore.weight is the sum of the explanation weights; MatchScore.score is the probability
1 / (1 + 2 ** -(prior_weight + weight)), which is what thresholds compare against.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Final, Literal, NamedTuple

from rapidfuzz.distance import Indel

from entities.resolution.normalize import (
    is_generic_host,
    normalize_city,
    normalize_country,
    normalize_name,
    normalize_phone,
    normalize_postcode,
    normalize_street,
    website_host,
)

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

# Geo distance buckets (metres): <= exact, <= close, <= near, else different.
GEO_EXACT_M: Final = 50.0
GEO_CLOSE_M: Final = 300.0
GEO_NEAR_M: Final = 3000.0
CITY_SAME_PLACE_M: Final = 1000.0

NAME_CLOSE: Final = 0.9
NAME_SIMILAR: Final = 0.75

DEFAULT_REVIEW_THRESHOLD: Final = 0.5
DEFAULT_AUTO_THRESHOLD: Final = 0.99

# Venue-type and filler words: used only to judge name similarity ("The Moore" vs "Moore Theatre"),
# never removed from stored names.
VENUE_NOISE_TOKENS: Final = frozenset(
    {
        "the", "and", "at", "of", "on", "in", "a",
        "theater", "theaters", "club", "nightclub", "bar", "lounge", "hall", "music", "live", "venue",
        "cafe", "tavern", "pub", "room", "ballroom", "arena", "center", "amphitheater", "auditorium",
        "stage", "concert", "concerts", "saloon", "cabaret", "restaurant",
    }
)  # fmt: skip

Level = Literal[
    "exact", "close", "similar", "partial", "near", "alias", "different", "different_nearby", "conflict",
    "missing", "ignored", "adjustment", "rule",
]  # fmt: skip
Decision = Literal["auto_merge", "review"]
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
_NO_FREQUENT: Final[Mapping[str, float]] = {}


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


_NO_IDS: Final[frozenset[tuple[str, str]]] = frozenset()


class PreparedVenue(NamedTuple):
    """A VenueRecord normalised once, so scoring many pairs never re-normalises.

    A NamedTuple, and lean (word sets are derived on demand), because the batch resolver and the
    online index hold a million of these.
    """

    id: str
    name: str
    name_norm: str
    name_key: str
    # name_key without a trailing "(qualifier)" or a trailing "the" ("Spago (Los Angeles)",
    # "Palm, The"); the same object as name_key when there is neither.
    base_key: str
    street: str | None
    city: str | None
    postcode: str | None
    country: str | None
    phone: str | None  # E.164, None if absent or invalid
    website_host: str | None
    website_generic: bool
    latitude: float | None
    longitude: float | None
    external_ids: frozenset[tuple[str, str]]  # (scheme, id), scheme lower-cased

    @classmethod
    def from_record(cls, r: VenueRecord) -> PreparedVenue:
        ext = (
            frozenset(
                (scheme.strip().lower(), str(value).strip())
                for scheme, value in r.external_ids.items()
                if scheme and scheme.strip() and value is not None and str(value).strip()
            )
            if r.external_ids
            else _NO_IDS
        )
        return prepare_values(
            r.id,
            r.name,
            r.street,
            r.city,
            r.postal_code,
            r.country,
            r.phone,
            r.website,
            r.latitude,
            r.longitude,
            ext,
        )

    @property
    def tokens(self) -> frozenset[str]:
        return frozenset(self.name_norm.split())


def prepare_values(
    id: str,
    name: str,
    street: str | None = None,
    city: str | None = None,
    postal_code: str | None = None,
    country: str | None = None,
    phone: str | None = None,
    website: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    external_ids: frozenset[tuple[str, str]] = _NO_IDS,
) -> PreparedVenue:
    """PreparedVenue.from_record without the VenueRecord (the batch path prepares raw rows).

    ``external_ids`` are (lower-cased scheme, id) pairs already.
    """
    name_norm = normalize_name(name)
    name_key = name_norm.replace(" ", "")
    country_code = normalize_country(country) if country else None
    host = website_host(website) if website else None
    if (
        latitude is None
        or longitude is None
        or not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
        or (latitude == longitude == 0)
    ):
        latitude = longitude = None  # (0, 0) is a geocoder's "unknown", not a venue in the Gulf of Guinea
    # Positional: this runs a million times in a batch.
    return PreparedVenue(
        id,
        name,
        name_norm,
        name_key,
        _base_key(name, name_norm, name_key),
        (normalize_street(street) or None) if street else None,
        (normalize_city(city) or None) if city else None,
        normalize_postcode(postal_code, country_code) if postal_code else None,
        country_code,
        normalize_phone(phone, country_code if country_code and len(country_code) == 2 else "US")
        if phone
        else None,
        host,
        is_generic_host(host) if host else False,
        latitude,
        longitude,
        external_ids,
    )


def _base_key(raw: str, name_norm: str, name_key: str) -> str:
    if not raw.rstrip().endswith((")", "]")) and not name_norm.endswith(" the"):
        return name_key
    text = raw.rstrip()
    if text.endswith((")", "]")):
        cut = max(text.rfind("("), text.rfind("["))
        if cut > 0:
            text = text[:cut]
    words = normalize_name(text).split()
    if len(words) > 1 and words[-1] == "the":
        words.pop()
    return "".join(words) or name_key


# --- field comparisons -------------------------------------------------------------------------


def _name_sim(key_a: str, key_b: str, ta: frozenset[str], tb: frozenset[str], floor: float) -> float:
    core_a, core_b = ta - VENUE_NOISE_TOKENS, tb - VENUE_NOISE_TOKENS
    if core_a and core_a == core_b:
        noise_a, noise_b = ta - core_a, tb - core_b
        if noise_a <= noise_b or noise_b <= noise_a:
            return 0.95
    # Full word sets here: the core words were equal-or-not above ("Sunset Tavern" vs "Sunset Room").
    shorter, longer = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    if len(shorter) >= 2 and shorter < longer and len(longer - shorter) <= 2:
        # One name is the other plus a qualifier: "Hidden Hall" / "Hidden Hall (Fremont)",
        # "St Mark's Cathedral" / "St Mark's Episcopal Cathedral". Similar, not the same: staff decide.
        return NAME_SIMILAR
    union = len(ta | tb)
    jaccard = len(ta & tb) / union if union else 0.0
    # The ratio is at most 2 * shorter / total: skip it when that bound cannot matter.
    la, lb = len(key_a), len(key_b)
    bound = 2.0 * min(la, lb) / (la + lb) if la + lb else 0.0
    if bound <= jaccard or bound < floor:
        return jaccard
    return max(jaccard, string_ratio(key_a, key_b))


def string_ratio(a: str, b: str) -> float:
    """2 * (longest common subsequence) / (len(a) + len(b)), 1.0 for two empty strings.

    The similarity of names, streets and cities, here and in the columnar batch path (which calls
    the same rapidfuzz function over arrays, so both paths get the same floats). Like difflib's
    ratio, but over the true longest common subsequence, and in C.
    """
    return Indel.normalized_similarity(a, b)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(h)))


def _name_level(a: PreparedVenue, b: PreparedVenue) -> tuple[Level, float]:
    if a.name_key == b.name_key:
        return "exact", 1.0
    return _name_level_words(a, b, a.tokens, b.tokens)


def _name_level_words(
    a: PreparedVenue, b: PreparedVenue, ta: frozenset[str], tb: frozenset[str]
) -> tuple[Level, float]:
    sim = _name_sim(a.name_key, b.name_key, ta, tb, NAME_SIMILAR)
    if sim >= 0.999:
        return "exact", sim
    if sim >= NAME_CLOSE:
        return "close", sim
    if a.base_key == b.base_key:
        # Equal once a "(qualifier)" or a trailing "the" is dropped: "Spago (Los Angeles)" / "Spago".
        return "close", NAME_CLOSE
    if sim >= NAME_SIMILAR:
        return "similar", sim
    shorter, longer = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    if shorter < longer and not shorter <= VENUE_NOISE_TOKENS:
        # Every word of one name is in the other: "Virgil's" / "Virgil's Real BBQ", "Showbox" /
        # "Showbox SoDo". Weak evidence either way; the data (or the hand table) decides.
        return "partial", sim
    return "different", sim


def _city_level(a: PreparedVenue, b: PreparedVenue, metres: float | None) -> tuple[Level, float]:
    level, sim = city_text_level(a.city, b.city)
    if level == "different" and metres is not None and metres <= CITY_SAME_PLACE_M:
        return "different_nearby", sim
    return level, sim


def city_text_level(ca: str | None, cb: str | None) -> tuple[Level, float]:
    """City level from the names alone ("different" may still become "different_nearby")."""
    if not ca or not cb:
        return "missing", 0.0
    if ca == cb:
        return "exact", 1.0
    shorter, longer = (ca, cb) if len(ca) <= len(cb) else (cb, ca)
    if longer.startswith(shorter + " "):
        return "close", len(shorter) / len(longer)  # "New York" / "New York City"
    sim = string_ratio(ca, cb)
    return ("close" if sim >= CITY_CLOSE else "different"), sim  # "Seatle"


CITY_CLOSE: Final = 0.9


def _street_level(a: PreparedVenue, b: PreparedVenue) -> tuple[Level, float]:
    sa, sb = a.street, b.street
    if not sa or not sb:
        return "missing", 0.0
    if sa == sb:
        return "exact", 1.0
    na, nb = sa.partition(" ")[0], sb.partition(" ")[0]
    if na != nb and any(map(str.isdigit, na)) and any(map(str.isdigit, nb)):
        # Next-door numbers are different buildings often enough; the name decides.
        return "different", 0.0
    shorter, longer = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
    if longer.startswith(shorter + " "):
        # A cross-street or a direction after the street: "2450 broadway between 90th and 91st sts".
        return "close", len(shorter) / len(longer)
    sim = string_ratio(sa, sb)
    return ("close" if sim >= STREET_CLOSE else "different"), sim


STREET_CLOSE: Final = 0.85


def _equal_level(a: str | None, b: str | None) -> tuple[Level, float]:
    if not a or not b:
        return "missing", 0.0
    return ("exact", 1.0) if a == b else ("different", 0.0)


def _phone_level(a: PreparedVenue, b: PreparedVenue) -> tuple[Level, float]:
    pa, pb = a.phone, b.phone
    if not pa or not pb:
        return "missing", 0.0
    if pa == pb:
        return "exact", 1.0
    if len(pa) == len(pb) and sum(map(str.__ne__, pa, pb)) == 1:
        return "close", 1 - 1 / len(pa)
    return "different", 0.0


def _website_level(a: PreparedVenue, b: PreparedVenue) -> tuple[Level, float]:
    ha, hb = a.website_host, b.website_host
    if not ha or not hb:
        return "missing", 0.0
    if a.website_generic or b.website_generic:
        return "ignored", 0.0  # facebook.com says nothing about identity
    return ("exact", 1.0) if ha == hb else ("different", 0.0)


def _distance(a: PreparedVenue, b: PreparedVenue) -> float | None:
    if a.latitude is None or a.longitude is None or b.latitude is None or b.longitude is None:
        return None
    return haversine_m(a.latitude, a.longitude, b.latitude, b.longitude)


def _geo_level(metres: float | None) -> tuple[Level, float]:
    if metres is None:
        return "missing", 0.0
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
    return level, GEO_CLOSE_M / (GEO_CLOSE_M + metres)


def _ids_level(a_ids: frozenset[tuple[str, str]], b_ids: frozenset[tuple[str, str]]) -> tuple[Level, float]:
    if not a_ids or not b_ids:
        return "missing", 0.0
    shared = {s for s, _ in a_ids} & {s for s, _ in b_ids}
    if not shared:
        return "missing", 0.0
    agree = sum(1 for s in shared if {v for t, v in a_ids if t == s} & {v for t, v in b_ids if t == s})
    if agree == len(shared):
        return "exact", 1.0
    return ("different" if agree == 0 else "conflict"), agree / len(shared)


def _ids_shown(
    a_ids: frozenset[tuple[str, str]], b_ids: frozenset[tuple[str, str]]
) -> tuple[str | None, str | None]:
    shared = {s for s, _ in a_ids} & {s for s, _ in b_ids}
    shown_a = ",".join(sorted(f"{s}:{v}" for s, v in a_ids if s in shared)) or None
    shown_b = ",".join(sorted(f"{s}:{v}" for s, v in b_ids if s in shared)) or None
    return shown_a, shown_b


class VenueLevels(NamedTuple):
    """The level of every compared field for one pair (VENUE_FIELDS order), and its similarities."""

    levels: tuple[Level, ...]
    similarities: tuple[float, ...]


def venue_levels(a: PreparedVenue, b: PreparedVenue) -> VenueLevels:
    """Compare every field of two prepared venues; the input to both scoring and EM."""
    metres = _distance(a, b)
    name, city = _name_level(a, b), _city_level(a, b, metres)
    country = _equal_level(a.country, b.country)
    street, postcode, geo = _street_level(a, b), _equal_level(a.postcode, b.postcode), _geo_level(metres)
    phone, website = _phone_level(a, b), _website_level(a, b)
    ids = _ids_level(a.external_ids, b.external_ids)
    rows = (name, city, country, street, postcode, geo, phone, website, ids)
    return VenueLevels(tuple(r[0] for r in rows), tuple(r[1] for r in rows))


def pair_levels(a: PreparedVenue, b: PreparedVenue) -> tuple[Level, ...]:
    """venue_levels(a, b).levels without the similarities, computed lean (EM counts millions)."""
    metres = _distance(a, b) if a.latitude is not None and b.latitude is not None else None
    sa, sb, pa, pb, ca, cb = a.street, b.street, a.phone, b.phone, a.city, b.city
    return (
        "exact" if a.name_key == b.name_key else _name_level(a, b)[0],
        "missing" if not ca or not cb else "exact" if ca == cb else _city_level(a, b, metres)[0],
        _equal_level(a.country, b.country)[0],
        "missing" if not sa or not sb else "exact" if sa == sb else _street_level(a, b)[0],
        _equal_level(a.postcode, b.postcode)[0],
        _geo_level(metres)[0],
        "missing" if not pa or not pb else "exact" if pa == pb else _phone_level(a, b)[0],
        _website_level(a, b)[0],
        _ids_level(a.external_ids, b.external_ids)[0] if a.external_ids and b.external_ids else "missing",
    )


_FIELD_INDEX: Final = {name: i for i, name in enumerate(VENUE_FIELDS)}
_LOCATION_IDX: Final = tuple(_FIELD_INDEX[f] for f in LOCATION_FIELDS)
_PLACE_IDX: Final = tuple(_FIELD_INDEX[f] for f in PLACE_GROUP)
_NAME_IDX: Final = _FIELD_INDEX["name"]
_WEB_IDX: Final = _FIELD_INDEX["website"]


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


def _probability(bits: float) -> float:
    # Clamp keeps 2 ** x finite; beyond +-60 bits the probability is 0/1 at float precision anyway.
    return 1.0 / (1.0 + math.pow(2.0, -max(-60.0, min(60.0, bits))))


def probability_to_bits(p: float) -> float:
    """The log-odds (bits) a probability threshold corresponds to."""
    p = min(1 - 1e-15, max(1e-15, p))
    return math.log2(p / (1 - p))


def _display(a: PreparedVenue, b: PreparedVenue) -> list[tuple[str | None, str | None]]:
    fa = f"{a.latitude:.5f},{a.longitude:.5f}" if a.latitude is not None else None
    fb = f"{b.latitude:.5f},{b.longitude:.5f}" if b.latitude is not None else None
    return [
        (a.name_norm, b.name_norm),
        (a.city, b.city),
        (a.country, b.country),
        (a.street, b.street),
        (a.postcode, b.postcode),
        (fa, fb),
        (a.phone, b.phone),
        (a.website_host, b.website_host),
        _ids_shown(a.external_ids, b.external_ids),
    ]


def frequency_adjustments(a: PreparedVenue, b: PreparedVenue, model: VenueModel) -> dict[int, float]:
    """Term-frequency adjustments (field index -> bits) for a pair whose name key, phone or website
    host are equal and frequent in the data the model was estimated on."""
    out: dict[int, float] = {}
    frequent = model.frequent
    if not frequent:
        return out
    if a.name_key == b.name_key and (bits := frequent.get("name", {}).get(a.name_key)):
        out[_FIELD_INDEX["name"]] = bits
    if a.phone and a.phone == b.phone and (bits := frequent.get("phone", {}).get(a.phone)):
        out[_FIELD_INDEX["phone"]] = bits
    if (
        a.website_host
        and a.website_host == b.website_host
        and not a.website_generic
        and (bits := frequent.get("website", {}).get(a.website_host))
    ):
        out[_FIELD_INDEX["website"]] = bits
    return out


def score_venue_pair(a: PreparedVenue, b: PreparedVenue, model: VenueModel | None = None) -> MatchScore:
    """Score two prepared venues; the explanation lists every field, weights sum to ``weight``.

    A field whose value is frequent in the data (a chain's name or domain) weighs what the model's
    term-frequency adjustment leaves of its "exact" weight.
    """
    model = model or HAND_MODEL
    levels, sims = venue_levels(a, b)
    weights, overlap = level_weights(levels, model, frequency_adjustments(a, b, model))
    rows = [
        FieldComparison(f, va, vb, lvl, sim, w)
        for f, (va, vb), lvl, sim, w in zip(VENUE_FIELDS, _display(a, b), levels, sims, weights, strict=True)
    ]
    if overlap:
        rows.append(FieldComparison("location_overlap", None, None, "adjustment", 0.0, overlap))
    weight = sum(r.weight for r in rows)
    return MatchScore(score=_probability(model.prior_weight + weight), weight=weight, explanation=tuple(rows))


def pair_bits(
    a: PreparedVenue, b: PreparedVenue, model: VenueModel, *, at_least: float | None = None
) -> float | None:
    """prior + weight of a pair: exactly what score_venue_pair's probability is made of, computed lean.

    With ``at_least`` (bits), returns None as soon as the pair certainly scores below it, before
    the name comparison (the expensive part) where possible. Used by batch scoring, which then
    builds the full explanation only for the pairs it keeps. Straight-line code on purpose: a
    million-row batch calls this tens of millions of times.
    """
    w_name, w_city, w_country, w_street, w_postcode, w_geo, w_phone, w_web, w_ids = model.table
    metres = _distance(a, b) if a.latitude is not None and b.latitude is not None else None
    sa, sb = a.street, b.street
    street = w_street["missing" if not sa or not sb else "exact" if sa == sb else _street_level(a, b)[0]]
    pa, pb = a.postcode, b.postcode
    postcode = w_postcode["missing" if not pa or not pb else "exact" if pa == pb else "different"]
    geo = w_geo[_geo_level(metres)[0]] if metres is not None else 0.0
    pa, pb = a.phone, b.phone
    phone = w_phone["missing" if not pa or not pb else "exact" if pa == pb else _phone_level(a, b)[0]]
    web = w_web[_website_level(a, b)[0]] if a.website_host and b.website_host else 0.0
    frequent = model.frequent
    if frequent:
        if pa and pa == pb:
            phone += frequent.get("phone", _NO_FREQUENT).get(pa, 0.0)
        if a.website_host and a.website_host == b.website_host and not a.website_generic:
            web += frequent.get("website", _NO_FREQUENT).get(a.website_host, 0.0)
    clamp = model.location == "clamp"
    if clamp:
        location = street + postcode + geo
        place = min(LOCATION_MAX, max(LOCATION_MIN, location)) + phone + web
    else:
        agree = max(0.0, street, postcode, geo, phone)
        place = agree + min(0.0, street, postcode, geo, phone, web)
    ca, cb = a.city, b.city
    city = w_city["missing" if not ca or not cb else "exact" if ca == cb else _city_level(a, b, metres)[0]]
    ka, kb = a.country, b.country
    country = w_country["missing" if not ka or not kb else "exact" if ka == kb else "different"]
    ids = w_ids[_ids_level(a.external_ids, b.external_ids)[0]] if a.external_ids and b.external_ids else 0.0
    total = model.prior_weight + place + city + country + ids
    if a.name_key == b.name_key:
        name = w_name["exact"]
        if frequent:
            name += frequent.get("name", _NO_FREQUENT).get(a.name_key, 0.0)
    else:
        ta, tb = a.tokens, b.tokens
        if at_least is not None:
            # Different keys reach "exact" only with equal word sets (reordered words), or with names
            # so long that one differing character still gives a ratio of 0.999.
            exact_possible = ta == tb or len(a.name_key) + len(b.name_key) > 1000
            best = w_name["exact"] if exact_possible else model.name_inexact_max
            # The website's share only shrinks as the name weighs more: this bounds the total.
            bound = best if clamp else best + max(0.0, web - max(best, agree))
            if total + bound < at_least:
                return None
        name = w_name[_name_level_words(a, b, ta, tb)[0]]
    if clamp:
        return total + name
    return total + name + max(0.0, web - max(name, agree))


# --- blocking ----------------------------------------------------------------------------------

# ~1 km cells: 0.009 degrees of latitude; longitude scaled per latitude row.
_CELL_DEG: Final = 0.009
_BLOCK_STOP_TOKENS: Final = frozenset({"the", "and", "at", "of", "on", "in", "a"})


def _geo_row(lat: float) -> int:
    return math.floor(lat / _CELL_DEG)


_ROW_SCALE: dict[int, float] = {}


def _row_scale(row: int) -> float:
    """Longitude degrees -> cells in this latitude row (cached: a few thousand rows cover the world)."""
    scale = _ROW_SCALE.get(row)
    if scale is None:
        scale = _ROW_SCALE[row] = max(0.01, math.cos(math.radians((row + 0.5) * _CELL_DEG))) / _CELL_DEG
    return scale


def _geo_col(row: int, lon: float) -> int:
    return math.floor(lon * _row_scale(row))


def _geo_cell(row: int, col: int) -> int:
    return row * 1_000_003 + col


BlockKey = str | tuple[str, str]


def _words(v: PreparedVenue) -> list[str]:
    words = v.name_norm.split()
    noise = VENUE_NOISE_TOKENS if any(t not in VENUE_NOISE_TOKENS for t in words) else _BLOCK_STOP_TOKENS
    return [t for t in dict.fromkeys(words) if len(t) > 1 and t not in noise and t not in _BLOCK_STOP_TOKENS]


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
        base = _geo_cell(r, math.floor(lon * _row_scale(r)))
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
        if 2 <= c and (c <= limit or w in VENUE_NOISE_TOKENS) and len(w) > 1 and w not in _BLOCK_STOP_TOKENS
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
            row = math.floor(lat / _CELL_DEG)
            _put(cells, _geo_cell(row, math.floor(lon * _row_scale(row))), i)
            located.append((i, row, lon))
    get = cells.get
    for i, row, lon in located:
        near: list[int] = []
        crowded = False
        for r in (row - 1, row, row + 1):
            base = _geo_cell(r, math.floor(lon * _row_scale(r)))
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


# --- duplicates and clusters -------------------------------------------------------------------

# Below this many venues, "auto" uses the hand model: too few pairs to estimate m and u from.
AUTO_ESTIMATE_MIN_VENUES: Final = 500


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


def choose_model(venues: Sequence[PreparedVenue], model: VenueModel | Literal["auto", "hand"]) -> VenueModel:
    """The given model; or for "auto", one estimated from ``venues`` when there are enough, else hand."""
    if isinstance(model, VenueModel):
        return model
    if model == "hand" or len(venues) < AUTO_ESTIMATE_MIN_VENUES:
        return HAND_MODEL
    from entities.resolution.estimate import estimate_venue_model  # imports this module

    return estimate_venue_model(venues)


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
    AUTO_ESTIMATE_MIN_VENUES of them (falling back field by field to the hand weights where the
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
    chosen = choose_model(venues, model)
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
