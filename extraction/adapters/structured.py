"""The HTML extractor the router uses: JSON-LD, microdata, RDFa Lite and OpenGraph from one parse.

Pure Python (no Django). It never raises on bad input: whatever it cannot read becomes a warning.

The page is decoded and parsed once (selectolax, lexbor) and scanned once (`microdata.scan_markup`);
JSON-LD blocks, microdata items and RDFa items then go through one `schemaorg.SchemaOrgMapper`, in that
order, so that they share @id references and de-duplication. A show described twice (JSON-LD and
microdata, or two blocks) is merged into one: same name and date, compatible time and venue, the first
description kept with its blanks filled from the second (`microdata.merge_duplicate_performances`).
OpenGraph's image then goes to the page's one entity if it has none (see `microdata.py`).

A body that is JSON (not HTML) is read as one JSON-LD document, as `jsonld.extract_jsonld` does.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from extraction.adapters.lenient_json import looks_like_json
from extraction.adapters.microdata import finish_result, scan_markup
from extraction.adapters.schemaorg import SchemaOrgMapper
from extraction.schemas import ExtractionResult
from sourcing.fetchrules import body_text

EXTRACTOR_NAME = "structured"
EXTRACTOR_VERSION = "1"


def extract_structured(
    body: bytes | str, *, url: str | None = None, default_timezone: str | None = None
) -> ExtractionResult:
    """Extract venues, artists and performances from all the structured data of an HTML page.

    `url` is the page's address (relative URLs are resolved against it, or against its <base href>);
    `default_timezone` is the IANA zone of the page's venues, if known (see `schemaorg_dates`).
    """
    try:
        return _extract(body, url=url, default_timezone=default_timezone)
    except Exception as exc:  # the contract is "never raise on bad input"; a bug still shows here
        return ExtractionResult(warnings=[f"structured: unexpected {type(exc).__name__}: {exc}"])


def _extract(body: bytes | str, *, url: str | None, default_timezone: str | None) -> ExtractionResult:
    text = body_text(body)
    mapper = SchemaOrgMapper(url=url, default_timezone=default_timezone)
    if looks_like_json(text):
        mapper.add_jsonld([text], whole_document=True)
        return finish_result(mapper.result(), {}, mapper.base_url)
    markup = scan_markup(LexborHTMLParser(text))
    mapper.set_base_href(markup.base_href)
    for warning in markup.warnings:
        mapper.warn(warning)
    mapper.add_jsonld(markup.jsonld_blocks)
    mapper.add_items(markup.items, has_ids=markup.has_ids)
    return finish_result(mapper.result(), markup.opengraph, mapper.base_url)
