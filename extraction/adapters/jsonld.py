"""schema.org JSON-LD adapter: an HTML page (or a JSON-LD document) -> `ExtractionResult`.

Pure Python (no Django). It never raises on bad input: whatever it cannot read becomes a warning
and extraction carries on with the rest of the document.

What goes where:
- every Event (any @type ending in "Event", or Festival) with a name and a parseable startDate
  -> `performances`, in document order, its location as the venue and its performers in billing order;
- a Place-like node (MusicVenue, LocalBusiness, BarOrPub...) at the top of a block, in @graph, in an
  ItemList or as a page's mainEntity -> `venues`; its `event`/`events` become performances there;
- a MusicGroup/PerformingGroup in those positions, or a Person at the top of a block or as mainEntity,
  -> `artists` (performers nested inside events are not listed again);
- event URLs and bare ListItem URLs -> `discovered_urls` (kind "detail").
Dates follow `schemaorg_dates` (wall time as written; offset only when the source wrote one).

The mapping works on schema.org items in JSON-LD shape ({"@type", "@id", property: value or [values]}),
whatever syntax they came from: `SchemaOrgMapper` is shared with the microdata and RDFa reader
(`microdata.py`) and the combined HTML extractor (`structured.py`).
"""

from __future__ import annotations

import codecs
import datetime as dt
import enum
import functools
import html
import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError
from selectolax.lexbor import LexborHTMLParser

from extraction.adapters.schemaorg_dates import load_zone, parse_datetime, parse_time
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

EXTRACTOR_NAME = "jsonld"
EXTRACTOR_VERSION = "1"

type Node = dict[str, object]

# Bounds that keep adversarial input cheap: every loop below is linear and capped.
MAX_BLOCK_CHARS = 5_000_000
MAX_VALUES_PER_BLOCK = 1_000
MAX_DEPTH = 40
MAX_NODE_VISITS = 200_000
MAX_WARNINGS = 100
MAX_DESCRIPTION_CHARS = 10_000
MAX_IMAGES = 10

_EVENT_TYPES_EXTRA = frozenset({"Festival", "Hackathon"})
_VENUE_TYPES = frozenset(
    {
        "Place", "MusicVenue", "EventVenue", "NightClub", "BarOrPub", "LocalBusiness",
        "EntertainmentBusiness", "ComedyClub", "PerformingArtsTheater", "StadiumOrArena",
        "CivicStructure", "Restaurant", "FoodEstablishment", "Brewery", "Winery", "Distillery",
        "CafeOrCoffeeShop", "Casino", "Park", "Museum", "ArtGallery", "AmusementPark",
        "PlaceOfWorship", "Church", "Library", "Hotel", "TouristAttraction",
    }
)  # fmt: skip
_GROUP_TYPES = frozenset({"MusicGroup", "PerformingGroup", "DanceGroup", "TheaterGroup"})
_PERSON_TYPES = frozenset({"Person"})
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
_CURRENCY_SYMBOLS = {"€": "EUR", "£": "GBP"}  # "$" and "¥" are ambiguous: left unknown
_COUNTRY_FIXES = {"UK": "GB", "USA": "US"}

# Host (suffix) -> external id scheme. Socials go to a venue's `socials`, the rest to `external_ids`.
_ID_HOSTS = {
    "musicbrainz.org": "musicbrainz",
    "wikidata.org": "wikidata",
    "songkick.com": "songkick",
    "bandsintown.com": "bandsintown",
    "spotify.com": "spotify",
    "discogs.com": "discogs",
    "last.fm": "lastfm",
    "setlist.fm": "setlistfm",
    "jambase.com": "jambase",
    "wikipedia.org": "wikipedia",
    "allmusic.com": "allmusic",
    "bandcamp.com": "bandcamp",
    "soundcloud.com": "soundcloud",
}
_SOCIAL_HOSTS = {
    "facebook.com": "facebook",
    "instagram.com": "instagram",
    "twitter.com": "twitter",
    "x.com": "twitter",
    "tiktok.com": "tiktok",
    "youtube.com": "youtube",
    "threads.net": "threads",
    "bsky.app": "bluesky",
}
_ALL_HOSTS = {**_ID_HOSTS, **_SOCIAL_HOSTS}
# Scheme -> pattern whose last group is the source's own id inside the URL.
_ID_PATTERNS = {
    "musicbrainz": re.compile(r"/(?:artist|place|event|area|label)/([0-9a-f-]{36})"),
    "wikidata": re.compile(r"/(Q\d+)"),
    "songkick": re.compile(r"/(?:artists|venues|concerts|festivals)/(\d+)"),
    "spotify": re.compile(r"/artist/([A-Za-z0-9]+)"),
    "bandsintown": re.compile(r"/[aveg]/(\d+)"),
}


