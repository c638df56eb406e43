"""The JSON-LD adapter: an HTML page (or a JSON-LD document) -> `ExtractionResult`.

Pure Python (no Django). It never raises on bad input: whatever it cannot read becomes a warning
and extraction carries on with the rest of the document.

The page's <script type="application/ld+json"> blocks are read leniently (`lenient_json`) and mapped
onto the contract by `schemaorg.SchemaOrgMapper` (what goes where is said there). The router sends
HTML to `structured.py`, which reads the same blocks with microdata, RDFa and OpenGraph from one
parse; this adapter stays for replaying extractions it made.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from selectolax.lexbor import LexborHTMLParser

from extraction.adapters.lenient_json import looks_like_json
from extraction.adapters.schemaorg import SchemaOrgMapper
from extraction.budget import bound_html_depth
from extraction.schemas import ExtractionResult
from sourcing.fetchrules import body_text

EXTRACTOR_NAME = "jsonld"
EXTRACTOR_VERSION = "1"


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


def find_jsonld_blocks(page: str) -> list[str]:
    """The text of every <script type="application/ld+json"> in an HTML page, in document order."""
    return _scan_html(page)[0]


def is_jsonld_script(attributes: Mapping[str, str | None]) -> bool:
    """Whether a <script>'s attributes make it a JSON-LD block (type "application/ld+json; ...")."""
    return (attributes.get("type") or "").split(";")[0].strip().lower() == "application/ld+json"


def _extract(body: bytes | str, *, url: str | None, default_timezone: str | None) -> ExtractionResult:
    text = body_text(body)
    mapper = SchemaOrgMapper(url=url, default_timezone=default_timezone)
    if looks_like_json(text):
        mapper.add_jsonld([text], whole_document=True)
    else:
        blocks, base_href = _scan_html(text)
        mapper.set_base_href(base_href)
        mapper.add_jsonld(blocks)
    return mapper.result()


_JSONLD_HINT_RE = re.compile(r"ld\+json", re.I)


def _scan_html(page: str) -> tuple[list[str], str | None]:
    """(JSON-LD block texts, <base href>) from one parse of the page."""
    if not _JSONLD_HINT_RE.search(page):
        return [], None  # most pages without JSON-LD never need a parse
    tree = LexborHTMLParser(bound_html_depth(page)[0])
    blocks = [node.text(deep=True) for node in tree.css("script[type]") if is_jsonld_script(node.attributes)]
    base = tree.css_first("base[href]")
    return blocks, (base.attributes.get("href") if base is not None else None)
