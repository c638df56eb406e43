"""schema.org items in JSON-LD shape -> the extraction contract (`ExtractionResult`), for one document.

Pure Python (no Django). It never raises on bad input: whatever it cannot read becomes a warning
and mapping carries on with the rest of the document.

What goes where:
- every performance-like event (`schemaorg_values.PERFORMANCE_EVENT_TYPES`: not a broadcast, a
  publication, a screening...) with a name and a parseable startDate -> `performances`, in document
  order, its location as the venue (a set without one: its festival's, by superEvent) and its
  performers in billing order (at most the budget's); one per date of its eventSchedule within the
  horizon; its subEvents and superEvent are events too; an EventSeries only through those;
- a Place without a name is no venue (never named from anything else);
- a Place-like node (MusicVenue, LocalBusiness, BarOrPub...) at the top of a block, in @graph, in an
  ItemList or as a page's mainEntity -> `venues`; its `event`/`events` become performances there;
- a MusicGroup/PerformingGroup in those positions, or a Person at the top of a block or as mainEntity,
  -> `artists` (performers nested inside events are not listed again);
- event URLs and bare ListItem URLs -> `discovered_urls` (kind "detail").
Dates follow `schemaorg_dates` (wall time as written; offset only when the source wrote one), other
values `schemaorg_values`, `text` and `links`.

The items are in JSON-LD shape ({"@type", "@id", property: value or [values]}) with schema.org's bare
terms, whatever syntax or JSON-LD form they came from (`jsonld_forms` brings other forms to it), and
@id references resolve across blocks and syntaxes (`id_key`). The page's first performances are kept
when the budget's count is reached, and the rest of the page is not read (`extraction.budget`): `SchemaOrgMapper` serves the JSON-LD adapter (`jsonld.py`), the microdata and RDFa reader
(`microdata.py`) and the combined HTML extractor (`structured.py`).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError

from extraction.adapters.jsonld_forms import needs_processing, to_schema_shape
from extraction.adapters.lenient_json import looks_like_json, parse_lenient_json
from extraction.adapters.links import (
    SOCIAL_HOSTS,
    absolute_url,
    clear_caches,
    external_ids,
    host_scheme,
    is_url,
)
from extraction.adapters.schedule import schedule_occurrences
from extraction.adapters.schemaorg_dates import ParsedDateTime, load_zone, parse_datetime, parse_time
from extraction.adapters.schemaorg_values import (
    EVENT_SERIES_TYPES,
    GROUP_TYPES,
    PERSON_TYPES,
    VENUE_TYPES,
    as_list,
    currency_code,
    is_event_type,
    is_performance_type,
    schema_types,
    to_integer,
    to_number,
    to_price,
    vocabulary_term,
)
from extraction.adapters.text import clean_text, display_name, plain_text
from extraction.budget import BUDGET_PREFIX, DEFAULT_BUDGET, ExtractionBudget
from extraction.schemas import (
    Billing,
    DiscoveredUrl,
    EventStatus,
    ExtractedAddress,
    ExtractedArtist,
    ExtractedOffer,
    ExtractedPerformance,
    ExtractedPerformer,
    ExtractedVenue,
    ExtractionResult,
)

type Node = dict[str, object]

# Bounds that keep adversarial input cheap: every loop below is linear and capped.
MAX_DEPTH = 40
MAX_NODE_VISITS = 200_000
MAX_WARNINGS = 100
MAX_IMAGES = 10
# Recurring events (eventSchedule) are expanded from the reference date (the page's fetch date) to
# this many days after it, unless the caller says otherwise (EXTRACTION_HORIZON_DAYS in the pipeline).
DEFAULT_HORIZON_DAYS = 180

# Strings some CMSs write where a performer object belongs (Tixr writes "performer": "Organization").
_PLACEHOLDER_NAMES = frozenset(
    {"organization", "person", "musicgroup", "performinggroup", "thing", "tba", "tbd", "to be announced"}
)

# Place names that say there is no one venue: "Varies - Please check tickets for venue location."
_NO_VENUE_RE = re.compile(
    r"(?:varies|various (?:locations|venues)|tb[acd]|to be (?:announced|confirmed|determined)"
    r"|(?:location|venue) (?:tb[acd]|to be announced))\b",
    re.IGNORECASE,
)

_STATUSES = {
    "eventscheduled": EventStatus.SCHEDULED,
    "eventpostponed": EventStatus.POSTPONED,
    "eventrescheduled": EventStatus.RESCHEDULED,
    "eventcancelled": EventStatus.CANCELLED,
    "eventcanceled": EventStatus.CANCELLED,
    "eventmovedonline": EventStatus.MOVED_ONLINE,
}
_BILLINGS = {
    "headliner": Billing.HEADLINER,
    "headline": Billing.HEADLINER,
    "co-headliner": Billing.CO_HEADLINER,
    "coheadliner": Billing.CO_HEADLINER,
    "co_headliner": Billing.CO_HEADLINER,
    "support": Billing.SUPPORT,
    "opener": Billing.SUPPORT,
    "opening act": Billing.SUPPORT,
    "guest": Billing.GUEST,
    "special guest": Billing.GUEST,
}
_COUNTRY_FIXES = {"UK": "GB", "USA": "US"}


# ---------------------------------------------------------------------------------------------
# Walking the documents


@dataclass
class _Context:
    base_url: str | None
    zone: ZoneInfo | None
    window: tuple[dt.date, dt.date]  # recurring events are expanded within these dates
    budget: ExtractionBudget = DEFAULT_BUDGET
    full: bool = False  # the page's performance budget is spent: nothing more is read
    index: dict[str, Node] = field(default_factory=dict)  # @id -> node, across all blocks
    visits: int = 0
    venues: list[ExtractedVenue] = field(default_factory=list)
    artists: list[ExtractedArtist] = field(default_factory=list)
    performances: list[ExtractedPerformance] = field(default_factory=list)
    urls: list[DiscoveredUrl] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seen: set[tuple[object, ...]] = field(default_factory=set)  # dedup keys of everything emitted
    # Places and performers already read, by content (`_content_key`): a listing repeats them.
    venue_cache: dict[str, ExtractedVenue | None] = field(default_factory=dict)
    artist_cache: dict[str, ExtractedArtist | None] = field(default_factory=dict)
    performer_cache: dict[tuple[int, Billing | None, int], tuple[ExtractedArtist, ExtractedPerformer]] = (
        field(default_factory=dict)
    )

    def warn(self, message: str) -> None:
        if len(self.warnings) < MAX_WARNINGS and message not in self.warnings:
            self.warnings.append(message)
        elif len(self.warnings) == MAX_WARNINGS:
            self.warnings.append("further warnings suppressed")

    def first_time(self, key: tuple[object, ...]) -> bool:
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def resolve(self, node: Node) -> Node:
        """A node given only as {"@id": ...} is replaced by the full node with that @id."""
        node_id = node.get("@id")
        if isinstance(node_id, str) and self.index:
            return self.index.get(id_key(node_id, self.base_url), node)
        return node

    def add_performance(self, performance: ExtractedPerformance) -> None:
        self.performances.append(performance)
        if len(self.performances) >= self.budget.max_performances:
            self.full = True
            self.warn(
                f"{BUDGET_PREFIX}{self.budget.max_performances} performances read; the rest of the page "
                "was not read"
            )

    def discover(self, url: str | None) -> None:
        if url and url != self.base_url and url.startswith("http") and self.first_time(("url", url)):
            self.urls.append(DiscoveredUrl(url=url, kind="detail"))


class SchemaOrgMapper:
    """schema.org items in JSON-LD shape -> the contract, for one document.

    JSON-LD blocks, microdata items and RDFa items of one page go through one mapper, so that they share
    the @id index, the de-duplication of what was emitted and the warnings. Items are indexed per call of
    `add_items`: add the syntaxes that reference each other (a JSON-LD graph) in one call.
    """

    def __init__(
        self,
        *,
        url: str | None,
        default_timezone: str | None,
        reference_date: dt.date | None = None,
        horizon_days: int = DEFAULT_HORIZON_DAYS,
        budget: ExtractionBudget = DEFAULT_BUDGET,
    ) -> None:
        # The URL caches serve the repeats within one document (a listing's venue and artist links);
        # emptied here so that nothing carries over from one document to the next.
        clear_caches()
        start = reference_date or dt.datetime.now(dt.UTC).date()
        self._ctx = _Context(
            base_url=url,
            zone=load_zone(default_timezone),
            window=(start, start + dt.timedelta(days=max(0, horizon_days))),
            budget=budget,
        )
        if default_timezone and self._ctx.zone is None:
            self.warn(f"unknown default_timezone {default_timezone!r}; UTC times kept as written")

    @property
    def base_url(self) -> str | None:
        return self._ctx.base_url

    def set_base_href(self, href: str | None) -> None:
        """A page's <base href> becomes the base of its relative URLs."""
        if href:
            self._ctx.base_url = absolute_url(href, self._ctx.base_url) or self._ctx.base_url

    def warn(self, message: str) -> None:
        self._ctx.warn(message)

    def add_jsonld(self, blocks: Sequence[str], *, whole_document: bool = False) -> None:
        """Parse JSON-LD texts (the blocks of a page, or a whole JSON document) and map them."""
        documents: list[object] = []
        for number, block in enumerate(blocks, start=1):
            value, problems = parse_lenient_json(block)
            if isinstance(value, str) and looks_like_json(value):  # JSON encoded twice
                value, problems = parse_lenient_json(value)
            name = "JSON document" if whole_document else f"JSON-LD block {number}"
            for problem in problems:
                self._ctx.warn(f"{name}: {problem}")
            if value is None:
                continue
            if needs_processing(value):  # prefixes, custom terms, expanded form, @reverse...
                shape = to_schema_shape(value, base_url=self._ctx.base_url)
                for problem in shape.warnings:
                    self._ctx.warn(f"{name}: {problem}")
                documents.append(shape.document)
                documents.extend(shape.extra)
            else:
                documents.append(value)
        self.add_items(documents, has_ids=any("@id" in block for block in blocks))

    def add_items(self, documents: Sequence[object], *, has_ids: bool = True) -> None:
        """Map already-parsed items (dicts in JSON-LD shape, or lists of them), in document order.

        `has_ids=False` says that no item has an "@id" (the caller knows it from the source text):
        the @id index is then not built.
        """
        ctx = self._ctx
        if has_ids:
            for document in documents:
                _index_ids(document, ctx, 0)
        for document in documents:
            if ctx.full:
                break
            _visit(document, ctx, role="top", depth=0)

    def result(self) -> ExtractionResult:
        ctx = self._ctx
        return ExtractionResult(
            venues=ctx.venues,
            artists=ctx.artists,
            performances=ctx.performances,
            discovered_urls=ctx.urls,
            warnings=ctx.warnings,
        )


