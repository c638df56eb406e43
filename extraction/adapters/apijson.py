"""Small helpers shared by the JSON API adapters (Google Places, Yelp, Ticketmaster, Eventbrite).

Pure Python (no Django). Everything here is total: a value of the wrong JSON type reads as None,
nothing raises on bad input.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urljoin

MAX_WARNINGS = 100
MAX_DESCRIPTION_CHARS = 10_000

type Node = dict[str, object]

NOT_JSON = object()  # what `load_json` returns for a body it cannot parse


@dataclass
class Warnings:
    """Warnings of one extraction, capped."""

    items: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        if len(self.items) < MAX_WARNINGS:
            self.items.append(message)
        elif len(self.items) == MAX_WARNINGS:
            self.items.append("further warnings suppressed")


class WarningSink(Protocol):
    def warn(self, message: str) -> None: ...


def load_json(body: bytes | str, warnings: WarningSink) -> object:
    """The parsed body, or `NOT_JSON` (with a warning)."""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    text = text.removeprefix("\ufeff")
    if not text.strip():
        warnings.warn("empty body")
        return NOT_JSON
    try:
        data: object = json.loads(text)
    except (ValueError, RecursionError) as exc:
        warnings.warn(f"body is not JSON ({type(exc).__name__}: {str(exc)[:100]})")
        return NOT_JSON
    return data


def json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def node(value: object) -> Node:
    """`value` if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def nodes(value: object) -> list[Node]:
    """The objects of a JSON array (other items dropped); [] for anything else."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def dig(value: object, *keys: str) -> object:
    """value[k1][k2]...; None as soon as a step is not an object or lacks the key."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def text(value: object) -> str | None:
    """A JSON string with its whitespace collapsed; None for other types and blank strings."""
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def html_text(value: object) -> str | None:
    """Like `text`, with HTML character references decoded ("Techno &amp; House")."""
    result = text(value)
    return html.unescape(result) if result and "&" in result else result


def identifier(value: object, max_length: int = 128) -> str | None:
    """An API id: a short string or an integer, as text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    result = text(value)
    return result if result and len(result) <= max_length and " " not in result else None


def number(value: object) -> float | None:
    """A finite number from a JSON number or numeric string ("-73.99160060")."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        result = float(value)
    except (ValueError, OverflowError):
        return None
    return result if math.isfinite(result) else None


def http_url(value: object, base: str | None = None) -> str | None:
    """An http(s) URL, resolved against `base` when relative and a base is known."""
    result = text(value)
    if result is None or " " in result:
        return None
    if result.startswith(("http://", "https://")):
        return result
    if base and result.startswith("/"):
        return urljoin(base, result)
    return None


def coordinates(
    latitude: object, longitude: object, warnings: Warnings, label: str
) -> tuple[float, float] | None:
    """Both coordinates, in range and not the 0,0 placeholder; else None (with a warning if wrong)."""
    lat, lng = number(latitude), number(longitude)
    if lat is None or lng is None:
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        warnings.warn(f"{label}: coordinates {lat},{lng} out of range; dropped")
        return None
    if lat == 0 and lng == 0:
        warnings.warn(f"{label}: coordinates 0,0 look like a placeholder; dropped")
        return None
    return lat, lng


def utc_instant(value: object) -> dt.datetime | None:
    """An ISO 8601 instant with a zone ("2016-07-27T23:30:00Z"), as an aware datetime."""
    result = text(value)
    if result is None:
        return None
    try:
        instant = dt.datetime.fromisoformat(result.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return instant if instant.tzinfo is not None else None


def offset_minutes(local: dt.datetime, instant: dt.datetime) -> int | None:
    """The UTC offset that makes naive `local` the wall time of `instant`, if plausible (±18 h)."""
    utc = instant.astimezone(dt.UTC).replace(tzinfo=None)
    minutes = round((local - utc).total_seconds() / 60)
    return minutes if abs(minutes) <= 18 * 60 else None


def country_code(value: object) -> str | None:
    """A two-letter country code, upper-cased ("us" -> "US"), else the text as given."""
    result = text(value)
    if result and len(result) == 2 and result.isalpha():
        return result.upper()
    return result
