"""Text values of structured data: HTML entities decoded, tags dropped, whitespace collapsed.

Pure Python (no Django). Every function is total: a value of another JSON type reads as None.
"""

from __future__ import annotations

import functools
import html
import re

MAX_DESCRIPTION_CHARS = 10_000

# Only ";"-terminated references: "?a=1&not=2" in a URL must not become "?a=1¬=2".
_ENTITY_RE = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_COMMON_ENTITIES = (
    ("&lt;", "<"),
    ("&gt;", ">"),
    ("&quot;", '"'),
    ("&#39;", "'"),
    ("&amp;", "&"),
)  # &amp; last
_TAG_RE = re.compile(r"<[A-Za-z/!][^>]*>")
_BREAK_RE = re.compile(r"<\s*(?:br|/p|/div|/li|/h[1-6]|/tr)\b[^>]*>", re.I)
# Whitespace for str.split() that str.splitlines() does not break at (U+0020 aside).
_INLINE_SPACE_RE = re.compile("[\t\x1f\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_SPACE_RUN_RE = re.compile("  +")


def clean_text(value: object) -> str | None:
    """A JSON value as trimmed text with HTML entities decoded (twice: some CMSs escape twice)."""
    if type(value) is str and "&" not in value and "\\'" not in value:  # as in scalar_text, one call less
        return value.strip() or None
    if isinstance(value, list):  # the first usable item; no deeper
        return next((text for text in map(scalar_text, value) if text), None)
    return scalar_text(value)


def scalar_text(value: object) -> str | None:
    if type(value) is str and "&" not in value and "\\'" not in value:  # the common case, no work
        return value.strip() or None
    if isinstance(value, dict):
        value = value.get("@value")  # a JSON-LD value object
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = value if isinstance(value, str) else str(value)
    if "\\'" in text:  # PHP addslashes left in the data: "Ramblin\' Joey"
        text = text.replace("\\'", "'")
    if "&" in text and ";" in text:
        text = unescape_html(text)
        if "&" in text and ";" in text:  # escaped twice: "&amp;amp;"
            text = unescape_html(text)
    return text.strip() or None


def unescape_html(text: str) -> str:
    # str.replace for the usual suspects is ~10x faster than a regex callback on entity-heavy HTML.
    for entity, char in _COMMON_ENTITIES:
        if entity in text:
            text = text.replace(entity, char)
    return _ENTITY_RE.sub(_unescape_entity, text) if "&" in text else text


def _unescape_entity(match: re.Match[str]) -> str:
    return _unescape_reference(match.group(0))


@functools.lru_cache(maxsize=1024)
def _unescape_reference(reference: str) -> str:
    return html.unescape(reference)


def display_name(value: object) -> str | None:
    """A display name: tags dropped, whitespace collapsed; None if nothing alphanumeric remains ("-")."""
    text = clean_text(value)
    if text is None:
        return None
    if "<" in text:
        text = _TAG_RE.sub(" ", text)
    text = " ".join(text.split())
    return text if any(map(str.isalnum, text)) else None


def plain_text(value: object) -> str | None:
    """HTML descriptions as plain text, line breaks kept."""
    text = clean_text(value)
    if text is None:
        return None
    if "<" in text:
        text = html.unescape(_TAG_RE.sub("", _BREAK_RE.sub("\n", text)))
    # The non-blank lines, blanks collapsed: " ".join(line.split()) for each line, done in C rather
    # than word by word. Whitespace that does not break lines becomes " " first (split() treats it so),
    # then runs of spaces collapse and lines are trimmed (test_plain_text_lines checks the equivalence).
    if _INLINE_SPACE_RE.search(text):
        text = _INLINE_SPACE_RE.sub(" ", text)
    if "  " in text:
        text = _SPACE_RUN_RE.sub(" ", text)
    lines = [line.strip(" ") for line in text.splitlines()]
    return "\n".join(filter(None, lines))[:MAX_DESCRIPTION_CHARS] or None