def id_key(node_id: str, base_url: str | None) -> str:
    """The key of an @id in the index: a relative reference ("#venue") resolved against the page,
    so that "#venue" in one syntax finds "https://page/#venue" in another; blank nodes as written."""
    if node_id.startswith("_:") or base_url is None:
        return node_id
    return absolute_url(node_id, base_url) or node_id


def _index_ids(value: object, ctx: _Context, depth: int) -> None:
    """Record every node that has an @id and content, merging split descriptions of one @id."""
    if depth > MAX_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            _index_ids(item, ctx, depth + 1)
    elif isinstance(value, dict):
        node_id = value.get("@id")
        if isinstance(node_id, str) and any(not key.startswith("@") for key in value):
            key = id_key(node_id, ctx.base_url)
            known = ctx.index.get(key)
            if known is None:
                ctx.index[key] = value
            elif known is not value:
                ctx.index[key] = _merge_descriptions(known, value)
        for child in value.values():
            if isinstance(child, dict | list):
                _index_ids(child, ctx, depth + 1)


def _merge_descriptions(known: Node, other: Node) -> Node:
    """One node from two descriptions of one @id: the first's values first, the second's added
    (a property both give, such as the acts that each point at one event, keeps all values)."""
    merged = dict(known)
    for key, value in other.items():
        if key not in merged or key in ("@id", "@context"):
            merged.setdefault(key, value)
            continue
        mine = merged[key]
        if mine is value or mine == value:
            continue
        values = as_list(mine) + [
            item for item in as_list(value) if not any(item is m for m in as_list(mine))
        ]
        merged[key] = values
    return merged


