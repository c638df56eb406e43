"""The calendar feeds a venue's page points to, found in the page (pure Python, no Django).

Many venue calendars publish their shows in a machine-readable form beside the HTML. What a page
gives here becomes discovered URLs of kind "feed", which the pipeline fetches as URLs of their own
(politely, like any other) and reads with the feed adapters (`icalendar_feed`, `tribe_events`,
`squarespace`, or the structured extractor for ticketing pages):

- iCalendar: `<link rel="alternate" type="text/calendar">`, links to `.ics` files, `webcal:` links (read
  as https), The Events Calendar's `?ical=1` exports, a Google Calendar embedded or linked by its id
  (its public `basic.ics`);
- WordPress' The Events Calendar: a page of the plugin (its classes or assets) on a WordPress site (the
  `https://api.w.org/` link gives the REST root) -> `<root>tribe/events/v1/events?per_page=50`;
- a Squarespace events page (`eventlist` markup and Squarespace's scripts) -> the page with `?format=json`;
- Eventbrite: an organiser's page linked from the venue's (`eventbrite.com/o/...`) and the events of
  Eventbrite's embedded checkout widget (`EBWidgets.createWidget({eventId: ...})`);
- ticketing pages (Eventbrite, DICE, TicketWeb, See Tickets, Etix, Tixr, AXS event pages, which carry
  schema.org markup): their markup then stands in for an LLM reading the page.

"Add to calendar" links to Google Calendar or Outlook carry one event each in their query (title,
dates, location, time zone): they are read at once as performances, with no fetch.

The structured extractor asks for this only on pages whose markup gives no shows (a page that lists
its shows in markup would have them said again by its feeds).

Pages without any of these signs cost one CSS query over the tree already built.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from selectolax.lexbor import LexborHTMLParser

from extraction.adapters.schemaorg_dates import load_zone
from extraction.schemas import (
    DiscoveredUrl,
    ExtractedAddress,
    ExtractedPerformance,
    ExtractedVenue,
    TimePrecision,
)

MAX_FEEDS = 20  # feed URLs per page
MAX_TICKET_PAGES = 50  # ticketing pages per page without shows of its own
MAX_CALENDAR_LINKS = 500  # "add to calendar" links read per page

# The elements that can point to a feed, found by one CSS query (lexbor's, in C).
_SIGNS = ", ".join(
    [
        'link[type*="calendar" i]',
        'link[rel="https://api.w.org/"]',
        'link[href*="the-events-calendar"]',
        'script[src*="the-events-calendar"]',
        '[class*="tribe-events"]',
        '[class*="eventlist"]',
        'script[src*="squarespace"]',
        'link[href*="squarespace"]',
        'script[src*="eb_widgets"]',
        'a[href*=".ics" i]',
        'a[href^="webcal:" i]',
        'a[href*="ical" i]',
        'a[href*="calendar.google.com"]',
        'iframe[src*="calendar.google.com"]',
        'a[href*="outlook.live.com"]',
        'a[href*="outlook.office.com"]',
        'a[href*="eventbrite."]',
        'a[href*="dice.fm/event"]',
        'a[href*="ticketweb."]',
        'a[href*="seetickets."]',
        'a[href*="etix.com"]',
        'a[href*="tixr.com"]',
        'a[href*="axs.com"]',
    ]
)
_ICS_HREF_RE = re.compile(r"(?:\.ics(?:$|[?#])|^webcal:|[?&](?:ical|outlook-ical)=1\b|/ical/?$)", re.I)
_TICKET_PAGE_RE = re.compile(
    r"^https?://(?:[\w-]+\.)*(?:"
    r"eventbrite\.[a-z.]+/e/[^?#]*\d"
    r"|dice\.fm/event/[\w-]+"
    r"|ticketweb\.(?:com|ca|co\.uk)/event/[\w-]+"
    r"|seetickets\.(?:us|com)/event/[\w-]+"
    r"|etix\.com/ticket/p/\d+"
    r"|tixr\.com/groups/[\w-]+/events/[\w-]+"
    r"|axs\.com/(?:[a-z]{2}/)?events/\d+"
    r")",
    re.I,
)
_EVENTBRITE_ORGANISER_RE = re.compile(r"^https?://(?:www\.)?eventbrite\.[a-z.]+/o/[\w-]+", re.I)
_EB_WIDGET_RE = re.compile(r"EBWidgets\.createWidget\(\{[^}]*?eventId\s*:\s*['\"]?(\d{6,20})", re.S)
_GOOGLE_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$")
_HOUSE_NUMBER_RE = re.compile(r"^\d")


@dataclass(slots=True)
class FeedLinks:
    urls: list[DiscoveredUrl] = field(default_factory=list)
    performances: list[ExtractedPerformance] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def discover_feeds(
    tree: LexborHTMLParser,
    *,
    base_url: str | None,
    default_timezone: str | None = None,
) -> FeedLinks:
    """The feeds a parsed page points to, and the events its "add to calendar" links carry."""
    found = FeedLinks()
    signs = tree.css(_SIGNS)  # one query, in C: most pages have none of these elements
    if not signs:
        return found
    feeds: dict[str, None] = {}  # ordered set: calendar-wide feeds first

    def add(url: str | None) -> None:
        if url and url != base_url and url not in feeds:
            feeds[url] = None

    tribe = squarespace = event_list = eventbrite_widget = False
    rest_root: str | None = None
    calendar_types: list[str] = []
    links: list[str] = []
    for element in signs:
        tag = element.tag or ""
        attributes = element.attributes
        href = (attributes.get("href") or attributes.get("src") or "").strip()
        classes = attributes.get("class") or ""
        if "tribe-events" in classes or "the-events-calendar" in href:
            tribe = True
        if "eventlist" in classes:
            event_list = True
        if "squarespace" in href:
            squarespace = True
        if tag == "script" and "eb_widgets" in href:
            eventbrite_widget = True
        if tag == "link":
            if (attributes.get("rel") or "") == "https://api.w.org/":
                rest_root = _absolute(href, base_url)
            elif (attributes.get("type") or "").split(";")[0].strip().lower() == "text/calendar":
                calendar_types.append(href)
        elif tag in ("a", "iframe") and href:
            links.append(href)
    # WordPress' The Events Calendar: its REST API is the whole calendar, 50 events a page (its
    # iCalendar exports, "?ical=1", say the same and are left alone).
    if tribe:
        rest = rest_root or (urljoin(base_url, "/wp-json/") if base_url else None)
        if rest:
            add(urljoin(rest if rest.endswith("/") else rest + "/", "tribe/events/v1/events?per_page=50"))
    if base_url and squarespace and event_list:
        add(_with_query(base_url, "format=json"))
    for href in calendar_types:
        add(_feed_url(href, base_url))
    ticket_pages: dict[str, None] = {}
    calendar_links: list[str] = []
    for href in links:
        if "calendar.google.com" in href or "outlook.live.com" in href or "outlook.office.com" in href:
            if "action=TEMPLATE" in href or "/deeplink/compose" in href:
                calendar_links.append(href)
                continue
            add(_google_calendar_feed(href))
            continue
        if _ICS_HREF_RE.search(href):
            if not (tribe and "ical=1" in href):
                add(_feed_url(href, base_url))
            continue
        absolute = _absolute(href, base_url)
        if absolute is None:
            continue
        if _EVENTBRITE_ORGANISER_RE.match(absolute):
            add(_strip_query(absolute))
        elif _TICKET_PAGE_RE.match(absolute):
            ticket_pages.setdefault(_strip_query(absolute), None)
    if eventbrite_widget:
        for script in tree.css("script"):
            for event_id in _EB_WIDGET_RE.findall(script.text() or ""):
                add(f"https://www.eventbrite.com/e/{event_id}")
    urls = list(feeds)
    if len(urls) > MAX_FEEDS:
        found.warnings.append(f"{len(urls)} calendar feeds linked; the first {MAX_FEEDS} followed")
        urls = urls[:MAX_FEEDS]
    pages = list(ticket_pages)
    if len(pages) > MAX_TICKET_PAGES:
        found.warnings.append(f"{len(pages)} ticketing pages linked; the first {MAX_TICKET_PAGES} followed")
        pages = pages[:MAX_TICKET_PAGES]
    found.urls = [DiscoveredUrl(url=url, kind="feed") for url in [*urls, *pages]]
    if calendar_links:
        found.performances = _calendar_link_events(calendar_links, default_timezone, found.warnings)
    return found


def _absolute(href: str | None, base_url: str | None) -> str | None:
    if not href:
        return None
    href = href.strip()
    try:
        absolute = urljoin(base_url, href) if base_url else href
        scheme = urlsplit(absolute).scheme
    except ValueError:
        return None
    return absolute if scheme in ("http", "https") else None


def _feed_url(href: str | None, base_url: str | None) -> str | None:
    """An iCalendar link as an https URL (webcal: is http(s) by another name)."""
    if not href:
        return None
    href = href.strip()
    if href.lower().startswith("webcal://"):
        href = "https://" + href[len("webcal://") :]
    return _absolute(href, base_url)


def _google_calendar_feed(href: str) -> str | None:
    """A Google Calendar embed or subscribe link -> the calendar's public iCalendar feed."""
    try:
        parts = urlsplit(href if "//" in href else "https://" + href)
    except ValueError:
        return None
    if parts.path.startswith("/calendar/ical/") and parts.path.endswith(".ics"):
        return urlunsplit(("https", parts.netloc, parts.path, "", ""))
    query = parse_qs(parts.query)
    calendar_id: str | None = query["src"][0] if query.get("src") else None
    if calendar_id is None and query.get("cid"):
        raw = query["cid"][0]
        try:  # subscribe links carry the id base64-encoded
            calendar_id = base64.b64decode(raw + "=" * (-len(raw) % 4)).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            calendar_id = raw
    if not calendar_id or "@" not in calendar_id:
        return None
    return f"https://calendar.google.com/calendar/ical/{quote(calendar_id, safe='@.')}/public/basic.ics"


