"""Scoring a venue pair: comparison levels, weights and the hard cases (rooms of one building,
chains, renamed venues, missing fields)."""

import pytest

from entities.resolution.duplicates import DEFAULT_AUTO_THRESHOLD, DEFAULT_REVIEW_THRESHOLD
from entities.resolution.model import LOCATION_MAX
from entities.resolution.records import PreparedVenue, VenueRecord
from entities.resolution.scoring import haversine_m, score_venue_pair

REVIEW = DEFAULT_REVIEW_THRESHOLD
AUTO = DEFAULT_AUTO_THRESHOLD


def venue(id_, name, **fields):
    return VenueRecord(id=id_, name=name, **fields).prepare()


def levels(result):
    return {c.field: c.level for c in result.explanation}


# Two rooms in one building: same address and coordinates, switchboard phones one digit apart.
NEUMOS = venue(
    "neumos",
    "Neumos",
    street="925 E Pike St",
    city="Seattle",
    postal_code="98122",
    country="US",
    phone="206-709-9442",
    website="https://www.neumos.com",
    latitude=47.61420,
    longitude=-122.31940,
)
BARBOZA = venue(
    "barboza",
    "Barboza",
    street="925 East Pike Street",
    city="Seattle",
    postal_code="98122-2108",
    country="USA",
    phone="(206) 709-9443",
    website="thebarboza.com",
    latitude=47.61425,
    longitude=-122.31945,
)


def test_rooms_sharing_an_address_and_switchboard_are_not_duplicates():
    # when
    result = score_venue_pair(NEUMOS, BARBOZA)

    # then
    assert result.score < REVIEW
    assert levels(result) | {"location_overlap": "adjustment"} == {
        "name": "different",
        "city": "exact",
        "country": "exact",
        "street": "exact",
        "postcode": "exact",
        "geo": "exact",
        "phone": "close",
        "website": "different",
        "external_ids": "missing",
        "location_overlap": "adjustment",
    }


def test_rooms_sharing_everything_but_the_name_are_still_not_duplicates():
    # given: even the same website host (one operator's site)
    a = venue(
        "a", "Neumos", street="925 E Pike St", city="Seattle", phone="206-709-9442", website="neumos.com"
    )
    b = venue(
        "b", "Barboza", street="925 E Pike St", city="Seattle", phone="206-709-9443", website="neumos.com"
    )

    # when
    result = score_venue_pair(a, b)

    # then
    assert result.score < REVIEW


def test_location_evidence_is_capped():
    # when
    result = score_venue_pair(NEUMOS, BARBOZA)

    # then
    location = sum(c.weight for c in result.explanation if c.field in ("street", "postcode", "geo"))
    adjustment = sum(c.weight for c in result.explanation if c.field == "location_overlap")
    assert location + adjustment == LOCATION_MAX
    assert result.weight == pytest.approx(sum(c.weight for c in result.explanation))


