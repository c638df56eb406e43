"""schema.org microdata and RDFa Lite in an HTML page (with OpenGraph for images) -> `ExtractionResult`.

Pure Python (no Django). It never raises on bad input: whatever it cannot read becomes a warning.

The page is parsed once (selectolax, lexbor) and scanned with one CSS query for everything that can
carry structured data (JSON-LD scripts, microdata and RDFa attributes, OpenGraph metas, <base>).
`scan_markup` returns what the page carries (JSON-LD block texts, microdata and RDFa items, OpenGraph
properties); `structured.py` runs the JSON-LD adapter over the same scan.

Microdata (WHATWG): an element with `itemscope` is an item, typed by `itemtype` (and named by `itemid`);
each `itemprop` element gives a property to its nearest enclosing item (or to the item whose `itemref`
names it). A property element that is itself an item gives that item as the value; otherwise the value
is `content` when the element has one (meta, and the many pages that put `content` on a span or a div,
as Google and extruct accept), `src` (img, audio, video, source, embed, iframe, track), `href` (a, area,
link), `data` (object), `value` (data, meter), `datetime` (time), else the element's text.

Property names are schema.org's when the item's type is (bare names and full schema.org URLs); a full
URL of another vocabulary stays whole, and an item typed in another vocabulary (data-vocabulary.org,
FOAF) is not schema.org's, so neither reads as an event or a place.

RDFa (any page with `typeof` or `vocab`) is read by `rdfa.read_rdfa`, a processor of RDFa 1.1 with its
prefixes, vocabularies, `rel`/`rev` and references; its items come after the microdata items.

Items are converted to JSON-LD shape ({"@type": [...], "@id": ..., property: value or [values]}) and
mapped by `schemaorg.SchemaOrgMapper`, so all three syntaxes give the same contract. A Place without a
`name` is not named: the text of a link inside it says something about the place ("About Missoula,
MT", "Royal Arena, København S") but is not its name. One repair uses what only the HTML shows, for
markup seen on real calendars: an Event with no `performer` whose `name` element holds links to artist
pages (a path segment like /artist/, /band/, /performer/) takes those links as its performers, in order.

OpenGraph: `og:image` goes to the page's one entity when it has no image of its own (the only
performance, else the only venue, else the only artist): a listing page's picture says nothing about
each of its events. `og:url` becomes that performance's URL when it has none.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

from extraction.adapters.jsonld import is_jsonld_script
from extraction.adapters.rdfa import read_rdfa
from extraction.adapters.schemaorg import SchemaOrgMapper
from extraction.adapters.schemaorg_values import is_event_type, schema_term, schema_types
from extraction.budget import bound_html_depth
from extraction.schemas import (
    ExtractedPerformance,
    ExtractedVenue,
    ExtractionResult,
)
from sourcing.fetchrules import body_text
from sourcing.urlnorm import strip_tracking

EXTRACTOR_NAME = "microdata"
EXTRACTOR_VERSION = "1"

type Node = dict[str, object]
type Attributes = dict[str, str | None]

# Bounds that keep adversarial pages cheap.
MAX_ELEMENTS = 50_000  # marked-up elements read per page
MAX_ANCESTORS = 256  # how far up a property looks for its item

_SRC_TAGS = frozenset({"img", "audio", "video", "source", "embed", "iframe", "track"})
_HREF_TAGS = frozenset({"a", "area", "link"})
_VALUE_TAGS = frozenset({"data", "meter"})
_SELECTORS_WITHOUT_JSONLD = "[itemscope],[itemprop],[typeof],[property],base[href]"
_SELECTORS = "script[type]," + _SELECTORS_WITHOUT_JSONLD
_ARTIST_LINK_RE = re.compile(
    r"/(?:artists?|bands?|performers?|musicians?|acts?|kunstnere?|artistes?|kuenstler|k%C3%BCnstler|künstler)/[^/?#]",
    re.IGNORECASE,
)


@dataclass(slots=True)
class PageMarkup:
    """What one scan of a page found."""

    jsonld_blocks: list[str] = field(default_factory=list)
    base_href: str | None = None
    items: list[Node] = field(default_factory=list)  # top-level microdata items, then RDFa items
    opengraph: dict[str, str] = field(default_factory=dict)  # first value of each og: property
    warnings: list[str] = field(default_factory=list)
    has_ids: bool = False  # whether any item has an itemid / resource / about ("@id")


# ---------------------------------------------------------------------------------------------
# Public API


def extract_microdata(
    body: bytes | str, *, url: str | None = None, default_timezone: str | None = None
) -> ExtractionResult:
    """Extract venues, artists and performances from a page's microdata and RDFa (not its JSON-LD)."""
    try:
        markup = scan_markup(LexborHTMLParser(bound_html_depth(body_text(body))[0]), jsonld=False)
        mapper = SchemaOrgMapper(url=url, default_timezone=default_timezone)
        mapper.set_base_href(markup.base_href)
        for warning in markup.warnings:
            mapper.warn(warning)
        mapper.add_items(markup.items, has_ids=markup.has_ids)
        result = mapper.result()
        return finish_result(result, markup.opengraph, mapper.base_url)
    except Exception as exc:  # the contract is "never raise on bad input"; a bug still shows here
        return ExtractionResult(warnings=[f"microdata: unexpected {type(exc).__name__}: {exc}"])


