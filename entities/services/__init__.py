"""Writes for entities, one module per subject (ingest, resolution, recompute, duplicates, merges).

Re-exported here so callers write `from entities.services import entity_sources_ingest`.
"""

from entities.services.duplicates import venue_duplicate_decide, venue_duplicates_find
from entities.services.ingest import entity_sources_ingest
from entities.services.merge import venue_merge, venue_unmerge
from entities.services.resolve import entity_source_resolve, entity_sources_resolve_for_extraction

__all__ = [
    "entity_source_resolve",
    "entity_sources_ingest",
    "entity_sources_resolve_for_extraction",
    "venue_duplicate_decide",
    "venue_duplicates_find",
    "venue_merge",
    "venue_unmerge",
]
