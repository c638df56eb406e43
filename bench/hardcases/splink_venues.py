"""Splink 5 on a venue CSV, configured as its documentation and tutorials do: the reference resolver.

``splink_venue_settings(columns)`` is the model for whichever of the venue columns a table has
(``bench/er.py``'s four-column tables can reuse it), ``splink_venue_clusters(path)`` runs it end to
end (DuckDB, unsupervised) and returns record -> cluster.

The settings: light cleaning in SQL (lower case, accents and punctuation out, phones to their last
nine digits without extensions, postcodes without spaces, websites to their host, or host and first
path segment for Facebook and Instagram pages); ``NameComparison("name")`` (Jaro-Winkler levels,
term-frequency adjustments on its exact level), ``JaroWinklerAtThresholds("addr", [0.95, 0.88])``,
``ExactMatch("city")`` with term-frequency adjustments, exact phone, postcode, country and website,
``DistanceInKMAtThresholds(lat, lng, [0.05, 0.3, 3])``; prediction blocked on phone, name + city,
addr + city, website, and the first four letters of name and addr; the prior from phone + name and
name + addr at recall 0.7, u by random sampling, m by EM blocked on phone then on name; clusters at
match probability >= 0.5.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ALL_COLUMNS = ("name", "addr", "city", "phone", "postcode", "country", "lat", "lng", "website")

_CLEAN: dict[str, str] = {
    "name": "nullif(trim(regexp_replace(strip_accents(lower(name)), '[^a-z0-9 ]+', ' ', 'g')), '')",
    "addr": "nullif(trim(regexp_replace(strip_accents(lower(addr)), '[^a-z0-9 ]+', ' ', 'g')), '')",
    "city": "nullif(trim(regexp_replace(strip_accents(lower(city)), '[^a-z0-9 ]+', ' ', 'g')), '')",
    "phone": (
        "nullif(right(regexp_replace(regexp_replace(lower(phone), "
        "'\\s*\\(?(ext|x|poste|int)\\.?\\s*\\d+\\)?\\s*$', ''), '[^0-9]', '', 'g'), 9), '')"
    ),
    "postcode": "nullif(regexp_replace(upper(postcode), '[^A-Z0-9]', '', 'g'), '')",
    "country": "nullif(lower(trim(country)), '')",
    "lat": "try_cast(lat as double)",
    "lng": "try_cast(lng as double)",
    "website": (
        "nullif(regexp_extract(lower(website), "
        "'^(?:https?://)?(?:www[0-9]*\\.)?((?:facebook|instagram)\\.com/[^/?#]+|[^/?#:]+)', 1), '')"
    ),
}


def splink_input_sql(path: str, columns: Sequence[str] = ALL_COLUMNS) -> str:
    """The DuckDB statement that reads and cleans the CSV into table ``venues``."""
    selected = ",\n    ".join(f"{_CLEAN[c]} as {c}" for c in columns)
    quoted = path.replace("'", "''")
    return (
        f"create or replace table venues as\nselect\n    id,\n    {selected}\n"
        f"from read_csv('{quoted}', header = true, all_varchar = true)"
    )


def splink_venue_settings(columns: Sequence[str] = ALL_COLUMNS) -> Any:
    """Splink's SettingsCreator for the venue columns present (see the module docstring)."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    have = set(columns)
    comparisons: list[Any] = [cl.NameComparison("name")]
    if "addr" in have:
        comparisons.append(cl.JaroWinklerAtThresholds("addr", [0.95, 0.88]))
    if "city" in have:
        comparisons.append(cl.ExactMatch("city").configure(term_frequency_adjustments=True))
    for column in ("phone", "postcode", "country", "website"):
        if column in have:
            comparisons.append(cl.ExactMatch(column))
    if {"lat", "lng"} <= have:
        comparisons.append(cl.DistanceInKMAtThresholds("lat", "lng", [0.05, 0.3, 3]))
    blocking: list[Any] = [block_on("name", "city")] if "city" in have else [block_on("name")]
    if "phone" in have:
        blocking.insert(0, block_on("phone"))
    if {"addr", "city"} <= have:
        blocking.append(block_on("addr", "city"))
    if "website" in have:
        blocking.append(block_on("website"))
    if "addr" in have:
        blocking.append(block_on("substr(name, 1, 4)", "substr(addr, 1, 4)"))
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def splink_venue_clusters(
    csv_path: Path, *, columns: Sequence[str] = ALL_COLUMNS, threshold: float = 0.5, threads: int = 2
) -> dict[str, str]:
    """Deduplicate a venue CSV with Splink and return record id -> cluster id."""
    import duckdb
    from splink import DuckDBAPI, Linker, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    con = duckdb.connect()
    con.execute(f"set threads to {int(threads)}")
    con.execute(splink_input_sql(str(csv_path), columns))
    linker = Linker(
        DuckDBAPI(connection=con).register("venues"), splink_venue_settings(columns), log_level=logging.ERROR
    )
    deterministic: list[Any] = [block_on("name", "addr")]
    if "phone" in columns:
        deterministic.insert(0, block_on("phone", "name"))
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
    if "phone" in columns:
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("phone"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name"))
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    )
    frame = clusters.as_duckdbpyrelation().select("id, cluster_id").fetchall()
    return {str(rid): str(cluster) for rid, cluster in frame}
