"""bench/evaluation.py: precision and recall of events and venues on toy cases."""

from __future__ import annotations

import datetime as dt

import pytest

from bench.evaluation import Score, event_key, score, score_page
from extraction.schemas import (
    ExtractedArtist,
    ExtractedPerformance,
    ExtractedPerformer,
    ExtractedVenue,
    ExtractionResult,
)


def _performance(
    name: str, day: int, time: dt.time | None, venue: str | None, *acts: str
) -> ExtractedPerformance:
    return ExtractedPerformance(
        name=name,
        local_date=dt.date(2026, 5, day),
        local_start_time=time,
        venue=ExtractedVenue(name=venue) if venue else None,
        performers=[
            ExtractedPerformer(artist=ExtractedArtist(name=act), order=n) for n, act in enumerate(acts)
        ],
    )


def test_score_counts_multisets() -> None:
    result = score(["a", "a", "b", "c"], ["a", "b", "b", "d"])

    assert result == Score(true_positives=2, predicted=4, expected=4)
    assert (result.precision, result.recall) == (0.5, 0.5)


def test_empty_sides() -> None:
    assert (score([], []).precision, score([], []).recall) == (1.0, 1.0)
    assert (score(["a"], []).precision, score(["a"], []).recall) == (1.0, 0.0)
    assert (score([], ["a"]).precision, score([], ["a"]).recall) == (0.0, 1.0)
    assert Score(1, 2, 3) + Score(1, 1, 1) == Score(2, 3, 4)


def test_event_key_normalises_case_whitespace_and_performer_order() -> None:
    assert event_key(
        name="  The  BAND ",
        local_date="2026-05-01",
        local_start_time="20:00:25",
        venue="Hall",
        performers=["B", "a"],
    ) == event_key(
        name="the band",
        local_date=dt.date(2026, 5, 1),
        local_start_time=dt.time(20, 0),
        venue=" hall",
        performers=["A", "b", "a"],
    )
    assert event_key(
        name="x", local_date="2026-05-01", local_start_time=None, venue=None, performers=[]
    ) != event_key(name="x", local_date="2026-05-01", local_start_time="20:00", venue=None, performers=[])


def test_score_page_toy_case() -> None:
    expected = {
        "events": [
            {
                "name": "Show A",
                "local_date": "2026-05-01",
                "local_start_time": "20:00",
                "venue": "Hall",
                "performers": ["X", "Y"],
            },
            {
                "name": "Show B",
                "local_date": "2026-05-02",
                "local_start_time": None,
                "venue": "Hall",
                "performers": [],
            },
            {
                "name": "Show C",
                "local_date": "2026-05-03",
                "local_start_time": "21:00",
                "venue": "Club",
                "performers": ["Z"],
            },
            {
                "name": "Show D",
                "local_date": "2026-05-04",
                "local_start_time": None,
                "venue": None,
                "performers": [],
            },
        ],
        "venues": ["Hall", "Club", "Bar"],
    }
    result = ExtractionResult(
        venues=[ExtractedVenue(name="HALL")],
        performances=[
            _performance(
                "show a", 1, dt.time(20, 0), "Hall", "Y", "X"
            ),  # match: case and performer order aside
            _performance("Show B", 2, None, "Hall"),  # match
            _performance("Show C", 3, dt.time(21, 30), "Club", "Z"),  # wrong time: both a miss and an extra
            _performance("Show E", 5, None, "Cave"),  # extra
        ],
    )

    events, venues = score_page(expected, result)

    assert events == Score(true_positives=2, predicted=4, expected=4)
    assert (events.precision, events.recall) == (0.5, 0.5)
    assert venues == Score(
        true_positives=2, predicted=3, expected=3
    )  # hall, club found; cave extra; bar missed
    assert venues.precision == pytest.approx(2 / 3)
    assert venues.recall == pytest.approx(2 / 3)
