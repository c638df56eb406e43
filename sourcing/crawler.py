"""Fetching many URLs at once, politely and safely (pure: no Django import).

`AsyncFetcher` applies the rules of `sourcing.fetching` (shared through `sourcing.fetchrules`) to
many concurrent requests, and adds the ones a crawler needs:

- **Politeness per host** (per origin: scheme, host and port, as robots.txt is): at most
  `HostPolicy.max_concurrency` requests in flight and at least `HostPolicy.min_delay_seconds`
  between the starts of two requests, across all tasks. Jobs wait in a queue per host, so a slow or
  rate-limited host never holds the global slots other hosts could use.
- **robots.txt**, fetched once per origin before anything else there and cached for
  `robots_ttl_seconds`, read as RFC 9309 says (`sourcing.robots`, on Protego: the longest match
  wins; 401 and 403 disallow everything, other 4xx allow everything) and our user agent. Its
  Crawl-delay (or Request-rate) raises the host's minimum delay. A robots.txt we cannot read (5xx,
  429, timeouts, network) stops the host until it can be read (RFC 9309), with a retryable reason.
- **Retries** of timeouts, connection failures, 429 and 5xx, with exponential backoff and jitter
  (`core.retry.Backoff`), honouring Retry-After (seconds or an HTTP date, at most a day; a 429's also
  pauses the whole host), for at most `RetryPolicy.max_attempts` attempts and
  `max_total_wait_seconds` of waiting.
- **Safety**: only http(s); every hop is checked against private, loopback and link-local addresses
  after DNS resolution, unless `FetchPolicy.allowed_private` allows it; redirects are followed one
  hop at a time (each hop through its host's queue, robots.txt and the guard), at most
  `max_redirects`, loops caught; the body is streamed and counted after decompression; each attempt
  has `timeout_seconds` in total. Conditional requests (ETag / Last-Modified in, 304 out as
  `not_modified`) and the sha256 content hash are as in `sourcing.fetching`.

The guard caches its answer per host for `dns_ttl_seconds`: without it, every request would wait
for a DNS lookup. The trade-off is that a host whose DNS changes to a private address is refused
only when the cache expires. Hosts are found by `fetchrules.resolve_host`'s rules (an address is
itself, `FetchPolicy.host_overrides` before DNS). With either backend the connection is *pinned*
to the addresses the guard checked (the guard is aiohttp's resolver, and httpcore's network
backend for httpx), so DNS rebinding between check and connect is impossible.

Two HTTP backends: aiohttp (default) and httpx. httpx's async pool (httpcore 1.0.9) spends most of
its time re-assigning connections when many requests wait (encode/httpcore#1035), and, with
`sniffio` missing from the environment, retries a failed import on every lock; measured here it
is 5-10 times slower than aiohttp at 64 concurrent requests (see bench/README.md).

`Crawler` follows links from start URLs: a `link_extractor` (default `extract_links`, selectolax's
lexbor parser), the start hosts only, an optional depth bound, de-duplication by `normalize_url`.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from core.retry import Backoff, retry_call_async
from sourcing.fetchrules import (
    REDIRECT_CODES,
    BodyLimit,
    FetchError,
    FetchPolicy,
    FetchResult,
    check_addresses,
    check_declared_size,
    check_status,
    check_url,
    connection_error,
    decode_body,
    decoding_error,
    host_override,
    next_redirect,
    parse_retry_after,
    request_headers,
    resolution_error,
    timeout_error,
    total_time_error,
)
from sourcing.robots import RobotsRules, rules_for_response
from sourcing.urlnorm import normalize_url

__all__ = [
    "AsyncFetcher",
    "CrawlPolicy",
    "Crawler",
    "FetchError",
    "FetchOutcome",
    "FetchPolicy",
    "FetchRequest",
    "FetchResult",
    "HostPolicy",
    "RetryPolicy",
    "extract_links",
    "fetch_many",
]

logger = logging.getLogger(__name__)

AnyResolver = Callable[[str], list[str] | Awaitable[list[str]]]
LinkExtractor = Callable[[FetchResult], Iterable[str]]


@dataclass(frozen=True)
class HostPolicy:
    """How hard we may press one host: requests in flight, and seconds between request starts."""

    max_concurrency: int = 2
    min_delay_seconds: float = 1.0


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3  # requests per hop, the first included
    base_delay_seconds: float = 1.0  # doubled after each failure, with jitter
    max_delay_seconds: float = 60.0
    max_total_wait_seconds: float = 120.0  # waiting between attempts, Retry-After included

    @property
    def backoff(self) -> Backoff:
        """A page's waits: equal jitter, and a Retry-After stretched by up to a tenth (never earlier than
        asked), so that a host's many waiting jobs do not all come back at once."""
        return Backoff(self.base_delay_seconds, self.max_delay_seconds, jitter=True, retry_after_spread=0.1)


