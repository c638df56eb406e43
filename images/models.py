"""Images found in extractions: one row per normalised URL, stored as resized variants."""

from __future__ import annotations

from django.db import models

from core.stages import StageRow


class UrlImage(StageRow):
    """An image found in an extraction, downloaded once per URL and stored as resized variants."""

    url = models.TextField()
    url_hash = models.CharField(max_length=64, unique=True, editable=False)
    content_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    format = models.CharField(max_length=16, blank=True, default="")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    byte_size = models.PositiveIntegerField(null=True, blank=True)
    variants = models.JSONField(default=dict, blank=True)
    license = models.CharField(max_length=255, blank=True, default="")
    attribution = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        db_table = "url_images"

    def __str__(self) -> str:
        return self.url
