"""The async fetcher and crawler against real HTTP on 127.0.0.1: each politeness rule, each
failure mode, on both HTTP backends where the backend matters."""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from sourcing.crawler import (
    AsyncFetcher,
    Crawler,
    CrawlPolicy,
    FetchOutcome,
    FetchPolicy,
    FetchRequest,
    HostPolicy,
    RetryPolicy,
    fetch_many,
)
from sourcing.fetchrules import decode_body, parse_retry_after

BACKENDS = ["aiohttp", "httpx"]
FAST_RETRY = RetryPolicy(max_attempts=3, base_delay_seconds=0.05, max_delay_seconds=0.2)
LOCAL = FetchPolicy(allowed_private=("127.0.0.1",), timeout_seconds=3, max_bytes=2 * 1024 * 1024)


def local_policy(
    *,
    fetch: FetchPolicy = LOCAL,
    host: HostPolicy | None = None,
    retry: RetryPolicy = FAST_RETRY,
) -> CrawlPolicy:
    return CrawlPolicy(
        fetch=fetch, host=host or HostPolicy(max_concurrency=4, min_delay_seconds=0), retry=retry
    )


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def collect(fetcher: AsyncFetcher, urls: list[str] | list[FetchRequest]) -> dict[str, FetchOutcome]:
    return {outcome.url: outcome async for outcome in fetcher.fetch_many(urls)}


async def fetch_one(url: str, policy: CrawlPolicy, backend: str = "aiohttp", **kwargs: Any) -> FetchOutcome:
    async with AsyncFetcher(policy, backend=backend, **kwargs) as fetcher:
        outcomes = await collect(fetcher, [url])
    return outcomes[url]


# --- a small server that records what it was asked ---------------------------------------------


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"<html><body>ok</body></html>"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Hit:
    path: str
    start: float
    end: float = 0.0


class LocalSite:
    """HTTP/1.1 on 127.0.0.1; `respond(path, times_seen_before)` makes each reply."""

    def __init__(self, respond: Callable[[str, int], Reply]) -> None:
        self.hits: list[Hit] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                hit = Hit(self.path, time.monotonic())
                with site._lock:
                    seen = sum(1 for h in site.hits if h.path == self.path)
                    site.hits.append(hit)
                    site.in_flight += 1
                    site.max_in_flight = max(site.max_in_flight, site.in_flight)
                try:
                    reply = respond(self.path, seen)
                    if reply.delay:
                        time.sleep(reply.delay)
                    self.send_response(reply.status)
                    headers = {"Content-Type": "text/html; charset=utf-8", **reply.headers}
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                finally:
                    with site._lock:
                        site.in_flight -= 1
                        hit.end = time.monotonic()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self) -> list[str]:
        return [hit.path for hit in self.hits]

    def starts(self, prefix: str = "/") -> list[float]:
        return sorted(hit.start for hit in self.hits if hit.path.startswith(prefix))

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def make_site() -> Iterator[Callable[..., LocalSite]]:
    sites: list[LocalSite] = []

    def make(respond: Callable[[str, int], Reply] | None = None, *, robots: str = "") -> LocalSite:
        def default(path: str, seen: int) -> Reply:
            if path == "/robots.txt":
                return Reply(body=robots.encode(), headers={"Content-Type": "text/plain"})
            if path.startswith("/slow"):
                return Reply(delay=0.2)
            return Reply()

        site = LocalSite(respond or default)
        sites.append(site)
        return site

    yield make
    for site in sites:
        site.close()


def gaps(starts: list[float]) -> list[float]:
    return [b - a for a, b in zip(starts, starts[1:], strict=False)]


# --- politeness --------------------------------------------------------------------------------


def test_per_host_concurrency_is_never_exceeded_while_hosts_run_in_parallel(make_site):
    first, second = make_site(), make_site()
    urls = [site.url(f"/slow/{n}") for site in (first, second) for n in range(8)]
    policy = local_policy(host=HostPolicy(max_concurrency=2, min_delay_seconds=0))

    async def main() -> dict[str, FetchOutcome]:
        async with AsyncFetcher(policy, concurrency=16) as fetcher:
            return await collect(fetcher, urls)

    outcomes = run(main())
    assert all(outcome.ok for outcome in outcomes.values())
    assert first.max_in_flight == 2
    assert second.max_in_flight == 2
    # The hosts' limits are their own: the two hosts were served at the same time.
    overlapping = [
        (a, b)
        for a in first.hits
        for b in second.hits
        if a.path.startswith("/slow") and b.path.startswith("/slow") and a.start < b.end and b.start < a.end
    ]
    assert overlapping