def _strip_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _with_query(url: str, query: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


# ---------------------------------------------------------------------------------------------
# "Add to calendar" links


def _calendar_link_events(
    links: list[str], default_timezone: str | None, warnings: list[str]
) -> list[ExtractedPerformance]:
    performances: list[ExtractedPerformance] = []
    seen: set[tuple[str, dt.date, dt.time | None]] = set()
    for href in links[:MAX_CALENDAR_LINKS]:
        performance = _calendar_link_event(href, default_timezone)
        if performance is None:
            continue
        key = (performance.name.casefold(), performance.local_date, performance.local_start_time)
        if key not in seen:
            seen.add(key)
            performances.append(performance)
    if len(links) > MAX_CALENDAR_LINKS:
        warnings.append(f"{len(links)} add-to-calendar links; the first {MAX_CALENDAR_LINKS} read")
    return performances


def _calendar_link_event(href: str, default_timezone: str | None) -> ExtractedPerformance | None:
    try:
        query = parse_qs(urlsplit(href.replace("&amp;", "&")).query)
    except ValueError:
        return None

    def first(*names: str) -> str | None:
        for name in names:
            values = query.get(name)
            if values and values[0].strip():
                return " ".join(values[0].split())
        return None

    name = first("text", "subject", "title")
    if name is None:
        return None
    zone = load_zone(first("ctz") or default_timezone)
    if "dates" in query:
        start = _google_start(first("dates") or "", zone)
    else:
        start = _iso_start(first("startdt") or "", zone)
    if start is None:
        return None
    day, clock, offset = start
    try:
        return ExtractedPerformance(
            name=name,
            venue=_location_venue(first("location")),
            local_date=day,
            local_start_time=clock,
            utc_offset_minutes=offset,
            time_precision=TimePrecision.EXACT if clock is not None else TimePrecision.DATE,
        )
    except ValueError:
        return None


def _google_start(dates: str, zone: ZoneInfo | None) -> tuple[dt.date, dt.time | None, int | None] | None:
    match = _GOOGLE_DATE_RE.match(dates.split("/")[0].strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, utc = match.groups()
    try:
        if hour is None:
            return dt.date(int(year), int(month), int(day)), None, None
        moment = dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))  # noqa: DTZ001
    except ValueError:
        return None
    return _placed(moment, utc == "Z", zone)


