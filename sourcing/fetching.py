"""Fetching one URL politely and safely with httpx (pure: no Django import).

Safety rules, each with a reason a person understands when it trips:
- only http and https;
- every hop (the first request and each redirect) is resolved and refused when it points at a
  private, loopback, link-local or reserved address, unless that host is explicitly allowed;
- redirects are followed by hand, at most `max_redirects`, and loops are caught;
- the body is streamed and counted *after* decompression, so a gzip bomb stops at `max_bytes`.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

Resolver = Callable[[str], list[str]]
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})


class FetchError(Exception):
    """A fetch that failed; `reason` is for people, `retryable` says whether trying later may help."""

    def __init__(
        self,
        reason: str,
        *,
        retryable: bool,
        status_code: int | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.status_code = status_code
        self.retry_after = retry_after


@dataclass(frozen=True)
class FetchPolicy:
    user_agent: str = "MyStageBot/0.1"
    timeout_seconds: float = 20.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    # Hosts (names or IPs) and networks ("10.0.0.0/8") that may resolve to private addresses.
    allowed_private: tuple[str, ...] = ()


@dataclass
class FetchResult:
    url: str
    final_url: str
    status_code: int
    headers: dict[str, str]
    body: bytes
    elapsed_ms: int
    not_modified: bool = False
    redirects: list[str] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


def system_resolver(host: str) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise FetchError(f"The host {host} could not be resolved ({exc.strerror}).", retryable=True) from exc
    return sorted({str(info[4][0]) for info in infos})


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    # is_global excludes private, loopback, link-local, reserved and shared (100.64/10) ranges.
    return ip.is_global and not ip.is_multicast


def _allowed(host: str, address: str, allowed: Iterable[str]) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    for entry in allowed:
        if entry == host or entry == address:
            return True
        if "/" in entry and ip in ipaddress.ip_network(entry, strict=False):
            return True
    return False


def check_destination(url: str, policy: FetchPolicy, resolver: Resolver = system_resolver) -> None:
    """Refuse URLs we must not fetch: other schemes, and hosts resolving to non-public addresses."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise FetchError(
            f"Only http and https URLs can be fetched, not {parts.scheme or 'a relative URL'}.",
            retryable=False,
        )
    host = (parts.hostname or "").lower()
    if not host:
        raise FetchError(f"The URL {url!r} has no host.", retryable=False)
    for address in resolver(host):
        if not _is_public(address) and not _allowed(host, address, policy.allowed_private):
            raise FetchError(
                f"Refused to fetch {host}: it resolves to the non-public address {address} "
                "(private, loopback or link-local addresses are blocked; see SCRAPE_ALLOWED_PRIVATE_HOSTS).",
                retryable=False,
            )


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


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
    headers = {"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    started = time.monotonic()
    deadline = started + policy.timeout_seconds
    current = url
    seen: list[str] = []
    while True:
        check_destination(current, policy, resolver)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"Gave up after {policy.timeout_seconds:g} s in total.", retryable=True)
        try:
            with client.stream(
                "GET", current, headers=headers, timeout=remaining, follow_redirects=False
            ) as response:
                if response.status_code in REDIRECT_CODES:
                    location = response.headers.get("location", "")
                    if not location:
                        raise FetchError(
                            f"HTTP {response.status_code} redirect without a Location header.",
                            retryable=False,
                        )
                    seen.append(current)
                    current = urljoin(current, location)
                    if current in seen:
                        raise FetchError(f"Redirect loop: {current} was already visited.", retryable=False)
                    if len(seen) > policy.max_redirects:
                        raise FetchError(f"More than {policy.max_redirects} redirects.", retryable=False)
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
            raise FetchError(
                f"Timed out after {policy.timeout_seconds:g} s ({type(exc).__name__}).", retryable=True
            ) from exc
        except httpx.TooManyRedirects as exc:  # pragma: no cover - we follow redirects ourselves
            raise FetchError("Too many redirects.", retryable=False) from exc
        except httpx.DecodingError as exc:
            raise FetchError(f"The response body could not be decompressed: {exc}.", retryable=False) from exc
        except httpx.TransportError as exc:
            raise FetchError(f"Connection failed: {exc or type(exc).__name__}.", retryable=True) from exc
        return _check_status(result)


def _read_limited(response: httpx.Response, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("content-length")
    encoded = response.headers.get("content-encoding", "identity") not in {"", "identity"}
    if declared and declared.isdigit() and int(declared) > max_bytes and not encoded:
        raise FetchError(
            f"The body is {int(declared):,} bytes, over the limit of {max_bytes:,}.", retryable=False
        )
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes(chunk_size=65536):  # decoded bytes: a gzip bomb is counted inflated
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(
                f"The body exceeded the limit of {max_bytes:,} bytes (after decompression).", retryable=False
            )
        if time.monotonic() > deadline:
            raise FetchError("Timed out while reading the body.", retryable=True)
        chunks.append(chunk)
    return b"".join(chunks)


def _check_status(result: FetchResult) -> FetchResult:
    code = result.status_code
    if code < 400 or code == 304:
        return result
    retry_after = _retry_after_seconds(result.headers.get("retry-after"))
    if code == 429:
        raise FetchError(
            "HTTP 429: the site asks us to slow down.",
            retryable=True,
            status_code=code,
            retry_after=retry_after,
        )
    if code >= 500:
        raise FetchError(
            f"HTTP {code}: the server failed.", retryable=True, status_code=code, retry_after=retry_after
        )
    if code == 404 or code == 410:
        raise FetchError(
            f"HTTP {code}: the page does not exist (any more).", retryable=False, status_code=code
        )
    raise FetchError(f"HTTP {code}: the server refused the request.", retryable=False, status_code=code)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)""", re.IGNORECASE)


def decode_body(body: bytes, content_type: str = "") -> tuple[str, str]:
    """Text and the encoding used. Declared charsets are tried first but not trusted: a page that
    says UTF-8 and is not (a common lie) falls back to windows-1252, which decodes any byte."""
    candidates: list[str] = []
    match = re.search(r"charset=([\w\-]+)", content_type, re.IGNORECASE)
    if match:
        candidates.append(match.group(1).lower())
    meta = _META_CHARSET.search(body[:4096])
    if meta:
        candidates.append(meta.group(1).decode("ascii").lower())
    candidates += ["utf-8", "cp1252"]
    for encoding in candidates:
        try:
            return body.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode("utf-8", errors="replace"), "utf-8"