# ---------------------------------------------------------------------------------------------
# Public API


def extract_jsonld(
    body: bytes | str, *, url: str | None = None, default_timezone: str | None = None
) -> ExtractionResult:
    """Extract venues, artists and performances from the JSON-LD of an HTML page or JSON document.

    `url` is the document's address (relative URLs are resolved against it). `default_timezone` is
    the IANA zone of the page's venues, if the caller knows it: UTC ("Z") times are then converted to
    that zone's wall time (see `schemaorg_dates`).
    """
    try:
        return _extract(body, url=url, default_timezone=default_timezone)
    except Exception as exc:  # the contract is "never raise on bad input"; a bug still shows here
        return ExtractionResult(warnings=[f"jsonld: unexpected {type(exc).__name__}: {exc}"])


def decode_body(body: bytes | str) -> str:
    """Bytes -> text: a BOM or a <meta charset> in the first 4 KB wins, else UTF-8 (bad bytes replaced)."""
    if isinstance(body, str):
        return body.removeprefix("\ufeff")
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):  # fmt: skip
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace")
    return body.decode(_declared_charset(body[:4096]) or "utf-8", errors="replace")


def find_jsonld_blocks(page: str) -> list[str]:
    """The text of every <script type="application/ld+json"> in an HTML page, in document order."""
    return _scan_html(page)[0]


def parse_lenient_json(text: str) -> tuple[object | None, list[str]]:
    """Parse JSON as browsers' JSON-LD consumers tolerate it; return (value, problems).

    Strict json first (fast path). Then, keeping character positions so that errors point at the
    original text: comments (/* */, //, <!-- -->), CDATA markers and stray control characters become
    spaces, invalid escapes like \\' lose their backslash, trailing commas go. Several concatenated
    values are all returned, as a list. Work is linear in the input and capped.
    """
    try:
        return json.loads(text, strict=False), []
    except (ValueError, RecursionError):
        pass
    if len(text) > MAX_BLOCK_CHARS:
        return None, [f"too large to repair ({len(text)} characters)"]
    values, problems = _decode_all(_repair_json(text))
    if not values:
        return None, problems
    return (values[0] if len(values) == 1 else values), problems


# ---------------------------------------------------------------------------------------------
# Documents and JSON-LD blocks

_META_CHARSET_RE = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_JSONLD_HINT_RE = re.compile(r"ld\+json", re.I)


def _declared_charset(head: bytes) -> str | None:
    match = _META_CHARSET_RE.search(head)
    if match is None:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return None
    if name.startswith("utf-16"):  # a page that can declare itself in ASCII is not UTF-16 (WHATWG)
        return "utf-8"
    return "cp1252" if name in {"latin-1", "iso8859-1", "ascii"} else name  # what browsers do


def _scan_html(page: str) -> tuple[list[str], str | None]:
    """(JSON-LD block texts, <base href>) from one parse of the page."""
    if not _JSONLD_HINT_RE.search(page):
        return [], None  # most pages without JSON-LD never need a parse
    tree = LexborHTMLParser(page)
    blocks = [node.text(deep=True) for node in tree.css("script[type]") if is_jsonld_script(node.attributes)]
    base = tree.css_first("base[href]")
    return blocks, (base.attributes.get("href") if base is not None else None)


def is_jsonld_script(attributes: Mapping[str, str | None]) -> bool:
    """Whether a <script>'s attributes make it a JSON-LD block (type "application/ld+json; ...")."""
    return (attributes.get("type") or "").split(";")[0].strip().lower() == "application/ld+json"


_JSON_START_RE = re.compile(r"\s*[\[{]")


def looks_like_json(text: str) -> bool:
    """Whether a text starts (after blanks) like a JSON object or array."""
    return _JSON_START_RE.match(text) is not None


# ---------------------------------------------------------------------------------------------
# Lenient JSON

_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\Z)'  # an unterminated string runs to the end: stays linear
_CLEAN_RE = re.compile(
    rf"(?P<string>{_STRING})"
    r"|(?P<comment>/\*[\s\S]*?(?:\*/|\Z)|//[^\n]*)"
    r"|(?P<marker><!\[CDATA\[|\]\]>|<!--|-->)"
    r"|(?P<control>[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+)",
    re.DOTALL,
)
_TRAILING_COMMA_RE = re.compile(rf"(?P<string>{_STRING})|,(?=\s*[}}\]])", re.DOTALL)
_ESCAPE_RE = re.compile(r'\\(u[0-9a-fA-F]{4}|["\\/bfnrt])|\\(.)', re.DOTALL)
_SEPARATORS_RE = re.compile(r"[\s,;]*")
_NOT_NEWLINE_RE = re.compile(r"[^\n]")


