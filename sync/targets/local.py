"""The embedded default's stand-ins for Firestore and Algolia: JSON documents on disk.

Each write replaces a file atomically (write to a temporary name, then rename), so a killed
worker leaves either the old document or the new one, never half of one. Documents are stored in their
JSON form (timestamps as RFC 3339 strings, as Firestore's REST API shows them); `list_hashes` hashes
their content. A stand-in checks the size limit of the target it stands in for, so the embedded
default rejects what the real target would.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sync.serializers import content_hash, to_json
from sync.targets.base import Document, WriteOutcome, WritesBy

Problem = Callable[[str, str, Mapping[str, Any]], str | None]


class LocalDocumentStore(WritesBy):
    max_batch = 500

    def __init__(self, root: Path, name: str, *, problem: Problem | None = None):
        self.name = name
        self.root = Path(root) / name
        self._problem = problem
        self.writes = 0  # write calls, for tests and the benchmark

    def _path(self, collection: str, doc_id: str) -> Path:
        return self.root / collection / f"{doc_id}.json"

    def write(
        self, collection: str, upserts: Sequence[tuple[str, Document]], deletes: Sequence[str]
    ) -> WriteOutcome:
        outcome = WriteOutcome()
        folder = self.root / collection
        folder.mkdir(parents=True, exist_ok=True)
        for doc_id, doc in upserts:
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(to_json(doc), handle, ensure_ascii=False, indent=1, sort_keys=True)
            os.replace(tmp, self._path(collection, doc_id))
            outcome.done.add(doc_id)
        for doc_id in deletes:
            self._path(collection, doc_id).unlink(missing_ok=True)
            outcome.done.add(doc_id)
        self.writes += 1
        return outcome

    def document_problem(self, collection: str, doc_id: str, doc: Mapping[str, Any]) -> str | None:
        return self._problem(collection, doc_id, doc) if self._problem else None

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

    def documents(self, collection: str) -> dict[str, dict[str, Any]]:
        """Every stored document by ID (for tests and people looking at the demo's output)."""
        found: dict[str, dict[str, Any]] = {}
        for path in self._files(collection):
            doc = self.get(collection, path.stem)
            if doc is not None:
                found[path.stem] = doc
        return found

    def list_hashes(self, collection: str) -> dict[str, str | None]:
        hashes: dict[str, str | None] = {}
        for path in self._files(collection):
            try:
                hashes[path.stem] = content_hash(json.loads(path.read_text(encoding="utf-8")))
            except (FileNotFoundError, ValueError):  # removed meanwhile, or not ours
                hashes[path.stem] = None
        return hashes

    def close(self) -> None:
        pass
