"""The columnar reader: vectorised normalisation gives exactly the scalar normalisers' table."""

import csv
import random
from pathlib import Path

import pytest

from bench.er_synth import generate, write_csv
from entities.resolution import columnar, normalize
from entities.resolution.batch import _float
from entities.resolution.columnar import COLUMNS, VenueTable, read_venue_csv
from entities.resolution.records import PreparedVenue, prepare_values

ROOT = Path(__file__).resolve().parents[2]


def scalar_prepare(path):
    """The reference: the csv module and records.prepare_values, row by row."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        names = [h.strip().lower() for h in next(reader)]
        positions = [names.index(c) if c in names else -1 for c in COLUMNS]
        out = []
        for row in reader:
            values = [(row[p] if 0 <= p < len(row) else "") for p in positions]
            if not any(values):
                continue
            lat, lng = _float(values[8]), _float(values[9])
            if lat is None or lng is None:
                lat = lng = None
            street, city, postcode, country, phone, website = (v or None for v in values[2:8])
            out.append(
                prepare_values(
                    values[0].strip(), values[1], street, city, postcode, country, phone, website, lat, lng
                )
            )
    return out


def assert_same(path):
    expected = scalar_prepare(path)
    got = read_venue_csv(path).venues()
    assert len(got) == len(expected)
    for a, b in zip(got, expected, strict=True):
        assert a == b, [(f, x, y) for f, x, y in zip(PreparedVenue._fields, a, b, strict=True) if x != y]


# Rows that take every branch: the vectorised rules and each fallback to the scalar normalisers.
# fmt: off
TRICKY = [
    ("1", "The Showbox", "1426 1st Ave", "Seattle", "206-628-3151", "98101", "US", "47.6", "-122.3", ""),
    ("2", "Théâtre de la Ville", "2 Place du Châtelet", "Paris", "+33 1 42 74 22 77", "75004", "France", "", "", "theatredelaville-paris.com"),
    (" 3 ", "Neumo's & Friends", "925 E. Pike St, Suite 200", "Seattle", "(206) 709-9442", "98122-1234", "", "47.61", "-122.32", "https://www.neumos.com/events"),
    ("4", "Palm, The", "1 Main Street #4B", "St. Louis", "1-314-555-0100", "63101", "USA", "nan", "1", "HTTP://WWW.Palm.COM:8080/x?y#z"),
    ("5", "Spago (Los Angeles)", "176 N Canon Dr, Beverly Hills, CA 90210", "Beverly Hills", "310.385.0880", "2134", "US", "0", "0", "mailto:x@y.z"),
    ("6", "THE", "Tenth Avenue North East", "Ft Worth", "246-521-0000", "", "", "1e1", "2", "facebook.com/spago"),
    ("7", "Club_Ω", "Hauptstraße 5, 2nd floor", "München", "+49 30 1234567", "10115", "DE", " 52.5 ", "13.4 ", "http://user@host.com/"),
    ("8", "A.C.E. Hotel", "23 Rue Sainte Catherine", "Montreal", "514 555 0199", "H2X 1K4", "CA", "91", "0", "www2.x.com/a"),
    ("9", "Saint Mark's Theatre Centre", "100 N E 5th Street", "", "555-0199", "", "", "", "", "https://a.b."),
    ("10", "Café Tacvba", "10 Av. Insurgentes", "Ciudad de México", "+52 55 1234 5678", "06600", "Mexico", "19.4", "-99.1", "http://a..b.com"),
    ("11", "", "", "", "", "", "", "", "", ""),  # every field empty but the id
    ("12", "The  The", "  ", "  ", "  ", "  ", "  ", "  ", "  ", "  "),
    ("13", "Roxy", "9009 W Sunset Blvd Ste 100", "West Hollywood", "+1 (310) 278-9457 ext. 5", "90069", "Canada", "34.09", "-118.38", "//theroxy.com"),
    ("14", "Bar 1", "1 Main St", "Springfield", "+1 246 521 0000", "", "GB", "abc", "1", "ftp://x.com"),
    ("15", "ＦＵＬＬ　ＷＩＤＴＨ", "１２ Main", "Ｔｏｋｙｏ", "+81 3-1234-5678", "100-0001", "JP", "35.6", "139.7", "https://xn--bcher-kva.example/"),
    ("16", "Bücher", "Elm St.", "Zürich", "044 123 45 67", "8001", "CH", "47.37", "8.54", "https://bücher.ch/"),
    ("17", "The Moore Theatre", "1932 2nd Ave.", "Seattle", "206.467.5510", "98101-1234", "", "+47.6", "-.5", "www.stgpresents.org/moore"),
    ("18", "Floor 2 Club", "12 Main St 2nd Floor", "Springfield", "1 (217) 555 0123", "62701", "U.S.A.", "1.", "007", "https://x.com:"),
]
# fmt: on


def test_vectorised_equals_scalar_on_tricky_rows(tmp_path):
    # given
    path = tmp_path / "tricky.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(TRICKY)

    # when / then
    assert_same(path)


def test_vectorised_equals_scalar_on_fodors_zagat(tmp_path):
    # given: both guides in one file, as the benchmark builds it
    data = ROOT / "bench" / "data" / "fodors_zagat"
    path = tmp_path / "fz.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(("id", "name", "addr", "city", "phone"))
        for name, prefix in (("fodors.csv", "f"), ("zagats.csv", "z")):
            with (data / name).open(encoding="utf-8") as f:
                for row in csv.DictReader(f):
                    writer.writerow((prefix + row["id"], row["name"], row["addr"], row["city"], row["phone"]))

    # when / then
    assert_same(path)


def test_vectorised_equals_scalar_on_synthetic_rows(tmp_path):
    # given
    rows, _ = generate(40_000, seed=5)
    path = tmp_path / "venues.csv"
    write_csv(path, rows)

    # when / then
    assert_same(path)


def test_small_batches_read_the_same_table(tmp_path, monkeypatch):
    # given: a file read 700 rows at a time (two batches in flight), blank lines between batches
    rows, _ = generate(5000, seed=8)
    path = tmp_path / "venues.csv"
    write_csv(path, rows)
    with path.open("a", encoding="utf-8") as f:
        f.write("\n,,,,,,,,,\n")
    whole = read_venue_csv(path)
    monkeypatch.setattr(columnar, "READ_BATCH_ROWS", 700)

    # when
    batched = read_venue_csv(path)

    # then
    assert batched.frame.equals(whole.frame)
    assert len(batched) == 5000


def test_nanp_validity_equals_phonenumbers(tmp_path):
    # given: random North American numbers over every area code, valid or not, in several shapes
    rng = random.Random(3)
    shapes = ["({a}) {b}-{c}", "{a}-{b}-{c}", "+1 {a} {b} {c}", "{a}{b}{c}", "1-{a}-{b}-{c}", "{a}/{b}-{c}"]
    rows = []
    for k in range(20_000):
        a, b, c = str(rng.randrange(200, 1000)), f"{rng.randrange(1000):03d}", f"{rng.randrange(10000):04d}"
        rows.append(
            (str(k), "x", "", "", rng.choice(shapes).format(a=a, b=b, c=c), "", rng.choice(["", "US", "CA"]))
        )
    path = tmp_path / "phones.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(("id", "name", "addr", "city", "phone", "postcode", "country"))
        writer.writerows(rows)

    # when
    phones = read_venue_csv(path).frame["phone"].to_list()

    # then: what phonenumbers itself says, number by number
    for (_, _, _, _, text, _, country), phone in zip(rows, phones, strict=True):
        assert phone == normalize._parse_phone(text, country or "US"), text


def test_blank_lines_quoted_newlines_and_missing_columns(tmp_path):
    # given
    path = tmp_path / "v.csv"
    path.write_text('\ufeffID,Name ,city\n1,"Neumos\nSeattle",Seattle\n\n2,Barboza\n', encoding="utf-8")

    # when
    venues = read_venue_csv(path).venues()

    # then
    assert [(v.id, v.name_norm, v.city) for v in venues] == [
        ("1", "neumos seattle", "seattle"),
        ("2", "barboza", None),
    ]


def test_needs_id_and_name(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text("name,city\nNeumos,Seattle\n", encoding="utf-8")
    with pytest.raises(ValueError, match="id and name"):
        read_venue_csv(path)


def test_table_of_prepared_venues_round_trips(tmp_path):
    # given
    rows, _ = generate(2000, seed=6)
    path = tmp_path / "venues.csv"
    write_csv(path, rows)
    venues = scalar_prepare(path)

    # when
    table = VenueTable.from_venues(venues)

    # then
    assert table.venues() == venues
    assert table.venue(17) == venues[17]
    assert table.positions([venues[5].id, venues[0].id]) == [5, 0]
