"""Extraction budgets: what one page may cost (pure Python, no Django).

A hostile or broken page must never hold a worker for minutes or gigabytes. The work is bounded by
structure (counts and depth), never by a clock:

- **HTML depth** (`bound_html_depth`): HTML parsers scan the stack of open elements for many start
  and end tags, so deep nesting costs quadratic time (lexbor: 100,000 nested <div>s take ~15 s). A
  page nested deeper than `max_html_depth` elements is read up to the tag that goes deeper (browsers
  cap their trees too: Blink at 512), with a warning;
- **entities** (`apply_budget`, and early inside the adapters so that the work stops too): at most
  `max_performances`, `max_venues`, `max_artists` per page and `max_performers` per performance, the
  page's first ones kept in document order, each cut said in a warning;
- **occurrences**: a recurring event (an iCalendar RRULE, a schema.org eventSchedule) is expanded only
  within the horizon and to at most `max_occurrences` dates;
- **result size**: a stored result stays under `max_result_bytes` of JSON; past it, performances are
  dropped from the end until it fits, with a warning.

Every warning of a budget goes first in the extraction's warnings, so the stored list (capped) keeps it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extraction.schemas import ExtractionResult

BUDGET_PREFIX = "budget: "


@dataclass(frozen=True, slots=True)
class ExtractionBudget:
    max_performances: int = 2_000
    max_venues: int = 1_000
    max_artists: int = 2_000
    max_performers: int = 200  # per performance (festival line-ups run to a hundred and more)
    max_discovered_urls: int = 2_000
    max_occurrences: int = 400  # dates of one recurring event within the horizon
    max_result_bytes: int = 4_000_000
    max_html_depth: int = 512


DEFAULT_BUDGET = ExtractionBudget()

# A cheap upper bound first: a page needs the exact depth scan only when it has enough tags that a
# quadratic parse would show (`_DEPTH_SCAN_TAGS` start tags in all), which no ordinary page reaches.
_DEPTH_SCAN_TAGS = 5_000
_TAG_RE = re.compile(
    r"<!--.*?(?:-->|\Z)"  # a comment
    r"|<(/?)([A-Za-z][A-Za-z0-9:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>",
    re.DOTALL,
)
# Elements without content, and elements whose end tag is optional (implicitly closed by a sibling):
# neither deepens the tree in the way that costs a parser.
_FLAT = frozenset(
    "area base br col embed hr img input link meta param source track wbr "
    "p li dt dd option optgroup tr td th thead tbody tfoot rp rt colgroup caption html head body".split()
)
_RAW_TEXT = frozenset(
    {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript"}
)


def bound_html_depth(text: str, max_depth: int = DEFAULT_BUDGET.max_html_depth) -> tuple[str, str | None]:
    """The page cut before the first tag nested deeper than `max_depth`, and a warning; else as it is.

    Linear in the page. Pages with fewer than `_DEPTH_SCAN_TAGS` start tags are returned at once
    (counting "<" runs in C): their depth cannot cost much whatever it is.
    """
    if text.count("<") < _DEPTH_SCAN_TAGS:
        return text, None
    depth = 0
    open_names: list[str] = []
    open_counts: dict[str, int] = {}
    position = 0
    length = len(text)
    while position < length:
        match = _TAG_RE.search(text, position)
        if match is None:
            break
        position = match.end()
        name = match.group(2)
        if name is None:
            continue  # a comment
        name = name.lower()
        if match.group(1):  # an end tag closes up to its element, if open
            if open_counts.get(name):
                while open_names:
                    closed = open_names.pop()
                    open_counts[closed] -= 1
                    depth -= 1
                    if closed == name:
                        break
            continue
        if name in _RAW_TEXT:  # skip to its end tag: its content is text, not tags
            end = _find_end_tag(text, name, position)
            position = length if end < 0 else end
            continue
        if name in _FLAT or match.group(3).rstrip().endswith("/"):
            continue
        open_names.append(name)
        open_counts[name] = open_counts.get(name, 0) + 1
        depth += 1
        if depth > max_depth:
            cut = match.start()
            return text[:cut], (
                f"{BUDGET_PREFIX}page nested deeper than {max_depth} elements; "
                f"read up to character {cut} of {length}"
            )
    return text, None


def _find_end_tag(text: str, name: str, start: int) -> int:
    pattern = re.compile(rf"</{name}\s*>", re.IGNORECASE)
    match = pattern.search(text, start)
    return -1 if match is None else match.end()


def apply_budget(result: ExtractionResult, budget: ExtractionBudget = DEFAULT_BUDGET) -> ExtractionResult:
    """The result within the budget's counts and size; each cut is a warning at the front."""
    notes: list[str] = []
    update: dict[str, object] = {}
    performances = result.performances
    if len(performances) > budget.max_performances:
        notes.append(
            f"{BUDGET_PREFIX}{len(performances)} performances; the first {budget.max_performances} kept"
        )
        performances = performances[: budget.max_performances]
    too_many_acts = [p for p in performances if len(p.performers) > budget.max_performers]
    if too_many_acts:
        notes.append(
            f"{BUDGET_PREFIX}{len(too_many_acts)} performances list more than {budget.max_performers} "
            f"performers; the first {budget.max_performers} of each kept"
        )
        performances = [
            p.model_copy(update={"performers": p.performers[: budget.max_performers]})
            if len(p.performers) > budget.max_performers
            else p
            for p in performances
        ]
    if performances is not result.performances:
        update["performances"] = performances
    for name, limit in (
        ("venues", budget.max_venues),
        ("artists", budget.max_artists),
        ("discovered_urls", budget.max_discovered_urls),
    ):
        items = getattr(result, name)
        if len(items) > limit:
            notes.append(f"{BUDGET_PREFIX}{len(items)} {name.replace('_', ' ')}; the first {limit} kept")
            update[name] = items[:limit]
    if update:
        result = result.model_copy(update=update)
    result = _bound_size(result, budget.max_result_bytes, notes)
    budget_warnings = [w for w in result.warnings if w.startswith(BUDGET_PREFIX)]
    if not notes and result.warnings[: len(budget_warnings)] == budget_warnings:
        return result
    others = [w for w in result.warnings if not w.startswith(BUDGET_PREFIX)]
    return result.model_copy(update={"warnings": [*notes, *budget_warnings, *others]})


