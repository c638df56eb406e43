"""The pure cores (resolution, merging) import no Django: they are tested and benchmarked without it."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PURE_PACKAGES = ("entities/resolution", "entities/merging")


def pure_modules():
    """Every module of the pure packages, found on disk so that a new module is covered too."""
    return sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for package in PURE_PACKAGES
        for path in (ROOT / package).glob("*.py")
    )


def test_the_pure_packages_are_found():
    # when
    modules = pure_modules()

    # then
    assert {
        "entities.resolution.scoring",
        "entities.resolution.batch",
        "entities.merging.survivorship",
    } <= set(modules)


def test_pure_cores_do_not_import_django():
    # given: each module imported in turn, in one fresh interpreter; the first to bring Django in is named
    code = (
        "import importlib, sys\n"
        f"for name in {pure_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "    if 'django' in sys.modules:\n"
        "        print(name)\n"
        "        break\n"
    )

    # when
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)

    # then
    assert proc.stdout.strip() == ""