@dataclass(frozen=True)
class CrawlPolicy:
    fetch: FetchPolicy = field(default_factory=FetchPolicy)
    host: HostPolicy = field(default_factory=HostPolicy)  # hosts without their own policy
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    robots_ttl_seconds: float = 3600.0
    robots_error_ttl_seconds: float = 60.0  # how long an unreadable robots.txt keeps its host closed
    robots_max_bytes: int = 512 * 1024  # RFC 9309 asks crawlers to read at least 500 KiB
    dns_ttl_seconds: float = 60.0


@dataclass(frozen=True)
class FetchRequest:
    url: str
    etag: str = ""
    last_modified: str = ""


@dataclass
class FetchOutcome:
    """What became of one URL: a result (2xx, 3xx or 304) or an error, never both."""

    url: str
    result: FetchResult | None = None
    error: FetchError | None = None
    attempts: int = 0  # requests made for it, redirect hops included
    depth: int = 0  # links followed from a start URL (Crawler only)

    @property
    def ok(self) -> bool:
        return self.result is not None


# --- resolving and the guard -------------------------------------------------------------------


async def system_resolver_async(host: str) -> list[str]:
    """The host's addresses from the system resolver, without blocking the event loop."""
    with contextlib.suppress(ValueError):
        return [str(ipaddress.ip_address(host.strip("[]")))]  # a literal address needs no lookup
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise resolution_error(host, exc) from exc
    return sorted({str(info[4][0]) for info in infos})


class _Guard:
    """Checked addresses per host, cached for a short TTL; one lookup at a time per host."""

    def __init__(self, policy: FetchPolicy, resolver: AnyResolver, ttl_seconds: float) -> None:
        self._policy = policy
        self._resolver = resolver
        self._ttl = ttl_seconds
        self._cache: dict[str, tuple[float, list[str] | str]] = {}  # host -> (expiry, addresses | refusal)
        self._lookups: dict[str, asyncio.Future[list[str]]] = {}

    async def check(self, url: str) -> None:
        await self.addresses(check_url(url))

    async def addresses(self, host: str) -> list[str]:
        entry = self._cache.get(host)
        if entry is not None and entry[0] > time.monotonic():
            if isinstance(entry[1], str):
                raise FetchError(entry[1], retryable=False)
            return entry[1]
        lookup = self._lookups.get(host)
        if lookup is None:
            lookup = asyncio.ensure_future(self._lookup(host))
            self._lookups[host] = lookup
            lookup.add_done_callback(lambda _: self._lookups.pop(host, None))
        return await asyncio.shield(lookup)

    async def _lookup(self, host: str) -> list[str]:
        addresses = host_override(host, self._policy.host_overrides)
        if addresses is None:
            answer = self._resolver(host)
            addresses = answer if isinstance(answer, list) else await answer
        try:
            check_addresses(host, addresses, self._policy)
        except FetchError as exc:
            self._cache[host] = (time.monotonic() + self._ttl, exc.reason)
            raise
        self._cache[host] = (time.monotonic() + self._ttl, addresses)
        return addresses


# --- HTTP backends -----------------------------------------------------------------------------


class _Response(Protocol):
    status_code: int
    headers: dict[str, str]  # lower-case names

    def chunks(self) -> AsyncIterator[bytes]: ...  # decoded (decompressed) body


class Transport(Protocol):
    """One streamed GET without following redirects; errors become FetchError."""

    def stream(
        self, url: str, headers: Mapping[str, str]
    ) -> contextlib.AbstractAsyncContextManager[_Response]: ...

    async def aclose(self) -> None: ...


