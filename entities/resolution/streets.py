"""Street lines to one canonical form, "<house number> <street words>", whatever the country's order.

Sources write one address many ways: "3 rue de la Montagne" and "r. de la Montagne 3",
"Gerberstraße 36" and "Gerber Strasse 36, 2. OG", "Via Vittorio Emanuele II, 122" and
"V. Vittorio Emanuele II 122", "Calle Álvaro Obregón núm. 778", "171, r. Nationale", "123 N Main St,
Suite 4". ``normalize_street`` finds the house number (digits with an optional letter, "bis" or
"1/2"), the street it belongs to (the words before it, or after it where the number comes first),
and drops what is not the street: units, floors, cross streets, districts, postcodes and cities
after a comma, the "No." before a number, particles ("de la", "del", "di"). Street-type words of
English, French, Spanish, Catalan, Portuguese, Italian, German and Dutch, long or short, become one
token each ("Straße", "Str.", "straat" and "Street" are all "st"; "rue", "rua" and "r." are "r"), and
German and Dutch compounds are split ("Gerberstraße" -> "gerber st").

So two listings of one address give one string, and two numbers on one street give strings that
differ only in their first token (which ``scoring`` reads as "another number on the same street").
Pure: no Django. ``columnar`` does the common North American shape vectorised and sends the rest here.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

# English street types and directions, as the pipeline has always abbreviated them.
US_STREET_WORDS: Final[dict[str, str]] = {
    "street": "st",
    "saint": "st",  # "St Marks Pl" is ambiguous; mapping both to "st" keeps comparisons consistent
    "avenue": "ave",
    "av": "ave",
    "boulevard": "blvd",
    "boul": "blvd",
    "road": "rd",
    "drive": "dr",
    "lane": "ln",
    "place": "pl",
    "court": "ct",
    "highway": "hwy",
    "parkway": "pkwy",
    "square": "sq",
    "terrace": "ter",
    "circle": "cir",
    "alley": "aly",
    "plaza": "pl",
    "route": "rte",
    "expressway": "expy",
    "freeway": "fwy",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
}
# Spelled-out ordinals in street names ("Tenth Avenue") written as numbers ("10th Ave").
ORDINAL_WORDS: Final[dict[str, str]] = {
    word: f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"
    for n, word in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
        "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split(),
        start=1,
    )
}
# Street types of other languages (after accents are stripped), long and short, to one token.
INTERNATIONAL_STREET_WORDS: Final[dict[str, str]] = {
    # street
    "strasse": "st", "str": "st", "straat": "st", "st": "st",
    # avenue
    "ave": "ave", "avenida": "ave", "avda": "ave", "avinguda": "ave", "avenue": "ave",
    # rue, rua
    "rue": "r", "r": "r", "rua": "r",
    # calle, carrer
    "calle": "c", "c": "c", "carrer": "c", "cl": "c",
    "via": "via", "v": "via",
    "viale": "viale", "vle": "viale",
    "bd": "blvd", "bld": "blvd", "blvd": "blvd",
    # squares
    "pl": "pl", "platz": "pl", "plz": "pl", "placa": "pl", "plein": "pl", "piazza": "pl",
    "pzza": "pl", "pza": "pl", "plza": "pl", "praca": "pl", "pca": "pl", "pc": "pl", "pc.": "pl", "place": "pl",
    "corso": "corso", "cso": "corso",
    "largo": "largo", "lgo": "largo",
    "vicolo": "vicolo", "vic": "vicolo", "vlo": "vicolo",
    "borgo": "borgo", "bgo": "borgo",
    "paseo": "paseo", "po": "paseo", "passeig": "paseo", "pg": "paseo",
    "pasaje": "pasaje", "pje": "pasaje", "passage": "pasaje", "pass": "pasaje",
    "travesia": "trav", "trav": "trav", "travessa": "trav", "tv": "trav", "travessera": "trav",
    "rambla": "rambla", "rbla": "rambla",
    "ronda": "ronda", "rda": "ronda",
    "glorieta": "glorieta", "gta": "glorieta",
    "privada": "priv", "priv": "priv",
    "alameda": "alameda", "al": "alameda",
    "calcada": "calcada", "calc": "calcada", "cc": "calcada",
    "beco": "beco", "bc": "beco",
    "gasse": "gasse", "g": "gasse",
    "allee": "allee", "all": "allee",
    "chaussee": "ch", "chee": "ch", "chemin": "ch", "ch": "ch",
    "quai": "quai", "q": "quai",
    "impasse": "imp", "imp": "imp",
    "cours": "cours", "crs": "cours",
    "terr": "ter", "tce": "ter",
    "parade": "pde", "pde": "pde",
    "crescent": "cres", "cres": "cres",
    "gardens": "gdns", "gdns": "gdns",
    "gracht": "gracht", "gr": "gracht",
    "kade": "kade", "kd": "kade",
    "laan": "ln",
    "weg": "weg", "damm": "damm", "ufer": "ufer", "ring": "ring", "gurtel": "gurtel",
    "dijk": "dijk", "steeg": "steeg", "singel": "singel",
}  # fmt: skip
STREET_WORDS: Final[dict[str, str]] = {**INTERNATIONAL_STREET_WORDS, **US_STREET_WORDS}
# Compound street names of German and Dutch ("Gerberstraße", "Vrijdagstraat"): suffix -> type token.
_COMPOUND_SUFFIXES: Final = (
    ("strasse", "st"), ("straat", "st"), ("str", "st"), ("gasse", "gasse"), ("platz", "pl"),
    ("plein", "pl"), ("gracht", "gracht"), ("kade", "kade"), ("laan", "ln"), ("weg", "weg"),
    ("damm", "damm"), ("allee", "allee"), ("ring", "ring"), ("ufer", "ufer"), ("gurtel", "gurtel"),
    ("dijk", "dijk"), ("steeg", "steeg"), ("singel", "singel"),
)  # fmt: skip
# Words inside street names that sources drop ("c. Segovia" for "calle de Segovia").
STREET_PARTICLES: Final = frozenset(
    "de del dels la las los les le l d da do das dos di dei della delle dello du des of the von van der den".split()
)
# A number marker before the house number ("núm. 778", "nº 12", "No. 266", "# 5").
NUMBER_MARKERS: Final = frozenset({"no", "n", "num", "nr", "numero", "nro"})
# Words after which the street line no longer names the street: units, floors, cross streets,
# building parts, districts.
STREET_STOP_WORDS: Final = frozenset(
    """suite apartment bldg building floor fl flr etage verdieping planta og ug eg stock piano andar
    hs hinterhof hinterhaus rear basement upstairs lower level sous rdc sotano bajo baixos soterrani
    seminterrato souterrain bg at and between btwn corner ecke esq esquina angle angolo hoek cantonada
    cant col colonia barrio""".split()
)
# Unit words that end the street only before a unit value ("Ste 200", "Unit B"; "Ste Catherine" is
# Sainte Catherine).
UNIT_WORDS: Final = frozenset({"ste", "unit", "apt", "room", "rm", "local", "loja", "int", "bat"})
# Room or floor words that end a number-first street ("200 W 2nd St 2nd Floor").
_FLOOR_AFTER_ORDINAL: Final = frozenset(
    {"floor", "fl", "flr", "etage", "verdieping", "planta", "stock", "piano", "andar"}
)
_HOUSE_NUMBER: Final = re.compile(r"^\d+[a-d]?h?$")
# "79 1/2", "79½", "79-1/2" -> "79h"; "3 bis", "3bis" -> "3b"; "12-B", "183 a" -> "12b", "183a".
_HALF: Final = re.compile(r"(\d)\s*-?\s*(?:1/2|½)")
_BIS: Final = re.compile(r"(\d)\s*-?\s*(?:bis|ter)\b", re.IGNORECASE)
_LETTER_SUFFIX: Final = re.compile(r"(?<![\w/])(\d+)\s*-?\s*([a-dA-D])(?![\w'’])")
# Dots inside abbreviations ("P.zza", "V.le", "C.so") join the word; a dot before a space does not.
_INNER_DOT: Final = re.compile(r"(?<=[^\W\d_])\.(?=[^\W\d_])")
_APOSTROPHES: Final = dict.fromkeys(map(ord, "'’‘ʼ`´"), None)
_NON_WORD: Final = re.compile(r"[\W_]+")
_HASH: Final = re.compile(r"#\s*")


def _words(text: str) -> list[str]:
    """normalize_text's words (casefold, accents, "&" -> "and", punctuation to spaces)."""
    if text.isascii():
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKD", text.casefold())
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("&", " and ").translate(_APOSTROPHES)
    return _NON_WORD.sub(" ", text).split()


