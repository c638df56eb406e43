"""The fetcher against the hostile web (tests/hostile_site.py), on both HTTP backends and through the
one-off `fetching.fetch`: every hostile answer ends in a FetchError with a reason, never a crash, a
worker held past the deadline, a body inflated in memory, or a wait of years."""

from __future__ import annotations

import asyncio
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest

from core.retry import MAX_WAIT_SECONDS
from sourcing.crawler import AsyncFetcher, CrawlPolicy, FetchOutcome, FetchRequest, HostPolicy, RetryPolicy
from sourcing.fetching import FetchError, FetchPolicy, fetch
from tests.hostile_site import OVERRIDE, HostileSite

BACKENDS = ["aiohttp", "httpx"]
MB = 1024 * 1024
POLICY = FetchPolicy(
    allowed_private=("127.0.0.1",), host_overrides=(OVERRIDE,), timeout_seconds=2, max_bytes=MB
)


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileSite]:
    with HostileSite() as site:
        yield site


def crawl(urls: list[str | FetchRequest], backend: str = "aiohttp", **policy: Any) -> dict[str, FetchOutcome]:
    crawl_policy = CrawlPolicy(
        fetch=POLICY,
        host=HostPolicy(max_concurrency=2, min_delay_seconds=0),
        retry=RetryPolicy(max_attempts=1),
        **policy,
    )

    async def go() -> dict[str, FetchOutcome]:
        async with AsyncFetcher(crawl_policy, backend=backend) as fetcher:
            return {outcome.url: outcome async for outcome in fetcher.fetch_many(urls)}

    return asyncio.run(go())


def one_off(url: str, backend: str) -> FetchError:
    with pytest.raises(FetchError) as info:
        fetch(url, policy=POLICY, backend=backend)
    return info.value


# --- one deadline: connect, headers and body together ------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("path", ["/drip-body", "/drip-headers"])
def test_a_site_dripping_a_byte_a_second_ends_at_the_deadline(hostile, backend, path):
    # The server never stops on its own: only our one deadline (2 s) can end these fetches.
    error = one_off(hostile.url("ok", path), backend)
    assert error.reason == "Timed out after 2 s (the site answered too slowly)."
    assert error.retryable
    outcome = crawl([hostile.url("ok", path)], backend)[hostile.url("ok", path)]
    assert outcome.error is not None
    assert outcome.error.reason == "Timed out after 2 s (the site answered too slowly)."


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_robots_txt_dripping_its_headers_closes_the_host_for_now(hostile, backend):
    url = hostile.url("robots-drip", "/events/")
    outcome = crawl([url], backend)[url]
    assert outcome.error is not None
    assert outcome.error.retryable
    assert "robots.txt of http://robots-drip.hostile.test" in outcome.error.reason
    assert "Timed out after 2 s (robots.txt)" in outcome.error.reason


# --- decompression bounded by its output -------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("bomb", ["/gzip-bomb", "/deflate-bomb", "/brotli-bomb"])
def test_a_compression_bomb_stops_at_the_limit_with_memory_bounded(hostile, backend, bomb):
    tracemalloc.start()
    try:
        error = one_off(hostile.url("ok", bomb), backend)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert error.reason == "The body exceeded the limit of 1,048,576 bytes (after decompression)."
    assert not error.retryable
    # 64 MiB of zeros behind ~64 KB: the peak is the limit's megabyte and the fetcher's own buffers
    assert peak < 8 * MB


# --- waits a site asks for, clamped to a day ---------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("path", "status"), [("/retry-after-inf", 429), ("/retry-after-digits", 429), ("/retry-after-9999", 503)]
)
def test_an_absurd_retry_after_is_a_day(hostile, backend, path, status):
    error = one_off(hostile.url("ok", path), backend)
    assert error.status_code == status
    assert error.retryable
    assert error.retry_after == MAX_WAIT_SECONDS