class _AiohttpResponse:
    __slots__ = ("_response", "headers", "status_code")

    def __init__(self, response: Any) -> None:
        self._response = response
        self.status_code: int = response.status
        self.headers = {k.lower(): v for k, v in response.headers.items()}

    def chunks(self) -> AsyncIterator[bytes]:
        chunks: AsyncIterator[bytes] = self._response.content.iter_chunked(65536)
        return chunks


class AiohttpTransport:
    """aiohttp with one pooled session; connections go only to addresses the guard checked."""

    def __init__(self, *, pool_size: int, guard: _Guard) -> None:
        import aiohttp
        from aiohttp.abc import AbstractResolver, ResolveResult
        from yarl import URL

        class PinnedResolver(AbstractResolver):
            async def resolve(
                self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
            ) -> list[ResolveResult]:
                return [
                    ResolveResult(
                        hostname=host,
                        host=address,
                        port=port,
                        family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                        proto=0,
                        flags=socket.AI_NUMERICHOST,
                    )
                    for address in await guard.addresses(host)
                ]

            async def close(self) -> None:
                return None

        self._aiohttp = aiohttp
        connector = aiohttp.TCPConnector(
            limit=pool_size, limit_per_host=0, use_dns_cache=False, resolver=PinnedResolver()
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=None),  # the caller bounds each attempt
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=True,
            trust_env=False,
        )
        self._url = URL

    @contextlib.asynccontextmanager
    async def stream(self, url: str, headers: Mapping[str, str]) -> AsyncIterator[_Response]:
        aiohttp = self._aiohttp
        try:
            async with self._session.get(
                self._url(url, encoded=True), headers=headers, allow_redirects=False
            ) as response:
                yield _AiohttpResponse(response)
        except aiohttp.ClientPayloadError as exc:
            if "encoding" in str(exc).lower():  # "Can not decode content-encoding: gzip"
                raise decoding_error(exc) from exc
            raise FetchError(f"The connection broke while reading the body: {exc}.", retryable=True) from exc
        except aiohttp.ServerTimeoutError as exc:
            raise FetchError(f"Timed out ({type(exc).__name__}).", retryable=True) from exc
        except aiohttp.ClientError as exc:
            raise connection_error(exc) from exc

    async def aclose(self) -> None:
        await self._session.close()


class _HttpxResponse:
    __slots__ = ("_response", "headers", "status_code")

    def __init__(self, response: Any) -> None:
        self._response = response
        self.status_code: int = response.status_code
        self.headers = {k.lower(): v for k, v in response.headers.items()}

    def chunks(self) -> AsyncIterator[bytes]:
        chunks: AsyncIterator[bytes] = self._response.aiter_bytes(65536)
        return chunks


class HttpxTransport:
    """httpx.AsyncClient with a pool sized to our concurrency; connections go only to addresses the
    guard checked (an httpcore network backend that asks the guard instead of DNS)."""

    def __init__(self, *, pool_size: int, guard: _Guard) -> None:
        import httpcore
        import httpx

        class PinnedBackend(httpcore.AsyncNetworkBackend):
            def __init__(self) -> None:
                self._inner = httpcore.AnyIOBackend()

            async def connect_tcp(
                self,
                host: str,
                port: int,
                timeout: float | None = None,
                local_address: str | None = None,
                socket_options: Iterable[Any] | None = None,
            ) -> httpcore.AsyncNetworkStream:
                failure: Exception | None = None
                for address in await guard.addresses(host):
                    try:
                        return await self._inner.connect_tcp(
                            address, port, timeout, local_address, socket_options
                        )
                    except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                        failure = exc
                raise failure or httpcore.ConnectError(f"no checked address for {host}")

            async def connect_unix_socket(
                self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
            ) -> httpcore.AsyncNetworkStream:
                raise httpcore.ConnectError("unix sockets are not fetched")

            async def sleep(self, seconds: float) -> None:
                await self._inner.sleep(seconds)

        self._httpx = httpx
        transport = httpx.AsyncHTTPTransport(
            limits=httpx.Limits(max_connections=pool_size, max_keepalive_connections=pool_size)
        )
        # httpx 0.28 takes no network backend: give its connection pool ours before any connection exists.
        pool = transport._pool
        assert isinstance(pool, httpcore.AsyncConnectionPool)
        pool._network_backend = PinnedBackend()
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=None,  # the caller bounds each attempt
            follow_redirects=False,
            trust_env=False,
        )

    @contextlib.asynccontextmanager
    async def stream(self, url: str, headers: Mapping[str, str]) -> AsyncIterator[_Response]:
        httpx = self._httpx
        try:
            async with self._client.stream("GET", url, headers=dict(headers)) as response:
                yield _HttpxResponse(response)
        except httpx.TimeoutException as exc:
            raise FetchError(f"Timed out ({type(exc).__name__}).", retryable=True) from exc
        except httpx.DecodingError as exc:
            raise decoding_error(exc) from exc
        except httpx.TransportError as exc:
            raise connection_error(exc) from exc

    async def aclose(self) -> None:
        await self._client.aclose()


