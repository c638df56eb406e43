"""A venue as a source gives it (``VenueRecord``) and normalised once for comparison (``PreparedVenue``).

Every scorer, blocker and index here takes ``PreparedVenue``s, so that comparing many pairs never
normalises a value twice; the columnar batch path (``columnar``) builds the same values in columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, NamedTuple

from entities.resolution.normalize import (
    is_generic_host,
    normalize_city,
    normalize_country,
    normalize_name,
    normalize_phone,
    normalize_postcode,
    normalize_street,
    website_host,
)


@dataclass(frozen=True, slots=True)
class VenueRecord:
    """A venue as a source or the canonical table gives it; only id and name are required."""

    id: str
    name: str
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country: str | None = None
    phone: str | None = None  # E.164 or raw
    website: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    external_ids: Mapping[str, str] = field(default_factory=dict)

    def prepare(self) -> PreparedVenue:
        return PreparedVenue.from_record(self)


_NO_IDS: Final[frozenset[tuple[str, str]]] = frozenset()


class PreparedVenue(NamedTuple):
    """A VenueRecord normalised once, so scoring many pairs never re-normalises.

    A NamedTuple, and lean (word sets are derived on demand), because the batch resolver and the
    online index hold a million of these.
    """

    id: str
    name: str
    name_norm: str
    name_key: str
    # name_key without a trailing "(qualifier)" or a trailing "the" ("Spago (Los Angeles)",
    # "Palm, The"); the same object as name_key when there is neither.
    base_key: str
    street: str | None
    city: str | None
    postcode: str | None
    country: str | None
    phone: str | None  # E.164, None if absent or invalid
    website_host: str | None
    website_generic: bool
    latitude: float | None
    longitude: float | None
    external_ids: frozenset[tuple[str, str]]  # (scheme, id), scheme lower-cased

    @classmethod
    def from_record(cls, r: VenueRecord) -> PreparedVenue:
        ext = (
            frozenset(
                (scheme.strip().lower(), str(value).strip())
                for scheme, value in r.external_ids.items()
                if scheme and scheme.strip() and value is not None and str(value).strip()
            )
            if r.external_ids
            else _NO_IDS
        )
        return prepare_values(
            r.id,
            r.name,
            r.street,
            r.city,
            r.postal_code,
            r.country,
            r.phone,
            r.website,
            r.latitude,
            r.longitude,
            ext,
        )

    @property
    def tokens(self) -> frozenset[str]:
        return frozenset(self.name_norm.split())


def prepare_values(
    id: str,
    name: str,
    street: str | None = None,
    city: str | None = None,
    postal_code: str | None = None,
    country: str | None = None,
    phone: str | None = None,
    website: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    external_ids: frozenset[tuple[str, str]] = _NO_IDS,
) -> PreparedVenue:
    """PreparedVenue.from_record without the VenueRecord (the batch path prepares raw rows).

    ``external_ids`` are (lower-cased scheme, id) pairs already.
    """
    name_norm = normalize_name(name)
    name_key = name_norm.replace(" ", "")
    country_code = normalize_country(country) if country else None
    host = website_host(website) if website else None
    if (
        latitude is None
        or longitude is None
        or not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
        or (latitude == longitude == 0)
    ):
        latitude = longitude = None  # (0, 0) is a geocoder's "unknown", not a venue in the Gulf of Guinea
    # Positional: this runs a million times in a batch.
    return PreparedVenue(
        id,
        name,
        name_norm,
        name_key,
        base_key(name, name_norm, name_key),
        (normalize_street(street) or None) if street else None,
        (normalize_city(city) or None) if city else None,
        normalize_postcode(postal_code, country_code) if postal_code else None,
        country_code,
        normalize_phone(phone, country_code if country_code and len(country_code) == 2 else "US")
        if phone
        else None,
        host,
        is_generic_host(host) if host else False,
        latitude,
        longitude,
        external_ids,
    )


def base_key(raw: str, name_norm: str, name_key: str) -> str:
    """The name key without a trailing "(qualifier)" or a trailing "the" (``name_key`` itself if neither)."""
    if not raw.rstrip().endswith((")", "]")) and not name_norm.endswith(" the"):
        return name_key
    text = raw.rstrip()
    if text.endswith((")", "]")):
        cut = max(text.rfind("("), text.rfind("["))
        if cut > 0:
            text = text[:cut]
    words = normalize_name(text).split()
    if len(words) > 1 and words[-1] == "the":
        words.pop()
    return "".join(words) or name_key
