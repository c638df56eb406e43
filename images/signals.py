"""What the images stage hands on. It names no receiver: the orchestration (mystage.pipeline.flow)
connects them, so this app never imports the stages that use images."""

from django.dispatch import Signal

# Sent with `image` (a UrlImage) inside the transaction that stored its variants.
image_stored = Signal()