# --- robots.txt --------------------------------------------------------------------------------


class _Robots:
    __slots__ = ("crawl_delay", "error", "expires", "rules")

    def __init__(self, rules: RobotsRules | None, expires: float, *, error: FetchError | None = None) -> None:
        self.rules = rules
        self.error = error  # set when the host must not be fetched at all for now
        self.expires = expires
        self.crawl_delay = 0.0

    def refusal(self, url: str, user_agent: str) -> FetchError | None:
        if self.error is not None:
            return FetchError(self.error.reason, retryable=self.error.retryable)
        if self.rules is not None and not self.rules.allows(user_agent, url):
            return FetchError(f"robots.txt disallows {url} for {user_agent}.", retryable=False)
        return None


# --- the scheduler -----------------------------------------------------------------------------


class _Host:
    __slots__ = (
        "active",
        "max_concurrency",
        "min_delay",
        "next_start",
        "origin",
        "pending",
        "policy",
        "robots",
        "robots_loading",
        "timer",
        "waiting",
    )

    def __init__(self, origin: str, policy: HostPolicy) -> None:
        self.origin = origin
        self.policy = policy
        self.max_concurrency = max(1, policy.max_concurrency)
        self.min_delay = policy.min_delay_seconds
        self.active = 0
        self.next_start = 0.0
        self.pending: deque[_Job] = deque()
        self.robots: _Robots | None = None
        self.robots_loading = False
        self.timer: asyncio.TimerHandle | None = None
        self.waiting = False  # queued for a global slot


