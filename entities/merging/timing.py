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