def test_a_busy_host_does_not_starve_another(make_site):
    busy, other = make_site(), make_site()

    async def main() -> list[str]:
        order: list[str] = []
        async with AsyncFetcher(local_policy(), concurrency=2) as fetcher:
            for n in range(20):
                fetcher.submit(busy.url(f"/slow/{n}"), lambda outcome: order.append(outcome.url))
            await asyncio.sleep(0.3)  # the busy host now holds both global slots, with more waiting
            fetcher.submit(other.url("/slow/x"), lambda outcome: order.append(outcome.url))
            while len(order) < 21:
                await asyncio.sleep(0.05)
        return order

    order = run(main())
    # Slots freed by the busy host went to the waiting one first (its robots.txt, then its page).
    # (Before, it came last: the host that freed a slot always took it back.)
    assert order.index(other.url("/slow/x")) < 12, order


def test_host_policies_are_per_host(make_site):
    polite, eager = make_site(), make_site()
    host_policies = {polite.base.removeprefix("http://"): HostPolicy(max_concurrency=1, min_delay_seconds=0)}
    urls = [site.url(f"/slow/{n}") for site in (polite, eager) for n in range(4)]

    async def main() -> None:
        async with AsyncFetcher(local_policy(), host_policies=host_policies, concurrency=8) as fetcher:
            await collect(fetcher, urls)

    run(main())
    assert polite.max_in_flight == 1
    assert eager.max_in_flight == 4


@pytest.mark.parametrize("backend", BACKENDS)
def test_min_delay_is_kept_between_request_starts_across_tasks(make_site, backend):
    site = make_site()
    policy = local_policy(host=HostPolicy(max_concurrency=4, min_delay_seconds=0.3))
    outcomes = run(
        collect_with(policy, [site.url(f"/page/{n}") for n in range(4)], backend=backend, concurrency=8)
    )
    assert all(outcome.ok for outcome in outcomes.values())
    starts = site.starts()  # robots.txt and the 4 pages
    assert len(starts) == 5
    assert min(gaps(starts)) >= 0.25, gaps(starts)


def test_crawl_delay_raises_the_hosts_min_delay(make_site):
    # urllib.robotparser reads whole seconds only.
    site = make_site(robots="User-agent: *\nCrawl-delay: 1\n")
    policy = local_policy(host=HostPolicy(max_concurrency=4, min_delay_seconds=0))
    outcomes = run(collect_with(policy, [site.url(f"/page/{n}") for n in range(2)]))
    assert all(outcome.ok for outcome in outcomes.values())
    starts = site.starts()
    assert site.paths()[0] == "/robots.txt"
    assert len(starts) == 3
    assert min(gaps(starts)) >= 0.9, gaps(starts)


async def collect_with(
    policy: CrawlPolicy, urls: list[str], *, backend: str = "aiohttp", concurrency: int = 8
) -> dict[str, FetchOutcome]:
    async with AsyncFetcher(policy, backend=backend, concurrency=concurrency) as fetcher:
        return await collect(fetcher, urls)


# --- robots.txt --------------------------------------------------------------------------------


def test_robots_disallow_is_refused_and_robots_is_fetched_once(make_site):
    site = make_site(robots="User-agent: *\nDisallow: /private/\n")
    public = [site.url(f"/public/{n}") for n in range(10)]
    private = site.url("/private/secret")

    async def main() -> tuple[dict[str, FetchOutcome], dict[str, FetchOutcome]]:
        async with AsyncFetcher(local_policy(), concurrency=8) as fetcher:
            first = await collect(fetcher, [*public, private])
            second = await collect(fetcher, [site.url("/public/again")])  # the cached rules
            return first, second

    first, second = run(main())
    refused = first[private]
    assert refused.error is not None
    assert "disallows this URL" in refused.error.reason
    assert not refused.error.retryable
    assert all(first[url].ok for url in public)
    assert second[site.url("/public/again")].ok
    assert site.paths().count("/robots.txt") == 1
    assert "/private/secret" not in site.paths()


