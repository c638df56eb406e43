"""What each extractor found in each scrape."""

from __future__ import annotations

from django.db import models

from core.stages import StageRow


class Extraction(StageRow):
    """One extractor's run over one scrape. The validated output is kept for replay and review."""

    scrape = models.ForeignKey("sourcing.Scrape", on_delete=models.CASCADE, related_name="extractions")
    extractor = models.CharField(max_length=64)
    extractor_version = models.CharField(max_length=32)
    output = models.JSONField(null=True, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    venue_count = models.PositiveIntegerField(default=0)
    artist_count = models.PositiveIntegerField(default=0)
    performance_count = models.PositiveIntegerField(default=0)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=10, decimal_places=6, null=True, blank=True)

    class Meta:
        db_table = "extractions"
        constraints = [
            models.UniqueConstraint(
                fields=["scrape", "extractor", "extractor_version"],
                name="one_extraction_per_extractor_version",
            )
        ]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.extractor}@{self.extractor_version} on scrape {self.scrape_id}"
