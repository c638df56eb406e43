"""Fetching one URL politely and safely with httpx (pure: no Django import).

Safety rules, each with a reason a person understands when it trips (they live in
`sourcing.fetchrules`, shared with the async crawler in `sourcing.crawler`):
- only http and https;
- every hop (the first request and each redirect) is resolved and refused when it points at a
  private, loopback, link-local or reserved address, unless that host is explicitly allowed;
- with a `PinnedClient` (what the pipeline uses) the connection goes to exactly the addresses that
  were checked, through an httpcore network backend that never resolves a name itself: no second
  DNS lookup, so no rebinding window, and `SCRAPE_HOST_OVERRIDES` reach the socket (the request keeps
  the host name for its Host header and TLS SNI / certificate check). A plain `httpx.Client` still
  works, but httpx then resolves the name again by itself;
- redirects are followed by hand, at most `max_redirects`, and loops are caught;
- the body is streamed and counted *after* decompression, so a gzip bomb stops at `max_bytes`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from sourcing.fetchrules import (
    REDIRECT_CODES,
    BodyLimit,
    FetchError,
    FetchPolicy,
    FetchResult,
    Resolver,
    check_declared_size,
    check_destination,
    check_status,
    connection_error,
    decoding_error,
    next_redirect,
    request_headers,
    system_resolver,
    timeout_error,
    total_time_error,
)

__all__ = [
    "REDIRECT_CODES",
    "FetchError",
    "FetchPolicy",
    "FetchResult",
    "PinnedClient",
    "Resolver",
    "check_destination",
    "fetch",
    "system_resolver",
]


class PinnedBackend(httpcore.SyncBackend):
    """httpcore's network backend, connecting a host name only to the addresses pinned for it."""

    def __init__(self) -> None:
        self.pins: dict[str, list[str]] = {}  # host as httpcore sees it (lower case, IDNA) -> addresses

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self.pins.get(host.lower())
        if not addresses:  # never fall back to a lookup of our own: that is the rebinding window
            raise httpcore.ConnectError(f"no checked address for {host}")
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:  # in order, like socket.create_connection over getaddrinfo
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure


class PinnedClient(httpx.Client):
    """An httpx client whose connections go only to the addresses `fetch` checked for each host.

    The proxy settings of the environment are ignored (`trust_env=False`): through a proxy the proxy
    would resolve the name, and the guard's check would mean nothing."""

    def __init__(self, **kwargs: Any) -> None:
        self.backend = PinnedBackend()
        transport = httpx.HTTPTransport(http1=True, http2=bool(kwargs.pop("http2", False)))
        # httpx 0.28 takes no network backend: give its connection pool ours before any connection exists.
        pool = transport._pool
        assert isinstance(pool, httpcore.ConnectionPool)
        pool._network_backend = self.backend
        super().__init__(transport=transport, trust_env=False, **kwargs)

    def pin(self, url: str, addresses: list[str]) -> None:
        """Connections to the host of `url` go to `addresses` (already checked) from now on."""
        host = httpx.URL(url).raw_host.decode("ascii").lower()
        self.backend.pins[host] = addresses


def fetch(
    url: str,
    *,
    client: httpx.Client,
    policy: FetchPolicy,
    etag: str = "",
    last_modified: str = "",
    resolver: Resolver = system_resolver,
) -> FetchResult:
    """GET `url` following redirects by hand; raises FetchError with a readable reason on failure."""
    headers = request_headers(policy, etag, last_modified)
    started = time.monotonic()
    deadline = started + policy.timeout_seconds
    current = url
    seen: list[str] = []
    while True:
        addresses = check_destination(current, policy, resolver)
        if isinstance(client, PinnedClient):
            client.pin(current, addresses)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise total_time_error(policy.timeout_seconds)
        try:
            with client.stream(
                "GET", current, headers=headers, timeout=remaining, follow_redirects=False
            ) as response:
                if response.status_code in REDIRECT_CODES:
                    location = response.headers.get("location", "")
                    current = next_redirect(
                        current, response.status_code, location, seen, policy.max_redirects
                    )
                    continue
                body = _read_limited(response, policy.max_bytes, deadline)
                result = FetchResult(
                    url=url,
                    final_url=current,
                    status_code=response.status_code,
                    headers={k.lower(): v for k, v in response.headers.items()},
                    body=body,
                    elapsed_ms=int((time.monotonic() - started) * 1000),
                    not_modified=response.status_code == 304,
                    redirects=seen,
                )
        except httpx.TimeoutException as exc:
            raise timeout_error(policy.timeout_seconds, type(exc).__name__) from exc
        except httpx.TooManyRedirects as exc:  # pragma: no cover - we follow redirects ourselves
            raise FetchError("Too many redirects.", retryable=False) from exc
        except httpx.DecodingError as exc:
            raise decoding_error(exc) from exc
        except httpx.TransportError as exc:
            raise connection_error(exc) from exc
        return check_status(result)


def _read_limited(response: httpx.Response, max_bytes: int, deadline: float) -> bytes:
    check_declared_size(response.headers, max_bytes)
    limit = BodyLimit(max_bytes)
    for chunk in response.iter_bytes(chunk_size=65536):  # decoded bytes: a gzip bomb is counted inflated
        limit.add(chunk)
        if time.monotonic() > deadline:
            raise FetchError("Timed out while reading the body.", retryable=True)
    return limit.body()
