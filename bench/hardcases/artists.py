"""Artist hard cases: mentions of acts in listings, seeded, with the truth of every mention.

``generate_artists(n, seed)`` makes about ``n`` acts with home scenes in real cities, genres and
links (Spotify, Bandcamp, Instagram, MusicBrainz, SoundCloud, a website), and writes the mentions a
season of listings would have: ``id,name,city,genres,urls,co_billed`` (lists separated by ``|``, any
of them may be empty; ``city`` is where the show is). Every act is generated for one case family
(``ARTIST_FAMILIES``). The rule the truth follows: one act is one entity; tribute acts, "X Trio" and
"DJ X" are other acts than X, except the mentions whose links are X's own (then they are X, billed
another way); "X (DJ set)" is X.

    .venv/bin/python -m bench.hardcases.artists --n 1500 --seed 7 --out /tmp/artists.csv

writes the mentions and ``/tmp/artists.truth.csv`` (id,entity_id,family).
"""

from __future__ import annotations

import argparse
import csv
import random
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.hardcases import noise, vocab
from bench.hardcases.places import CITIES, City, city_weights, render_city

COLUMNS = ("id", "name", "city", "genres", "urls", "co_billed")
TRUTH_COLUMNS = ("id", "entity_id", "family")

ARTIST_FAMILIES: dict[str, str] = {
    "plain": "an ordinary act, 1-4 mentions with everyday differences, links sometimes",
    "variants": "one act written many ways: the, & / and, case, accents, billing notes ('(live)', '(DJ set)', '[US]', '(album release)', '- tickets'), feat. credits, typos",
    "homonym": "one name, 2-3 acts with other home scenes, genres, links (conflicting ones of one kind) and bills",
    "touring": "an act seen in many cities with no links, often on a tour package billed together at every stop",
    "tribute": "an act and 1-3 tribute acts to it ('X Tribute', 'The X Experience', 'Tributo a X'): other acts",
    "leader": "a leader's own name and the leader's group ('X Trio', 'X & His Orchestra'): other acts unless the links are the leader's",
    "dj": "an act and 'DJ X': other acts unless the links are X's; 'X (DJ set)' is X itself",
}
_FAMILY_SHARE = {
    "plain": 30,
    "variants": 14,
    "homonym": 14,
    "touring": 12,
    "tribute": 10,
    "leader": 10,
    "dj": 10,
}
_GROUP_SIZE = {"homonym": 2.4, "touring": 2.0, "tribute": 3.0, "leader": 2.0, "dj": 2.0}

# --- genres ---------------------------------------------------------------------------------------

# Scenes: genres that go together; an act draws its genres from one scene.
SCENES: dict[str, tuple[str, ...]] = {
    "rock": ("indie rock", "post-punk", "garage rock", "psych rock", "shoegaze", "noise rock"),
    "electronic": ("techno", "house", "electronic", "ambient", "drum and bass", "minimal"),
    "hiphop": ("hip hop", "r&b", "trap", "soul", "neo soul"),
    "jazz": ("jazz", "bebop", "jazz fusion", "swing", "free jazz", "latin jazz"),
    "folk": ("folk", "americana", "singer-songwriter", "country", "bluegrass"),
    "latin": ("cumbia", "salsa", "reggaeton", "flamenco", "tango", "latin"),
    "world": ("fado", "chanson", "mpb", "samba", "bossa nova", "afrobeat"),
    "heavy": ("metal", "doom", "black metal", "hardcore", "punk", "stoner rock"),
    "pop": ("pop", "synth-pop", "dream pop", "indie pop", "electropop"),
    "classical": ("classical", "contemporary classical", "chamber music", "early music"),
}
# How sources spell a genre (the first spelling is the plain one).
GENRE_SPELLINGS: dict[str, tuple[str, ...]] = {
    "hip hop": ("hip hop", "Hip-Hop", "Hip Hop", "hiphop", "Rap/Hip-Hop"),
    "r&b": ("R&B", "RnB", "R'n'B", "rhythm and blues"),
    "drum and bass": ("drum and bass", "Drum & Bass", "DnB", "drum n bass"),
    "post-punk": ("post-punk", "Post-Punk", "post punk", "postpunk"),
    "singer-songwriter": (
        "singer-songwriter",
        "Singer/Songwriter",
        "Cantautor",
        "Liedermacher",
        "cantautore",
    ),
    "electronic": ("electronic", "Electronic", "electronica", "Elektronisch", "électro"),
    "synth-pop": ("synth-pop", "Synthpop", "synth pop"),
    "indie rock": ("indie rock", "Indie Rock", "Indie", "indie-rock"),
    "psych rock": ("psych rock", "Psychedelic Rock", "psych"),
    "jazz fusion": ("jazz fusion", "Fusion", "Jazz-Fusion"),
    "chamber music": ("chamber music", "Kammermusik", "musique de chambre"),
    "mpb": ("MPB", "mpb", "Música Popular Brasileira"),
    "chanson": ("chanson", "Chanson française", "French chanson"),
    "metal": ("metal", "Metal", "Heavy Metal"),
    "latin": ("latin", "Latin", "Latino", "Música latina"),
    "afrobeat": ("afrobeat", "Afrobeat", "Afro-Beat"),
}