def _bound_size(result: ExtractionResult, max_bytes: int, notes: list[str]) -> ExtractionResult:
    """Drop performances from the end until the result's JSON fits in `max_bytes`."""
    if _rough_size(result) <= max_bytes // 2:
        return result  # far below the limit: no need to serialise to know
    size = len(result.model_dump_json())
    if size <= max_bytes:
        return result
    performances = result.performances
    keep = len(performances)
    while keep > 0 and size > max_bytes:
        keep = int(keep * max_bytes / size * 0.95)
        trimmed = result.model_copy(update={"performances": performances[:keep]})
        size = len(trimmed.model_dump_json())
        result = trimmed
    notes.append(
        f"{BUDGET_PREFIX}result larger than {max_bytes} bytes of JSON; the first {keep} of "
        f"{len(performances)} performances kept"
    )
    return result


def _rough_size(result: ExtractionResult) -> int:
    """A generous estimate of the result's JSON size that costs no serialisation (long texts x2)."""
    total = 0
    for performance in result.performances:
        texts = len(performance.description or "") + len(performance.name) + len(performance.url or "")
        total += 2_000 + 2 * texts + 600 * len(performance.performers)
        total += 300 * (len(performance.offers) + len(performance.image_urls))
    total += 1_500 * (len(result.venues) + len(result.artists))
    total += 300 * len(result.discovered_urls) + sum(2 * len(w) for w in result.warnings)
    return total
