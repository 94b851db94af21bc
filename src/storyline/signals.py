"""Language-independent text signals for the same-story scorer: numbers and names.

Numbers are written alike in most scripts (after mapping Arabic-Indic and Persian digits);
names are compared through a consonant skeleton of their ASCII transliteration (anyascii),
so that "Carter", "كارتر", "Κάρτερ" and "Картер" all become ``krtr``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from anyascii import anyascii

# A number shorter than this many digits ("1", "2") is too common to identify an event.
MIN_NUMBER_DIGITS = 2
# Skeletons shorter than this collide across unrelated words; two consonants still name
# countries (Syria "sr", Russia "rs"), and IDF weighting discounts the collisions.
MIN_SKELETON = 2
# Arabic writes the article and some prepositions/conjunctions onto the word.
_ARABIC_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"\w+", re.UNICODE)
_DIGRAPHS = (("gh", "g"), ("kh", "k"), ("th", "t"), ("ph", "f"), ("sh", "s"), ("ch", "k"),
             ("ck", "k"), ("dh", "d"))
_CONSONANT_MAP = str.maketrans({"c": "k", "q": "k", "v": "f", "p": "b", "z": "s", "x": "ks",
                                "j": "g"})
_DROP = set("aeiouywh'`")
# Greek spells foreign b, d, g, j with two letters; anyascii transliterates them letter by
# letter ("Άσαντ" -> "Asant"), so they are read first: Άσαντ/الأسد/Assad all become "sd".
_GREEK_DIGRAPHS = (("μπ", "b"), ("ντ", "d"), ("γκ", "g"), ("γγ", "g"), ("τζ", "j"))


def _digits(text: str) -> str:
    """Map every Unicode decimal digit (Arabic-Indic, Devanagari...) to ASCII."""
    return "".join(str(unicodedata.digit(ch)) if ch.isdigit() and not ch.isascii() else ch
                   for ch in text)


def numbers(text: str) -> set[str]:
    """Numbers in the text, normalised: '6,1' == '6.1', '1,400' == '1.400' -> '1400'."""
    out = set()
    for m in _NUMBER.finditer(_digits(text)):
        raw = m.group()
        parts = re.split(r"[.,]", raw)
        if len(parts) > 1 and all(len(p) == 3 for p in parts[1:]):
            value = "".join(parts)  # thousands separators
        elif len(parts) == 2:
            value = f"{parts[0]}.{parts[1]}"  # a decimal fraction, comma or point
        else:
            value = "".join(parts)
        value = value.lstrip("0") or "0"
        if sum(ch.isdigit() for ch in value) >= MIN_NUMBER_DIGITS:
            out.add(value)
    return out


def _strip_clitics(word: str) -> str:
    for p in _ARABIC_PREFIXES:
        if word.startswith(p) and len(word) - len(p) >= 3:
            return word[len(p):]
    return word


def skeleton(word: str) -> str:
    word = _strip_clitics(word)
    if any("\u0370" <= ch <= "\u03ff" or "\u1f00" <= ch <= "\u1fff" for ch in word):
        word = word.lower()
        for a, b in _GREEK_DIGRAPHS:
            word = word.replace(a, b)
    s = anyascii(word).lower()
    for a, b in _DIGRAPHS:
        s = s.replace(a, b)
    s = s.translate(_CONSONANT_MAP)
    s = "".join(ch for ch in s if ch.isalpha() and ch not in _DROP)
    # collapse doubled letters: transliterations disagree on gemination
    return re.sub(r"(.)\1+", r"\1", s)


def _has_case(word: str) -> bool:
    return word.lower() != word.upper()


def name_skeletons(text: str) -> set[str]:
    """Skeletons of name-like words: capitalised words in cased scripts, long words otherwise.

    Sentence-initial capitals are kept too: they cost little, as common words rarely share
    a skeleton across languages.
    """
    out = set()
    for w in _WORD.findall(text):
        if w.isdigit():
            continue
        if _has_case(w):
            if not w[0].isupper() or len(w) < 3:
                continue
        elif len(w) < 4 or "\u4e00" <= w[0] <= "\u9fff":
            continue  # short caseless words, and CJK runs (transliterated syllables differ)
        sk = skeleton(w)
        if len(sk) >= MIN_SKELETON:
            out.add(sk)
    return out


@dataclass(frozen=True)
class TextSignals:
    """Per-article signals, computed once and cached next to the vectors."""

    numbers: frozenset[str]
    names: frozenset[str]

    @classmethod
    def of(cls, text: str) -> TextSignals:
        return cls(frozenset(numbers(text)), frozenset(name_skeletons(text)))


def overlap(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> tuple[float, int]:
    """(Jaccard, size of intersection) of two sets; (0, 0) when either is empty."""
    if not a or not b:
        return 0.0, 0
    inter = len(a & b)
    return inter / len(a | b), inter