# --- names ----------------------------------------------------------------------------------------

_BAND_NOUNS = vocab.EN_NOUN + tuple(w.lower() for w in vocab.RARE_WORDS[:60])
_GROUP_SUFFIXES: dict[str, tuple[str, ...]] = {
    "en": ("Trio", "Quartet", "Quintet", "Sextet", "Band", "Big Band", "Ensemble", "Orchestra", "& His Orchestra", "& Her Band", "Group", "Octet"),
    "fr": ("Trio", "Quartet", "Quintet", "Orchestra", "et son orchestre", "Band"),
    "es": ("Trío", "Cuarteto", "Quinteto", "y su Orquesta", "Band", "Combo"),
    "ca": ("Trio", "Quartet", "Band", "i la seva orquestra"),
    "de": ("Trio", "Quartett", "Quintett", "Band", "Ensemble", "Bigband", "Orchester"),
    "it": ("Trio", "Quartetto", "Quintetto", "Band", "Ensemble", "Orchestra"),
    "pt": ("Trio", "Quarteto", "Quinteto", "Banda", "Conjunto", "Orquestra"),
    "nl": ("Trio", "Kwartet", "Kwintet", "Band", "Ensemble", "Orkest"),
}  # fmt: skip
_TRIBUTE_FORMS: dict[str, tuple[str, ...]] = {
    "en": ("{x} Tribute", "The {x} Experience", "A Tribute to {x}", "{x} Tribute Band", "Bootleg {x}", "{x} Revival", "The Ultimate {x}", "{alias} ({x} tribute)", "{alias} - {x} Tribute", "{x} Tribute Show", "Forever {x}"),
    "fr": ("Hommage à {x}", "{x} Tribute", "{alias} (tribute {x})", "{x} Revival"),
    "es": ("Tributo a {x}", "{x} Tributo", "{alias} (tributo a {x})", "{x} Tribute"),
    "ca": ("Tribut a {x}", "{x} Tribute", "{alias} (tribut a {x})"),
    "de": ("{x} Tribute", "{x} Coverband", "{alias} - {x} Tribute", "Tribute to {x}"),
    "it": ("Tributo a {x}", "{x} Tribute Band", "{alias} (tributo {x})"),
    "pt": ("Tributo a {x}", "Tributo ao {x}", "{x} Cover", "{alias} (tributo {x})"),
    "nl": ("{x} Tribute", "Tribute to {x}", "{alias} ({x} tribute)", "{x} Coverband"),
}  # fmt: skip
_SHOW_NOTES = (
    " (live)", " (Live)", " (DJ set)", " (DJ Set)", " (album release)", " (Album Release Show)", " - tickets",
    " – Tickets", " (acoustic)", " (solo)", " (SOLD OUT)", " (18+)", " + special guests", ": Live in Concert",
    " (Record Release)", " - EU Tour 2026", " (Night 2)", " (full band)", " (en concierto)", " (en concert)",
    " (live im Club)", " (ao vivo)", " (dal vivo)", " (early show)", " (matinee)", " (postponed)",
)  # fmt: skip
_COUNTRY_NOTES = {"US": ("[US]", "(US)", "(USA)"), "GB": ("(UK)", "[UK]"), "IE": ("(IRL)",), "FR": ("(FR)", "[FR]"),
                  "DE": ("(DE)", "[DE]"), "ES": ("(ES)",), "IT": ("(IT)",), "NL": ("(NL)",), "BR": ("(BR)",),
                  "CA": ("(CA)", "[CAN]"), "MX": ("(MX)",), "AR": ("(AR)",), "PT": ("(PT)",), "BE": ("(BE)",),
                  "CH": ("(CH)",), "AT": ("(AT)",)}  # fmt: skip
