"""Links in structured data: http(s) URLs resolved against the page, and the registries and socials
they point to (external ids).

Pure Python (no Django). The lookups are cached: a listing repeats the same links for every event;
`SchemaOrgMapper` empties the caches for each document (`clear_caches`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from urllib.parse import urljoin, urlsplit

from sourcing.urlnorm import strip_tracking

# Host (suffix) -> external id scheme. Socials go to a venue's `socials`, the rest to `external_ids`.
_ID_HOSTS = {
    "musicbrainz.org": "musicbrainz",
    "wikidata.org": "wikidata",
    "songkick.com": "songkick",
    "bandsintown.com": "bandsintown",
    "spotify.com": "spotify",
    "discogs.com": "discogs",
    "last.fm": "lastfm",
    "setlist.fm": "setlistfm",
    "jambase.com": "jambase",
    "wikipedia.org": "wikipedia",
    "allmusic.com": "allmusic",
    "bandcamp.com": "bandcamp",
    "soundcloud.com": "soundcloud",
}
SOCIAL_HOSTS = {
    "facebook.com": "facebook",
    "instagram.com": "instagram",
    "twitter.com": "twitter",
    "x.com": "twitter",
    "tiktok.com": "tiktok",
    "youtube.com": "youtube",
    "threads.net": "threads",
    "bsky.app": "bluesky",
}
_ALL_HOSTS = {**_ID_HOSTS, **SOCIAL_HOSTS}
# Scheme -> pattern whose last group is the source's own id inside the URL.
_ID_PATTERNS = {
    "musicbrainz": re.compile(r"/(?:artist|place|event|area|label)/([0-9a-f-]{36})"),
    "wikidata": re.compile(r"/(Q\d+)"),
    "songkick": re.compile(r"/(?:artists|venues|concerts|festivals)/(\d+)"),
    "spotify": re.compile(r"/artist/([A-Za-z0-9]+)"),
    "bandsintown": re.compile(r"/[aveg]/(\d+)"),
}


def is_url(text: str) -> bool:
    """Whether a text is written as an absolute link (a URL where a name belongs is not a name)."""
    return text.startswith(("http://", "https://", "//"))


@functools.lru_cache(maxsize=8192)  # per document (see SchemaOrgMapper): listings repeat their links
def absolute_url(link: str, base: str | None) -> str | None:
    """An http(s) URL resolved against `base`, tracking parameters dropped (`sourcing.urlnorm`);
    None for other schemes."""
    if not link.startswith(("https://", "http://")):  # absolute is the common case: no join
        if link.startswith("//") and not base:
            link = "https:" + link
        try:
            link = urljoin(base, link) if base else link
            scheme = urlsplit(link).scheme
        except ValueError:  # e.g. an unbalanced "[" in the host
            return None
        if scheme not in ("http", "https") and (scheme or base):
            return None  # javascript:, mailto:, data:... (without a base, a relative URL is kept)
    return strip_tracking(link)


def clear_caches() -> None:
    """Empty the per-document caches of links (nothing carries over from one document to the next)."""
    for cache in (absolute_url, host_suffixes, url_path):
        cache.cache_clear()


def host_scheme(link: str | None, hosts: dict[str, str] = _ALL_HOSTS) -> str | None:
    """The scheme name for a URL's host ("https://musicbrainz.org/..." -> "musicbrainz")."""
    if not link:
        return None
    for suffix in host_suffixes(link):  # "www.last.fm" -> "www.last.fm", "last.fm", "fm"
        scheme = hosts.get(suffix)
        if scheme is not None:
            return scheme
    return None


@functools.lru_cache(maxsize=4096)
def host_suffixes(link: str) -> tuple[str, ...]:
    """An absolute URL's host, lower-cased, and each of its parent domains; () for anything else.

    A regular expression rather than urlsplit(): five times faster, and the hosts it is compared
    with are plain domain names (an IPv6 literal or a malformed authority matches none of them).
    """
    match = _HOST_RE.match(link)
    host = match.group(1).lower() if match else ""
    if not host or "[" in host:
        return ()
    suffixes = [host]  # the text after each dot: ".".join(labels[i:]) for each i, without the joins
    dot = host.find(".")
    while dot >= 0:
        suffixes.append(host[dot + 1 :])
        dot = host.find(".", dot + 1)
    return tuple(suffixes)


_HOST_RE = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:)?//(?:[^/?#@]*@)?([^/?#:]*)")


def external_ids(links: Sequence[str | None]) -> dict[str, str]:
    """Known registries' ids from absolute URLs: the id itself when it is in the path, else the URL."""
    ids: dict[str, str] = {}
    for link in links:
        scheme = host_scheme(link, _ID_HOSTS)
        if link is None or scheme is None or scheme in ids:
            continue
        pattern = _ID_PATTERNS.get(scheme)
        match = pattern.search(url_path(link)) if pattern else None
        ids[scheme] = match.group(1) if match else link
    return ids


@functools.lru_cache(maxsize=4096)
def url_path(link: str) -> str:
    """An absolute URL's path, as urlsplit() says it ("" for a URL it refuses)."""
    match = _URL_PATH_RE.match(link)
    if match is not None and printable_ascii(link):  # what urlsplit() would say
        return match.group(1) or ""
    try:
        return urlsplit(link).path
    except ValueError:
        return ""


# A plain http(s) URL's path, where urlsplit() would find it (test_url_path_matches_urlsplit).
_URL_PATH_RE = re.compile(r"https?://[^/?#\[\]]+(/[^?#]*)?(?![^?#])")


def printable_ascii(text: str) -> bool:
    """Whether every character is in "!" to "~" (no blank, no control character, nothing beyond ASCII)."""
    return text.isascii() and text.isprintable() and " " not in text
