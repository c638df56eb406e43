"""Search keys: what admin search and the API's `q` compare, so that punctuation, accents and case do not
matter ("st marks" finds "St. Mark's", "cafe" finds "Café").

Pure (no Django). A key is the entity's names (name, former names or aliases) normalised with the
resolver's own `normalize_name`; a query is normalised the same way and every word of it must occur in
the key. Stored keys follow `normalize_name`: when it changes, re-save the entities (their `save()`
recomputes the key).
"""

from __future__ import annotations

from collections.abc import Iterable

from entities.resolution.normalize import normalize_name

SEPARATOR = " | "
MAX_LENGTH = 1000


def search_key(names: Iterable[str | None]) -> str:
    """The names, normalised, each once, in order; bounded to MAX_LENGTH characters."""
    keys = dict.fromkeys(key for key in (normalize_name(n) for n in names if n) if key)
    return SEPARATOR.join(keys)[:MAX_LENGTH]


def search_words(query: str | None) -> list[str]:
    """The words of a query as keys hold them (empty for a query of punctuation only)."""
    return normalize_name(query).split()
