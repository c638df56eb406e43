"""Candidate pairs of a VenueTable and their comparison levels and scores, all pairs at once.

The columnar counterpart of the scalar ``blocking`` and ``scoring``, with the same definitions:

- ``candidate_pairs``: the blocks of ``blocking.neighbour_lists`` (the same key families, caps and
  ~1 km geo neighbourhoods), built with polars joins (string keys) and numpy (name words, geo
  cells) into two position arrays;
- ``pair_level_codes``: the level of every field for every pair, as ``scoring.pair_levels``
  (names, streets and cities compared with the same ``string_ratio``, through rapidfuzz's
  ``cpdist``);
- ``pair_bits_array``: prior + weight of every pair, the same arithmetic in the same order as
  ``scoring.pair_bits``.

Rows whose normalised name, street or city are not ASCII (non-Latin scripts) and pairs with external
IDs on both sides are compared by the scalar functions. tests/entities/test_pairs.py compares both
paths pair by pair.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl
from rapidfuzz.distance import Hamming, Indel
from rapidfuzz.process import cpdist

from entities.resolution.blocking import CELL_DEG, BlockCaps, row_scale
from entities.resolution.columnar import NameWords, VenueTable
from entities.resolution.model import FIELD_INDEX, LOCATION_MAX, LOCATION_MIN, VENUE_FIELDS, Level, VenueModel
from entities.resolution.scoring import (
    CITY_CLOSE,
    CITY_SAME_PLACE_M,
    GEO_CLOSE_M,
    GEO_EXACT_M,
    GEO_NEAR_M,
    NAME_CLOSE,
    NAME_SIMILAR,
    STREET_CLOSE,
    ids_level,
    pair_levels,
)

# Level codes: an index into LEVELS (uint8 arrays, one per field).
LEVELS: Final[tuple[Level, ...]] = (
    "missing", "ignored", "exact", "close", "similar", "partial", "near", "different",
    "different_nearby", "conflict",
)  # fmt: skip
CODE: Final[dict[str, int]] = {level: k for k, level in enumerate(LEVELS)}

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Codes = npt.NDArray[np.uint8]
Bools = npt.NDArray[np.bool_]


# --- blocking --------------------------------------------------------------------------------------


def candidate_pairs(table: VenueTable, *, max_block_size: int = 100) -> tuple[Ints, Ints]:
    """Every blocked pair of positions once, as (left, right) with left < right, sorted."""
    caps = BlockCaps.from_max(max_block_size)
    frame = table.frame.with_row_index("pos")
    n = frame.height
    found: list[pl.DataFrame] = []
    named = pl.col("name_key") != ""
    based = (pl.col("base_key") != pl.col("name_key")) & (pl.col("base_key") != "")

    def keyed(*slots: pl.LazyFrame) -> pl.LazyFrame:
        return pl.concat([s.select("pos", pl.col("k1"), pl.col("k2")) for s in slots])

    families: list[tuple[pl.LazyFrame, int]] = []
    lazy = frame.lazy()
    families.append(
        (lazy.filter(pl.col("phone").is_not_null()).select("pos", k1="phone", k2=pl.lit("")), caps.strong)
    )
    families.append(
        (
            lazy.filter(pl.col("website_host").is_not_null() & ~pl.col("website_generic")).select(
                "pos", k1="website_host", k2=pl.lit("")
            ),
            caps.strong,
        )
    )
    for place in ("city", "postcode"):
        has = pl.col(place).is_not_null()
        families.append(
            (
                keyed(
                    lazy.filter(has & named).select("pos", k1="name_key", k2=place),
                    lazy.filter(has & based).select("pos", k1="base_key", k2=place),
                ),
                caps.strong,
            )
        )
    families.append(
        (
            lazy.filter(
                pl.col("street").is_not_null() & pl.col("city").fill_null(pl.col("postcode")).is_not_null()
            ).select("pos", k1="street", k2=pl.coalesce("city", "postcode")),
            caps.strong,
        )
    )

    def joined() -> list[pl.DataFrame]:
        # One family at a time, so that their joins' memory does not add up.
        return [_block_pairs(members, limit).collect() for members, limit in families] + [
            _name_pairs(lazy, caps).collect()
        ]

    # The string-key joins (polars) run beside the word and geo blocks (numpy): both let go of
    # the GIL, and they use the two cores.
    with ThreadPoolExecutor(max_workers=1) as pool:
        joins = pool.submit(joined)
        found.append(_word_pairs(table.name_words(), caps.words))
        found.append(_geo_pairs(table, caps.geo))
        found.extend(joins.result())
    everything = pl.concat([f.select(pl.col("a").cast(pl.Int64), pl.col("b").cast(pl.Int64)) for f in found])
    codes = np.sort(everything["a"].to_numpy() * n + everything["b"].to_numpy())
    codes = codes[np.concatenate([[True], codes[1:] != codes[:-1]])] if len(codes) else codes
    return codes // n, codes % n


def _block_pairs(members: pl.LazyFrame, limit: int) -> pl.LazyFrame:
    """Pairs (a < b) sharing a key (k1, k2) whose block holds 2 to ``limit`` members."""
    sized = members.with_columns(pl.len().over("k1", "k2").alias("size")).filter(
        pl.col("size").is_between(2, limit)
    )
    return _self_join(sized.select("pos", "k1", "k2"), ["k1", "k2"])


def _self_join(members: pl.LazyFrame, on: list[str]) -> pl.LazyFrame:
    return (
        members.join(members, on=on, suffix="_b")
        .filter(pl.col("pos") < pl.col("pos_b"))
        .select(a="pos", b="pos_b")
    )


def _name_pairs(lazy: pl.LazyFrame, caps: BlockCaps) -> pl.LazyFrame:
    """The "k" family: a name key (or base key) anywhere; in a block of more than
    ``caps.names_anywhere`` members, only pairs where one side has no city."""
    named = pl.col("name_key") != ""
    based = (pl.col("base_key") != pl.col("name_key")) & (pl.col("base_key") != "")
    members = pl.concat(
        [
            lazy.filter(named).select("pos", "city", k="name_key"),
            lazy.filter(based).select("pos", "city", k="base_key"),
        ]
    )
    sized = members.with_columns(pl.len().over("k").alias("size")).filter(
        pl.col("size").is_between(2, caps.names_missing_city)
    )
    return (
        sized.join(sized.select("pos", "k", "city"), on="k", suffix="_b")
        .filter(
            (pl.col("pos") < pl.col("pos_b"))
            & (
                (pl.col("size") <= caps.names_anywhere)
                | pl.col("city").is_null()
                | pl.col("city_b").is_null()
            )
        )
        .select(a="pos", b="pos_b")
    )


def _word_pairs(words: NameWords, limit: int) -> pl.DataFrame:
    """The "t" family (blocking._words): each distinctive name word held by 2 to ``limit`` names.

    A word counts only if at most ``limit`` names hold it at all (noise words excepted: in names
    made of noise words alone they are keys whatever their count, and their block decides)."""
    held_by = np.bincount(words.ids, minlength=words.vocabulary)[words.ids]
    all_noise = words.core_count[words.pos] == 0
    key = words.blockable & (all_noise | ~words.noise) & (held_by >= 2) & ((held_by <= limit) | words.noise)
    ids, pos = words.ids[key], words.pos[key]
    size = np.bincount(ids, minlength=words.vocabulary)[ids]
    keep = (size >= 2) & (size <= limit)
    a, b = _pairs_within(ids[keep], pos[keep], limit)
    return pl.DataFrame({"a": a, "b": b})


def _pairs_within(groups: Ints, members: Ints, limit: int) -> tuple[Ints, Ints]:
    """Every pair (a < b) of members of one group, for groups of at most ``limit`` members."""
    order = np.lexsort((members, groups))
    groups, members = groups[order], members[order]
    left: list[Ints] = []
    right: list[Ints] = []
    for step in range(1, limit):
        same = groups[step:] == groups[:-step]
        if not same.any():
            break
        left.append(members[:-step][same])
        right.append(members[step:][same])
    if not left:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(left), np.concatenate(right)


def _geo_pairs(table: VenueTable, limit: int) -> pl.DataFrame:
    """Each venue with those in its ~1 km neighbourhood (its cell and the 8 around it), where the
    whole neighbourhood holds at most ``limit`` venues (blocking._geo_neighbours)."""
    lat = table.frame["latitude"].to_numpy()
    lon = table.frame["longitude"].to_numpy()
    located = np.flatnonzero(~np.isnan(lat))
    if len(located) < 2:
        return pl.DataFrame({"a": [], "b": []}, schema={"a": pl.Int64, "b": pl.Int64})
    lat, lon = lat[located], lon[located]
    row = np.floor(lat / CELL_DEG).astype(np.int64)
    rows = np.arange(row.min() - 1, row.max() + 2)
    scales = np.array([row_scale(int(r)) for r in rows])  # math.cos, as the scalar path

    # Each venue's cell in its own row and in the rows above and below (longitude scaled per row).
    base = {
        dr: (row + dr) * 1_000_003 + np.floor(lon * scales[row + dr - rows[0]]).astype(np.int64)
        for dr in (-1, 0, 1)
    }
    own = base[0]
    order = np.argsort(own, kind="stable")  # venues by cell: each cell's members are a run
    ordered = own[order]
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    cell_ids = ordered[starts]
    counts = np.diff(np.append(starts, len(ordered)))
    offsets = [(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)]

    def lookup(dr: int, dc: int, where: Bools | None = None) -> tuple[Ints, Ints]:
        # The run (start, count) of the neighbouring cell (dr, dc) of each venue; count 0 if empty.
        cell = (base[dr] if where is None else base[dr][where]) + dc
        at = np.searchsorted(cell_ids, cell).clip(0, len(cell_ids) - 1)
        hit = cell_ids[at] == cell
        return starts[at], np.where(hit, counts[at], 0)

    near = np.zeros(len(own), dtype=np.int64)
    for dr, dc in offsets:
        near += lookup(dr, dc)[1]
    # The whole neighbourhood counts as one block: a dense downtown says nothing.
    quiet = near <= limit
    venue = located[quiet]
    left: list[Ints] = []
    right: list[Ints] = []
    for dr, dc in offsets:
        start, count = lookup(dr, dc, quiet)
        a = np.repeat(venue, count)
        first = np.repeat(start - (np.cumsum(count) - count), count)
        b = located[order[first + np.arange(len(a))]]
        left.append(np.minimum(a, b)[a != b])
        right.append(np.maximum(a, b)[a != b])
    return pl.DataFrame({"a": np.concatenate(left), "b": np.concatenate(right)})


# --- comparison levels -----------------------------------------------------------------------------


class PairLevels:
    """Level codes of every field for pairs (left[k], right[k]), VENUE_FIELDS order, and whether
    the name keys are equal (term-frequency adjustments apply then)."""

    __slots__ = ("codes", "name_equal")

    def __init__(self, codes: Codes, name_equal: Bools) -> None:
        self.codes = codes  # shape (len(VENUE_FIELDS), pairs)
        self.name_equal = name_equal

    def patterns(self) -> list[tuple[str, ...]]:
        """The level tuples, as scoring.pair_levels gives them."""
        names = np.array(LEVELS, dtype=object)
        return list(zip(*(names[c] for c in self.codes), strict=True))


def pair_level_codes(table: VenueTable, left: Ints, right: Ints) -> PairLevels:
    """The levels of pairs (left[k], right[k]): scoring.pair_levels for each, computed at once."""
    comparison = table.comparison_frame()
    count = len(left)
    codes = np.zeros((len(VENUE_FIELDS), count), dtype=np.uint8)
    a = comparison[left]
    b = comparison[right]
    metres = _metres(a, b)

    name_equal = (a["name_key"] == b["name_key"]).to_numpy()
    codes[FIELD_INDEX["name"]] = _name_codes(a, b, name_equal, table.name_words(), left, right)
    codes[FIELD_INDEX["city"]] = _city_codes(a["city"], b["city"], metres)
    codes[FIELD_INDEX["country"]] = _equality_codes(a["country"], b["country"])
    codes[FIELD_INDEX["street"]] = _street_codes(a, b)
    codes[FIELD_INDEX["postcode"]] = _equality_codes(a["postcode"], b["postcode"])
    codes[FIELD_INDEX["geo"]] = _geo_codes(metres)
    codes[FIELD_INDEX["phone"]] = _phone_codes(a["phone"], b["phone"])
    web = _equality_codes(a["website_host"], b["website_host"])
    generic = (a["website_generic"] | b["website_generic"]).to_numpy()
    web[(web != CODE["missing"]) & generic] = CODE["ignored"]
    codes[FIELD_INDEX["website"]] = web
    # external IDs: missing unless both sides have some (then the scalar rule).
    ids = table.external_ids
    if ids is not None:
        has_ids = np.array([bool(x) for x in ids])
        for pair in np.flatnonzero(has_ids[left] & has_ids[right]).tolist():
            codes[FIELD_INDEX["external_ids"], pair] = CODE[ids_level(ids[left[pair]], ids[right[pair]])[0]]
    # Non-ASCII text: the scalar comparison (word boundaries and digits are Unicode there).
    exotic = np.flatnonzero((a["exotic"] | b["exotic"]).to_numpy())
    if len(exotic):
        positions = np.unique(np.concatenate([left[exotic], right[exotic]])).tolist()
        venue = dict(zip(positions, table.venues(positions), strict=True))
        for pair in exotic.tolist():
            levels = pair_levels(venue[int(left[pair])], venue[int(right[pair])])
            codes[:, pair] = [CODE[lvl] for lvl in levels]
    return PairLevels(codes, name_equal)


def _metres(a: pl.DataFrame, b: pl.DataFrame) -> Floats:
    """scoring.haversine_m for every pair, NaN where either side has no coordinates.

    numpy's sin/cos/asin may differ from libm's in the last bit: a pair exactly on a bucket edge
    (to a nanometre) could fall on the other side of it than in the scalar path."""
    lat1, lon1 = a["latitude"].to_numpy(), a["longitude"].to_numpy()
    lat2, lon2 = b["latitude"].to_numpy(), b["longitude"].to_numpy()
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(lon2 - lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    result: Floats = 2 * 6_371_008.8 * np.arcsin(np.minimum(1.0, np.sqrt(h)))
    return result


def _equality_codes(a: pl.Series, b: pl.Series) -> Codes:
    present = (a.is_not_null() & b.is_not_null() & (a != "") & (b != "")).fill_null(False).to_numpy()
    equal = (a == b).fill_null(False).to_numpy()
    out = np.full(len(a), CODE["missing"], dtype=np.uint8)
    out[present] = np.where(equal[present], CODE["exact"], CODE["different"])
    return out


def _geo_codes(metres: Floats) -> Codes:
    out = np.full(len(metres), CODE["missing"], dtype=np.uint8)
    known = ~np.isnan(metres)
    m = metres[known]
    out[known] = np.select(
        [m <= GEO_EXACT_M, m <= GEO_CLOSE_M, m <= GEO_NEAR_M],
        [CODE["exact"], CODE["close"], CODE["near"]],
        CODE["different"],
    )
    return out


def _phone_codes(a: pl.Series, b: pl.Series) -> Codes:
    out = _equality_codes(a, b)
    differ = np.flatnonzero(out == CODE["different"])
    if len(differ):
        pa, pb = a.gather(differ), b.gather(differ)
        same_length = (pa.str.len_chars() == pb.str.len_chars()).to_numpy()
        rows = differ[same_length]
        if len(rows):
            # One character apart (same length): the switchboard of one building.
            distance = cpdist(
                pa.filter(same_length).to_list(),
                pb.filter(same_length).to_list(),
                scorer=Hamming.distance,
                dtype=np.int64,
                workers=-1,
            )
            out[rows[distance == 1]] = CODE["close"]
    return out


def _ratios(a: pl.Series, b: pl.Series) -> Floats:
    """scoring.string_ratio of aligned strings."""
    if len(a) == 0:
        return np.zeros(0)
    result: Floats = cpdist(
        a.to_list(), b.to_list(), scorer=Indel.normalized_similarity, dtype=np.float64, workers=-1
    )
    return result


def _street_codes(a: pl.DataFrame, b: pl.DataFrame) -> Codes:
    out = _equality_codes(a["street"], b["street"])
    differ = np.flatnonzero(out == CODE["different"])
    if not len(differ):
        return out
    frame = pl.DataFrame({"a": a["street"].gather(differ), "b": b["street"].gather(differ)}).with_columns(
        na=pl.col("a").str.extract(r"^([^ ]*)", 1), nb=pl.col("b").str.extract(r"^([^ ]*)", 1)
    )
    checks = frame.select(
        # Next-door numbers are different buildings often enough: different.
        numbers_differ=(pl.col("na") != pl.col("nb"))
        & pl.col("na").str.contains("[0-9]")
        & pl.col("nb").str.contains("[0-9]"),
        # A cross-street or a direction after the street: close.
        extends=pl.when(pl.col("a").str.len_chars() <= pl.col("b").str.len_chars())
        .then(pl.col("b").str.starts_with(pl.col("a") + " "))
        .otherwise(pl.col("a").str.starts_with(pl.col("b") + " ")),
    )
    numbers_differ = checks["numbers_differ"].to_numpy()
    extends = checks["extends"].to_numpy() & ~numbers_differ
    rest = ~numbers_differ & ~extends
    codes = np.full(len(differ), CODE["different"], dtype=np.uint8)
    codes[extends] = CODE["close"]
    idx = np.flatnonzero(rest)
    ratio = _ratios(frame["a"].gather(idx), frame["b"].gather(idx))
    codes[idx[ratio >= STREET_CLOSE]] = CODE["close"]
    out[differ] = codes
    return out


def _city_codes(a: pl.Series, b: pl.Series, metres: Floats) -> Codes:
    """scoring._city_level: scoring.city_text_level, then "different" within 1 km is nearby."""
    out = _equality_codes(a, b)
    differ = np.flatnonzero(out == CODE["different"])
    if len(differ):
        frame = pl.DataFrame({"a": a.gather(differ), "b": b.gather(differ)})
        # "New York" / "New York City": close.
        extends = (
            frame.select(
                pl.when(pl.col("a").str.len_chars() <= pl.col("b").str.len_chars())
                .then(pl.col("b").str.starts_with(pl.col("a") + " "))
                .otherwise(pl.col("a").str.starts_with(pl.col("b") + " "))
            )
            .to_series()
            .to_numpy()
        )
        codes = np.full(len(differ), CODE["different"], dtype=np.uint8)
        codes[extends] = CODE["close"]
        rest = np.flatnonzero(~extends)
        ratio = _ratios(frame["a"].gather(rest), frame["b"].gather(rest))
        codes[rest[ratio >= CITY_CLOSE]] = CODE["close"]
        nearby = (codes == CODE["different"]) & (metres[differ] <= CITY_SAME_PLACE_M)
        codes[nearby] = CODE["different_nearby"]
        out[differ] = codes
    return out


def _shared_words(words: NameWords, left: Ints, right: Ints) -> tuple[Ints, Ints]:
    """For each pair, how many words the two names share, and how many of those are core words."""
    count = len(left)

    def expand(side: Ints) -> tuple[Ints, Ints]:
        # (pair, word index) for every word of every pair's venue on that side.
        sizes = words.count[side]
        pair = np.repeat(np.arange(count, dtype=np.int64), sizes)
        within = np.arange(len(pair), dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        return pair, words.starts[side][pair] + within

    pair_a, word_a = expand(left)
    pair_b, word_b = expand(right)
    keys_b = np.sort(pair_b * words.vocabulary + words.ids[word_b].astype(np.int64))
    keys_a = pair_a * words.vocabulary + words.ids[word_a].astype(np.int64)
    at = np.searchsorted(keys_b, keys_a).clip(0, max(len(keys_b) - 1, 0))
    found = keys_b[at] == keys_a if len(keys_b) else np.zeros(len(keys_a), dtype=bool)
    shared = np.bincount(pair_a[found], minlength=count).astype(np.int64)
    shared_core = np.bincount(pair_a[found & ~words.noise[word_a]], minlength=count).astype(np.int64)
    return shared, shared_core


def _name_codes(
    a: pl.DataFrame, b: pl.DataFrame, equal: Bools, words: NameWords, left: Ints, right: Ints
) -> Codes:
    """scoring._name_level: exact for equal keys, else from word sets and the key ratio."""
    out = np.full(len(equal), CODE["exact"], dtype=np.uint8)
    differ = np.flatnonzero(~equal)
    if not len(differ):
        return out
    wa, wb = a[differ], b[differ]
    pa, pb = left[differ], right[differ]
    shared, shared_core = _shared_words(words, pa, pb)
    na, nb = words.count[pa], words.count[pb]
    core_a, core_b = words.core_count[pa], words.core_count[pb]
    noise_a, noise_b = words.noise_bits[pa], words.noise_bits[pb]
    # Equal core word sets: as many core words on each side, all of them shared.
    core_equal = (core_a > 0) & (core_a == core_b) & (shared_core == core_a)
    noise_nested = ((noise_a & ~noise_b) == 0) | ((noise_b & ~noise_a) == 0)
    shorter = np.minimum(na, nb)
    longer = np.maximum(na, nb)
    # "shorter < longer" as sets: a proper subset (the smaller set, or the first if equal in size).
    proper_subset = (shared == shorter) & (longer > shorter)
    qualifier = (shorter >= 2) & proper_subset & (longer - shorter <= 2)
    union = na + nb - shared
    with np.errstate(invalid="ignore", divide="ignore"):
        jaccard = np.where(union > 0, shared / np.where(union > 0, union, 1), 0.0)
    la = wa["name_key"].str.len_chars().cast(pl.Int64).to_numpy()
    lb = wb["name_key"].str.len_chars().cast(pl.Int64).to_numpy()
    total = la + lb
    with np.errstate(invalid="ignore", divide="ignore"):
        bound = np.where(total > 0, 2.0 * np.minimum(la, lb) / np.where(total > 0, total, 1), 0.0)
    special = (core_equal & noise_nested) | qualifier
    use_ratio = ~special & ~((bound <= jaccard) | (bound < NAME_SIMILAR))
    sim = jaccard.copy()
    idx = np.flatnonzero(use_ratio)
    sim[idx] = np.maximum(jaccard[idx], _ratios(wa["name_key"].gather(idx), wb["name_key"].gather(idx)))
    sim = np.where(core_equal & noise_nested, 0.95, np.where(qualifier, NAME_SIMILAR, sim))
    base_equal = (wa["base_key"] == wb["base_key"]).to_numpy()
    n_core_shorter = np.where(na <= nb, core_a, core_b)
    partial = proper_subset & (n_core_shorter > 0)
    out[differ] = np.select(
        [sim >= 0.999, sim >= NAME_CLOSE, base_equal, sim >= NAME_SIMILAR, partial],
        [CODE["exact"], CODE["close"], CODE["close"], CODE["similar"], CODE["partial"]],
        CODE["different"],
    )
    return out


# --- scores ----------------------------------------------------------------------------------------


def _weights(model: VenueModel, field: str) -> Floats:
    table = model.table[FIELD_INDEX[field]]
    return np.array([table.get(level, math.nan) for level in LEVELS])


FrequentBits = dict[str, Floats]


def frequent_bits(table: VenueTable, model: VenueModel) -> FrequentBits:
    """Per venue, the model's term-frequency adjustment of its name key, phone and website host
    (0 where the value is not frequent): what an "exact" pair of them adds (scoring.pair_bits)."""
    out: FrequentBits = {}
    for field, column in (("name", "name_key"), ("phone", "phone"), ("website", "website_host")):
        bits = model.frequent.get(field)
        values = table.frame[column]
        out[field] = (
            values.replace_strict(dict(bits), default=0.0, return_dtype=pl.Float64).fill_null(0.0).to_numpy()
            if bits
            else np.zeros(len(values))
        )
    return out


def pair_bits_array(
    table: VenueTable,
    left: Ints,
    right: Ints,
    levels: PairLevels,
    model: VenueModel,
    frequent: FrequentBits | None = None,
) -> Floats:
    """scoring.pair_bits (without the early exit) for every pair, operation for operation.
    ``frequent``: frequent_bits(table, model), when scoring in chunks."""
    codes = levels.codes

    def w(field: str) -> Floats:
        result: Floats = _weights(model, field)[codes[FIELD_INDEX[field]]]
        return result

    street, postcode, geo, phone, web = w("street"), w("postcode"), w("geo"), w("phone"), w("website")
    if model.frequent:
        frequent = frequent if frequent is not None else frequent_bits(table, model)
        exact = CODE["exact"]
        phone = phone + np.where(codes[FIELD_INDEX["phone"]] == exact, frequent["phone"][left], 0.0)
        # An exact website level means neither host is generic.
        web = web + np.where(codes[FIELD_INDEX["website"]] == exact, frequent["website"][left], 0.0)
    clamp = model.location == "clamp"
    if clamp:
        location = street + postcode + geo
        place = np.minimum(LOCATION_MAX, np.maximum(LOCATION_MIN, location)) + phone + web
        agree = np.zeros(len(left))
    else:
        agree = np.maximum.reduce([np.zeros(len(left)), street, postcode, geo, phone])
        place = agree + np.minimum.reduce([np.zeros(len(left)), street, postcode, geo, phone, web])
    total = model.prior_weight + place + w("city") + w("country") + w("external_ids")
    exact_name = model.table[FIELD_INDEX["name"]]["exact"]
    if model.frequent:
        assert frequent is not None
        name = np.where(levels.name_equal, exact_name + frequent["name"][left], w("name"))
    else:
        name = np.where(levels.name_equal, exact_name, w("name"))
    if clamp:
        result: Floats = total + name
        return result
    return total + name + np.maximum(0.0, web - np.maximum(name, agree))


def pairs_from(pairs: Sequence[tuple[int, int]]) -> tuple[Ints, Ints]:
    """Position arrays from a list of pairs."""
    arr = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    return arr[:, 0].copy(), arr[:, 1].copy()
