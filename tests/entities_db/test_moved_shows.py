"""A show moved to another date stays one show: through the whole pipeline, on pages served over HTTP."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from entities.models import CanonicalStatus, MergeRecord, Performance
from entities.services.moved import performance_unmerge
from sourcing import services as sourcing
from sourcing.models import Url

pytestmark = [pytest.mark.django_db(transaction=True)]

VENUE = {
    "@type": "MusicVenue",
    "name": "The Crocodile",
    "address": {
        "@type": "PostalAddress",
        "streetAddress": "2505 1st Ave",
        "addressLocality": "Seattle",
        "addressRegion": "WA",
        "postalCode": "98121",
        "addressCountry": "US",
    },
}


def event(act: str, day: dt.date, **extra: object) -> dict[str, object]:
    """A MusicEvent with no URL or ID: its source key is a fingerprint, which contains the date."""
    return {
        "@context": "https://schema.org",
        "@type": "MusicEvent",
        "name": act,
        "startDate": f"{day.isoformat()}T20:00:00-08:00",
        "location": VENUE,
        "performer": {"@type": "MusicGroup", "name": act},
        **extra,
    }


class Site:
    """Pages written to a folder the test web server serves; rewritten between scrapes."""

    def __init__(self, root: Path, server: object) -> None:
        self.root, self.server = root, server

    def write(self, name: str, events: list[dict[str, object]]) -> None:
        block = json.dumps(events)
        html = f'<html><head><script type="application/ld+json">{block}</script></head><body></body></html>'
        (self.root / name).write_text(html, encoding="utf-8")


@pytest.fixture
def site(tmp_path, pipeline_settings):
    from demo.webserver import start_server

    root = tmp_path / "web"
    root.mkdir()
    with start_server(root, host="127.0.0.1", port=0) as server:
        yield Site(root, server)


def scrape(site: Site, spec_sources: list[dict[str, object]]) -> None:
    urls = sourcing.sources_import(spec={"sources": spec_sources}, base_url=site.server.base_url)  # type: ignore[attr-defined]
    for url in Url.objects.filter(pk__in=[u.pk for u in urls]):
        sourcing.scrape_request(url=url, requested_by="test")


def shows(act: str) -> list[Performance]:
    return list(Performance.objects.filter(name=act).exclude(status=CanonicalStatus.MERGED).order_by("pk"))


VENUE_SITE = {"name": "crocodile", "kind": "venue_site", "priority": 50, "urls": ["/venue.html"]}
AGGREGATOR = {"name": "seattle-shows", "kind": "aggregator", "priority": 20, "urls": ["/agg.html"]}


def test_a_rescheduled_show_keeps_its_id_and_records_the_old_date(site):
    # given: the venue announces two shows
    first = timezone.localdate() + dt.timedelta(days=10)
    site.write(
        "venue.html", [event("Band of Horses", first), event("Low Cut Connie", first + dt.timedelta(days=1))]
    )
    scrape(site, [VENUE_SITE])
    [before] = shows("Band of Horses")

    # when: it moves one two days later and says so
    moved_to = first + dt.timedelta(days=2)
    site.write(
        "venue.html",
        [
            event(
                "Band of Horses",
                moved_to,
                eventStatus="https://schema.org/EventRescheduled",
                previousStartDate=f"{first.isoformat()}T20:00:00-08:00",
            ),
            event("Low Cut Connie", first + dt.timedelta(days=1)),
        ],
    )
    scrape(site, [VENUE_SITE])

    # then: one show, the same public ID, on the new date, with the old one kept
    [after] = shows("Band of Horses")
    assert after.public_id == before.public_id
    assert after.local_date == moved_to
    assert after.previous_dates == [first.isoformat()]
    assert after.event_status == "rescheduled"
    assert after.provenance["local_date"]["reason"] == "current date of a moved show"
    assert len(shows("Low Cut Connie")) == 1

    # and scraping again changes nothing
    updated = after.updated_at
    scrape(site, [VENUE_SITE])
    [again] = shows("Band of Horses")
    assert (again.pk, again.local_date, again.updated_at) == (after.pk, moved_to, updated)


def test_a_run_of_nights_stays_two_shows(site):
    # given / when: the venue lists the same act on two nights
    first = timezone.localdate() + dt.timedelta(days=10)
    site.write(
        "venue.html", [event("Built to Spill", first), event("Built to Spill", first + dt.timedelta(days=1))]
    )
    scrape(site, [VENUE_SITE])
    # and an aggregator lists a third night nobody else lists
    site.write("agg.html", [event("Built to Spill", first + dt.timedelta(days=2))])
    scrape(site, [AGGREGATOR])

    # then
    assert [p.local_date for p in shows("Built to Spill")] == [first + dt.timedelta(days=d) for d in range(3)]


def test_the_old_show_is_merged_into_the_new_one_when_its_listing_goes(site):
    # given: the aggregator already shows the new date, the venue still the old one: two shows
    first = timezone.localdate() + dt.timedelta(days=10)
    moved_to = first + dt.timedelta(days=1)
    site.write("venue.html", [event("Modest Mouse", first)])
    site.write("agg.html", [event("Modest Mouse", moved_to)])
    scrape(site, [VENUE_SITE, AGGREGATOR])
    old, new = shows("Modest Mouse")
    assert (old.local_date, new.local_date) == (first, moved_to)

    # when: the venue's page drops the old date and lists the new one
    site.write("venue.html", [event("Modest Mouse", moved_to)])
    scrape(site, [VENUE_SITE])

    # then: the old show redirects to the new one, which knows its previous date
    [survivor] = shows("Modest Mouse")
    assert survivor.pk == new.pk
    old.refresh_from_db()
    assert (old.status, old.merged_into_id) == (CanonicalStatus.MERGED, new.pk)
    assert survivor.local_date == moved_to
    assert survivor.previous_dates == [first.isoformat()]
    record = MergeRecord.objects.get(loser_public_id=old.public_id)
    assert record.reason == "moved to another date"

    # and the merge can be undone: the old show comes back with its listing
    call_command("unmerge", str(record.pk))
    old.refresh_from_db()
    assert old.status == CanonicalStatus.ACTIVE
    assert old.sources.count() == 1
    assert Performance.objects.get(pk=new.pk).previous_dates == []
    with pytest.raises(ValueError, match="already undone"):
        performance_unmerge(record=MergeRecord.objects.get(pk=record.pk))
