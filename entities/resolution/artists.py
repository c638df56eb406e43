"""Artist resolution with context: which mentions of acts in listings are one act.

A mention is what a listing says: the billed name, the show's city, the genres it gives, links
(Spotify, Bandcamp, Instagram, MusicBrainz, SoundCloud, a website...) and the other acts on the
bill. ``PreparedArtist`` normalises it once; ``score_artist_pair`` weighs a pair with an
explanation; ``resolve_artists`` blocks, scores and clusters a whole list (``manage.py
dedupe_artists`` and the pipeline's artist duplicate pass use it).

The evidence, in bits (log-odds), set by hand on the development hard set and documented here:

- **Links decide both ways.** The same id of one scheme (a Spotify artist, a Bandcamp page, a
  MusicBrainz id...) is the same act whatever the names say ("X Trio" billed with X's own links is
  X); two different ids of one scheme, and no shared one, are two acts ("Solar Lanterns" of Porto
  and of Leeds). A shared website host counts less: agencies and labels host several acts.
- **Names.** Mentions are compared on a name key without billing notes ("(live)", "(DJ set)",
  "[US]", "(album release)", "- tickets", "feat. ..."), a trailing ", The", a leading article, case,
  accents and "&"/"and"; a typo ("Cardxmom") is close. Another name is another act unless links
  join them: so a tribute act, "X Trio", "X & His Orchestra" and "DJ X" stay apart from X.
- **Context.** Genres in common (spelled alike once normalised: "Hip-Hop", "hiphop" and "Rap/Hip-
  Hop" are one) or none in common, acts billed together again (a tour package), the same city or
  country or another continent's: each moves the odds a little, so that one name shared by two
  acts with other scenes, bills and home cities (homonyms) splits, while an act on tour stays one.
- **Name rarity.** A name many mentions share with conflicting links is a common name (homonyms
  exist): its same-name evidence is weaker (``name_counts``).

Clusters join only when the average evidence between them is positive (``clustering``), so one
mention with links never drags two acts together. Links are read by ``entities.resolution.links``
(the classifier the pipeline's external IDs use): an ID of a scheme exact enough to resolve an act on
its own (``RESOLVING_SCHEMES``) is also one per act, so two of one scheme are two acts. Pure: no Django.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final, NamedTuple

from rapidfuzz.distance import Indel

from entities.resolution.clustering import cluster_ids, cluster_scored
from entities.resolution.links import RESOLVING_SCHEMES, artist_links
from entities.resolution.model import FieldComparison, Level, MatchScore, bits_to_probability
from entities.resolution.normalize import normalize_city_key, normalize_name, repair_mojibake
from entities.resolution.places import city_country

# --- names ---------------------------------------------------------------------------------------

_FEAT: Final = re.compile(
    r"^(.*?\S)\s*[(\[]?\s*\b(?:feat\.?|ft\.?|featuring|w/|with)\s+\S.*$", re.IGNORECASE | re.DOTALL
)
_TRAILING_NOTE: Final = re.compile(r"\s*[(\[]([^()\[\]]*)[)\]]\s*$")
_DASH_NOTE: Final = re.compile(r"\s+(?:[-–—:|+])\s*([^-–—:|+]*)$")
# What a listing adds about the show, not the act, in the languages of the listings.
_SHOW_NOTE: Final = re.compile(
    r"^(?:live|live set|live im club|live in concert|acoustic|unplugged|dj set|dj|solo|solo set|"
    r"full band|in concert|en concierto|en concert|en vivo|ao vivo|dal vivo|in der .*|"
    r"(?:album|record|ep|single) release(?: show| party)?|release show|.*\btour\b.*|tickets?|"
    r"early show|late show|matinee|all ages|sold out|ausverkauft|complet|agotado|esgotado|"
    r"cancelled|canceled|postponed|rescheduled|night (?:one|two|three|1|2|3)|(?:an )?evening with.*|"
    r"special guests?|and special guests?|\d{2}\s*(?:and over|and up|plus)?|"
    r"[a-z]{2,3}|usa|uk)$"
)
# Two- and three-letter notes ("(UK)", "[US]", "(IRL)") are country tags: only when upper case.
_COUNTRY_TAG: Final = re.compile(r"^[A-Z]{2,3}$")
_THE_AT_END: Final = re.compile(r"^(.*\S),\s*(the|le|la|les|el|los|las|die|der|das|de|het)$", re.IGNORECASE)
_DJ_SET_TAIL: Final = re.compile(r"\s+(?:dj[ -]?set|live)$", re.IGNORECASE)


def _is_note(text: str) -> bool:
    stripped = text.strip()
    if not stripped:
        return True
    if len(stripped) <= 3 and stripped.isalpha():
        return bool(_COUNTRY_TAG.match(stripped))  # "(UK)" is a tag; "(2)" and "(Ed)" are names
    folded = " ".join(normalize_name(stripped).replace("+", " plus ").split())
    return bool(_SHOW_NOTE.match(folded)) or stripped.endswith("+")


def artist_name_key(name: str) -> str:
    """The key artist mentions are compared on: ``artist_name_words`` without the spaces."""
    return artist_name_words(name).replace(" ", "") or "".join(name.casefold().split())


@lru_cache(maxsize=262144)
def artist_name_words(name: str) -> str:
    """The billed name as compared: without feat. credits, billing notes in brackets or after a dash
    or colon ("(live)", "[US]", "- Tickets", ": Live in Concert", "+ special guests"), ", The", a
    leading "the", with case, accents and "&"/"and" normalised (``normalize.normalize_name``)."""
    text = repair_mojibake(name) if not name.isascii() else name
    text = text.strip()
    for _ in range(4):
        before = text
        if found := _FEAT.match(text):
            text = found.group(1)
        if (found := _TRAILING_NOTE.search(text)) and _is_note(found.group(1)) and found.start() > 0:
            text = text[: found.start()].rstrip()
        if (found := _DASH_NOTE.search(text)) and _is_note(found.group(1)) and found.start() > 0:
            text = text[: found.start()].rstrip()
        if found := _DJ_SET_TAIL.search(text):
            if found.start() > 0:
                text = text[: found.start()].rstrip()
        if text == before:
            break
    if found := _THE_AT_END.match(text):
        text = f"{found.group(2)} {found.group(1)}"
    return normalize_name(text)


# --- genres --------------------------------------------------------------------------------------

# Genre spellings of one genre ("Hip-Hop", "Rap/Hip-Hop", "R'n'B", "Drum & Bass", "Cantautor").
_GENRE_SYNONYMS: Final[Mapping[str, str]] = {
    "raphiphop": "hiphop", "hiphoprap": "hiphop", "rap": "hiphop",
    "randb": "rnb", "rhythmandblues": "rnb", "rb": "rnb",
    "drumandbass": "dnb", "drumnbass": "dnb",
    "singersongwriter": "singersongwriter", "cantautor": "singersongwriter", "cantautore": "singersongwriter",
    "liedermacher": "singersongwriter", "autorcompositor": "singersongwriter",
    "electronica": "electronic", "elektronisch": "electronic", "electro": "electronic", "elektronik": "electronic",
    "psychedelicrock": "psychrock", "psych": "psychrock",
    "fusion": "jazzfusion",
    "kammermusik": "chambermusic", "musiquedechambre": "chambermusic", "musicadecamara": "chambermusic",
    "musicapopularbrasileira": "mpb",
    "chansonfrancaise": "chanson", "frenchchanson": "chanson",
    "heavymetal": "metal",
    "latino": "latin", "musicalatina": "latin",
    "indie": "indierock",
    "synthpop": "synthpop", "postpunk": "postpunk", "afrobeat": "afrobeat",
}  # fmt: skip


@lru_cache(maxsize=65536)
def genre_key(genre: str) -> str:
    """One key per genre however it is spelled: case, accents, spaces, "&"/"and", hyphens, "'n'"."""
    text = unicodedata.normalize("NFKD", genre.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("&", "and").replace("'n'", "n").replace(" n ", "n")
    key = "".join(ch for ch in text if ch.isalnum())
    return _GENRE_SYNONYMS.get(key, key)


# --- mentions ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArtistRecord:
    """An artist mention as a listing gives it; only id and name are required."""

    id: str
    name: str
    city: str | None = None
    genres: Sequence[str] = ()
    urls: Sequence[str] = ()
    co_billed: Sequence[str] = ()
    # IDs already typed by ``links`` (a canonical artist's external IDs): compared like its links.
    ids: Sequence[tuple[str, str]] = ()

    def prepare(self) -> PreparedArtist:
        return PreparedArtist.from_record(self)


class PreparedArtist(NamedTuple):
    id: str
    name: str
    key: str
    words: frozenset[str]
    city: str | None
    country: str | None
    genres: frozenset[str]
    links: frozenset[tuple[str, str]]
    co_billed: frozenset[str]

    @classmethod
    def from_record(cls, r: ArtistRecord) -> PreparedArtist:
        words = artist_name_words(r.name)
        key = words.replace(" ", "") or "".join(r.name.casefold().split())
        city = normalize_city_key(r.city) or None if r.city else None
        return cls(
            r.id,
            r.name,
            key,
            frozenset(words.split()),
            city,
            city_country(city),
            frozenset(g for g in map(genre_key, r.genres) if g),
            artist_links(r.urls) | frozenset(r.ids),
            frozenset(k for k in map(artist_name_key, r.co_billed) if k) - {key},
        )


# --- weights -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArtistWeights:
    """Bits per piece of evidence (see the module docstring); the defaults are the hand table."""

    same_name: float = 3.0  # the same name key, before context
    close_name: float = 1.5  # the same name with a typo
    other_name: float = -14.0  # another name: only links join it
    shared_link: float = 30.0
    conflicting_link: float = -30.0
    shared_website: float = 6.0
    other_website: float = -2.0
    genres_shared: float = 1.5
    genres_disjoint: float = -3.5
    co_billed_shared: float = 4.0
    same_city: float = 2.5
    same_country: float = 0.0
    other_country: float = -2.0
    # Per mention of the name beyond what one act of this table typically has, a bit less trust in
    # the name alone (many mentions of one name with conflicting links: homonyms exist).
    common_name: float = -1.0
    prior: float = 0.0

    def to_json(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in self.__slots__}


HAND_WEIGHTS: Final = ArtistWeights()
# Names at least this alike (Indel ratio of their keys), and this long, are one name with a typo.
CLOSE_NAME_RATIO: Final = 0.88
CLOSE_NAME_MIN_LENGTH: Final = 6


def name_level(a: PreparedArtist, b: PreparedArtist) -> tuple[str, float]:
    if a.key == b.key:
        return "exact", 1.0
    ratio = Indel.normalized_similarity(a.key, b.key)
    # A typo changes letters, not words: "Tribute" and "Tribute Band" are two names.
    if (
        min(len(a.key), len(b.key)) >= CLOSE_NAME_MIN_LENGTH
        and ratio >= CLOSE_NAME_RATIO
        and len(a.words) == len(b.words)
    ):
        return "close", ratio
    return "different", ratio


def link_level(a: PreparedArtist, b: PreparedArtist) -> tuple[str, str | None, str | None]:
    """ "exact" (an id of one exclusive scheme shared), "conflict" (an exclusive scheme on both sides,
    ids disjoint, none shared), "website"/"other_website" (hosts), else "missing"; with the values."""
    if not a.links or not b.links:
        return "missing", None, None
    shared = a.links & b.links
    exclusive_shared = {link for link in shared if link[0] in RESOLVING_SCHEMES}
    show_a = ",".join(sorted(f"{s}:{v}" for s, v in a.links))
    show_b = ",".join(sorted(f"{s}:{v}" for s, v in b.links))
    if exclusive_shared:
        return "exact", show_a, show_b
    schemes_a = {s for s, _ in a.links if s in RESOLVING_SCHEMES}
    schemes_b = {s for s, _ in b.links if s in RESOLVING_SCHEMES}
    if schemes_a & schemes_b:
        return "conflict", show_a, show_b
    # A website is keyed by host and path ("band.com/tour"): one act's pages share the host.
    sites_a = {v.split("/", 1)[0] for s, v in a.links if s == "website"}
    sites_b = {v.split("/", 1)[0] for s, v in b.links if s == "website"}
    if sites_a and sites_b:
        return ("website" if sites_a & sites_b else "other_website"), show_a, show_b
    return "missing", show_a, show_b


def score_artist_pair(
    a: PreparedArtist,
    b: PreparedArtist,
    weights: ArtistWeights = HAND_WEIGHTS,
    *,
    name_mentions: Mapping[str, float] | None = None,
) -> MatchScore:
    """The evidence that two mentions are one act, field by field (weights sum to ``weight``).

    ``name_mentions``: per name key, how far its count of mentions exceeds the table's typical act
    (``name_counts``), for the common-name row."""
    rows: list[FieldComparison] = []
    link, la, lb = link_level(a, b)
    link_weight = {
        "exact": weights.shared_link,
        "conflict": weights.conflicting_link,
        "website": weights.shared_website,
        "other_website": weights.other_website,
    }.get(link, 0.0)
    rows.append(FieldComparison("links", la, lb, _level(link), 1.0 if link == "exact" else 0.0, link_weight))
    level, ratio = name_level(a, b)
    name_weight = {"exact": weights.same_name, "close": weights.close_name}.get(level, weights.other_name)
    rows.append(FieldComparison("name", a.key, b.key, _level(level), ratio, name_weight))
    if level != "different" and name_mentions:
        excess = max(name_mentions.get(a.key, 0.0), name_mentions.get(b.key, 0.0))
        if excess > 0:
            rows.append(
                FieldComparison(
                    "name_frequency", a.key, b.key, "adjustment", 0.0, weights.common_name * excess
                )
            )
    if a.genres and b.genres:
        shared = len(a.genres & b.genres)
        rows.append(
            FieldComparison(
                "genres",
                ",".join(sorted(a.genres)),
                ",".join(sorted(b.genres)),
                "exact" if shared else "different",
                shared / len(a.genres | b.genres),
                weights.genres_shared if shared else weights.genres_disjoint,
            )
        )
    if a.co_billed & b.co_billed:
        together = sorted(a.co_billed & b.co_billed)
        rows.append(
            FieldComparison(
                "co_billed", ",".join(together), ",".join(together), "exact", 1.0, weights.co_billed_shared
            )
        )
    if a.city and b.city:
        if a.city == b.city:
            rows.append(FieldComparison("city", a.city, b.city, "exact", 1.0, weights.same_city))
        elif a.country and b.country:
            same = a.country == b.country
            rows.append(
                FieldComparison(
                    "country",
                    a.country,
                    b.country,
                    "exact" if same else "different",
                    1.0 if same else 0.0,
                    weights.same_country if same else weights.other_country,
                )
            )
    weight = sum(r.weight for r in rows)
    return MatchScore(
        score=bits_to_probability(weights.prior + weight), weight=weight, explanation=tuple(rows)
    )


_LEVELS: Final[Mapping[str, Level]] = {
    "exact": "exact", "close": "close", "different": "different", "conflict": "conflict",
    "missing": "missing", "website": "similar", "other_website": "different",
}  # fmt: skip


def _level(text: str) -> Level:
    return _LEVELS.get(text, "different")


def artist_pair_bits(
    a: PreparedArtist,
    b: PreparedArtist,
    weights: ArtistWeights = HAND_WEIGHTS,
    name_mentions: Mapping[str, float] | None = None,
) -> float:
    return weights.prior + score_artist_pair(a, b, weights, name_mentions=name_mentions).weight


# --- blocking and clustering ---------------------------------------------------------------------

# Blocks larger than this are skipped (a word every third act has says nothing).
MAX_BLOCK: Final = 60


def candidate_pairs(artists: Sequence[PreparedArtist]) -> list[tuple[int, int]]:
    """Pairs sharing a name key, a link, or a name word that few mentions have (typos)."""
    blocks: dict[object, list[int]] = {}
    for i, a in enumerate(artists):
        keys: list[object] = [("k", a.key), *(("l", link) for link in a.links)]
        keys += [("w", w) for w in a.words if len(w) >= 4]
        keys.append(("p", a.key[:5]))
        for key in keys:
            blocks.setdefault(key, []).append(i)
    pairs: set[tuple[int, int]] = set()
    for key, members in blocks.items():
        kind = key[0]  # type: ignore[index]
        if len(members) < 2 or (kind in ("w", "p") and len(members) > MAX_BLOCK):
            continue
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                pairs.add((i, j) if i < j else (j, i))
    return sorted(pairs)


def name_counts(artists: Sequence[PreparedArtist]) -> dict[str, float]:
    """Per name key, how many mentions beyond a typical act's it has, counted where two of its
    mentions carry conflicting links (evidence of two acts of one name); 0 elsewhere."""
    by_key: dict[str, list[PreparedArtist]] = {}
    for a in artists:
        by_key.setdefault(a.key, []).append(a)
    sizes = [len(v) for v in by_key.values()]
    typical = sorted(sizes)[len(sizes) // 2] if sizes else 1
    out: dict[str, float] = {}
    for key, mentions in by_key.items():
        ids: dict[str, set[str]] = {}
        for m in mentions:
            for scheme, value in m.links:
                if scheme in RESOLVING_SCHEMES:
                    ids.setdefault(scheme, set()).add(value)
        acts = max((len(v) for v in ids.values()), default=1)
        if acts > 1:
            out[key] = math.log2(acts) * 2 + max(0.0, math.log2(len(mentions) / max(typical, 1)))
    return out


@dataclass
class ArtistResolution:
    """A cluster id (the smallest id in the cluster) for every mention, and how it was reached."""

    artists: list[PreparedArtist]
    cluster_of: dict[str, str]
    weights: ArtistWeights
    name_mentions: dict[str, float] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)

    def explain(self, a_id: str, b_id: str) -> MatchScore:
        by_id = {a.id: a for a in self.artists}
        return score_artist_pair(by_id[a_id], by_id[b_id], self.weights, name_mentions=self.name_mentions)


def resolve_artists(
    records: Iterable[ArtistRecord | PreparedArtist],
    *,
    weights: ArtistWeights = HAND_WEIGHTS,
    threshold: float = 0.5,
) -> ArtistResolution:
    """Cluster artist mentions: pairs at or above ``threshold`` (probability) are linked, and linked
    groups join only when the average evidence between them clears it too."""
    artists = [r.prepare() if isinstance(r, ArtistRecord) else r for r in records]
    seen: set[str] = set()
    for a in artists:
        if not a.id:
            raise ValueError("an artist mention without an id")
        if a.id in seen:
            raise ValueError(f"duplicate artist id {a.id!r}")
        seen.add(a.id)
    counts = name_counts(artists)
    at_least = math.log2(threshold / (1 - threshold))
    pairs = candidate_pairs(artists)
    edges = []
    for i, j in pairs:
        bits = artist_pair_bits(artists[i], artists[j], weights, counts)
        if bits >= at_least:
            edges.append((i, j, bits))
    roots = cluster_scored(
        len(artists),
        edges,
        threshold_bits=at_least,
        link_bits=lambda i, j: artist_pair_bits(artists[i], artists[j], weights, counts),
        max_pairs_checked=4096,
    )
    ids = [a.id for a in artists]
    clusters = cluster_ids(ids, roots)
    return ArtistResolution(
        artists,
        clusters,
        weights,
        counts,
        {
            "mentions": len(artists),
            "pairs_compared": len(pairs),
            "pairs_linked": len(edges),
            "acts": len(set(clusters.values())),
        },
    )


def split_list(text: str | None) -> list[str]:
    """A "|"-separated CSV cell as a list (empty items dropped)."""
    return [part.strip() for part in (text or "").split("|") if part.strip()]


def records_from_rows(rows: Iterable[Mapping[str, str | None]]) -> list[ArtistRecord]:
    """ArtistRecords from CSV rows: id,name,city,genres,urls,co_billed (lists separated by "|")."""
    out = []
    for row in rows:
        out.append(
            ArtistRecord(
                id=(row.get("id") or "").strip(),
                name=row.get("name") or "",
                city=(row.get("city") or "").strip() or None,
                genres=split_list(row.get("genres")),
                urls=split_list(row.get("urls")),
                co_billed=split_list(row.get("co_billed")),
            )
        )
    return out
