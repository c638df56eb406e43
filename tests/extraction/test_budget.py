"""Extraction budgets (issue 13): a hostile page costs bounded work and a bounded result, each cut said
in a warning; the page's first entities are kept. Work is counted (calls, depth, sizes), never timed."""

from __future__ import annotations

import json

import pytest
from selectolax.lexbor import LexborHTMLParser

from extraction import router
from extraction.adapters import schemaorg, structured
from extraction.budget import BUDGET_PREFIX, DEFAULT_BUDGET, ExtractionBudget, apply_budget, bound_html_depth
from extraction.router import STRUCTURED, Document
from extraction.schemas import ExtractedPerformance, ExtractedVenue, ExtractionResult


def _page(*documents: object, body: str = "") -> bytes:
    scripts = "".join(f'<script type="application/ld+json">{json.dumps(d)}</script>' for d in documents)
    return f"<html><head>{scripts}</head><body>{body}</body></html>".encode()


def _count_calls(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[int]:
    calls: list[int] = []
    real = getattr(module, name)

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    return calls


def test_an_event_with_230000_performers_reads_and_keeps_the_first_200(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    performers = [{"@type": "MusicGroup", "name": f"B{i}"} for i in range(230_000)]
    page = _page({"@context": "https://schema.org", "@type": "MusicEvent", "name": "Everyone", "startDate": "2026-05-01",
                  "location": {"@type": "Place", "name": "Field"}, "performer": performers})  # fmt: skip
    assert len(page) > 9_000_000  # the 10 MB page
    artists_read = _count_calls(monkeypatch, schemaorg, "_artist")

    result = STRUCTURED.run(Document(body=page, url="https://festival.example/"))  # type: ignore[misc]

    [show] = result.performances
    assert [p.artist.name for p in show.performers] == [f"B{i}" for i in range(DEFAULT_BUDGET.max_performers)]
    assert len(artists_read) == DEFAULT_BUDGET.max_performers  # the other 229,800 are never mapped
    assert (
        result.warnings[0] == f"{BUDGET_PREFIX}event 'Everyone' lists 230000 performers; the first 200 read"
    )
    assert len(result.model_dump_json()) < 100_000  # what is stored: tens of kilobytes, not 90 MB


def test_100000_nested_divs_are_parsed_only_to_the_budgets_depth(monkeypatch: pytest.MonkeyPatch) -> None:
    nested = "<div>" * 100_000 + "deep" + "</div>" * 100_000
    microdata = (
        '<p itemscope itemtype="https://schema.org/MusicEvent"><span itemprop="name">Before the abyss</span>'
        '<meta itemprop="startDate" content="2026-05-02"></p>'
    )
    parsed: list[str] = []

    def recording_parser(text: str) -> object:
        parsed.append(text)
        return LexborHTMLParser(text)

    monkeypatch.setattr(structured, "LexborHTMLParser", recording_parser)
    result = STRUCTURED.run(Document(body=_page(body=microdata + nested), url="https://deep.example/"))  # type: ignore[misc]

    assert [p.name for p in result.performances] == ["Before the abyss"]
    [text] = parsed
    assert text.count("<div>") == DEFAULT_BUDGET.max_html_depth  # the parser never sees a deeper tree
    assert result.warnings[0].startswith(
        f"{BUDGET_PREFIX}page nested deeper than 512 elements; read up to character"
    )


@pytest.mark.parametrize(
    ("page", "cut"),
    [
        ("<p>" * 50_000, False),  # implicitly closed: flat
        ("<br>" * 50_000 + "<img src=x>" * 1000, False),
        ("<div></div>" * 20_000, False),
        (
            "<script>" + "<div>" * 20_000 + "</script>" + "<span>x</span>" * 3000,
            False,
        ),  # script text is not tags
        ("<!--" + "<div>" * 20_000 + "-->" + "<a>x</a>" * 3000, False),
        ("<span>" * 6_000, True),
        ("<section><div>" * 3_000, True),
    ],
)
def test_depth_bound_counts_only_what_deepens_the_tree(page: str, cut: bool) -> None:
    bounded, warning = bound_html_depth(page, 512)
    assert (warning is not None) is cut
    assert (len(bounded) < len(page)) is cut


def test_more_performances_than_the_budget_keeps_the_first_and_stops_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events = [{"@type": "Event", "name": f"Show {i}", "startDate": "2026-06-01"} for i in range(3_000)]
    read = _count_calls(monkeypatch, schemaorg, "_performance")
    result = STRUCTURED.run(Document(body=_page({"@context": "https://schema.org", "@graph": events})))  # type: ignore[misc]
    assert [p.name for p in result.performances] == [
        f"Show {i}" for i in range(DEFAULT_BUDGET.max_performances)
    ]
    assert len(read) == DEFAULT_BUDGET.max_performances
    assert result.warnings[0] == f"{BUDGET_PREFIX}2000 performances read; the rest of the page was not read"


def test_a_result_larger_than_the_budget_drops_performances_from_the_end() -> None:
    description = "word " * 1_800  # 9,000 characters each
    events = [{"@type": "Event", "name": f"Long {i}", "startDate": "2026-06-02", "description": description}
              for i in range(1_500)]  # fmt: skip
    budget = ExtractionBudget(max_result_bytes=2_000_000)
    document = Document(body=_page({"@context": "https://schema.org", "@graph": events}), budget=budget)
    result = STRUCTURED.run(document)  # type: ignore[misc]
    size = len(result.model_dump_json())
    assert size <= budget.max_result_bytes
    assert 100 < len(result.performances) < 1_500
    assert [p.name for p in result.performances] == [f"Long {i}" for i in range(len(result.performances))]
    assert result.warnings[0].startswith(
        f"{BUDGET_PREFIX}result larger than 2000000 bytes of JSON; the first "
    )


def test_every_deterministic_extractor_is_held_to_the_budget() -> None:
    venues = [ExtractedVenue(name=f"V{i}") for i in range(5)]
    shows = [ExtractedPerformance(name=f"S{i}", local_date="2026-01-01") for i in range(5)]

    def too_much(doc: Document) -> ExtractionResult:
        return ExtractionResult(venues=venues, performances=shows, warnings=["adapter said something"])

    run = router._budgeted(too_much)
    result = run(Document(body=b"{}", budget=ExtractionBudget(max_venues=2, max_performances=3)))
    assert ([v.name for v in result.venues], [p.name for p in result.performances]) == (
        ["V0", "V1"],
        ["S0", "S1", "S2"],
    )
    assert result.warnings == [
        f"{BUDGET_PREFIX}5 performances; the first 3 kept",
        f"{BUDGET_PREFIX}5 venues; the first 2 kept",
        "adapter said something",
    ]
    assert all(e.run is not None for e in router.EXTRACTORS.values() if not e.needs_llm)
    assert apply_budget(result, ExtractionBudget(max_venues=2, max_performances=3)) == result  # idempotent
