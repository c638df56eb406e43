"""The embedded default's stand-ins for Firestore and Algolia: JSON documents on disk.

Each write replaces a file atomically (write to a temporary name, then rename), so a killed
worker leaves either the old document or the new one, never half of one. Documents are stored as
they are (no `_hash` field); `list_hashes` hashes them when reconcile asks.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sync.serializers import document_hash


class LocalDocumentStore:
    max_batch = 500

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
        return len(self._files(collection))

    def _files(self, collection: str) -> list[Path]:
        """Stored documents, leaving out temporary files a killed writer left behind."""
        folder = self.root / collection
        if not folder.exists():
            return []
        return [p for p in folder.glob("*.json") if not p.name.startswith(".")]

    def list_hashes(self, collection: str, *, deep: bool = False) -> dict[str, str | None]:
        """Stored as they are, documents are always hashed from their content (`deep` or not)."""
        hashes: dict[str, str | None] = {}
        for path in self._files(collection):
            try:
                hashes[path.stem] = document_hash(json.loads(path.read_text(encoding="utf-8")))
            except (FileNotFoundError, ValueError):  # removed meanwhile, or not ours
                hashes[path.stem] = None
        return hashes

    def close(self) -> None:
        pass
