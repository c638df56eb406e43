"""Entity resolution: our resolver against Splink 5 in the same run.

    .venv/bin/python bench/er.py                 # 1,000,000 synthetic rows (several minutes)
    .venv/bin/python bench/er.py --rows 100000   # a quick check

1. Fodors-Zagat restaurants (bench/data/fodors_zagat, 864 rows, 112 true pairs): both resolvers
   deduplicate all rows as one table without labels; pairwise precision, recall and F1 over the
   final clusters.
2. A synthetic venue table (bench/er_synth.py, --rows, seeded, ground truth kept): wall time and
   peak memory of each resolver, each in its own fresh process (peak RSS of that process and its
   children, see ``TreePeak``; the clock runs from reading the CSV to having a cluster id for every
   row), and their pairwise F1 against the truth.
3. Online matching: ``VenueIndex`` over the synthetic table's rows as canonical venues, then
   --queries new records (noisy copies of existing venues and new ones): median and p99 latency of
   ``match(record)`` (prepare + blocking + scoring + explanation).

The last line is ``RESULT {...}``. See bench/README.md for the settings of both sides.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))

FZ_DIR = ROOT / "bench" / "data" / "fodors_zagat"
MATCH_THRESHOLD = 0.5  # both sides: a pair is a match at probability >= 0.5 (no labels to tune it)
SPLINK_THRESHOLDS = (0.5, 0.9, 0.95)  # Splink is also shown at its usual clustering thresholds


# --- evaluation --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PairScore:
    true_positives: int
    predicted_pairs: int
    true_pairs: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(sizes: Iterable[int]) -> int:
    return sum(n * (n - 1) // 2 for n in sizes)


def pairwise_scores(predicted: Mapping[str, Hashable], truth: Mapping[str, Hashable]) -> PairScore:
    """Pairwise precision/recall/F1 of a clustering (record -> cluster) against the true one.

    Every record of ``truth`` counts; a record missing from ``predicted`` is a singleton. Pairs are
    counted from cluster sizes (no pair enumeration), so a million rows take a second.
    """
    pred = {rid: predicted.get(rid, ("singleton", rid)) for rid in truth}
    both = Counter((pred[rid], truth[rid]) for rid in truth)
    return PairScore(
        true_positives=_pairs(both.values()),
        predicted_pairs=_pairs(Counter(pred.values()).values()),
        true_pairs=_pairs(Counter(truth.values()).values()),
    )


def clusters_from_pairs(ids: Iterable[str], pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Record -> cluster (its smallest id) from matched pairs, for pair-style ground truth."""
    import numpy as np

    from entities.resolution.clustering import cluster_ids, components

    order = list(ids)
    position = {x: i for i, x in enumerate(order)}
    linked = [(position[a], position[b]) for a, b in pairs]
    left = np.array([a for a, _ in linked], dtype=np.int64)
    right = np.array([b for _, b in linked], dtype=np.int64)
    return cluster_ids(order, components(len(order), left, right).tolist())


# --- data --------------------------------------------------------------------------------------

CSV_COLUMNS = ("id", "name", "addr", "city", "phone", "postcode", "country", "lat", "lng", "website")


def fodors_zagat(workdir: Path) -> tuple[Path, dict[str, str]]:
    """One CSV of both guides (ids "f<id>", "z<id>") and the true clustering."""
    path = workdir / "fodors_zagat.csv"
    ids: list[str] = []
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for name, prefix in (("fodors.csv", "f"), ("zagats.csv", "z")):
            with (FZ_DIR / name).open(encoding="utf-8") as f:
                for row in csv.DictReader(f):
                    ids.append(prefix + row["id"])
                    writer.writerow((ids[-1], row["name"], row["addr"], row["city"], row["phone"], *[""] * 5))
    with (FZ_DIR / "matches_fodors_zagats.csv").open(encoding="utf-8") as f:
        pairs = [("f" + r["fodors_id"], "z" + r["zagats_id"]) for r in csv.DictReader(f)]
    return path, clusters_from_pairs(ids, pairs)


