"""Rooms of one complex: names that share a stem and differ only by words that name a room.

"Rialto Ballroom", "Rialto Back Room", "RIALTO UPSTAIRS", "The Lounge at Rialto" and "Rialto
(Salle 2)" are rooms of one complex at one address, usually on one switchboard: each is a venue of
its own, and none is the complex itself. ``room_relation(a, b)`` says whether two names are that:

- the words two names do not share (articles and prepositions aside: "the", "at", "de", "van"...)
  are all room words, in any of the languages below, or numbers and letters ("Studio 1", "Sala B");
  a word within a typo of a room word counts as that word ("lonuge", "Mezzaninfe");
- the names share a stem, at least one word of it spelled alike ("The Loft" and "The Cellar" are two
  common names, not two rooms);
- words that differ only by a typo pair up as the same word ("Howling Banjo" / "Howling Bnjo");
- one venue-type word added or dropped ("Blue Moon Bar" / "Blue Moon") is how sources write one
  venue, unless the shorter name already says what kind of place it is ("Podium Brug" / "Podium
  Brug Bar", "Rhythm Supper Club" / "Rhythm Supper Club Lounge": a room).

Scoring turns the relation into the name level "room", a fixed and decisive weight against a
merge; the pipeline files such pairs as "room of" candidates (the Venue's parent/rooms), never as
duplicates. Pure: no Django.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Final, Literal

from rapidfuzz.distance import Indel
from rapidfuzz.process import extractOne

# Words that name a room, stage or floor of a complex, in English, French, Spanish, Catalan,
# Portuguese, Italian, German and Dutch (normalised: lower case, no accents), with the qualifiers
# that go with them ("back", "petite", "kleiner").
ROOM_WORDS: Final = frozenset(
    """
    room rooms salo ballroom lounge upstairs downstairs backroom back front annex annexe rooftop roof studio studios
    stage stages hall halls patio loft cellar basement garden gardens terrace mezzanine showroom balcony
    courtyard attic vip lobby foyer gallery tent deck bar club main side small big little upper lower
    second third annexe backstage cabaret theater theatre auditorium chapel parlour parlor den
    salle salles petite grande cave caves etage terrasse sous sol scene salon caveau jardin toit cour
    sala salas pequena grande sotano terraza azotea escenario estudio planta alta baja anexo salon patio
    petita gran soterrani terrassa escenari pati estudi altell
    saal sale kleiner kleine grosser grosse keller dachterrasse biergarten buhne hinterzimmer
    obergeschoss untergeschoss halle kantine hof garten
    piccola grande cantina terrazza palco giardino soppalco saletta cortile salone
    pequena terraco palco patio estudio salao mezanino porao andar
    bovenzaal grote zaal zalen kleine kelder dakterras podium tuin benedenzaal zolder achterzaal
    bovenzaal voorzaal kleinezaal grotezaal
    """.split()
)
# Words that say what kind of place a venue is, which sources add or drop ("Crocodile" / "Crocodile
# Cafe"): one of them alone between two names is not a room, unless the shorter name has its own.
VENUE_TYPE_WORDS: Final = frozenset(
    """
    bar club lounge tavern cafe caffe pub saloon taproom hall sala salle saal zaal podium poppodium
    musikclub eetcafe cabaret theater theatre arena venue nightclub brewery bistro kneipe bodega tasca
    osteria trattoria jazzclub livehouse boite discotheque disco
    """.split()
)
# Articles, prepositions and conjunctions: neither stem nor room ("The Lounge at X", "Salle du X").
NEUTRAL_WORDS: Final = frozenset(
    """
    the a an at of and on in de du des del dels della delle dello di da do dos das la le les l d el
    il lo los las van von im am zum zur der die das den het t en y et e i o os as au aux
    """.split()
)
# A word this close to a room word (Indel ratio), and at least this long, is a typo of it.
ROOM_TYPO_RATIO: Final = 0.8
ROOM_TYPO_MIN_LENGTH: Final = 5
# Two differing words this close, each at least this long, are one word with a typo.
STEM_TYPO_RATIO: Final = 0.8
STEM_TYPO_MIN_LENGTH: Final = 4

_OCR_DIGITS: Final = str.maketrans("01358", "olseb")
WordKind = Literal["neutral", "room", "type", "number", "other"]
# Room and type words long enough to be recognised with a typo, by first letter (typos keep it).
_ROOM_BY_LETTER: Final[dict[str, tuple[str, ...]]] = {}
for _word in sorted(ROOM_WORDS | VENUE_TYPE_WORDS):
    if len(_word) >= ROOM_TYPO_MIN_LENGTH - 1:
        _ROOM_BY_LETTER[_word[0]] = (*_ROOM_BY_LETTER.get(_word[0], ()), _word)


@lru_cache(maxsize=262144)
def word_kind(word: str) -> WordKind:
    """What a normalised name word is: a neutral word, a room word (or a typo of one), a venue-type
    word, a number or letter, or another word (part of a stem)."""
    if not word.isalpha() and not word.isdigit() and any(ch.isdigit() for ch in word):
        # Digits read for letters by OCR ("Ha1l", "Studi0"), unless it is a room number ("2b").
        fixed = word.translate(_OCR_DIGITS)
        if fixed.isalpha():
            kind = word_kind(fixed)
            if kind != "other":
                return kind
    if word in NEUTRAL_WORDS:
        return "neutral"
    if word in VENUE_TYPE_WORDS:
        return "type"
    if word in ROOM_WORDS:
        return "room"
    if word.isdigit() or len(word) == 1 or (len(word) <= 3 and word[:-1].isdigit()):
        return "number"
    if len(word) >= ROOM_TYPO_MIN_LENGTH and (known := _ROOM_BY_LETTER.get(word[0])):
        # A typo adds, drops or changes a letter or two: the length stays within one.
        alike = [k for k in known if abs(len(k) - len(word)) <= 1]
        found = extractOne(word, alike, scorer=Indel.normalized_similarity, score_cutoff=ROOM_TYPO_RATIO)
        if found is not None:
            return "type" if found[0] in VENUE_TYPE_WORDS else "room"
    return "other"


def is_roomish(kind: WordKind) -> bool:
    return kind in ("room", "type", "number")


def _pair_typos(left: list[str], right: list[str]) -> tuple[list[str], list[str]]:
    """Drop the words of ``left`` and ``right`` that pair up as one word with a typo (greedy, in order)."""
    rest = list(right)
    unpaired: list[str] = []
    for word in left:
        match = next(
            (
                other
                for other in rest
                if len(word) >= STEM_TYPO_MIN_LENGTH
                and len(other) >= STEM_TYPO_MIN_LENGTH
                and Indel.normalized_similarity(word, other) >= STEM_TYPO_RATIO
            ),
            None,
        )
        if match is None:
            unpaired.append(word)
        else:
            rest.remove(match)
    return unpaired, rest


def room_relation(words_a: Iterable[str], words_b: Iterable[str], places: Iterable[str] = ()) -> bool:
    """True when two names (their normalised words) are two rooms of one complex, or a room and the
    complex: see the module docstring. ``places``: words of the records' cities, neutral in a name
    ("Le Grand Chat - Studio - Lyon")."""
    skip = set(places)
    a = {w for w in words_a if w not in skip and word_kind(w) != "neutral"}
    b = {w for w in words_b if w not in skip and word_kind(w) != "neutral"}
    extra_a, extra_b = a - b, b - a
    if not extra_a and not extra_b:
        return False
    if not a & b:
        return False  # no word in common: no stem (a stem only seen through typos is not enough)
    if not any(is_roomish(word_kind(w)) for w in extra_a | extra_b):
        return False
    # Words that differ by a typo are one word ("Howling Banjo" / "Howling Bnjo", "Swalon" / "Sqalon").
    left, right = _pair_typos(sorted(extra_a), sorted(extra_b))
    paired = (extra_a - set(left)) | (extra_b - set(right))
    extra_a, extra_b = set(left), set(right)
    if any(word_kind(w) == "other" for w in extra_a | extra_b):
        return False  # the names differ by more than rooms
    stem = (a & b) | paired
    if not stem:
        return False  # no stem of their own: two names made of room words ("The Loft", "The Cellar")
    if not extra_a and not extra_b:
        return False
    if extra_a and extra_b:
        return True  # each has its own room words: "X Lounge" / "X Ballroom"
    extra = extra_a or extra_b
    shorter = b if extra_a else a
    kinds = [word_kind(w) for w in extra]
    if kinds == ["type"] and not any(word_kind(w) in ("type", "room") for w in shorter):
        return False  # a venue-type word added or dropped: "Blue Moon Bar" / "Blue Moon"
    if all(k == "number" for k in kinds) and not any(word_kind(w) in ("type", "room") for w in a | b):
        return False  # "X 2" / "X": a number alone says nothing about rooms
    return True
