import datetime as dt
import json

import pytest

from entities.merging.survivorship import (
    UNSET,
    Observation,
    choose_value,
    is_empty,
    merge_records,
    union_values,
)
from entities.resolution.normalize import normalize_name

T0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def at(days):
    return T0 + dt.timedelta(days=days)


def obs(source, priority, days, value):
    return Observation(source=source, priority=priority, seen_at=at(days), value=value)


@pytest.mark.parametrize(
    ("observations", "value", "source", "reason"),
    [
        # one distinct value, whoever reports it
        ([obs("bit", 1, 0, "Neumos")], "Neumos", "bit", "only"),
        ([obs("bit", 1, 0, "Neumos"), obs("tm", 5, 3, "Neumos")], "Neumos", "tm", "only"),
        # priority beats recency
        ([obs("tm", 5, 0, "Neumos"), obs("bit", 1, 9, "Neumo's")], "Neumos", "tm", "priority"),
        ([obs("bit", 1, 9, "Neumo's"), obs("tm", 5, 0, "Neumos")], "Neumos", "tm", "priority"),
        # same priority: latest wins
        ([obs("a", 3, 0, "old"), obs("b", 3, 5, "new")], "new", "b", "recency"),
        ([obs("a", 3, 5, "new"), obs("a", 3, 0, "old")], "new", "a", "recency"),
        # same priority and time: most sources agreeing, counted over all observations
        (
            [obs("a", 3, 5, "x"), obs("b", 3, 5, "y"), obs("c", 1, 0, "y")],
            "y",
            "b",
            "frequency",
        ),
        # everything tied: smallest source name, deterministically
        ([obs("zeta", 3, 5, "z"), obs("alpha", 3, 5, "a")], "a", "alpha", "tiebreak"),
        ([obs("alpha", 3, 5, "a"), obs("zeta", 3, 5, "z")], "a", "alpha", "tiebreak"),
        ([obs("ab", 3, 5, "x"), obs("a", 3, 5, "x"), obs("c", 3, 5, "y")], "x", "a", "frequency"),
        # empty values are not observations
        ([obs("tm", 9, 9, None), obs("bit", 1, 0, "Neumos")], "Neumos", "bit", "only"),
        ([obs("tm", 9, 9, "   "), obs("bit", 1, 0, "Neumos")], "Neumos", "bit", "only"),
        ([obs("tm", 9, 9, []), obs("bit", 1, 0, ["a"])], ["a"], "bit", "only"),
        # falsy but real values count
        ([obs("tm", 9, 0, 0), obs("bit", 1, 0, 500)], 0, "tm", "priority"),
        ([obs("tm", 9, 0, False), obs("bit", 1, 0, True)], False, "tm", "priority"),
        # unhashable values compare by equality
        ([obs("a", 3, 0, {"k": 1}), obs("b", 3, 5, {"k": 2})], {"k": 2}, "b", "recency"),
    ],
)
def test_choose_value_rule_order(observations, value, source, reason):
    # when
    chosen = choose_value(observations)

    # then
    assert chosen is not None
    assert (chosen.value, chosen.source, chosen.reason) == (value, source, reason)


def test_choose_value_reports_best_observation_of_the_winning_value():
    # given
    observations = [obs("tm", 5, 1, "Neumos"), obs("tm", 5, 7, "Neumos"), obs("bit", 1, 9, "Neumos")]

    # when
    chosen = choose_value(observations)

    # then
    assert chosen is not None
    assert (chosen.source, chosen.seen_at) == ("tm", at(7))


@pytest.mark.parametrize("locked", ["Staff Name", None, ""])
def test_lock_wins_over_everything(locked):
    # given
    observations = [obs("tm", 99, 9, "Neumos")]

    # when
    chosen = choose_value(observations, locked_value=locked)

    # then
    assert chosen is not None
    assert (chosen.value, chosen.source, chosen.seen_at, chosen.reason) == (locked, "staff", None, "locked")


@pytest.mark.parametrize("observations", [[], [obs("a", 1, 0, None), obs("b", 2, 0, "")]])
def test_choose_value_returns_none_without_values(observations):
    # when / then
    assert choose_value(observations) is None
    assert choose_value(observations, locked_value=UNSET) is None


def test_observation_requires_aware_datetime():
    # when / then
    with pytest.raises(ValueError, match="timezone-aware"):
        Observation(source="a", priority=1, seen_at=dt.datetime(2025, 1, 1), value="x")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, True),
        ("", True),
        ("  ", True),
        ([], True),
        ({}, True),
        (0, False),
        (False, False),
        ("x", False),
    ],
)
def test_is_empty(value, expected):
    # when / then
    assert is_empty(value) is expected


ADDRESS = ("street", "locality", "region", "postal_code", "country")
GEO = ("latitude", "longitude")