def _split_compound(token: str) -> list[str]:
    for suffix, kind in _COMPOUND_SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3 and token != suffix:
            return [token[: -len(suffix)], kind]
    return [token]


def _canonical(words: list[str]) -> list[str]:
    """Street words: ordinals as numbers, types as one token, compounds split, particles dropped."""
    out: list[str] = []
    for word in words:
        word = ORDINAL_WORDS.get(word, word)
        mapped = STREET_WORDS.get(word)
        if mapped is not None:
            out.append(mapped)
        else:
            out.extend(_split_compound(word))
    kept = [w for w in out if w not in STREET_PARTICLES]
    # "N.E." became "n e": one direction.
    joined: list[str] = []
    for w in kept or out:
        if joined and w in ("e", "w") and joined[-1] in ("n", "s"):
            joined[-1] += w
        else:
            joined.append(w)
    return joined


def _segments(raw: str) -> list[list[str]]:
    text = _HALF.sub(r"\1h ", raw)
    text = _BIS.sub(r"\1b", text)
    text = _LETTER_SUFFIX.sub(r"\1\2", text)
    text = _INNER_DOT.sub("", text)
    text = _HASH.sub(" no ", text)
    return [w for w in (_words(part) for part in text.split(",")) if w]


@lru_cache(maxsize=262144)
def normalize_street(s: str | None) -> str:
    """The canonical street line: "<number> <street words>" (either part may be missing); "" if none.

    "123 North Main Street, Suite 4" and "123 N. Main St #4" give "123 n main st"; "Gerberstraße 36"
    and "Gerber Str. 36, 2. OG" give "36 gerber st"; "Via Vittorio Emanuele II, 122" gives
    "122 via vittorio emanuele ii". Cached: addresses repeat across the copies of a venue.
    """
    if not s or not s.strip():
        return ""
    segments = _segments(s)
    if not segments:
        return ""
    number = ""
    name: list[str] = []
    first = segments[0]
    at = next((i for i, w in enumerate(first) if _HOUSE_NUMBER.match(w)), -1)
    if at == 0:
        number = first[0]
        rest = first[1:] or (segments[1] if len(segments) > 1 else [])
        name = _after_number(rest)
    elif at > 0:
        number = first[at]
        name = _before_number(first[:at])
    else:
        name = _before_number(first)
        # "Via Vittorio Emanuele II, 122": the number in the next part.
        if len(segments) > 1:
            nxt = segments[1]
            k = 1 if nxt and nxt[0] in NUMBER_MARKERS and len(nxt) > 1 else 0
            if nxt and _HOUSE_NUMBER.match(nxt[k]):
                number = nxt[k]
    words = _canonical(name)
    return " ".join([number, *words]) if number else " ".join(words)


