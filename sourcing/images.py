"""Writes and reads for images found in extractions: request, fetch and store variants, look them up.

An image is one `UrlImage` row per normalised URL. Its task fetches it with the scrapes' fetcher and
policy (private-address guard, redirects, limits; `IMAGE_MAX_BYTES` instead of the page limit),
validates and resizes it (`sourcing/imaging.py`) and stores WebP variants under a path made of the
content hash, so the same picture behind two URLs is stored once and a re-run writes nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q

from mystage.queue import enqueue
from mystage.stages import StageStatus, claim, fail, finish
from sourcing.fetching import FetchError, FetchPolicy, PinnedClient, fetch
from sourcing.imaging import ImageRejected, ProcessedImage, content_hash, process_image
from sourcing.models import UrlImage
from sourcing.urlnorm import url_hash

logger = logging.getLogger(__name__)

IMAGE_TASK = "sourcing.tasks.image_fetch_task"
LICENSE_MAX = UrlImage._meta.get_field("license").max_length or 255
ATTRIBUTION_MAX = UrlImage._meta.get_field("attribution").max_length or 500


def is_fetchable_image_url(url: object) -> bool:
    """Only absolute http(s) URLs are requested (not data: URIs, relative paths or other schemes)."""
    if not isinstance(url, str) or len(url) > 4000:
        return False
    try:
        parts = urlsplit(url.strip())
        return parts.scheme.lower() in {"http", "https"} and bool(parts.hostname)
    except ValueError:
        return False


def _hash_of(url: str) -> str | None:
    try:
        return url_hash(url)
    except ValueError:  # e.g. an invalid port: no row, never fetched
        return None


def image_request(*, url: str, license: str = "", attribution: str = "") -> UrlImage:
    """The image row for `url` (normalised), created and queued for fetching the first time it is asked for.

    Asking again is harmless: the row is returned unchanged, except that a licence or attribution it
    lacks is filled in."""
    url = url.strip()
    key = _hash_of(url)
    if key is None or not is_fetchable_image_url(url):
        raise ValueError(f"Not an http(s) image URL: {url[:200]!r}")
    license, attribution = license[:LICENSE_MAX], attribution[:ATTRIBUTION_MAX]
    # The URL is kept as the source wrote it (signed CDN URLs break when re-encoded); the hash is
    # of its normalised form, so spellings of one URL share a row.
    image, created = UrlImage.objects.get_or_create(
        url_hash=key, defaults={"url": url, "license": license, "attribution": attribution}
    )
    if created:
        enqueue(IMAGE_TASK, image.pk)
        return image
    missing = {
        name: value
        for name, value in (("license", license), ("attribution", attribution))
        if value and not getattr(image, name)
    }
    if missing:
        UrlImage.objects.filter(pk=image.pk).update(**missing)
        for name, value in missing.items():
            setattr(image, name, value)
    return image


def images_request(images: Iterable[str | Mapping[str, Any]]) -> int:
    """Request every http(s) image of an entity (URLs, or {"url", "license", "attribution"} mappings);
    one query when all are known already. Returns how many rows were created; none while
    IMAGE_FETCH_ENABLED is off."""
    if not settings.IMAGE_FETCH_ENABLED:
        return 0
    wanted: dict[str, dict[str, str]] = {}
    for item in images:
        entry = (
            {"url": item}
            if isinstance(item, str)
            else {k: str(item.get(k) or "") for k in ("url", "license", "attribution")}
        )
        url = (entry.get("url") or "").strip()
        key = _hash_of(url) if is_fetchable_image_url(url) else None
        if key and key not in wanted:
            wanted[key] = entry | {"url": url}
        elif key:  # the same image again: it may name what the first mention did not
            for name in ("license", "attribution"):
                wanted[key][name] = wanted[key].get(name) or entry.get(name, "")
    if not wanted:
        return 0
    known = {
        row["url_hash"]: row
        for row in UrlImage.objects.filter(url_hash__in=list(wanted)).values(
            "url_hash", "license", "attribution"
        )
    }
    created = 0
    for key, entry in wanted.items():
        row = known.get(key)
        fills_blank = row is not None and any(
            entry.get(name) and not row[name] for name in ("license", "attribution")
        )
        if row is None or fills_blank:
            image_request(
                url=entry["url"], license=entry.get("license", ""), attribution=entry.get("attribution", "")
            )
            created += row is None
    return created


def image_fetch_policy() -> FetchPolicy:
    """The scrapes' policy, with the image byte limit."""
    return FetchPolicy(
        user_agent=settings.SCRAPE_USER_AGENT,
        timeout_seconds=settings.SCRAPE_TIMEOUT_SECONDS,
        max_bytes=settings.IMAGE_MAX_BYTES,
        max_redirects=settings.SCRAPE_MAX_REDIRECTS,
        allowed_private=tuple(settings.SCRAPE_ALLOWED_PRIVATE_HOSTS),
        host_overrides=tuple(settings.SCRAPE_HOST_OVERRIDES),
    )


