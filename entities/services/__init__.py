"""Writes for entities, one module per subject (ingest, resolution, recompute, duplicates, merges,
staff curation and review).

Re-exported here so callers write `from entities.services import entity_sources_ingest`.
"""

from entities.services.artist_duplicates import (
    artist_duplicates_find,
    artist_duplicates_reopen,
    artist_pick_winner,
)
from entities.services.artist_merge import artist_merge, artist_unmerge
from entities.services.claims import (
    review_claim,
    review_claim_next_group,
    review_claim_next_pair,
    review_claims_release,
)
from entities.services.curation import curated_value, entity_fields_lock, entity_fields_unlock, entity_import
from entities.services.duplicates import venue_duplicate_decide, venue_duplicates_find
from entities.services.enrichment import enrichment_run
from entities.services.group_review import review_apply, review_decision_undo, review_undo
from entities.services.ingest import entity_sources_ingest
from entities.services.locate import gazetteer_build
from entities.services.merge import venue_merge, venue_unmerge
from entities.services.moved import performance_merge, performance_unmerge, performances_merge_moved
from entities.services.resolve import entity_source_resolve, entity_sources_resolve_for_extraction
from entities.services.review import (
    merge_record_undo,
    venue_duplicate_reject,
    venue_duplicate_skip,
    venue_duplicates_merge_bulk,
    venue_duplicates_reopen,
    venue_merge_with_choices,
    venue_pick_winner,
    venue_review_undo,
)

__all__ = [
    "artist_duplicates_find",
    "artist_duplicates_reopen",
    "artist_merge",
    "artist_pick_winner",
    "artist_unmerge",
    "curated_value",
    "entity_fields_lock",
    "entity_fields_unlock",
    "entity_import",
    "entity_source_resolve",
    "entity_sources_ingest",
    "entity_sources_resolve_for_extraction",
    "gazetteer_build",
    "enrichment_run",
    "merge_record_undo",
    "performance_merge",
    "performance_unmerge",
    "performances_merge_moved",
    "review_apply",
    "review_claim",
    "review_claim_next_group",
    "review_claim_next_pair",
    "review_claims_release",
    "review_decision_undo",
    "review_undo",
    "venue_duplicate_decide",
    "venue_duplicate_reject",
    "venue_duplicate_skip",
    "venue_duplicates_find",
    "venue_duplicates_merge_bulk",
    "venue_duplicates_reopen",
    "venue_merge",
    "venue_merge_with_choices",
    "venue_pick_winner",
    "venue_review_undo",
    "venue_unmerge",
]
