"""JSON as browsers' JSON-LD consumers tolerate it: comments, trailing commas, bad escapes, several values.

Pure Python (no Django). Nothing here raises on bad input: what cannot be read is returned as a problem.
"""

from __future__ import annotations

import json
import re

import orjson

# Bounds that keep adversarial input cheap: every loop below is linear and capped.
MAX_BLOCK_CHARS = 5_000_000
MAX_VALUES_PER_BLOCK = 1_000


def parse_lenient_json(text: str) -> tuple[object | None, list[str]]:
    """Parse JSON as browsers' JSON-LD consumers tolerate it; return (value, problems).

    Strict JSON first (orjson, then json, which also takes control characters in strings; the one
    difference in what they read: an integer beyond 64 bits is a float from orjson, and nothing schema.org
    gives the mapper is one). Then, keeping character positions so that errors point at the
    original text: comments (/* */, //, <!-- -->), CDATA markers and stray control characters become
    spaces, invalid escapes like \\' lose their backslash, trailing commas go. Several concatenated
    values are all returned, as a list. Work is linear in the input and capped.
    """
    try:  # orjson first: strict JSON in C; whatever it refuses, json and the repairs below read as before
        return orjson.loads(text), []
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(text, strict=False), []
    except (ValueError, RecursionError):
        pass
    if len(text) > MAX_BLOCK_CHARS:
        return None, [f"too large to repair ({len(text)} characters)"]
    values, problems = _decode_all(_repair_json(text))
    if not values:
        return None, problems
    return (values[0] if len(values) == 1 else values), problems


_JSON_START_RE = re.compile(r"\s*[\[{]")


def looks_like_json(text: str) -> bool:
    """Whether a text starts (after blanks) like a JSON object or array."""
    return _JSON_START_RE.match(text) is not None


_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\Z)'  # an unterminated string runs to the end: stays linear
_CLEAN_RE = re.compile(
    rf"(?P<string>{_STRING})"
    r"|(?P<comment>/\*[\s\S]*?(?:\*/|\Z)|//[^\n]*)"
    r"|(?P<marker><!\[CDATA\[|\]\]>|<!--|-->)"
    r"|(?P<control>[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+)",
    re.DOTALL,
)
_TRAILING_COMMA_RE = re.compile(rf"(?P<string>{_STRING})|,(?=\s*[}}\]])", re.DOTALL)
_ESCAPE_RE = re.compile(r'\\(u[0-9a-fA-F]{4}|["\\/bfnrt])|\\(.)', re.DOTALL)
_SEPARATORS_RE = re.compile(r"[\s,;]*")
_NOT_NEWLINE_RE = re.compile(r"[^\n]")


def _repair_json(text: str) -> str:
    return _TRAILING_COMMA_RE.sub(_drop_trailing_comma, _CLEAN_RE.sub(_clean_token, text))


def _clean_token(match: re.Match[str]) -> str:
    token = match.group(0)
    if match.lastgroup == "string":
        return _ESCAPE_RE.sub(_fix_escape, token) if "\\" in token else token
    return _NOT_NEWLINE_RE.sub(" ", token)  # blank it out, keep line numbers


def _fix_escape(match: re.Match[str]) -> str:
    return match.group(0) if match.group(1) else match.group(2)  # \' -> '


def _drop_trailing_comma(match: re.Match[str]) -> str:
    return match.group(0) if match.lastgroup == "string" else " "


def _decode_all(text: str) -> tuple[list[object], list[str]]:
    decoder = json.JSONDecoder(strict=False)
    values: list[object] = []
    position = 0
    while True:
        separators = _SEPARATORS_RE.match(text, position)
        position = separators.end() if separators else position
        if position >= len(text):
            return values, []
        if len(values) >= MAX_VALUES_PER_BLOCK:
            return values, [f"more than {MAX_VALUES_PER_BLOCK} JSON values; the rest ignored"]
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            return values, [f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"]
        except RecursionError:
            return values, ["invalid JSON: nested too deeply"]
        except ValueError as exc:  # e.g. an integer longer than Python's int-from-string limit
            return values, [f"invalid JSON: {exc}"]
        values.append(value)
