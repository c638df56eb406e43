"""Resolve a whole venue table at once: read, estimate weights, block, score, cluster, in columns.

The same definitions as the pipeline's duplicate pass (``duplicates.find_duplicates``) and the
online index (``index.VenueIndex``): the same normalisers, blocking keys, comparison levels and
model, computed over whole columns (``columnar`` reads and normalises the table, ``pairs`` blocks
and scores every candidate pair at once). Records are clustered with ``clustering.cluster_edges``,
so that weak links do not chain; explanations are built only on request (``Resolution.explain``,
through the scalar ``scoring.score_venue_pair``).

Used by ``manage.py dedupe_venues`` and by ``bench/er.py``; no Django.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Final, Literal

import numpy as np
import polars as pl

from entities.resolution.clustering import ClusterStats, cluster_edges
from entities.resolution.columnar import VenueTable, read_venue_csv
from entities.resolution.estimate import SESSION_FIELDS, ValueCounts, choose_model, estimate_model
from entities.resolution.model import MatchScore, VenueModel, probability_to_bits
from entities.resolution.pairs import (
    Floats,
    Ints,
    candidate_pairs,
    frequent_bits,
    pair_bits_array,
    pair_level_codes,
    pairs_from,
)
from entities.resolution.records import PreparedVenue, VenueRecord
from entities.resolution.scoring import pair_bits, score_venue_pair

# progress(phase, done, total): called as each phase ends, and per chunk while scoring.
Progress = Callable[[str, int, int], None]
DEFAULT_MATCH_THRESHOLD: Final = 0.5
# Candidate pairs scored at once: bounds the memory of the gathered columns.
SCORE_CHUNK: Final = 100_000


@dataclass(slots=True)
class Resolution:
    """A cluster id (the smallest id in the cluster) for every record, and how it was reached."""

    table: VenueTable
    cluster_ids: pl.Series  # per position, aligned with table.frame["id"]
    model: VenueModel
    stats: dict[str, int | float | str] = field(default_factory=dict)

    @property
    def ids(self) -> pl.Series:
        return self.table.frame["id"]

    @property
    def cluster_of(self) -> dict[str, str]:
        """id -> cluster id (builds a dict: for a million records, prefer ``ids``/``cluster_ids``)."""
        return dict(zip(self.ids.to_list(), self.cluster_ids.to_list(), strict=True))

    def explain(self, a_id: str, b_id: str) -> MatchScore:
        """The full per-field explanation of one pair under the model used."""
        a, b = self.table.positions([a_id, b_id])
        return score_venue_pair(self.table.venue(a), self.table.venue(b), self.model)


def records_from_rows(rows: Iterable[Mapping[str, str | None]]) -> Iterator[VenueRecord]:
    """VenueRecords from CSV-style rows: id,name,addr,city,phone[,postcode,country,lat,lng,website]."""
    for row in rows:
        lat, lng = _float(row.get("lat")), _float(row.get("lng"))
        yield VenueRecord(
            id=(row.get("id") or "").strip(),
            name=row.get("name") or "",
            street=row.get("addr") or None,
            city=row.get("city") or None,
            postal_code=row.get("postcode") or None,
            country=row.get("country") or None,
            phone=row.get("phone") or None,
            website=row.get("website") or None,
            latitude=lat if lng is not None else None,
            longitude=lng if lat is not None else None,
        )


def _float(text: str | None) -> float | None:
    if not text or not text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        return None


def resolve_csv(
    path: str | os.PathLike[str],
    *,
    model: VenueModel | Literal["auto", "hand"] = "auto",
    threshold: float = DEFAULT_MATCH_THRESHOLD,
    max_block_size: int = 100,
    progress: Progress | None = None,
) -> Resolution:
    """Read a venue CSV (see ``columnar.read_venue_csv``) and cluster its rows."""
    started = time.perf_counter()
    table = read_venue_csv(path, progress=(lambda done: progress("read", done, 0)) if progress else None)
    read_s = time.perf_counter() - started
    if progress is not None:
        progress("read", len(table), len(table))
    resolution = resolve_table(
        table, model=model, threshold=threshold, max_block_size=max_block_size, progress=progress
    )
    resolution.stats = {**resolution.stats, "read_s": round(read_s, 3)}
    return resolution


def resolve_table(
    table: VenueTable,
    *,
    model: VenueModel | Literal["auto", "hand"] = "auto",
    threshold: float = DEFAULT_MATCH_THRESHOLD,
    max_block_size: int = 100,
    progress: Progress | None = None,
) -> Resolution:
    """Cluster a table: pairs scoring at least ``threshold`` (probability) are linked, and linked
    groups join only when the average evidence between them clears it too."""
    ids = table.frame["id"]
    if (ids == "").any():
        raise ValueError(f"rows without an id (record {int((ids == '').arg_true()[0]) + 1} first)")
    repeated = ids.filter(ids.is_duplicated())
    if len(repeated):
        raise ValueError(f"duplicate venue id {repeated[0]!r}")
    total = len(table)
    timings: dict[str, float] = {}

    def done(phase: str, started: float) -> None:
        timings[f"{phase}_s"] = time.perf_counter() - started
        if progress is not None:
            progress(phase, total, total)

    started = time.perf_counter()
    chosen = choose_model(
        model, len(table), lambda: estimate_table_model(table, max_block_size=max_block_size)
    )
    done("estimate", started)

    started = time.perf_counter()
    left, right = candidate_pairs(table, max_block_size=max_block_size)
    done("block", started)

    started = time.perf_counter()
    at_least = probability_to_bits(threshold)
    frequent = frequent_bits(table, chosen)
    kept: list[tuple[Ints, Ints, Floats]] = []

    def score(start: int) -> tuple[Ints, Ints, Floats]:
        a, b = left[start : start + SCORE_CHUNK], right[start : start + SCORE_CHUNK]
        bits = pair_bits_array(table, a, b, pair_level_codes(table, a, b), chosen, frequent)
        linked = bits >= at_least
        return a[linked], b[linked], bits[linked]

    # Two chunks at a time: polars, rapidfuzz and numpy let go of the GIL for most of the work.
    table.comparison_frame(), table.name_words()  # computed once, before the threads read them
    with ThreadPoolExecutor(max_workers=2) as pool:
        for k, result in enumerate(pool.map(score, range(0, len(left), SCORE_CHUNK)), start=1):
            kept.append(result)
            if progress is not None:
                progress("score", min(k * SCORE_CHUNK, len(left)), len(left))
    edge_a = np.concatenate([k[0] for k in kept]) if kept else np.zeros(0, dtype=np.int64)
    edge_b = np.concatenate([k[1] for k in kept]) if kept else np.zeros(0, dtype=np.int64)
    edge_bits = np.concatenate([k[2] for k in kept]) if kept else np.zeros(0)
    del kept
    timings["score_s"] = time.perf_counter() - started
    if progress is not None and not len(left):
        progress("score", 0, 0)

    started = time.perf_counter()
    cstats = ClusterStats()
    prepared: dict[int, PreparedVenue] = {}

    def venue(position: int) -> PreparedVenue:
        v = prepared.get(position)
        if v is None:
            v = prepared[position] = table.venue(position)
        return v

    def link_bits(i: int, j: int) -> float:
        bits = pair_bits(venue(i), venue(j), chosen)
        assert bits is not None  # no early exit without at_least
        return bits

    roots = cluster_edges(
        total, edge_a, edge_b, edge_bits, threshold_bits=at_least, link_bits=link_bits, stats=cstats
    )
    cluster_ids = (
        pl.DataFrame({"id": ids, "root": roots})
        .select(pl.col("id").min().over("root").alias("cluster_id"))
        .to_series()
    )
    done("cluster", started)
    return Resolution(
        table=table,
        cluster_ids=cluster_ids,
        model=chosen,
        stats={
            "records": total,
            "pairs_compared": len(left),
            "pairs_linked": len(edge_a),
            "clusters": int(np.count_nonzero(roots == np.arange(total))),
            "merges": cstats.merges,
            "joins_refused": cstats.refused,
            "joins_too_large": cstats.too_large,
            "pair_checks": cstats.pair_checks,
            "model": chosen.kind,
            **{k: round(v, 3) for k, v in timings.items()},
        },
    )


def estimate_table_model(table: VenueTable, *, max_block_size: int = 100) -> VenueModel:
    """estimate.estimate_venue_model over a table: the same counts, blocks and levels, in columns."""
    frame = table.frame
    columns = {
        "name": pl.when(pl.col("name_key") != "").then(pl.col("name_key")),
        "city": pl.col("city"),
        "postcode": pl.col("postcode"),
        "phone": pl.col("phone"),
        "website": pl.when(~pl.col("website_generic")).then(pl.col("website_host")),
    }
    values = frame.select(**columns).with_row_index("pos").lazy()
    # Each field's values held more than once, with their records (positions, in order of first
    # occurrence) for the session fields and their counts for the others; collected together.
    grouped = pl.collect_all(
        [
            values.filter(pl.col(f).is_not_null())
            .group_by(f, maintain_order=True)
            .agg("pos" if f in SESSION_FIELDS else pl.len().alias("count"))
            .filter((pl.col("pos").list.len() if f in SESSION_FIELDS else pl.col("count")) > 1)
            for f in columns
        ]
        + [values.select(pl.all().exclude("pos").count())]
    )
    records = grouped[-1]
    counts: dict[str, ValueCounts] = {}
    blocks: dict[str, list[list[int]]] = {}
    for f, shared in zip(columns, grouped, strict=False):
        sizes = shared["pos"].list.len() if f in SESSION_FIELDS else shared["count"]
        counts[f] = ValueCounts(
            records=int(records[f][0]), shared=dict(zip(shared[f].to_list(), sizes.to_list(), strict=True))
        )
        if f in SESSION_FIELDS:
            blocks[f] = shared.filter(sizes <= max_block_size)["pos"].to_list()

    def levels_of(pairs: Sequence[tuple[int, int]]) -> list[tuple[str, ...]]:
        left, right = pairs_from(pairs)
        return pair_level_codes(table, left, right).patterns()

    return estimate_model(len(table), counts, blocks, levels_of)