_FEAT = (" feat. {o}", " ft. {o}", " (feat. {o})", " featuring {o}", " w/ {o}", " with {o}", " Feat. {o}")

LINK_KINDS = ("spotify", "bandcamp", "instagram", "musicbrainz", "soundcloud", "website")
_LINK_RATE = {
    "spotify": 0.6,
    "bandcamp": 0.35,
    "instagram": 0.6,
    "musicbrainz": 0.2,
    "soundcloud": 0.25,
    "website": 0.35,
}
_B62 = string.ascii_letters + string.digits


@dataclass(slots=True)
class Act:
    id: str
    family: str
    name: str
    lang: str
    home: City
    genres: tuple[str, ...]
    links: dict[str, str]  # kind -> the act's handle/id of that kind
    mentions: int
    link_rate: float = 0.3  # chance a mention carries each of the act's links
    kind: str = "band"  # band, person, dj
    aliases: tuple[str, ...] = ()  # other billings whose mentions carry this act's links ("X Trio")
    heavy: bool = False


@dataclass(slots=True)
class Mention:
    act: Act
    name: str
    city: City
    urls: list[str]
    co_billed: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ArtistSet:
    rows: list[dict[str, str]]
    truth: list[dict[str, str]]
    acts: list[Act]
    seed: int

    def write(self, path: Path) -> Path:
        """Write the mentions to ``path`` and the truth beside it (``<stem>.truth.csv``); returns the latter."""
        _write(path, COLUMNS, self.rows)
        truth_path = path.with_name(path.stem + ".truth.csv")
        _write(truth_path, TRUTH_COLUMNS, self.truth)
        return truth_path


