"""One show from many sources, through the pipeline (ingest and resolve): a venue's own page,
Ticketmaster and Bandsintown list one show under other titles, with doors or start times and other
line-up orders, and it is one performance with each source kept; an early and a late show on one
night stay two; a festival's sets stay sets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from entities.models import Performance
from sourcing.models import SourceKind
from tests.factories import SourceFactory, _ingest

pytestmark = pytest.mark.django_db

SHOWBOX = {
    "source_key": "showbox",
    "name": "The Showbox",
    "address": {"street": "1426 1st Ave", "locality": "Seattle"},
}
NIGHT = (timezone.localdate() + dt.timedelta(days=20)).isoformat()


def _show(source_name: str, kind: str, *shows: dict) -> None:
    source = SourceFactory.create(name=source_name, kind=kind)
    _ingest(
        source,
        {"venues": [SHOWBOX], "performances": [{"venue": SHOWBOX, "local_date": NIGHT, **s} for s in shows]},
    )


def _acts(*names: str) -> list[dict]:
    return [
        {"artist": {"name": n, "source_key": n.lower().replace(" ", "-")}, "order": k}
        for k, n in enumerate(names)
    ]


def test_one_show_listed_by_three_sources_is_one_performance_with_each_source():
    # given: the venue's page (doors and start), Ticketmaster (another title, start), Bandsintown
    # (the support first, doors as the time)
    _show(
        "showbox-site",
        SourceKind.VENUE_SITE,
        {
            "source_key": "ev-1",
            "name": "Neko Case",
            "local_start_time": "20:00:00",
            "local_doors_time": "19:00:00",
            "performers": _acts("Neko Case", "Jenny Lewis"),
        },
    )
    _show(
        "ticketmaster",
        SourceKind.TICKETMASTER,
        {
            "source_key": "tm-9",
            "name": "Neko Case with special guest Jenny Lewis",
            "local_start_time": "20:00:00",
            "performers": _acts("Neko Case", "Jenny Lewis"),
        },
    )
    _show(
        "bandsintown",
        SourceKind.BANDSINTOWN,
        {
            "source_key": "bit-3",
            "name": "Jenny Lewis & Neko Case at The Showbox",
            "local_start_time": "19:00:00",
            "performers": _acts("Jenny Lewis", "Neko Case"),
        },
    )

    # then
    [show] = Performance.objects.all()
    assert sorted(show.sources.values_list("source__name", flat=True)) == [
        "bandsintown",
        "showbox-site",
        "ticketmaster",
    ]
    assert sorted(show.artists.values_list("name", flat=True)) == ["Jenny Lewis", "Neko Case"]


def test_an_early_and_a_late_show_on_one_night_stay_two():
    # given: the venue lists two shows of one act that night; another source lists the late one
    _show(
        "showbox-site",
        SourceKind.VENUE_SITE,
        {
            "source_key": "early",
            "name": "Neko Case (early show)",
            "local_start_time": "18:30:00",
            "performers": _acts("Neko Case"),
        },
        {
            "source_key": "late",
            "name": "Neko Case (late show)",
            "local_start_time": "22:00:00",
            "performers": _acts("Neko Case"),
        },
    )
    _show(
        "ticketmaster",
        SourceKind.TICKETMASTER,
        {
            "source_key": "tm-late",
            "name": "Neko Case",
            "local_start_time": "21:30:00",
            "performers": _acts("Neko Case"),
        },
    )

    # then: two performances; Ticketmaster's listing joined the late one
    shows = {frozenset(p.sources.values_list("source_key", flat=True)): p for p in Performance.objects.all()}
    assert set(shows) == {frozenset({"early"}), frozenset({"late", "tm-late"})}


def test_a_festivals_sets_stay_sets():
    # given: a festival day at one venue, each set listed under the festival's title
    _show(
        "festival-site",
        SourceKind.VENUE_SITE,
        *(
            {
                "source_key": f"set-{k}",
                "name": "Bumbershoot 2026",
                "local_start_time": f"{14 + 2 * k}:00:00",
                "performers": _acts(act),
            }
            for k, act in enumerate(("Sleater-Kinney", "Built to Spill", "Modest Mouse"))
        ),
    )
    # and a listings site repeating one set, with the festival's title only
    _show(
        "listings",
        SourceKind.AGGREGATOR,
        {
            "source_key": "bb-mm",
            "name": "Bumbershoot 2026: Modest Mouse",
            "local_start_time": "18:00:00",
            "performers": _acts("Modest Mouse"),
        },
    )

    # then: three sets, one per act; the listing joined its set
    sets = {p.artists.get().name: p for p in Performance.objects.all()}
    assert sorted(sets) == ["Built to Spill", "Modest Mouse", "Sleater-Kinney"]
    assert sets["Modest Mouse"].sources.count() == 2
