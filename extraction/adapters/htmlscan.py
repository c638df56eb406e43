"""The JSON-LD blocks, <base href> and OpenGraph of an HTML page without building its DOM (pure Python).

A page with no microdata or RDFa needs nothing else from its tree, and building the tree is most of
what reading its JSON-LD costs. This scanner jumps from one tag that matters to the next with
substring searches (C speed) instead of tokenising every tag: `<script` (its block is the text up to
`</script`), `<meta` and `<base` (their attributes), and the places where a `<script` is not a tag
(comments; the raw text of `<style>`, `<textarea>`, `<title>`, `<xmp>`, `<iframe>`, `<noembed>`,
`<noframes>`), which it skips whole as an HTML parser does. Attribute values have their character
references decoded, as the parser does.

`scan_page` returns None where its reading could differ from the parser's, and the caller then parses
the page: text whose lower-casing changes its length (positions would not line up), or a tag it cannot
read to its end, or a marker with a "<" before it since the last ">" (it may be inside another tag's
attribute values, or in an end tag's). A script ends at its first "</script" unless "<!--" and an inner "<script" put the
tokenizer in its escaped states, which `_script_end` follows. tests/extraction/test_htmlscan.py checks it against lexbor's reading on every fixture
page, generated pages, tricky fragments and 20,000 random soups of whole tags, stray "<", ">" and
quotes, comments and raw text. What it cannot see without tokenising every tag: an attribute quote
opened in one tag and closed in a later one (`<p title='x><script ...>'>`), which makes the parser read
the tags between as one attribute value; markup that broken is not a calendar anyone publishes.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

_RAW_TEXT = ("style", "textarea", "title", "xmp", "iframe", "noembed", "noframes")
_MARKERS = ("<script", "<!--", "<meta", "<base", *(f"<{name}" for name in _RAW_TEXT))
# The tokenizer's attribute grammar (WHATWG 13.2.5.32-40): a name runs to whitespace, "/", ">" or "=" (quotes
# included); a value follows "=" and is quoted or runs to whitespace or ">". Atomic groups keep it linear.
_ATTRIBUTE = r"""[\s/]*+(?>([^\s/>][^\s/>=]*+))(?>\s*+=\s*+(?>"([^"]*+)"|'([^']*+)'|([^\s>]*+)))?+"""
_TAG_RE = re.compile(rf"(?:{_ATTRIBUTE})*+[\s/]*+>")
_ATTRIBUTE_RE = re.compile(_ATTRIBUTE)
_NAME_END = frozenset(" \t\n\r\f/>")


@dataclass(slots=True)
class ScannedPage:
    jsonld_blocks: list[str] = field(default_factory=list)
    base_href: str | None = None
    opengraph: dict[str, str] = field(default_factory=dict)


def needs_dom(low: str) -> bool:
    """Whether a page (lower-cased) has microdata or RDFa, which only its tree can give."""
    return "itemscope" in low or "typeof" in low or "vocab" in low


def scan_page(text: str, low: str | None = None) -> ScannedPage | None:
    """The page's JSON-LD block texts, <base href> and first value of each og: property; None when the
    page must be parsed instead (see the module docstring). `low` is `text.lower()` if already made."""
    low = text.lower() if low is None else low
    if len(low) != len(text):
        return None
    found = ScannedPage()
    nexts = {marker: low.find(marker) for marker in _MARKERS}
    position = 0
    length = len(text)
    while True:
        live = [(at, marker) for marker, at in nexts.items() if at >= 0]
        if not live:
            return found
        at, marker = min(live)
        if low.rfind("<", position, at) > low.rfind(">", position, at):
            return None  # a "<" since the last ">": the marker may sit inside another tag's attributes
        if marker == "<!--":
            position = _comment_end(low, at)
        else:
            after = at + len(marker)
            if after < length and low[after] not in _NAME_END:
                position = after  # "<scripts", "<metadata": another element
            else:
                tag = _TAG_RE.match(text, after)
                if tag is None:
                    return None  # a tag that never ends: leave it to the parser
                attributes = _attributes(text[after : tag.end() - 1])
                position = tag.end()
                name = marker[1:]
                if name == "script":
                    end = _script_end(low, position)
                    if _is_jsonld(attributes.get("type")):
                        found.jsonld_blocks.append(text[position:end])
                    position = end
                elif name == "meta":
                    prop = (attributes.get("property") or "").split()
                    content = attributes.get("content")
                    if prop and prop[0].startswith("og:") and content and content.strip():
                        found.opengraph.setdefault(prop[0], content.strip())
                elif name == "base":
                    if found.base_href is None and "href" in attributes:
                        found.base_href = attributes["href"]
                else:  # raw text: nothing inside is markup
                    close = low.find(f"</{name}", position)
                    position = length if close < 0 else close
        for key, value in nexts.items():  # move every marker that now lies behind us
            if 0 <= value < position:
                nexts[key] = low.find(key, position)