def _iso_start(value: str, zone: ZoneInfo | None) -> tuple[dt.date, dt.time | None, int | None] | None:
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        if moment.utcoffset() == dt.timedelta(0):
            return _placed(moment.replace(tzinfo=None), True, zone)
        offset = moment.utcoffset()
        minutes = int(offset.total_seconds()) // 60 if offset is not None else None
        return moment.date(), moment.time().replace(tzinfo=None), minutes
    return _placed(moment, False, zone)


def _placed(
    moment: dt.datetime, is_utc: bool, zone: ZoneInfo | None
) -> tuple[dt.date, dt.time | None, int | None]:
    """A UTC time as the zone's wall time (when known), a floating one as written with the zone's
    offset (when known); the same rules as schema.org dates."""
    if is_utc:
        if zone is None:
            return moment.date(), moment.time(), 0
        local = moment.replace(tzinfo=dt.UTC).astimezone(zone)
    elif zone is not None:
        local = moment.replace(tzinfo=zone)
    else:
        return moment.date(), moment.time(), None
    delta = local.utcoffset()
    return local.date(), local.time().replace(tzinfo=None), int(delta.total_seconds()) // 60 if delta else 0


def _location_venue(location: str | None) -> ExtractedVenue | None:
    """ "The Tin Room, 123 Main St, Seattle" -> that venue; an address alone names no venue."""
    if not location or _HOUSE_NUMBER_RE.match(location):
        return None
    name, _, rest = location.partition(",")
    name = name.strip()
    if not name:
        return None
    return ExtractedVenue(name=name, address=ExtractedAddress(street=rest.strip()) if rest.strip() else None)
