"""When a MusicBrainz search result *is* our artist: a rule strict enough that a wrong MBID is rarer
than a missing one. Pure Python (no Django).

A candidate is *exact* when MusicBrainz scored it 100 and its name (or one of its aliases) is our
artist's name once normalised (case, accents, punctuation, a leading "the"). Among the exact ones we take
one only when it is the only exact candidate *and* one of these holds, checked in this order:

1. `link`: MusicBrainz relates it to a link our sources gave for the artist (its Spotify, Bandcamp,
   Wikidata... page: looked up with `/ws/2/url`);
2. `area`: it is from the country of one of the artist's venues (its `country`, or its area when the
   area is a country), and it is the only exact candidate from there;
3. `single`: it is the only candidate MusicBrainz scored 100 at all.

Otherwise there is no match, and the reason says why ("2 exact candidates: ...; none from US").
An MBID a source already gave is not searched for: it is looked up. And before any search, the
stage asks MusicBrainz which artist each of our links belongs to: one artist of our name related to
them is the match without a search (`link` too; `entities/services/enrichment.py`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from entities.resolution.normalize import normalize_artist_name
from sourcing.clients.musicbrainz import MbArtist


@dataclass(frozen=True)
class MbMatch:
    mbid: str | None
    rule: str  # "link", "area", "single"; "" without a match
    reason: str


def _names(candidate: MbArtist) -> set[str]:
    return {normalize_artist_name(n) for n in (candidate.name, *candidate.aliases)} - {""}


def _countries(candidate: MbArtist) -> set[str]:
    return {c for c in (candidate.country, *candidate.area_countries) if c}


def _describe(candidate: MbArtist) -> str:
    where = candidate.country or candidate.area or "?"
    extra = f", {candidate.disambiguation}" if candidate.disambiguation else ""
    return f"{candidate.name} ({where}{extra}) {candidate.mbid}"


def choose_artist(
    name: str,
    candidates: Sequence[MbArtist],
    *,
    linked_mbids: Collection[str] = (),
    venue_countries: Collection[str] = (),
) -> MbMatch:
    """The candidate that is our artist by the rule above, or none with the reason."""
    key = normalize_artist_name(name)
    if not key:
        return MbMatch(None, "", "the artist has no usable name")
    top = [c for c in candidates if c.score >= 100]
    exact = [c for c in top if key in _names(c)]
    if not exact:
        best = f"; best: {_describe(candidates[0])} scored {candidates[0].score}" if candidates else ""
        return MbMatch(None, "", f"no candidate named {name!r} scored 100{best}")
    linked = [c for c in exact if c.mbid in linked_mbids]
    if len(linked) == 1:
        return MbMatch(
            linked[0].mbid, "link", f"related in MusicBrainz to a link of the artist: {_describe(linked[0])}"
        )
    countries = {c.upper() for c in venue_countries if c}
    local = [c for c in exact if _countries(c) & countries]
    if len(local) == 1:
        return MbMatch(
            local[0].mbid,
            "area",
            f"the only exact candidate from {', '.join(sorted(countries))}: {_describe(local[0])}",
        )
    if len(exact) == 1 and len(top) == 1:
        return MbMatch(exact[0].mbid, "single", f"the only candidate scored 100: {_describe(exact[0])}")
    listed = "; ".join(_describe(c) for c in exact[:5])
    where = f"; {len(local)} from {', '.join(sorted(countries))}" if countries else ""
    return MbMatch(None, "", f"{len(exact)} exact candidates of {len(top)} scored 100: {listed}{where}")
