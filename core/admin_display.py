"""Admin helpers shared by the apps: JSON values shown as tables people read (never as raw `{}`/`[]` text
boxes), short cells for list columns, and the mixin that keeps pipeline rows read-only."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

EMPTY = "—"
# Deeper than this, a value is shown as compact text: a table of tables of tables helps nobody.
MAX_DEPTH = 4
MAX_ITEMS = 200
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")

TABLE_STYLE = "border-collapse: collapse; margin: 0"
CELL_STYLE = "padding: 2px 8px 2px 0; vertical-align: top; border-bottom: 1px solid var(--hairline-color)"


def json_table(value: Any, *, depth: int = 0) -> SafeString:
    """A JSON value as HTML: objects as key/value tables, lists of objects as tables with a column per
    key, other lists as one item per line, URLs as links; escaped throughout."""
    if value is None or value == "" or value == {} or value == []:
        return format_html('<span class="quiet">{}</span>', EMPTY)
    if isinstance(value, dict):
        if depth >= MAX_DEPTH:
            return _compact(value)
        rows = list(value.items())[:MAX_ITEMS]
        body = format_html_join(
            "",
            '<tr><th style="{}">{}</th><td style="{}">{}</td></tr>',
            ((CELL_STYLE, key, CELL_STYLE, json_table(item, depth=depth + 1)) for key, item in rows),
        )
        return format_html('<table style="{}">{}{}</table>', TABLE_STYLE, body, _more(len(value)))
    if isinstance(value, list):
        items = value[:MAX_ITEMS]
        if depth < MAX_DEPTH and items and all(isinstance(item, dict) for item in items):
            columns = list(dict.fromkeys(key for item in items for key in item))
            head = format_html_join("", '<th style="{}">{}</th>', ((CELL_STYLE, c) for c in columns))
            rows_html = format_html_join(
                "",
                "<tr>{}</tr>",
                (
                    (
                        format_html_join(
                            "",
                            '<td style="{}">{}</td>',
                            ((CELL_STYLE, json_table(item.get(c), depth=depth + 1)) for c in columns),
                        ),
                    )
                    for item in items
                ),
            )
            return format_html(
                '<table style="{}"><tr>{}</tr>{}</table>{}', TABLE_STYLE, head, rows_html, _more(len(value))
            )
        lines = format_html_join(
            "", "<div>{}</div>", ((json_table(item, depth=depth + 1),) for item in items)
        )
        return format_html("{}{}", lines, _more(len(value)))
    if isinstance(value, bool):
        return format_html("{}", "yes" if value else "no")
    if isinstance(value, str) and _is_link(value):
        return format_html('<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>', value, value)
    if isinstance(value, str) and ISO_DATETIME.match(value):
        return format_html('<span title="{}">{}</span>', value, _iso_time(value))
    if isinstance(value, dt.date | dt.time | dt.datetime):
        return format_html("{}", value.isoformat())
    return format_html("{}", value)


def _iso_time(text: str) -> str:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    return when(value)


def when(value: dt.datetime | None) -> str:
    """A date and time that fits a list column: "2026-12-07 22:45" (the site's zone, UTC by default)."""
    if value is None:
        return EMPTY
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d %H:%M")


def compact_time(field: str, description: str) -> Any:
    """A list column of `field` (a DateTimeField) as `when` shows it, sortable by the field."""

    @admin.display(description=description, ordering=field)
    def display(self: Any, obj: Any) -> str:
        return when(getattr(obj, field))

    display.__name__ = f"{field}_when"
    return display


def _compact(value: Any) -> SafeString:
    import json

    return format_html("<code>{}</code>", json.dumps(value, ensure_ascii=False, default=str)[:500])


def _more(total: int) -> SafeString:
    if total <= MAX_ITEMS:
        return mark_safe("")
    return format_html('<div class="quiet">… and {} more</div>', total - MAX_ITEMS)


def _is_link(text: str) -> bool:
    if not text.startswith(("http://", "https://")) or any(c.isspace() for c in text):
        return False
    return bool(urlsplit(text).hostname)


def short(text: str | None, length: int = 60) -> str:
    """A list cell of bounded width; the whole text stays in the row's change page."""
    text = text or ""
    return text if len(text) <= length else text[: length - 1] + "…"


class PipelineRowAdmin:
    """A row the pipeline makes and changes (a scrape, an extraction, an entity source, a sync record, a
    merge record, a duplicate pair): its page is read-only and it has no Add and no Delete. It changes
    through the list's actions (retry, undo...) and the review pages only, which call the services.

    The list stays usable for actions that need the change permission (`permissions=["change"]`)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # With an object: the change page, shown read-only. Without: the list and its actions.
        return obj is None and super().has_change_permission(request, obj)  # type: ignore[misc]
