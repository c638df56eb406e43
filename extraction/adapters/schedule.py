"""schema.org `Schedule` (an event's `eventSchedule`) -> its dated occurrences within a window.

Pure Python (no Django). A Schedule is read as the RFC 5545 rule it describes and expanded with
dateutil's `rrule`:

- `repeatFrequency`: an ISO 8601 duration of days, weeks, months or years ("P1W", "P2W", "P1M"), or a
  word ("daily", "weekly", "monthly", "yearly", schema.org's URL forms included); with no frequency,
  `byDay` means weekly, and a Schedule with neither is one occurrence on its `startDate`;
- `byDay` (schema.org's DayOfWeek, by URL or name, or iCalendar's "MO", "+1MO", "-1FR"), `byMonth`,
  `byMonthDay`, `byMonthWeek` (the nth of the month for each `byDay`: 1, 2, -1 for the last);
- `startDate`/`endDate` bound the rule (the end inclusive), `repeatCount` counts occurrences,
  `exceptDate` removes dates; `startTime` gives the wall time of every occurrence, else the event's own
  start time, else none (a date-only occurrence);
- `scheduleTimezone` (IANA) gives each occurrence's UTC offset on its own date, so summer and winter
  dates each get theirs; without it no offset is claimed, as for any time written without one.

Only occurrences whose date falls within [window_start, window_end] are returned, at most `limit`;
a rule that starts long before the window is moved forward by whole periods first (days and weeks),
so a daily rule since the year 1 costs no more than one since last week.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from zoneinfo import ZoneInfo

from dateutil import rrule

from extraction.adapters.schemaorg_dates import ParsedDateTime, load_zone, parse_datetime, parse_time
from extraction.adapters.schemaorg_values import as_list, to_integer, vocabulary_term
from extraction.adapters.text import clean_text
from extraction.schemas import TimePrecision

type Node = dict[str, object]

MAX_COUNT = 10_000  # a repeatCount beyond this is read as this

_DURATION_RE = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$", re.I)
_WORD_FREQUENCIES = {
    "daily": (rrule.DAILY, 1),
    "weekly": (rrule.WEEKLY, 1),
    "monthly": (rrule.MONTHLY, 1),
    "yearly": (rrule.YEARLY, 1),
    "annually": (rrule.YEARLY, 1),
    "fortnightly": (rrule.WEEKLY, 2),
    "biweekly": (rrule.WEEKLY, 2),
}
_DAYS = {
    "monday": rrule.MO,
    "tuesday": rrule.TU,
    "wednesday": rrule.WE,
    "thursday": rrule.TH,
    "friday": rrule.FR,
    "saturday": rrule.SA,
    "sunday": rrule.SU,
    "mo": rrule.MO,
    "tu": rrule.TU,
    "we": rrule.WE,
    "th": rrule.TH,
    "fr": rrule.FR,
    "sa": rrule.SA,
    "su": rrule.SU,
}
_ICAL_DAY_RE = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$", re.I)


def schedule_occurrences(
    schedule: Node,
    *,
    event_start: ParsedDateTime | None,
    window_start: dt.date,
    window_end: dt.date,
    limit: int,
    warn: Callable[[str], None],
) -> list[ParsedDateTime]:
    """The occurrences of one Schedule within the window (dates ascending), at most `limit`."""
    start_text = clean_text(schedule.get("startDate"))
    first = parse_datetime(start_text) if start_text else None
    if start_text and first is None:
        warn(f"schedule: unparseable startDate {start_text!r}; the event's start used")
    first_date = first.local_date if first else event_start.local_date if event_start else window_start
    clock = _start_clock(schedule, first, event_start, warn)
    zone_name = clean_text(schedule.get("scheduleTimezone"))
    zone = load_zone(zone_name)
    if zone_name and zone is None:
        warn(f"schedule: unknown scheduleTimezone {zone_name!r}; no UTC offset given")
    end_text = clean_text(schedule.get("endDate"))
    end = parse_datetime(end_text) if end_text else None
    excluded = _except_dates(schedule.get("exceptDate"))

    rule = _rule(schedule, first_date, end.local_date if end else None, warn)
    if rule is None:
        dates = [first_date]
    else:
        dates = rule(window_start, window_end, limit + len(excluded))
    occurrences = []
    for day in dates:
        if not window_start <= day <= window_end or day in excluded:
            continue
        occurrences.append(_occurrence(day, clock, zone))
        if len(occurrences) >= limit:
            warn(f"schedule: more than {limit} occurrences within the horizon; the first {limit} kept")
            break
    return occurrences


def _start_clock(
    schedule: Node,
    first: ParsedDateTime | None,
    event_start: ParsedDateTime | None,
    warn: Callable[[str], None],
) -> dt.time | None:
    text = clean_text(schedule.get("startTime"))
    if text:
        clock = parse_time(text)
        if clock is None:
            warn(f"schedule: unparseable startTime {text!r}; occurrences without a time")
        return clock
    if first is not None and first.local_time is not None:
        return first.local_time
    return event_start.local_time if event_start is not None else None


def _occurrence(day: dt.date, clock: dt.time | None, zone: ZoneInfo | None) -> ParsedDateTime:
    if clock is None:
        return ParsedDateTime(day, None, None, TimePrecision.DATE)
    offset = None
    if zone is not None:
        local = dt.datetime.combine(day, clock, tzinfo=zone)
        delta = local.utcoffset()
        offset = int(delta.total_seconds()) // 60 if delta is not None else None
    return ParsedDateTime(day, clock, offset, TimePrecision.EXACT)


def _except_dates(value: object) -> set[dt.date]:
    dates = set()
    for item in as_list(value)[:1000]:
        text = clean_text(item)
        parsed = parse_datetime(text) if text else None
        if parsed is not None:
            dates.add(parsed.local_date)
    return dates


type _Expand = Callable[[dt.date, dt.date, int], list[dt.date]]


def _rule(
    schedule: Node, first: dt.date, until: dt.date | None, warn: Callable[[str], None]
) -> _Expand | None:
    """The Schedule as an rrule expander, or None for a single occurrence."""
    frequency = _frequency(schedule.get("repeatFrequency"), warn)
    month_week = to_integer(schedule.get("byMonthWeek"))
    weekdays = _weekdays(schedule.get("byDay"), month_week)
    if frequency is None:
        if not weekdays:
            return None
        frequency = (rrule.MONTHLY, 1) if month_week else (rrule.WEEKLY, 1)
    freq, interval = frequency
    months = [m for m in (to_integer(v) for v in as_list(schedule.get("byMonth"))) if m and 1 <= m <= 12]
    month_days = [
        d for d in (to_integer(v) for v in as_list(schedule.get("byMonthDay"))) if d and 1 <= abs(d) <= 31
    ]
    count = to_integer(schedule.get("repeatCount"))
    count = min(count, MAX_COUNT) if count is not None and count > 0 else None

    def expand(window_start: dt.date, window_end: dt.date, limit: int) -> list[dt.date]:
        start = first
        if count is None and freq in (rrule.DAILY, rrule.WEEKLY) and not months and not month_days:
            # Move the start forward by whole periods (the rule's dates are unchanged by it).
            period = interval * (7 if freq == rrule.WEEKLY else 1)
            behind = (window_start - start).days
            if behind > period:
                start += dt.timedelta(days=(behind // period - 1) * period)
        last = window_end if until is None else min(window_end, until)
        if last < start:
            return []
        rule = rrule.rrule(
            freq,
            dtstart=dt.datetime.combine(start, dt.time()),
            interval=interval,
            count=count,
            # RFC 5545 allows one of COUNT and UNTIL: with a count, the end is checked below.
            until=None if count is not None else dt.datetime.combine(last, dt.time(23, 59, 59)),
            byweekday=weekdays or None,
            bymonth=months or None,
            bymonthday=month_days or None,
            cache=False,
        )
        dates: list[dt.date] = []
        for moment in rule:
            day = moment.date()
            if day > last:
                break
            if day >= window_start:
                dates.append(day)
                if len(dates) >= limit:
                    break
        return dates

    return expand


def _frequency(value: object, warn: Callable[[str], None]) -> tuple[int, int] | None:
    text = clean_text(value)
    if text is None:
        return None
    word = vocabulary_term(text) or ""
    if word in _WORD_FREQUENCIES:
        return _WORD_FREQUENCIES[word]
    match = _DURATION_RE.match(text.strip())
    if match is None or not any(match.groups()):
        warn(f"schedule: unsupported repeatFrequency {text!r}; one occurrence read")
        return None
    years, months, weeks, days = (int(group) if group else 0 for group in match.groups())
    parts = [(rrule.YEARLY, years), (rrule.MONTHLY, months), (rrule.WEEKLY, weeks), (rrule.DAILY, days)]
    given = [(freq, amount) for freq, amount in parts if amount]
    if len(given) != 1 or given[0][1] <= 0:
        warn(f"schedule: unsupported repeatFrequency {text!r}; one occurrence read")
        return None
    return given[0]


def _weekdays(value: object, month_week: int | None) -> list[rrule.weekday]:
    days: list[rrule.weekday] = []
    for item in as_list(value)[:14]:
        text = clean_text(item)
        if text is None:
            continue
        name = vocabulary_term(text) or ""
        if name in _DAYS:
            day = _DAYS[name]
            days.append(day(month_week) if month_week and -5 <= month_week <= 5 else day)
            continue
        match = _ICAL_DAY_RE.match(text.strip())
        if match:
            day = _DAYS[match.group(2).lower()]
            nth = int(match.group(1)) if match.group(1) else None
            days.append(day(nth) if nth and -5 <= nth <= 5 else day)
    return days