def test_robots_rules_for_our_user_agent_apply(make_site):
    site = make_site(robots="User-agent: OtherBot\nDisallow:\n\nUser-agent: MyStageBot\nDisallow: /\n")
    outcome = run(fetch_one(site.url("/page"), local_policy()))
    assert outcome.error is not None
    assert "disallows this URL" in outcome.error.reason
    assert site.paths() == ["/robots.txt"]


def test_unreadable_robots_closes_the_host_with_a_retryable_reason(make_site):
    def respond(path: str, seen: int) -> Reply:
        return Reply(status=500) if path == "/robots.txt" else Reply()

    site = make_site(respond)
    outcome = run(fetch_one(site.url("/page"), local_policy()))
    assert outcome.error is not None
    assert "robots.txt" in outcome.error.reason
    assert "RFC 9309" in outcome.error.reason
    assert outcome.error.retryable
    assert "/page" not in site.paths()
    assert site.paths().count("/robots.txt") == FAST_RETRY.max_attempts


def test_missing_robots_allows_everything(make_site):
    def respond(path: str, seen: int) -> Reply:
        return Reply(status=404) if path == "/robots.txt" else Reply()

    site = make_site(respond)
    assert run(fetch_one(site.url("/page"), local_policy())).ok


# --- retries -----------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_429_with_retry_after_is_waited_for_then_succeeds(make_site, backend):
    def respond(path: str, seen: int) -> Reply:
        if path == "/busy" and seen == 0:
            return Reply(status=429, headers={"Retry-After": "1"})
        return Reply()

    site = make_site(respond)
    outcome = run(fetch_one(site.url("/busy"), local_policy(), backend=backend))
    assert outcome.ok
    assert outcome.attempts == 2
    first, second = site.starts("/busy")
    assert second - first >= 0.95


def test_5xx_is_retried_with_backoff_then_given_up_with_the_reason(demo_web):
    outcome = run(fetch_one(demo_web.url("/_test/status/500"), local_policy()))
    assert outcome.error is not None
    assert outcome.error.reason == "Gave up after 3 attempts: HTTP 500: the server failed."
    assert outcome.error.retryable
    assert outcome.error.status_code == 500
    assert outcome.attempts == 3


def test_total_wait_between_attempts_is_bounded(demo_web):
    # 503 answers Retry-After: 1, more than the 0.5 s we allow in total.
    retry = RetryPolicy(max_attempts=5, max_total_wait_seconds=0.5)
    started = time.monotonic()
    outcome = run(fetch_one(demo_web.url("/_test/status/503"), local_policy(retry=retry)))
    assert outcome.error is not None
    assert "would exceed the 0.5 s allowed" in outcome.error.reason
    assert outcome.attempts == 1
    assert time.monotonic() - started < 1


def test_retry_after_may_be_an_http_date():
    now = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Sun, 01 Mar 2026 12:00:30 GMT", now) == 30
    assert parse_retry_after("Sun, 01 Mar 2026 11:00:00 GMT", now) == 0
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("-3", now) == 0
    assert parse_retry_after(None, now) is None


# --- failure modes -----------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_timeout(demo_web, backend):
    policy = local_policy(
        fetch=FetchPolicy(allowed_private=("127.0.0.1",), timeout_seconds=0.5),
        retry=RetryPolicy(max_attempts=1),
    )
    started = time.monotonic()
    outcome = run(fetch_one(demo_web.url("/_test/slow?seconds=3"), policy, backend=backend))
    assert outcome.error is not None
    assert "Timed out after 0.5 s" in outcome.error.reason
    assert outcome.error.retryable
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize("backend", BACKENDS)
def test_redirect_loop(demo_web, backend):
    outcome = run(fetch_one(demo_web.url("/_test/redirect-loop/0"), local_policy(), backend=backend))
    assert outcome.error is not None
    assert "More than 5 redirects" in outcome.error.reason
    assert not outcome.error.retryable
    assert outcome.attempts == 6


