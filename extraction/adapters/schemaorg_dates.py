"""Parse schema.org date and time values (ISO 8601 as sources actually write it).

Rules, decided once here so every adapter agrees:

- "2015-10-31T19:00:00-04:00" (or "-0400"): the wall time as written, offset -240, EXACT.
- "2026-05-31T19:00:00.000Z" or "+00:00": an instant in UTC, usually written by `toISOString()`.
  Without a zone we keep the wall time as written with offset 0; the entities layer converts to the
  venue's local time once it knows the venue's zone. With `default_timezone` (the zone of the page's
  venue, supplied by the caller) we convert to that zone's wall time and offset here.
  A non-zero offset is always kept as written: it is the venue's local time by construction.
- "2015-10-31" (or a date with an offset): DATE precision, no time.
- "2015-10-31T00:00" or "T00:00:00" with no offset: DATE precision. CMSs (WordPress calendars, Wix)
  write midnight as a placeholder for "no time"; a real midnight show nearly always carries an offset,
  and a midnight *with* an offset stays EXACT (00:00Z is 17:00 in Seattle). The raw document is kept,
  so a source that really means naive midnight can be re-extracted with a different rule.
- "2026-05-10 19:30:00": a space instead of "T" is accepted; no offset means utc_offset_minutes None.
- Anything else (free text, impossible dates) returns None: the caller warns and skips the value.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from extraction.schemas import TimePrecision

_DATETIME_RE = re.compile(
    r"""^\s*
    (?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})
    (?:[T\s]\s*
        (?P<hour>\d{1,2}):(?P<minute>\d{2})
        (?::(?P<second>\d{2})(?:[.,]\d+)?)?
    )?
    \s*(?P<offset>Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?
    \s*$""",
    re.VERBOSE,
)

_TIME_RE = re.compile(
    r"""^\s*T?
    (?P<hour>\d{1,2})(?::(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d+)?)?)?
    \s*(?P<ampm>[ap]\.?\s?m\.?)?
    \s*(?:Z|[+-]\d{2}(?::?\d{2})?)?
    \s*$""",
    re.VERBOSE | re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ParsedDateTime:
    local_date: dt.date
    local_time: dt.time | None
    utc_offset_minutes: int | None
    precision: TimePrecision


def load_zone(name: str | None) -> ZoneInfo | None:
    """The IANA zone called `name`, or None when it is empty or unknown."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def parse_datetime(value: str, *, zone: ZoneInfo | None = None) -> ParsedDateTime | None:
    """Parse a schema.org Date or DateTime string; None when it is not one."""
    match = _DATETIME_RE.match(value)
    if match is None:
        return None
    try:
        day = dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
        if match["hour"] is None:
            return ParsedDateTime(day, None, None, TimePrecision.DATE)
        clock = dt.time(int(match["hour"]), int(match["minute"]), int(match["second"] or 0))
        offset = _offset_minutes(match["offset"])
    except ValueError:  # month 13, hour 24, offset +99:00...
        return None
    if offset is None:
        if clock == dt.time(0, 0):  # naive midnight is a "no time" placeholder, see module docstring
            return ParsedDateTime(day, None, None, TimePrecision.DATE)
        return ParsedDateTime(day, clock, None, TimePrecision.EXACT)
    if offset == 0 and zone is not None:
        return _to_zone(dt.datetime.combine(day, clock, tzinfo=dt.UTC), zone)
    return ParsedDateTime(day, clock, offset, TimePrecision.EXACT)


def parse_time(value: str, *, zone: ZoneInfo | None = None) -> dt.time | None:
    """Parse a time of day ("19:30", "7:30 pm", "T19:30:00") or a full DateTime's time part."""
    parsed = parse_datetime(value, zone=zone)
    if parsed is not None:
        return parsed.local_time
    match = _TIME_RE.match(value)
    if match is None or (match["minute"] is None and match["ampm"] is None):
        return None  # a bare number is not a time
    hour = int(match["hour"])
    ampm = (match["ampm"] or "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
    try:
        return dt.time(hour, int(match["minute"] or 0), int(match["second"] or 0))
    except ValueError:
        return None


def _offset_minutes(text: str | None) -> int | None:
    if text is None:
        return None
    if text.upper() in {"Z", "UTC", "GMT"}:
        return 0
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
    if minutes > 18 * 60:
        raise ValueError(text)
    return -minutes if text[0] == "-" else minutes


def _to_zone(instant: dt.datetime, zone: ZoneInfo) -> ParsedDateTime:
    local = instant.astimezone(zone)
    offset = local.utcoffset() or dt.timedelta(0)
    return ParsedDateTime(local.date(), local.time(), int(offset.total_seconds()) // 60, TimePrecision.EXACT)