def venue_observations():
    return {
        "name": [obs("bandsintown", 1, 9, "Neumo's"), obs("ticketmaster", 5, 2, "Neumos")],
        "phone": [obs("bandsintown", 1, 9, "+12067099442")],
        # ticketmaster (higher priority) has a street but no postcode; bandsintown has a full address
        "street": [
            obs("ticketmaster", 5, 2, "925 E Pike St"),
            obs("bandsintown", 1, 9, "925 East Pike Street"),
        ],
        "locality": [obs("ticketmaster", 5, 2, "Seattle"), obs("bandsintown", 1, 9, "Seattle")],
        "postal_code": [obs("bandsintown", 1, 9, "98122")],
        "country": [obs("ticketmaster", 5, 2, "US"), obs("bandsintown", 1, 9, "US")],
        # coordinates: bandsintown alone gives latitude, both give longitude
        "latitude": [obs("bandsintown", 1, 9, 47.6142)],
        "longitude": [obs("ticketmaster", 5, 2, -122.3000), obs("bandsintown", 1, 9, -122.3194)],
        "capacity": [],
    }


def test_merge_records_per_field_and_groups():
    # when
    outcome = merge_records(venue_observations(), locks={}, grouped_fields=[ADDRESS, GEO])

    # then
    assert outcome.values == {
        "street": "925 E Pike St",
        "locality": "Seattle",
        "region": None,
        "postal_code": None,  # not borrowed from bandsintown: the address stays one source's
        "country": "US",
        "latitude": 47.6142,
        "longitude": -122.3194,  # travels with bandsintown's latitude, despite lower priority
        "name": "Neumos",
        "phone": "+12067099442",
        "capacity": None,
    }
    assert outcome.provenance["street"] == {
        "source": "ticketmaster",
        "seen_at": "2025-01-03T00:00:00+00:00",
        "reason": "priority",
        "group": "street",
    }
    assert outcome.provenance["longitude"]["source"] == "bandsintown"
    assert outcome.provenance["longitude"]["group"] == "latitude"
    assert outcome.provenance["phone"] == {
        "source": "bandsintown",
        "seen_at": "2025-01-10T00:00:00+00:00",
        "reason": "only",
    }
    assert set(outcome.provenance) == {k for k, v in outcome.values.items() if v is not None}


def test_merge_records_without_groups_mixes_sources():
    # when
    outcome = merge_records(venue_observations(), locks={})

    # then
    assert outcome.values["postal_code"] == "98122"
    assert outcome.values["longitude"] == -122.3000


def test_merge_records_locks_win_inside_and_outside_groups():
    # given
    locks = {"name": "Neumos Seattle", "postal_code": "98122-2108", "website": "https://neumos.com"}

    # when
    outcome = merge_records(venue_observations(), locks=locks, grouped_fields=[ADDRESS])

    # then
    assert outcome.values["name"] == "Neumos Seattle"
    assert outcome.values["postal_code"] == "98122-2108"
    assert outcome.values["street"] == "925 E Pike St"
    assert outcome.values["website"] == "https://neumos.com"  # locked without any observation
    assert outcome.provenance["postal_code"] == {"source": "staff", "seen_at": None, "reason": "locked"}


def test_merge_records_group_anchor_skips_locked_and_empty_fields():
    # given: street locked, so locality anchors the group
    observations = {
        "street": [obs("a", 9, 0, "1 Main St")],
        "locality": [obs("a", 9, 0, None), obs("b", 1, 0, "Seattle")],
        "postal_code": [obs("a", 9, 0, "98101"), obs("b", 1, 0, "98122")],
    }

    # when
    outcome = merge_records(observations, locks={"street": "2 Main St"}, grouped_fields=[ADDRESS])

    # then
    assert outcome.values["street"] == "2 Main St"
    assert (outcome.values["locality"], outcome.values["postal_code"]) == ("Seattle", "98122")
    assert outcome.provenance["postal_code"]["group"] == "locality"


def test_merge_records_rejects_overlapping_groups():
    # when / then
    with pytest.raises(ValueError, match="more than one group"):
        merge_records({}, locks={}, grouped_fields=[("a", "b"), ("b", "c")])


def test_merge_provenance_is_json_friendly():
    # when
    outcome = merge_records(venue_observations(), locks={"name": "X"}, grouped_fields=[ADDRESS, GEO])

    # then
    assert json.loads(json.dumps(outcome.provenance)) == outcome.provenance


@pytest.mark.parametrize(
    ("observations", "expected"),
    [
        ([], []),
        (
            [obs("bit", 1, 0, "Neumo's"), obs("tm", 5, 3, "Neumos"), obs("mb", 5, 1, "Neumos Seattle")],
            ["Neumos Seattle", "Neumos", "Neumo's"],
        ),
        ([obs("a", 1, 0, ["B", "A", "B"]), obs("b", 1, 0, "A")], ["B", "A"]),
        ([obs("a", 1, 0, {"z", "y"})], ["y", "z"]),
        (
            [obs("a", 1, 0, ("musicbrainz", "123")), obs("b", 1, 1, ("musicbrainz", "123"))],
            [("musicbrainz", "123")],
        ),
        ([obs("a", 1, 0, None), obs("a", 1, 0, ""), obs("a", 1, 0, ["", None, "x"])], ["x"]),
    ],
)
def test_union_values(observations, expected):
    # when / then
    assert union_values(observations) == expected


def test_union_values_with_key():
    # given
    observations = [obs("mb", 9, 0, "The Beatles"), obs("bit", 1, 0, "Beatles"), obs("bit", 1, 1, "Fab Four")]

    # when
    result = union_values(observations, key=lambda v: normalize_name(str(v)))

    # then
    assert result == ["The Beatles", "Fab Four"]
