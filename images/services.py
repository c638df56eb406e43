"""Writes and reads for images found in extractions: request, fetch and store variants, look them up.

An image is one `UrlImage` row per normalised URL. Its task fetches it with the scrapes' fetcher and
policy (private-address guard, redirects, limits; `IMAGE_MAX_BYTES` instead of the page limit),
validates and resizes it (`images/imaging.py`) and stores WebP variants under a path made of the
content hash, so the same picture behind two URLs is stored once and a re-run writes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from core.queue import enqueue
from core.stages import StageStatus, claim, fail, finish
from images.imaging import ImageRejected, ProcessedImage, content_hash, process_image
from images.models import UrlImage
from images.selectors import image_url_key, is_fetchable_image_url
from images.signals import image_stored
from sourcing.fetching import FetchError, FetchPolicy, PinnedClient, fetch

logger = logging.getLogger(__name__)

IMAGE_TASK = "images.tasks.image_fetch_task"
LICENSE_MAX = UrlImage._meta.get_field("license").max_length or 255
ATTRIBUTION_MAX = UrlImage._meta.get_field("attribution").max_length or 500


def image_request(*, url: str, license: str = "", attribution: str = "") -> UrlImage:
    """The image row for `url` (normalised), created and queued for fetching the first time it is asked for.

    Asking again is harmless: the row is returned unchanged, except that a licence or attribution it
    lacks is filled in."""
    url = url.strip()
    key = image_url_key(url)
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
        key = image_url_key(url) if is_fetchable_image_url(url) else None
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
        # Whoever shows this image (the orchestration knows: canonical entities' documents) recomputes.
        image_stored.send(sender=UrlImage, image=image)
    logger.info(
        "image %s (%s): %s, %d bytes%s",
        image.pk,
        image.url,
        image.format,
        len(body),
        f" (same content as image {twin.pk})" if twin else "",
    )
    return image
