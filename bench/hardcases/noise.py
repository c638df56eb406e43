"""How sources garble text: keyboard and OCR typos, lost accents, mojibake, case, articles.

Each function takes the ``random.Random`` to draw from, so a seed fixes every mistake.
"""

from __future__ import annotations

import random
import unicodedata

_QWERTY = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS: dict[str, str] = {}
for _r, _row in enumerate(_QWERTY):
    for _c, _ch in enumerate(_row):
        near = [_row[i] for i in (_c - 1, _c + 1) if 0 <= i < len(_row)]
        for _other in (_r - 1, _r + 1):
            if 0 <= _other < len(_QWERTY):
                near += [_QWERTY[_other][i] for i in (_c, _c + 1) if 0 <= i < len(_QWERTY[_other])]
        _NEIGHBOURS[_ch] = "".join(near)

# What scanning and OCR confuse (flyers, printed programmes run through OCR).
_OCR = (("rn", "m"), ("m", "rn"), ("l", "1"), ("I", "l"), ("O", "0"), ("o", "0"), ("cl", "d"), ("vv", "w"),
        ("li", "h"), ("e", "c"), ("S", "5"), ("B", "8"), ("u", "ii"), ("é", "e'"))  # fmt: skip


def typo(rng: random.Random, s: str) -> str:
    """One slip: a swapped, dropped, doubled or neighbouring key, or an OCR confusion. The first
    letter is kept (people rarely get it wrong), and words under four letters are left alone."""
    letters = [i for i, ch in enumerate(s) if ch.isalpha() and i > 0]
    if len(s) < 4 or not letters:
        return s
    op = rng.random()
    if op < 0.15:
        hits = [(a, b) for a, b in _OCR if a in s[1:]]
        if hits:
            a, b = rng.choice(hits)
            at = s.index(a, 1)
            return s[:at] + b + s[at + len(a) :]
    i = rng.choice(letters)
    ch = s[i]
    if op < 0.4 and i + 1 < len(s) and s[i + 1].isalpha():  # transposition: "lounge" -> "lonuge"
        return s[:i] + s[i + 1] + ch + s[i + 2 :]
    if op < 0.6:
        return s[:i] + s[i + 1 :]
    if op < 0.72:
        return s[:i] + ch + s[i:]
    near = _NEIGHBOURS.get(ch.lower())
    if not near:
        return s[:i] + s[i + 1 :]
    sub = rng.choice(near)
    sub = sub.upper() if ch.isupper() else sub
    if op < 0.9:
        return s[:i] + sub + s[i + 1 :]
    return s[:i] + sub + s[i:]


def word_typo(rng: random.Random, s: str) -> str:
    """A typo in one word of four letters or more (the others untouched)."""
    words = s.split(" ")
    long = [k for k, w in enumerate(words) if len(w) >= 4]
    if not long:
        return s
    k = rng.choice(long)
    words[k] = typo(rng, words[k])
    return " ".join(words)


def strip_accents(s: str) -> str:
    decomposed = unicodedata.normalize("NFKD", s)
    out = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return out.replace("ß", "ss").replace("ø", "o").replace("æ", "ae")


def mojibake(s: str) -> str:
    """UTF-8 read as Latin-1, as a badly configured export does it ("Café" -> "CafÃ©")."""
    try:
        return s.encode("utf-8").decode("latin-1")
    except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes every byte
        return s


def recase(rng: random.Random, s: str) -> str:
    r = rng.random()
    if r < 0.45:
        return s.upper()
    if r < 0.8:
        return s.lower()
    return " ".join(w[:1].upper() + w[1:].lower() for w in s.split(" "))