def test_a_429_pauses_its_host_a_day_at_most_and_later_pages_are_handed_back(hostile):
    # Given a page answering 429 with Retry-After: inf, and two more pages of the host queued behind it
    import time

    start_by = time.monotonic() + 5
    urls = [hostile.url("ok", "/retry-after-inf")] + [
        FetchRequest(hostile.url("ok", f"/events/{n}"), start_by=start_by) for n in (1, 2)
    ]

    async def go() -> tuple[dict[str, FetchOutcome], Any]:
        policy = CrawlPolicy(
            fetch=POLICY,
            host=HostPolicy(max_concurrency=1, min_delay_seconds=0),
            retry=RetryPolicy(max_attempts=1),
        )
        async with AsyncFetcher(policy) as fetcher:
            outcomes = {o.url: o async for o in fetcher.fetch_many(urls)}
            return outcomes, fetcher.host_reports()

    outcomes, reports = asyncio.run(go())
    first = outcomes[hostile.url("ok", "/retry-after-inf")].error
    assert first is not None
    assert first.retry_after == MAX_WAIT_SECONDS
    for n in (1, 2):
        later = outcomes[hostile.url("ok", f"/events/{n}")]
        assert later.deferred  # handed back unstarted, not a failure and not a day's wait
        assert later.error is not None
        assert later.error.retry_after is not None
        assert MAX_WAIT_SECONDS - 60 < later.error.retry_after <= MAX_WAIT_SECONDS
    (report,) = reports
    assert MAX_WAIT_SECONDS - 60 < report.paused_seconds <= MAX_WAIT_SECONDS


@pytest.mark.parametrize("label", ["crawl-delay-huge", "crawl-delay-400", "crawl-delay-5000"])
def test_an_absurd_crawl_delay_is_a_day_and_hands_pages_back(hostile, label):
    import time

    url = hostile.url(label, "/events/")

    async def go() -> tuple[FetchOutcome, Any]:
        policy = CrawlPolicy(
            fetch=POLICY,
            host=HostPolicy(max_concurrency=1, min_delay_seconds=0),
            retry=RetryPolicy(max_attempts=1),
        )
        async with AsyncFetcher(policy) as fetcher:
            outcomes = [
                o async for o in fetcher.fetch_many([FetchRequest(url, start_by=time.monotonic() + 5)])
            ]
            return outcomes[0], fetcher.host_reports()

    outcome, (report,) = asyncio.run(go())
    assert outcome.deferred
    assert outcome.error is not None
    assert "is not free for another" in outcome.error.reason
    assert report.min_delay_seconds == MAX_WAIT_SECONDS
    assert report.robots_answer is not None  # read, and handed to the caller to keep


# --- robots.txt that fights back ---------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_robots_txt_in_charset_undefined_is_read_and_obeyed(hostile, backend):
    private, public = hostile.url("charset", "/private/"), hostile.url("charset", "/events/")
    outcomes = crawl([private, public], backend)
    refused = outcomes[private].error
    assert refused is not None
    assert "disallows this URL" in refused.reason
    assert outcomes[public].ok


def test_a_robots_txt_answering_5xx_closes_the_host_with_a_retryable_reason(hostile):
    url = hostile.url("robots-5xx", "/events/")
    outcome = crawl([url])[url]
    assert outcome.error is not None
    assert outcome.error.retryable
    assert "could not be read (HTTP 503)" in outcome.error.reason
    assert ("robots-5xx", "/events/") not in hostile.hits  # the page itself was never asked for


# --- the guard's embedded forms, reached by a redirect -----------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "literal",
    ["[64:ff9b::7f00:1]", "[2002:7f00:1::]", "[::127.0.0.1]", "[::ffff:127.0.0.1]", "[64:ff9b:1::808:808]"],
)
def test_a_redirect_to_an_embedded_private_address_is_refused(hostile, backend, literal):
    url = hostile.url("ok", f"/redirect?to=http://{literal}:{hostile.port}/events/")
    error = one_off(url, backend)
    assert "non-public address" in error.reason
    assert not error.retryable
