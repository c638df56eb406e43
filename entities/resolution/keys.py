"""Fingerprints for source records that carry no ID of their own (e.g. Bandsintown venues).

A fingerprint is the first 16 hex digits (64 bits) of sha1 over a version tag, a kind tag and the
normalised inputs joined by U+001F, so the same real-world input always gives the same key across
runs and machines, and a venue and an artist with the same text never share one. If a normaliser
used here changes its output, bump FINGERPRINT_VERSION (every fingerprint changes with it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Final

from entities.resolution.normalize import (
    normalize_artist_name,
    normalize_city,
    normalize_postcode,
    venue_name_key,
)

FINGERPRINT_VERSION: Final = "1"
_SEP: Final = "\x1f"


def _fingerprint(kind: str, *parts: str) -> str:
    payload = _SEP.join((FINGERPRINT_VERSION, kind, *parts)).encode("utf-8")
    return hashlib.sha1(payload, usedforsecurity=False).hexdigest()[:16]


def venue_fingerprint(name: str, city: str | None, postal_code: str | None = None) -> str:
    """sha1 of venue_name_key(name), normalize_city(city), normalize_postcode(postal_code).

    The postcode is part of the key when given (empty otherwise), so a source must pass it
    consistently for its fingerprints to stay stable. Country is not used: sources rarely give it
    and postcode/city already separate venues.
    """
    if not venue_name_key(name):
        raise ValueError("venue_fingerprint needs a name")
    return _fingerprint(
        "venue", venue_name_key(name), normalize_city(city), normalize_postcode(postal_code) or ""
    )


def venue_block_key(name_key: str, city_key: str) -> str:
    """City and first word of the normalised name ("seattle|neumos"), empty without both: the
    database's blocking key for online matching, so that a venue written another way in the same
    city is found by an index lookup (see entities.services.duplicates)."""
    words = name_key.split()
    if not words or not city_key:
        return ""
    return f"{city_key}|{words[0]}"[:160]


def artist_fingerprint(name: str) -> str:
    """sha1 of normalize_artist_name(name) ("feat." tails and "(Live)" notes do not change it)."""
    key = normalize_artist_name(name)
    if not key:
        raise ValueError("artist_fingerprint needs a name")
    return _fingerprint("artist", key)


def performance_fingerprint(venue_key: str, local_date: dt.date | str, name_or_headliner: str) -> str:
    """sha1 of the venue key (canonical venue ID or venue fingerprint, used verbatim), the local date
    (ISO, date only) and normalize_artist_name(name_or_headliner).

    Pass the headliner's name rather than a tour/event title when there is one: titles vary between
    sources far more than headliners do. A datetime is rejected: the local date is the identity,
    the time is not (it is often unknown or a placeholder).
    """
    if isinstance(local_date, dt.datetime):
        raise TypeError("local_date must be a date, not a datetime")
    day = local_date if isinstance(local_date, dt.date) else dt.date.fromisoformat(local_date.strip())
    if not venue_key.strip():
        raise ValueError("performance_fingerprint needs a venue key")
    name = normalize_artist_name(name_or_headliner)
    if not name:
        raise ValueError("performance_fingerprint needs a name or headliner")
    return _fingerprint("performance", venue_key.strip(), day.isoformat(), name)
