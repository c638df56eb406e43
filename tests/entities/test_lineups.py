"""Line-up overlap (pure): acts in common, and the nights both list one show — for venues an act in
common on one date, for artists one place on one date. (tests/entities/test_purity.py checks that it
imports no Django.)"""

from __future__ import annotations

import datetime as dt

import pytest

from entities.resolution.lineups import Show, lineup_overlap

D1, D2, D3 = dt.date(2026, 3, 1), dt.date(2026, 3, 8), dt.date(2026, 3, 15)


def test_venues_share_acts_and_the_nights_one_show_is_listed_at_both():
    cathedral = [
        Show(D1, frozenset({"compline choir", "tallis scholars"})),
        Show(D2, frozenset({"compline choir"})),
        Show(D3, frozenset({"byrd ensemble"})),
    ]
    listing = [Show(D1, frozenset({"compline choir"})), Show(D3, frozenset({"other act"}))]
    overlap = lineup_overlap(cathedral, listing)
    assert overlap.shared_acts == ("compline choir",)
    # D3: a show at each on one date, but no act in common: two shows, not one listed twice
    assert overlap.same_nights == (D1,)
    assert not overlap.empty


def test_shared_acts_come_most_shows_first_and_nothing_shared_is_empty():
    a = [Show(D1, frozenset({"x", "y"})), Show(D2, frozenset({"y"}))]
    b = [Show(D3, frozenset({"x", "y"})), Show(D3, frozenset({"y"}))]
    assert lineup_overlap(a, b).shared_acts == ("y", "x")
    assert lineup_overlap(a, b).same_nights == ()
    assert lineup_overlap(a, [Show(D1, frozenset({"z"}))]).empty
    assert lineup_overlap([], []).empty


@pytest.mark.parametrize(
    ("place_b", "same_night"),
    [("venue-7", True), ("venue-8", False)],
)
def test_artists_are_on_one_bill_when_one_place_lists_them_on_one_night(place_b, same_night):
    # An artist's co-billed acts leave its own name out; the place decides the night
    porto = [Show(D1, frozenset({"support act"}), place="venue-7")]
    other = [Show(D1, frozenset(), place=place_b)]
    assert (lineup_overlap(porto, other).same_nights == (D1,)) is same_night
