"""Scoring an LLM model on labelled pages (pure: no Django import), for `manage.py eval_llm`.

A labelled page is a saved page with the events a careful reader finds in it (tests/fixtures/
expected_llm for the pages without markup; tests/fixtures/expected for pages with markup, read by the
model as text). Each page is reduced (`reduce.reduce_html`), read by the model through the pipeline's
own `agent.run_llm_extraction`, and scored:

- an extracted show matches an expected event when their local dates and start times (to the minute,
  or both unknown) are equal and their names agree (after case, accents and punctuation are set aside,
  one's words contain the other's, or they share at least half their words): models word titles in
  their own way, so an exact name match would measure wording rather than finding;
- precision and recall count each expected event once; tokens, requests and cost are the agent's own
  (pydantic-ai's usage and its genai-prices lookup: None where the model is not priced), time is wall
  time of the model's runs;
- the reduction ratio is the characters the model was shown over the page's characters.

`RecordingModel` keeps what a real model answered (the output tool's arguments, per request) so a run
can be saved (`eval_llm --record DIR`) and replayed without the model (`replay_model`, a pydantic-ai
FunctionModel): that is how CI runs the evaluation.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, ToolCallPart, UserPromptPart
from pydantic_ai.models import Model, ModelRequestParameters
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.models.wrapper import WrapperModel
from pydantic_ai.settings import ModelSettings
from pydantic_ai.usage import RequestUsage

from extraction.llm.agent import LlmExtractionError, run_llm_extraction
from extraction.llm.reduce import reduce_html
from extraction.schemas import ExtractedPerformance

_WORD_RE = re.compile(r"[^\W_]+")
_URL_RE = re.compile(r"^Page URL: (\S+)", re.MULTILINE)


@dataclass(frozen=True)
class LabelledPage:
    name: str
    html: str
    url: str
    page_date: dt.date | None
    events: list[dict[str, Any]]
    kind: str  # "no markup" or "markup"


@dataclass
class PageScore:
    name: str
    kind: str
    expected: int
    predicted: int = 0
    true_positives: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    requests: int = 0
    cost_usd: Decimal | None = None
    seconds: float = 0.0
    chars_in: int = 0
    chars_out: int = 0
    error: str | None = None


@dataclass
class Totals:
    pages: int = 0
    expected: int = 0
    predicted: int = 0
    true_positives: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    requests: int = 0
    cost_usd: Decimal | None = None
    seconds: float = 0.0
    chars_in: int = 0
    chars_out: int = 0
    errors: int = 0

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.expected if self.expected else 1.0

    @property
    def reduction_ratio(self) -> float:
        return self.chars_out / self.chars_in if self.chars_in else 0.0


def load_labelled_pages(directory: Path, fixtures: Path, kind: str) -> list[LabelledPage]:
    """The labelled pages of one directory of expected files (`fixtures` holds the pages they name)."""
    pages = []
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        page_date = data.get("page_date")
        pages.append(
            LabelledPage(
                name=path.stem,
                html=(fixtures / data["page"]).read_bytes().decode("utf-8", "replace"),
                url=data["url"],
                page_date=dt.date.fromisoformat(page_date) if page_date else None,
                events=list(data.get("events") or []),
                kind=kind,
            )
        )
    return pages


def evaluate_page(page: LabelledPage, model: Model) -> PageScore:
    """Reduce the page, read it with the model as the pipeline does, and score what came back."""
    reduced = reduce_html(page.html, base_url=page.url)
    score = PageScore(
        name=page.name,
        kind=page.kind,
        expected=len(page.events),
        chars_in=reduced.chars_in,
        chars_out=reduced.chars_out,
    )
    started = time.perf_counter()
    try:
        outcome = run_llm_extraction(
            reduced.text, model=model, url=page.url, title=reduced.title, page_date=page.page_date
        )
    except LlmExtractionError as exc:
        score.seconds = time.perf_counter() - started
        score.error = exc.reason
        score.input_tokens, score.output_tokens = exc.usage.input_tokens, exc.usage.output_tokens
        score.requests, score.cost_usd = exc.usage.requests, exc.usage.cost
        return score
    except Exception as exc:  # the model's own failure (a replay without an answer): one page's error
        score.seconds = time.perf_counter() - started
        score.error = f"{type(exc).__name__}: {exc}"
        return score
    score.seconds = time.perf_counter() - started
    score.predicted = len(outcome.result.performances)
    score.true_positives = match_events(page.events, outcome.result.performances)
    score.input_tokens, score.output_tokens = outcome.input_tokens, outcome.output_tokens
    score.requests, score.cost_usd = outcome.requests, outcome.cost_usd
    return score


def totals(scores: Sequence[PageScore]) -> Totals:
    total = Totals()
    for score in scores:
        total.pages += 1
        total.expected += score.expected
        total.predicted += score.predicted
        total.true_positives += score.true_positives
        total.input_tokens += score.input_tokens
        total.output_tokens += score.output_tokens
        total.requests += score.requests
        total.seconds += score.seconds
        total.chars_in += score.chars_in
        total.chars_out += score.chars_out
        total.errors += score.error is not None
        if score.cost_usd is not None:
            total.cost_usd = (total.cost_usd or Decimal(0)) + score.cost_usd
    return total


def match_events(expected: Sequence[Mapping[str, Any]], found: Sequence[ExtractedPerformance]) -> int:
    """How many expected events a show found matches, each used once (see the module docstring)."""
    unused = list(found)
    matched = 0
    for event in expected:
        for index, performance in enumerate(unused):
            if _same_event(event, performance):
                matched += 1
                del unused[index]
                break
    return matched


def _same_event(event: Mapping[str, Any], performance: ExtractedPerformance) -> bool:
    if performance.local_date.isoformat() != event.get("local_date"):
        return False
    start = performance.local_start_time.strftime("%H:%M") if performance.local_start_time else None
    if start != event.get("local_start_time"):
        return False
    return names_agree(str(event.get("name") or ""), performance.name)


def names_agree(first: str, second: str) -> bool:
    """Whether two titles of one show agree: one's words within the other's, or half their words shared."""
    a, b = _words(first), _words(second)
    if not a or not b:
        return False
    if a <= b or b <= a:
        return True
    return len(a & b) / len(a | b) >= 0.5


def _words(text: str) -> set[str]:
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(char for char in folded if not unicodedata.combining(char))
    return set(_WORD_RE.findall(folded))


# ---------------------------------------------------------------------------------------------
# Recording and replaying a model's answers


class RecordingModel(WrapperModel):
    """A model that keeps each answer's output-tool arguments, by page URL, in request order."""

    def __init__(self, wrapped: Model) -> None:
        super().__init__(wrapped)
        self.answers: dict[str, list[dict[str, Any]]] = {}

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        response = await super().request(messages, model_settings, model_request_parameters)
        url = _page_url(messages)
        for part in response.parts:
            if isinstance(part, ToolCallPart):
                self.answers.setdefault(url, []).append(
                    {
                        "args": part.args_as_dict(),
                        "input_tokens": response.usage.input_tokens,
                        "output_tokens": response.usage.output_tokens,
                    }  # fmt: skip
                )
        return response


