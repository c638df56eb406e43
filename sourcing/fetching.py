"""Fetching one URL politely and safely with httpx (pure: no Django import).

Safety rules, each with a reason a person understands when it trips (they live in
`sourcing.fetchrules`, shared with the async crawler in `sourcing.crawler`):
- only http and https;
- every hop (the first request and each redirect) is resolved and refused when it points at a
  private, loopback, link-local or reserved address, unless that host is explicitly allowed;
- redirects are followed by hand, at most `max_redirects`, and loops are caught;
- the body is streamed and counted *after* decompression, so a gzip bomb stops at `max_bytes`.
"""

from __future__ import annotations

import time

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
    "Resolver",
    "check_destination",
    "fetch",
    "system_resolver",
]


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
        check_destination(current, policy, resolver)
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
