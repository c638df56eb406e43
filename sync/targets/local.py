"""The embedded default's stand-ins for Firestore and Algolia: JSON documents on disk.

Each write replaces a file atomically (write to a temporary name, then rename), so a killed
worker leaves either the old document or the new one, never half of one.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any


class LocalDocumentStore:
    def __init__(self, root: Path, name: str):
        self.name = name
        self.root = Path(root) / name

    def _path(self, collection: str, doc_id: str) -> Path:
        return self.root / collection / f"{doc_id}.json"

    def upsert(self, collection: str, docs: Iterable[tuple[str, dict[str, Any]]]) -> int:
        folder = self.root / collection
        folder.mkdir(parents=True, exist_ok=True)
        written = 0
        for doc_id, doc in docs:
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(doc, handle, ensure_ascii=False, indent=1, sort_keys=True, default=str)
            os.replace(tmp, self._path(collection, doc_id))
            written += 1
        return written

    def delete(self, collection: str, doc_ids: Iterable[str]) -> int:
        deleted = 0
        for doc_id in doc_ids:
            try:
                self._path(collection, doc_id).unlink()
                deleted += 1
            except FileNotFoundError:
                pass
        return deleted

    def get(self, collection: str, doc_id: str) -> dict[str, Any] | None:
        try:
            doc: dict[str, Any] = json.loads(self._path(collection, doc_id).read_text(encoding="utf-8"))
            return doc
        except FileNotFoundError:
            return None

    def count(self, collection: str) -> int:
        folder = self.root / collection
        return sum(1 for _ in folder.glob("*.json")) if folder.exists() else 0
