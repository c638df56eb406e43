"""The duplicate pass: which pairs are filed, with which decision; a renamed venue reaches staff
review even where weights estimated from the data score it low."""

import pytest

from bench.er_synth import COLUMNS, generate
from entities.resolution.batch import records_from_rows
from entities.resolution.duplicates import (
    DEFAULT_AUTO_THRESHOLD,
    DEFAULT_REVIEW_THRESHOLD,
    find_duplicates,
    possibly_renamed,
)
from entities.resolution.estimate import estimate_venue_model
from entities.resolution.records import VenueRecord

REVIEW = DEFAULT_REVIEW_THRESHOLD
AUTO = DEFAULT_AUTO_THRESHOLD


def venue(id_, name, **fields):
    return VenueRecord(id=id_, name=name, **fields).prepare()


OLD = venue("old", "Chop Suey", street="1325 E Madison St", city="Seattle", phone="206-538-4180")
NEW = venue("new", "Madison Hall", street="1325 East Madison Street", city="Seattle", phone="2065384180")
# A room of the same complex: the switchboard number one digit off
ROOM = venue("room", "Madison Hall Lounge", street="1325 E Madison St", city="Seattle", phone="206-538-4181")


def test_the_rule_wants_the_same_street_city_and_phone_under_another_name():
    assert possibly_renamed(OLD, NEW)
    assert not possibly_renamed(NEW, ROOM)
    assert not possibly_renamed(OLD, OLD._replace(id="copy"))


def test_renamed_venue_goes_to_review_under_weights_estimated_from_data():
    # given: weights estimated from a table where another name at one address is usually another room
    rows, _truth = generate(6000, seed=7)
    table = [r.prepare() for r in records_from_rows(dict(zip(COLUMNS, row, strict=True)) for row in rows)]
    model = estimate_venue_model(table)

    # when
    found = find_duplicates([OLD, NEW, ROOM], model=model, review_threshold=0.3, auto_threshold=0.97)

    # then: its score alone would not file it; the rule does, for review, and says so
    [candidate] = [d for d in found if {d.a_id, d.b_id} == {"new", "old"}]
    assert candidate.score < 0.3
    assert candidate.decision == "review"
    assert candidate.explanation[-1].field == "rule"
    assert candidate.weight == sum(row.weight for row in candidate.explanation)
    assert all(d.explanation[-1].field != "rule" for d in found if "room" in (d.a_id, d.b_id))


# --- find_duplicates ------------------------------------------------------------------------------

CITY_SET = [
    ("showbox-1", "The Showbox", {"street": "1426 1st Ave", "city": "Seattle", "phone": "206-628-3151"}),
    ("showbox-2", "Showbox", {"street": "1426 First Avenue", "city": "Seattle"}),
    ("sodo", "Showbox SoDo", {"street": "1700 1st Ave S", "city": "Seattle"}),
    ("croc-sea", "The Crocodile", {"street": "2505 1st Ave", "city": "Seattle"}),
    ("croc-pdx", "The Crocodile", {"street": "1 NW 2nd Ave", "city": "Portland"}),
    ("neumos", "Neumos", {"street": "925 E Pike St", "city": "Seattle", "phone": "206-709-9442"}),
    ("barboza", "Barboza", {"street": "925 E Pike St", "city": "Seattle", "phone": "206-709-9443"}),
    ("chop", "Chop Suey", {"street": "1325 E Madison St", "city": "Seattle", "phone": "206-538-4180"}),
    (
        "madison",
        "Madison Hall",
        {"street": "1325 E Madison Street", "city": "Seattle", "phone": "2065384180"},
    ),
]


def test_find_duplicates_on_a_small_city():
    # given
    venues = [VenueRecord(id=i, name=n, **f).prepare() for i, n, f in CITY_SET]  # type: ignore[arg-type]

    # when
    found = find_duplicates(venues, review_threshold=REVIEW, auto_threshold=AUTO)

    # then
    assert [(d.a_id, d.b_id, d.decision) for d in found] == [
        ("showbox-1", "showbox-2", "auto_merge"),
        ("chop", "madison", "review"),
    ]
    assert found[0].explanation[0].field == "name"


def test_find_duplicates_respects_thresholds_and_given_pairs():
    # given
    venues = [VenueRecord(id=i, name=n, **f).prepare() for i, n, f in CITY_SET]  # type: ignore[arg-type]

    # when
    found = find_duplicates(
        venues,
        review_threshold=0.0,
        auto_threshold=1.0,
        pairs=[("croc-pdx", "croc-sea"), ("neumos", "barboza")],
    )

    # then
    assert {(d.a_id, d.b_id) for d in found} == {("croc-pdx", "croc-sea"), ("barboza", "neumos")}
    assert {d.decision for d in found} == {"review"}


@pytest.mark.parametrize(("review", "auto"), [(0.9, 0.5), (-0.1, 0.5), (0.5, 1.1)])
def test_find_duplicates_rejects_bad_thresholds(review, auto):
    # when / then
    with pytest.raises(ValueError, match="threshold"):
        find_duplicates([], review_threshold=review, auto_threshold=auto)


def test_find_duplicates_rejects_repeated_ids():
    # when / then
    with pytest.raises(ValueError, match="duplicate venue id"):
        find_duplicates([OLD, OLD])