def test_redirect_followed(demo_web):
    outcome = run(
        fetch_one(demo_web.url("/_test/redirect?to=/fremont-abbey/events/index.html"), local_policy())
    )
    assert outcome.result is not None
    assert outcome.result.final_url == demo_web.url("/fremont-abbey/events/index.html")
    assert outcome.result.redirects == [demo_web.url("/_test/redirect?to=/fremont-abbey/events/index.html")]


@pytest.mark.parametrize("backend", BACKENDS)
def test_oversize_body_stops_at_the_limit(demo_web, backend):
    outcome = run(fetch_one(demo_web.url("/_test/big?mb=5"), local_policy(), backend=backend))
    assert outcome.error is not None
    assert "limit of 2,097,152" in outcome.error.reason
    assert not outcome.error.retryable


@pytest.mark.parametrize("backend", BACKENDS)
def test_gzip_bomb_stops_after_decompression(demo_web, backend):
    outcome = run(fetch_one(demo_web.url("/_test/gzip-bomb"), local_policy(), backend=backend))
    assert outcome.error is not None
    assert "after decompression" in outcome.error.reason


@pytest.mark.parametrize("backend", BACKENDS)
def test_page_that_lies_about_its_encoding_is_decoded(demo_web, backend):
    outcome = run(fetch_one(demo_web.url("/_test/latin1"), local_policy(), backend=backend))
    assert outcome.result is not None
    text, encoding = decode_body(outcome.result.body, outcome.result.content_type)
    assert "Café Nouveau" in text
    assert encoding == "cp1252"


@pytest.mark.parametrize("backend", BACKENDS)
def test_redirect_to_a_private_address_is_refused(demo_web, backend):
    looked_up: list[str] = []

    def resolver(host: str) -> list[str]:
        looked_up.append(host)
        return ["127.0.0.1"] if host == "127.0.0.1" else ["169.254.169.254"]

    url = demo_web.url("/_test/redirect?to=http://metadata.internal/latest/")
    outcome = run(fetch_one(url, local_policy(), backend=backend, resolver=resolver))
    assert outcome.error is not None
    assert "non-public address 169.254.169.254" in outcome.error.reason
    assert not outcome.error.retryable
    assert "metadata.internal" in looked_up


def test_connections_go_to_the_addresses_the_guard_checked(demo_web):
    # No DNS server knows venue.test: the connection can only have used the guard's answer.
    policy = local_policy(fetch=FetchPolicy(allowed_private=("127.0.0.1",), timeout_seconds=3))
    url = f"http://venue.test:{demo_web.port}/fremont-abbey/events/index.html"
    outcome = run(fetch_one(url, policy, resolver=lambda host: ["127.0.0.1"]))
    assert outcome.ok


def test_loopback_is_refused_unless_allowed(demo_web):
    outcome = run(fetch_one(demo_web.url("/"), CrawlPolicy()))
    assert outcome.error is not None
    assert "non-public address 127.0.0.1" in outcome.error.reason
    assert not outcome.error.retryable


def test_non_http_urls_are_refused():
    outcome = run(fetch_one("file:///etc/passwd", local_policy()))
    assert outcome.error is not None
    assert "Only http and https" in outcome.error.reason


@pytest.mark.parametrize("backend", BACKENDS)
def test_conditional_request_answers_not_modified(demo_web, backend):
    url = demo_web.url("/fremont-abbey/events/index.html")

    async def main() -> tuple[FetchOutcome, FetchOutcome]:
        async with AsyncFetcher(local_policy(), backend=backend) as fetcher:
            first = (await collect(fetcher, [url]))[url]
            assert first.result is not None
            again = FetchRequest(url, etag=first.result.headers["etag"])
            return first, (await collect(fetcher, [again]))[url]

    first, second = run(main())
    assert first.result is not None
    assert first.result.content_hash == hashlib.sha256(first.result.body).hexdigest()
    assert b"application/ld+json" in first.result.body
    assert second.result is not None
    assert second.result.not_modified
    assert second.result.status_code == 304


