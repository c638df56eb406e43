"""iCalendar feeds (RFC 5545 `.ics`, what a venue's "add to calendar" or "subscribe" link serves)
-> `ExtractionResult`.

Pure Python (no Django). Parsed with `icalendar`, recurrences (RRULE, RDATE, EXDATE, and instances
moved with RECURRENCE-ID) expanded with `recurring-ical-events`; it never raises on bad input.

- Each VEVENT with a SUMMARY and a DTSTART is a performance: SUMMARY the name, URL its page, UID its
  source key (with the date appended for each occurrence of a recurring event), DESCRIPTION, STATUS
  (CANCELLED), LOCATION and GEO the venue.
- Times: DTSTART with a TZID keeps its wall time, with that zone's offset on that date (the zone comes
  from the feed's VTIMEZONE when it defines one, else from the IANA name); UTC times are converted to
  the calendar's X-WR-TIMEZONE (Google Calendar's exports) or to the caller's `default_timezone`, else
  kept as UTC; floating times keep their wall time without an offset; a DATE is a date-only show.
- Window: a recurring event is expanded from `reference_date` for `horizon_days` (at most
  `budget.max_occurrences` dates each); a one-off event is kept from `reference_date` on, however far
  ahead; what lies before `reference_date` (a feed's history) is left out.
- LOCATION "The Tin Room, 123 Main St, Seattle, WA 98101" is the venue "The Tin Room" at that street
  address; a LOCATION that starts with a house number is an address without a venue name, and names
  no venue.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import x_wr_timezone

from extraction.adapters.apijson import Warnings, http_url, text, unique_by_source_key
from extraction.adapters.schemaorg_dates import load_zone
from extraction.budget import BUDGET_PREFIX, DEFAULT_BUDGET, ExtractionBudget
from extraction.schemas import (
    EventStatus,
    ExtractedAddress,
    ExtractedPerformance,
    ExtractedVenue,
    ExtractionResult,
    TimePrecision,
)
from sourcing.fetchrules import body_text

EXTRACTOR_NAME = "icalendar"
EXTRACTOR_VERSION = "1"
DEFAULT_HORIZON_DAYS = 180
MAX_DESCRIPTION_CHARS = 10_000

_CALENDAR_RE = re.compile(r"^\ufeff?\s*BEGIN:VCALENDAR", re.IGNORECASE)
_HOUSE_NUMBER_RE = re.compile(r"^\d")


def looks_like_icalendar(head: bytes | str) -> bool:
    """Whether a body starts like an iCalendar object."""
    if isinstance(head, bytes):
        head = head[:64].decode("utf-8", "replace")
    return _CALENDAR_RE.match(head[:64]) is not None


def extract_icalendar(
    body: bytes | str,
    *,
    url: str | None = None,
    default_timezone: str | None = None,
    reference_date: dt.date | None = None,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    budget: ExtractionBudget = DEFAULT_BUDGET,
) -> ExtractionResult:
    """Read one iCalendar feed; events that cannot be read are skipped with a warning."""
    warnings = Warnings()
    try:
        calendar = icalendar.Calendar.from_ical(body_text(body, "text/calendar"))
    except Exception as exc:  # icalendar raises ValueError and others on malformed input
        return ExtractionResult(warnings=[f"not an iCalendar feed: {type(exc).__name__}: {str(exc)[:200]}"])
    if not isinstance(calendar, icalendar.Calendar):
        return ExtractionResult(warnings=["not an iCalendar feed: no VCALENDAR"])
    try:
        calendar = x_wr_timezone.to_standard(calendar)  # X-WR-TIMEZONE: UTC times as the calendar's zone
    except Exception as exc:
        warnings.warn(f"X-WR-TIMEZONE not applied: {type(exc).__name__}: {str(exc)[:100]}")
    zone = load_zone(default_timezone)
    start = reference_date or dt.datetime.now(dt.UTC).date()
    end = start + dt.timedelta(days=max(0, horizon_days))
    try:
        performances = list(_performances(calendar, start, end, zone, url, budget, warnings))
    except Exception as exc:  # a broken rule or zone in the feed: what was read so far is kept
        warnings.warn(f"calendar could not be expanded: {type(exc).__name__}: {str(exc)[:200]}")
        performances = []
    return ExtractionResult(performances=unique_by_source_key(performances), warnings=warnings.items)


def _performances(
    calendar: icalendar.Calendar,
    start: dt.date,
    end: dt.date,
    zone: ZoneInfo | None,
    url: str | None,
    budget: ExtractionBudget,
    warnings: Warnings,
) -> Iterable[ExtractedPerformance]:
    events = list(calendar.walk("VEVENT"))
    if len(events) > budget.max_performances:
        warnings.warn(
            f"{BUDGET_PREFIX}{len(events)} events in the feed; the first {budget.max_performances} read"
        )
        events = events[: budget.max_performances]
    recurring_uids = {
        str(event.get("UID"))
        for event in events
        if event.get("RRULE") is not None or event.get("RDATE") is not None or event.get("RECURRENCE-ID")
    }
    count = 0
    # One-off events: from the reference date on, however far ahead.
    for event in events:
        if str(event.get("UID")) in recurring_uids:
            continue
        performance = _performance(event, zone, url, warnings, occurrence=False)
        if performance is not None and performance.local_date >= start:
            count += 1
            yield performance
    if not recurring_uids:
        return
    # Recurring events: their occurrences within the horizon, counted per event.
    recurring = icalendar.Calendar()
    for component in calendar.subcomponents:
        if component.name == "VTIMEZONE" or (
            component.name == "VEVENT" and str(component.get("UID")) in recurring_uids
        ):
            recurring.add_component(component)
    per_uid: dict[str, int] = {}
    query = recurring_ical_events.of(recurring)
    for occurrence in query.between(start, end + dt.timedelta(days=1)):
        uid = str(occurrence.get("UID"))
        per_uid[uid] = per_uid.get(uid, 0) + 1
        if per_uid[uid] == budget.max_occurrences + 1:
            warnings.warn(
                f"{BUDGET_PREFIX}event {uid!r}: more than {budget.max_occurrences} dates; the first kept"
            )
        if per_uid[uid] > budget.max_occurrences or count >= budget.max_performances:
            continue
        performance = _performance(occurrence, zone, url, warnings, occurrence=True)
        if performance is not None and start <= performance.local_date <= end:
            count += 1
            yield performance


def _performance(
    event: icalendar.cal.Component,
    zone: ZoneInfo | None,
    url: str | None,
    warnings: Warnings,
    *,
    occurrence: bool,
) -> ExtractedPerformance | None:
    uid = text(str(event.get("UID") or "")) or None
    name = text(str(event.get("SUMMARY") or ""))
    label = f"event {uid or name!r}"
    if not name:
        warnings.warn(f"{label}: no SUMMARY; skipped")
        return None
    raw_start = event.get("DTSTART")
    value = getattr(raw_start, "dt", None)
    if not isinstance(value, dt.date):
        warnings.warn(f"event {name!r}: no usable DTSTART; skipped")
        return None
    local_date, local_time, offset, precision = _start(value, zone)
    source_key = f"ical:{uid}" if uid else None
    if source_key and occurrence:
        source_key = f"{source_key}#{local_date.isoformat()}"
    status = str(event.get("STATUS") or "").upper()
    try:
        return ExtractedPerformance(
            source_key=source_key,
            name=name,
            venue=_venue(event),
            local_date=local_date,
            local_start_time=local_time,
            utc_offset_minutes=offset,
            time_precision=precision,
            status=EventStatus.CANCELLED if status == "CANCELLED" else EventStatus.SCHEDULED,
            url=http_url(str(event.get("URL") or ""), url),
            description=_description(event.get("DESCRIPTION")),
        )
    except ValueError as exc:
        warnings.warn(f"event {name!r}: {str(exc).splitlines()[0]}; skipped")
        return None


def _start(
    value: dt.date, zone: ZoneInfo | None
) -> tuple[dt.date, dt.time | None, int | None, TimePrecision]:
    if not isinstance(value, dt.datetime):
        return value, None, None, TimePrecision.DATE  # an all-day event
    if value.tzinfo is None:  # floating: the wall time wherever the venue is
        return value.date(), value.time().replace(microsecond=0), None, TimePrecision.EXACT
    if zone is not None and value.utcoffset() == dt.timedelta(0) and _is_utc(value):
        value = value.astimezone(zone)
    delta = value.utcoffset()
    offset = int(delta.total_seconds()) // 60 if delta is not None else None
    return value.date(), value.time().replace(microsecond=0, tzinfo=None), offset, TimePrecision.EXACT


def _is_utc(value: dt.datetime) -> bool:
    name = value.tzname() or ""
    return name.upper() in {"UTC", "Z", "GMT", "ETC/UTC"} or value.tzinfo in (dt.UTC, ZoneInfo("UTC"))


def _venue(event: icalendar.cal.Component) -> ExtractedVenue | None:
    location = text(str(event.get("LOCATION") or ""))
    latitude = longitude = None
    geo = event.get("GEO")
    if geo is not None:
        try:
            latitude, longitude = float(geo.latitude), float(geo.longitude)
        except (AttributeError, TypeError, ValueError):
            latitude = longitude = None
        if latitude is not None and (latitude == longitude == 0 or not -90 <= latitude <= 90):
            latitude = longitude = None
    if not location or _HOUSE_NUMBER_RE.match(location):
        return None
    name, _, rest = location.partition(",")
    name = name.strip()
    if not name:
        return None
    return ExtractedVenue(
        name=name,
        address=ExtractedAddress(street=rest.strip()) if rest.strip() else None,
        latitude=latitude if longitude is not None else None,
        longitude=longitude if latitude is not None else None,
    )


def _description(value: object) -> str | None:
    if value is None:
        return None
    lines = [" ".join(line.split()) for line in str(value).splitlines()]
    result = "\n".join(line for line in lines if line).strip()
    return result[:MAX_DESCRIPTION_CHARS] or None