# Where a node sits decides whether a Place or a MusicGroup there is the page's subject:
# "top" (a block's root), "graph" (@graph), "list" (ItemList), "main" (mainEntity), "nested".
_CHILD_ROLES = {"@graph": "graph", "itemListElement": "list", "item": "list", "mainEntity": "main"}


def _visit(value: object, ctx: _Context, *, role: str, depth: int) -> None:
    ctx.visits += 1
    if depth > MAX_DEPTH or ctx.visits > MAX_NODE_VISITS or ctx.full:
        if ctx.visits == MAX_NODE_VISITS + 1:
            ctx.warn("document too large or too deep; the rest was not read")
        return
    if isinstance(value, list):
        for item in value:
            _visit(item, ctx, role=role, depth=depth + 1)
        return
    if not isinstance(value, dict):
        return
    node = ctx.resolve(value)
    node_id = node.get("@id")
    if isinstance(node_id, str) and not ctx.first_time(("walk", node_id, role)):
        return  # a node referenced from several places is walked once per role
    types = schema_types(node)
    if is_event_type(types):
        _add_event(node, ctx, venue=None, depth=depth)
    elif role != "nested" and types & VENUE_TYPES:
        _add_standalone_venue(node, ctx, depth)
    elif role != "nested" and _is_main_artist(types, role):
        _add_standalone_artist(node, ctx, depth)
    else:
        _visit_children(node, types, ctx, role=role, depth=depth)


