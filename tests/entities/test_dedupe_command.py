"""`manage.py dedupe_venues`: a CSV in, id,cluster_id out, and no database at all."""

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]

ROWS = [
    ("1", "The Showbox", "1426 1st Ave", "Seattle", "206-628-3151"),
    ("2", "Showbox", "1426 First Avenue", "seattle", "(206) 628-3151"),
    ("3", "Showbox SoDo", "1700 1st Ave S", "Seattle", ""),
    ("4", "Neumos", "925 E Pike St", "Seattle", "206-709-9442"),
    ("5", "Barboza", "925 East Pike Street", "Seattle", "206-709-9443"),
    ("6", "NEUMO'S", "925 E. Pike Street", "Seattle", "2067099442"),
    ("7", "The Crocodile", "2505 1st Ave", "Seattle", ""),
    ("8", "The Crocodile", "1 NW 2nd Ave", "Portland", ""),
]


def write(path, rows, header=("id", "name", "addr", "city", "phone")):
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def read(path):
    with path.open(newline="", encoding="utf-8") as f:
        return {row["id"]: row["cluster_id"] for row in csv.DictReader(f)}


@pytest.mark.django_db
def test_every_row_gets_a_cluster_and_duplicates_share_one(tmp_path, django_assert_num_queries):
    # given
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    write(source, ROWS)

    # when
    with django_assert_num_queries(0):
        call_command("dedupe_venues", csv=str(source), out=str(target), no_progress=True)

    # then
    clusters = read(target)
    assert list(clusters) == [r[0] for r in ROWS]  # every row, in input order
    assert clusters["1"] == clusters["2"] == "1"
    assert clusters["4"] == clusters["6"] == "4"
    assert len({clusters[i] for i in ("1", "3", "4", "5", "7", "8")}) == 6  # rooms, chains, SoDo apart


@pytest.mark.django_db
def test_fodors_zagat_without_labels(tmp_path, django_assert_num_queries):
    # given: both guides as one table (ids prefixed), and the true pairs
    data = ROOT / "bench" / "data" / "fodors_zagat"
    rows = []
    for name, prefix in (("fodors.csv", "f"), ("zagats.csv", "z")):
        with (data / name).open(newline="", encoding="utf-8") as f:
            rows += [
                (prefix + r["id"], r["name"], r["addr"], r["city"], r["phone"]) for r in csv.DictReader(f)
            ]
    with (data / "matches_fodors_zagats.csv").open(newline="", encoding="utf-8") as f:
        truth = {("f" + r["fodors_id"], "z" + r["zagats_id"]) for r in csv.DictReader(f)}
    source, target = tmp_path / "fz.csv", tmp_path / "out.csv"
    write(source, rows)

    # when
    with django_assert_num_queries(0):
        call_command("dedupe_venues", csv=str(source), out=str(target), no_progress=True)

    # then: pairwise F1 over the clusters of at least 0.96 (Splink 0.905, dedupe with 50 labels 0.960)
    clusters = read(target)
    members: dict[str, list[str]] = {}
    for rid, cid in clusters.items():
        members.setdefault(cid, []).append(rid)
    predicted = {(a, b) if a < b else (b, a) for m in members.values() for a in m for b in m if a != b}
    tp = len(predicted & truth)
    precision, recall = tp / len(predicted), tp / len(truth)
    assert 2 * precision * recall / (precision + recall) >= 0.96


def test_optional_columns_and_model_output(tmp_path):
    # given
    source, target, model = tmp_path / "in.csv", tmp_path / "out.csv", tmp_path / "model.json"
    write(
        source,
        [
            (
                "a",
                "Neumos",
                "925 E Pike St",
                "Seattle",
                "",
                "98122",
                "US",
                "47.6142",
                "-122.3194",
                "neumos.com",
            ),
            ("b", "Neumos", "", "", "", "", "", "47.61421", "-122.31941", "https://www.neumos.com/"),
        ],
        header=("id", "name", "addr", "city", "phone", "postcode", "country", "lat", "lng", "website"),
    )

    # when
    call_command("dedupe_venues", csv=str(source), out=str(target), model_out=str(model), no_progress=True)

    # then
    assert read(target) == {"a": "a", "b": "a"}
    assert '"kind": "hand"' in model.read_text()  # two rows: too few to estimate weights from


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id,name\n1,A\n1,B\n", "duplicate venue id"),
        ("name,city\nA,Seattle\n", "id and name"),
        ("id,name\n,A\n", "without an id"),
    ],
)
def test_bad_input_is_reported(tmp_path, content, message):
    # given
    source = tmp_path / "in.csv"
    source.write_text(content, encoding="utf-8")

    # when / then
    with pytest.raises(CommandError, match=message):
        call_command("dedupe_venues", csv=str(source), out=str(tmp_path / "out.csv"), no_progress=True)


def test_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such CSV file"):
        call_command("dedupe_venues", csv=str(tmp_path / "nope.csv"), out=str(tmp_path / "out.csv"))