def variant_path(digest: str, width: str | int) -> str:
    return f"images/{digest[:2]}/{digest}/{width}.webp"


def _store_variants(processed: ProcessedImage) -> dict[str, str]:
    """Save each variant under its content-addressed path, unless it is there already; {width: url}."""
    urls: dict[str, str] = {}
    for width, data in processed.variants.items():
        name = variant_path(processed.content_hash, width)
        if not default_storage.exists(name):
            # Two workers storing the same picture at once: the second save gets another name from
            # the storage and its own copy; both are valid, so no lock is needed.
            name = default_storage.save(name, ContentFile(data))
        urls[width] = default_storage.url(name)
    return urls


def image_fetch(*, image_id: int) -> UrlImage | None:
    """Download a requested image, validate it, store its variants (once per content) and finish its row."""
    image = claim(UrlImage, image_id)
    if image is None:
        return None  # already done, or another worker holds it
    # The network call runs outside any transaction: no database lock is held while we wait.
    try:
        with PinnedClient() as client:
            result = fetch(image.url, client=client, policy=image_fetch_policy())
    except FetchError as exc:
        logger.warning("image %s (%s) not fetched: %s", image.pk, image.url, exc.reason)
        fail(image, exc.reason, retryable=exc.retryable)
        return image
    body = result.body
    digest = content_hash(body)
    twin = (
        UrlImage.objects.filter(content_hash=digest, status=StageStatus.DONE)
        .exclude(pk=image.pk)
        .exclude(variants={})
        .order_by("pk")
        .first()
    )
    if twin is not None:
        # The same bytes were processed already (another URL, or a CDN alias): reuse its variants.
        fields: dict[str, Any] = {
            "format": twin.format,
            "width": twin.width,
            "height": twin.height,
            "variants": twin.variants,
        }
    else:
        try:
            processed = process_image(
                body,
                max_bytes=settings.IMAGE_MAX_BYTES,
                max_pixels=settings.IMAGE_MAX_PIXELS,
                widths=settings.IMAGE_VARIANT_WIDTHS,
            )
        except ImageRejected as exc:
            logger.warning("image %s (%s) rejected: %s", image.pk, image.url, exc.reason)
            fail(image, exc.reason, retryable=False, content_hash=digest, byte_size=len(body))
            return image
        fields = {
            "format": processed.format,
            "width": processed.width,
            "height": processed.height,
            "variants": _store_variants(processed),
        }
    with transaction.atomic():
        if not finish(image, status=StageStatus.DONE, content_hash=digest, byte_size=len(body), **fields):
            return None  # our lease expired and another worker took over; its result stands
        _entities_mark_dirty(image)
    logger.info(
        "image %s (%s): %s, %d bytes%s",
        image.pk,
        image.url,
        image.format,
        len(body),
        f" (same content as image {twin.pk})" if twin else "",
    )
    return image


def _keyed(images: Iterable[str | Mapping[str, Any]]) -> list[tuple[str, str, Mapping[str, Any]]]:
    """(url, url hash, the given mapping) for each http(s) image."""
    keyed = []
    for item in images:
        given: Mapping[str, Any] = {"url": item} if isinstance(item, str) else item
        url = str(given.get("url") or "")
        key = _hash_of(url) if is_fetchable_image_url(url) else None
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


def _entities_mark_dirty(image: UrlImage) -> int:
    """Canonical entities showing this image get their documents recomputed (now with its variants)."""
    from entities.models import Artist, CanonicalStatus, EntityType, Performance, Venue
    from sync.services import sync_mark_dirty

    # JSON lists are searched as text (works on SQLite and PostgreSQL alike), in the spelling the
    # database stores: as written, and JSON-escaped. Matches are confirmed by URL hash below.
    spellings = {image.url, json.dumps(image.url)[1:-1]}
    marked = 0
    for entity_type, model, field in (
        (EntityType.VENUE, Venue, "image_urls"),
        (EntityType.ARTIST, Artist, "images"),
        (EntityType.PERFORMANCE, Performance, "image_urls"),
    ):
        text_match = Q()
        for spelling in spellings:
            text_match |= Q(**{f"{field}__icontains": spelling})
        for entity in model.objects.filter(text_match).exclude(status=CanonicalStatus.MERGED):
            urls = [i.get("url") if isinstance(i, dict) else i for i in getattr(entity, field) or []]
            if any(isinstance(u, str) and _hash_of(u) == image.url_hash for u in urls):
                sync_mark_dirty(entity_type=entity_type, entity=entity)
                marked += 1
    return marked


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