def _repair_json(text: str) -> str:
    return _TRAILING_COMMA_RE.sub(_drop_trailing_comma, _CLEAN_RE.sub(_clean_token, text))


def _clean_token(match: re.Match[str]) -> str:
    token = match.group(0)
    if match.lastgroup == "string":
        return _ESCAPE_RE.sub(_fix_escape, token) if "\\" in token else token
    return _NOT_NEWLINE_RE.sub(" ", token)  # blank it out, keep line numbers


def _fix_escape(match: re.Match[str]) -> str:
    return match.group(0) if match.group(1) else match.group(2)  # \' -> '


def _drop_trailing_comma(match: re.Match[str]) -> str:
    return match.group(0) if match.lastgroup == "string" else " "


def _decode_all(text: str) -> tuple[list[object], list[str]]:
    decoder = json.JSONDecoder(strict=False)
    values: list[object] = []
    position = 0
    while True:
        separators = _SEPARATORS_RE.match(text, position)
        position = separators.end() if separators else position
        if position >= len(text):
            return values, []
        if len(values) >= MAX_VALUES_PER_BLOCK:
            return values, [f"more than {MAX_VALUES_PER_BLOCK} JSON values; the rest ignored"]
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            return values, [f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"]
        except RecursionError:
            return values, ["invalid JSON: nested too deeply"]
        except ValueError as exc:  # e.g. an integer longer than Python's int-from-string limit
            return values, [f"invalid JSON: {exc}"]
        values.append(value)


# ---------------------------------------------------------------------------------------------
# Walking the documents


@dataclass
class _Context:
    base_url: str | None
    zone: ZoneInfo | None
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
        if isinstance(node_id, str) and node_id in self.index:
            return self.index[node_id]
        return node

    def discover(self, url: str | None) -> None:
        if url and url != self.base_url and url.startswith("http") and self.first_time(("url", url)):
            self.urls.append(DiscoveredUrl(url=url, kind="detail"))


def _extract(body: bytes | str, *, url: str | None, default_timezone: str | None) -> ExtractionResult:
    text = decode_body(body)
    mapper = SchemaOrgMapper(url=url, default_timezone=default_timezone)
    if looks_like_json(text):
        mapper.add_jsonld([text], whole_document=True)
    else:
        blocks, base_href = _scan_html(text)
        mapper.set_base_href(base_href)
        mapper.add_jsonld(blocks)
    return mapper.result()


class SchemaOrgMapper:
    """schema.org items in JSON-LD shape -> the contract, for one document.

    JSON-LD blocks, microdata items and RDFa items of one page go through one mapper, so that they share
    the @id index, the de-duplication of what was emitted and the warnings. Items are indexed per call of
    `add_items`: add the syntaxes that reference each other (a JSON-LD graph) in one call.
    """

    def __init__(self, *, url: str | None, default_timezone: str | None) -> None:
        # The URL caches serve the repeats within one document (a listing's venue and artist links);
        # emptied here so that nothing carries over from one document to the next.
        for cache in (_absolute, _host_suffixes, _url_path):
            cache.cache_clear()
        self._ctx = _Context(base_url=url, zone=load_zone(default_timezone))
        if default_timezone and self._ctx.zone is None:
            self.warn(f"unknown default_timezone {default_timezone!r}; UTC times kept as written")

    @property
    def base_url(self) -> str | None:
        return self._ctx.base_url

    def set_base_href(self, href: str | None) -> None:
        """A page's <base href> becomes the base of its relative URLs."""
        if href:
            self._ctx.base_url = _absolute(href, self._ctx.base_url) or self._ctx.base_url

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
            if value is not None:
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
                _index_ids(document, ctx.index, 0)
        for document in documents:
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


def _index_ids(value: object, index: dict[str, Node], depth: int) -> None:
    """Record every node that has an @id and content, merging split descriptions of one @id."""
    if depth > MAX_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            _index_ids(item, index, depth + 1)
    elif isinstance(value, dict):
        node_id = value.get("@id")
        if isinstance(node_id, str) and any(not key.startswith("@") for key in value):
            known = index.get(node_id)
            index[node_id] = value if known is None else {**value, **known}
        for child in value.values():
            if isinstance(child, dict | list):
                _index_ids(child, index, depth + 1)


# Where a node sits decides whether a Place or a MusicGroup there is the page's subject:
# "top" (a block's root), "graph" (@graph), "list" (ItemList), "main" (mainEntity), "nested".
_CHILD_ROLES = {"@graph": "graph", "itemListElement": "list", "item": "list", "mainEntity": "main"}


def _visit(value: object, ctx: _Context, *, role: str, depth: int) -> None:
    ctx.visits += 1
    if depth > MAX_DEPTH or ctx.visits > MAX_NODE_VISITS:
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
    types = _types(node)
    if _is_event(types):
        _add_performance(node, ctx, venue=None, depth=depth)
    elif role != "nested" and types & _VENUE_TYPES:
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
    for event in _as_list(_get(node, "event") or _get(node, "events")):
        if isinstance(event, dict):
            _add_performance(ctx.resolve(event), ctx, venue=venue, depth=depth + 1)


def _add_standalone_artist(node: Node, ctx: _Context, depth: int) -> None:
    artist = _artist(node, ctx, "artist")
    if artist is not None and ctx.first_time(("artist", artist.source_key or artist.name.casefold())):
        ctx.artists.append(artist)
    for event in _as_list(_get(node, "event") or _get(node, "events")):  # an artist page's tour dates
        if isinstance(event, dict):
            _add_performance(ctx.resolve(event), ctx, venue=None, depth=depth + 1, artist=artist)


# ---------------------------------------------------------------------------------------------
# Entities


def _add_performance(
    node: Node,
    ctx: _Context,
    *,
    venue: ExtractedVenue | None,
    depth: int,
    artist: ExtractedArtist | None = None,
) -> None:
    """Add an event; `venue` and `artist` are the enclosing page's, used when the event names none."""
    node_id = node.get("@id")
    ctx.visits += 1
    if ctx.visits > MAX_NODE_VISITS or (isinstance(node_id, str) and not ctx.first_time(("event", node_id))):
        return  # an event referenced from several places (or from itself) is read once
    performance = _performance(node, ctx, venue, artist)
    if performance is not None:
        key = (
            "performance", performance.source_key, performance.name, performance.local_date,
            performance.local_start_time, performance.venue.name if performance.venue else None,
        )  # fmt: skip
        if ctx.first_time(key):
            ctx.performances.append(performance)
    if depth < MAX_DEPTH:  # a festival's acts, a series' dates: at the parent's venue unless they say
        parent_venue = performance.venue if performance is not None else venue
        for sub_event in _as_list(_get(node, "subEvent") or _get(node, "subEvents")):
            if isinstance(sub_event, dict):
                _add_performance(ctx.resolve(sub_event), ctx, venue=parent_venue, depth=depth + 1)


def _performance(
    node: Node,
    ctx: _Context,
    inherited_venue: ExtractedVenue | None,
    inherited_artist: ExtractedArtist | None,
) -> ExtractedPerformance | None:
    url = _url(_get(node, "url"), ctx)
    ctx.discover(url)
    name = _name(_get(node, "name"))
    if name is None:
        ctx.warn(f"event {_describe(node, url)}: no name; skipped")
        return None
    label = f"event {name!r}"
    start_text = _text(_get(node, "startDate"))
    start = parse_datetime(start_text, zone=ctx.zone) if start_text else None
    if start is None:
        problem = f"unparseable startDate {start_text!r}" if start_text else "no startDate"
        ctx.warn(f"{label}{f' <{url}>' if url else ''}: {problem}; skipped")
        return None
    # Absent properties (None) skip their readers, which would return these same empty values.
    # Readers that warn run in the original order (offers, location, performers, doors, status,
    # previous dates) so that the warnings come out in the same order.
    offers = [] if (value := _get(node, "offers")) is None else _offers(value, ctx, label)
    fields: Node = {
        "source_key": _node_id(node, ctx) or url,
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
        "description": None if (value := _get(node, "description")) is None else _plain_text(value),
        "image_urls": [] if (value := _get(node, "image")) is None else _images(value, ctx),
        "external_ids": {} if (value := _get(node, "sameAs")) is None else _external_ids(_urls(value, ctx)),
    }
    return _build(ExtractedPerformance, fields, ctx, label)


def _location(value: object, ctx: _Context, label: str) -> ExtractedVenue | None:
    """The first usable place among an event's locations (a VirtualLocation is not a venue)."""
    for item in _as_list(value):
        if isinstance(item, dict) and "VirtualLocation" in _types(ctx.resolve(item)):
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
        name = _name(value)
        no_venue = name is None or _is_url(name) or _NO_VENUE_RE.match(name)
        return None if no_venue else ExtractedVenue(name=name)
    if not isinstance(value, dict):
        return None
    node = ctx.resolve(value)
    name = _name(_get(node, "name"))
    if name is None:
        ctx.warn(f"{label}: place without a usable name ({_get(node, 'name')!r:.40}); venue skipped")
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
        "phone": _text(_get(node, "telephone")),
        "website": url or next((link for link in same_as if _host_scheme(link) is None), None),
        "socials": [link for link in same_as if _host_scheme(link, _SOCIAL_HOSTS)],
        "capacity": None if capacity is None else _integer(capacity),
        "external_ids": _external_ids([url, *same_as]),
        "image_urls": []
        if (value := _get(node, "image") or _get(node, "photo")) is None
        else _images(value, ctx),
    }
    return _build(ExtractedVenue, fields, ctx, f"{label} {name!r}")


