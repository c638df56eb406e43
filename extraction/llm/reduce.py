"""Reduce an HTML page to compact text an LLM reads cheaply (pure: no Django import).

What stays: headings (`#`), paragraphs and other blocks as lines, list items (`- `), table rows
(cells joined by ` | `), definition terms and descriptions, `<time>` text with its `datetime`
attribute (`Fri 8pm [2026-02-13T20:00]`, likewise any element's `datetime`), and links as
`[text](absolute url)` (`<url>` when the link has no text, as image-only "more info" links often do;
a link wrapping a whole card puts its `<url>` after the card). What goes: script, style, nav,
footer, aside, svg, forms and their controls, comments (HTML ones and reader comment threads),
templates, iframes, media, and anything hidden (`hidden`, `aria-hidden="true"`, `display:none`,
`visibility:hidden`, a closed `<dialog>`). Whitespace is collapsed; empty lines, lines of
separators only, immediately repeated lines and a bare `<url>` just written are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from extraction.budget import bound_html_depth

# Dropped with everything inside them (and <form>s, unless one wraps the page: PAGE_FORM_CHARS).
DROP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "nav",
        "footer",
        "svg",
        "math",
        "button",
        "select",
        "textarea",
        "input",
        "iframe",
        "object",
        "embed",
        "canvas",
        "video",
        "audio",
        "picture",
        "head",
        "aside",
    }
)
DROP_ROLES = frozenset({"navigation", "contentinfo", "search", "menu", "menubar"})
# Reader comment threads (WordPress and the like): old chatter, not the listing.
_COMMENTS_ID = frozenset({"comments", "respond", "disqus_thread"})
_COMMENTS_CLASS = re.compile(r"\b(comments-area|comment-list|commentlist|comment-respond)\b")
# A form this long wraps the page (ASP.NET WebForms pages put everything in one): keep its content.
PAGE_FORM_CHARS = 1000
# Elements that start and end a line of their own.
BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "details",
        "dl",
        "div",
        "fieldset",
        "figcaption",
        "figure",
        "header",
        "hgroup",
        "html",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "ul",
    }
)
_BLOCK_SELECTOR = ",".join(
    sorted(BLOCK_TAGS - {"body", "html"}) + ["li", "tr", "dt", "dd", "br", "hr", "h1", "h2", "h3", "h4"]
)
_PREFIXES = {"li": "- ", "dd": "  "}
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_WORDY = re.compile(r"[^\W_]")  # a letter or a digit
_LINK_OPEN = re.compile(r"\[ ")
_LINK_CLOSE = re.compile(r" \]\(")
_SKIP_SCHEMES = ("javascript:", "data:", "about:")


@dataclass(frozen=True)
class ReducedPage:
    """The compact text of a page, with its size before and after."""

    text: str
    title: str
    chars_in: int
    chars_out: int

    @property
    def ratio(self) -> float:
        """Output size over input size: 0.1 means the text is a tenth of the HTML."""
        return self.chars_out / self.chars_in if self.chars_in else 0.0


def reduce_html(html: str, *, base_url: str | None) -> ReducedPage:
    """The page's readable text: blocks as lines, links absolute, dates kept, chrome dropped.

    A page nested deeper than the extraction budget allows is read up to that depth (`extraction.budget`)."""
    html, _ = bound_html_depth(html)
    tree = LexborHTMLParser(html)
    title = _clean(_first_text(tree, "title") or _meta(tree, "og:site_name") or "")
    base = base_url or ""
    base_tag = tree.css_first("base[href]")
    if base_tag is not None:
        base = urljoin(base, base_tag.attributes.get("href") or "")
    root = tree.body or tree.root
    lines = _Lines()
    if root is not None:
        _render(root, lines, base)
    text = "\n".join(lines.finish())
    return ReducedPage(text=text, title=title, chars_in=len(html), chars_out=len(text))


class _Lines:
    """Accumulates inline text into the current line; block boundaries end it.

    `open` starts a block, optionally with a line prefix ("- ", "## "), which survives blocks opened
    inside it before any text (a list item's first <div>); `close` ends it and drops an unused prefix.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.current: list[str] = []
        self.prefix = ""

    def add(self, text: str) -> None:
        self.current.append(text)

    def recently_wrote(self, text: str, lines: int = 3) -> bool:
        return any(text in line for line in self.lines[-lines:]) or any(text in part for part in self.current)

    def open(self, prefix: str | None = None) -> None:
        self._flush()
        if prefix is not None:
            self.prefix = prefix

    def close(self) -> None:
        self._flush()
        self.prefix = ""

    def finish(self) -> list[str]:
        self.close()
        return self.lines

    def _flush(self) -> None:
        line = _LINK_OPEN.sub("[", _LINK_CLOSE.sub("](", _clean("".join(self.current)))).removesuffix(" |")
        self.current = []
        if not _WORDY.search(line):  # empty, or only rules and separators ("|", "_____")
            return
        line = self.prefix + line
        self.prefix = ""
        if not self.lines or self.lines[-1] != line:
            self.lines.append(line)


def _render(root: LexborNode, out: _Lines, base: str) -> None:
    """Walk the tree without recursion (pages nest deeply) and write lines to `out`."""
    for node, entering in _walk(root):
        tag = node.tag or ""
        if tag == "-text":
            out.add(node.text_content or "")
            continue
        if tag == "a":
            _link(node, out, base, entering)
        elif tag in ("td", "th"):
            if not entering:
                out.add(" | ")
        elif tag in ("br", "hr"):
            if entering:
                out.close()
        elif tag == "img":
            if entering and _in_link_without_text(node):
                out.add(_clean(node.attributes.get("alt") or ""))
        elif tag in HEADINGS or tag in _PREFIXES or tag in BLOCK_TAGS or tag in ("tr", "dt"):
            if not entering:
                out.close()
            elif tag in HEADINGS:
                out.open("#" * HEADINGS[tag] + " ")
            else:
                out.open(_PREFIXES.get(tag))
        if not entering and tag != "a":
            stamp = _clean(node.attributes.get("datetime") or "")
            if stamp and stamp not in _clean(node.text() or ""):
                out.add(f" [{stamp}]")


def _walk(root: LexborNode) -> Iterator[tuple[LexborNode, bool]]:
    """Yield (node, True) on entering and (node, False) on leaving, skipping dropped subtrees."""
    stack: list[tuple[LexborNode, bool]] = [(root, True)]
    while stack:
        node, entering = stack.pop()
        if not entering:
            yield node, False
            continue
        if node.tag == "-comment" or (node.tag != "-text" and _dropped(node)):
            continue
        yield node, True
        if node.tag == "-text":
            continue
        stack.append((node, False))
        children = []
        child = node.child
        while child is not None:
            children.append(child)
            child = child.next
        stack.extend((c, True) for c in reversed(children))


def _dropped(node: LexborNode) -> bool:
    tag = node.tag or ""
    if tag in DROP_TAGS or tag.startswith("-"):
        return True
    attrs = node.attributes
    if tag == "form" and len(node.text() or "") < PAGE_FORM_CHARS:
        return True
    if tag == "dialog" and "open" not in attrs:
        return True
    if "hidden" in attrs or (attrs.get("aria-hidden") or "").lower() == "true":
        return True
    if (attrs.get("role") or "").lower() in DROP_ROLES:
        return True
    if (attrs.get("id") or "").lower() in _COMMENTS_ID or _COMMENTS_CLASS.search(attrs.get("class") or ""):
        return True
    return bool(_HIDDEN_STYLE.search(attrs.get("style") or ""))


def _link(node: LexborNode, out: _Lines, base: str, entering: bool) -> None:
    """Links become `[text](absolute url)`; the markers wrap the text the walk adds in between."""
    url = _absolute(node.attributes.get("href"), base)
    if url is None:
        return
    text = _clean(node.text() or "")
    if text and node.css_first(_BLOCK_SELECTOR) is not None:  # a card: its blocks, then the URL alone
        if entering:
            out.open()
        else:
            out.add(f"<{url}>")
            out.close()
    elif text:
        out.add(" [" if entering else f"]({url}) ")
    elif not entering and not out.recently_wrote(url):  # no text (an image-only link): the bare URL
        out.add(f" <{url}> ")


def _absolute(href: str | None, base: str) -> str | None:
    """An absolute http(s) or mailto/tel URL; None for same-page anchors and script links."""
    href = (href or "").strip()
    if not href or href.startswith("#") or href.lower().startswith(_SKIP_SCHEMES):
        return None
    url = urljoin(base, href) if base else href
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("mailto", "tel"):
        return url
    if scheme not in ("http", "https") and base:
        return None
    return url.replace(" ", "%20").replace(")", "%29")


def _in_link_without_text(node: LexborNode) -> bool:
    parent = node.parent
    while parent is not None and parent.tag != "a":
        parent = parent.parent
    return parent is not None and not _clean(parent.text() or "")


def _first_text(tree: LexborHTMLParser, selector: str) -> str | None:
    node = tree.css_first(selector)
    return node.text() if node is not None else None


def _meta(tree: LexborHTMLParser, prop: str) -> str | None:
    node = tree.css_first(f'meta[property="{prop}"]')
    return node.attributes.get("content") if node is not None else None


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()
