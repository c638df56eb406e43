"""Checks for sources and URLs given in files (import_sources, import_sources_csv): every row is checked
before anything is written, so that a file is imported whole or not at all, and each problem is told
with where it is."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug

from sourcing.models import Source, SourceKind, UrlKind
from sourcing.urlnorm import UnacceptableUrl, check_scrapable_url

NAME_LENGTH = Source._meta.get_field("name").max_length or 100


@dataclass(frozen=True)
class SourceRow:
    name: str
    kind: str
    priority: int
    url: str
    url_kind: str


def check_source_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValueError("the source needs a name")
    name = name.strip()
    try:
        validate_slug(name)
    except ValidationError:
        raise ValueError(f"source name {name!r} may hold only letters, digits, - and _") from None
    if len(name) > NAME_LENGTH:
        raise ValueError(f"source name {name[:20]!r}… is longer than {NAME_LENGTH} characters")
    return name


def check_kind(kind: Any, *, field: str = "kind") -> str:
    kind = kind or SourceKind.VENUE_SITE
    if kind not in SourceKind.values:
        raise ValueError(f"unknown {field} {kind!r} (one of {', '.join(SourceKind.values)})")
    return str(kind)


def check_url_kind(url_kind: Any) -> str:
    url_kind = url_kind or UrlKind.LISTING
    if url_kind not in UrlKind.values:
        raise ValueError(f"unknown url_kind {url_kind!r} (one of {', '.join(UrlKind.values)})")
    return str(url_kind)


def check_priority(priority: Any) -> int:
    if priority in (None, ""):
        return 50
    if isinstance(priority, bool):
        raise ValueError(f"priority {priority!r} is not a whole number")
    try:
        value = int(str(priority).strip())
    except ValueError:
        raise ValueError(f"priority {priority!r} is not a whole number") from None
    if not -1_000_000 <= value <= 1_000_000:
        raise ValueError(f"priority {value} is out of range (-1000000..1000000)")
    return value


def check_url(url: Any, *, base_url: str, allowed_private: Iterable[str]) -> str:
    """The URL to store (normalised): a path is joined to `base_url`; the one scrapable-URL check."""
    if not isinstance(url, str):
        raise ValueError(f"URL {url!r} is not text")
    url = url.strip()
    if url.startswith("/"):
        if not base_url:
            raise ValueError(f"URL {url!r} is a path: give --base-url, or write the whole URL")
        url = base_url.rstrip("/") + url
    try:
        return check_scrapable_url(url, allowed_private=allowed_private)
    except UnacceptableUrl as exc:
        raise ValueError(f"URL {url[:200]!r}: {exc}") from None