def _visit_children(node: Node, types: frozenset[str], ctx: _Context, *, role: str, depth: int) -> None:
    if "BreadcrumbList" in types:
        return  # breadcrumbs link to parent pages, not to events
    if "ListItem" in types and _get(node, "item") is None:
        ctx.discover(_url(_get(node, "url"), ctx))  # an ItemList of links to detail pages
    for key, child in node.items():
        if key in ("@context", "@id", "@type") or not isinstance(child, dict | list | str):
            continue
        if isinstance(child, str):
            if key == "item" and "ListItem" in types:
                ctx.discover(_url(child, ctx))
            continue
        child_role = _CHILD_ROLES.get(key, "nested") if role != "nested" else "nested"
        _visit(child, ctx, role=child_role, depth=depth + 1)


def _add_standalone_venue(node: Node, ctx: _Context, depth: int) -> None:
    venue = _venue(node, ctx, "venue")
    if venue is not None and ctx.first_time(("venue", venue.source_key or venue.name.casefold())):
        ctx.venues.append(venue)
    for event in as_list(_get(node, "event") or _get(node, "events")):
        if isinstance(event, dict):
            _add_event(ctx.resolve(event), ctx, venue=venue, depth=depth + 1)


def _add_standalone_artist(node: Node, ctx: _Context, depth: int) -> None:
    artist = _artist(node, ctx, "artist")
    if artist is not None and ctx.first_time(("artist", artist.source_key or artist.name.casefold())):
        ctx.artists.append(artist)
    for event in as_list(_get(node, "event") or _get(node, "events")):  # an artist page's tour dates
        if isinstance(event, dict):
            _add_event(ctx.resolve(event), ctx, venue=None, depth=depth + 1, artist=artist)


# ---------------------------------------------------------------------------------------------
# Entities


def _add_event(
    node: Node,
    ctx: _Context,
    *,
    venue: ExtractedVenue | None,
    depth: int,
    artist: ExtractedArtist | None = None,
) -> None:
    """Add an event as its performances; `venue` and `artist` are the enclosing page's, used when the
    event names none.

    Only performance types become performances (`schemaorg_values.PERFORMANCE_EVENT_TYPES`): a
    broadcast, a publication or a screening is skipped with what it holds. A series is no show itself,
    its sub-events and schedule are. An event with an `eventSchedule` is one performance per date of
    the schedule within the horizon. A festival's sets (`subEvent`) and a set's festival
    (`superEvent`) are events too, and a set without a location is at its festival's.
    """
    node_id = node.get("@id")
    ctx.visits += 1
    if ctx.full or ctx.visits > MAX_NODE_VISITS:
        return
    if isinstance(node_id, str) and not ctx.first_time(("event", id_key(node_id, ctx.base_url))):
        return  # an event referenced from several places (or from itself) is read once
    types = schema_types(node)
    performance_like = is_performance_type(types)
    is_series = bool(types & EVENT_SERIES_TYPES)
    if not performance_like and not is_series:
        return  # a broadcast, a publication, a course...: neither it nor what it holds is a show
    super_events = [ctx.resolve(item) for item in as_list(_get(node, "superEvent")) if isinstance(item, dict)]
    if venue is None and _get(node, "location") is None:
        for super_event in super_events:
            venue = _location(_get(super_event, "location"), ctx, "superEvent")
            if venue is not None:
                break
    performances: list[ExtractedPerformance] = []
    schedules = [item for item in as_list(_get(node, "eventSchedule")) if isinstance(item, dict)]
    if schedules:
        performances = _scheduled_performances(node, schedules, ctx, venue, artist)
    elif performance_like:
        performance = _performance(node, ctx, venue, artist)
        performances = [performance] if performance is not None else []
    for performance in performances:
        key = (
            "performance", performance.source_key, performance.name, performance.local_date,
            performance.local_start_time, performance.venue.name if performance.venue else None,
        )  # fmt: skip
        if ctx.first_time(key) and not ctx.full:
            ctx.add_performance(performance)
    if depth >= MAX_DEPTH:
        return
    # A festival's acts, a series' dates: at the parent's venue unless they say otherwise.
    if performances:
        parent_venue = performances[0].venue
    else:
        parent_venue = _location(_get(node, "location"), ctx, "event series") or venue
    for sub_event in as_list(_get(node, "subEvent") or _get(node, "subEvents")):
        if isinstance(sub_event, dict):
            _add_event(ctx.resolve(sub_event), ctx, venue=parent_venue, depth=depth + 1)
    for super_event in super_events:
        _add_event(super_event, ctx, venue=None, depth=depth + 1)