def test_renamed_venue_goes_to_review_not_auto_merge():
    # given: same address and phone, new name and new website
    old = venue(
        "old",
        "Chop Suey",
        street="1325 E Madison St",
        city="Seattle",
        postal_code="98122",
        phone="206-538-4180",
        website="chopsuey.com",
    )
    new = venue(
        "new",
        "Madison Hall",
        street="1325 East Madison Street",
        city="Seattle",
        postal_code="98122",
        phone="+1 206 538 4180",
        website="madisonhallseattle.com",
    )

    # when
    result = score_venue_pair(old, new)

    # then
    assert REVIEW <= result.score < AUTO
    assert levels(result)["name"] == "different"
    assert levels(result)["phone"] == "exact"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (venue("s1", "The Crocodile", city="Seattle"), venue("p1", "The Crocodile", city="Portland")),
        (
            venue(
                "s2",
                "The Crocodile",
                street="2505 1st Ave",
                city="Seattle",
                latitude=47.6138,
                longitude=-122.3481,
            ),
            venue(
                "p2",
                "The Crocodile",
                street="1 NW 2nd Ave",
                city="Portland",
                latitude=45.5231,
                longitude=-122.6765,
            ),
        ),
        # chains: same name, different cities
        (
            venue("hob-chi", "House of Blues", city="Chicago"),
            venue("hob-bos", "House of Blues", city="Boston"),
        ),
        (
            venue("hob-chi", "House of Blues", city="Chicago", country="US"),
            venue("hob-bos", "House of Blues", city="Boston", country="US", website="houseofblues.com"),
        ),
        (
            venue(
                "hob-lv", "House of Blues", city="Las Vegas", postal_code="89119", website="houseofblues.com"
            ),
            venue(
                "hob-sd", "House of Blues", city="San Diego", postal_code="92101", website="houseofblues.com"
            ),
        ),
        (venue("ldn", "O2 Academy", city="London", country="GB"), venue("gla", "O2 Academy", city="Glasgow")),
    ],
)
def test_same_name_in_different_cities_is_not_a_duplicate(a, b):
    # when
    result = score_venue_pair(a, b)

    # then
    assert result.score < REVIEW
    assert levels(result)["name"] == "exact"
    assert levels(result)["city"] == "different"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            venue("x", "The Showbox", street="1426 1st Ave", city="Seattle"),
            venue("y", "Showbox", street="1426 First Avenue", city="Seattle"),
        ),
        (
            venue(
                "x",
                "The Showbox",
                city="Seattle",
                latitude=47.6086,
                longitude=-122.3398,
                phone="206-628-3151",
            ),
            venue(
                "y", "Showbox", city="seattle", latitude=47.6087, longitude=-122.3399, phone="(206) 628-3151"
            ),
        ),
        (
            venue("x", "The Showbox", city="Seattle", external_ids={"google_place": "ChIJ123"}),
            venue("y", "Showbox", city="Seattle", external_ids={"Google_Place": " ChIJ123 "}),
        ),
        (
            venue("x", "Neumo's", street="925 E Pike St", city="Seattle", postal_code="98122"),
            venue("y", "NEUMOS", street="925 E. Pike Street", city="Seattle", postal_code="98122"),
        ),
    ],
)
def test_same_venue_spelled_differently_auto_merges(a, b):
    # when
    result = score_venue_pair(a, b)

    # then
    assert result.score >= AUTO


def test_same_name_same_city_without_other_evidence_is_review():
    # given
    a = venue("x", "The Showbox", city="Seattle")
    b = venue("y", "Showbox", city="Seattle")

    # when
    result = score_venue_pair(a, b)

    # then
    assert REVIEW <= result.score < AUTO


@pytest.mark.parametrize(
    ("a", "b", "name_level"),
    [
        (venue("x", "The Moore", city="Seattle"), venue("y", "Moore Theatre", city="Seattle"), "close"),
        (venue("x", "Tractor", city="Seattle"), venue("y", "Tractor Tavern", city="Seattle"), "close"),
        (venue("x", "Neumos", city="Seattle"), venue("y", "Nuemos", city="Seattle"), "similar"),
        (venue("x", "Sunset Tavern", city="Seattle"), venue("y", "Sunset Room", city="Seattle"), "different"),
        (
            venue("x", "Showbox SoDo", city="Seattle"),
            venue("y", "Showbox at the Market", city="Seattle"),
            "different",
        ),
        (venue("x", "Neumos", city="Seattle"), venue("y", "Barboza", city="Seattle"), "different"),
    ],
)
def test_name_levels(a, b, name_level):
    # when
    result = score_venue_pair(a, b)

    # then
    assert levels(result)["name"] == name_level


def test_typo_in_name_at_same_address_is_review():
    # given
    a = venue("x", "Neumos", street="925 E Pike St", city="Seattle")
    b = venue("y", "Nuemos", street="925 E Pike St", city="Seattle")

    # when
    result = score_venue_pair(a, b)

    # then
    assert REVIEW <= result.score < AUTO


def test_missing_fields_are_neutral():
    # given
    bare = venue("x", "The Showbox", city="Seattle")
    full = venue(
        "y",
        "Showbox",
        city="Seattle",
        street="1426 1st Ave",
        postal_code="98101",
        country="US",
        phone="206-628-3151",
        website="showboxpresents.com",
        latitude=47.6086,
        longitude=-122.3398,
    )
    bare_twin = venue("z", "Showbox", city="Seattle")

    # when
    with_missing = score_venue_pair(bare, full)
    baseline = score_venue_pair(bare, bare_twin)

    # then
    assert with_missing.weight == baseline.weight
    assert {c.weight for c in with_missing.explanation if c.level == "missing"} == {0.0}


