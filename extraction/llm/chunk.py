"""Split reduced page text into chunks an LLM reads one at a time, and merge what it found (pure).

Chunks end on line boundaries (a line is one block of the reduced page), preferring to end just
before a heading, and the next chunk repeats the last lines of the previous one (the overlap), so a
show cut in two is seen whole at least once. Merging de-duplicates what the overlap found twice.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from extraction.schemas import (
    DiscoveredUrl,
    ExtractedArtist,
    ExtractedPerformance,
    ExtractedVenue,
    ExtractionResult,
)

DEFAULT_OVERLAP_CHARS = 400
# When a chunk is full, end it before the last heading in its final quarter, if there is one.
_HEADING_BACKTRACK = 0.25
_SPACES = re.compile(r"\s+")


def split_text(text: str, *, max_chars: int, overlap_chars: int | None = None) -> list[str]:
    """Chunks of at most `max_chars` characters, on line boundaries, with a small overlap."""
    if max_chars < 100:
        raise ValueError(f"max_chars must be at least 100 (got {max_chars})")
    text = text.strip()
    if len(text) <= max_chars:
        return [text] if text else []
    overlap = min(DEFAULT_OVERLAP_CHARS if overlap_chars is None else overlap_chars, max_chars // 4)
    lines = [piece for line in text.split("\n") for piece in _split_long_line(line, max_chars - overlap)]
    chunks: list[str] = []
    current: list[str] = []
    for line in lines:
        if current and _size(current) + 1 + len(line) > max_chars:
            cut = _cut_point(current)
            if _size(current[cut:]) + 1 + len(line) + overlap > max_chars:
                cut = len(current)  # what follows the heading would not fit with the overlap
            chunks.append("\n".join(current[:cut]))
            tail = _tail(current[:cut], overlap)
            current = tail + current[cut:]
        current.append(line)
    if current:
        chunks.append("\n".join(current))
    return chunks


def _size(lines: list[str]) -> int:
    return sum(len(line) for line in lines) + max(0, len(lines) - 1)


def _cut_point(lines: list[str]) -> int:
    """Where to end the chunk: before the last heading in its final quarter, else after all lines."""
    total = _size(lines)
    position = total
    for index in range(len(lines) - 1, 0, -1):
        position -= len(lines[index]) + 1
        if position < total * (1 - _HEADING_BACKTRACK):
            break
        if lines[index].startswith("#"):
            return index
    return len(lines)


def _tail(lines: list[str], budget: int) -> list[str]:
    tail: list[str] = []
    used = 0
    for line in reversed(lines):
        if used + len(line) + 1 > budget:
            break
        tail.insert(0, line)
        used += len(line) + 1
    return tail


def _split_long_line(line: str, limit: int) -> list[str]:
    """A line longer than `limit` split at spaces (hard-cut when a word is longer still)."""
    pieces = []
    while len(line) > limit:
        cut = line.rfind(" ", 0, limit)
        cut = cut if cut > 0 else limit
        pieces.append(line[:cut].rstrip())
        line = line[cut:].lstrip()
    pieces.append(line)
    return pieces


def merge_results(results: list[ExtractionResult]) -> ExtractionResult:
    """One result from several chunks' results, each entity once; later sightings fill gaps."""
    venues: dict[str, ExtractedVenue] = {}
    artists: dict[str, ExtractedArtist] = {}
    performances: dict[tuple[str, str, str], ExtractedPerformance] = {}
    urls: dict[str, DiscoveredUrl] = {}
    warnings: dict[str, None] = {}
    for result in results:
        for venue in result.venues:
            _keep(venues, _key(venue.name), venue)
        for artist in result.artists:
            _keep(artists, _key(artist.name), artist)
        for performance in result.performances:
            venue_name = _key(performance.venue.name) if performance.venue else ""
            key = (_key(performance.name), performance.local_date.isoformat(), venue_name)
            _keep(performances, key, performance)
        for url in result.discovered_urls:
            urls.setdefault(url.url, url)
        warnings.update(dict.fromkeys(result.warnings))
    return ExtractionResult(
        venues=list(venues.values()),
        artists=list(artists.values()),
        performances=list(performances.values()),
        discovered_urls=list(urls.values()),
        warnings=list(warnings),
    )


def _key(name: str) -> str:
    return _SPACES.sub(" ", name).strip().casefold()


def _keep[K, M: BaseModel](seen: dict[K, M], key: K, item: M) -> None:
    """Keep the first sighting; a later one fills the fields the first left at their default."""
    first = seen.get(key)
    if first is None:
        seen[key] = item
        return
    fill: dict[str, Any] = {}
    for name, field in type(first).model_fields.items():
        default = field.get_default(call_default_factory=True)
        mine, theirs = getattr(first, name), getattr(item, name)
        if mine == default and theirs != default:
            fill[name] = theirs
    if fill:
        seen[key] = first.model_copy(update=fill)