def _address(value: object) -> ExtractedAddress | None:
    if isinstance(value, list):
        value = next(iter(value), None)
    if isinstance(value, str):
        street = _name(value)  # an unparsed one-line address: kept whole, the normaliser splits it
        return ExtractedAddress(street=street) if street else None
    if not isinstance(value, dict):
        return None
    parts = {
        "street": _street(value.get("streetAddress")),
        "locality": _name(value.get("addressLocality")),
        "region": _name(value.get("addressRegion")),
        "postal_code": _name(value.get("postalCode")),
        "country": _country(value.get("addressCountry")),
    }
    # Each part is None or non-blank text: the address is empty exactly when all are None.
    return ExtractedAddress(**parts) if any(part is not None for part in parts.values()) else None


def _street(value: object) -> str | None:
    if isinstance(value, list):  # address lines
        return ", ".join(line for line in map(_name, value) if line) or None
    return _name(value)


def _country(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("identifier") or value.get("name")
    country = _name(value)
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
    latitude, longitude = _number(latitude), _number(_get(source, "longitude"))
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
    return bool(types & _GROUP_TYPES) or (bool(types & _PERSON_TYPES) and role in ("top", "main"))


def _artist(value: object, ctx: _Context, label: str) -> ExtractedArtist | None:
    if isinstance(value, str):
        name = _name(value)
        if name is None or name.casefold() in _PLACEHOLDER_NAMES:
            return None
        return ExtractedArtist(name=name)
    if not isinstance(value, dict):
        return None
    node = ctx.resolve(value)
    name = _name(_get(node, "name"))
    if name is None or name.casefold() in _PLACEHOLDER_NAMES:
        ctx.warn(f"{label}: performer without a usable name; skipped")
        return None
    types = _types(node)
    url = None if (value := _get(node, "url")) is None else _url(value, ctx)
    genres = _get(node, "genre")
    same_as = [] if (value := _get(node, "sameAs")) is None else _urls(value, ctx)
    fields: Node = {
        "source_key": _node_id(node, ctx) or url,
        "name": name,
        "type": "group" if types & _GROUP_TYPES else "person" if types & _PERSON_TYPES else None,
        "url": url,
        "genres": []
        if genres is None
        else [genre for genre in map(_name, _as_list(genres)) if genre and not _is_url(genre)],
        "external_ids": _external_ids([url, *same_as]),
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
    for item in _as_list(value):
        billing = None
        if isinstance(item, dict) and (role := _get(item, "roleName")) is not None:
            billing = _BILLINGS.get((_text(role) or "").casefold())
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
            "price": None if price is None else _price(price),
            "min_price": None if low is None else _price(low),
            "max_price": None if high is None else _price(high),
            "currency": None if currency is None else _currency(currency),
            "availability": None if availability is None else _schema_tail(availability),
        }
        if any(value is not None for value in fields.values()):
            offer = _build(ExtractedOffer, fields, ctx, f"{label} offer")
            if offer is not None and offer not in offers:  # ticket types at one price are one offer here
                offers.append(offer)
    return offers


def _flatten_offers(value: object, depth: int) -> Iterator[Node]:
    for item in _as_list(value):
        if isinstance(item, dict):
            yield item
            if depth < 3:  # an AggregateOffer may list its offers
                yield from _flatten_offers(_get(item, "offers"), depth + 1)


def _ticket_status(offers: list[ExtractedOffer]) -> str | None:
    """The offers' availability when they all agree ("soldout"), else unknown."""
    states = {offer.availability for offer in offers if offer.availability}
    return states.pop() if len(states) == 1 else None


def _status(value: object, ctx: _Context, label: str) -> EventStatus:
    tail = _schema_tail(value)
    if tail is None:
        return EventStatus.SCHEDULED
    status = _STATUSES.get(tail)
    if status is None:
        ctx.warn(f"{label}: unknown eventStatus {_text(value)!r}; taken as scheduled")
        return EventStatus.SCHEDULED
    return status


def _doors_time(value: object, ctx: _Context, label: str) -> dt.time | None:
    text = _text(value)
    if text is None:
        return None
    doors = parse_time(text, zone=ctx.zone)
    if doors is None:
        ctx.warn(f"{label}: unparseable doorTime {text!r}; ignored")
    return doors


def _previous_dates(value: object, ctx: _Context, label: str) -> list[dt.date]:
    dates: list[dt.date] = []
    for item in _as_list(value):
        text = _text(item)
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
# Values

# Only ";"-terminated references: "?a=1&not=2" in a URL must not become "?a=1¬=2".
_ENTITY_RE = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_COMMON_ENTITIES = (
    ("&lt;", "<"),
    ("&gt;", ">"),
    ("&quot;", '"'),
    ("&#39;", "'"),
    ("&amp;", "&"),
)  # &amp; last
_TAG_RE = re.compile(r"<[A-Za-z/!][^>]*>")
_BREAK_RE = re.compile(r"<\s*(?:br|/p|/div|/li|/h[1-6]|/tr)\b[^>]*>", re.I)
# Whitespace for str.split() that str.splitlines() does not break at (U+0020 aside).
_INLINE_SPACE_RE = re.compile("[\t\x1f\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_SPACE_RUN_RE = re.compile("  +")
_NUMBER_RE = re.compile(r"-?\d[\d.,]*")  # the sign is kept so that "-5" is refused


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


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _types(node: Node) -> frozenset[str]:
    """@type values without their vocabulary prefix ("http://schema.org/MusicEvent" -> "MusicEvent")."""
    value = node.get("@type")
    if type(value) is str:  # the common case: one type, read once per type name
        return _one_type(value)
    return frozenset(_vocabulary_tail(item) for item in _as_list(value) if isinstance(item, str))


@functools.lru_cache(maxsize=1024)  # a pure function of a type name; few distinct names
def _one_type(name: str) -> frozenset[str]:
    return frozenset((_vocabulary_tail(name),))


@functools.lru_cache(maxsize=1024)  # a pure function of a few type names; asked for every node
def _is_event(types: frozenset[str]) -> bool:
    return any(name.endswith("Event") for name in types) or bool(types & _EVENT_TYPES_EXTRA)


def schema_types(node: Node) -> frozenset[str]:
    """A node's schema.org types without their vocabulary prefix."""
    return _types(node)


def is_event_type(types: frozenset[str]) -> bool:
    """Whether these types make a node an event (any "...Event", Festival, Hackathon)."""
    return _is_event(types)


def is_venue_type(types: frozenset[str]) -> bool:
    """Whether these types make a node a place that can be a venue."""
    return bool(types & _VENUE_TYPES)


def _text(value: object) -> str | None:
    """A JSON value as trimmed text with HTML entities decoded (twice: some CMSs escape twice)."""
    if type(value) is str and "&" not in value and "\\'" not in value:  # as in _scalar_text, one call less
        return value.strip() or None
    if isinstance(value, list):  # the first usable item; no deeper
        return next((text for text in map(_scalar_text, value) if text), None)
    return _scalar_text(value)


def _scalar_text(value: object) -> str | None:
    if type(value) is str and "&" not in value and "\\'" not in value:  # the common case, no work
        return value.strip() or None
    if isinstance(value, dict):
        value = value.get("@value")  # a JSON-LD value object
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = value if isinstance(value, str) else str(value)
    if "\\'" in text:  # PHP addslashes left in the data: "Ramblin\' Joey"
        text = text.replace("\\'", "'")
    if "&" in text and ";" in text:
        text = _unescape(text)
        if "&" in text and ";" in text:  # escaped twice: "&amp;amp;"
            text = _unescape(text)
    return text.strip() or None


def _unescape(text: str) -> str:
    # str.replace for the usual suspects is ~10x faster than a regex callback on entity-heavy HTML.
    for entity, char in _COMMON_ENTITIES:
        if entity in text:
            text = text.replace(entity, char)
    return _ENTITY_RE.sub(_unescape_entity, text) if "&" in text else text


def _unescape_entity(match: re.Match[str]) -> str:
    return _unescape_reference(match.group(0))


@functools.lru_cache(maxsize=1024)
def _unescape_reference(reference: str) -> str:
    return html.unescape(reference)


def _name(value: object) -> str | None:
    """A display name: tags dropped, whitespace collapsed; None if nothing alphanumeric remains ("-")."""
    text = _text(value)
    if text is None:
        return None
    if "<" in text:
        text = _TAG_RE.sub(" ", text)
    text = " ".join(text.split())
    return text if any(map(str.isalnum, text)) else None


def _plain_text(value: object) -> str | None:
    """HTML descriptions as plain text, line breaks kept."""
    text = _text(value)
    if text is None:
        return None
    if "<" in text:
        text = html.unescape(_TAG_RE.sub("", _BREAK_RE.sub("\n", text)))
    # The non-blank lines, blanks collapsed: " ".join(line.split()) for each line, done in C rather
    # than word by word. Whitespace that does not break lines becomes " " first (split() treats it so),
    # then runs of spaces collapse and lines are trimmed (test_plain_text_lines checks the equivalence).
    if _INLINE_SPACE_RE.search(text):
        text = _INLINE_SPACE_RE.sub(" ", text)
    if "  " in text:
        text = _SPACE_RUN_RE.sub(" ", text)
    lines = [line.strip(" ") for line in text.splitlines()]
    return "\n".join(filter(None, lines))[:MAX_DESCRIPTION_CHARS] or None


def _describe(node: Node, url: str | None) -> str:
    return repr(url or _text(node.get("@id")) or _text(_get(node, "startDate")) or "without url")


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://", "//"))


@functools.lru_cache(maxsize=8192)  # per document (see SchemaOrgMapper): listings repeat their links
def _absolute(link: str, base: str | None) -> str | None:
    """An http(s) URL resolved against `base`, utm_* parameters dropped; None for other schemes."""
    if not link.startswith(("https://", "http://")):  # absolute is the common case: no join
        if link.startswith("//") and not base:
            link = "https:" + link
        try:
            link = urljoin(base, link) if base else link
            scheme = urlsplit(link).scheme
        except ValueError:  # e.g. an unbalanced "[" in the host
            return None
        if scheme not in ("http", "https") and (scheme or base):
            return None  # javascript:, mailto:, data:... (without a base, a relative URL is kept)
    return _without_tracking(link) if "utm_" in link else link


def _url(value: object, ctx: _Context) -> str | None:
    if isinstance(value, dict):
        value = value.get("@id") or _get(value, "url")
    text = _text(value)
    if text is None or len(text.split()) != 1:
        return None  # empty, or prose in a URL field
    return _absolute(text, ctx.base_url)


def _urls(value: object, ctx: _Context) -> list[str]:
    if type(value) is str:  # one link, the common case
        link = _url(value, ctx)
        return [link] if link else []
    links = (_url(item, ctx) for item in _as_list(value))
    return list(dict.fromkeys(link for link in links if link))


def _node_id(node: Node, ctx: _Context) -> str | None:
    node_id = node.get("@id")
    if not isinstance(node_id, str) or node_id.startswith("_:"):
        return None  # blank node ids are not stable between fetches
    return _url(node_id, ctx) or _text(node_id)


def _images(value: object, ctx: _Context) -> list[str]:
    links: list[str] = []
    for item in _as_list(value):
        link = (
            _url(_get(item, "contentUrl") or _get(item, "url"), ctx)
            if isinstance(item, dict)
            else _url(item, ctx)
        )
        if link and link not in links:
            links.append(link)
    return links[:MAX_IMAGES]


def _host_scheme(link: str | None, hosts: dict[str, str] = _ALL_HOSTS) -> str | None:
    """The scheme name for a URL's host ("https://musicbrainz.org/..." -> "musicbrainz")."""
    if not link:
        return None
    for suffix in _host_suffixes(link):  # "www.last.fm" -> "www.last.fm", "last.fm", "fm"
        scheme = hosts.get(suffix)
        if scheme is not None:
            return scheme
    return None


@functools.lru_cache(maxsize=4096)
def _host_suffixes(link: str) -> tuple[str, ...]:
    """An absolute URL's host, lower-cased, and each of its parent domains; () for anything else.

    A regular expression rather than urlsplit(): five times faster, and the hosts it is compared
    with are plain domain names (an IPv6 literal or a malformed authority matches none of them).
    """
    match = _HOST_RE.match(link)
    host = match.group(1).lower() if match else ""
    if not host or "[" in host:
        return ()
    suffixes = [host]  # the text after each dot: ".".join(labels[i:]) for each i, without the joins
    dot = host.find(".")
    while dot >= 0:
        suffixes.append(host[dot + 1 :])
        dot = host.find(".", dot + 1)
    return tuple(suffixes)


_HOST_RE = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:)?//(?:[^/?#@]*@)?([^/?#:]*)")


def _external_ids(links: Sequence[str | None]) -> dict[str, str]:
    """Known registries' ids from absolute URLs: the id itself when it is in the path, else the URL."""
    ids: dict[str, str] = {}
    for link in links:
        scheme = _host_scheme(link, _ID_HOSTS)
        if link is None or scheme is None or scheme in ids:
            continue
        pattern = _ID_PATTERNS.get(scheme)
        match = pattern.search(_url_path(link)) if pattern else None
        ids[scheme] = match.group(1) if match else link
    return ids


@functools.lru_cache(maxsize=4096)
def _url_path(link: str) -> str:
    match = _URL_PATH_RE.match(link)
    if match is not None and _printable_ascii(link):  # what urlsplit() would say
        return match.group(1) or ""
    try:
        return urlsplit(link).path
    except ValueError:
        return ""


# An http(s) URL of printable ASCII whose query is only `key=value` pairs of characters that
# parse_qsl() and urlencode() leave as they are: `_without_tracking` then cuts the utm_* pairs out
# of the text, with the result of the round trip below at a tenth of its cost (test_without_tracking).
_PLAIN_URL_RE = re.compile(r"(https?://[^/?#\[\]]+(?:/[^?#]*)?)\?([^#]*)(?:#(.*))?")
_URL_PATH_RE = re.compile(r"https?://[^/?#\[\]]+(/[^?#]*)?(?![^?#])")
_PLAIN_PAIR_RE = re.compile(r"[A-Za-z0-9_.~-]*=[A-Za-z0-9_.~-]*")
_ONLY_UTM_QUERY_RE = re.compile(
    r"utm_[A-Za-z0-9_.~-]*=[A-Za-z0-9_.~-]*(?:&utm_[A-Za-z0-9_.~-]*=[A-Za-z0-9_.~-]*)*"
)


def _printable_ascii(text: str) -> bool:
    """Whether every character is in "!" to "~" (no blank, no control character, nothing beyond ASCII)."""
    return text.isascii() and text.isprintable() and " " not in text


def _without_tracking(link: str) -> str:
    match = _PLAIN_URL_RE.fullmatch(link)
    if match is not None and _printable_ascii(link):
        query = match.group(2)
        if "utm_" not in query:
            return link
        if _ONLY_UTM_QUERY_RE.fullmatch(query):  # nothing kept: "?utm_medium=x&utm_source=y"
            return match.group(1) + ("#" + match.group(3) if match.group(3) else "")
        kept = []
        for pair in query.split("&"):
            if not _PLAIN_PAIR_RE.fullmatch(pair):
                if "=" in pair:  # something to decode or encode: the general case below
                    break
                continue  # "" or a key without "=": parse_qsl drops it
            if not pair.startswith("utm_") and not pair.endswith("="):  # blank values are dropped
                kept.append(pair)
        else:
            query, fragment = "&".join(kept), match.group(3)
            return match.group(1) + ("?" + query if query else "") + ("#" + fragment if fragment else "")
    return _without_tracking_parsed(link)


def _without_tracking_parsed(link: str) -> str:
    try:
        parts = urlsplit(link)
    except ValueError:
        return link
    if "utm_" not in parts.query:
        return link
    query = [(key, value) for key, value in parse_qsl(parts.query) if not key.startswith("utm_")]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _schema_tail(value: object) -> str | None:
    """A vocabulary term's lower-case tail: "https://schema.org/InStock" -> "instock"."""
    text = _text(value)
    if text is None:
        return None
    return _vocabulary_tail(text).casefold() or None


@functools.lru_cache(maxsize=1024)
def _vocabulary_tail(name: str) -> str:
    return re.split(r"[/:#]", name)[-1].strip()


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value) if isinstance(value, int | float) else float(_text(value) or "nan")
    except (ValueError, OverflowError):  # "abc", 10**400
        return None
    return number if math.isfinite(number) else None


def _integer(value: object) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number.is_integer() else None


def _price(value: object) -> float | None:
    """12, "12.50", "$20", "1,234.50", "20,00", "Free" -> a number; anything else -> None."""
    if isinstance(value, bool | int | float):
        number = _number(value)
    else:
        text = _text(value)
        if text is None:
            return None
        number = 0.0 if text.casefold() == "free" else _decimal(text)
    return number if number is not None and math.isfinite(number) and number >= 0 else None


def _decimal(text: str) -> float | None:
    match = _NUMBER_RE.search(text)
    if match is None:
        return None
    digits = match.group(0).rstrip(".,")
    last_dot, last_comma = digits.rfind("."), digits.rfind(",")
    if last_comma > last_dot and (last_dot >= 0 or len(digits) - last_comma == 3):
        digits = digits.replace(".", "").replace(",", ".")  # "1.234,50", "20,00": comma decimals
    else:
        digits = digits.replace(",", "")  # "1,234.50", "1,234"
    try:
        return float(digits)
    except ValueError:  # "1.2.3"
        return None


def _currency(value: object) -> str | None:
    text = _text(value)
    if text is None:
        return None
    if len(text) == 3 and text.isalpha():
        return text.upper()
    return _CURRENCY_SYMBOLS.get(text)
