"""The rules every fetcher applies, sync (`sourcing.fetching`) or async (`sourcing.crawler`).

Pure: no Django import and no I/O except `system_resolver`. Each rule raises `FetchError` with a
reason a person understands and says whether trying later may help (`retryable`).

Where a host is: `resolve_host` is the one place a fetcher asks. A literal address is itself; a host
matching one of the policy's `host_overrides` (`SCRAPE_HOST_OVERRIDES`: "name=address" or
"*.suffix=address") gets the override's addresses without any DNS lookup; any other host goes to
the resolver (getaddrinfo). Both fetchers then connect to exactly the addresses the guard checked,
never to a second lookup's answer, so DNS rebinding cannot slip between check and connect.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import hashlib
import ipaddress
import re
import socket
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from core.retry import clamp_wait

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
    # "host=address" or "*.suffix=address": where these hosts are, instead of asking DNS. The guard
    # still checks the address (a private one must also be in `allowed_private`).
    host_overrides: tuple[str, ...] = ()


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


# --- where we may go ---------------------------------------------------------------------------


def system_resolver(host: str) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise resolution_error(host, exc) from exc
    return sorted({str(info[4][0]) for info in infos})


def resolution_error(host: str, exc: socket.gaierror) -> FetchError:
    return FetchError(f"The host {host} could not be resolved ({exc.strerror}).", retryable=True)


@functools.lru_cache(maxsize=64)
def parse_host_overrides(entries: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(pattern, address) pairs from "host=address" / "*.suffix=address" entries; ValueError says
    which entry is wrong."""
    pairs = []
    for entry in entries:
        pattern, sep, address = (part.strip() for part in entry.partition("="))
        pattern = pattern.lower().rstrip(".")
        try:
            address = str(ipaddress.ip_address(address.strip("[]")))
        except ValueError:
            address = ""
        if not sep or not address or not pattern or "*" in pattern.removeprefix("*."):
            raise ValueError(
                f"Host override {entry!r} is not 'host=address' or '*.suffix=address' (an IP address)."
            )
        pairs.append((pattern, address))
    return tuple(pairs)


def host_override(host: str, overrides: tuple[str, ...]) -> list[str] | None:
    """The addresses the overrides give `host` (in the order written), or None when none applies.
    "*.venues.test" matches "a.venues.test" and "a.b.venues.test", not "venues.test" itself."""
    if not overrides:
        return None
    host = host.lower().rstrip(".")
    found = [
        address
        for pattern, address in parse_host_overrides(overrides)
        if host == pattern or (pattern.startswith("*.") and host.endswith(pattern[1:]))
    ]
    return list(dict.fromkeys(found)) or None


def resolve_host(host: str, policy: FetchPolicy, resolver: Resolver = system_resolver) -> list[str]:
    """Where `host` is: itself when it is an address, the policy's override when one matches, else
    the resolver's answer. Fetchers connect to what this returned (after `check_addresses`)."""
    with contextlib.suppress(ValueError):
        return [str(ipaddress.ip_address(host.strip("[]")))]
    override = host_override(host, policy.host_overrides)
    return override if override is not None else resolver(host)


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    # is_global excludes private, loopback, link-local, reserved and shared (100.64/10) ranges.
    return ip.is_global and not ip.is_multicast


def is_allowed_private(host: str, address: str, allowed: Iterable[str]) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    for entry in allowed:
        if entry == host or entry == address:
            return True
        if "/" in entry and ip in ipaddress.ip_network(entry, strict=False):
            return True
    return False


