"""`manage.py dedupe_artists`: a CSV of artist mentions in, id,cluster_id out, no database; bad input
is reported as dedupe_venues reports it."""

import csv

import pytest
from django.core.management import CommandError, call_command

HEADER = ("id", "name", "city", "genres", "urls", "co_billed")
ROWS = [
    (
        "1",
        "The Solar Lanterns",
        "Porto",
        "bebop|jazz",
        "https://open.spotify.com/artist/Uys520G7PqpK6duoNpJyy3",
        "",
    ),
    (
        "2",
        "Solar Lanterns, The (live)",
        "Lisboa",
        "Bebop",
        "spotify.com/artist/Uys520G7PqpK6duoNpJyy3?si=x",
        "",
    ),
    (
        "3",
        "Solar Lanterns",
        "Leeds",
        "doom|metal",
        "https://open.spotify.com/artist/Qq1dX7pLmBnZx0WcVb2Tt9",
        "",
    ),
    ("4", "Solar Lanterns Tribute", "Leeds", "bebop", "", ""),
    ("5", "Cardamom & the Mills", "Dublin", "soul", "", "Lanterna Felice"),
    ("6", "Cardamom and the Mills [US]", "Madrid", "Soul|hip hop", "", "LANTERNA FELICE"),
    ("7", "DJ Cardamom", "Madrid", "house", "", ""),
]


def write(path, rows, header=HEADER):
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def read(path):
    with path.open(newline="", encoding="utf-8") as f:
        return {row["id"]: row["cluster_id"] for row in csv.DictReader(f)}


@pytest.mark.django_db
def test_every_mention_gets_a_cluster(tmp_path, django_assert_num_queries, capsys):
    # given
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    write(source, ROWS)

    # when
    with django_assert_num_queries(0):
        call_command("dedupe_artists", csv=str(source), out=str(target), no_progress=True)

    # then: in input order; one Spotify artist two ways; another Spotify artist of one name apart;
    # the tribute and "DJ X" apart; a tour package (billed together twice) one act
    clusters = read(target)
    assert list(clusters) == [r[0] for r in ROWS]
    assert clusters["1"] == clusters["2"] == "1"
    assert clusters["5"] == clusters["6"] == "5"
    assert len({clusters[i] for i in ("1", "3", "4", "5", "7")}) == 5
    assert "7 mentions -> 5 acts" in capsys.readouterr().out


def test_optional_columns_and_weights_output(tmp_path):
    source, target, weights = tmp_path / "in.csv", tmp_path / "out.csv", tmp_path / "w.json"
    write(source, [("a", "Neko Case"), ("b", "NEKO CASE (Live)")], header=("ID", "Name"))

    call_command(
        "dedupe_artists", csv=str(source), out=str(target), weights_out=str(weights), no_progress=True
    )

    assert read(target) == {"a": "a", "b": "a"}
    assert '"shared_link": 30.0' in weights.read_text()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id,name\n1,A\n1,B\n", "duplicate artist id"),
        ("name,city\nA,Seattle\n", "id and name"),
        ("id,name\n,A\n", "without an id"),
    ],
)
def test_bad_input_is_reported(tmp_path, content, message):
    source = tmp_path / "in.csv"
    source.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("dedupe_artists", csv=str(source), out=str(tmp_path / "out.csv"), no_progress=True)


def test_not_utf8_and_missing_file(tmp_path):
    source = tmp_path / "in.csv"
    source.write_bytes(b"id,name\n1,Caf\xe9\n")
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("dedupe_artists", csv=str(source), out=str(tmp_path / "out.csv"), no_progress=True)
    with pytest.raises(CommandError, match="No such CSV file"):
        call_command("dedupe_artists", csv=str(tmp_path / "nope.csv"), out=str(tmp_path / "out.csv"))