def _before_number(words: list[str]) -> list[str]:
    """The street named before its number: everything up to it but a trailing "No."/"núm."."""
    while words and words[-1] in NUMBER_MARKERS:
        words = words[:-1]
    # A cross street or a unit before the number would be odd; cut at the first stop word anyway.
    for i, w in enumerate(words):
        if i > 0 and (w in STREET_STOP_WORDS or (w in UNIT_WORDS and _is_unit_value(words, i + 1))):
            return words[:i]
    return words


def _is_unit_value(words: list[str], i: int) -> bool:
    return i < len(words) and (any(ch.isdigit() for ch in words[i]) or len(words[i]) == 1)


def _after_number(words: list[str]) -> list[str]:
    """The street named after its number: up to its type word, else up to a stop word."""
    out: list[str] = []
    for i, w in enumerate(words):
        if out and (w in STREET_STOP_WORDS or (w in UNIT_WORDS and _is_unit_value(words, i + 1))):
            break
        if w in _FLOOR_AFTER_ORDINAL and out and out[-1][:1].isdigit() and i > 1:
            out.pop()  # "2nd floor"
            break
        out.append(w)
        # US style ends with the type word ("741 2nd Street"); French starts with it ("3 rue X").
        if len(out) > 1 and STREET_WORDS.get(w, w) in US_TYPES:
            # A direction may follow ("1245 10th Ave E").
            if i + 1 < len(words) and words[i + 1] in DIRECTION_WORDS:
                out.append(words[i + 1])
            break
    return out


_DIRECTIONS: Final = frozenset({"n", "s", "e", "w", "ne", "nw", "se", "sw"})
# The canonical English street types: a number-first street ends with one.
US_TYPES: Final = frozenset(v for v in US_STREET_WORDS.values() if v not in _DIRECTIONS)
DIRECTION_WORDS: Final = frozenset(
    {
        *_DIRECTIONS,
        "north",
        "south",
        "east",
        "west",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
        "o",
        "ouest",
        "est",
    }
)


def street_parts(canonical: str) -> tuple[str, str]:
    """(house number, street words) of a canonical street line ("" where absent)."""
    head, _, rest = canonical.partition(" ")
    if _HOUSE_NUMBER.match(head):
        return head, rest
    return "", canonical


# --- what the columnar reader does vectorised (``columnar._normalize_street``) ---------------------

# Words the common North American shape may hold, and their canonical token.
FAST_WORDS: Final[dict[str, str]] = {
    word: STREET_WORDS.get(ORDINAL_WORDS.get(word, word), ORDINAL_WORDS.get(word, word))
    for word in {*US_STREET_WORDS, *ORDINAL_WORDS, "st", "ave", "blvd", "pl"}
}
# Words that send a street line to ``normalize_street`` (units, floors, cross streets, particles,
# other languages' street types, French directions). Number markers ("no", "n") matter only before
# a number, and the common shape starts with it.
SLOW_WORDS: Final = frozenset(
    STREET_STOP_WORDS
    | UNIT_WORDS
    | STREET_PARTICLES
    | {"bis", "ter", "o", "ouest", "est"}
    | (set(INTERNATIONAL_STREET_WORDS) - set(FAST_WORDS))
)
COMPOUND_SUFFIXES: Final = tuple(suffix for suffix, _ in _COMPOUND_SUFFIXES)