def scan_markup(tree: LexborHTMLParser, *, jsonld: bool = True, rdfa: bool = True) -> PageMarkup:
    """One pass over a parsed page: JSON-LD texts (if `jsonld`), microdata and RDFa (if `rdfa`) items,
    OpenGraph.

    One CSS query with every selector: lexbor walks the tree once, in C, which costs less than
    looking for hints in the text first (a few hundred microseconds on a 300 KB page).
    """
    markup = PageMarkup()
    scanner = _Scanner(tree, markup)
    elements = tree.css(_SELECTORS if jsonld else _SELECTORS_WITHOUT_JSONLD)
    if len(elements) > MAX_ELEMENTS:
        markup.warnings.append(f"more than {MAX_ELEMENTS} marked-up elements; the rest was not read")
        elements = elements[:MAX_ELEMENTS]
    previous = 0
    for element in elements:
        key = element.mem_id
        if key != previous:  # lexbor lists an element once per selector it matches, consecutively
            scanner.read(element)
            previous = key
    markup.items = scanner.finish()
    if rdfa and scanner.rdfa_seen:
        items, warnings = read_rdfa(tree)
        markup.items.extend(items)
        markup.warnings.extend(warnings)
        markup.has_ids = markup.has_ids or bool(items)
    return markup


def finish_result(
    result: ExtractionResult, opengraph: dict[str, str], base_url: str | None
) -> ExtractionResult:
    """Merge performances described twice, then give OpenGraph's image to the page's one entity."""
    performances = merge_duplicate_performances(result.performances)
    if performances is not result.performances:
        result = result.model_copy(update={"performances": performances})
    return _apply_opengraph(result, opengraph, base_url) if opengraph else result


def merge_duplicate_performances(performances: list[ExtractedPerformance]) -> list[ExtractedPerformance]:
    """One performance per show: same name (case and blanks aside), date and start time, no conflict.

    A page that describes a show in JSON-LD and again in microdata gives two descriptions; the first
    is kept and its blanks are filled from the second. Two descriptions whose source keys (@id, URL)
    differ are two entries, as are two at different venues. Returns the same list when nothing merged.
    """
    kept: list[ExtractedPerformance] = []
    by_key: dict[tuple[str, dt.date], list[int]] = {}
    merged = False
    for performance in performances:
        key = (" ".join(performance.name.casefold().split()), performance.local_date)
        for index in by_key.get(key, ()):
            if _same_show(kept[index], performance):
                kept[index] = _fill_performance(kept[index], performance)
                merged = True
                break
        else:
            by_key.setdefault(key, []).append(len(kept))
            kept.append(performance)
    return kept if merged else performances


# ---------------------------------------------------------------------------------------------
# Scanning


@dataclass(slots=True)
class _Item:
    node: Node
    is_property: bool = False
    name_element: LexborNode | None = None
    is_schema: bool = True  # typed with schema.org (or untyped, as sloppy pages write it)


@dataclass(slots=True)
class _Property:
    element: LexborNode
    attributes: Attributes
    names: list[str]
    item: _Item | None  # the element is itself an item: that item is the value


