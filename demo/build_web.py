"""Rebuild (or check) the copied part of ``demo/web`` from ``../shared/fixtures/web``.

The demo web tree is committed to the repository (a fresh clone has no ``../shared``); this script
only documents, reproducibly, where every copied file comes from, and lets a maintainer verify that
the copies are still byte-identical to the fixtures they were made from:

    .venv/bin/python -m demo.build_web --check      # verify (exit 1 on any difference)
    .venv/bin/python -m demo.build_web              # (re)write the copies

Hand-written files (``seattle-shows/``, ``private/``, ``robots.txt``) are not touched.
Standard library only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent
WEB_ROOT = DEMO_DIR / "web"
DEFAULT_FIXTURES = DEMO_DIR.parent.parent / "shared" / "fixtures" / "web"

# demo/web path -> fixture path (relative to fixtures/web). Page bytes are copied unchanged.
PAGE_COPIES: dict[str, str] = {
    "cannonball-arts/events/index.html": "calendar-ripper/cannonball_arts__sample-data.html",
    "fremont-abbey/events/index.html": "calendar-ripper/fremont_abbey__sample-data.html",
    "hidden-hall/events/index.html": "calendar-ripper/hidden_hall__sample-data.html",
    "royal-room/events/index.html": "calendar-ripper/royal_room__sample-event.html",
    "dogwood-play-park/events/index.html": "calendar-ripper/dogwoodplaypark__dogwood-2025-04-07.html",
    "songkick/artists/236156-elysian-fields/index.html": "extruct/songkick__elysianfields.html",
    "songkick/concerts/30166884-tove-styrke-at-hoxton-square-bar-and-kitchen/index.html": (
        "extruct/songkick__tovestyrke.html"
    ),
    "songkick/concerts/25248299-elysian-fields-at-owl-music-parlor/index.html": (
        "extruct/songkick__Elysian_Fields_Brooklyn_Tickets_The_Owl_Music_Parlor_31_Oct_2015.html"
    ),
    "dice/sunset-tavern/events.json": "calendar-ripper/sunset_tavern__sample-data.json",
}

# Bandsintown API v3 "artist events" responses, split per artist out of the festival-fanatic dump
# (a JSON object {artist name: [event, ...]}). Each event object is kept unchanged.
BANDSINTOWN_SOURCE = "festival-fanatic/mock-bandintown-festival-data.json"
BANDSINTOWN_ARTISTS: tuple[str, ...] = (
    "ODESZA",  # Seattle act, 36 events, multi-artist lineups
    "San Holo",  # lineups with several artists
    "A R I Z O N A",  # spaces in the name: URL-encoding case
    "Ekali",  # small, single-artist lineups
    "Grimes",  # 2 events
    "Elephante",  # no upcoming events: an empty list
)


def bandsintown_path(artist: str) -> str:
    """Path (inside demo/web, on disk) of one artist's events file; the URL is its percent-encoding."""
    return f"bandsintown/artists/{artist}/events.json"


def bandsintown_bytes(events: list[dict[str, object]]) -> bytes:
    return (json.dumps(events, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def plan(fixtures: Path) -> dict[str, bytes]:
    """Every copied file of the demo tree and its expected bytes."""
    out = {dest: (fixtures / src).read_bytes() for dest, src in PAGE_COPIES.items()}
    dump = json.loads((fixtures / BANDSINTOWN_SOURCE).read_text(encoding="utf-8"))
    for artist in BANDSINTOWN_ARTISTS:
        out[bandsintown_path(artist)] = bandsintown_bytes(dump[artist])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES, help="the shared fixtures/web dir")
    parser.add_argument("--check", action="store_true", help="only verify the committed copies")
    args = parser.parse_args(argv)
    if not args.fixtures.is_dir():
        print(f"fixtures not found: {args.fixtures}", file=sys.stderr)
        return 2
    bad = 0
    for rel, data in plan(args.fixtures).items():
        dest = WEB_ROOT / rel
        if args.check:
            if not dest.is_file() or dest.read_bytes() != data:
                print(f"DIFFERS: {rel}")
                bad += 1
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
        print(f"wrote {rel} ({len(data)} bytes)")
    if args.check:
        print("all copies match their fixtures" if not bad else f"{bad} file(s) differ")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