def read_clusters(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as f:
        return {row["id"]: row["cluster_id"] for row in csv.DictReader(f)}


# --- workers (each runs in a fresh process) ----------------------------------------------------


def _peak_mb() -> float:
    """Peak RSS of this process (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _tree_rss_mb(pid: int) -> float:
    """Current RSS of a process and all its descendants, from /proc (Linux)."""
    total = 0.0
    stack = [pid]
    page_mb = os.sysconf("SC_PAGE_SIZE") / 2**20
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * page_mb
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue
    return total


class TreePeak:
    """Samples the RSS of this process and its children (worker processes) every 20 ms: the peak
    of what the whole run held at once, which ru_maxrss of one process does not give."""

    def __init__(self) -> None:
        import threading

        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        pid = os.getpid()
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _tree_rss_mb(pid))

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _tree_rss_mb(os.getpid()), _peak_mb())


def worker_ours(csv_path: Path, out: Path) -> dict[str, Any]:
    import polars as pl

    from entities.resolution.batch import resolve_csv

    with TreePeak() as peak:
        started = time.perf_counter()
        resolution = resolve_csv(csv_path, threshold=MATCH_THRESHOLD)
        seconds = time.perf_counter() - started
    pl.DataFrame({"id": resolution.ids, "cluster_id": resolution.cluster_ids}).write_csv(out)
    return {
        "seconds": seconds,
        "peak_mb": peak.peak,
        "own_peak_mb": _peak_mb(),
        "stats": resolution.stats,
        "prior_weight": resolution.model.prior_weight,
    }


# Light cleaning as Splink's tutorials do it, in DuckDB (counted in Splink's time): lower case,
# punctuation out, digits-only phones, empty strings as NULL.
_SPLINK_INPUT_SQL = """
create table venues as
select
    id,
    nullif(trim(regexp_replace(lower(name), '[^a-z0-9 ]+', ' ', 'g')), '') as name,
    nullif(trim(regexp_replace(lower(addr), '[^a-z0-9 ]+', ' ', 'g')), '') as addr,
    nullif(trim(regexp_replace(lower(city), '[^a-z0-9 ]+', ' ', 'g')), '') as city,
    nullif(right(regexp_replace(phone, '[^0-9]', '', 'g'), 10), '') as phone
from read_csv('{path}', header = true, all_varchar = true)
"""


def worker_splink(csv_path: Path, out: Path) -> dict[str, Any]:
    import logging

    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.WARNING)
    results: dict[str, Any] = {}
    with TreePeak() as peak:
        started = time.perf_counter()
        con = duckdb.connect()
        con.execute(_SPLINK_INPUT_SQL.format(path=str(csv_path).replace("'", "''")))
        db_api = DuckDBAPI(connection=con)
        settings = SettingsCreator(
            link_type="dedupe_only",
            unique_id_column_name="id",
            comparisons=[
                cl.NameComparison("name"),
                cl.JaroWinklerAtThresholds("addr", [0.95, 0.88]),
                cl.ExactMatch("city").configure(term_frequency_adjustments=True),
                cl.ExactMatch("phone"),
            ],
            blocking_rules_to_generate_predictions=[
                block_on("phone"),
                block_on("name", "city"),
                block_on("addr", "city"),
                block_on("substr(name, 1, 4)", "substr(addr, 1, 4)"),
            ],
            retain_intermediate_calculation_columns=False,
            retain_matching_columns=False,
        )
        linker = Linker(db_api.register("venues"), settings, log_level=logging.WARNING)
        linker.training.estimate_probability_two_random_records_match(
            [block_on("phone", "name"), block_on("name", "addr")], recall=0.7
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("phone"))
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("name"))
        predictions = linker.inference.predict(threshold_match_probability=min(SPLINK_THRESHOLDS))
        clustered_at: dict[float, object] = {}
        for threshold in SPLINK_THRESHOLDS:
            clustered_at[threshold] = linker.clustering.cluster_pairwise_predictions_at_threshold(
                predictions, threshold_match_probability=threshold
            )
            if threshold == MATCH_THRESHOLD:
                results["seconds"] = time.perf_counter() - started
        for threshold, clusters in clustered_at.items():
            target = out.with_suffix(f".{int(threshold * 100)}.csv")
            relation = clusters.as_duckdbpyrelation()  # type: ignore[attr-defined]
            relation.select("id, cluster_id").write_csv(str(target))
            results[f"clusters_{int(threshold * 100)}"] = str(target)
    results["peak_mb"] = peak.peak
    results["own_peak_mb"] = _peak_mb()
    return results


def worker_index(csv_path: Path, queries: int, seed: int, out: Path) -> dict[str, Any]:
    from bench.er_synth import generate
    from entities.resolution.batch import records_from_rows
    from entities.resolution.columnar import read_venue_csv
    from entities.resolution.index import VenueIndex

    started = time.perf_counter()
    venues = read_venue_csv(csv_path).venues()
    index = VenueIndex()
    index.add_all(venues)
    del venues
    built = time.perf_counter() - started
    build_mb = _peak_mb()
    # New records: a fresh table from another seed has other venues; its copies are noisy, and half
    # of the queries are records of the indexed table itself re-spelled by another seed's noise.
    fresh, _ = generate(max(queries, 1000), seed + 1)
    rng = random.Random(seed)
    rows = [dict(zip(CSV_COLUMNS, r, strict=True)) for r in fresh[:queries]]
    with csv_path.open(encoding="utf-8", newline="") as f:
        indexed = [row for _, row in zip(range(queries * 20), csv.DictReader(f), strict=False)]
    for k in range(0, len(rows), 2):
        row = dict(rng.choice(indexed))
        row["id"] = f"q{k}"
        row["name"] = row["name"].upper() if rng.random() < 0.5 else f"The {row['name']}"
        rows[k] = row
    records = list(records_from_rows(rows))
    latencies = []
    found = 0
    for record in records:
        t = time.perf_counter()
        matches = index.match(record)
        latencies.append((time.perf_counter() - t) * 1000)
        found += bool(matches)
    latencies.sort()
    result = {
        "venues": len(index),
        "build_seconds": built,
        "build_peak_mb": build_mb,
        "queries": len(latencies),
        "with_a_match": found,
        "median_ms": statistics.median(latencies),
        "p99_ms": latencies[min(len(latencies) - 1, math.ceil(0.99 * len(latencies)) - 1)],
        "max_ms": latencies[-1],
    }
    out.write_text(json.dumps(result))
    return result


def _run_worker(args: list[str], label: str) -> dict[str, Any]:
    """Run this script as a worker in a fresh process and return what it reported."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        report = Path(tmp.name)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", *args, "--report", str(report)]
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(proc.stdout, proc.stderr, sep="\n", file=sys.stderr)
        raise SystemExit(f"{label} failed (exit {proc.returncode})")
    data: dict[str, Any] = json.loads(report.read_text())
    report.unlink()
    data["process_seconds"] = time.perf_counter() - t
    return data


