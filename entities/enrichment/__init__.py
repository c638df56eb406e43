"""Enrichment's pure cores (no Django): the offline gazetteer, geocoding and country inference, and the
MusicBrainz matching rule. The services in `entities/services/enrichment.py` run them and keep their
outcomes in `Enrichment` rows."""
