"""bench/pipeline.py and its web: the generator, the multi-host server, the fetchers reaching its
host names through SCRAPE_HOST_OVERRIDES, and a tiny end-to-end run."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.pipeline_site import Web
from extraction.adapters.structured import extract_structured
from sourcing.crawler import AsyncFetcher, CrawlPolicy, HostPolicy
from sourcing.fetching import FetchPolicy, PinnedClient, fetch

ROOT = Path(__file__).resolve().parent.parent
POLICY = FetchPolicy(
    allowed_private=("127.0.0.1",), timeout_seconds=5, host_overrides=("*.venues.test=127.0.0.1",)
)


@pytest.fixture(scope="module")
def bench_web() -> Iterator[Web]:
    """The server process for 6 venues (seed 3), and a Web that knows its port."""
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "pipeline_site.py"), "serve", "--venues", "6", "--seed", "3"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline().split()[1])
        yield Web(6, 3, port=port)
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)


def get(web: Web, host: str, path: str) -> tuple[int, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{web.port}{path}", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


# --- the generator -----------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_web_and_another_seed_another():
    one, two, other = Web(30, 5, port=80), Web(30, 5, port=80), Web(30, 6, port=80)
    for host, path in [(Web.venue_host(4), "/events/"), (Web.venue_host(17), "/about/")]:
        assert one.page(host, path) == two.page(host, path)
        assert one.page(host, path) != other.page(host, path)
    assert one.sources() == two.sources()
    assert one.expected() == two.expected()
    # A venue is the same whatever else the web holds: pages are built on demand, venue by venue.
    assert Web(5, 5, port=80).page(Web.venue_host(4), "/events/") == one.page(Web.venue_host(4), "/events/")


def test_the_web_has_the_shape_it_claims():
    web = Web(400, 7, port=80)
    expected = web.expected()
    venues = [web.venue(i) for i in range(400)]
    assert expected["pages"] == len(web.urls()) == 800 + expected["listed_venues"]
    assert 5 <= expected["listed_venues"] <= 40  # about one in twenty
    assert {len(v.events) for v in venues} == {9, 10}
    assert 40 <= sum(v.microdata for v in venues) <= 120
    assert len({v.host for v in venues}) == 400
    billed = [p for v in venues for e in v.events for p in e.performers]
    assert len(set(billed)) < len(billed) / 3  # touring artists play many venues
    sizes = [len(web.page(Web.venue_host(i), "/events/") or b"") for i in range(20)]
    assert min(sizes) > 20_000  # like real calendars: tens of KB
    assert all(web.page(Web.venue_host(i), "/about/") for i in range(20))
    assert web.page("v00400.venues.test", "/events/") is None
    assert web.page(Web.venue_host(1), "/nothing/") is None


@pytest.mark.parametrize("microdata", [False, True])
def test_a_calendar_carries_the_events_the_generator_says(microdata):
    web = Web(60, 7, port=80)
    venue = next(web.venue(i) for i in range(60) if web.venue(i).microdata is microdata)
    url = f"http://{venue.host}:80/events/"
    result = extract_structured(web.calendar_page(venue), url=url, default_timezone=venue.timezone)
    found = [(p.name, p.local_date, [x.artist.name for x in p.performers]) for p in result.performances]
    said = [(e.name, dt.datetime.fromisoformat(e.start).date(), list(e.performers)) for e in venue.events]
    assert found == said
    assert {p.venue.name for p in result.performances if p.venue} == {venue.name}


def test_the_about_page_and_the_listing_carry_the_venue_and_its_shows():
    web = Web(400, 7, port=80)
    venue = next(web.venue(i) for i in range(400) if web.venue(i).listing is not None)
    about = extract_structured(web.about_page(venue), url=f"http://{venue.host}:80/about/")
    assert [(v.name, v.phone) for v in about.venues] == [(venue.name, venue.phone)]
    listing = extract_structured(web.listing_page(venue), url="http://listings.venues.test/")
    assert [p.name for p in listing.performances] == [e.name for e in venue.events]
    assert {p.venue.name for p in listing.performances if p.venue} == {venue.listed_name}


# --- the server --------------------------------------------------------------------------------


def test_the_server_answers_by_host_name(bench_web):
    status, body = get(bench_web, "v00001.venues.test", "/events/")
    assert status == 200
    assert body == bench_web.page("v00001.venues.test", "/events/")
    _, other = get(bench_web, f"v00002.venues.test:{bench_web.port}", "/events/")
    assert other == bench_web.page("v00002.venues.test", "/events/") != body
    status, robots = get(bench_web, "v00003.venues.test", "/robots.txt")
    assert status == 200
    assert b"User-agent: *" in robots
    assert get(bench_web, "v00099.venues.test", "/events/")[0] == 404
    assert get(bench_web, "elsewhere.example", "/events/")[0] == 404
    stats = json.loads(get(bench_web, "any", "/__bench/stats")[1])
    assert stats["pages"] >= 2
    assert stats["not_found"] >= 2


# --- our fetchers reach the host names through the override ------------------------------------


def test_the_sync_fetcher_reaches_each_host_name(bench_web):
    with PinnedClient() as client:
        for i in (0, 5):
            url = f"http://{Web.venue_host(i)}:{bench_web.port}/about/"
            result = fetch(url, client=client, policy=POLICY, resolver=_no_dns)
            assert result.body == bench_web.page(Web.venue_host(i), "/about/")


@pytest.mark.parametrize("backend", ["aiohttp", "httpx"])
def test_the_crawler_reaches_each_host_name(bench_web, backend):
    urls = [f"http://{Web.venue_host(i)}:{bench_web.port}/events/" for i in range(6)]

    async def go():
        policy = CrawlPolicy(fetch=POLICY, host=HostPolicy(max_concurrency=1, min_delay_seconds=0))
        async with AsyncFetcher(policy, backend=backend, resolver=_no_dns) as fetcher:
            return {o.url: o async for o in fetcher.fetch_many(urls)}

    outcomes = asyncio.run(go())
    for i, url in enumerate(urls):
        assert outcomes[url].error is None, outcomes[url].error.reason
        assert outcomes[url].result.body == bench_web.page(Web.venue_host(i), "/events/")


def _no_dns(host: str) -> list[str]:
    raise AssertionError(f"{host} went to DNS")


# --- end to end --------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_tiny_run_of_the_whole_benchmark(tmp_path):
    # 3 venues, no politeness gap: about a minute, most of it migrate and the first tick (30 s).
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "pipeline.py"), "--venues", "3", "--host-delay", "0",
         "--max-seconds", "240", "--workdir", str(tmp_path)],
        capture_output=True, text=True, timeout=420, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("RESULT ")
    result = json.loads(last.removeprefix("RESULT "))
    web = Web(3, 7)
    assert result["complete"] is True
    assert result["pages"] == web.expected()["pages"]
    assert result["performances"] == web.expected()["shows"]
    assert result["anchor_pages_s"] > 0
    assert result["ratio"] == pytest.approx(result["pages_s"] / result["anchor_pages_s"], rel=0.05)
    assert set(result["cpu_ms_per_page"]) >= {"fetch", "extract", "resolve", "sync", "cluster_total"}
    assert result["peak_mb"] > 0
