import subprocess
import sys
from pathlib import Path

import pytest

from entities.resolution.matching import (
    DEFAULT_AUTO_THRESHOLD,
    DEFAULT_REVIEW_THRESHOLD,
    LOCATION_MAX,
    PreparedVenue,
    VenueRecord,
    find_duplicates,
    haversine_m,
    iter_candidate_pairs,
    score_venue_pair,
)

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


# --- blocking ------------------------------------------------------------------------------------


def blocked(venues, **kwargs):
    """The candidate pairs find_duplicates scores, as ids (smaller first)."""
    return {tuple(sorted((venues[i].id, venues[j].id))) for i, j in iter_candidate_pairs(venues, **kwargs)}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (venue("a", "Alpha", phone="206-709-9442"), venue("b", "Beta", phone="+12067099442")),
        (venue("a", "Alpha", website="https://alpha.com/x"), venue("b", "Beta", website="www.alpha.com")),
        (venue("a", "The Showbox"), venue("b", "Show Box")),
        (venue("a", "Crocodile Cafe"), venue("b", "The Crocodile")),
        (venue("a", "Alpha", postal_code="98122"), venue("b", "alpha lounge", postal_code="98122")),
        # ~700 m apart, across a cell edge somewhere near Seattle
        (
            venue("a", "Alpha", latitude=47.6000, longitude=-122.3000),
            venue("b", "Beta", latitude=47.6063, longitude=-122.3000),
        ),
        (
            venue("a", "Alpha", latitude=47.6040, longitude=-122.3000),
            venue("b", "Beta", latitude=47.6040, longitude=-122.3090),
        ),
    ],
)
def test_blocking_finds_candidates(a, b):
    # when
    pairs = blocked([a, b])

    # then
    assert pairs == {("a", "b")}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # a shared generic host is no reason to compare
        (venue("a", "Alpha", website="facebook.com/alpha"), venue("b", "Beta", website="facebook.com/beta")),
        # filler words never block on their own
        (venue("a", "The Alpha Room"), venue("b", "The Beta Room")),
        (
            venue("a", "Alpha", latitude=47.60, longitude=-122.30),
            venue("b", "Beta", latitude=47.65, longitude=-122.30),
        ),
    ],
)
def test_blocking_skips_non_candidates(a, b):
    # when / then
    assert blocked([a, b]) == set()


def test_blocking_skips_oversized_blocks():
    # given: 30 venues sharing one ticket-agency phone, one pair sharing a rare token
    venues = [venue(f"v{i:02}", f"Place {i}", phone="800-653-8000") for i in range(30)]
    venues.append(venue("w1", "Zanzibar", phone="800-653-8000"))
    venues.append(venue("w2", "Zanzibar Club"))

    # when
    small = blocked(venues, max_block_size=10)
    large = blocked(venues, max_block_size=100)

    # then
    assert small == {("w1", "w2")}
    assert len(large) == 31 * 30 // 2 + 1


def test_blocking_is_deterministic_and_ordered():
    # given
    venues = [NEUMOS, BARBOZA, venue("aaa", "Neumos", city="Seattle")]

    # when
    first = blocked(venues)
    second = blocked(list(reversed(venues)))

    # then
    assert first == second == {("barboza", "neumos"), ("aaa", "neumos")}


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
        find_duplicates([NEUMOS, NEUMOS])


# --- purity ----------------------------------------------------------------------------------------


def test_pure_core_does_not_import_django():
    # given
    code = (
        "import sys\n"
        "import entities.resolution.normalize, entities.resolution.keys, entities.resolution.matching\n"
        "import entities.merging.survivorship\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(','.join(bad))\n"
    )

    # when
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )

    # then
    assert proc.stdout.strip() == ""