def test_fetch_many_function_and_single_fetch(demo_web):
    async def main() -> tuple[list[FetchOutcome], bytes]:
        outcomes = [
            outcome
            async for outcome in fetch_many(
                [demo_web.url("/_test/echo-headers"), demo_web.url("/_test/status/404")],
                policy=local_policy(),
                concurrency=4,
            )
        ]
        async with AsyncFetcher(local_policy()) as fetcher:
            result = await fetcher.fetch(demo_web.url("/fremont-abbey/events/index.html"))
        return outcomes, result.body

    outcomes, body = run(main())
    by_url = {outcome.url: outcome for outcome in outcomes}
    echoed = by_url[demo_web.url("/_test/echo-headers")].result
    assert echoed is not None
    assert b"mystagebot/0.1" in echoed.body.lower()
    missing = by_url[demo_web.url("/_test/status/404")]
    assert missing.error is not None
    assert missing.error.reason == "HTTP 404: the page does not exist (any more)."
    assert b"application/ld+json" in body


# --- crawling ----------------------------------------------------------------------------------


def _linked_site() -> Callable[[str, int], Reply]:
    """/ -> /a, /b (and the same /a written differently, and another host); /a -> /a/deep; /b -> /."""
    pages = {
        "/": '<a href="/a">A</a> <a href="b">B</a> <a href="/a#top">A again</a> '
        '<a href="/a?utm_source=x">A tracked</a> <a href="https://elsewhere.example/">away</a> '
        '<a href="mailto:x@example.com">mail</a>',
        "/a": '<a href="/a/deep">deep</a>',
        "/b": '<a href="/">home</a>',
        "/a/deep": "<p>the end</p>",
    }

    def respond(path: str, seen: int) -> Reply:
        if path == "/robots.txt":
            return Reply(body=b"User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"})
        if path in pages:
            return Reply(body=f"<html><body>{pages[path]}</body></html>".encode())
        return Reply(status=404)

    return respond


async def crawl(start: str, **kwargs: Any) -> list[FetchOutcome]:
    async with AsyncFetcher(local_policy(), concurrency=4) as fetcher:
        return [outcome async for outcome in Crawler(fetcher, **kwargs).crawl([start])]


def test_crawler_follows_links_once_each_on_the_same_host(make_site):
    site = make_site(_linked_site())
    outcomes = run(crawl(site.url("/")))
    assert sorted(outcome.url.removeprefix(site.base) for outcome in outcomes) == ["/", "/a", "/a/deep", "/b"]
    assert all(outcome.ok for outcome in outcomes)
    assert sorted(site.paths()) == ["/", "/a", "/a/deep", "/b", "/robots.txt"]
    assert {outcome.url.removeprefix(site.base): outcome.depth for outcome in outcomes}["/a/deep"] == 2


def test_crawler_depth_bound(make_site):
    site = make_site(_linked_site())
    outcomes = run(crawl(site.url("/"), max_depth=1))
    assert sorted(outcome.url.removeprefix(site.base) for outcome in outcomes) == ["/", "/a", "/b"]


def test_crawler_takes_any_link_extractor(make_site):
    site = make_site(_linked_site())
    outcomes = run(crawl(site.url("/"), link_extractor=lambda result: [site.url("/b")]))
    assert sorted(outcome.url.removeprefix(site.base) for outcome in outcomes) == ["/", "/b"]


def test_the_crawler_imports_no_django():
    code = "import sys, sourcing.crawler; assert not any(m.startswith('django') for m in sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    ("status", "text", "allowed", "delay"),
    [
        (200, "User-agent: *\nDisallow: /x\nCrawl-delay: 2\n", False, 2.0),
        (200, "User-agent: MyStageBot\nRequest-rate: 1/5\n", True, 5.0),
        (200, "User-agent: *\nCrawl-delay: 1\nRequest-rate: 1/3\n", True, 3.0),
        (404, "", True, None),
        (403, "", False, None),
        (401, "", False, None),
    ],
)
def test_robots_rules_are_the_same_for_the_pipeline_and_the_crawler(status, text, allowed, delay):
    from sourcing.robots import rules_for_response

    rules = rules_for_response(status, text)
    assert rules.allows("MyStageBot/0.1 (+https://mystage.example)", "https://venue.example/x") is allowed
    assert rules.crawl_delay("MyStageBot/0.1") == delay
