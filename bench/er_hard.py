"""Entity resolution on hard cases it has never seen: ours and Splink on venues, the artist baseline.

    .venv/bin/python bench/er_hard.py                 # a fixed DEV set and a fresh HELD-OUT set
    .venv/bin/python bench/er_hard.py --seed 123      # the held-out set of seed 123 again
    .venv/bin/python bench/er_hard.py --examples 5    # also print wrong pairs per family

Two sets are generated (``bench/hardcases``): DEV, always from seed ``DEV_SEED`` (tune on it), and
HELD-OUT, from a fresh random seed every run unless ``--seed`` is given (the seed is printed; judge
on it). Both go to a temporary directory outside the repository (``--workdir`` elsewhere), never into
it. On each set:

- venues: ours (``entities.resolution.batch.resolve_csv``, what ``manage.py dedupe_venues`` runs,
  with its defaults) and Splink (``bench.hardcases.splink_venues``), pairwise precision, recall and F1
  overall and per family, and the room pairs each merged (see ``bench/hardcases/evaluate.py``);
- artists: the baseline "bare normalised-name key" (records whose
  ``entities.resolution.normalize.normalize_artist_name`` is equal are one act) and, when the
  project has one, ``manage.py dedupe_artists --csv IN --out OUT`` (id,cluster_id), per family too.

Wrong pairs of every resolver are written to ``<workdir>/errors_<set>_<resolver>.csv`` with both
records side by side. The last line is ``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Hashable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))

from bench.er import PairScore, pairwise_scores, read_clusters  # noqa: E402
from bench.hardcases.artists import ARTIST_FAMILIES, generate_artists  # noqa: E402
from bench.hardcases.evaluate import Truth, error_pairs, family_scores, room_pairs  # noqa: E402
from bench.hardcases.venues import VENUE_FAMILIES, generate_venues  # noqa: E402

DEV_SEED = 20261111
ARTIST_COMMAND = (sys.executable, str(ROOT / "manage.py"), "dedupe_artists")

# --- resolvers --------------------------------------------------------------------------------------

Clusters = dict[str, str]


def ours_venues(csv_path: Path) -> Clusters:
    """Our engine, as ``manage.py dedupe_venues --csv`` runs it (same function, same defaults)."""
    from entities.resolution.batch import resolve_csv

    resolution = resolve_csv(csv_path)
    return {str(k): str(v) for k, v in resolution.cluster_of.items()}


def splink_venues(csv_path: Path) -> Clusters:
    from bench.hardcases.splink_venues import splink_venue_clusters

    return splink_venue_clusters(csv_path)


def artist_name_key(csv_path: Path) -> Clusters:
    """The baseline: mentions with one normalised name (``normalize_artist_name``) are one act."""
    from entities.resolution.normalize import normalize_artist_name

    with csv_path.open(encoding="utf-8") as f:
        return {row["id"]: "k:" + normalize_artist_name(row["name"]) for row in csv.DictReader(f)}


def command_resolver(command: list[str]) -> Callable[[Path], Clusters]:
    """A resolver run as ``COMMAND --csv IN --out OUT`` that writes id,cluster_id (e.g. a future
    ``manage.py dedupe_artists``)."""

    def run(csv_path: Path) -> Clusters:
        out = csv_path.with_name(csv_path.stem + ".clusters.csv")
        proc = subprocess.run(
            [*command, "--csv", str(csv_path), "--out", str(out)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"{shlex.join(command)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
        return read_clusters(out)

    return run


def artist_command() -> list[str] | None:
    """``manage.py dedupe_artists`` once the project has it, else None."""
    if (ROOT / "entities" / "management" / "commands" / "dedupe_artists.py").exists():
        return list(ARTIST_COMMAND)
    return None


# --- scoring and printing ------------------------------------------------------------------------------


def _score_dict(score: PairScore) -> dict[str, float | int]:
    return {
        "p": round(score.precision, 4),
        "r": round(score.recall, 4),
        "f1": round(score.f1, 4),
        "true_pairs": score.true_pairs,
        "predicted_pairs": score.predicted_pairs,
    }


def evaluate(predicted: Mapping[str, Hashable], truth: Truth, *, rooms: bool) -> dict[str, Any]:
    result: dict[str, Any] = {
        "overall": _score_dict(pairwise_scores(predicted, truth.entity)),
        "families": {f: _score_dict(s) for f, s in family_scores(predicted, truth).items()},
    }
    if rooms:
        r = room_pairs(predicted, truth)
        result["room_pairs"] = {
            "pairs": r.pairs,
            "merged": r.merged,
            "merged_share": round(r.merged_share, 4),
        }
    return result


def _cell(s: Mapping[str, Any]) -> str:
    return f"{s['p']:.3f} {s['r']:.3f} {s['f1']:.3f}"


def print_table(title: str, families: Mapping[str, str], results: Mapping[str, Mapping[str, Any]]) -> None:
    names = list(results)
    print(f"\n{title}")
    header = f"  {'family':<20} {'true pairs':>10}  " + "  ".join(f"{n + ' P R F1':<19}" for n in names)
    print(header)
    print("  " + "-" * (len(header) - 2))
    first = results[names[0]]
    for family in [*families, "overall"]:
        row = first["overall"] if family == "overall" else first["families"].get(family)
        if row is None:
            continue
        cells = [
            _cell(results[n]["overall"] if family == "overall" else results[n]["families"][family])
            for n in names
        ]
        print(f"  {family:<20} {row['true_pairs']:>10}  " + "  ".join(f"{c:<19}" for c in cells))
    for n in names:
        if "room_pairs" in results[n]:
            r = results[n]["room_pairs"]
            print(
                f"  room pairs merged by {n}: {r['merged']} of {r['pairs']} ({100 * r['merged_share']:.1f}%)"
            )


def write_errors(
    path: Path, predicted: Mapping[str, Hashable], truth: Truth, rows: Mapping[str, Mapping[str, str]]
) -> list[tuple[str, str, str]]:
    """Every wrong pair with both records, one line each; returns (kind, a, b)."""
    errors = error_pairs(predicted, truth)
    columns = [c for c in next(iter(rows.values())) if c != "id"]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "kind",
                "family_a",
                "family_b",
                "id_a",
                "id_b",
                *(f"{c}_a" for c in columns),
                *(f"{c}_b" for c in columns),
            ]
        )
        for e in errors:
            a, b = rows[e.a], rows[e.b]
            w.writerow(
                [
                    e.kind,
                    truth.family[e.a],
                    truth.family[e.b],
                    e.a,
                    e.b,
                    *(a[c] for c in columns),
                    *(b[c] for c in columns),
                ]
            )
    return [(e.kind, e.a, e.b) for e in errors]


def print_examples(
    label: str,
    errors: list[tuple[str, str, str]],
    truth: Truth,
    rows: Mapping[str, Mapping[str, str]],
    per_family: int,
    rng: random.Random,
) -> None:
    print(f"\n  wrong pairs of {label} (a sample per family and kind):")
    for family in truth.families:
        for kind in ("false_merge", "room_merged", "missed"):
            mine = [e for e in errors if e[0] == kind and family in (truth.family[e[1]], truth.family[e[2]])]
            for _, a, b in rng.sample(mine, min(per_family, len(mine))):
                fields = [k for k in rows[a] if k != "id"]
                show = " / ".join(
                    f"{rows[a][k]!r}" if rows[a][k] == rows[b][k] else f"{rows[a][k]!r}~{rows[b][k]!r}"
                    for k in fields
                    if rows[a][k] or rows[b][k]
                )
                print(f"    {family:<19} {kind:<11} {show}")


# --- main ----------------------------------------------------------------------------------------------


def run_set(
    label: str,
    seed: int,
    args: argparse.Namespace,
    workdir: Path,
    venue_resolvers: Mapping[str, Callable[[Path], Clusters]],
    artist_resolvers: Mapping[str, Callable[[Path], Clusters]],
) -> dict[str, Any]:
    out: dict[str, Any] = {"seed": seed, "venues": {}, "artists": {}, "seconds": {}}
    t = time.perf_counter()
    venues = generate_venues(args.n, seed)
    artists = generate_artists(args.artists_n, seed)
    venue_csv, artist_csv = workdir / f"venues_{label}.csv", workdir / f"artists_{label}.csv"
    venues.write(venue_csv)
    artists.write(artist_csv)
    vtruth, atruth = Truth.from_rows(venues.truth), Truth.from_rows(artists.truth)
    print(
        f"\n== {label.upper()} (seed {seed}): {len(venues.rows)} venue records of {len(venues.entities)} venues, "
        f"{len(artists.rows)} artist mentions of {len(artists.acts)} acts "
        f"(generated in {time.perf_counter() - t:.1f} s, {workdir})"
    )
    vrows = {r["id"]: r for r in venues.rows}
    arows = {r["id"]: r for r in artists.rows}
    rng = random.Random(seed)
    for name, resolve in venue_resolvers.items():
        t = time.perf_counter()
        clusters = resolve(venue_csv)
        out["seconds"][f"venue_{name}"] = round(time.perf_counter() - t, 2)
        out["venues"][name] = evaluate(clusters, vtruth, rooms=True)
        errors = write_errors(workdir / f"errors_{label}_venues_{name}.csv", clusters, vtruth, vrows)
        if args.examples:
            print_examples(f"{name} (venues)", errors, vtruth, vrows, args.examples, rng)
    for name, resolve in artist_resolvers.items():
        t = time.perf_counter()
        clusters = resolve(artist_csv)
        out["seconds"][f"artist_{name}"] = round(time.perf_counter() - t, 2)
        out["artists"][name] = evaluate(clusters, atruth, rooms=False)
        errors = write_errors(workdir / f"errors_{label}_artists_{name}.csv", clusters, atruth, arows)
        if args.examples:
            print_examples(f"{name} (artists)", errors, atruth, arows, args.examples, rng)
    print_table(
        f"venues, {label} (pairwise P R F1 per family; a pair counts in the family of either record)",
        VENUE_FAMILIES,
        out["venues"],
    )
    print_table(f"artists, {label}", ARTIST_FAMILIES, out["artists"])
    print("  seconds: " + ", ".join(f"{k} {v}" for k, v in out["seconds"].items()))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description="Entity resolution on seeded hard cases (dev and held-out).")
    parser.add_argument("--n", type=int, default=1500, help="venues (entities) per set, about (default 1500)")
    parser.add_argument("--artists-n", type=int, default=1500, help="acts (entities) per set, about")
    parser.add_argument("--seed", type=int, default=None, help="held-out seed (default: a fresh random one)")
    parser.add_argument("--skip-splink", action="store_true")
    parser.add_argument("--skip-dev", action="store_true", help="only the held-out set")
    parser.add_argument(
        "--artist-command",
        default=None,
        help="artist resolver run as 'CMD --csv IN --out OUT' (default: manage.py dedupe_artists if it exists)",
    )
    parser.add_argument("--examples", type=int, default=0, help="wrong pairs to print per family and kind")
    parser.add_argument(
        "--workdir", type=Path, default=None, help="where the sets go (outside the repository)"
    )
    args = parser.parse_args()

    started = time.perf_counter()
    heldout_seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 2**31)
    if heldout_seed == DEV_SEED:
        raise SystemExit(f"--seed {DEV_SEED} is the dev seed: pick another for a held-out set")
    workdir = (args.workdir or Path(tempfile.mkdtemp(prefix="er-hard-"))).resolve()
    if workdir == ROOT or ROOT in workdir.parents:
        raise SystemExit(f"--workdir {workdir} is inside the repository: held-out data stays out of it")
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"held-out seed {heldout_seed} (dev seed {DEV_SEED}); load average {os.getloadavg()[0]:.2f}")

    venue_resolvers: dict[str, Callable[[Path], Clusters]] = {"ours": ours_venues}
    if not args.skip_splink:
        venue_resolvers["splink"] = splink_venues
    artist_resolvers: dict[str, Callable[[Path], Clusters]] = {"name_key": artist_name_key}
    command = shlex.split(args.artist_command) if args.artist_command else artist_command()
    if command:
        artist_resolvers["command"] = command_resolver(command)

    sets = {} if args.skip_dev else {"dev": DEV_SEED}
    sets["heldout"] = heldout_seed
    runs = {
        label: run_set(label, seed, args, workdir, venue_resolvers, artist_resolvers)
        for label, seed in sets.items()
    }

    result: dict[str, Any] = {
        "dev_seed": DEV_SEED,
        "heldout_seed": heldout_seed,
        "n": args.n,
        "artists_n": args.artists_n,
    }
    for label, run in runs.items():
        for name, res in run["venues"].items():
            result[f"{name}_venue_f1_{label}"] = res["overall"]["f1"]
            result[f"{name}_venue_p_{label}"] = res["overall"]["p"]
            result[f"{name}_venue_r_{label}"] = res["overall"]["r"]
            result[f"{name}_venue_families_{label}"] = {f: s["f1"] for f, s in res["families"].items()}
            result[f"{name}_room_pairs_merged_{label}"] = res["room_pairs"]["merged_share"]
        for name, res in run["artists"].items():
            key = "artist_name_key" if name == "name_key" else f"artist_{name}"
            result[f"{key}_f1_{label}"] = res["overall"]["f1"]
            result[f"{key}_p_{label}"] = res["overall"]["p"]
            result[f"{key}_r_{label}"] = res["overall"]["r"]
            result[f"{key}_families_{label}"] = {f: s["f1"] for f, s in res["families"].items()}
    result["seconds"] = round(time.perf_counter() - started, 1)
    print(f"\nwhole run {result['seconds']} s; sets and wrong pairs in {workdir}")
    print("RESULT " + json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