class _Scanner:
    """Reads marked-up elements in document order, then gives each property to its item."""

    def __init__(self, tree: LexborHTMLParser, markup: PageMarkup) -> None:
        self.tree = tree
        self.markup = markup
        self.md_items: dict[int, _Item] = {}  # element mem_id -> item, in document order
        self.md_refs: dict[int, list[_Item]] = {}  # itemref target mem_id -> the items referencing it
        self.md_properties: list[_Property] = []
        self.rdfa_seen = False  # whether the page has RDFa (typeof or vocab) for `rdfa.read_rdfa`

    def read(self, element: LexborNode) -> None:
        tag = element.tag or ""
        attributes = element.attributes
        if tag == "script":
            if is_jsonld_script(attributes):
                self.markup.jsonld_blocks.append(element.text(deep=True))
            return
        if tag == "base":
            if self.markup.base_href is None:
                self.markup.base_href = attributes.get("href")
            return
        if "itemscope" in attributes or "itemprop" in attributes:
            self._read_microdata(element, attributes)
        if "typeof" in attributes or "vocab" in attributes:
            self.rdfa_seen = True
        elif tag == "meta" and "property" in attributes:
            self._read_opengraph(attributes)

    def _read_microdata(self, element: LexborNode, attributes: Attributes) -> None:
        item = None
        if "itemscope" in attributes:
            node: Node = {}
            types = (attributes.get("itemtype") or "").split()
            if types:
                node["@type"] = types if len(types) > 1 else types[0]
            schema_item = not types or any(schema_term(name) != name or "/" not in name for name in types)
            item_id = (attributes.get("itemid") or "").strip()
            if item_id:
                node["@id"] = item_id
                self.markup.has_ids = True
            item = _Item(node, is_schema=schema_item)
            self.md_items[element.mem_id] = item
            for ref in (attributes.get("itemref") or "").split():
                target = self.tree.css_first(f'[id="{_css_string(ref)}"]')
                if target is not None:
                    self.md_refs.setdefault(target.mem_id, []).append(item)
        names = (attributes.get("itemprop") or "").split()
        if names:
            self.md_properties.append(_Property(element, attributes, names, item))

    def _read_opengraph(self, attributes: Attributes) -> None:
        names = (attributes.get("property") or "").split()
        if names and names[0].startswith("og:"):
            content = attributes.get("content")
            if content and content.strip():
                self.markup.opengraph.setdefault(names[0], content.strip())

    def finish(self) -> list[Node]:
        """Top-level microdata items in document order."""
        items: list[Node] = []
        scopes, refs = self.md_items, self.md_refs
        if not scopes:
            return items
        owners: dict[int, list[_Item]] = {}
        for prop in self.md_properties:
            found = _owners(prop.element, scopes, refs, owners)
            if not found:
                continue  # a property of no item (an item with itemprop outside any item stays top-level)
            value: object = None
            if prop.item is not None:
                value = prop.item.node
                prop.item.is_property = True
            for owner in found:
                if value is None:
                    value = _microdata_value(prop.element, prop.attributes)
                    if value is None:
                        break
                for name in prop.names:
                    if name.startswith(("http://", "https://")):
                        name = schema_term(name)  # a schema.org URL becomes its term, another stays whole
                    elif not owner.is_schema:
                        continue  # an item of another vocabulary: its terms are not schema.org's
                    _add_value(owner.node, name, value)
                    if name == "name" and owner.name_element is None:
                        owner.name_element = prop.element
        for item in scopes.values():
            _repair(item)
            if not item.is_property:
                items.append(item.node)
        return items


def _owners(
    element: LexborNode,
    scopes: dict[int, _Item],
    refs: dict[int, list[_Item]],
    cache: dict[int, list[_Item]],
) -> list[_Item]:
    """The items a property element belongs to: its nearest item ancestor, or every item whose
    itemref names the element or the ancestor it sits in (one description shared by many items)."""
    if refs and element.mem_id in refs:
        return refs[element.mem_id]
    path: list[int] = []
    owners: list[_Item] = []
    node = element.parent
    while node is not None and len(path) < MAX_ANCESTORS:
        key = node.mem_id
        if key in scopes:
            owners = [scopes[key]]
            break
        if key in cache:
            owners = cache[key]
            break
        if refs and key in refs:
            owners = refs[key]
            break
        path.append(key)
        node = node.parent
    for key in path:  # every element passed on the way up has the same items
        cache[key] = owners
    return owners


def _microdata_value(element: LexborNode, attributes: Attributes) -> str | None:
    content = attributes.get("content")
    if content is not None:
        return content
    tag = element.tag
    if tag in _HREF_TAGS:
        return attributes.get("href")
    if tag in _SRC_TAGS:
        return attributes.get("src")
    if tag == "time":
        return attributes.get("datetime") or element.text(deep=True)
    if tag in _VALUE_TAGS:
        return attributes.get("value")
    if tag == "object":
        return attributes.get("data")
    return element.text(deep=True)