def _scheduled_performances(
    node: Node,
    schedules: list[Node],
    ctx: _Context,
    venue: ExtractedVenue | None,
    artist: ExtractedArtist | None,
) -> list[ExtractedPerformance]:
    """One performance per occurrence of the event's schedules within the horizon."""
    start_text = clean_text(_get(node, "startDate"))
    event_start = parse_datetime(start_text, zone=ctx.zone) if start_text else None
    label = f"event {display_name(_get(node, 'name'))!r}"
    window_start, window_end = ctx.window
    starts: list[ParsedDateTime] = []
    for schedule in schedules[:20]:
        starts.extend(
            schedule_occurrences(
                ctx.resolve(schedule),
                event_start=event_start,
                window_start=window_start,
                window_end=window_end,
                limit=ctx.budget.max_occurrences,
                warn=lambda message: ctx.warn(f"{label} {message}"),
            )
        )
    performances = []
    for start in sorted(set(starts), key=lambda s: (s.local_date, s.local_time or dt.time())):
        performance = _performance(node, ctx, venue, artist, start=start)
        if performance is not None:
            performances.append(performance)
    return performances


def _performance(
    node: Node,
    ctx: _Context,
    inherited_venue: ExtractedVenue | None,
    inherited_artist: ExtractedArtist | None,
    *,
    start: ParsedDateTime | None = None,
) -> ExtractedPerformance | None:
    """One performance; `start` is one occurrence of a recurring event (else its startDate)."""
    url = _url(_get(node, "url"), ctx)
    ctx.discover(url)
    name = display_name(_get(node, "name"))
    if name is None:
        ctx.warn(f"event {_describe(node, url)}: no name; skipped")
        return None
    label = f"event {name!r}"
    occurrence = start is not None
    if start is None:
        start_text = clean_text(_get(node, "startDate"))
        start = parse_datetime(start_text, zone=ctx.zone) if start_text else None
        if start is None:
            problem = f"unparseable startDate {start_text!r}" if start_text else "no startDate"
            ctx.warn(f"{label}{f' <{url}>' if url else ''}: {problem}; skipped")
            return None
    # Absent properties (None) skip their readers, which would return these same empty values.
    # Readers that warn run in the original order (offers, location, performers, doors, status,
    # previous dates) so that the warnings come out in the same order.
    offers = [] if (value := _get(node, "offers")) is None else _offers(value, ctx, label)
    source_key = _node_id(node, ctx) or url
    if occurrence and source_key:  # each date of a recurring event is its own listing
        source_key = f"{source_key}#{start.local_date.isoformat()}"
    fields: Node = {
        "source_key": source_key,
        "name": name,
        "venue": _location(_get(node, "location"), ctx, label) or inherited_venue,
        "performers": _performers(_get(node, "performer") or _get(node, "performers"), ctx, label)
        or ([ExtractedPerformer(artist=inherited_artist)] if inherited_artist else []),
        "local_date": start.local_date,
        "local_start_time": start.local_time,
        "local_doors_time": None
        if (value := _get(node, "doorTime")) is None
        else _doors_time(value, ctx, label),
        "utc_offset_minutes": start.utc_offset_minutes,
        "time_precision": start.precision,
        "status": EventStatus.SCHEDULED
        if (value := _get(node, "eventStatus")) is None
        else _status(value, ctx, label),
        "previous_local_dates": []
        if (value := _get(node, "previousStartDate")) is None
        else _previous_dates(value, ctx, label),
        "ticket_status": _ticket_status(offers) if offers else None,
        "offers": offers,
        "url": url,
        "description": None if (value := _get(node, "description")) is None else plain_text(value),
        "image_urls": [] if (value := _get(node, "image")) is None else _images(value, ctx),
        "external_ids": {} if (value := _get(node, "sameAs")) is None else external_ids(_urls(value, ctx)),
    }
    return _build(ExtractedPerformance, fields, ctx, label)


def _location(value: object, ctx: _Context, label: str) -> ExtractedVenue | None:
    """The first usable place among an event's locations (a VirtualLocation is not a venue)."""
    for item in as_list(value):
        if isinstance(item, dict) and "VirtualLocation" in schema_types(ctx.resolve(item)):
            continue
        key = _content_key(item)
        if key is not None and key in ctx.venue_cache:  # listings repeat one place for every event
            venue = ctx.venue_cache[key]
        else:
            venue = _venue(item, ctx, f"{label} location")
            if key is not None:
                ctx.venue_cache[key] = venue
        if venue is not None:
            return venue
    return None


