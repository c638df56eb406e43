"""The HTML extractor the router uses: JSON-LD, microdata, RDFa and OpenGraph from one parse.

Pure Python (no Django). It never raises on bad input: whatever it cannot read becomes a warning.

The page is decoded and parsed once (selectolax, lexbor) and scanned once (`microdata.scan_markup`);
JSON-LD blocks, microdata items and RDFa items then go through one `schemaorg.SchemaOrgMapper`, in that
order, so that they share @id references and de-duplication. A show described twice (JSON-LD and
microdata, or two blocks) is merged into one: same name and date, compatible time and venue, the first
description kept with its blanks filled from the second (`microdata.merge_duplicate_performances`).
OpenGraph's image then goes to the page's one entity if it has none (see `microdata.py`). A page whose
markup gives no shows is searched for the calendar feeds it links (iCalendar, calendar plugins' JSON,
organiser and ticketing pages), discovered with kind "feed", and for "add to calendar" links, read as
shows (`feeds.discover_feeds`); a page whose markup lists its shows is read from its markup alone.

A page nested deeper than the budget allows is read up to that depth (`extraction.budget`).
A body that is JSON (not HTML) is read as one JSON-LD document, as `jsonld.extract_jsonld` does.
"""

from __future__ import annotations

import datetime as dt

from selectolax.lexbor import LexborHTMLParser

from extraction.adapters.feeds import discover_feeds
from extraction.adapters.lenient_json import looks_like_json
from extraction.adapters.microdata import finish_result, scan_markup
from extraction.adapters.schemaorg import DEFAULT_HORIZON_DAYS, SchemaOrgMapper
from extraction.budget import DEFAULT_BUDGET, ExtractionBudget, bound_html_depth
from extraction.schemas import ExtractionResult
from sourcing.fetchrules import body_text

EXTRACTOR_NAME = "structured"
EXTRACTOR_VERSION = "2"


def extract_structured(
    body: bytes | str,
    *,
    url: str | None = None,
    default_timezone: str | None = None,
    reference_date: dt.date | None = None,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    budget: ExtractionBudget = DEFAULT_BUDGET,
) -> ExtractionResult:
    """Extract venues, artists and performances from all the structured data of an HTML page.

    `url` is the page's address (relative URLs are resolved against it, or against its <base href>);
    `default_timezone` is the IANA zone of the page's venues, if known (see `schemaorg_dates`);
    recurring events are expanded from `reference_date` (the fetch date; today when None) for
    `horizon_days`.
    """
    try:
        return _extract(
            body,
            url=url,
            default_timezone=default_timezone,
            reference_date=reference_date,
            horizon_days=horizon_days,
            budget=budget,
        )
    except Exception as exc:  # the contract is "never raise on bad input"; a bug still shows here
        return ExtractionResult(warnings=[f"structured: unexpected {type(exc).__name__}: {exc}"])


def _extract(
    body: bytes | str,
    *,
    url: str | None,
    default_timezone: str | None,
    reference_date: dt.date | None,
    horizon_days: int,
    budget: ExtractionBudget,
) -> ExtractionResult:
    text = body_text(body)
    mapper = SchemaOrgMapper(
        url=url,
        default_timezone=default_timezone,
        reference_date=reference_date,
        horizon_days=horizon_days,
        budget=budget,
    )
    if looks_like_json(text):
        mapper.add_jsonld([text], whole_document=True)
        return finish_result(mapper.result(), {}, mapper.base_url)
    text, depth_warning = bound_html_depth(text, budget.max_html_depth)
    if depth_warning:
        mapper.warn(depth_warning)
    tree = LexborHTMLParser(text)
    markup = scan_markup(tree)
    mapper.set_base_href(markup.base_href)
    for warning in markup.warnings:
        mapper.warn(warning)
    mapper.add_jsonld(markup.jsonld_blocks)
    mapper.add_items(markup.items, has_ids=markup.has_ids)
    result = finish_result(mapper.result(), markup.opengraph, mapper.base_url)
    if result.performances:
        return result  # its shows are in its markup: its feeds would say them again
    feeds = discover_feeds(tree, base_url=mapper.base_url, default_timezone=default_timezone)
    if feeds.urls or feeds.performances:
        result = result.model_copy(
            update={
                "discovered_urls": [*result.discovered_urls, *feeds.urls],
                "performances": [*result.performances, *feeds.performances],
                "warnings": [*result.warnings, *feeds.warnings],
            }
        )
    return result