def _write(path: Path, columns: Sequence[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(rows)


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _plural(word: str) -> str:
    if word.endswith(("s", "x", "ch", "sh", "z")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith("f"):
        return word[:-1] + "ves"
    return word + "s"


class _Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.acts: list[Act] = []
        self.tours: list[tuple[list[Act], list[City]]] = []
        self._weights = city_weights()
        self._used: set[str] = set()

    def city(self, lang: str | None = None) -> City:
        if lang is not None and self.rng.random() < 0.5:
            return self.rng.choice([c for c in CITIES if c.lang == lang])
        return self.rng.choices(CITIES, weights=self._weights)[0]

    def genres(self, avoid: str = "") -> tuple[tuple[str, ...], str]:
        scene = self.rng.choice([s for s in SCENES if s != avoid])
        pool = list(SCENES[scene])
        self.rng.shuffle(pool)
        return tuple(pool[: self.rng.choice((1, 1, 2, 2, 3))]), scene

    def _name(self, kind: str, lang: str) -> str:
        rng, c = self.rng, self.rng.choice
        if kind == "person":
            return f"{c(vocab.FIRST[lang])} {c(vocab.SURNAMES[lang])}"
        if kind == "dj":
            r = rng.random()
            if r < 0.4:
                return _cap(c(_BAND_NOUNS))
            if r < 0.7:
                return _cap(c(vocab.EN_ADJ)) + _cap(c(vocab.EN_NOUN))
            return f"{c(('Lil', 'MC', 'Young', 'Big'))} {_cap(c(_BAND_NOUNS))}"
        r = rng.random()
        noun, adj = _cap(c(_BAND_NOUNS)), _cap(c(vocab.EN_ADJ))
        if lang == "en" or r < 0.45:
            r = rng.random()
            if r < 0.3:
                return f"The {adj} {_plural(noun)}"
            if r < 0.5:
                return f"{adj} {noun}"
            if r < 0.65:
                return f"{noun} {_cap(c(_BAND_NOUNS))}"
            if r < 0.75:
                return f"{noun} & the {_plural(_cap(c(vocab.EN_NOUN)))}"
            if r < 0.85:
                return f"{noun} of {_plural(_cap(c(vocab.EN_NOUN)))}"
            return f"{c(vocab.FIRST['en'])} & the {_plural(_cap(c(vocab.EN_NOUN)))}"
        if lang == "fr":
            n, _g = c(vocab.FR_NOUN)
            return f"Les {_cap(n)}s" if rng.random() < 0.5 else f"{_cap(n)} {_cap(c(vocab.FR_ADJ)[0])}"
        if lang in {"es", "ca"}:
            n, g = c(vocab.ES_NOUN)
            return (
                f"Los {_cap(n)}s"
                if g == "m" and rng.random() < 0.5
                else f"{_cap(n)} {_cap(c(vocab.ES_ADJ)[0 if g == 'm' else 1])}"
            )
        if lang == "de":
            return (
                c(vocab.DE_NOUN)[0] + c(vocab.DE_NOUN)[0].lower()
                if rng.random() < 0.5
                else f"Die {c(vocab.DE_NOUN)[0]}"
            )
        if lang == "it":
            n, g = c(vocab.IT_NOUN)
            return f"{_cap(n)} {_cap(c(vocab.IT_ADJ)[0 if g == 'm' else 1])}"
        if lang == "pt":
            n, g = c(vocab.PT_NOUN)
            return (
                f"Os {_cap(n)}s"
                if g == "m" and rng.random() < 0.4
                else f"{_cap(n)} {_cap(c(vocab.PT_ADJ)[0 if g == 'm' else 1])}"
            )
        n, _ = c(vocab.NL_NOUN)
        return (
            f"De {_cap(c(vocab.NL_ADJ))} {_cap(n)}"
            if rng.random() < 0.5
            else f"{_cap(c(vocab.NL_ADJ))} {_cap(n)}"
        )

    def name(self, kind: str, lang: str) -> str:
        for _ in range(300):
            name = self._name(kind, lang)
            key = noise.strip_accents(name).lower()
            if key not in self._used:
                self._used.add(key)
                return name
        raise RuntimeError("name pool exhausted")  # pragma: no cover

    def links(self, name: str, city: City, *, rate: float = 1.0) -> dict[str, str]:
        rng = self.rng
        words = ["".join(ch for ch in w if ch.isalnum()) for w in noise.strip_accents(name).lower().split()]
        words = [w for w in words if w] or ["act"]
        links: dict[str, str] = {}
        for kind in LINK_KINDS:
            if rng.random() < _LINK_RATE[kind] * rate:
                if kind == "spotify":
                    links[kind] = "".join(rng.choice(_B62) for _ in range(22))
                elif kind == "musicbrainz":
                    h = "".join(rng.choice("0123456789abcdef") for _ in range(32))
                    links[kind] = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
                else:
                    joined = "".join(words) if kind != "instagram" or rng.random() < 0.7 else "_".join(words)
                    town = "".join(ch for ch in noise.strip_accents(city.name).lower() if ch.isalnum())[:3]
                    handle = joined + rng.choice(("", "", "music", "band", "official", town))
                    links[kind] = handle + ("." + vocab.TLD[city.country] if kind == "website" else "")
        return links

    def add(
        self,
        family: str,
        name: str,
        lang: str,
        home: City,
        kind: str,
        *,
        genres: tuple[str, ...] | None = None,
        links: dict[str, str] | None = None,
        mentions: int | None = None,
        link_rate: float = 0.3,
        aliases: tuple[str, ...] = (),
        heavy: bool = False,
    ) -> Act:
        act = Act(
            id=f"A{len(self.acts) + 1:05d}",
            family=family,
            name=name,
            lang=lang,
            home=home,
            genres=genres if genres is not None else self.genres()[0],
            links=links if links is not None else self.links(name, home),
            mentions=mentions
            if mentions is not None
            else self.rng.choices((1, 2, 3, 4), weights=(25, 35, 25, 15))[0],
            link_rate=link_rate,
            kind=kind,
            aliases=aliases,
            heavy=heavy,
        )
        self.acts.append(act)
        return act

    def home(self) -> tuple[City, str]:
        city = self.city()
        return city, ("en" if city.lang != "en" and self.rng.random() < 0.35 else city.lang)

    # families
    def plain(self) -> None:
        home, lang = self.home()
        kind = self.rng.choices(("band", "person", "dj"), weights=(60, 30, 10))[0]
        self.add("plain", self.name(kind, lang), lang, home, kind)

    def variants(self) -> None:
        home, lang = self.home()
        kind = self.rng.choices(("band", "person"), weights=(65, 35))[0]
        self.add(
            "variants",
            self.name(kind, lang),
            lang,
            home,
            kind,
            mentions=self.rng.randrange(3, 7),
            heavy=True,
            link_rate=0.4,
        )

    def homonym(self) -> None:
        home, lang = self.home()
        kind = self.rng.choices(("band", "person", "dj"), weights=(55, 35, 10))[0]
        name = self.name(kind, lang)
        homes = [home]
        count = self.rng.choice((2, 2, 3))
        while len(homes) < count:
            other = self.city(home.lang if self.rng.random() < 0.4 else None)
            if other not in homes:
                homes.append(other)
        scene = ""
        for city in homes:
            # Each has its own links; where two have one kind, the two conflict.
            genres, scene = self.genres(avoid=scene)
            self.add("homonym", name, lang, city, kind, genres=genres, link_rate=0.4)

    def touring(self) -> None:
        package: list[Act] = []
        scene = self.rng.choice(list(SCENES))
        for _ in range(self.rng.choice((1, 2, 2, 3))):
            home, lang = self.home()
            kind = self.rng.choices(("band", "person", "dj"), weights=(60, 25, 15))[0]
            pool = list(SCENES[scene])
            self.rng.shuffle(pool)
            package.append(
                self.add(
                    "touring",
                    self.name(kind, lang),
                    lang,
                    home,
                    kind,
                    genres=tuple(pool[:2]),
                    link_rate=0.0,
                    mentions=0,
                )
            )
        stops = [self.city() for _ in range(self.rng.randrange(4, 10))]
        self.tours.append((package, stops))

    def tribute(self) -> None:
        home, lang = self.home()
        original = self.add(
            "tribute",
            self.name("band", lang),
            lang,
            home,
            "band",
            link_rate=0.5,
            mentions=self.rng.randrange(2, 6),
        )
        original.links = original.links or self.links(original.name, home, rate=1.5)
        for _ in range(self.rng.randrange(1, 4)):
            t_home = self.city()
            t_lang = t_home.lang if self.rng.random() < 0.7 else "en"
            for _attempt in range(20):  # two tribute acts of one name would be homonyms, not this family
                form = self.rng.choice(_TRIBUTE_FORMS[t_lang])
                alias = self.name("band", t_lang) if "{alias}" in form else ""
                name = form.format(x=original.name, alias=alias)
                if noise.strip_accents(name).lower() not in self._used:
                    break
            self._used.add(noise.strip_accents(name).lower())
            self.add(
                "tribute",
                name,
                t_lang,
                t_home,
                "band",
                genres=original.genres,
                link_rate=0.2,
                links=self.links(name, t_home, rate=0.5),
            )

    def leader(self) -> None:
        home, lang = self.home()
        leader_name = self.name("person", lang)
        genres, _ = self.genres()
        links = self.links(leader_name, home, rate=1.3)
        if "spotify" not in links and "bandcamp" not in links:
            links["spotify"] = "".join(self.rng.choice(_B62) for _ in range(22))
        suffixes = _GROUP_SUFFIXES[lang if self.rng.random() < 0.6 else "en"]
        group_suffix = self.rng.choice(suffixes)
        group_name = f"{leader_name} {group_suffix}"
        aliases = tuple(f"{leader_name} {s}" for s in self.rng.sample(suffixes, 2))
        self.add(
            "leader",
            leader_name,
            lang,
            home,
            "person",
            genres=genres,
            links=links,
            link_rate=0.45,
            aliases=aliases,
        )
        self._used.add(noise.strip_accents(group_name).lower())
        self.add("leader", group_name, lang, home, "band", genres=genres, link_rate=0.35)

    def dj(self) -> None:
        home, lang = self.home()
        kind = self.rng.choice(("band", "dj"))
        name = self.name(kind, lang)
        genres, scene = self.genres()
        links = self.links(name, home, rate=1.3) or {
            "soundcloud": noise.strip_accents(name).lower().replace(" ", "")
        }
        dj_name = self.rng.choice(("DJ {x}", "DJ {x}", "Dj {x}", "D.J. {x}")).format(x=name)
        self.add("dj", name, lang, home, kind, genres=genres, links=links, link_rate=0.45, aliases=(dj_name,))
        self._used.add(noise.strip_accents(dj_name).lower())
        other_genres, _ = self.genres(avoid=scene)
        self.add("dj", dj_name, lang, self.city(), "dj", genres=other_genres, link_rate=0.35)


def build_acts(rng: random.Random, n: int) -> _Builder:
    b = _Builder(rng)
    families = list(ARTIST_FAMILIES)
    for family in families:
        getattr(b, family)()
    weights = [_FAMILY_SHARE[f] / _GROUP_SIZE.get(f, 1.0) for f in families]
    while len(b.acts) < n:
        getattr(b, rng.choices(families, weights=weights)[0])()
    return b


# --- mentions -------------------------------------------------------------------------------------

_AND_WORDS = {"en": "and", "fr": "et", "es": "y", "ca": "i", "de": "und", "it": "e", "pt": "e", "nl": "en"}


def spell(rng: random.Random, name: str, act: Act, *, others: Sequence[str] = (), heavy: bool = False) -> str:
    """One listing's billing of ``name``: articles, "&"/"and", case, accents, notes, credits, typos."""
    k = 2.5 if heavy else 1.0
    r = rng.random
    if r() < 0.12 * k:
        if name.startswith("The ") and len(name) > 6:
            name = name[4:] if r() < 0.7 else f"{name[4:]}, The"
        elif act.kind == "band" and act.lang == "en":
            name = "The " + name
    if r() < 0.25 * k:
        word = _AND_WORDS.get(act.lang, "and")
        if " & " in name:
            name = name.replace(" & ", f" {word} " if r() < 0.7 else " and ")
        elif f" {word} " in name:
            name = name.replace(f" {word} ", " & ")
    if r() < 0.08 * k:
        name = noise.strip_accents(name)
    if r() < 0.06 * k:
        name = noise.word_typo(rng, name)
    if r() < 0.08 * k:
        name = noise.recase(rng, name)
    if r() < 0.08 * k:
        name += rng.choice(_SHOW_NOTES)
    elif r() < 0.04 * k:
        name += " " + rng.choice(_COUNTRY_NOTES.get(act.home.country, ("",)))
    if others and r() < 0.05 * k:
        name += rng.choice(_FEAT).format(o=rng.choice(others))
    return name.strip()


def _genres_text(rng: random.Random, genres: Sequence[str]) -> str:
    if not genres or rng.random() < 0.4:
        return ""
    picked = [g for g in genres if rng.random() < 0.75] or [genres[0]]
    return "|".join(rng.choice(GENRE_SPELLINGS.get(g, (g, g.title()))) for g in picked)


def _link(rng: random.Random, kind: str, value: str) -> str:
    r = rng.random()
    if kind == "spotify":
        token = "".join(rng.choice(_B62) for _ in range(16))
        return rng.choice(
            (
                f"https://open.spotify.com/artist/{value}",
                f"https://open.spotify.com/artist/{value}?si={token}",
                f"http://open.spotify.com/artist/{value}",
                f"https://open.spotify.com/intl-de/artist/{value}",
                f"spotify.com/artist/{value}",
            )
        )
    if kind == "bandcamp":
        return rng.choice(
            (
                f"https://{value}.bandcamp.com",
                f"https://{value}.bandcamp.com/music",
                f"http://{value}.bandcamp.com/",
                f"{value}.bandcamp.com",
            )
        )
    if kind == "instagram":
        return rng.choice(
            (
                f"https://www.instagram.com/{value}/",
                f"https://instagram.com/{value}",
                f"instagram.com/{value}",
                f"https://www.instagram.com/{value}/?hl=en",
            )
        )
    if kind == "musicbrainz":
        return f"https://musicbrainz.org/artist/{value}"
    if kind == "soundcloud":
        return rng.choice(
            (
                f"https://soundcloud.com/{value}",
                f"https://m.soundcloud.com/{value}",
                f"soundcloud.com/{value}",
            )
        )
    return (
        f"https://www.{value}/"
        if r < 0.5
        else rng.choice((f"http://{value}", f"{value}", f"https://{value}/tour"))
    )


def _urls(rng: random.Random, act: Act, *, force: bool = False) -> list[str]:
    rate = act.link_rate
    picked = [kind for kind in act.links if rng.random() < rate]
    if force and not any(k in picked for k in ("spotify", "bandcamp", "musicbrainz", "soundcloud")):
        strong = [k for k in act.links if k in {"spotify", "bandcamp", "musicbrainz", "soundcloud"}] or list(
            act.links
        )
        if strong:
            picked.append(rng.choice(strong))
    urls = [_link(rng, kind, act.links[kind]) for kind in picked]
    rng.shuffle(urls)
    return urls


def _mentions(rng: random.Random, b: _Builder) -> list[Mention]:
    out: list[Mention] = []
    names = [a.name for a in b.acts]
    for act in b.acts:
        for _ in range(act.mentions):
            city = (
                act.home
                if rng.random() < 0.75
                else (
                    rng.choice([c for c in CITIES if c.country == act.home.country])
                    if rng.random() < 0.6
                    else b.city()
                )
            )
            if act.aliases and rng.random() < 0.3:
                # Billed as the group or the DJ, with this act's own links: this act.
                name = rng.choice(act.aliases)
                out.append(Mention(act, spell(rng, name, act), city, _urls(rng, act, force=True)))
                continue
            name = act.name
            if act.family == "dj" and not act.name.lower().startswith(("dj", "d.j.")) and rng.random() < 0.25:
                name += rng.choice((" (DJ set)", " (DJ Set)", " DJ set", " [DJ set]"))
            heavy = act.heavy or rng.random() < 0.05
            out.append(
                Mention(
                    act,
                    spell(rng, name, act, others=rng.sample(names, 2), heavy=heavy),
                    city,
                    _urls(rng, act),
                )
            )
    for package, stops in b.tours:
        for city in stops:
            billed = [a for a in package if rng.random() < 0.85] or package[:1]
            for act in billed:
                others = [spell(rng, o.name, o) for o in billed if o is not act]
                out.append(Mention(act, spell(rng, act.name, act), city, [], others))
    # Bills: the package on tour (with a local opener sometimes); else local acts of the listing's
    # city, as the listing names them, or no bill at all.
    local: dict[tuple[str, str], list[Act]] = {}
    for act in b.acts:
        local.setdefault((act.home.name, act.home.country), []).append(act)
    for m in out:
        pool = [
            a for a in local.get((m.city.name, m.city.country), []) if a is not m.act and a.name != m.act.name
        ]
        if m.co_billed:
            if pool and rng.random() < 0.3:
                m.co_billed.append(spell(rng, rng.choice(pool).name, m.act))
        elif rng.random() >= 0.35:
            for other in rng.sample(pool, min(len(pool), rng.choice((1, 1, 2, 3)))):
                m.co_billed.append(spell(rng, other.name, other))
    return out


def generate_artists(n: int, seed: int) -> ArtistSet:
    """About ``n`` acts and their mentions, shuffled; ids a1..aN; the same for one seed."""
    rng = random.Random(seed)
    b = build_acts(rng, n)
    mentions = _mentions(rng, b)
    rng.shuffle(mentions)
    rows, truth = [], []
    for k, m in enumerate(mentions, start=1):
        rid = f"a{k}"
        rows.append(
            {
                "id": rid,
                "name": m.name,
                "city": render_city(rng, m.city) if rng.random() > 0.04 else "",
                "genres": _genres_text(rng, m.act.genres),
                "urls": "|".join(m.urls),
                "co_billed": "|".join(dict.fromkeys(m.co_billed)),
            }
        )
        truth.append({"id": rid, "entity_id": m.act.id, "family": m.act.family})
    return ArtistSet(rows=rows, truth=truth, acts=b.acts, seed=seed)


def main() -> None:
    parser = argparse.ArgumentParser(description="Write an artist-mention hard-case table and its truth.")
    parser.add_argument("--n", type=int, default=1500, help="acts (entities), about")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    artists = generate_artists(args.n, args.seed)
    truth = artists.write(args.out)
    print(f"{len(artists.rows)} mentions of {len(artists.acts)} acts -> {args.out}, {truth}")


if __name__ == "__main__":
    main()
