"""URL rules (pure: no Django import): the canonical form that makes one page one `Url` row, the
one tracking policy, which the extraction adapters apply to the URLs they output too, and the one
check of whether a URL given to us may be scraped at all (`check_scrapable_url`)."""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, unquote, unquote_plus, urlencode, urlsplit, urlunsplit

from sourcing.fetchrules import is_allowed_private, is_public_address

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "yclid",
        "_ga",
        "_gl",
        "ref_src",
        "si",
    }
)
DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking_param(name: str) -> bool:
    """Whether a query parameter (its decoded name) only tracks the visit: utm_* and click ids."""
    name = name.lower()
    return name.startswith("utm_") or name in TRACKING_PARAMS


def strip_tracking(url: str) -> str:
    """`url` without its tracking parameters; everything else, the fragment too, stays as written.

    The pairs are told apart as `parse_qsl` tells them (split at "&", the name before the first "=",
    decoded), so `normalize_url` of the result is `normalize_url` of `url` (test_urlnorm checks it).
    """
    head, hash_mark, fragment = url.partition("#")
    before, _, query = head.partition("?")
    if not query:
        return url
    pairs = query.split("&")
    kept = [pair for pair in pairs if not is_tracking_param(_param_name(pair))]
    if len(kept) == len(pairs):
        return url
    query = "&".join(pair for pair in kept if pair)  # no "&&" where a pair went
    return before + ("?" + query if query else "") + hash_mark + fragment


def _param_name(pair: str) -> str:
    name = pair.partition("=")[0]
    return unquote_plus(name) if "%" in name or "+" in name else name


def normalize_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters,
    an explicit "/" path, and percent-encoding made consistent. An IPv6 host keeps its brackets."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if ":" in host:  # an IPv6 literal ("[::1]"): urlsplit's hostname has lost the brackets
        host = f"[{host}]"
    netloc = host
    if parts.port and parts.port != DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{parts.port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=-._~") or "/"
    query_pairs = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(key)
    ]
    query = urlencode(query_pairs, doseq=True)
    return urlunsplit((scheme, netloc, path, query, ""))


def url_hash(url: str) -> str:
    return hashlib.sha256(normalize_url(url).encode()).hexdigest()


SECRET_PARAMS = frozenset({"key", "apikey", "api_key", "app_id", "client_secret", "access_token", "token"})


def redact_url(url: str) -> str:
    """The URL with secret query parameters (API keys) replaced, for logs and error messages."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = [
        (key, "REDACTED" if key.lower() in SECRET_PARAMS else value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(pairs), parts.fragment))


# --- may this URL be scraped? -------------------------------------------------------------------
# The one check for a URL a person or a file gives us (the API, import_sources, import_sources_csv,
# scrape_now). It looks at the URL alone, so no DNS: a host *name* that resolves to a private address
# is refused at fetch time by the fetcher's address guard (sourcing.fetchrules.check_addresses).

MAX_URL_LENGTH = 2000
# Ports browsers refuse to fetch from (the WHATWG Fetch standard's "bad port" list): mail, shell,
# printing and other services that a crafted HTTP request could talk to.
BAD_PORTS = frozenset(
    {1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103}
    | {104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512}
    | {513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995}
    | {1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669}
    | {6679, 6697, 10080}
)
# Names that never lead to a public site (RFC 6761, RFC 6762, RFC 8375 and the common private zones).
PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".intranet", ".lan", ".home.arpa", ".corp")
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_LOOSE_IPV4 = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}\.?$")


class UnacceptableUrl(ValueError):
    """A URL we will not scrape; the message says why, in words a person acts on."""


def check_scrapable_url(url: str, *, allowed_private: Iterable[str] = ()) -> str:
    """`url` normalised (`normalize_url`) if it may be scraped; else `UnacceptableUrl` saying why.

    Refused: other schemes than http(s), user names or passwords in the URL, ports out of range or on
    the Fetch standard's bad-port list, IPv6 literals, IPv4 addresses in any notation but the dotted
    quad, private, loopback, link-local and reserved addresses, and names that cannot be public
    (`localhost`, `*.local`, a single label). `allowed_private` (SCRAPE_ALLOWED_PRIVATE_HOSTS: host
    names, addresses or networks) lets chosen private hosts through, as the fetcher does.
    """
    if not isinstance(url, str) or not url.strip():
        raise UnacceptableUrl("The URL is empty.")
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise UnacceptableUrl(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise UnacceptableUrl("A URL may not contain spaces or control characters (percent-encode them).")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:  # "http://[::1", "http://h:99999/", "http://h:abc/"
        raise UnacceptableUrl(f"Not a valid URL ({exc}).") from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise UnacceptableUrl(
            f"Only http and https URLs can be scraped, not {scheme + ':' if scheme else 'a URL without a scheme'}."
        )
    if "@" in parts.netloc:
        raise UnacceptableUrl("A URL with a user name or password (user@host) cannot be scraped.")
    if parts.netloc.startswith("[") or ":" in (parts.hostname or ""):
        raise UnacceptableUrl("IPv6 address literals cannot be scraped; give the site's host name.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnacceptableUrl("The URL has no host.")
    if port is not None and (port == 0 or port in BAD_PORTS):
        raise UnacceptableUrl(f"Port {port} is not a web port; it cannot be scraped.")
    allowed = tuple(allowed_private)
    if _LOOSE_IPV4.match(host):
        _check_ipv4(host, allowed)
    else:
        _check_host_name(host, allowed)
    return normalize_url(url)


def _check_ipv4(host: str, allowed: tuple[str, ...]) -> None:
    try:
        address = ipaddress.IPv4Address(host)
    except ValueError:
        # "2130706433", "0x7f.1", "127.1": resolvers read these as addresses (inet_aton); people do not.
        raise UnacceptableUrl(
            f"The host {host!r} is an IP address in an unusual notation; write it as a.b.c.d or use the host name."
        ) from None
    if not is_public_address(str(address)) and not is_allowed_private(host, str(address), allowed):
        raise UnacceptableUrl(
            f"The address {address} is private, loopback, link-local or reserved: it cannot be scraped "
            "(SCRAPE_ALLOWED_PRIVATE_HOSTS lists the private hosts that may be)."
        )


def _check_host_name(host: str, allowed: tuple[str, ...]) -> None:
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise UnacceptableUrl(f"The host {host!r} is not a valid host name.") from None
    if ascii_host in allowed or host in allowed:
        return
    labels = ascii_host.split(".")
    if len(ascii_host) > 253 or not all(_HOST_LABEL.match(label) for label in labels):
        raise UnacceptableUrl(f"The host {host!r} is not a valid host name.")
    if ascii_host == "localhost" or ascii_host.endswith(PRIVATE_SUFFIXES) or len(labels) < 2:
        raise UnacceptableUrl(
            f"The host {host!r} is not a public host name: it cannot be scraped "
            "(SCRAPE_ALLOWED_PRIVATE_HOSTS lists the private hosts that may be)."
        )