def check_url(url: str) -> str:
    """The URL's lower-case host; refuses other schemes than http and https, and URLs without a host."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise FetchError(
            f"Only http and https URLs can be fetched, not {parts.scheme or 'a relative URL'}.",
            retryable=False,
        )
    host = (parts.hostname or "").lower()
    if not host:
        raise FetchError(f"The URL {url!r} has no host.", retryable=False)
    return host


def check_addresses(host: str, addresses: Iterable[str], policy: FetchPolicy) -> None:
    """Refuse a host any of whose addresses is not public, unless the policy allows it."""
    for address in addresses:
        if not is_public_address(address) and not is_allowed_private(host, address, policy.allowed_private):
            raise FetchError(
                f"Refused to fetch {host}: it resolves to the non-public address {address} "
                "(private, loopback or link-local addresses are blocked; see SCRAPE_ALLOWED_PRIVATE_HOSTS).",
                retryable=False,
            )


def check_destination(url: str, policy: FetchPolicy, resolver: Resolver = system_resolver) -> list[str]:
    """Refuse URLs we must not fetch: other schemes, and hosts resolving to non-public addresses.
    Returns the checked addresses: the only ones a fetcher may connect to for this hop."""
    host = check_url(url)
    addresses = resolve_host(host, policy, resolver)
    check_addresses(host, addresses, policy)
    return addresses


# --- the request and its redirects -------------------------------------------------------------


def request_headers(policy: FetchPolicy, etag: str = "", last_modified: str = "") -> dict[str, str]:
    headers = {"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def next_redirect(current: str, status_code: int, location: str, seen: list[str], max_redirects: int) -> str:
    """The URL a redirect sends us to; `seen` (the URLs already requested) gets `current` appended."""
    if not location:
        raise FetchError(f"HTTP {status_code} redirect without a Location header.", retryable=False)
    seen.append(current)
    target = urljoin(current, location)
    if target in seen:
        raise FetchError(f"Redirect loop: {target} was already visited.", retryable=False)
    if len(seen) > max_redirects:
        raise FetchError(f"More than {max_redirects} redirects.", retryable=False)
    return target


def timeout_error(timeout_seconds: float, what: str) -> FetchError:
    return FetchError(f"Timed out after {timeout_seconds:g} s ({what}).", retryable=True)


def total_time_error(timeout_seconds: float) -> FetchError:
    return FetchError(f"Gave up after {timeout_seconds:g} s in total.", retryable=True)


def decoding_error(exc: BaseException) -> FetchError:
    return FetchError(f"The response body could not be decompressed: {exc}.", retryable=False)


def connection_error(exc: BaseException) -> FetchError:
    return FetchError(f"Connection failed: {exc or type(exc).__name__}.", retryable=True)


# --- the body ----------------------------------------------------------------------------------


def check_declared_size(headers: Mapping[str, str], max_bytes: int) -> None:
    """Refuse early a body whose (uncompressed) Content-Length is over the limit."""
    declared = headers.get("content-length")
    encoded = headers.get("content-encoding", "identity") not in {"", "identity"}
    if declared and declared.isdigit() and int(declared) > max_bytes and not encoded:
        raise FetchError(
            f"The body is {int(declared):,} bytes, over the limit of {max_bytes:,}.", retryable=False
        )


class BodyLimit:
    """Collects decoded chunks, so a gzip bomb is counted inflated; over `max_bytes` it raises, or
    with `truncate` it keeps the first `max_bytes` and ignores the rest."""

    __slots__ = ("chunks", "max_bytes", "size", "truncate")

    def __init__(self, max_bytes: int, *, truncate: bool = False) -> None:
        self.max_bytes = max_bytes
        self.truncate = truncate
        self.size = 0
        self.chunks: list[bytes] = []

    def add(self, chunk: bytes) -> bool:
        """Keep `chunk`; False once a truncating limit is full (stop reading)."""
        self.size += len(chunk)
        if self.size > self.max_bytes:
            if not self.truncate:
                raise FetchError(
                    f"The body exceeded the limit of {self.max_bytes:,} bytes (after decompression).",
                    retryable=False,
                )
            self.chunks.append(chunk[: len(chunk) - (self.size - self.max_bytes)])
            return False
        self.chunks.append(chunk)
        return True

    def body(self) -> bytes:
        return self.chunks[0] if len(self.chunks) == 1 else b"".join(self.chunks)


# --- the answer --------------------------------------------------------------------------------


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delay-seconds or an HTTP date (RFC 9110), within
    [0, MAX_WAIT_SECONDS]: `inf`, 5000 digits or the year 9999 wait a day, never overflow or park work
    for years."""
    if not value:
        return None
    value = value.strip()
    try:
        return clamp_wait(float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return clamp_wait((when - (now or datetime.now(UTC))).total_seconds())


def check_status(result: FetchResult) -> FetchResult:
    code = result.status_code
    if code < 400 or code == 304:
        return result
    retry_after = parse_retry_after(result.headers.get("retry-after"))
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


# --- the text of a body ------------------------------------------------------------------------

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Bounded, so that a head full of "<meta" without "charset" stays linear.
_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_JSON_START_RE = re.compile(rb"\s*[\[{]")
# Labels that browsers read as a superset (WHATWG Encoding), by Python's codec name.
_BROWSER_ENCODINGS = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gbk",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "big5": "big5hkscs",
}
_WINDOWS_1252_ERRORS = "mystage-windows-1252"
# windows-1252 as browsers decode it: every byte is a character (the five undefined ones are C1 controls).
_WINDOWS_1252 = "".join(bytes([byte]).decode("cp1252", errors="ignore") or chr(byte) for byte in range(256))