@pytest.mark.parametrize(
    ("a_ids", "b_ids", "level"),
    [
        ({"google_place": "A"}, {"google_place": "A"}, "exact"),
        ({"google_place": "A"}, {"google_place": "B"}, "different"),
        ({"google_place": "A", "yelp": "Y"}, {"google_place": "A", "yelp": "Z"}, "conflict"),
        ({"google_place": "A"}, {"yelp": "A"}, "missing"),  # no shared scheme
        ({}, {"google_place": "A"}, "missing"),
    ],
)
def test_external_id_levels(a_ids, b_ids, level):
    # given
    a = venue("x", "The Showbox", city="Seattle", external_ids=a_ids)
    b = venue("y", "The Showbox", city="Seattle", external_ids=b_ids)

    # when
    result = score_venue_pair(a, b)

    # then
    assert levels(result)["external_ids"] == level


def test_different_ids_in_one_scheme_outweigh_equal_name_and_address():
    # given
    a = venue("x", "Showbox", street="1426 1st Ave", city="Seattle", external_ids={"google_place": "A"})
    b = venue("y", "Showbox", street="1426 1st Ave", city="Seattle", external_ids={"google_place": "B"})

    # when
    result = score_venue_pair(a, b)

    # then
    assert result.score < REVIEW


def test_generic_website_is_ignored():
    # given
    a = venue("x", "Neumos", city="Seattle", website="https://facebook.com/neumos")
    b = venue("y", "Barboza", city="Seattle", website="https://www.facebook.com/barboza")

    # when
    result = score_venue_pair(a, b)

    # then
    row = next(c for c in result.explanation if c.field == "website")
    assert (row.level, row.weight) == ("ignored", 0.0)


def test_city_mismatch_is_softened_when_coordinates_agree():
    # given: one source says the neighbourhood, the other the city
    a = venue("x", "Music Hall of Williamsburg", city="Brooklyn", latitude=40.7191, longitude=-73.9614)
    b = venue("y", "Music Hall of Williamsburg", city="New York", latitude=40.7192, longitude=-73.9615)

    # when
    result = score_venue_pair(a, b)

    # then
    assert levels(result)["city"] == "different_nearby"
    assert result.score >= REVIEW


@pytest.mark.parametrize(
    ("metres_apart", "level"),
    [(0, "exact"), (40, "exact"), (200, "close"), (2000, "near"), (10_000, "different")],
)
def test_geo_levels(metres_apart, level):
    # given: move north; one degree of latitude is ~111.2 km
    a = venue("x", "A Venue", latitude=47.6, longitude=-122.3)
    b = venue("y", "A Venue", latitude=47.6 + metres_apart / 111_195, longitude=-122.3)

    # when
    result = score_venue_pair(a, b)

    # then
    assert levels(result)["geo"] == level


def test_haversine():
    # Seattle -> Portland is about 234 km
    assert haversine_m(47.6062, -122.3321, 45.5152, -122.6784) == pytest.approx(233_800, rel=0.01)
    assert haversine_m(10, 10, 10, 10) == 0


def test_zero_zero_coordinates_are_treated_as_missing():
    # when
    v = venue("x", "A", latitude=0.0, longitude=0.0)

    # then
    assert (v.latitude, v.longitude) == (None, None)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (NEUMOS, BARBOZA),
        (venue("s1", "The Crocodile", city="Seattle"), venue("p1", "The Crocodile", city="Portland")),
        (
            venue("x", "The Moore", street="1932 2nd Ave"),
            venue("y", "Moore Theatre", street="1932 Second Avenue"),
        ),
    ],
)
def test_score_is_symmetric(a, b):
    # when / then
    assert score_venue_pair(a, b).score == score_venue_pair(b, a).score


def test_prepare_normalises_every_field_once():
    # when
    v = NEUMOS

    # then
    assert isinstance(v, PreparedVenue)
    assert (v.name_norm, v.name_key, v.city, v.postcode, v.country) == (
        "neumos",
        "neumos",
        "seattle",
        "98122",
        "US",
    )
    assert (v.street, v.phone, v.website_host) == (
        "925 e pike st",
        "+12067099442",
        "neumos.com",
    )
    assert BARBOZA.postcode == "98122"  # ZIP+4 cut because the country is US
