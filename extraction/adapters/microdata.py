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

RDFa Lite: `typeof` makes an item, `property` gives a property (schema.org terms only: bare, `schema:`
or full schema.org URLs; `og:`, `dc:`... are not schema.org), `resource`/`about` name it; values are
`content`, `datetime`, `href`/`src`, else the text.

Items are converted to JSON-LD shape ({"@type": [...], "@id": ..., property: value or [values]}) and
mapped by `schemaorg.SchemaOrgMapper`, so all three syntaxes give the same contract. Two repairs use what
only the HTML shows, both for markup seen on real calendars:
- a Place with no `name` whose `url` is a link takes the link's text as its name; "Royal Arena,
  København S" (heavymetal.dk) is split at its last comma into name and locality when the Place has no
  address of its own;
- an Event with no `performer` whose `name` element holds links to artist pages (a path segment like
  /artist/, /band/, /performer/) takes those links as its performers, in order.

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
from extraction.adapters.schemaorg import SchemaOrgMapper
from extraction.adapters.schemaorg_values import is_event_type, is_venue_type, schema_types
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
_SCHEMA_PREFIXES = ("http://schema.org/", "https://schema.org/", "schema:")
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
        markup = scan_markup(LexborHTMLParser(body_text(body)), jsonld=False)
        mapper = SchemaOrgMapper(url=url, default_timezone=default_timezone)
        mapper.set_base_href(markup.base_href)
        for warning in markup.warnings:
            mapper.warn(warning)
        mapper.add_items(markup.items, has_ids=markup.has_ids)
        result = mapper.result()
        return finish_result(result, markup.opengraph, mapper.base_url)
    except Exception as exc:  # the contract is "never raise on bad input"; a bug still shows here
        return ExtractionResult(warnings=[f"microdata: unexpected {type(exc).__name__}: {exc}"])


def scan_markup(tree: LexborHTMLParser, *, jsonld: bool = True) -> PageMarkup:
    """One pass over a parsed page: JSON-LD texts (if `jsonld`), microdata and RDFa items, OpenGraph.

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
    url_element: LexborNode | None = None


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
        self.md_refs: dict[int, _Item] = {}  # itemref target mem_id -> referencing item
        self.md_properties: list[_Property] = []
        self.rdfa_items: dict[int, _Item] = {}
        self.rdfa_properties: list[_Property] = []

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
        if "typeof" in attributes or "property" in attributes:
            self._read_rdfa(element, tag, attributes)

    def _read_microdata(self, element: LexborNode, attributes: Attributes) -> None:
        item = None
        if "itemscope" in attributes:
            node: Node = {}
            types = (attributes.get("itemtype") or "").split()
            if types:
                node["@type"] = types if len(types) > 1 else types[0]
            item_id = (attributes.get("itemid") or "").strip()
            if item_id:
                node["@id"] = item_id
                self.markup.has_ids = True
            item = _Item(node)
            self.md_items[element.mem_id] = item
            for ref in (attributes.get("itemref") or "").split():
                target = self.tree.css_first(f'[id="{_css_string(ref)}"]')
                if target is not None:
                    self.md_refs[target.mem_id] = item
        names = [_term(name) for name in (attributes.get("itemprop") or "").split()]
        names = [name for name in names if name]
        if names:
            self.md_properties.append(_Property(element, attributes, names, item))

    def _read_rdfa(self, element: LexborNode, tag: str, attributes: Attributes) -> None:
        raw_names = (attributes.get("property") or "").split()
        if tag == "meta" and raw_names and raw_names[0].startswith("og:"):
            content = attributes.get("content")
            if content and content.strip():
                self.markup.opengraph.setdefault(raw_names[0], content.strip())
            return
        item = None
        if "typeof" in attributes:
            types = [term for term in map(_schema_term, (attributes.get("typeof") or "").split()) if term]
            node: Node = {}
            if types:
                node["@type"] = types if len(types) > 1 else types[0]
            item_id = (attributes.get("resource") or attributes.get("about") or "").strip()
            if item_id:
                node["@id"] = item_id
                self.markup.has_ids = True
            item = _Item(node)
            self.rdfa_items[element.mem_id] = item
        names = [term for term in map(_schema_term, raw_names) if term]
        if names:
            self.rdfa_properties.append(_Property(element, attributes, names, item))

    def finish(self) -> list[Node]:
        """Top-level items in document order: microdata first, then RDFa."""
        items: list[Node] = []
        for scopes, refs, properties, value_of in (
            (self.md_items, self.md_refs, self.md_properties, _microdata_value),
            (self.rdfa_items, {}, self.rdfa_properties, _rdfa_value),
        ):
            if not scopes:
                continue
            owners: dict[int, _Item | None] = {}
            for prop in properties:
                owner = _owner(prop.element, scopes, refs, owners)
                if owner is None:
                    continue
                if prop.item is not None:
                    value: object = prop.item.node
                    prop.item.is_property = True
                else:
                    value = value_of(prop.element, prop.attributes)
                    if value is None:
                        continue
                for name in prop.names:
                    _add_value(owner.node, name, value)
                    if name == "name" and owner.name_element is None:
                        owner.name_element = prop.element
                    elif name == "url" and owner.url_element is None:
                        owner.url_element = prop.element
            for item in scopes.values():
                _repair(item)
                if not item.is_property:
                    items.append(item.node)
        return items


def _owner(
    element: LexborNode,
    scopes: dict[int, _Item],
    refs: dict[int, _Item],
    cache: dict[int, _Item | None],
) -> _Item | None:
    """The item a property element belongs to: its nearest item ancestor (or an itemref to it)."""
    if refs and element.mem_id in refs:
        return refs[element.mem_id]
    path: list[int] = []
    owner: _Item | None = None
    node = element.parent
    while node is not None and len(path) < MAX_ANCESTORS:
        key = node.mem_id
        if key in scopes:
            owner = scopes[key]
            break
        if key in cache:
            owner = cache[key]
            break
        if refs and key in refs:
            owner = refs[key]
            break
        path.append(key)
        node = node.parent
    for key in path:  # every element passed on the way up has the same item
        cache[key] = owner
    return owner


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


def _rdfa_value(element: LexborNode, attributes: Attributes) -> str | None:
    for key in ("content", "datetime", "href", "src", "resource"):
        value = attributes.get(key)
        if value is not None:
            return value
    return element.text(deep=True)


def _add_value(node: Node, name: str, value: object) -> None:
    known = node.get(name)
    if known is None:
        node[name] = value
    elif isinstance(known, list):
        known.append(value)
    else:
        node[name] = [known, value]


def _term(name: str) -> str:
    """A property name without its vocabulary ("http://schema.org/name" -> "name")."""
    if "/" in name or "#" in name:
        return re.split(r"[/#]", name)[-1]
    return name


def _schema_term(name: str) -> str | None:
    """An RDFa term if it is schema.org's (bare, "schema:x" or a schema.org URL), else None."""
    for prefix in _SCHEMA_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :] or None
    return None if ":" in name else name


def _css_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _repair(item: _Item) -> None:
    """The two HTML-only repairs described in the module docstring."""
    node = item.node
    if "@type" not in node:
        return
    types = schema_types(node)
    if "name" not in node and item.url_element is not None and is_venue_type(types):
        if item.url_element.tag == "a":
            text = _collapse(item.url_element.text(deep=True))
            name, comma, locality = text.rpartition(", ")
            if comma and "address" not in node and any(c.isalnum() for c in name) and locality:
                node["name"] = name
                node["address"] = {"@type": "PostalAddress", "addressLocality": locality}
            elif text:
                node["name"] = text
    elif (
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