# --- main --------------------------------------------------------------------------------------


def _fmt(score: PairScore) -> str:
    return f"P {score.precision:.3f}  R {score.recall:.3f}  F1 {score.f1:.3f}"


def _loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description="Our entity resolution against Splink 5.")
    parser.add_argument("--rows", type=int, default=1_000_000, help="synthetic rows (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--queries", type=int, default=1000, help="online matching queries")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the generated files here")
    parser.add_argument("--skip-splink", action="store_true")
    parser.add_argument("--worker", choices=("ours", "splink", "index"), help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--report", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        if args.worker == "ours":
            data = worker_ours(args.csv, args.out)
        elif args.worker == "splink":
            data = worker_splink(args.csv, args.out)
        else:
            data = worker_index(args.csv, args.queries, args.seed, args.out)
        args.report.write_text(json.dumps(data))
        return

    from bench.er_synth import generate, write_csv

    started = time.perf_counter()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="er-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"load average {_loadavg()} (2 cores shared with anything else running)")

    # 1. Fodors-Zagat
    fz_csv, fz_truth = fodors_zagat(workdir)
    fz_pairs = pairwise_scores(fz_truth, fz_truth).true_pairs
    print(f"\n== Fodors-Zagat: {len(fz_truth)} rows, {fz_pairs} true pairs, no labels used")
    ours_fz = _run_worker(["ours", "--csv", str(fz_csv), "--out", str(workdir / "fz_ours.csv")], "ours on FZ")
    ours_fz_score = pairwise_scores(read_clusters(workdir / "fz_ours.csv"), fz_truth)
    print(f"ours    {_fmt(ours_fz_score)}  ({ours_fz['seconds']:.2f} s)")
    splink_fz_score = None
    splink_fz_best = None
    if not args.skip_splink:
        splink_fz = _run_worker(
            ["splink", "--csv", str(fz_csv), "--out", str(workdir / "fz_splink.csv")], "splink on FZ"
        )
        for threshold in SPLINK_THRESHOLDS:
            score = pairwise_scores(
                read_clusters(Path(str(splink_fz[f"clusters_{int(threshold * 100)}"]))), fz_truth
            )
            print(f"splink  {_fmt(score)}  at p >= {threshold}")
            if threshold == MATCH_THRESHOLD:
                splink_fz_score = score
            if splink_fz_best is None or score.f1 > splink_fz_best.f1:
                splink_fz_best = score
    print()
    # 2. synthetic table
    t = time.perf_counter()
    rows, truth_list = generate(args.rows, args.seed)
    synth_csv = workdir / f"venues_{args.rows}.csv"
    write_csv(synth_csv, rows)
    truth = {row[0]: entity for row, entity in zip(rows, truth_list, strict=True)}
    del rows, truth_list
    print(
        f"== Synthetic: {len(truth):,} rows, {len(set(truth.values())):,} venues, generated in {time.perf_counter() - t:.1f} s"
    )
    ours = _run_worker(["ours", "--csv", str(synth_csv), "--out", str(workdir / "synth_ours.csv")], "ours")
    ours_score = pairwise_scores(read_clusters(workdir / "synth_ours.csv"), truth)
    print(
        f"ours    {float(ours['seconds']):7.1f} s  peak {float(ours['peak_mb']):7.0f} MB  {_fmt(ours_score)}"
        f"\n        {ours['stats']}"
    )
    splink: dict[str, Any] | None = None
    splink_score = None
    if not args.skip_splink:
        splink = _run_worker(
            ["splink", "--csv", str(synth_csv), "--out", str(workdir / "synth_splink.csv")], "splink"
        )
        splink_score = pairwise_scores(
            read_clusters(Path(str(splink[f"clusters_{int(MATCH_THRESHOLD * 100)}"]))), truth
        )
        print(
            f"splink  {float(splink['seconds']):7.1f} s  peak {float(splink['peak_mb']):7.0f} MB  {_fmt(splink_score)}"
        )
    # 3. online matching
    index = _run_worker(
        [
            "index",
            "--csv",
            str(synth_csv),
            "--out",
            str(workdir / "index.json"),
            "--queries",
            str(args.queries),
        ],
        "index",
    )
    print(
        f"\n== Online matching against {int(index['venues']):,} canonical venues "
        f"(index built in {float(index['build_seconds']):.1f} s, peak {float(index['build_peak_mb']):.0f} MB): "
        f"median {float(index['median_ms']):.2f} ms, p99 {float(index['p99_ms']):.2f} ms, "
        f"max {float(index['max_ms']):.2f} ms over {index['queries']} queries ({index['with_a_match']} matched)"
    )
    print(f"\nload average {_loadavg()}; whole benchmark {time.perf_counter() - started:.0f} s")
    result = {
        "ours_f1": round(ours_fz_score.f1, 4),
        "splink_f1": round(splink_fz_score.f1, 4) if splink_fz_score else None,
        "splink_best_f1": round(splink_fz_best.f1, 4) if splink_fz_best else None,
        "ours_1m_s": round(float(ours["seconds"]), 2),
        "splink_1m_s": round(float(splink["seconds"]), 2) if splink else None,
        "speedup_vs_splink": round(float(splink["seconds"]) / float(ours["seconds"]), 2) if splink else None,
        "ours_peak_mb": round(float(ours["peak_mb"])),
        "splink_peak_mb": round(float(splink["peak_mb"])) if splink else None,
        "online_match_ms": round(float(index["median_ms"]), 3),
        "online_match_p99_ms": round(float(index["p99_ms"]), 3),
        "rows": args.rows,
        "ours_synth_f1": round(ours_score.f1, 4),
        "splink_synth_f1": round(splink_score.f1, 4) if splink_score else None,
    }
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
