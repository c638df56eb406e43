"""Small helpers shared by the JSON API adapters (Bandsintown, DICE, Google Places, Yelp, Ticketmaster,
Eventbrite).

Pure Python (no Django). Everything here is total: a value of the wrong JSON type reads as None,
nothing raises on bad input.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urljoin

from sourcing.fetchrules import body_text

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


class Keyed(Protocol):
    """An extracted record with its source's key (venue, artist, performance)."""

    @property
    def source_key(self) -> str | None: ...


def unique_by_source_key[T: Keyed](items: Iterable[T | None]) -> list[T]:
    """The items that are not None, in order, each source key kept once (the first)."""
    kept: list[T] = []
    seen: set[str | None] = set()
    for item in items:
        if item is not None and item.source_key not in seen:
            seen.add(item.source_key or "")  # items without a key are all kept
            kept.append(item)
    return kept


def load_json(body: bytes | str, warnings: WarningSink) -> object:
    """The parsed body, or `NOT_JSON` (with a warning)."""
    text = body_text(body)
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


def identifier(value: object, max_length: int = 128, *, allow_spaces: bool = False) -> str | None:
    """An API id: a short string or an integer, as text; with a space only if `allow_spaces`."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    result = text(value)
    if result is None or len(result) > max_length or (" " in result and not allow_spaces):
        return None
    return result


def number(value: object) -> float | None:
    """A finite number from a JSON number or numeric string ("-73.99160060")."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        result = float(value)
    except (ValueError, OverflowError):
        return None
    return result if math.isfinite(result) else None


def http_url(value: object, base: str | None = None, *, allow_spaces: bool = False) -> str | None:
    """An http(s) URL, resolved against `base` when relative and a base is known; with a space (as
    written, not encoded) only if `allow_spaces`."""
    result = text(value)
    if result is None or (" " in result and not allow_spaces):
        return None
    if result.startswith(("http://", "https://")):
        return result
    if base and result.startswith("/"):
        return urljoin(base, result)
    return None


def coordinates(
    latitude: object, longitude: object, warnings: WarningSink, label: str, noun: str = "coordinates"
) -> tuple[float, float] | tuple[None, None]:
    """Both coordinates, in range and not the 0,0 placeholder; else neither (with a warning if wrong).
    `noun` names them in the warning ("venue coordinates" in the Bandsintown and DICE adapters)."""
    lat, lng = number(latitude), number(longitude)
    if lat is None or lng is None:
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        warnings.warn(f"{label}: {noun} {lat},{lng} out of range; dropped")
        return None, None
    if lat == 0 and lng == 0:
        warnings.warn(f"{label}: {noun} 0,0 look like a placeholder; dropped")
        return None, None
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


def currency_code(value: object) -> str | None:
    """A three-letter currency code, upper-cased ("usd" -> "USD"); None for anything else."""
    result = text(value)
    return result.upper() if result and len(result) == 3 and result.isalpha() else None


def event_with_id(
    value: object,
    position: str,
    warnings: WarningSink,
    read_id: Callable[[object], str | None] = identifier,
) -> tuple[Node, str] | None:
    """An event item and its id; None (with a warning) when it is not an object or has no id."""
    if not isinstance(value, dict):
        warnings.warn(f"{position}: expected an event object, got a JSON {json_type(value)}; skipped")
        return None
    event_id = read_id(value.get("id"))
    if event_id is None:
        warnings.warn(f"{position}: event without an id; skipped")
        return None
    return value, event_id


def country_code(value: object) -> str | None:
    """A two-letter country code, upper-cased ("us" -> "US"), else the text as given."""
    result = text(value)
    if result and len(result) == 2 and result.isalpha():
        return result.upper()
    return result