def _content_key(value: object) -> str | None:
    """A key for a small value's content, to read the same place or performer once per document.

    Only strings and objects whose values are scalars, lists of scalars or such objects one level
    down (a Place with its PostalAddress and GeoCoordinates) get one; anything bigger, or with an
    @id (which may resolve differently), is read every time.
    """
    if isinstance(value, str):
        return value
    if not isinstance(value, dict) or "@id" in value or not _is_shallow(value, 1):
        return None
    return repr(value)


def _is_shallow(node: Node, depth: int) -> bool:
    for child in node.values():
        if type(child) in _SCALAR_TYPES:  # most values: one set lookup instead of three isinstance()
            continue
        if isinstance(child, dict):
            if depth == 0 or not _is_shallow(child, depth - 1):
                return False
        elif isinstance(child, list):
            if not all(isinstance(item, _SCALARS) for item in child):
                return False
        elif not isinstance(child, _SCALARS):
            return False
    return True


_SCALARS = (str, int, float, type(None))
_SCALAR_TYPES = frozenset({str, int, float, bool, type(None)})  # exact types; subclasses take the long way


def _venue(value: object, ctx: _Context, label: str) -> ExtractedVenue | None:
    if isinstance(value, str):
        name = display_name(value)
        no_venue = name is None or is_url(name) or _NO_VENUE_RE.match(name)
        return None if no_venue else ExtractedVenue(name=name)
    if not isinstance(value, dict):
        return None
    node = ctx.resolve(value)
    raw_name = _get(node, "name")
    name = display_name(raw_name)
    if name is None:
        if raw_name is None:  # never named from anything else (a link's text says something else)
            ctx.warn("a place without a name is no venue; left out")
        else:
            ctx.warn(f"{label}: place without a usable name ({raw_name!r:.40}); venue skipped")
        return None
    if _NO_VENUE_RE.match(name):
        return None  # the source says so on purpose: nothing to warn about
    same_as = [] if (value := _get(node, "sameAs")) is None else _urls(value, ctx)
    url = _url(_get(node, "url"), ctx)
    latitude, longitude = _coordinates(node, ctx, f"{label} {name!r}")
    capacity = _get(node, "maximumAttendeeCapacity")
    fields: Node = {
        "source_key": _node_id(node, ctx) or url or next(iter(same_as), None),
        "name": name,
        "address": _address(_get(node, "address")),
        "latitude": latitude,
        "longitude": longitude,
        "phone": clean_text(_get(node, "telephone")),
        "website": url or next((link for link in same_as if host_scheme(link) is None), None),
        "socials": [link for link in same_as if host_scheme(link, SOCIAL_HOSTS)],
        "capacity": None if capacity is None else to_integer(capacity),
        "external_ids": external_ids([url, *same_as]),
        "image_urls": []
        if (value := _get(node, "image") or _get(node, "photo")) is None
        else _images(value, ctx),
    }
    return _build(ExtractedVenue, fields, ctx, f"{label} {name!r}")


def _address(value: object) -> ExtractedAddress | None:
    if isinstance(value, list):
        value = next(iter(value), None)
    if isinstance(value, str):
        street = display_name(value)  # an unparsed one-line address: kept whole, the normaliser splits it
        return ExtractedAddress(street=street) if street else None
    if not isinstance(value, dict):
        return None
    parts = {
        "street": _street(value.get("streetAddress")),
        "locality": display_name(value.get("addressLocality")),
        "region": display_name(value.get("addressRegion")),
        "postal_code": display_name(value.get("postalCode")),
        "country": _country(value.get("addressCountry")),
    }
    # Each part is None or non-blank text: the address is empty exactly when all are None.
    return ExtractedAddress(**parts) if any(part is not None for part in parts.values()) else None


def _street(value: object) -> str | None:
    if isinstance(value, list):  # address lines
        return ", ".join(line for line in map(display_name, value) if line) or None
    return display_name(value)


