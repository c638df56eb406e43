"""Reads for images: which URLs may be fetched, their keys, and the processed variants of a batch."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from core.stages import StageStatus
from images.models import UrlImage
from sourcing.urlnorm import url_hash


def is_fetchable_image_url(url: object) -> bool:
    """Only absolute http(s) URLs are requested (not data: URIs, relative paths or other schemes)."""
    if not isinstance(url, str) or len(url) > 4000:
        return False
    try:
        parts = urlsplit(url.strip())
        return parts.scheme.lower() in {"http", "https"} and bool(parts.hostname)
    except ValueError:
        return False


def image_url_key(url: str) -> str | None:
    try:
        return url_hash(url)
    except ValueError:  # e.g. an invalid port: no row, never fetched
        return None


def _keyed(images: Iterable[str | Mapping[str, Any]]) -> list[tuple[str, str, Mapping[str, Any]]]:
    """(url, url hash, the given mapping) for each http(s) image."""
    keyed = []
    for item in images:
        given: Mapping[str, Any] = {"url": item} if isinstance(item, str) else item
        url = str(given.get("url") or "")
        key = image_url_key(url) if is_fetchable_image_url(url) else None
        if key:
            keyed.append((url, key, given))
    return keyed


def _done_rows(keys: Iterable[str]) -> dict[str, UrlImage]:
    wanted = set(keys)
    if not wanted:
        return {}
    done = UrlImage.objects.filter(url_hash__in=wanted, status=StageStatus.DONE).exclude(variants={})
    return {row.url_hash: row for row in done}


def _variant_entries(
    keyed: list[tuple[str, str, Mapping[str, Any]]], rows: Mapping[str, UrlImage]
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for url, key, given in keyed:
        row = rows.get(key)
        if row is None or key in seen:
            continue
        seen.add(key)
        out.append(
            {
                "url": url,
                "width": row.width,
                "height": row.height,
                "variants": dict(sorted(row.variants.items(), key=lambda item: int(item[0]))),
                # The entity's own licence and attribution win over the image row's.
                "license": given.get("license") or row.license or None,
                "attribution": given.get("attribution") or row.attribution or None,
            }
        )
    return out


def image_variants_for(images: Iterable[str | Mapping[str, Any]]) -> list[dict[str, Any]]:
    """For each image (a URL, or {"url", "license", "attribution"}) whose UrlImage is done, in order:
    {"url": original, "width", "height", "variants": {width: url}, "license", "attribution"}. One query."""
    keyed = _keyed(images)
    return _variant_entries(keyed, _done_rows(key for _, key, _ in keyed))


PREFETCH_ATTR = "_image_variants"


def _entity_images(entity: Any) -> list[Any]:
    return list(getattr(entity, "images", None) or getattr(entity, "image_urls", None) or [])


def image_variants_of(entity: Any) -> list[dict[str, Any]]:
    """`image_variants_for` a canonical entity's images (Artist.images, or image_urls), using what
    `image_variants_prefetch` loaded for a batch when it did."""
    cached = getattr(entity, PREFETCH_ATTR, None)
    return list(cached) if cached is not None else image_variants_for(_entity_images(entity))


def image_variants_prefetch(entities: Iterable[Any]) -> None:
    """Load the processed images of a batch of entities in one query (for sync pushes)."""
    batch = [(entity, _keyed(_entity_images(entity))) for entity in entities]
    rows = _done_rows(key for _, keyed in batch for _, key, _ in keyed)
    for entity, keyed in batch:
        setattr(entity, PREFETCH_ATTR, _variant_entries(keyed, rows))
