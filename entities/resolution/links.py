"""Artist and venue links as typed identifiers: a URL -> (scheme, id) classifier.

"https://open.spotify.com/intl-de/artist/Uys5…?si=…", "spotify.com/artist/Uys5…" -> ("spotify",
"Uys5…"); "https://thesolarlanterns.bandcamp.com/music" -> ("bandcamp", "thesolarlanterns");
"instagram.com/x/?hl=en" -> ("instagram", "x"); "https://musicbrainz.org/artist/<mbid>" ->
("musicbrainz", "<mbid>"); "m.soundcloud.com/x" -> ("soundcloud", "x"); any other web page ->
("website", host). The scheme names are those of ``ExternalId`` rows (the lead reconciles this
classifier with the enrichment branch's). Pure: no Django.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from entities.resolution.normalize import website_host

# Schemes where one act has one id: two different ids of one scheme are two acts.
EXCLUSIVE_SCHEMES: Final = frozenset(
    {
        "spotify",
        "musicbrainz",
        "bandcamp",
        "soundcloud",
        "instagram",
        "deezer",
        "discogs",
        "wikidata",
        "youtube",
        "facebook",
        "twitter",
        "tiktok",
        "apple_music",
    }
)

_PATTERNS: Final[tuple[tuple[str, re.Pattern[str]], ...]] = (
    (
        "spotify",
        re.compile(r"^(?:[\w-]+\.)?spotify\.com/(?:intl-[a-z-]+/)?artist/([A-Za-z0-9]{10,32})", re.I),
    ),
    ("musicbrainz", re.compile(r"^(?:[\w-]+\.)?musicbrainz\.org/artist/([0-9a-f-]{36})", re.I)),
    ("bandcamp", re.compile(r"^([a-z0-9-]+)\.bandcamp\.com(?:/|$)", re.I)),
    ("soundcloud", re.compile(r"^(?:m\.|www\.)?soundcloud\.com/([A-Za-z0-9_-]+)/?(?:[?#]|$)", re.I)),
    ("instagram", re.compile(r"^(?:www\.)?instagram\.com/([A-Za-z0-9_.]+)/?(?:[?#]|$)", re.I)),
    ("facebook", re.compile(r"^(?:www\.|m\.)?facebook\.com/([A-Za-z0-9.]+)/?(?:[?#]|$)", re.I)),
    ("twitter", re.compile(r"^(?:www\.)?(?:twitter|x)\.com/([A-Za-z0-9_]+)/?(?:[?#]|$)", re.I)),
    ("youtube", re.compile(r"^(?:www\.|m\.)?youtube\.com/(?:channel/|c/|@)([A-Za-z0-9_.-]+)", re.I)),
    ("deezer", re.compile(r"^(?:www\.)?deezer\.com/(?:[a-z]{2}/)?artist/(\d+)", re.I)),
    ("discogs", re.compile(r"^(?:www\.)?discogs\.com/artist/(\d+)", re.I)),
    ("wikidata", re.compile(r"^(?:www\.)?wikidata\.org/wiki/(Q\d+)", re.I)),
    ("apple_music", re.compile(r"^music\.apple\.com/(?:[a-z]{2}/)?artist/(?:[^/]+/)?(\d+)", re.I)),
    ("tiktok", re.compile(r"^(?:www\.)?tiktok\.com/@([A-Za-z0-9_.]+)", re.I)),
)
_SCHEME: Final = re.compile(r"^[a-z]+://", re.I)
# Case-insensitive handles are compared lower-cased; Spotify ids and the like are case-sensitive.
_CASE_INSENSITIVE: Final = frozenset(
    {"bandcamp", "soundcloud", "instagram", "facebook", "twitter", "youtube", "musicbrainz", "tiktok"}
)


@lru_cache(maxsize=65536)
def classify_url(url: str) -> tuple[str, str] | None:
    """(scheme, id) of a link, ("website", host) for other pages; None for what is not a link."""
    text = url.strip()
    if not text or " " in text:
        return None
    bare = _SCHEME.sub("", text)
    for scheme, pattern in _PATTERNS:
        found = pattern.match(bare)
        if found is not None:
            value = found.group(1)
            return scheme, value.lower() if scheme in _CASE_INSENSITIVE else value
    host = website_host(text)
    if host is None:
        return None
    return "website", host


def classify_urls(urls: list[str] | tuple[str, ...]) -> frozenset[tuple[str, str]]:
    return frozenset(found for url in urls if (found := classify_url(url)) is not None)