def save_answers(
    answers: Mapping[str, list[dict[str, Any]]], pages: Sequence[LabelledPage], directory: Path
) -> None:
    """One file per page: {"url", "answers": [{"args", "input_tokens", "output_tokens"}, ...]}."""
    directory.mkdir(exist_ok=True)  # its parent was checked by the caller
    for page in pages:
        if page.url in answers:
            body = {"url": page.url, "answers": answers[page.url]}
            (directory / f"{page.name}.json").write_text(
                json.dumps(body, indent=1, ensure_ascii=False) + "\n"
            )


def replay_model(directory: Path) -> FunctionModel:
    """A FunctionModel that answers each page's requests with the answers recorded for its URL, in order.

    Recorded token counts are reported as the request's usage; answers without them get pydantic-ai's
    estimate from the words of the messages (FunctionModel's own)."""
    recorded: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        recorded[data["url"]] = list(data["answers"])
    served: dict[str, int] = {}

    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        url = _page_url(messages)
        answers = recorded.get(url)
        if not answers:
            raise LookupError(f"no recorded answer for {url}")
        index = served.get(url, 0)
        served[url] = index + 1
        chosen = answers[index % len(answers)]
        response = ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, chosen["args"])])
        if chosen.get("input_tokens") or chosen.get("output_tokens"):
            response.usage = RequestUsage(
                input_tokens=int(chosen.get("input_tokens") or 0),
                output_tokens=int(chosen.get("output_tokens") or 0),
            )
        return response

    return FunctionModel(answer, model_name=f"replay:{directory.name}")


def _page_url(messages: list[ModelMessage]) -> str:
    for message in messages:
        if isinstance(message, ModelRequest):
            for part in message.parts:
                if isinstance(part, UserPromptPart) and isinstance(part.content, str):
                    match = _URL_RE.search(part.content)
                    if match:
                        return match.group(1)
    return "unknown"