def _add_value(node: Node, name: str, value: object) -> None:
    known = node.get(name)
    if known is None:
        node[name] = value
    elif isinstance(known, list):
        known.append(value)
    else:
        node[name] = [known, value]


def _css_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _repair(item: _Item) -> None:
    """The HTML-only repair described in the module docstring (performers from artist links)."""
    node = item.node
    if "@type" not in node:
        return
    types = schema_types(node)
    if (
        item.name_element is not None
        and is_event_type(types)
        and not node.keys() & {"performer", "performers"}
    ):
        performers = _artist_links(item.name_element)
        if performers:
            node["performer"] = performers


def _artist_links(element: LexborNode) -> list[Node]:
    performers: list[Node] = []
    for link in element.css("a[href]"):
        href = link.attributes.get("href") or ""
        if _ARTIST_LINK_RE.search(href):
            name = _collapse(link.text(deep=True))
            if name:
                performers.append({"name": name, "url": href})
    return performers


# ---------------------------------------------------------------------------------------------
# After mapping


def _same_show(first: ExtractedPerformance, second: ExtractedPerformance) -> bool:
    """Same start, no conflicting venue, and not two entries the source itself keeps apart."""
    if first.local_start_time != second.local_start_time:
        return False
    if first.source_key and second.source_key and first.source_key != second.source_key:
        return False  # e.g. Songkick lists a concert and a festival day at one venue on one date
    if first.venue is not None and second.venue is not None:
        return _norm(first.venue.name) == _norm(second.venue.name)
    return True


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _blank(value: object) -> bool:
    return value is None or value == [] or value == {}


def _fill_performance(kept: ExtractedPerformance, other: ExtractedPerformance) -> ExtractedPerformance:
    update: dict[str, object] = {}
    for name in type(kept).model_fields:
        if name in ("utc_offset_minutes", "venue"):
            continue
        if _blank(getattr(kept, name)) and not _blank(getattr(other, name)):
            update[name] = getattr(other, name)
    if kept.utc_offset_minutes is None and other.utc_offset_minutes is not None:  # same wall time
        update["utc_offset_minutes"] = other.utc_offset_minutes
    if kept.venue is None:
        update["venue"] = other.venue
    elif other.venue is not None:
        update["venue"] = _fill_venue(kept.venue, other.venue)
    return kept.model_copy(update=update) if update else kept


def _fill_venue(kept: ExtractedVenue, other: ExtractedVenue) -> ExtractedVenue:
    update = {
        name: getattr(other, name)
        for name in type(kept).model_fields
        if _blank(getattr(kept, name)) and not _blank(getattr(other, name))
    }
    if "latitude" in update or "longitude" in update:  # coordinates travel together
        if kept.latitude is not None or other.latitude is None or other.longitude is None:
            update.pop("latitude", None)
            update.pop("longitude", None)
    return kept.model_copy(update=update) if update else kept


def _apply_opengraph(
    result: ExtractionResult, opengraph: dict[str, str], base_url: str | None
) -> ExtractionResult:
    image = _http_url(opengraph.get("og:image") or opengraph.get("og:image:url"), base_url)
    page_url = _http_url(opengraph.get("og:url"), base_url)
    if len(result.performances) == 1:
        performance = result.performances[0]
        update: dict[str, object] = {}
        if image and not performance.image_urls:
            update["image_urls"] = [image]
        if page_url and performance.url is None:
            update["url"] = page_url
        if update:
            return result.model_copy(update={"performances": [performance.model_copy(update=update)]})
        return result
    if image is None or result.performances:
        return result
    if len(result.venues) == 1 and not result.venues[0].image_urls:
        venue = result.venues[0].model_copy(update={"image_urls": [image]})
        return result.model_copy(update={"venues": [venue]})
    if not result.venues and len(result.artists) == 1 and not result.artists[0].image_urls:
        artist = result.artists[0].model_copy(update={"image_urls": [image]})
        return result.model_copy(update={"artists": [artist]})
    return result


def _http_url(value: str | None, base_url: str | None) -> str | None:
    """An OpenGraph URL as an absolute http(s) URL without tracking parameters, or None."""
    if not value:
        return None
    value = value.strip()
    if value.startswith(("http://", "https://")):
        return strip_tracking(value)
    if value.startswith("//"):
        return strip_tracking("https:" + value)
    if base_url and value.startswith("/"):
        return strip_tracking(urljoin(base_url, value))
    return None