def _country(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("identifier") or value.get("name")
    country = display_name(value)
    if country is None:
        return None
    if len(country) == 2 and country.isalpha():
        country = country.upper()
    return _COUNTRY_FIXES.get(country, country)


def _coordinates(node: Node, ctx: _Context, label: str) -> tuple[float | None, float | None]:
    geo = _get(node, "geo")
    source = geo[0] if isinstance(geo, list) and geo else geo
    source = source if isinstance(source, dict) else node
    latitude = _get(source, "latitude")
    if latitude is None:  # the common case: no coordinates at all
        return None, None
    latitude, longitude = to_number(latitude), to_number(_get(source, "longitude"))
    if latitude is None or longitude is None:
        return None, None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        ctx.warn(f"{label}: coordinates {latitude},{longitude} out of range; dropped")
        return None, None
    if latitude == 0 and longitude == 0:
        ctx.warn(f"{label}: coordinates 0,0 look like a placeholder; dropped")
        return None, None
    return latitude, longitude


def _is_main_artist(types: frozenset[str], role: str) -> bool:
    # A Person in @graph or a list is usually an author or staff member, not the page's subject.
    return bool(types & GROUP_TYPES) or (bool(types & PERSON_TYPES) and role in ("top", "main"))


def _artist(value: object, ctx: _Context, label: str) -> ExtractedArtist | None:
    if isinstance(value, str):
        name = display_name(value)
        if name is None or name.casefold() in _PLACEHOLDER_NAMES:
            return None
        return ExtractedArtist(name=name)
    if not isinstance(value, dict):
        return None
    node = ctx.resolve(value)
    name = display_name(_get(node, "name"))
    if name is None or name.casefold() in _PLACEHOLDER_NAMES:
        ctx.warn(f"{label}: performer without a usable name; skipped")
        return None
    types = schema_types(node)
    url = None if (value := _get(node, "url")) is None else _url(value, ctx)
    genres = _get(node, "genre")
    same_as = [] if (value := _get(node, "sameAs")) is None else _urls(value, ctx)
    fields: Node = {
        "source_key": _node_id(node, ctx) or url,
        "name": name,
        "type": "group" if types & GROUP_TYPES else "person" if types & PERSON_TYPES else None,
        "url": url,
        "genres": []
        if genres is None
        else [genre for genre in map(display_name, as_list(genres)) if genre and not is_url(genre)],
        "external_ids": external_ids([url, *same_as]),
        "image_urls": [] if (image := _get(node, "image")) is None else _images(image, ctx),
    }
    return _build(ExtractedArtist, fields, ctx, f"{label} {name!r}")


class _Unread(enum.Enum):
    UNREAD = 0  # a cache miss, told apart from a cached None ("no usable performer")


_UNREAD = _Unread.UNREAD


def _performers(value: object, ctx: _Context, label: str) -> list[ExtractedPerformer]:
    """Performers in the order listed (the billing order); a schema.org Role may say the billing."""
    performers: list[ExtractedPerformer] = []
    names: set[str] = set()
    items = as_list(value)
    limit = ctx.budget.max_performers
    if len(items) > limit:
        ctx.warn(f"{BUDGET_PREFIX}{label} lists {len(items)} performers; the first {limit} read")
    for item in items:
        if len(performers) >= limit:
            break
        billing = None
        if isinstance(item, dict) and (role := _get(item, "roleName")) is not None:
            billing = _BILLINGS.get((clean_text(role) or "").casefold())
            item = _get(item, "performer") or item  # a PerformanceRole wraps the performer
        key = _content_key(item)
        # An artist page lists itself on every date: read each performer once per document.
        artist = _UNREAD if key is None else ctx.artist_cache.get(key, _UNREAD)
        if artist is _UNREAD:
            artist = _artist(item, ctx, f"{label} performer")
            if key is not None:
                ctx.artist_cache[key] = artist
        if artist is None:
            continue
        folded = artist.name.casefold()
        if folded in names:
            continue
        names.add(folded)
        # One performer object per artist, billing and position in the document: an artist's page
        # bills it first on every date. The cache holds the artist, so its id() stays its own.
        performer_key = (id(artist), billing, len(performers))
        cached = ctx.performer_cache.get(performer_key)
        if cached is None or cached[0] is not artist:
            performer = ExtractedPerformer(artist=artist, billing=billing, order=len(performers))
            ctx.performer_cache[performer_key] = (artist, performer)
        else:
            performer = cached[1]
        performers.append(performer)
    return performers


def _offers(value: object, ctx: _Context, label: str) -> list[ExtractedOffer]:
    offers: list[ExtractedOffer] = []
    for item in _flatten_offers(value, depth=0):
        specification = _get(item, "priceSpecification")
        specification = (
            specification[0] if isinstance(specification, list) and specification else specification
        )
        price = _get(item, "price")
        priced = item
        if isinstance(specification, dict) and price is None:
            priced = specification
            price = _get(specification, "price")
        # Absent properties (None) skip their readers, which would return None for them.
        low, high = _get(item, "lowPrice"), _get(item, "highPrice")
        currency = _get(priced, "priceCurrency") or _get(item, "priceCurrency")
        availability = _get(item, "availability")
        fields: Node = {
            "url": _url(_get(item, "url"), ctx),
            "price": None if price is None else to_price(price),
            "min_price": None if low is None else to_price(low),
            "max_price": None if high is None else to_price(high),
            "currency": None if currency is None else currency_code(currency),
            "availability": None if availability is None else vocabulary_term(availability),
        }
        if any(value is not None for value in fields.values()):
            offer = _build(ExtractedOffer, fields, ctx, f"{label} offer")
            if offer is not None and offer not in offers:  # ticket types at one price are one offer here
                offers.append(offer)
    return offers


def _flatten_offers(value: object, depth: int) -> Iterator[Node]:
    for item in as_list(value):
        if isinstance(item, dict):
            yield item
            if depth < 3:  # an AggregateOffer may list its offers
                yield from _flatten_offers(_get(item, "offers"), depth + 1)


def _ticket_status(offers: list[ExtractedOffer]) -> str | None:
    """The offers' availability when they all agree ("soldout"), else unknown."""
    states = {offer.availability for offer in offers if offer.availability}
    return states.pop() if len(states) == 1 else None


def _status(value: object, ctx: _Context, label: str) -> EventStatus:
    tail = vocabulary_term(value)
    if tail is None:
        return EventStatus.SCHEDULED
    status = _STATUSES.get(tail)
    if status is None:
        ctx.warn(f"{label}: unknown eventStatus {clean_text(value)!r}; taken as scheduled")
        return EventStatus.SCHEDULED
    return status


def _doors_time(value: object, ctx: _Context, label: str) -> dt.time | None:
    text = clean_text(value)
    if text is None:
        return None
    doors = parse_time(text, zone=ctx.zone)
    if doors is None:
        ctx.warn(f"{label}: unparseable doorTime {text!r}; ignored")
    return doors


def _previous_dates(value: object, ctx: _Context, label: str) -> list[dt.date]:
    dates: list[dt.date] = []
    for item in as_list(value):
        text = clean_text(item)
        parsed = parse_datetime(text, zone=ctx.zone) if text else None
        if parsed is None:
            ctx.warn(f"{label}: unparseable previousStartDate {text!r}; ignored")
        elif parsed.local_date not in dates:
            dates.append(parsed.local_date)
    return dates


def _build[M: BaseModel](model: type[M], fields: Node, ctx: _Context, label: str) -> M | None:
    """Validate one entity; an invalid field is dropped (with a warning), then the entity if need be."""
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        errors = exc.errors()
    bad = sorted({str(error["loc"][0]) for error in errors if error["loc"]})
    ctx.warn(f"{label}: invalid {', '.join(bad)} ({errors[0]['msg']}); dropped")
    try:
        return model.model_validate({key: value for key, value in fields.items() if key not in bad})
    except ValidationError:
        ctx.warn(f"{label}: skipped")
        return None


# ---------------------------------------------------------------------------------------------
# Values of a node (text, numbers and dates come from `text`, `schemaorg_values`, `schemaorg_dates`)


def _get(node: Node, key: str) -> object:
    """node[key], else node[Key]: some CMSs capitalise properties ("Location", "Organizer")."""
    value = node.get(key)
    if value is None:
        return node.get(_CAPITALISED[key])
    return value


class _Capitalised(dict[str, str]):
    """ "location" -> "Location", computed once per property name (the names are the code's own)."""

    def __missing__(self, key: str) -> str:
        value = self[key] = key[:1].upper() + key[1:]
        return value


_CAPITALISED = _Capitalised()


def _describe(node: Node, url: str | None) -> str:
    return repr(url or clean_text(node.get("@id")) or clean_text(_get(node, "startDate")) or "without url")


def _url(value: object, ctx: _Context) -> str | None:
    if isinstance(value, dict):
        value = value.get("@id") or _get(value, "url")
    text = clean_text(value)
    if text is None or len(text.split()) != 1:
        return None  # empty, or prose in a URL field
    return absolute_url(text, ctx.base_url)


def _urls(value: object, ctx: _Context) -> list[str]:
    if type(value) is str:  # one link, the common case
        link = _url(value, ctx)
        return [link] if link else []
    links = (_url(item, ctx) for item in as_list(value))
    return list(dict.fromkeys(link for link in links if link))


def _node_id(node: Node, ctx: _Context) -> str | None:
    node_id = node.get("@id")
    if not isinstance(node_id, str) or node_id.startswith("_:"):
        return None  # blank node ids are not stable between fetches
    return _url(node_id, ctx) or clean_text(node_id)


def _images(value: object, ctx: _Context) -> list[str]:
    links: list[str] = []
    for item in as_list(value):
        link = (
            _url(_get(item, "contentUrl") or _get(item, "url"), ctx)
            if isinstance(item, dict)
            else _url(item, ctx)
        )
        if link and link not in links:
            links.append(link)
    return links[:MAX_IMAGES]
