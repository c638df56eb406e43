"""A venue table as columns: reading a CSV and normalising it vectorised, for the batch resolver.

``read_venue_csv`` reads a file with polars and normalises every column at once with the same
results as the scalar normalisers in ``normalize`` (which ``PreparedVenue`` uses online): lower
case, punctuation, "&", theatre/theater, a leading "the", street types and directions, NANP phones
to E.164, website hosts, postcodes. Cities and countries repeat, so the scalar functions run once
per distinct value. Whatever the vectorised rules cannot do exactly (non-ASCII text, units in a
street, international phones, unusual URLs, odd numbers) goes through the scalar normaliser for
those values only. tests/entities/test_columnar.py checks both give the same table. The file is
read in batches, so that only a batch's raw strings are held at once.

``NameWords`` holds every name's words as integer arrays, for the pair engine (``pairs``).

No Django; polars and numpy only.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache
from typing import Final

import numpy as np
import polars as pl

from entities.resolution import normalize
from entities.resolution.blocking import BLOCK_STOP_TOKENS
from entities.resolution.normalize import VENUE_NOISE_TOKENS
from entities.resolution.records import PreparedVenue, base_key

# The columns a venue CSV may have; "id" and "name" are required, the others optional.
COLUMNS: Final = ("id", "name", "addr", "city", "postcode", "country", "phone", "website", "lat", "lng")
# The prepared table's columns: PreparedVenue's fields but external_ids.
PREPARED_COLUMNS: Final = PreparedVenue._fields[:-1]
_NO_IDS: Final[frozenset[tuple[str, str]]] = frozenset()


class VenueTable:
    """Prepared venues as columns (PREPARED_COLUMNS; None as null), and their external IDs if any."""

    __slots__ = ("_comparison", "_words", "external_ids", "frame")

    def __init__(
        self, frame: pl.DataFrame, external_ids: Sequence[frozenset[tuple[str, str]]] | None = None
    ) -> None:
        self.frame = frame
        self.external_ids = external_ids
        self._comparison: pl.DataFrame | None = None
        self._words: NameWords | None = None

    def __len__(self) -> int:
        return self.frame.height

    def comparison_frame(self) -> pl.DataFrame:
        """The columns pair comparisons read, per venue (computed once): the prepared values they
        compare, and whether any compared text is not ASCII."""
        if self._comparison is None:
            self._comparison = _comparison_frame(self.frame)
        return self._comparison

    def name_words(self) -> NameWords:
        """The words of every name (computed once)."""
        if self._words is None:
            self._words = NameWords(self.frame["name_norm"])
        return self._words

    def venue(self, position: int) -> PreparedVenue:
        """The PreparedVenue at a position: what the scalar path (scores, explanations) takes."""
        ids = self.external_ids[position] if self.external_ids is not None else _NO_IDS
        return PreparedVenue._make((*self.frame.row(position), ids))

    def venues(self, positions: Iterable[int] | None = None) -> list[PreparedVenue]:
        """PreparedVenues for the given positions (all by default), in that order."""
        chosen: Sequence[int]
        if positions is None:
            frame, chosen = self.frame, range(self.frame.height)
        else:
            chosen = list(positions)
            frame = self.frame[chosen]
        ids = self.external_ids
        return [
            PreparedVenue._make((*row, ids[p] if ids is not None else _NO_IDS))
            for p, row in zip(chosen, frame.iter_rows(), strict=True)
        ]

    def positions(self, venue_ids: Sequence[str]) -> list[int]:
        """The position of each id (ValueError if one is not in the table)."""
        found = (
            self.frame.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("pos"), "id")
            .filter(pl.col("id").is_in(list(venue_ids)))
            .rows()
        )
        where = {venue_id: pos for pos, venue_id in found}
        missing = [v for v in venue_ids if v not in where]
        if missing:
            raise ValueError(f"unknown venue id {missing[0]!r}")
        return [where[v] for v in venue_ids]

    @classmethod
    def from_venues(cls, venues: Sequence[PreparedVenue]) -> VenueTable:
        """The table of already prepared venues (the pipeline's duplicate pass, tests)."""
        columns = {name: [v[k] for v in venues] for k, name in enumerate(PREPARED_COLUMNS)}
        frame = pl.DataFrame(columns, schema=_SCHEMA, strict=False)
        ids = [v.external_ids for v in venues]
        return cls(frame, ids if any(ids) else None)


_SCHEMA: Final[dict[str, type[pl.DataType]]] = {
    **dict.fromkeys(PREPARED_COLUMNS, pl.String),
    "website_generic": pl.Boolean,
    "latitude": pl.Float64,
    "longitude": pl.Float64,
}


# Noise words as bits, for "one name's venue-type words are a subset of the other's".
NOISE_BITS: Final[dict[str, int]] = {word: 1 << k for k, word in enumerate(sorted(VENUE_NOISE_TOKENS))}
assert len(NOISE_BITS) <= 63


class NameWords:
    """The distinct words of every venue's normalised name, as arrays (a CSR layout): venue i's
    words are ``ids[starts[i]:starts[i + 1]]`` (ascending word ids; equal ids, equal words; ``pos``
    repeats i for each), ``noise`` says which are VENUE_NOISE_TOKENS and ``blockable`` which may key
    a block (longer than a letter, not a stop word). Per venue: word counts, core (non-noise) word
    counts, and the noise words as bits (NOISE_BITS, summed)."""

    __slots__ = (
        "blockable",
        "core_count",
        "count",
        "ids",
        "noise",
        "noise_bits",
        "pos",
        "starts",
        "vocabulary",
    )

    def __init__(self, name_norm: pl.Series) -> None:
        n = len(name_norm)
        exploded = (
            pl.DataFrame({"word": name_norm.str.split(" ")})
            .with_row_index("pos")
            .explode("word")
            .filter(pl.col("word") != "")
        )
        words = exploded["word"]
        word_ids = words.cast(pl.Categorical).to_physical().to_numpy()
        self.vocabulary = int(word_ids.max()) + 1 if len(word_ids) else 1
        noise_words = sorted(NOISE_BITS)
        # 1 + the noise word's index, 0 for other words; bits per index below.
        noise_index = words.replace_strict(
            {w: k + 1 for k, w in enumerate(noise_words)}, default=0, return_dtype=pl.UInt8
        ).to_numpy()
        # A word can key a block (blocking._words) if longer than one letter and not a stop word.
        blockable = ((words.str.len_chars() > 1) & ~words.is_in(sorted(BLOCK_STOP_TOKENS))).to_numpy()
        venue = exploded["pos"].to_numpy()
        del exploded, words
        # Sort by (venue, word) and drop repeated words of a name ("the the").
        key = venue.astype(np.int64) * self.vocabulary + word_ids
        del venue, word_ids
        order = np.argsort(key, kind="stable")
        key = key[order]
        first = np.concatenate([[True], key[1:] != key[:-1]]) if len(key) else np.zeros(0, dtype=bool)
        kept = order[first]
        del order
        key = key[first]
        self.blockable = blockable[kept]
        noise_index = noise_index[kept]
        pos = self.pos = (key // self.vocabulary).astype(np.int32)
        self.ids = (key % self.vocabulary).astype(np.int32)
        del key
        self.noise = noise_index != 0
        self.count = np.bincount(pos, minlength=n).astype(np.int64)
        self.starts = np.concatenate([[0], np.cumsum(self.count)]).astype(np.int64)
        self.core_count = np.bincount(pos[~self.noise], minlength=n).astype(np.int64)
        bit_of = np.array([0] + [NOISE_BITS[w] for w in noise_words], dtype=np.int64)
        noise_bits = np.zeros(n, dtype=np.int64)
        np.add.at(noise_bits, pos[self.noise], bit_of[noise_index[self.noise]])
        self.noise_bits = noise_bits


def _comparison_frame(frame: pl.DataFrame) -> pl.DataFrame:
    # Normalised text is letters, digits and spaces: more bytes than characters means not ASCII.
    exotic = pl.any_horizontal(
        (pl.col(c).str.len_bytes() != pl.col(c).str.len_chars()).fill_null(False)
        for c in ("name_norm", "street", "city")
    )
    return frame.select(
        "name_key",
        "base_key",
        "street",
        "city",
        "postcode",
        "country",
        "phone",
        "website_host",
        "website_generic",
        "latitude",
        "longitude",
        exotic=exotic,
    )


# --- reading -------------------------------------------------------------------------------------


# Rows read and normalised at a time: the raw strings of a million rows would cost more than the
# prepared table, and the intermediate columns scale with the batch.
READ_BATCH_ROWS: Final = 200_000


def read_venue_csv(
    path: str | os.PathLike[str], *, progress: Callable[[int], None] | None = None
) -> VenueTable:
    """Read and prepare a venue CSV (columns as COLUMNS, header names case-insensitive; id and name
    required), in file order, in batches (``progress`` gets the rows prepared after each). Rows
    whose fields are all empty (blank lines) are skipped."""
    try:
        lazy = pl.scan_csv(
            os.fspath(path),
            infer_schema=False,
            truncate_ragged_lines=True,
            empty_string_is_null=False,
            raise_if_empty=False,
        )
        header = lazy.collect_schema().names()
        names = [h.strip().lower() for h in header]
        if "id" not in names or "name" not in names:
            raise ValueError("the rows need at least the columns id and name")
        # The first column of each name, as the csv module's header lookup did.
        picked = lazy.select(
            (pl.col(header[names.index(c)]).fill_null("") if c in names else pl.lit("")).alias(c)
            for c in COLUMNS
        )
        prepared: list[pl.DataFrame] = []
        # Two batches at a time: one runs in polars (without the GIL) while the other is in Python.
        with ThreadPoolExecutor(max_workers=2) as pool:
            pending: deque[Future[pl.DataFrame]] = deque()
            for raw in picked.collect_batches(chunk_size=READ_BATCH_ROWS):
                pending.append(pool.submit(_prepare_batch, raw))
                if len(pending) == 2:
                    prepared.append(pending.popleft().result())
                    if progress is not None:
                        progress(sum(f.height for f in prepared))
            while pending:
                prepared.append(pending.popleft().result())
                if progress is not None:
                    progress(sum(f.height for f in prepared))
    except pl.exceptions.PolarsError as exc:
        raise ValueError(str(exc)) from exc
    if not prepared:
        prepared.append(
            prepare_frame(pl.DataFrame({c: [] for c in COLUMNS}, schema=dict.fromkeys(COLUMNS, pl.String)))
        )
    return VenueTable(pl.concat(prepared, rechunk=True))


def _prepare_batch(raw: pl.DataFrame) -> pl.DataFrame:
    blank = raw.select(pl.all_horizontal(pl.all() == "")).to_series()
    return prepare_frame(raw.filter(~blank) if blank.any() else raw)


# A field the vectorised rules handle: printable ASCII, tabs and line breaks (Python's and polars'
# ideas of whitespace, case and word characters agree there).
_PLAIN: Final = r"^[\t\n\r -~]*$"


def prepare_frame(raw: pl.DataFrame) -> pl.DataFrame:
    """COLUMNS of raw strings ("" for empty) -> PREPARED_COLUMNS, as ``records.prepare_values``."""
    n = raw.height
    plain = raw.select(
        [pl.col(c).str.contains(_PLAIN).alias(c) for c in ("id", "name", "addr", "lat", "lng")]
    )
    out: dict[str, pl.Series] = {}
    out["id"] = _with_scalar(
        raw.select(pl.col("id").str.strip_chars()).to_series(),
        ~plain["id"],
        raw["id"],
        lambda s: s.strip(),
    )
    out["name"] = raw["name"]
    name_norm, name_fallback = _normalize_name(raw["name"], plain["name"])
    name_norm = _with_scalar(name_norm, name_fallback, raw["name"], normalize.normalize_name)
    out["name_norm"] = name_norm
    name_key = name_norm.str.replace_all(" ", "", literal=True)
    out["name_key"] = name_key
    out["base_key"] = _base_keys(raw["name"], name_norm, name_key)
    street, street_fallback = _normalize_street(raw["addr"], plain["addr"])
    out["street"] = _empty_to_null(
        _with_scalar(street, street_fallback, raw["addr"], lambda s: normalize.normalize_street(s) or None)
    )
    out["city"] = _per_value(raw["city"], lambda s: normalize.normalize_city(s) or None)
    country = _per_value(raw["country"], normalize.normalize_country)
    out["country"] = country
    out["postcode"] = _postcodes(raw["postcode"], country)
    out["phone"] = _phones(raw["phone"], country)
    host, generic = _hosts(raw["website"])
    out["website_host"] = host
    out["website_generic"] = generic
    lat, lng = (_numbers(raw[c], plain[c]) for c in ("lat", "lng"))
    located = (
        pl.DataFrame({"lat": lat, "lng": lng})
        .select(
            pl.when(
                (pl.col("lat") >= -90)
                & (pl.col("lat") <= 90)
                & (pl.col("lng") >= -180)
                & (pl.col("lng") <= 180)
                & ~((pl.col("lat") == 0) & (pl.col("lng") == 0))
            )
            .then(pl.struct("lat", "lng"))
            .alias("point")
        )
        .unnest("point")
    )
    out["latitude"] = located["lat"].alias("latitude")
    out["longitude"] = located["lng"].alias("longitude")
    frame = pl.DataFrame([out[c].alias(c) for c in PREPARED_COLUMNS])
    assert frame.height == n
    return frame


def _with_scalar(
    values: pl.Series, fallback: pl.Series, raw: pl.Series, scalar: Callable[[str], str | None]
) -> pl.Series:
    """``values`` with the rows flagged in ``fallback`` computed by the scalar normaliser."""
    rows = np.flatnonzero(fallback.fill_null(False).to_numpy())
    if not len(rows):
        return values
    values = values.clone()  # scatter writes in place
    fixed = [scalar(s) if s else None for s in raw.gather(rows).to_list()]
    return values.scatter(rows, pl.Series(fixed, dtype=values.dtype))


def _empty_to_null(values: pl.Series) -> pl.Series:
    return pl.select(pl.when(values != "").then(values)).to_series().alias(values.name)


def _per_value(raw: pl.Series, scalar: Callable[[str], str | None]) -> pl.Series:
    """The scalar normaliser run once per distinct value (cities, countries repeat)."""
    distinct = raw.unique().to_list()
    mapping = {s: scalar(s) if s else None for s in distinct}
    return raw.replace_strict(mapping, return_dtype=pl.String)


def _text(expr: pl.Expr) -> pl.Expr:
    """normalize_text for plain (ASCII) strings."""
    return (
        expr.str.to_lowercase()
        .str.replace_many(["&", "'", "`"], [" and ", "", ""])
        .str.replace_all(r"[^a-z0-9]+", " ")
        .str.strip_chars(" ")
    )


def _map_words(text: pl.Expr, words: dict[str, str]) -> pl.Expr:
    """Replace whole words of a text of single-space-separated words, in one pass: every word gets
    its own pair of spaces, so that " word " patterns never overlap."""
    spaced = pl.lit(" ") + text.str.replace_all(" ", "  ", literal=True) + pl.lit(" ")
    mapped = spaced.str.replace_many([f" {old} " for old in words], [f" {new} " for new in words.values()])
    return mapped.str.replace_all("  ", " ", literal=True).str.strip_chars(" ")


def _normalize_name(raw: pl.Series, plain: pl.Series) -> tuple[pl.Series, pl.Series]:
    spelled = _text(pl.col("s"))
    for old, new in normalize._NAME_SPELLINGS.items():  # five words: a pass each is cheapest
        spelled = spelled.str.replace_all(rf"\b{old}\b", new)
    result = pl.DataFrame({"s": raw}).select(spelled.str.replace(r"^the ", "").alias("s")).to_series()
    return result, ~plain


def _base_keys(raw: pl.Series, name_norm: pl.Series, name_key: pl.Series) -> pl.Series:
    """records.base_key: the name key unless the name ends with a "(qualifier)" or a "the"; those (few)
    rows go through the scalar function."""
    frame = pl.DataFrame({"raw": raw, "norm": name_norm, "key": name_key})
    special = frame.select(
        pl.col("raw").str.strip_chars_end().str.contains(r"[)\]]$") | pl.col("norm").str.ends_with(" the")
    ).to_series()
    rows = np.flatnonzero(special.to_numpy())
    base = name_key.clone()  # scatter writes in place
    if len(rows):
        picked = frame[rows].rows()
        base = base.scatter(rows, pl.Series([base_key(r, nn, k) for r, nn, k in picked], dtype=pl.String))
    return base


def _normalize_street(raw: pl.Series, plain: pl.Series) -> tuple[pl.Series, pl.Series]:
    """normalize_street's common path; flags the rows that need its slow path (units, floors,
    "-strasse", split directions) or are not plain."""
    s = pl.col("s")
    head = s.str.extract(r"^([^,]*)", 1)
    cut = pl.when(s.str.contains(",", literal=True) & head.str.contains(r"[0-9]")).then(head).otherwise(s)
    unhashed = cut.str.replace_all(r"#\s*[\w-]+", " ")
    text = _text(unhashed)
    frame = pl.DataFrame({"s": raw}).select(text.alias("text"))
    slow_words = "|".join(sorted(normalize._STREET_SLOW_WORDS))
    needs_slow = pl.col("text").str.contains(rf"\b(?:{slow_words})\b|strasse") | (
        pl.col("text").str.contains(r"\b[ew]\b") & pl.col("text").str.contains(r"\b[ns]\b")
    )
    fast = _map_words(pl.col("text"), dict(normalize._STREET_FAST))
    result = frame.select(fast.alias("street"), needs_slow.alias("slow"))
    return result["street"], result["slow"] | ~plain


def _by_distinct(inputs: pl.DataFrame, compute: Callable[[pl.DataFrame], pl.Series]) -> pl.Series:
    """``compute`` over the distinct non-empty values of the first column of ``inputs`` (with the
    other columns: websites and postcodes repeat across the copies of a venue), mapped back to
    every row; null where the value is empty."""
    key = inputs.columns[0]
    present = inputs.with_row_index("_row").filter(pl.col(key) != "")
    distinct = present.drop("_row").unique(maintain_order=False)
    result = compute(distinct)
    mapped = present.join(
        distinct.with_columns(result.alias("_result")), on=inputs.columns, how="left", nulls_equal=True
    )
    return (
        pl.DataFrame({"_row": pl.int_range(inputs.height, dtype=pl.UInt32, eager=True)})
        .join(mapped.select("_row", "_result"), on="_row", how="left", maintain_order="left")["_result"]
        .alias(result.name)
    )


def _postcodes(raw: pl.Series, country: pl.Series) -> pl.Series:
    """normalize_postcode(value, country code) for plain values; the scalar function for others."""
    return _by_distinct(pl.DataFrame({"pc": raw, "cc": country}), _distinct_postcodes)


def _distinct_postcodes(frame: pl.DataFrame) -> pl.Series:
    pc = pl.col("pc").str.strip_chars().str.to_uppercase()
    us_digits = pc.str.replace_all(r"[^0-9]", "")
    us = (
        pl.when(us_digits.str.len_chars().is_between(3, 4))
        .then(us_digits.str.zfill(5))
        .otherwise(us_digits.str.slice(0, 5))
    )
    zip_plus = pc.str.extract(r"^([0-9]{5})(?:-?[0-9]{4})?$", 1)
    other = pc.str.replace_all(r"[\s\-.]+", "")
    value = (
        pl.when(pc == "")
        .then(None)
        .when(pl.col("cc") == "US")
        .then(us)
        .when(pl.col("cc").is_null() & zip_plus.is_not_null() & pc.str.contains("-", literal=True))
        .then(zip_plus)
        .otherwise(other)
    )
    result = _empty_to_null(frame.select(value.alias("postcode")).to_series())
    # Non-plain values, and countries whose code normalize_country would change again.
    odd = frame.select(
        (pl.col("pc") != "")
        & (~pl.col("pc").str.contains(_PLAIN) | (pl.col("cc").str.len_chars() != 2).fill_null(False))
    ).to_series()
    rows = np.flatnonzero(odd.to_numpy())
    if len(rows):
        fixed = [normalize.normalize_postcode(p, c) for p, c in frame[rows].rows()]
        result = result.scatter(rows, pl.Series(fixed, dtype=pl.String))
    return result


# "(206) 709-9442", "+1 206 709 9442", ...: normalize._NANP_SHAPE with ASCII classes spelled out.
_WS: Final = r"[ \t\n\r\x0b\x0c]"
_SEP: Final = r"[ \t\n\r\x0b\x0c\-./()]"
_NANP_SHAPE: Final = (
    rf"^{_WS}*(\+{_WS}*1|1)?{_SEP}*([2-9][0-9]{{2}}){_SEP}*([0-9]{{3}}){_SEP}*([0-9]{{4}}){_WS}*$"
)


def _phones(raw: pl.Series, country: pl.Series) -> pl.Series:
    """normalize_phone for North American numbers in the usual shapes, in the US or Canada (the
    region a venue's country gives, else the US); the scalar function for every other number."""
    rows = np.flatnonzero((raw != "").to_numpy())
    phones = _present_phones(pl.DataFrame({"p": raw.gather(rows), "cc": country.gather(rows)}))
    return pl.Series("phone", [None] * len(raw), dtype=pl.String).scatter(rows, phones)


def _present_phones(frame: pl.DataFrame) -> pl.Series:
    region_nanp = (
        pl.col("cc").is_null() | pl.col("cc").is_in(["US", "CA"]) | (pl.col("cc").str.len_chars() != 2)
    )
    parts = pl.col("p").str.extract_groups(_NANP_SHAPE)
    national = pl.col("national")
    result = frame.with_columns(
        national=parts.struct.field("2") + parts.struct.field("3") + parts.struct.field("4")
    ).select(
        "national",
        (
            (pl.col("p").str.len_chars() <= 24)
            & pl.col("p").str.contains(_PLAIN)
            & region_nanp
            & national.is_not_null()
            & ~national.str.contains(f"^(?:{normalize._OTHER_NANP.pattern})")
        )
        .fill_null(False)
        .alias("fast"),
    )
    # Validity depends on the area code and exchange only (see normalize._nanp_fast): checked once
    # per prefix, on the first number that has it.
    prefixes = (
        result.filter("fast")
        .select(pl.col("national").str.slice(0, 6).alias("prefix"), "national")
        .unique("prefix", keep="first")
    )
    valid_prefixes = prefixes.filter(_nanp_valid(pl.col("national")))["prefix"]
    valid = result.select(
        pl.col("fast") & pl.col("national").str.slice(0, 6).is_in(valid_prefixes.implode())
    ).to_series()
    phone = result.select(pl.when(valid).then(pl.lit("+1") + pl.col("national")).alias("phone")).to_series()
    rows = np.flatnonzero((~result["fast"] & (frame["p"] != "")).to_numpy())
    if len(rows):
        fixed = [
            normalize.normalize_phone(p, c if c and len(c) == 2 else "US") for p, c in frame[rows].rows()
        ]
        phone = phone.scatter(rows, pl.Series(fixed, dtype=pl.String))
    return phone


@cache
def _nanp_validity_patterns() -> tuple[str, ...]:
    """phonenumbers' rules for a valid number of a NANP region without leading digits (the US and
    Canada), one regex per region: the general pattern and any number type's pattern, as
    ``phonenumberutil._number_type_helper`` checks them (a type is known: the number is valid)."""
    import phonenumbers
    from phonenumbers import PhoneMetadata

    def desc_pattern(desc: object) -> str | None:
        if desc is None:
            return None
        lengths = getattr(desc, "possible_length", ())
        pattern = getattr(desc, "national_number_pattern", None)
        if not pattern or (lengths and 10 not in lengths):
            return None
        return f"(?:{pattern})"

    patterns = []
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1]:
        meta = PhoneMetadata.metadata_for_region(region)
        if meta is None or meta.leading_digits is not None:
            continue  # regions with leading digits are normalize._OTHER_NANP: never on this path
        general = desc_pattern(meta.general_desc)
        kinds = [
            desc_pattern(getattr(meta, kind))
            for kind in (
                "premium_rate",
                "toll_free",
                "shared_cost",
                "voip",
                "personal_number",
                "pager",
                "uan",
                "voicemail",
                "fixed_line",
                "mobile",
            )  # fmt: skip
        ]
        known = [k for k in kinds if k]
        if general and known:
            patterns.append(f"^{general}$")
            patterns.append("^(?:" + "|".join(known) + ")$")
    return tuple(patterns)


def _nanp_valid(national: pl.Expr) -> pl.Expr:
    patterns = _nanp_validity_patterns()
    valid = pl.lit(False)
    for general, kinds in zip(patterns[::2], patterns[1::2], strict=True):
        valid = valid | (national.str.contains(general) & national.str.contains(kinds))
    return valid.fill_null(False)


# normalize._SIMPLE_URL anchored; hosts it captures are plain ASCII.
_SIMPLE_URL: Final = r"^(?i:https?)://([A-Za-z0-9.-]+)(?::[0-9]*)?(?:[/?#]|$)"
_HOST_LABELS: Final = r"^(?:[^.]{1,63}\.)*[^.]{0,63}$"


def _hosts(raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    """website_host and is_generic_host; URLs the simple pattern does not cover go through the
    scalar function."""
    rows = np.flatnonzero((raw != "").to_numpy())
    found = _present_hosts(pl.DataFrame({"u": raw.gather(rows)}))
    generic = "|".join(h.replace(".", r"\.") for h in sorted(normalize.GENERIC_HOSTS))
    found_generic = found.str.contains(rf"(?:^|\.)(?:{generic})$").fill_null(False)
    hosts = pl.Series("website_host", [None] * len(raw), dtype=pl.String).scatter(rows, found)
    is_generic = pl.Series("website_generic", [False] * len(raw), dtype=pl.Boolean).scatter(
        rows, found_generic
    )
    return hosts, is_generic


def _present_hosts(frame: pl.DataFrame) -> pl.Series:
    u = pl.col("u").str.strip_chars()
    skipped = u.str.to_lowercase().str.contains(r"^(?:mailto:|tel:|javascript:|data:)")
    full = (
        pl.when(u.str.starts_with("//"))
        .then(pl.lit("http:") + u)
        .when(u.str.contains("://", literal=True))
        .then(u)
        .otherwise(pl.lit("http://") + u)
    )
    host = full.str.extract(_SIMPLE_URL, 1).str.to_lowercase().str.strip_chars_end(".")
    bare = host.str.replace(r"^www[0-9]*\.", "")
    valid = host.str.contains(_HOST_LABELS) & bare.str.contains(normalize._HOST.pattern)
    result = frame.select(
        pl.when(skipped | (u == "")).then(None).when(valid).then(bare).alias("host"),
        ((pl.col("u") != "") & (~pl.col("u").str.contains(_PLAIN) | (~skipped & host.is_null()))).alias(
            "slow"
        ),
    )
    return _with_scalar(result["host"], result["slow"], frame["u"], normalize.website_host)


_DECIMAL: Final = r"^\s*[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)\s*$"


def _numbers(raw: pl.Series, plain: pl.Series) -> pl.Series:
    """Python's float() of each value (None if empty or not a number): plain decimals by polars,
    anything else ("1e3", "nan", "1_000", non-ASCII digits) by float()."""
    frame = pl.DataFrame({"x": raw})
    decimal = frame.select(pl.col("x").str.contains(_DECIMAL) & plain).to_series()
    values = frame.select(
        pl.when(decimal).then(pl.col("x").str.strip_chars().cast(pl.Float64, strict=False))
    ).to_series()
    rows = np.flatnonzero((~decimal & (raw.str.strip_chars() != "")).to_numpy())
    if len(rows):
        values = values.scatter(
            rows, pl.Series([_float(s) for s in raw.gather(rows).to_list()], dtype=pl.Float64)
        )
    return values


def _float(text: str) -> float | None:
    if not text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        return None
