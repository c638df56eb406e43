"""Performance times: local wall time in the venue's zone, and the UTC instant only when known.

Sources write times three ways: with an offset ("19:00-07:00", or "Z" for UTC), as a bare local
time ("19:00"), or not at all (a date, or "TBA"). With an offset and a known venue zone, the local
date and time are recomputed in that zone (a calendar that writes 02:00Z means 19:00 in Seattle).
A bare time is taken as local to the venue. Without a time there is no instant: we never invent
a placeholder time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True)
class ResolvedTime:
    local_date: dt.date
    local_time: dt.time | None
    starts_at: dt.datetime | None  # aware, UTC


def zone_or_none(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def resolve_time(
    local_date: dt.date, local_time: dt.time | None, *, utc_offset_minutes: int | None, zone_name: str | None
) -> ResolvedTime:
    if local_time is None:
        return ResolvedTime(local_date, None, None)
    zone = zone_or_none(zone_name)
    if utc_offset_minutes is not None:
        offset = dt.timezone(dt.timedelta(minutes=utc_offset_minutes))
        instant = dt.datetime.combine(local_date, local_time, tzinfo=offset)
        if zone is not None:
            local = instant.astimezone(zone)
            return ResolvedTime(local.date(), local.time().replace(tzinfo=None), instant.astimezone(dt.UTC))
        return ResolvedTime(local_date, local_time, instant.astimezone(dt.UTC))
    if zone is not None:
        instant = dt.datetime.combine(local_date, local_time, tzinfo=zone)
        return ResolvedTime(local_date, local_time, instant.astimezone(dt.UTC))
    return ResolvedTime(local_date, local_time, None)


def timezone_at(latitude: float | None, longitude: float | None) -> str | None:
    """The IANA zone at a point (tzfpy's bundled boundaries; offline)."""
    if latitude is None or longitude is None:
        return None
    import tzfpy

    name = tzfpy.get_tz(longitude, latitude)
    return name or None


# Where coordinates are missing: the zone of a region (US states, Canadian provinces, Australian
# states) or of a country with a single zone. A best guess that is right for nearly every venue;
# coordinates, when a source gives them, take precedence.
_REGION_ZONES: dict[str, dict[str, str]] = {
    "US": {
        **dict.fromkeys(["WA", "OR", "CA", "NV"], "America/Los_Angeles"),
        **dict.fromkeys(["MT", "WY", "CO", "NM", "UT", "ID"], "America/Denver"),
        "AZ": "America/Phoenix",
        **dict.fromkeys(
            ["ND", "SD", "NE", "KS", "OK", "TX", "MN", "IA", "MO", "AR", "LA", "WI", "IL", "MS", "AL", "TN"],
            "America/Chicago",
        ),
        **dict.fromkeys(
            [
                "KY",
                "OH",
                "PA",
                "NY",
                "NJ",
                "CT",
                "RI",
                "MA",
                "VT",
                "NH",
                "ME",
                "DE",
                "MD",
                "DC",
                "VA",
                "WV",
                "NC",
                "SC",
                "GA",
                "FL",
            ],
            "America/New_York",
        ),
        "IN": "America/Indiana/Indianapolis",
        "MI": "America/Detroit",
        "AK": "America/Anchorage",
        "HI": "Pacific/Honolulu",
    },
    "CA": {
        "BC": "America/Vancouver",
        "AB": "America/Edmonton",
        "SK": "America/Regina",
        "MB": "America/Winnipeg",
        "ON": "America/Toronto",
        "QC": "America/Toronto",
        "NB": "America/Halifax",
        "NS": "America/Halifax",
        "PE": "America/Halifax",
        "NL": "America/St_Johns",
        "YT": "America/Whitehorse",
        "NT": "America/Yellowknife",
        "NU": "America/Iqaluit",
    },
    "AU": {
        "NSW": "Australia/Sydney",
        "ACT": "Australia/Sydney",
        "VIC": "Australia/Melbourne",
        "QLD": "Australia/Brisbane",
        "SA": "Australia/Adelaide",
        "WA": "Australia/Perth",
        "TAS": "Australia/Hobart",
        "NT": "Australia/Darwin",
    },
}


def _single_zone_countries() -> dict[str, str]:
    """Countries with exactly one zone in the IANA zone.tab (shipped by the tzdata package)."""
    from importlib.resources import files

    zones: dict[str, list[str]] = {}
    text = files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            country, _coords, zone = line.split("\t")[:3]
            zones.setdefault(country, []).append(zone)
    return {country: names[0] for country, names in zones.items() if len(names) == 1}


_SINGLE_ZONE: dict[str, str] | None = None


def timezone_for_region(country: str | None, region: str | None) -> str | None:
    global _SINGLE_ZONE
    if not country:
        return None
    country = country.upper()
    by_region = _REGION_ZONES.get(country)
    if by_region is not None:
        return by_region.get((region or "").strip().upper().replace(".", "")) or None
    if _SINGLE_ZONE is None:
        _SINGLE_ZONE = _single_zone_countries()
    return _SINGLE_ZONE.get(country)