def decode_body(body: bytes, content_type: str = "") -> tuple[str, str]:
    """A response body as text, and the encoding it was read in (a Python codec name).

    Browsers' order (WHATWG): a byte-order mark wins; else the Content-Type header's charset, then a
    <meta> charset in the first 4 KB (HTML only: not in JSON, which is UTF-8); else UTF-8. Labels are
    read as browsers read them (latin-1 and ascii are windows-1252; a <meta> saying UTF-16 means UTF-8;
    unknown ones are ignored). Declarations are checked, not trusted: the first one the bytes bear out
    wins. UTF-8 is the common lie: where a page said to be (or taken for) UTF-8 is not, its bytes are
    windows-1252, one by one, so a windows-1252 page, windows-1252 text in a UTF-8 template and a UTF-8
    page cut mid-character all read as they should. A declared single- or multi-byte encoding that the
    bytes do not bear out, with nothing better declared, is kept, with replacement characters.
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace"), encoding
    declared = _declared_encodings(body, content_type)
    for encoding in dict.fromkeys([*declared, "utf-8"]):
        try:
            return body.decode(encoding, errors=_errors(encoding)), encoding
        except UnicodeDecodeError:
            continue
    if declared and not declared[0].startswith("utf-"):
        # A single- or multi-byte legacy encoding that does not fit: keep it, with replacements. A UTF-16
        # or UTF-32 claim the bytes do not bear out is no claim at all (ASCII read as UTF-16 is noise).
        return body.decode(declared[0], errors="replace"), declared[0]
    text = body.decode("utf-8", errors=_WINDOWS_1252_ERRORS)
    return text, ("cp1252" if text == body.decode("cp1252", errors=_WINDOWS_1252_ERRORS) else "utf-8")


def body_text(body: bytes | str, content_type: str = "") -> str:
    """The text of a body (`decode_body`); a str is text already, without its byte-order mark."""
    if isinstance(body, str):
        return body.removeprefix("\ufeff")
    return decode_body(body, content_type)[0]


def _declared_encodings(body: bytes, content_type: str) -> list[str]:
    encodings = []
    header = _CHARSET_RE.search(content_type)
    if header is not None and (encoding := _encoding(header.group(1))):
        encodings.append(encoding)
    if "json" in content_type.lower() or _JSON_START_RE.match(body):
        return encodings
    meta = _META_CHARSET_RE.search(body, 0, 4096)
    if meta is not None and (encoding := _encoding(meta.group(1).decode("ascii"))):
        # A page that can declare itself in ASCII is not UTF-16 (WHATWG).
        encodings.append("utf-8" if encoding.startswith("utf-16") else encoding)
    return encodings


@functools.lru_cache(maxsize=64)
def _encoding(label: str) -> str | None:
    """Python's codec for a charset label as browsers read it; None for unknown labels and non-text codecs."""
    try:
        name = codecs.lookup(label).name
        b"a".decode(name, errors="ignore")  # base64, rot13...: known to Python, not text encodings
    except (LookupError, ValueError):
        return None
    return _BROWSER_ENCODINGS.get(name, name)


def _errors(encoding: str) -> str:
    return _WINDOWS_1252_ERRORS if encoding == "cp1252" else "strict"


def _windows_1252_bytes(error: UnicodeError) -> tuple[str, int]:
    """Decoding error handler: the bytes that do not decode are read as windows-1252."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return "".join(_WINDOWS_1252[byte] for byte in error.object[error.start : error.end]), error.end


codecs.register_error(_WINDOWS_1252_ERRORS, _windows_1252_bytes)
