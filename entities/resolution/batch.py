"""Resolve a whole venue table at once: prepare, estimate weights, block, score, cluster.

The same pieces as the pipeline's duplicate pass (``matching.find_duplicates``) and the online
index (``index.VenueIndex``): the same normalisers, blocking keys, comparisons and model. What this
adds is a lean loop for millions of rows: scores are computed as bits with an early exit
(``matching.pair_bits``), explanations are built only on request (``Resolution.explain``), and
records are clustered with ``clustering.cluster_scored`` so that weak links do not chain.

Used by ``manage.py dedupe_venues`` and by ``bench/er.py``; no Django. The only I/O is reading
a CSV file in ``prepare_csv``, which splits it between worker processes.
"""

from __future__ import annotations

import csv
import io
import marshal
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Literal

from entities.resolution.clustering import ClusterStats, cluster_ids, cluster_scored
from entities.resolution.matching import (
    MatchScore,
    PreparedVenue,
    VenueModel,
    VenueRecord,
    choose_model,
    neighbour_lists,
    pair_bits,
    prepare_values,
    probability_to_bits,
    score_venue_pair,
)

# progress(phase, done, total): called every PROGRESS_EVERY records of a phase and at its end.
Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 10_000
DEFAULT_MATCH_THRESHOLD = 0.5


@dataclass(slots=True)
class Resolution:
    """Cluster id (the smallest id in the cluster) for every record, and how it was reached."""

    venues: Sequence[PreparedVenue]
    cluster_of: dict[str, str]
    model: VenueModel
    stats: dict[str, int | float | str] = field(default_factory=dict)

    def explain(self, a_id: str, b_id: str) -> MatchScore:
        """The full per-field explanation of one pair under the model used."""
        by_id = {v.id: v for v in self.venues if v.id in (a_id, b_id)}
        return score_venue_pair(by_id[a_id], by_id[b_id], self.model)


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


def prepare_all(records: Iterable[VenueRecord], *, progress: Progress | None = None) -> list[PreparedVenue]:
    """Prepare records one by one (so a caller streaming from a file never holds the raw rows)."""
    out: list[PreparedVenue] = []
    append = out.append
    for n, record in enumerate(records, start=1):
        append(record.prepare())
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress("prepare", n, 0)
    if progress is not None:
        progress("prepare", len(out), len(out))
    return out


# The columns prepare_rows reads; "id" and "name" are required, the others optional.
COLUMNS = ("id", "name", "addr", "city", "postcode", "country", "phone", "website", "lat", "lng")
CHUNK_ROWS = 20_000


def _prepare_row(positions: Sequence[int], row: Sequence[str]) -> PreparedVenue:
    values = [(row[p] if 0 <= p < len(row) else "") for p in positions]
    lat, lng = _float(values[8]), _float(values[9])
    if lat is None or lng is None:
        lat = lng = None
    return prepare_values(
        values[0].strip(),
        values[1],
        values[2] or None,
        values[3] or None,
        values[4] or None,
        values[5] or None,
        values[6] or None,
        values[7] or None,
        lat,
        lng,
    )


def _rebuild(data: bytes) -> list[PreparedVenue]:
    make = tuple.__new__
    return [make(PreparedVenue, t) for t in marshal.loads(data)]


