"""The LLM page agent: reduction, chunking, the pydantic-ai agent (FunctionModel / TestModel only,
never a network call) and the pipeline path for pages without structured data."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from genai_prices import Usage, calc_price
from pydantic_ai import models as pai_models
from pydantic_ai.exceptions import ModelHTTPError
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.models.test import TestModel
from pydantic_ai.usage import RequestUsage

from extraction.llm import agent as llm_agent
from extraction.llm.agent import (
    AGENT_NAME,
    AGENT_VERSION,
    OUTPUT_RETRIES,
    LlmConfigError,
    LlmExtractionError,
    PageShows,
    get_model,
    run_llm_extraction,
    to_extraction_result,
)
from extraction.llm.chunk import merge_results, split_text
from extraction.llm.reduce import reduce_html
from extraction.schemas import (
    Billing,
    ExtractedPerformance,
    ExtractedVenue,
    ExtractionResult,
    TimePrecision,
)

ROOT = Path(__file__).resolve().parents[2]
RIPPER = ROOT / "tests" / "fixtures" / "web" / "calendar-ripper"
EL_CORAZON = "el_corazon__sample-data.html"

# Pages with no structured data at all: what must survive the reduction of each.
NO_MARKUP_PAGES = {
    EL_CORAZON: (
        "https://www.elcorazonseattle.com/",
        [
            "Braden Bales",
            "Heathen, Rising Of The Tides, Hellbox",
            "February 13, 2026",
            "6:45 pm",
            "The Funhouse",
            "<https://www.elcorazonseattle.com/shows/coroner-13-feb>",
            "A Wilhelm Scream",
        ],
    ),
    "chop_suey__sample-data.html": (
        "https://chopsuey.com/calendar/",
        [
            "[Sunbather Die, Tiger Penis, Bhodie Boys](https://chopsuey.com/tm-event/sunbather-die-tiger-penis-bhodie-boys/)",
            "Feb 12 8:00 PM (Doors: 7:00 PM )",
            "[Buy Tickets](https://www.ticketweb.com/event/love-shack-chop-suey-tickets/14115434?REFID=clientsitewp)",
            "KILL CUPID: A Self-Love Club Night",
        ],
    ),
    "showbox_presents__sample-data.html": (
        "https://www.showboxpresents.com/events/all",
        [
            "### [THE ELOVATERS](https://www.showboxpresents.com/events/detail/1131539)",
            "#### with Special Guests Shwayze and JARV",
            "Thu, Feb 12, 2026 Show 7:00 PM @ Showbox SoDo",
            "Sun, Mar 01, 2026 Show 11:00 AM @ The Showbox",
        ],
    ),
    "egans_ballard_jam_house__sample-data.html": (
        "https://www.ballardjamhouse.com/schedule.html",
        [
            "Fri May 1",
            "7pm - Singer-Songwriter Nancy K Dillon [[Website](https://nancykdillon.net)",
            "9:30pm - Ian Hughes Quartet",
            "[HERE](https://www.strangertickets.com/events/183332805/",
            "[Home](https://www.ballardjamhouse.com/index.html)",
        ],
    ),
}


@pytest.fixture(autouse=True)
def _no_model_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """A real provider model refuses to send anything in these tests (FunctionModel/TestModel still work)."""
    monkeypatch.setattr(pai_models, "ALLOW_MODEL_REQUESTS", False)


def _reduce(name: str, base_url: str | None = None) -> Any:
    html = (RIPPER / name).read_text(encoding="utf-8")
    return reduce_html(html, base_url=base_url or NO_MARKUP_PAGES[name][0])


def _output_call(info: AgentInfo, args: dict[str, Any], *, tokens: tuple[int, int] = (0, 0)) -> ModelResponse:
    usage = RequestUsage(input_tokens=tokens[0], output_tokens=tokens[1]) if any(tokens) else RequestUsage()
    return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, args)], usage=usage)


def _prompt_of(messages: list[ModelMessage]) -> str:
    parts = [p for m in messages if isinstance(m, ModelRequest) for p in m.parts]
    return "\n".join(p.content for p in parts if isinstance(p, UserPromptPart) and isinstance(p.content, str))


def _retry_feedback(messages: list[ModelMessage]) -> list[str]:
    """What pydantic-ai told the model about its refused output."""
    feedback = []
    for message in messages:
        if not isinstance(message, ModelRequest):
            continue
        for part in message.parts:
            if isinstance(part, ToolReturnPart) and part.outcome == "retried":
                feedback.append(part.model_response_str())
            elif isinstance(part, RetryPromptPart):
                feedback.append(part.model_response())
    return feedback


# --- reduction -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(NO_MARKUP_PAGES))
def test_reduction_keeps_events_links_and_dates_and_shrinks_the_page(name: str, record_property: Any) -> None:
    page = _reduce(name)

    for expected in NO_MARKUP_PAGES[name][1]:
        assert expected in page.text
    assert page.chars_in == len((RIPPER / name).read_text(encoding="utf-8"))
    assert page.chars_out == len(page.text)
    assert page.chars_out < page.chars_in
    record_property("reduction", f"{page.chars_in} -> {page.chars_out} chars, ratio {page.ratio:.3f}")


def test_reduction_over_the_no_markup_pages_more_than_halves_them(record_property: Any) -> None:
    pages = [_reduce(name) for name in NO_MARKUP_PAGES]
    chars_in = sum(p.chars_in for p in pages)
    chars_out = sum(p.chars_out for p in pages)
    record_property("reduction", f"{chars_in} -> {chars_out} chars, ratio {chars_out / chars_in:.3f}")
    assert chars_out / chars_in < 0.5
    # Pages that are mostly markup shrink the most: the card layouts to a fifth or less.
    assert _reduce(EL_CORAZON).ratio < 0.25
    assert _reduce("chop_suey__sample-data.html").ratio < 0.2


def test_reduction_drops_chrome_scripts_and_hidden_content() -> None:
    html = """<html><head><title>The Venue | Calendar</title><style>p{}</style></head><body>
    <nav><a href="/">Home</a></nav><header><h1>The Venue</h1></header>
    <script>var events = ["secret-script"];</script><!-- secret-comment -->
    <svg><text>secret-svg</text></svg>
    <form action="/subscribe"><input name="email" value="secret-input">secret-form</form>
    <p hidden>secret-hidden</p><div style="display: none">secret-display</div>
    <div style="visibility:hidden">secret-visibility</div><span aria-hidden="true">secret-aria</span>
    <div role="navigation">secret-role</div><template>secret-template</template>
    <aside>secret-aside</aside><dialog>secret-dialog</dialog><p>_____</p><p>|</p>
    <main><h2>Upcoming</h2>
      <ul><li><div><a href="shows/one">Band One</a></div><div><time datetime="2026-03-06T20:00">Fri 8pm</time></div></li>
          <li>Band Two <span>TBA</span></li></ul>
      <table><tr><th>Date</th><th>Act</th></tr><tr><td>Mar 7</td><td>Band Three</td></tr></table>
      <p>Call   us
         at <a href="tel:+12065550100">206-555-0100</a> or <a href="javascript:void(0)">this</a>.</p>
      <a href="#top">Back to top</a>
    </main>
    <div id="comments"><ol class="commentlist"><li>secret-reader: see you there!</li></ol></div>
    <footer>secret-footer <address>1 Main St</address></footer></body></html>"""

    page = reduce_html(html, base_url="https://venue.example/calendar/")

    assert page.title == "The Venue | Calendar"
    assert "secret" not in page.text
    assert page.text.splitlines() == [
        "# The Venue",
        "## Upcoming",
        "- [Band One](https://venue.example/calendar/shows/one)",
        "Fri 8pm [2026-03-06T20:00]",
        "- Band Two TBA",
        "Date | Act",
        "Mar 7 | Band Three",
        "Call us at [206-555-0100](tel:+12065550100) or this.",
        "Back to top",
    ]


def test_reduction_of_card_links_and_base_href() -> None:
    html = """<html><head><base href="https://cdn.example/site/"></head><body>
    <a href="event/9"><div class="card"><h3>Big Show</h3><p>Sat, Apr 4</p></div></a>
    <a href="event/10"><img src="x.jpg" alt="Poster of Small Show"></a>
    <a href="event/11"><img src="y.jpg" alt=""></a>
    <p>Just text</p><p>Just text</p></body></html>"""

    page = reduce_html(html, base_url="https://ignored.example/")

    assert page.text.splitlines() == [
        "### Big Show",
        "Sat, Apr 4",
        "<https://cdn.example/site/event/9>",
        "Poster of Small Show <https://cdn.example/site/event/10> <https://cdn.example/site/event/11>",
        "Just text",  # an immediately repeated line is kept once
    ]


def test_reduction_keeps_a_page_wrapped_in_one_form() -> None:
    # ASP.NET WebForms pages put the whole page in one <form>: its content is not a form to drop.
    listing = "".join(
        f"<p>Show number {i} on March {i}, 2026 at 8pm with several bands</p>" for i in range(1, 30)
    )
    page = reduce_html(f'<body><form id="aspnetForm">{listing}</form></body>', base_url=None)
    assert "Show number 29 on March 29, 2026" in page.text


def test_llm_modules_are_pure() -> None:
    code = (
        "import sys, extraction.llm.reduce, extraction.llm.chunk, extraction.llm.agent, extraction.router; "
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- chunking and merging --------------------------------------------------------------------------


def test_long_page_is_chunked_on_line_boundaries_with_overlap() -> None:
    text = _reduce("egans_ballard_jam_house__sample-data.html").text
    lines = text.splitlines()

    chunks = split_text(text, max_chars=3000, overlap_chars=300)

    assert len(chunks) >= 4
    assert all(len(chunk) <= 3000 for chunk in chunks)
    for chunk in chunks:  # whole lines only
        assert all(line in lines for line in chunk.splitlines())
    for before, after in zip(chunks, chunks[1:], strict=False):
        # The next chunk starts with the end of this one.
        assert after.splitlines()[0] in before.splitlines()
    assert {line for chunk in chunks for line in chunk.splitlines()} == set(lines)
    assert split_text(text, max_chars=len(text)) == [text]
    assert split_text("   ", max_chars=1000) == []


def test_chunk_ends_before_a_heading_when_one_is_near_the_end() -> None:
    text = "\n".join(
        ["intro " * 10] + [f"line {i} " + "x" * 40 for i in range(30)] + ["## May"] + ["y" * 40] * 3
    )
    chunks = split_text(text, max_chars=1600, overlap_chars=0)
    assert chunks[1].startswith("## May")


def test_a_line_longer_than_a_chunk_is_split_at_spaces() -> None:
    text = " ".join(f"word{i}" for i in range(2000))
    chunks = split_text(text, max_chars=1000, overlap_chars=100)
    assert all(len(chunk) <= 1000 for chunk in chunks)
    assert set(" ".join(chunks).split()) == set(text.split())


def _show(name: str, day: int, venue: str | None = "El Corazón", **fields: Any) -> ExtractedPerformance:
    return ExtractedPerformance(
        name=name,
        local_date=dt.date(2026, 2, day),
        venue=ExtractedVenue(name=venue) if venue else None,
        **fields,
    )


def test_merge_deduplicates_performances_and_venues_and_fills_gaps() -> None:
    first = ExtractionResult(
        venues=[ExtractedVenue(name="El Corazón")],
        performances=[_show("Coroner", 13), _show("Hoaxed", 14)],
        warnings=["w1"],
    )
    second = ExtractionResult(
        venues=[ExtractedVenue(name="el  corazón", phone="206-262-0482")],
        performances=[
            # The overlap saw Hoaxed again, this time with its time.
            _show("HOAXED", 14, local_start_time=dt.time(20, 30), time_precision=TimePrecision.EXACT),
            _show("Hoaxed", 14, venue="The Funhouse"),  # another room: another show
            _show("Coroner", 15),  # another date: another show
        ],
        warnings=["w1", "w2"],
    )

    merged = merge_results([first, second])

    assert [(v.name, v.phone) for v in merged.venues] == [("El Corazón", "206-262-0482")]
    assert [(p.name, p.local_date.day, p.venue.name if p.venue else None) for p in merged.performances] == [
        ("Coroner", 13, "El Corazón"),
        ("Hoaxed", 14, "El Corazón"),
        ("Hoaxed", 14, "The Funhouse"),
        ("Coroner", 15, "El Corazón"),
    ]
    hoaxed = merged.performances[1]
    assert hoaxed.local_start_time == dt.time(20, 30)
    assert hoaxed.time_precision == TimePrecision.EXACT
    assert merged.warnings == ["w1", "w2"]
    assert merge_results([]) == ExtractionResult()


# --- the agent ------------------------------------------------------------------------------------

EL_CORAZON_SHOWS: list[dict[str, Any]] = [
    {
        "title": "Braden Bales",
        "date": "2026-02-11",
        "doors_time": "19:00",
        "start_time": "19:30",
        "time_precision": "exact",
        "acts": [
            {"name": "Braden Bales", "billing": "headliner"},
            {"name": "Ezra", "billing": "support"},
            {"name": "AfterThought", "billing": "support"},
        ],
        "venue": "The Funhouse",
        "url": "/shows/braden-bales-11-feb",
    },
    {
        "title": "Coroner",
        "date": "2026-02-13",
        "doors_time": "18:30",
        "start_time": "18:45",
        "time_precision": "exact",
        "acts": [{"name": "Coroner", "billing": "headliner"}, {"name": "Heathen", "billing": "support"}],
        "venue": "El Corazón",
        "url": "/shows/coroner-13-feb",
    },
    {
        "title": "The Emo Night Tour",
        "date": "2026-02-21",
        "time_precision": "tba",
        "acts": [{"name": "The Emo Night Tour"}],
        "venue": "El Corazón",
        "url": "/shows/the-emo-night-tour-21-feb",
    },
]


def _el_corazon_output(base: str) -> dict[str, Any]:
    shows = [{**show, "url": base.rstrip("/") + show["url"]} for show in EL_CORAZON_SHOWS]
    return {
        "page_venue": {"name": "El Corazón", "city": "Seattle", "region": "WA", "country": "US"},
        "shows": shows,
    }


class Reader:
    """A FunctionModel function that answers with a fixed output and records every call."""

    def __init__(self, output: dict[str, Any], *, tokens: tuple[int, int] = (1200, 300)) -> None:
        self.output = output
        self.tokens = tokens
        self.calls: list[list[ModelMessage]] = []

    def __call__(self, messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        self.calls.append(messages)
        return _output_call(info, self.output, tokens=self.tokens)


def test_valid_structured_output_becomes_an_extraction_result() -> None:
    base = "https://www.elcorazonseattle.com"
    page = _reduce(EL_CORAZON, base + "/")
    output = _el_corazon_output(base)
    output["shows"][0]["ticket_url"] = "https://tickets.example/made-up"  # not on the page
    reader = Reader(output)

    outcome = run_llm_extraction(
        page.text, model=FunctionModel(reader), url=base + "/", page_date=dt.date(2026, 2, 1)
    )

    assert len(reader.calls) == 1
    prompt = _prompt_of(reader.calls[0])
    assert "Page URL: https://www.elcorazonseattle.com/" in prompt
    assert "Page date (when it was fetched): 2026-02-01" in prompt
    assert page.text in prompt
    result = outcome.result
    assert [v.name for v in result.venues] == ["El Corazón"]
    assert result.venues[0].address is not None
    assert result.venues[0].address.locality == "Seattle"
    braden, coroner, emo = result.performances
    assert (braden.name, braden.local_date, braden.local_start_time, braden.local_doors_time) == (
        "Braden Bales",
        dt.date(2026, 2, 11),
        dt.time(19, 30),
        dt.time(19, 0),
    )
    assert braden.venue == ExtractedVenue(name="The Funhouse")
    assert [(p.artist.name, p.billing, p.order) for p in braden.performers] == [
        ("Braden Bales", Billing.HEADLINER, 0),
        ("Ezra", Billing.SUPPORT, 1),
        ("AfterThought", Billing.SUPPORT, 2),
    ]
    assert braden.url == "https://www.elcorazonseattle.com/shows/braden-bales-11-feb"
    assert braden.offers == []  # the invented ticket link was dropped...
    assert result.warnings == [
        "dropped ticket link 'https://tickets.example/made-up' of 'Braden Bales': it is not on the page"
    ]
    assert coroner.venue is not None
    assert coroner.venue.address is not None  # the page's own venue, with what the page said of it
    assert emo.time_precision == TimePrecision.TBA
    assert emo.local_start_time is None
    assert (outcome.chunks, outcome.requests) == (1, 1)


def test_test_model_output_is_converted() -> None:
    model = TestModel(
        custom_output_args={
            "shows": [
                {"title": "Coroner", "date": "2026-02-13", "start_time": "18:45", "time_precision": "exact"}
            ]
        }
    )
    outcome = run_llm_extraction("Coroner\nFebruary 13, 2026\n6:45 pm", model=model, url=None)
    (show,) = outcome.result.performances
    assert (show.name, show.local_start_time, show.time_precision) == ("Coroner", dt.time(18, 45), "exact")
    assert outcome.cost_usd is None  # the test model has no price


def test_invalid_output_is_retried_with_the_validation_error() -> None:
    calls: list[list[ModelMessage]] = []

    def reader(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        calls.append(messages)
        if len(calls) == 1:  # a start time, but says it is only a date; and a date that is no date
            return _output_call(
                info,
                {
                    "shows": [
                        {
                            "title": "Coroner",
                            "date": "2026-02-13",
                            "start_time": "18:45",
                            "time_precision": "date",
                        },
                        {"title": "Hoaxed", "date": "Feb 14th"},
                    ]
                },
            )
        return _output_call(
            info,
            {
                "shows": [
                    {
                        "title": "Coroner",
                        "date": "2026-02-13",
                        "start_time": "18:45",
                        "time_precision": "exact",
                    },
                    {"title": "Hoaxed", "date": "2026-02-14"},
                ]
            },
        )

    outcome = run_llm_extraction(
        "Coroner Feb 13 6:45pm\nHoaxed Feb 14", model=FunctionModel(reader), url=None
    )

    assert len(calls) == 2
    feedback = "\n".join(_retry_feedback(calls[1]))
    assert "time_precision must be 'exact' when start_time is given" in feedback
    assert '"loc":["shows",1,"date"]' in feedback
    assert [p.name for p in outcome.result.performances] == ["Coroner", "Hoaxed"]
    assert outcome.requests == 2


def test_output_that_never_validates_raises_a_clear_error() -> None:
    calls = []

    def reader(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        calls.append(messages)
        return _output_call(info, {"shows": [{"title": "", "date": "2026-02-13"}]}, tokens=(1000, 100))

    with pytest.raises(LlmExtractionError) as caught:
        run_llm_extraction("A page", model=FunctionModel(reader), url=None)

    assert len(calls) == 1 + OUTPUT_RETRIES
    error = caught.value
    assert not error.retryable
    assert (
        "The model's output for chunk 1 of 1 was refused (Exceeded maximum output retries (2))"
        in error.reason
    )
    assert "title" in error.reason
    assert (error.usage.input_tokens, error.usage.output_tokens) == (3000, 300)  # what was paid is known


def test_model_service_failure_is_retryable() -> None:
    def reader(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        raise ModelHTTPError(status_code=429, model_name="gpt-4o-mini", body={"error": "rate limited"})

    with pytest.raises(LlmExtractionError) as caught:
        run_llm_extraction("A page", model=FunctionModel(reader), url=None)
    assert caught.value.retryable
    assert "The model service failed on chunk 1 of 1" in caught.value.reason


def test_tokens_and_cost_are_summed_over_chunks_and_retries() -> None:
    shows_per_line = re.compile(r"^Show (\d+) on 2026-03-(\d\d)$", re.MULTILINE)
    calls: list[str] = []

    def reader(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        prompt = _prompt_of(messages)
        calls.append(prompt)
        found = [{"title": f"Show {n}", "date": f"2026-03-{d}"} for n, d in shows_per_line.findall(prompt)]
        return _output_call(info, {"shows": found}, tokens=(2000, 500))

    text = "\n".join(f"Show {n} on 2026-03-{n % 28 + 1:02d}" for n in range(1, 301))
    outcome = run_llm_extraction(
        text, model=FunctionModel(reader, model_name="gpt-4o-mini"), url=None, max_chunk_chars=1500
    )

    assert outcome.chunks == len(calls) >= 4
    assert all("of the page text; parts overlap a little" in prompt for prompt in calls)
    # Every show once, although the overlaps showed some of them twice.
    assert [p.name for p in outcome.result.performances] == [f"Show {n}" for n in range(1, 301)]
    assert (outcome.input_tokens, outcome.output_tokens, outcome.requests) == (
        2000 * outcome.chunks,
        500 * outcome.chunks,
        outcome.chunks,
    )
    expected = (
        calc_price(Usage(input_tokens=2000, output_tokens=500), "gpt-4o-mini").total_price * outcome.chunks
    )
    assert outcome.cost_usd == expected
    assert outcome.cost_usd > 0

    # A model genai-prices does not know: tokens, but no cost.
    unknown = run_llm_extraction("Show 1 on 2026-03-02", model=FunctionModel(reader), url=None)
    assert unknown.input_tokens == 2000
    assert unknown.cost_usd is None


def test_too_long_a_page_is_read_up_to_the_chunk_limit() -> None:
    reader = Reader({"shows": []})
    text = "\n".join(f"line {i} " + "x" * 80 for i in range(200))
    outcome = run_llm_extraction(
        text, model=FunctionModel(reader), url=None, max_chunk_chars=1000, max_chunks=3
    )
    assert outcome.chunks == len(reader.calls) == 3
    assert outcome.result.warnings[-1].startswith("page text truncated: read the first 3 of ")


def test_the_output_schema_refuses_inconsistent_times() -> None:
    ok = PageShows.model_validate({"shows": [{"title": "A", "date": "2026-01-01", "time_precision": "tba"}]})
    assert to_extraction_result(ok, text="").performances[0].time_precision == TimePrecision.TBA
    with pytest.raises(ValueError, match="needs a start_time"):
        PageShows.model_validate({"shows": [{"title": "A", "date": "2026-01-01", "time_precision": "exact"}]})


def test_an_unusable_model_string_is_a_config_error() -> None:
    assert (AGENT_NAME, AGENT_VERSION) == ("llm_page", "1")
    with pytest.raises(LlmConfigError, match="LLM_MODEL 'nosuchprovider:model' cannot be used"):
        get_model("nosuchprovider:model")
    assert get_model("test").model_name == "test"


# --- the pipeline ---------------------------------------------------------------------------------


def _pipeline_imports() -> Any:
    from core.stages import StageStatus
    from entities.models import EntitySource, Performance
    from extraction.models import Extraction
    from sourcing import services as sourcing
    from sourcing.models import Scrape

    return EntitySource, Performance, Extraction, StageStatus, sourcing, Scrape


def _add_url(fixtures_web: Any, name: str, path: str) -> Any:
    *_, sourcing, _ = _pipeline_imports()
    source = sourcing.source_upsert(name=name, kind="venue_site")
    return sourcing.url_add(source=source, url=fixtures_web.url(path))


@pytest.fixture
def el_corazon_reader(fixtures_web: Any, monkeypatch: pytest.MonkeyPatch) -> Reader:
    """LLM_MODEL names a priced model; the model itself is a FunctionModel answering for El Corazón."""
    reader = Reader(_el_corazon_output(fixtures_web.url("/")))
    monkeypatch.setattr(llm_agent, "model_override", FunctionModel(reader, model_name="gpt-4o-mini"))
    return reader


PAGE = f"/calendar-ripper/{EL_CORAZON}"


@pytest.mark.django_db(transaction=True)
def test_page_without_markup_is_read_by_the_llm_into_canonical_performances(
    fixtures_web: Any, pipeline_settings: Any, el_corazon_reader: Reader
) -> None:
    EntitySource, Performance, Extraction, StageStatus, sourcing, Scrape = _pipeline_imports()
    pipeline_settings.LLM_MODEL = "openai:gpt-4o-mini"
    url = _add_url(fixtures_web, "el-corazon", PAGE)

    sourcing.scrapes_request_due()

    scrape = Scrape.objects.get(url=url)
    assert scrape.status == StageStatus.DONE
    extraction = Extraction.objects.get(scrape=scrape)
    assert (extraction.extractor, extraction.extractor_version) == ("llm_page", "1")
    assert extraction.status == StageStatus.DONE, extraction.last_error
    assert len(el_corazon_reader.calls) == 1
    assert "Coroner" in _prompt_of(el_corazon_reader.calls[0])
    assert (extraction.input_tokens, extraction.output_tokens) == (1200, 300)
    expected = calc_price(Usage(input_tokens=1200, output_tokens=300), "gpt-4o-mini").total_price
    assert extraction.cost_usd == expected.quantize(Decimal("0.000001"))
    assert extraction.performance_count == 3
    assert ExtractionResult.model_validate(extraction.output).performances[0].name == "Braden Bales"
    assert EntitySource.objects.filter(extraction=extraction, entity_type="performance").count() == 3
    shows = {p.name: p for p in Performance.objects.select_related("venue")}
    assert set(shows) == {"Braden Bales", "Coroner", "The Emo Night Tour"}
    assert shows["Coroner"].venue is not None
    assert shows["Coroner"].venue.name == "El Corazón"
    assert shows["Coroner"].local_start_time == dt.time(18, 45)
    assert shows["Braden Bales"].venue is not None
    assert shows["Braden Bales"].venue.name == "The Funhouse"


@pytest.mark.django_db(transaction=True)
def test_identical_page_elsewhere_reuses_the_cached_output_without_calling_the_model(
    fixtures_web: Any, pipeline_settings: Any, el_corazon_reader: Reader
) -> None:
    _, Performance, Extraction, StageStatus, sourcing, Scrape = _pipeline_imports()
    pipeline_settings.LLM_MODEL = "openai:gpt-4o-mini"
    _add_url(fixtures_web, "el-corazon", PAGE)
    sourcing.scrapes_request_due()
    first = Extraction.objects.get()
    performances = Performance.objects.count()

    mirror = _add_url(fixtures_web, "el-corazon-mirror", PAGE + "?mirror=1")
    sourcing.scrapes_request_due()

    second = Extraction.objects.get(scrape__url=mirror)
    assert second.scrape.content_hash == first.scrape.content_hash
    assert len(el_corazon_reader.calls) == 1  # paid once
    assert second.status == StageStatus.DONE, second.last_error
    assert (second.input_tokens, second.output_tokens, second.cost_usd) == (0, 0, Decimal(0))
    assert second.warnings == [f"reused cached LLM output from extraction {first.pk}"]
    assert second.performance_count == 3
    assert Performance.objects.count() == performances  # the same shows, now seen by two sources
    assert json.dumps(second.output["performances"]) == json.dumps(first.output["performances"])


@pytest.mark.django_db(transaction=True)
def test_without_a_model_the_page_waits_and_resume_llm_reads_it_once_one_is_set(
    fixtures_web: Any, pipeline_settings: Any, el_corazon_reader: Reader
) -> None:
    EntitySource, Performance, Extraction, StageStatus, sourcing, _ = _pipeline_imports()
    pipeline_settings.LLM_MODEL = ""
    _add_url(fixtures_web, "el-corazon", PAGE)
    sourcing.scrapes_request_due()

    extraction = Extraction.objects.get()
    assert extraction.status == StageStatus.WAITING
    assert extraction.last_error == "No structured data, and no LLM_MODEL is configured to read the page."
    assert el_corazon_reader.calls == []
    assert not EntitySource.objects.exists()
    with pytest.raises(CommandError, match="LLM_MODEL is not set"):
        call_command("resume_llm")

    pipeline_settings.LLM_MODEL = "openai:gpt-4o-mini"
    call_command("resume_llm")

    extraction.refresh_from_db()
    assert extraction.status == StageStatus.DONE, extraction.last_error
    assert len(el_corazon_reader.calls) == 1
    assert Performance.objects.count() == 3
    call_command("resume_llm")  # nothing waits any more: nothing happens
    assert len(el_corazon_reader.calls) == 1


@pytest.mark.django_db(transaction=True)
def test_an_unusable_model_parks_the_page_as_waiting_with_the_reason(
    fixtures_web: Any, pipeline_settings: Any
) -> None:
    _, _, Extraction, StageStatus, sourcing, _ = _pipeline_imports()
    pipeline_settings.LLM_MODEL = "nosuchprovider:some-model"
    _add_url(fixtures_web, "el-corazon", PAGE)
    sourcing.scrapes_request_due()
    extraction = Extraction.objects.get()
    assert extraction.status == StageStatus.WAITING
    assert extraction.last_error.startswith("LLM_MODEL 'nosuchprovider:some-model' cannot be used")


@pytest.mark.django_db(transaction=True)
def test_refused_output_fails_the_extraction_and_keeps_what_was_paid(
    fixtures_web: Any, pipeline_settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    EntitySource, _, Extraction, StageStatus, sourcing, _ = _pipeline_imports()
    reader = Reader({"shows": [{"title": "Coroner", "date": "13 Feb"}]}, tokens=(1000, 100))
    monkeypatch.setattr(llm_agent, "model_override", FunctionModel(reader, model_name="gpt-4o-mini"))
    pipeline_settings.LLM_MODEL = "openai:gpt-4o-mini"
    _add_url(fixtures_web, "el-corazon", PAGE)

    sourcing.scrapes_request_due()

    extraction = Extraction.objects.get()
    assert extraction.status == StageStatus.FAILED
    assert "was refused (Exceeded maximum output retries (2))" in extraction.last_error
    assert (extraction.input_tokens, extraction.output_tokens) == (3000, 300)
    assert extraction.cost_usd is not None
    assert extraction.cost_usd > 0
    assert extraction.output is None
    assert not EntitySource.objects.exists()
