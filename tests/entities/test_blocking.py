"""Blocking: the candidate pairs the duplicate pass scores (phone, website, names, streets, geo)."""

import pytest

from entities.resolution.blocking import iter_candidate_pairs
from entities.resolution.records import VenueRecord


def venue(id_, name, **fields):
    return VenueRecord(id=id_, name=name, **fields).prepare()


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
    venues = [
        venue("neumos", "Neumos", street="925 E Pike St", city="Seattle", phone="206-709-9442"),
        venue("barboza", "Barboza", street="925 East Pike Street", city="Seattle", phone="(206) 709-9443"),
        venue("aaa", "Neumos", city="Seattle"),
    ]

    # when
    first = blocked(venues)
    second = blocked(list(reversed(venues)))

    # then
    assert first == second == {("barboza", "neumos"), ("aaa", "neumos")}
