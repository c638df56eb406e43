"""URL rules (pure: no Django import): the canonical form that makes one page one `Url` row, the one
tracking policy, which the extraction adapters apply to the URLs they output too, and the strict form
every stored URL passes (`normalize_http_url`: http or https with a host, or an error saying why).

Which addresses may be fetched is the fetcher's question (`fetchrules.check_destination`, after
resolution, on every hop); this module looks at the text alone."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, quote, unquote, unquote_plus, urlencode, urlsplit, urlunsplit

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


class InvalidUrl(ValueError):
    """A URL that cannot be stored for fetching; the message says why."""


def normalize_http_url(url: str) -> str:
    """`normalize_url` of an http or https URL with a host (an IPv6 literal keeps its brackets); any
    other scheme (`file:`, `javascript:`, `data:`, `ftp:`), a missing host, a bad port or a space in the
    host raises InvalidUrl with the reason."""
    text = url.strip() if isinstance(url, str) else ""
    shown = repr(text[:200])
    try:
        parts = urlsplit(text)
        port = parts.port  # raises for "h:99999" or "h:abc"
        host = parts.hostname
    except ValueError as exc:
        raise InvalidUrl(f"{shown} is not a valid URL ({exc}).") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        what = f"{scheme}:" if scheme else "a URL without a scheme"
        raise InvalidUrl(f"Only http and https URLs can be fetched, not {what} ({shown}).")
    if not host:
        raise InvalidUrl(f"{shown} has no host.")
    if port == 0 or any(ch.isspace() or ord(ch) < 32 for ch in parts.netloc):
        raise InvalidUrl(f"{shown} has an invalid host or port.")
    return normalize_url(text)