class _Job:
    __slots__ = (
        "depth",
        "failures",
        "hostname",
        "on_done",
        "origin",
        "redirects",
        "request",
        "requests",
        "spent",
        "url",
        "waited",
    )

    def __init__(self, request: FetchRequest, on_done: Callable[[FetchOutcome], None], depth: int) -> None:
        self.request = request
        self.url = ""  # the hop to fetch next, its host name and origin: see go_to
        self.hostname = ""
        self.origin = ""
        self.on_done = on_done
        self.depth = depth
        self.redirects: list[str] = []
        self.requests = 0
        self.failures = 0  # retryable failures of the current hop
        self.waited = 0.0
        self.spent = 0.0  # seconds of this attempt's hops so far

    def go_to(self, url: str) -> None:
        """Make `url` the next hop; refuses other schemes than http(s) and URLs without a host."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            check_url(url)  # raises the FetchError that explains it
        self.url = url
        self.hostname = (parts.hostname or "").lower()
        self.origin = f"{scheme}://{parts.netloc.lower()}"

    def finish(self, result: FetchResult | None = None, error: FetchError | None = None) -> None:
        self.on_done(FetchOutcome(self.request.url, result, error, self.requests, self.depth))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


class AsyncFetcher:
    """A pool of HTTP connections and the per-host rules; share one for everything you fetch."""

    def __init__(
        self,
        policy: CrawlPolicy | None = None,
        *,
        host_policies: Mapping[str, HostPolicy] | None = None,
        concurrency: int = 16,
        backend: str = "aiohttp",
        resolver: AnyResolver = system_resolver_async,
        transport: Transport | None = None,
    ) -> None:
        self.policy = policy or CrawlPolicy()
        self.concurrency = max(1, concurrency)
        # Keys: "host", "host:port" or an origin "https://host:port".
        self._host_policies = {key.lower(): value for key, value in (host_policies or {}).items()}
        self._guard = _Guard(self.policy.fetch, resolver, self.policy.dns_ttl_seconds)
        if transport is not None:
            self._transport: Transport = transport
        elif backend == "aiohttp":
            self._transport = AiohttpTransport(pool_size=self.concurrency, guard=self._guard)
        elif backend == "httpx":
            self._transport = HttpxTransport(pool_size=self.concurrency, guard=self._guard)
        else:
            raise ValueError(f"Unknown HTTP backend {backend!r} (aiohttp or httpx).")
        self._hosts: dict[str, _Host] = {}
        self._active = 0
        self._waiting: deque[_Host] = deque()
        self._tasks: set[asyncio.Task[None]] = set()
        self._timers: set[asyncio.TimerHandle] = set()
        self._headers = request_headers(self.policy.fetch)
        self._closed = False

    async def __aenter__(self) -> AsyncFetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        self._closed = True
        for timer in self._timers:
            timer.cancel()
        for host in self._hosts.values():
            if host.timer is not None:
                host.timer.cancel()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._transport.aclose()

    # -- public API

    def submit(
        self, request: FetchRequest | str, on_done: Callable[[FetchOutcome], None], *, depth: int = 0
    ) -> None:
        """Queue a fetch; `on_done` is called once with its outcome (from the event loop)."""
        if isinstance(request, str):
            request = FetchRequest(request)
        job = _Job(request, on_done, depth)
        try:
            job.go_to(request.url)
        except FetchError as exc:
            job.finish(error=exc)
            return
        self._enqueue(job)

    async def fetch(self, url: str, *, etag: str = "", last_modified: str = "") -> FetchResult:
        """One URL with every rule; raises FetchError."""
        done: asyncio.Future[FetchOutcome] = asyncio.get_running_loop().create_future()
        self.submit(FetchRequest(url, etag, last_modified), done.set_result)
        outcome = await done
        if outcome.error is not None:
            raise outcome.error
        assert outcome.result is not None
        return outcome.result

    async def fetch_many(self, requests: Iterable[FetchRequest | str]) -> AsyncIterator[FetchOutcome]:
        """Outcomes in the order they complete, one per request."""
        outcomes: asyncio.Queue[FetchOutcome] = asyncio.Queue()
        count = 0
        for request in requests:
            self.submit(request, outcomes.put_nowait)
            count += 1
        for _ in range(count):
            yield await outcomes.get()

    # -- scheduling

    def _host(self, origin: str) -> _Host:
        host = self._hosts.get(origin)
        if host is None:
            parts = urlsplit(origin)
            policies = self._host_policies
            policy = (
                policies.get(origin)
                or policies.get(parts.netloc)
                or policies.get(parts.hostname or "")
                or self.policy.host
            )
            host = self._hosts[origin] = _Host(origin, policy)
        return host

    def _enqueue(self, job: _Job, *, first: bool = False) -> None:
        host = self._host(job.origin)
        if first:
            host.pending.appendleft(job)
        else:
            host.pending.append(job)
        self._pump(host)

    def _pump(self, host: _Host) -> None:
        """Start as many of the host's jobs as its rules and the global limit allow, now."""
        if self._closed:
            return
        robots = host.robots
        while host.pending and host.active < host.max_concurrency:
            if self._active >= self.concurrency:
                if not host.waiting:
                    host.waiting = True
                    self._waiting.append(host)
                return
            now = time.monotonic()
            if robots is None or robots.expires <= now:
                if not host.robots_loading:
                    host.robots_loading = True
                    self._start(host, self._load_robots(host))
                return
            if host.next_start > now:
                if host.timer is None:
                    host.timer = asyncio.get_running_loop().call_at(host.next_start, self._wake, host)
                return
            job = host.pending.popleft()
            refusal = robots.refusal(job.url, self.policy.fetch.user_agent)
            if refusal is not None:
                job.finish(error=refusal)
                continue
            if host.min_delay > 0:
                host.next_start = now + host.min_delay
            self._start(host, self._run(host, job))

    def _wake(self, host: _Host) -> None:
        host.timer = None
        self._pump(host)

    def _start(self, host: _Host, work: Awaitable[None]) -> None:
        host.active += 1
        self._active += 1
        task = asyncio.ensure_future(self._slot(host, work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _slot(self, host: _Host, work: Awaitable[None]) -> None:
        try:
            await work
        finally:
            host.active -= 1
            self._active -= 1
            # Hosts that waited for a global slot go first, then this one (round robin): a busy
            # host must not keep every slot it frees.
            waiting = self._waiting
            while waiting and self._active < self.concurrency:
                other = waiting.popleft()
                other.waiting = False
                self._pump(other)
            self._pump(host)

    def _later(self, delay: float, job: _Job) -> None:
        def fire() -> None:
            self._timers.discard(timer)
            self._enqueue(job, first=True)

        timer = asyncio.get_running_loop().call_later(delay, fire)
        self._timers.add(timer)

    # -- one hop

    async def _run(self, host: _Host, job: _Job) -> None:
        fetch_policy = self.policy.fetch
        started = time.monotonic()
        job.requests += 1
        try:
            remaining = fetch_policy.timeout_seconds - job.spent
            if remaining <= 0:
                raise total_time_error(fetch_policy.timeout_seconds)
            try:
                async with asyncio.timeout(remaining):
                    await self._guard.addresses(job.hostname)
                    outcome = await self._request(job)
            except TimeoutError as exc:
                raise timeout_error(fetch_policy.timeout_seconds, "the site answered too slowly") from exc
        except FetchError as error:
            job.spent += time.monotonic() - started
            self._failed(host, job, error)
            return
        except Exception as exc:  # a bug must not leave the job unfinished (and a crawl waiting)
            logger.exception("Unexpected error fetching %s", job.url)
            job.finish(error=FetchError(f"Unexpected error: {type(exc).__name__}: {exc}", retryable=False))
            return
        job.spent += time.monotonic() - started
        if isinstance(outcome, str):  # a redirect: the next hop goes through its own host's queue
            try:
                job.go_to(outcome)
            except FetchError as error:
                job.finish(error=error)
                return
            self._enqueue(job, first=True)
            return
        outcome.elapsed_ms = int(job.spent * 1000)
        try:
            job.finish(result=check_status(outcome))
        except FetchError as error:
            self._failed(host, job, error)

    async def _request(self, job: _Job) -> FetchResult | str:
        """The hop's answer, or the URL it redirects to."""
        request = job.request
        headers = self._headers
        if request.etag or request.last_modified:
            headers = request_headers(self.policy.fetch, request.etag, request.last_modified)
        max_bytes = self.policy.fetch.max_bytes
        async with self._transport.stream(job.url, headers) as response:
            status = response.status_code
            if status in REDIRECT_CODES:
                return next_redirect(
                    job.url,
                    status,
                    response.headers.get("location", ""),
                    job.redirects,
                    self.policy.fetch.max_redirects,
                )
            check_declared_size(response.headers, max_bytes)
            limit = BodyLimit(max_bytes)
            async for chunk in response.chunks():
                limit.add(chunk)
            return FetchResult(
                url=request.url,
                final_url=job.url,
                status_code=status,
                headers=response.headers,
                body=limit.body(),
                elapsed_ms=0,
                not_modified=status == 304,
                redirects=job.redirects,
            )

    def _failed(self, host: _Host, job: _Job, error: FetchError) -> None:
        delay, error = self._retry_delay(job, error)
        if delay is None:
            job.finish(error=error)
            return
        job.failures += 1
        job.waited += delay
        job.spent = 0.0
        if error.status_code == 429 and error.retry_after is not None:
            # The site asked us to slow down: the whole host waits, not just this URL.
            host.next_start = max(host.next_start, time.monotonic() + delay)
            self._enqueue(job, first=True)
        else:
            self._later(delay, job)

    def _retry_delay(self, job: _Job, error: FetchError) -> tuple[float | None, FetchError]:
        """Seconds before the next attempt, or None to give up with an error that says why."""
        retry = self.policy.retry
        if not error.retryable:
            return None, error
        if job.failures + 1 >= retry.max_attempts:
            return None, _explained(error, f"Gave up after {job.failures + 1} attempts: ")
        delay = retry.backoff.delay(job.failures + 1, retry_after=error.retry_after)
        if job.waited + delay > retry.max_total_wait_seconds:
            return None, _explained(
                error,
                f"Gave up after {job.failures + 1} attempts, as waiting {delay:.1f} s more would exceed "
                f"the {retry.max_total_wait_seconds:g} s allowed between attempts: ",
            )
        return delay, error

    # -- robots.txt

    async def _load_robots(self, host: _Host) -> None:
        started = time.monotonic()
        policy = self.policy
        try:
            status, body = await self._fetch_robots(host.origin)
            rules = rules_for_response(
                status, decode_body(body)[0]
            )  # the one decoder, as the pipeline reads it
            robots = _Robots(rules, time.monotonic() + policy.robots_ttl_seconds)
            robots.crawl_delay = rules.crawl_delay(policy.fetch.user_agent) or 0.0
        except Exception as exc:  # FetchError, or a bug: either way the host's jobs must not wait forever
            if not isinstance(exc, FetchError):
                logger.exception("Unexpected error reading robots.txt of %s", host.origin)
                exc = FetchError(f"Unexpected error: {type(exc).__name__}: {exc}", retryable=True)
            if exc.retryable:
                exc = FetchError(
                    f"robots.txt of {host.origin} could not be read ({exc.reason}); nothing is fetched "
                    "from the host until it can be (RFC 9309).",
                    retryable=True,
                    status_code=exc.status_code,
                )
                ttl = policy.robots_error_ttl_seconds
            else:
                ttl = policy.robots_ttl_seconds
            robots = _Robots(None, time.monotonic() + ttl, error=exc)
        host.robots = robots
        host.robots_loading = False
        host.min_delay = max(host.policy.min_delay_seconds, robots.crawl_delay)
        if host.min_delay > 0:
            host.next_start = max(host.next_start, started + host.min_delay)

    async def _fetch_robots(self, origin: str) -> tuple[int, bytes]:
        """Status and body of the origin's robots.txt, retried like any fetch, redirects followed."""
        policy = self.policy
        retry = policy.retry
        url = origin + "/robots.txt"
        seen: list[str] = []

        async def fetch_once() -> tuple[int, bytes]:
            nonlocal url
            while True:  # one hop per turn, each with the whole timeout (a retry goes on from the last hop)
                try:
                    async with asyncio.timeout(policy.fetch.timeout_seconds):
                        await self._guard.check(url)
                        async with self._transport.stream(url, self._headers) as response:
                            status = response.status_code
                            if status in REDIRECT_CODES:
                                try:
                                    url = next_redirect(
                                        url, status, response.headers.get("location", ""), seen, 5
                                    )
                                except FetchError:
                                    return 404, b""  # RFC 9309: too many redirects means "unavailable"
                                continue
                            if status == 429 or status >= 500:
                                raise FetchError(
                                    f"HTTP {status}",
                                    retryable=True,
                                    status_code=status,
                                    retry_after=parse_retry_after(response.headers.get("retry-after")),
                                )
                            limit = BodyLimit(policy.robots_max_bytes, truncate=True)
                            async for chunk in response.chunks():
                                if not limit.add(chunk):
                                    break
                            return status, limit.body()
                except TimeoutError:
                    raise timeout_error(policy.fetch.timeout_seconds, "robots.txt") from None

        return await retry_call_async(
            fetch_once,
            # One robots.txt per host: no herd to spread, so the waits are the policy's without jitter.
            backoff=Backoff(retry.base_delay_seconds, retry.max_delay_seconds),
            attempts=retry.max_attempts,
            retry_on=lambda exc: isinstance(exc, FetchError) and exc.retryable,
            retry_after=lambda exc: getattr(exc, "retry_after", None),
            max_total_wait=retry.max_total_wait_seconds,
        )


def _explained(error: FetchError, prefix: str) -> FetchError:
    """A copy with a longer reason (the original may be shared, e.g. a cached DNS failure)."""
    return FetchError(
        prefix + error.reason,
        retryable=error.retryable,
        status_code=error.status_code,
        retry_after=error.retry_after,
    )


async def fetch_many(
    urls: Iterable[FetchRequest | str],
    *,
    policy: CrawlPolicy | None = None,
    host_policies: Mapping[str, HostPolicy] | None = None,
    concurrency: int = 16,
    backend: str = "aiohttp",
    resolver: AnyResolver = system_resolver_async,
) -> AsyncIterator[FetchOutcome]:
    """Fetch every URL with a fetcher of its own; outcomes in the order they complete."""
    async with AsyncFetcher(
        policy, host_policies=host_policies, concurrency=concurrency, backend=backend, resolver=resolver
    ) as fetcher:
        async for outcome in fetcher.fetch_many(urls):
            yield outcome


# --- link following ----------------------------------------------------------------------------


def extract_links(result: FetchResult) -> list[str]:
    """The href of every <a> and <area> of an HTML page, resolved against the page's URL or its
    <base href>."""
    content_type = result.content_type
    if content_type and "html" not in content_type:
        return []
    tree = LexborHTMLParser(result.body)
    base = result.final_url
    for node in tree.tags("base"):
        href = node.attributes.get("href")
        if href:
            base = urljoin(base, href.strip())
            break
    parts = urlsplit(base)
    origin = f"{parts.scheme}://{parts.netloc}"
    directory = origin + parts.path[: parts.path.rfind("/") + 1] if parts.path else origin + "/"
    links = []
    for tag in ("a", "area"):  # tags() is much cheaper than a CSS selector
        for node in tree.tags(tag):
            href = node.attributes.get("href")
            if href:
                links.append(_resolve(base, origin, directory, href.strip()))
    return links


def _resolve(base: str, origin: str, directory: str, href: str) -> str:
    """urljoin(base, href), without its cost for the three commonest forms of link."""
    if href.startswith(("http://", "https://")):
        return href
    if not href or "." in href[:2] or "\\" in href or "/." in href:
        return urljoin(base, href)  # dot segments and oddities: the real thing
    first = href[0]
    if first == "/":
        return urljoin(base, href) if href.startswith("//") else origin + href
    if first in "?#" or ":" in href.split("/", 1)[0]:
        return urljoin(base, href)  # a query or fragment of this page, or another scheme
    return directory + href


class Crawler:
    """Follows links from start URLs with an AsyncFetcher (and all of its rules)."""

    def __init__(
        self,
        fetcher: AsyncFetcher,
        *,
        link_extractor: LinkExtractor = extract_links,
        same_host: bool = True,
        max_depth: int | None = None,
        max_pages: int | None = None,
    ) -> None:
        self.fetcher = fetcher
        self.link_extractor = link_extractor
        self.same_host = same_host
        self.max_depth = max_depth
        self.max_pages = max_pages

    async def crawl(self, start_urls: Iterable[str]) -> AsyncIterator[FetchOutcome]:
        """One outcome per distinct URL reached (normalised), in the order they complete."""
        outcomes: asyncio.Queue[FetchOutcome] = asyncio.Queue()
        seen: set[str] = set()  # normalised URLs already queued
        looked_at: set[str] = set()  # absolute links as written, so each is normalised once
        pending = 0
        submitted = 0

        def add(url: str, depth: int) -> None:
            nonlocal pending, submitted
            if url in looked_at:
                return
            looked_at.add(url)
            normalized = normalize_url(url)
            if normalized in seen or not normalized.startswith(allowed):
                return
            if self.max_pages is not None and submitted >= self.max_pages:
                return
            seen.add(normalized)
            submitted += 1
            pending += 1
            self.fetcher.submit(FetchRequest(normalized), done, depth=depth)

        def done(outcome: FetchOutcome) -> None:
            nonlocal pending
            result = outcome.result
            try:
                if result is not None:
                    if result.final_url != outcome.url:
                        seen.add(normalize_url(result.final_url))
                    follow = self.max_depth is None or outcome.depth < self.max_depth
                    if follow and not result.not_modified:
                        for link in self.link_extractor(result):
                            add(link, outcome.depth + 1)
            except Exception:  # a broken extractor loses this page's links, not the crawl
                logger.exception("Link extraction failed on %s", outcome.url)
            finally:
                pending -= 1
                outcomes.put_nowait(outcome)

        starts = list(start_urls)
        allowed: tuple[str, ...] = ("http://", "https://")
        if self.same_host:  # normalised URLs start with scheme://host[:port]/
            allowed = tuple({_origin(normalize_url(url)) + "/" for url in starts})
        for url in starts:
            add(url, 0)
        while pending or not outcomes.empty():
            yield await outcomes.get()
