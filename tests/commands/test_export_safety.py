"""CSV exports never hand a spreadsheet a formula: OWASP's rule, applied to every text cell."""

from __future__ import annotations

import csv
import io

import pytest

from entities.exporting import csv_cell
from entities.models import Venue
from tests.commands.test_operator_commands import run
from tests.factories import VenueFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "text",
    [
        "=cmd|' /C calc'!A0",
        "+SUM(1,2)",
        "-2+3",
        "@SUM(A1)",
        "\t=1+1",
        "\r=1+1",
        "＝1+1",  # a full-width equals sign, which some spreadsheets read as "="
    ],
)
def test_a_formula_is_written_as_text(text):
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize(
    ("value", "cell"),
    [(-122.33, "-122.33"), (-5, "-5"), (None, ""), ("The Crocodile", "The Crocodile"), (["=x"], '["=x"]')],
)
def test_numbers_plain_text_and_lists_are_left_alone(value, cell):
    assert csv_cell(value) == cell


def test_export_neutralises_a_hostile_venue_name(tmp_path):
    # given: a venue whose name came from a hostile page
    venue = VenueFactory.create(name="=cmd|' /C calc'!A0", longitude=-122.3)

    # when
    out = tmp_path / "venues.csv"
    run("export_entities", "--type", "venue", "--format", "csv", "--out", str(out), "--no-progress")

    # then: the cell starts with an apostrophe, the coordinate is still a number
    row = next(r for r in csv.DictReader(io.StringIO(out.read_text())) if r["id"] == venue.public_id)
    assert row["name"] == "'=cmd|' /C calc'!A0"
    assert float(row["longitude"]) == pytest.approx(-122.3)
    assert Venue.objects.get(pk=venue.pk).name == "=cmd|' /C calc'!A0"  # stored as it came
