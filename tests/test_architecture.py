"""The layers hold: the import contracts of pyproject.toml (import-linter) are kept, and they cover every
pure core. `make lint` runs the same contracts; this keeps them in the suite that CI runs too."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def contract(contract_id: str) -> dict[str, Any]:
    return next(c for c in CONFIG["contracts"] if c["id"] == contract_id)


def test_every_import_contract_is_kept():
    # when: the venv's own lint-imports, beside this interpreter
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    # then
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "BROKEN" not in proc.stdout
    assert f"Contracts: {len(CONFIG['contracts'])} kept, 0 broken." in proc.stdout


def test_the_layers_are_the_pipelines_order_with_orchestration_on_top():
    assert contract("layers")["layers"] == [
        "mystage",
        "sync",
        "entities",
        "images | extraction",
        "sourcing",
        "core",
    ]


def test_every_pure_core_on_disk_is_under_the_no_django_contract():
    # given: the pure packages and modules the style guide names
    pure = [
        "core/env.py",
        "sourcing/urlnorm.py",
        "sourcing/fetchrules.py",
        "sourcing/fetching.py",
        "sourcing/crawler.py",
        "sourcing/robots.py",
        "sourcing/clients",
        "extraction/schemas.py",
        "extraction/router.py",
        "extraction/adapters",
        "extraction/llm",
        "images/imaging.py",
        "entities/resolution",
        "entities/merging",
        "sync/serializers.py",
    ]

    # then
    covered = set(contract("pure-cores")["source_modules"])
    for path in pure:
        assert (ROOT / path).exists(), path
        assert path.removesuffix(".py").replace("/", ".") in covered, path


def test_every_hand_off_between_stages_has_its_receiver():
    # given: Django is set up (pytest-django), so MystageConfig.ready() connected the flow
    from mystage.pipeline.flow import HANDOFFS

    # then
    assert len(HANDOFFS) == len({signal for signal, _ in HANDOFFS})
    for signal, receiver in HANDOFFS:
        assert signal.has_listeners(), receiver.__name__
