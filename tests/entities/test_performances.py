"""Performances: one show listed twice, moved to another time, or rescheduled to another date."""

import datetime as dt

import pytest

from entities.resolution.performances import (
    PerformanceRecord,
    merge_moved,
    moved_show_match,
    score_performance_pair,
)

D = dt.date(2026, 3, 14)
T0 = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


def show(id_, *, day=D, at=dt.time(20, 0), venue="neumos", headliner="Japanese Breakfast", **fields):
    return PerformanceRecord(
        id=id_, venue_id=venue, local_date=day, headliner=headliner, start_time=at, **fields
    )


def levels(result):
    return {row.field: row.level for row in result.explanation}


def test_the_same_show_from_two_sources():
    # when
    result = score_performance_pair(
        show("a", source="songkick"), show("b", headliner="Japanese Breakfast (Live)")
    )

    # then
    assert result.kind == "same"
    assert result.score > 0.99


def test_a_show_moved_to_another_time():
    # when
    result = score_performance_pair(show("a"), show("b", at=dt.time(21, 30)))

    # then
    assert result.kind == "time_changed"
    assert result.score > 0.99
    assert levels(result)["time"] == "different"


@pytest.mark.parametrize("days", [1, 2, 4])
def test_a_show_rescheduled_a_few_days_later_is_the_same_show(days):
    # given: the venue's own site moved it (same event id); the old listing is gone
    old = show("a", source="venue", source_event_id="e1", listed=False)
    new = show(
        "b", day=D + dt.timedelta(days=days), source="venue", source_event_id="e1", status="rescheduled"
    )

    # when
    result = score_performance_pair(old, new)

    # then
    assert result.kind == "rescheduled"
    assert result.score > 0.99
    assert levels(result)["date"] == "close"
    assert levels(result)["moved_signal"] == "exact"


def test_two_sources_disagreeing_by_a_day_is_a_reschedule():
    # when: the ticketing site already shows the new date, an aggregator the old one
    result = score_performance_pair(
        show("a", source="aggregator"), show("b", day=D + dt.timedelta(days=1), source="tickets")
    )

    # then
    assert result.kind == "rescheduled"
    assert result.score >= 0.5


def test_two_nights_listed_by_one_source_are_two_shows():
    # given: a run of nights (or a weekly residency), both still listed by the venue
    first = show("a", source="venue", source_event_id="n1")
    second = show("b", day=D + dt.timedelta(days=1), source="venue", source_event_id="n2")

    # when
    result = score_performance_pair(first, second)

    # then
    assert result.kind == "different"
    assert levels(result)["source_event"] == "different"


@pytest.mark.parametrize(
    "other",
    [
        show("b", venue="barboza"),  # another room, same night
        show("b", headliner="Snail Mail"),  # another act
        show("b", day=D + dt.timedelta(days=30)),  # far beyond the window
    ],
)
def test_other_shows_are_not_matched(other):
    # when / then
    assert score_performance_pair(show("a"), other).kind == "different"


def test_explanation_sums_to_the_weight():
    # when
    result = score_performance_pair(show("a"), show("b", day=D + dt.timedelta(days=2)))

    # then
    assert result.weight == pytest.approx(sum(row.weight for row in result.explanation))
    assert result.to_json()["kind"] == "rescheduled"
    assert [row.field for row in result.explanation] == [
        "venue", "headliner", "date", "time", "source_event", "moved_signal",
    ]  # fmt: skip


def test_a_moved_show_is_found_among_other_venues_acts_and_dates():
    # given: the pipeline's candidates, one show per key
    new = show("new", day=D + dt.timedelta(days=2), seen_at=T0 + dt.timedelta(days=5), status="rescheduled")
    candidates = {
        "old": [show("old", seen_at=T0)],
        "other-venue": [show("x", venue="barboza")],
        "other-act": [show("y", headliner="Snail Mail")],
        "later-tour": [show("z", day=D + dt.timedelta(days=90))],
    }

    # when
    found = moved_show_match(new, candidates)

    # then
    assert found is not None
    assert (found[0], found[1].kind) == ("old", "rescheduled")


def test_merge_keeps_the_current_date_and_the_previous_ones():
    # given: first announced for the 14th, moved to the 16th, then to the 18th
    first = show("a", seen_at=T0, listed=False)
    second = show("b", day=D + dt.timedelta(days=2), seen_at=T0 + dt.timedelta(days=3), listed=False)
    third = show(
        "c",
        day=D + dt.timedelta(days=4),
        at=dt.time(19, 0),
        seen_at=T0 + dt.timedelta(days=9),
        status="rescheduled",
    )

    # when
    merged = merge_moved([second, third, first])

    # then
    assert merged.local_date == D + dt.timedelta(days=4)
    assert merged.start_time == dt.time(19, 0)
    assert merged.previous_dates == (D, D + dt.timedelta(days=2))
    assert merged.current_from == "c"
    assert merged.ids == ("a", "b", "c")


def test_merge_prefers_a_listing_that_is_still_listed():
    # given: the newer observation is of a listing that vanished
    kept = show("a", seen_at=T0)
    gone = show("b", day=D + dt.timedelta(days=1), seen_at=T0 + dt.timedelta(days=1), listed=False)

    # when
    merged = merge_moved([kept, gone])

    # then
    assert merged.local_date == D
    assert merged.previous_dates == (D + dt.timedelta(days=1),)


def test_merge_needs_a_listing():
    with pytest.raises(ValueError, match="at least one"):
        merge_moved([])


def test_a_new_listing_naming_the_old_date_joins_that_show():
    # given: the venue lists the show on a new date and says which date it had before
    new = show("new", day=D + dt.timedelta(days=3), source="venue", previous_dates=(D,))
    candidates = {
        "show-14th": [show("old", source="venue")],
        "other-act": [show("x", headliner="Snail Mail")],
    }

    # when
    found = moved_show_match(new, candidates)

    # then
    assert found is not None
    assert found[0] == "show-14th"
    assert levels(found[1])["moved_signal"] == "exact"


def test_a_new_listing_joins_the_show_no_longer_listed():
    # given: the old listing was missing from the last scrape of its page
    new = show("new", day=D + dt.timedelta(days=2), source="venue")
    candidates = {"show-14th": [show("old", source="venue", listed=False)]}

    # when / then
    assert moved_show_match(new, candidates) is not None


@pytest.mark.parametrize(
    "listings",
    [
        # a run of nights: one source lists both, still
        [show("n1", source="venue")],
        # another source lists another night: without a sign of a move, two shows
        [show("n1", source="aggregator")],
        # one of the show's listings says it is another night
        [show("n1", source="aggregator", listed=False), show("n2", source="venue")],
    ],
)
def test_no_sign_of_a_move_no_match(listings):
    # given
    new = show("new", day=D + dt.timedelta(days=1), source="venue")

    # when / then
    assert moved_show_match(new, {"show": listings}) is None


def test_the_best_candidate_wins():
    # given: two shows the listing could have moved from; one shares the start time
    new = show("new", day=D + dt.timedelta(days=2), source="venue", status="rescheduled")
    candidates = {
        "other-time": [show("a", at=dt.time(18, 0), source="aggregator")],
        "same-time": [show("b", day=D + dt.timedelta(days=1), source="aggregator")],
    }

    # when
    found = moved_show_match(new, candidates)

    # then
    assert found is not None
    assert found[0] == "same-time"