def _csv_ranges(path: str, parts: int) -> tuple[list[str], list[tuple[int, int]]]:
    """The header, and byte ranges of about equal size that each hold whole records (a range ends
    at a newline outside quotes: quoted fields may hold newlines)."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        header_line = f.readline()
        header = next(csv.reader([header_line.decode("utf-8-sig")]))
        start = f.tell()
        cuts = [start]
        quotes = 0  # double quotes seen before f.tell(): even means "outside a quoted field"
        position = start
        for k in range(1, parts):
            target = start + (size - start) * k // parts
            if target <= cuts[-1]:
                continue
            f.seek(position)
            quotes += f.read(target - position).count(b'"')
            position = target
            f.seek(position)
            while True:
                line = f.readline()
                if not line:
                    break
                quotes += line.count(b'"')
                position += len(line)
                if quotes % 2 == 0:
                    break
            if position >= size:
                break
            cuts.append(position)
        cuts.append(size)
    return header, [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def _prepare_range(job: tuple[str, Sequence[int], int, int]) -> bytes:
    # Runs in a worker process: read and parse its own part of the file, prepare, send back marshal
    # bytes (several times faster than pickling the records).
    path, positions, start, end = job
    with open(path, "rb") as f:
        f.seek(start)
        text = f.read(end - start).decode("utf-8")
    rows = csv.reader(io.StringIO(text, newline=""))
    return marshal.dumps([tuple(_prepare_row(positions, row)) for row in rows if row])


def prepare_csv(
    path: str | os.PathLike[str], *, workers: int = 1, progress: Progress | None = None
) -> list[PreparedVenue]:
    """Prepare every row of a CSV file (columns as COLUMNS; id and name required), in file order.

    With ``workers`` > 1 and a file of more than a few MB, each worker process reads, parses and
    prepares its own byte range; the result is the same as with one.
    """
    path = os.fspath(path)
    if (
        workers <= 1
        or os.path.getsize(path) < 4_000_000
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None:
                return []
            return prepare_rows(header, (row for row in reader if row), progress=progress)
    header, ranges = _csv_ranges(path, workers * 16)
    positions = _positions(header)
    out: list[PreparedVenue] = []
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for data in pool.imap(_prepare_range, [(path, positions, a, b) for a, b in ranges]):
            out.extend(_rebuild(data))
            if progress is not None:
                progress("prepare", len(out), 0)
    if progress is not None:
        progress("prepare", len(out), len(out))
    return out


def _positions(header: Sequence[str]) -> list[int]:
    names = [h.strip().lower() for h in header]
    if "id" not in names or "name" not in names:
        raise ValueError("the rows need at least the columns id and name")
    return [names.index(c) if c in names else -1 for c in COLUMNS]


def _prepare_chunk(job: tuple[Sequence[int], list[list[str]]]) -> bytes:
    # Runs in a worker process; marshal is several times faster than pickle for plain tuples.
    positions, rows = job
    return marshal.dumps([tuple(_prepare_row(positions, row)) for row in rows])


def prepare_rows(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    workers: int = 1,
    progress: Progress | None = None,
) -> list[PreparedVenue]:
    """Prepare CSV-style rows (``header`` names the columns, see COLUMNS), in order.

    With ``workers`` > 1 and more than one chunk of rows, chunks are prepared in that many forked
    processes (the parent reads and collects); the result is the same as with one.
    """
    positions = _positions(header)
    iterator = iter(rows)
    first = list(islice(iterator, CHUNK_ROWS))
    out: list[PreparedVenue] = []
    parallel = workers > 1 and len(first) == CHUNK_ROWS and "fork" in multiprocessing.get_all_start_methods()
    if not parallel:
        for row in first:
            out.append(_prepare_row(positions, row))
        for row in iterator:
            out.append(_prepare_row(positions, row))
            if progress is not None and len(out) % PROGRESS_EVERY == 0:
                progress("prepare", len(out), 0)
    else:

        def chunks() -> Iterator[tuple[Sequence[int], list[list[str]]]]:
            chunk: list[list[str]] = [list(r) for r in first]
            while chunk:
                yield positions, chunk
                chunk = [list(r) for r in islice(iterator, CHUNK_ROWS)]

        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for data in pool.imap(_prepare_chunk, chunks()):
                out.extend(_rebuild(data))
                if progress is not None:
                    progress("prepare", len(out), 0)
    if progress is not None:
        progress("prepare", len(out), len(out))
    return out


def resolve_venues(
    venues: Sequence[PreparedVenue],
    *,
    model: VenueModel | Literal["auto", "hand"] = "auto",
    threshold: float = DEFAULT_MATCH_THRESHOLD,
    max_block_size: int = 100,
    progress: Progress | None = None,
) -> Resolution:
    """Cluster ``venues``: pairs scoring at least ``threshold`` (probability) are linked, and linked
    groups join only when the average evidence between them clears it too."""
    seen: set[str] = set()
    for v in venues:
        if v.id in seen:
            raise ValueError(f"duplicate venue id {v.id!r}")
        seen.add(v.id)
    del seen
    timings: dict[str, float] = {}
    started = time.perf_counter()
    chosen = choose_model(venues, model)
    timings["estimate_s"] = time.perf_counter() - started

    started = time.perf_counter()
    later = neighbour_lists(venues, max_block_size=max_block_size)
    timings["index_s"] = time.perf_counter() - started

    started = time.perf_counter()
    at_least = probability_to_bits(threshold)
    edges: list[tuple[int, int, float]] = []
    compared = 0
    total = len(venues)
    for i, a in enumerate(venues):
        js = later[i]
        if js is not None:
            later[i] = None
            for j in set(js) if len(js) > 1 else js:
                compared += 1
                bits = pair_bits(a, venues[j], chosen, at_least=at_least)
                if bits is not None and bits >= at_least:
                    edges.append((i, j, bits))
        if progress is not None and (i + 1) % PROGRESS_EVERY == 0:
            progress("score", i + 1, total)
    if progress is not None:
        progress("score", total, total)
    del later
    timings["score_s"] = time.perf_counter() - started

    started = time.perf_counter()
    cstats = ClusterStats()
    roots = cluster_scored(
        total,
        edges,
        threshold_bits=at_least,
        link_bits=lambda i, j: _bits(venues[i], venues[j], chosen),
        stats=cstats,
    )
    cluster_of = cluster_ids([v.id for v in venues], roots)
    timings["cluster_s"] = time.perf_counter() - started
    if progress is not None:
        progress("cluster", total, total)
    return Resolution(
        venues=venues,
        cluster_of=cluster_of,
        model=chosen,
        stats={
            "records": total,
            "pairs_compared": compared,
            "pairs_linked": len(edges),
            "clusters": len(set(roots)),
            "merges": cstats.merges,
            "joins_refused": cstats.refused,
            "joins_too_large": cstats.too_large,
            "model": chosen.kind,
            **{k: round(v, 3) for k, v in timings.items()},
        },
    )


def _bits(a: PreparedVenue, b: PreparedVenue, model: VenueModel) -> float:
    bits = pair_bits(a, b, model)
    assert bits is not None  # no early exit without at_least
    return bits
