"""What the extraction stage hands on. It names no receiver: the orchestration (mystage.pipeline.flow)
connects them, so this app never imports entities, and never imports sourcing's services."""

from django.dispatch import Signal

# Sent with `extraction` and `result` (the validated ExtractionResult) inside the transaction that
# stored the result: a receiver's failure rolls the whole store back and the extraction fails.
extraction_stored = Signal()
# Sent with `scrape` and `candidates` (a list of (url, url kind)) when a listing page linked onward.
links_discovered = Signal()
