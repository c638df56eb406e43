"""A renamed venue reaches staff review even where weights estimated from the data score it low."""

from bench.er_synth import COLUMNS, generate
from entities.resolution.batch import records_from_rows
from entities.resolution.estimate import estimate_venue_model
from entities.resolution.matching import VenueRecord, find_duplicates, possibly_renamed


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
