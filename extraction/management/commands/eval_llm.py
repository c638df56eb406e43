"""Score an LLM model on the labelled fixture pages: precision and recall of events, tokens, cost, time.

    manage.py eval_llm --model openai:gpt-4o-mini              # any pydantic-ai model string (needs its key)
    manage.py eval_llm --model openai:gpt-4o-mini --record DIR # ... and keep its answers for replaying
    manage.py eval_llm --model replay:tests/fixtures/llm_answers   # recorded answers, no model (CI)

Pages: tests/fixtures/expected_llm (pages without markup, the LLM's own work) and, with --with-markup,
tests/fixtures/expected (pages with markup, read as text). Prints one line per page, the totals by kind
of page, and `RESULT {json}` last. See `extraction/llm/evaluate.py` for how events are matched.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from core.commands import BaseCommand
from extraction.llm.agent import LlmConfigError, get_model
from extraction.llm.evaluate import (
    LabelledPage,
    PageScore,
    RecordingModel,
    Totals,
    evaluate_page,
    load_labelled_pages,
    replay_model,
    save_answers,
    totals,
)

FIXTURES = Path(settings.BASE_DIR) / "tests" / "fixtures"


class Command(BaseCommand):
    help = "Score an LLM model (pydantic-ai model string, or replay:DIR) on the labelled fixture pages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--model", required=True, help="a pydantic-ai model string, or replay:DIR")
        parser.add_argument("--pages", default=None, help="only pages whose name contains this")
        parser.add_argument("--with-markup", action="store_true", help="also the pages with markup, as text")
        parser.add_argument("--record", default=None, help="save the model's answers here, for replay:DIR")
        parser.add_argument("--json", action="store_true", help="print only the RESULT line's JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        pages = load_labelled_pages(FIXTURES / "expected_llm", FIXTURES, "no markup")
        if options["with_markup"]:
            pages += load_labelled_pages(FIXTURES / "expected", FIXTURES, "markup")
        if options["pages"]:
            pages = [page for page in pages if options["pages"] in page.name]
        if not pages:
            raise CommandError(f"No labelled page's name contains {options['pages']!r}.")
        record = _record_directory(options["record"]) if options["record"] else None
        name = options["model"]
        if name.startswith("replay:"):
            directory = Path(name.removeprefix("replay:"))
            if not directory.is_dir():
                raise CommandError(f"No directory of recorded answers at {directory}.")
            try:
                model: Any = replay_model(directory)
            except (OSError, ValueError, KeyError, TypeError) as exc:  # a file that is not a recording
                raise CommandError(f"Cannot read the recorded answers in {directory}: {exc!r}") from exc
        else:
            try:
                model = get_model(name)
            except LlmConfigError as exc:
                raise CommandError(str(exc)) from exc
        recorder = RecordingModel(model) if record is not None else None
        scores = [evaluate_page(page, recorder or model) for page in pages]
        if recorder is not None and record is not None:
            save_answers(recorder.answers, pages, record)
        result = _result(name, scores)
        if not options["json"]:
            self._print(pages, scores)
        self.stdout.write("RESULT " + json.dumps(result))

    def _print(self, pages: list[LabelledPage], scores: list[PageScore]) -> None:
        self.stdout.write(
            "page (found / predicted / expected), tokens in+out, requests, cost, seconds, chars shown"
        )
        for score in scores:
            cost = "n/a" if score.cost_usd is None else f"${score.cost_usd:.5f}"
            error = f"  ERROR {score.error}" if score.error else ""
            self.stdout.write(
                f"{score.name[:48]:48} {score.true_positives:3}/{score.predicted:3}/{score.expected:3}  "
                f"{score.input_tokens:6}+{score.output_tokens:<5} {score.requests:2} req  {cost:>10}  "
                f"{score.seconds:6.2f}s  {score.chars_out}/{score.chars_in} ({score.chars_out / max(score.chars_in, 1):.2f}){error}"
            )
        for kind in sorted({score.kind for score in scores}):
            total = totals([score for score in scores if score.kind == kind])
            self.stdout.write(_summary(kind, total))


def _record_directory(value: str) -> Path:
    """Where to save the answers, checked before the model runs: a folder, or one to create in a folder
    that exists (no silent mkdir of a typo)."""
    directory = Path(value)
    if directory.exists() and not directory.is_dir():
        raise CommandError(f"{directory} is a file; --record takes a folder.")
    if not directory.parent.is_dir():
        raise CommandError(
            f"The folder {directory.parent} does not exist; create it first or record elsewhere."
        )
    return directory


def _summary(kind: str, total: Totals) -> str:
    cost = "n/a" if total.cost_usd is None else f"${total.cost_usd:.4f}"
    return (
        f"{kind}: {total.pages} pages, precision {total.precision:.3f}, recall {total.recall:.3f}, "
        f"{total.input_tokens / total.pages:.0f} input + {total.output_tokens / total.pages:.0f} output tokens "
        f"per page, cost {cost}, {total.seconds:.1f}s, reduction ratio {total.reduction_ratio:.3f}"
    )


def _result(model: str, scores: list[PageScore]) -> dict[str, Any]:
    result: dict[str, Any] = {"model": model}
    for kind in sorted({score.kind for score in scores}):
        total = totals([score for score in scores if score.kind == kind])
        key = kind.replace(" ", "_")
        result[key] = {
            "pages": total.pages,
            "event_precision": round(total.precision, 4),
            "event_recall": round(total.recall, 4),
            "input_tokens_per_page": round(total.input_tokens / total.pages, 1),
            "output_tokens_per_page": round(total.output_tokens / total.pages, 1),
            "requests": total.requests,
            "cost_usd": None if total.cost_usd is None else float(total.cost_usd),
            "seconds": round(total.seconds, 2),
            "reduction_ratio": round(total.reduction_ratio, 4),
            "errors": total.errors,
        }
    return result