def _script_end(low: str, start: int) -> int:
    """Where a script's text ends: its first "</script" tag, except where "<!--" and an inner "<script"
    put the tokenizer in its escaped states (WHATWG 13.2.5.15-31: old pages hiding document.write)."""
    close = _find_tag(low, "</script", start)
    opened = low.find("<!--", start, close if close >= 0 else len(low))
    if opened < 0:
        return len(low) if close < 0 else close
    position, state = _escape_start(low, opened)
    while True:
        if state == "data":
            close = _find_tag(low, "</script", position)
            opened = low.find("<!--", position, close if close >= 0 else len(low))
            if opened < 0:
                return len(low) if close < 0 else close
            position, state = _escape_start(low, opened)
            continue
        marks = {"-->": low.find("-->", position), "</script": _find_tag(low, "</script", position)}
        if state == "escaped":
            marks["<script"] = _find_tag(low, "<script", position)
        found = [(at, mark) for mark, at in marks.items() if at >= 0]
        if not found:
            return len(low)
        at, mark = min(found)
        if mark == "-->":
            position, state = at + 3, "data"
        elif mark == "<script":
            position, state = at + len(mark), "double"
        elif state == "escaped":
            return at  # "</script" ends the script
        else:
            position, state = at + len(mark), "escaped"  # "</script" leaves the double-escaped state


def _escape_start(low: str, opened: int) -> tuple[int, str]:
    """After a "<!--" in a script: escaped, unless its dashes close at once ("<!-->", "<!--->")."""
    position = opened + 4
    while position < len(low) and low[position] == "-":
        position += 1
    if position < len(low) and low[position] == ">":
        return position + 1, "data"
    return position, "escaped"


def _find_tag(low: str, opening: str, start: int) -> int:
    """The next `opening` ("<script", "</script") followed by whitespace, "/" or ">"; -1 if none."""
    at = low.find(opening, start)
    while at >= 0:
        after = at + len(opening)
        if after >= len(low) or low[after] in _NAME_END:
            return at
        at = low.find(opening, after)
    return -1


def _comment_end(low: str, at: int) -> int:
    """Where a comment starting at `at` ends: "<!-->" and "<!--->" are whole comments, else the first
    "-->" or "--!>" (the tokenizer's comment states); the end of the text if none."""
    if low.startswith(">", at + 4):
        return at + 5
    if low.startswith("->", at + 4):
        return at + 6
    ends = [end + len(close) for close in ("-->", "--!>") if (end := low.find(close, at + 4)) >= 0]
    return min(ends) if ends else len(low)


def _attributes(source: str) -> dict[str, str | None]:
    attributes: dict[str, str | None] = {}
    position = 0
    while (match := _ATTRIBUTE_RE.match(source, position)) is not None and match.end() > position:
        position = match.end()
        name = match.group(1).lower()
        if name in attributes:
            continue  # the first of a repeated attribute wins, as in the parser
        value = match.group(2) if match.group(2) is not None else match.group(3)
        if value is None:
            value = match.group(4)
        if value is not None and "&" in value:
            value = html.unescape(value)
        attributes[name] = value if value is not None else ""
    return attributes


def _is_jsonld(value: str | None) -> bool:
    return (value or "").split(";")[0].strip().lower() == "application/ld+json"
