"""Comparing two prepared venues field by field, and scoring the pair with its explanation.

Each field falls into a level (``venue_levels``; ``pair_levels`` without the similarities, for EM);
a ``model.VenueModel`` turns the levels into bits. ``score_venue_pair`` gives the probability with a
row per field (what staff read); ``pair_bits`` gives the same sum lean, with an early exit, for the
millions of pairs a batch or an index scores. A city mismatch is softened when the coordinates put
both records within 1 km (neighbourhood vs municipality). Names, streets and cities are compared
with ``string_ratio`` (rapidfuzz), here and in the columnar batch path (``pairs``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Final, NamedTuple

from rapidfuzz.distance import Indel

from entities.resolution.model import (
    FIELD_INDEX,
    HAND_MODEL,
    LOCATION_MAX,
    LOCATION_MIN,
    VENUE_FIELDS,
    FieldComparison,
    Level,
    MatchScore,
    VenueModel,
    bits_to_probability,
    level_weights,
)
from entities.resolution.normalize import VENUE_NOISE_TOKENS
from entities.resolution.records import PreparedVenue

# Geo distance buckets (metres): <= exact, <= close, <= near, else different.
GEO_EXACT_M: Final = 50.0
GEO_CLOSE_M: Final = 300.0
GEO_NEAR_M: Final = 3000.0
CITY_SAME_PLACE_M: Final = 1000.0

# Similarity thresholds (string_ratio and word sets) of the "close" and "similar" levels.
NAME_CLOSE: Final = 0.9
NAME_SIMILAR: Final = 0.75
CITY_CLOSE: Final = 0.9
STREET_CLOSE: Final = 0.85

_NO_FREQUENT: Final[Mapping[str, float]] = {}


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

    The one string similarity of resolution: venue names, streets and cities here and in the
    columnar batch path (which calls the same rapidfuzz function over arrays, so both paths get the
    same floats), and headliners in ``performances``. Like difflib's ratio, but over the true
    longest common subsequence, and in C.
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


def ids_level(a_ids: frozenset[tuple[str, str]], b_ids: frozenset[tuple[str, str]]) -> tuple[Level, float]:
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
    ids = ids_level(a.external_ids, b.external_ids)
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
        ids_level(a.external_ids, b.external_ids)[0] if a.external_ids and b.external_ids else "missing",
    )


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
        out[FIELD_INDEX["name"]] = bits
    if a.phone and a.phone == b.phone and (bits := frequent.get("phone", {}).get(a.phone)):
        out[FIELD_INDEX["phone"]] = bits
    if (
        a.website_host
        and a.website_host == b.website_host
        and not a.website_generic
        and (bits := frequent.get("website", {}).get(a.website_host))
    ):
        out[FIELD_INDEX["website"]] = bits
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
    return MatchScore(
        score=bits_to_probability(model.prior_weight + weight), weight=weight, explanation=tuple(rows)
    )


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
    ids = w_ids[ids_level(a.external_ids, b.external_ids)[0]] if a.external_ids and b.external_ids else 0.0
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
