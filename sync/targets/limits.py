"""Size limits of the targets, checked before a document is sent (pure: no Django, no client).

A document over its target's limit would be refused every time it is sent: it is rejected once, for
good, with the reason, until its content changes.

- Firestore: 1 MiB per document, as Firestore counts it ("Storage size calculations"): the document
  name (each collection and document ID as a string, plus 16 bytes), each field name and value, plus
  32 bytes. Strings count their UTF-8 bytes plus one; numbers, timestamps 8; booleans and null 1;
  arrays the sum of their values; maps the sum of their keys and values.
- Algolia: the record as minified JSON; 10 KB on most plans, up to 100 KB on others
  (ALGOLIA_MAX_RECORD_BYTES).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sync.targets.base import json_size

FIRESTORE_MAX_DOCUMENT_BYTES = 1_048_576
ALGOLIA_DEFAULT_MAX_RECORD_BYTES = 10_000
ALGOLIA_MAX_RECORD_BYTES = 100_000


def _string_size(text: str) -> int:
    return len(text.encode()) + 1


def firestore_value_size(value: Any) -> int:
    if value is None or isinstance(value, bool):
        return 1
    if isinstance(value, int | float | dt.datetime):
        return 8
    if isinstance(value, str):
        return _string_size(value)
    if isinstance(value, bytes):
        return len(value)
    if isinstance(value, Mapping):
        return sum(_string_size(str(k)) + firestore_value_size(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return sum(firestore_value_size(v) for v in value)
    return _string_size(str(value))


def firestore_document_size(collection: str, doc_id: str, doc: Mapping[str, Any]) -> int:
    """`collection` may be a path ("users/jeff/tasks"): each of its segments counts."""
    name = sum(_string_size(segment) for segment in [*collection.split("/"), doc_id]) + 16
    return name + firestore_value_size(doc) + 32


def firestore_problem(collection: str, doc_id: str, doc: Mapping[str, Any]) -> str | None:
    size = firestore_document_size(collection, doc_id, doc)
    if size > FIRESTORE_MAX_DOCUMENT_BYTES:
        return (
            f"too big for Firestore: {size:,} bytes, over its limit of "
            f"{FIRESTORE_MAX_DOCUMENT_BYTES:,} bytes per document"
        )
    return None


def algolia_problem(record: Mapping[str, Any], *, max_bytes: int) -> str | None:
    size = json_size(record)
    if size > max_bytes:
        return f"too big for Algolia: {size:,} bytes as JSON, over the record limit of {max_bytes:,} bytes"
    return None
