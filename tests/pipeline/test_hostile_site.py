"""The whole pipeline over the hostile web (tests/hostile_site.py): it ends, and every row is explained.

Each hostile behaviour is on a host of its own (a 429 pauses its whole host for a day, as it should),
so one run shows them all side by side with two well-behaved calendars. Tasks run inline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import timezone

from core.retry import MAX_WAIT_SECONDS
from core.stages import StageStatus
from entities.models import EntitySource, Performance
from extraction.models import Extraction
from mystage.pipeline.services import pipeline_sweep
from sourcing import services as sourcing
from sourcing.fetch_stage import scrapes_enqueue_fetch
from sourcing.models import HostState, Scrape
from sourcing.urlnorm import url_hash
from tests.hostile_site import DOMAIN, OVERRIDE, HostileSite

pytestmark = [pytest.mark.django_db(transaction=True)]
DAY = dt.timedelta(seconds=MAX_WAIT_SECONDS)

# (host label, path): what the run is asked to fetch.
PAGES = [
    ("calendar", "/events/"),
    ("inf", "/retry-after-inf"),
    ("digits", "/retry-after-digits"),
    ("year9999", "/retry-after-9999"),
    ("gzip", "/gzip-bomb"),
    ("deflate", "/deflate-bomb"),
    ("brotli", "/brotli-bomb"),
    ("drip", "/drip-body"),
    ("dripheaders", "/drip-headers"),
    ("missing", "/nothing-here"),
    ("crawl-delay-huge", "/events/"),
    ("crawl-delay-400", "/events/"),
    ("crawl-delay-5000", "/events/"),
    ("charset", "/private/"),
    ("charset", "/events/"),
    ("robots-5xx", "/events/"),
    ("robots-drip", "/events/"),
]
NAT64 = ("nat64", "/redirect?to=http://[64:ff9b::7f00:1]:{port}/events/")
SIXTOFOUR = ("sixtofour", "/redirect?to=http://[2002:7f00:1::]:{port}/events/")


@pytest.fixture
def hostile(pipeline_settings) -> Iterator[HostileSite]:
    pipeline_settings.SCRAPE_HOST_OVERRIDES = [OVERRIDE]
    pipeline_settings.SCRAPE_TIMEOUT_SECONDS = 2
    pipeline_settings.SCRAPE_MAX_BYTES = 1024 * 1024
    with HostileSite() as site:
        yield site


def _import(site: HostileSite, pages: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    urls = {(label, path): site.url(label, path.format(port=site.port)) for label, path in pages}
    spec = {"sources": [{"name": f"hostile-{n}", "urls": [url]} for n, url in enumerate(urls.values())]}
    sourcing.sources_import(spec=spec)
    return urls


def _scrape(urls: dict[tuple[str, str], str], key: tuple[str, str]) -> Scrape:
    return Scrape.objects.get(url__url_hash=url_hash(urls[key]))


def _host(label: str, site: HostileSite) -> HostState:
    return HostState.objects.get(host=f"{label}.{DOMAIN}:{site.port}")


def test_a_run_over_the_hostile_web_ends_with_every_row_explained(hostile):
    # Given every hostile behaviour, each on its own host, and two good calendars among them
    urls = _import(hostile, [*PAGES, NAT64, SIXTOFOUR])

    # When the due URLs are queued: the fetch stage, extraction and resolution run to the end inline
    sourcing.scrapes_request_due()
    pipeline_sweep()  # and the sweeper finds nothing stuck
    now = timezone.now()

    # Then no row is left running, and every row is done, or failed or waiting with its reason
    assert Scrape.objects.count() == len(urls)
    for model in (Scrape, Extraction, EntitySource):
        assert not model.objects.filter(status=StageStatus.RUNNING).exists()
        assert not model.objects.exclude(status=StageStatus.DONE).filter(last_error="").exists()

    # The good calendars went all the way to canonical performances
    for key in (("calendar", "/events/"), ("charset", "/events/")):
        assert _scrape(urls, key).status == StageStatus.DONE
    assert Performance.objects.count() == 2  # one hall, two shows, listed by both calendars
    assert not EntitySource.objects.exclude(status=StageStatus.DONE).exists()

    # A Retry-After of inf, of 5,000 digits, or in the year 9999: retried in a day, not never or in 8,000 years
    for key in (
        ("inf", "/retry-after-inf"),
        ("digits", "/retry-after-digits"),
        ("year9999", "/retry-after-9999"),
    ):
        scrape = _scrape(urls, key)
        assert scrape.status == StageStatus.PENDING
        assert scrape.attempts == 1
        assert scrape.retry_at is not None
        assert now + DAY - dt.timedelta(minutes=5) < scrape.retry_at <= now + DAY + dt.timedelta(minutes=1)
    # and a 429's pause holds its whole host, a day at most
    paused = _host("inf", hostile).paused_until
    assert paused is not None
    assert now + DAY - dt.timedelta(minutes=5) < paused <= now + DAY

    # Bombs stop at the limit after decompression, for good
    for key in (("gzip", "/gzip-bomb"), ("deflate", "/deflate-bomb"), ("brotli", "/brotli-bomb")):
        scrape = _scrape(urls, key)
        assert scrape.status == StageStatus.FAILED
        assert scrape.last_error == "The body exceeded the limit of 1,048,576 bytes (after decompression)."

    # Dripping sites end at the one deadline and are tried again later
    for key in (("drip", "/drip-body"), ("dripheaders", "/drip-headers")):
        scrape = _scrape(urls, key)
        assert scrape.status == StageStatus.PENDING
        assert scrape.last_error == "Timed out after 2 s (the site answered too slowly)."
        assert scrape.retry_at is not None
    drip_robots = _scrape(urls, ("robots-drip", "/events/"))
    assert drip_robots.status == StageStatus.PENDING
    assert "Timed out after 2 s (robots.txt)" in drip_robots.last_error

    # Absurd Crawl-delays are a day: the page waits, unstarted (no attempt), for its host's next slot
    for label in ("crawl-delay-huge", "crawl-delay-400", "crawl-delay-5000"):
        scrape = _scrape(urls, (label, "/events/"))
        assert scrape.status == StageStatus.PENDING
        assert scrape.attempts == 0
        assert "is not free for another" in scrape.last_error
        state = _host(label, hostile)
        assert state.crawl_delay == MAX_WAIT_SECONDS
        assert state.next_slot_at is not None
        assert state.next_slot_at <= now + DAY

    # robots.txt in charset=undefined is read, and obeyed
    private = _scrape(urls, ("charset", "/private/"))
    assert private.status == StageStatus.FAILED
    assert "disallows this URL" in private.last_error
    # robots.txt answering 503 keeps us out, with the reason, and we ask again later
    closed = _scrape(urls, ("robots-5xx", "/events/"))
    assert closed.status == StageStatus.PENDING
    assert "could not be read (HTTP 503)" in closed.last_error
    assert ("robots-5xx", "/events/") not in hostile.hits

    # A redirect to 127.0.0.1 dressed as NAT64 or 6to4 is refused
    for key in (NAT64, SIXTOFOUR):
        scrape = _scrape(urls, key)
        assert scrape.status == StageStatus.FAILED
        assert "non-public address" in scrape.last_error
    assert (
        _scrape(urls, ("missing", "/nothing-here")).last_error
        == "HTTP 404: the page does not exist (any more)."
    )

    # And no host is left held by a batch
    assert not HostState.objects.exclude(busy_until=None).exists()


def test_a_host_parked_by_a_crawl_delay_is_freed_when_its_robots_txt_drops_it(hostile, pipeline_settings):
    # Given a host whose robots.txt asks for a Crawl-delay of 99999999999 s
    urls = _import(hostile, [("changing", "/events/")])
    sourcing.scrapes_request_due()
    scrape = _scrape(urls, ("changing", "/events/"))
    state = _host("changing", hostile)
    assert scrape.status == StageStatus.PENDING
    assert state.next_slot_at is not None
    assert state.next_slot_at > timezone.now() + DAY - dt.timedelta(minutes=5)  # parked a day, not to 5195
    scrapes_enqueue_fetch()
    assert _scrape(urls, ("changing", "/events/")).status == StageStatus.PENDING  # still parked

    # When the site drops the Crawl-delay and its cached robots.txt expires
    hostile.robots["changing"] = "User-agent: *\nAllow: /\n"
    expired = timezone.now() - dt.timedelta(seconds=pipeline_settings.SCRAPE_ROBOTS_TTL_SECONDS + 1)
    HostState.objects.filter(pk=state.pk).update(robots_fetched_at=expired)
    scrapes_enqueue_fetch()

    # Then robots.txt is read again, the host's next slot recomputed from it, and the page fetched
    assert _scrape(urls, ("changing", "/events/")).status == StageStatus.DONE
    state.refresh_from_db()
    assert state.crawl_delay is None
    assert state.next_slot_at is not None
    assert state.next_slot_at < timezone.now() + dt.timedelta(minutes=1)
    assert [path for label, path in hostile.hits if label == "changing"].count("/robots.txt") == 2
