"""What the sourcing stage hands on. It names no receiver: the orchestration (mystage.pipeline.flow)
connects them, so this app never imports the stages after it."""

from django.dispatch import Signal

# Sent with `scrape` inside the transaction that stored a scrape whose body changed (a page fetched,
# or an API page stored): a receiver's failure rolls the store back and the scrape is tried again.
scrape_stored = Signal()
