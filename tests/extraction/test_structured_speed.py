"""The speed-ups of the structured extractor change nothing: golden outputs and fast paths vs reference.

`golden_structured.json` holds, for every HTML/JSON page under tests/fixtures (API payloads
included, read as JSON documents), the SHA-256 of `extract_structured(...).model_dump_json()` as the
extractor returned it before the speed work (with the page's url and zone from tests/fixtures/expected,
else a fixed url). A change of output, wanted or not, shows here; regenerate after checking the diff:

    .venv/bin/python -m tests.extraction.test_structured_speed
"""

from __future__ import annotations

import hashlib
import html
import json
import random
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from extraction.adapters import links, schemaorg_values
from extraction.adapters import text as text_values
from extraction.adapters.structured import extract_structured
from extraction.schemas import ExtractionResult

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
GOLDEN = Path(__file__).with_name("golden_structured.json")
DEFAULT_URL = "https://example.com/page/index.html"


def _pages() -> list[tuple[str, str, str | None]]:
    """(path under tests/fixtures, url, default_timezone) of every page the extractor can be given."""
    params: dict[str, tuple[str, str | None]] = {}
    for path in (FIXTURES / "expected").glob("*.json"):
        expected = json.loads(path.read_text(encoding="utf-8"))
        params[expected["page"]] = (expected["url"], expected.get("default_timezone"))
    pages = []
    for path in sorted(FIXTURES.rglob("*")):
        labels = {"expected", "expected_llm", "llm_answers"}  # what pages contain, not pages
        if path.suffix not in {".html", ".json", ".jsonld"} or labels & set(path.parts):
            continue
        relative = path.relative_to(FIXTURES).as_posix()
        url, zone = params.get(relative, (DEFAULT_URL, None))
        pages.append((relative, url, zone))
    return pages


def _digest(relative: str, url: str, zone: str | None) -> str:
    result = extract_structured((FIXTURES / relative).read_bytes(), url=url, default_timezone=zone)
    return hashlib.sha256(result.model_dump_json().encode()).hexdigest()


def test_outputs_match_the_golden_digests() -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    pages = _pages()
    assert sorted(golden) == sorted(relative for relative, _, _ in pages)
    changed = [relative for relative, url, zone in pages if _digest(relative, url, zone) != golden[relative]]
    assert changed == []


@pytest.mark.parametrize(
    "relative",
    [
        "web/calendar-ripper/hidden_hall__sample-data.html",
        "web/metalwatch/heavymetal-dk__real-page-2025-12-15.html",
        "web/extruct/songkick__Maximo_Park_Gigography_Tour_History_Past_Concerts.html",
        "web/calendar-ripper/pike_place_market__sample-data.html",
    ],
)
def test_results_are_valid_models_that_round_trip(relative: str) -> None:
    result = extract_structured((FIXTURES / relative).read_bytes(), url=DEFAULT_URL)
    assert result.performances
    assert ExtractionResult.model_validate(result.model_dump()) == result


# ---------------------------------------------------------------------------------------------
# Fast paths against the code they stand in for, on generated inputs (fixed seeds)


def _strings(alphabet: list[str], count: int, longest: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, longest))) for _ in range(count)]


_URL_PARTS = [
    "http://", "https://", "HTTP://", "a.com", "x.org:80", "[::1]", "[", "]", "/p", "/a b", "/é", "?",
    "&", "=", "utm_a", "utm_", "x", "y=1", "+", "%20", "#", "#f", ";", "//", "\t", "a=", "=b",
    "utm_x=1", "k=v&utm_s=2", "&&", "~", "-", "@", ":", "/",
]  # fmt: skip


def test_url_path_matches_urlsplit() -> None:
    for link in _strings(_URL_PARTS, 30_000, 8, seed=2):
        links.url_path.cache_clear()
        try:
            expected = urlsplit(link).path
        except ValueError:
            expected = ""
        assert links.url_path(link) == expected, link


def test_host_suffixes_are_the_host_and_its_parent_domains() -> None:
    for link in _strings(
        ["http://", "//", "a", "B", ".", "..", "b.c", "@", "x:1", "[", "/", "?"], 30_000, 8, 5
    ):
        links.host_suffixes.cache_clear()
        match = links._HOST_RE.match(link)
        host = match.group(1).lower() if match else ""
        labels = host.split(".")
        expected = () if not host or "[" in host else tuple(".".join(labels[i:]) for i in range(len(labels)))
        assert links.host_suffixes(link) == expected, link


def test_printable_ascii_is_bang_to_tilde() -> None:
    for code in range(0x3000):
        text = f"a{chr(code)}b"
        assert links.printable_ascii(text) == (0x21 <= code <= 0x7E), code


_TEXT_PARTS = [
    "a", "b", " ", "  ", "\t", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0",
    "\u2028", "\u3000", "\u200b", "é", "<br>", "<p>x</p>", "&amp;", "&lt;b&gt;", "&nbsp;", "&#39;",
]  # fmt: skip


def _reference_plain_text(value: object) -> str | None:
    text = text_values.clean_text(value)
    if text is None:
        return None
    if "<" in text:
        text = html.unescape(text_values._TAG_RE.sub("", text_values._BREAK_RE.sub("\n", text)))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)[: text_values.MAX_DESCRIPTION_CHARS] or None


def test_plain_text_lines() -> None:
    for text in _strings(_TEXT_PARTS, 60_000, 14, seed=3):
        assert text_values.plain_text(text) == _reference_plain_text(text), repr(text)


def test_inline_space_class_is_whitespace_that_does_not_break_lines() -> None:
    chars = [chr(code) for code in range(0x3001)]  # no whitespace above U+3000
    inline = {c for c in chars if c.isspace() and len(f"a{c}b".splitlines()) == 1 and c != " "}
    assert {c for c in chars if text_values._INLINE_SPACE_RE.match(c)} == inline


def _reference_scalar_text(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("@value")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = value if isinstance(value, str) else str(value)
    if "\\'" in text:
        text = text.replace("\\'", "'")
    if "&" in text and ";" in text:
        text = text_values.unescape_html(text)
        if "&" in text and ";" in text:
            text = text_values.unescape_html(text)
    return text.strip() or None


def test_scalar_text_fast_path() -> None:
    values: list[object] = [*_strings([*_TEXT_PARTS, "\\'", ";", "&"], 20_000, 8, seed=4)]
    values += [None, True, 3, 2.5, {"@value": " x "}, ["a"], {"a": 1}]
    for value in values:
        assert text_values.scalar_text(value) == _reference_scalar_text(value), repr(value)


def test_types_of_one_or_several_names() -> None:
    assert schemaorg_values.schema_types({"@type": "http://schema.org/MusicEvent"}) == {"MusicEvent"}
    assert schemaorg_values.schema_types({"@type": ["Event", "schema:Festival", 3]}) == {"Event", "Festival"}
    assert schemaorg_values.schema_types({}) == frozenset()


def _write_golden() -> None:
    digests = {relative: _digest(relative, url, zone) for relative, url, zone in _pages()}
    GOLDEN.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    _write_golden()
