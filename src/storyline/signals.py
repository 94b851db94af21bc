"""Language-independent text signals for the same-story scorer: numbers and names.

Numbers are written alike in most scripts (after mapping Arabic-Indic and Persian digits);
names are compared through a consonant skeleton of their ASCII transliteration (anyascii),
so that "Carter", "كارتر", "Κάρτερ" and "Картер" all become ``krtr``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

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


# -- dates -------------------------------------------------------------------------------------
# Month names of these locales (CLDR via babel, format and stand-alone forms: "marca"/"marzec",
# "Μαρτίου"/"Μάρτιος", Levantine "آذار" beside Egyptian "مارس"), matched case-insensitively.
# Abbreviations are left out: "mar" is also Spanish for "sea".
DATE_LOCALES = ("en", "de", "fr", "es", "it", "pt", "nl", "pl", "tr", "ru", "uk", "el", "ar",
                "ar_SY", "fa", "zh", "ja", "ko", "sv", "da", "no", "fi", "cs", "ro", "hu", "bg")


@lru_cache(maxsize=1)
def _months() -> dict[str, int]:
    """Lower-cased month name -> month number, over DATE_LOCALES."""
    from babel.dates import get_month_names

    months: dict[str, int] = {}
    for loc in DATE_LOCALES:
        for context in ("format", "stand-alone"):
            for m, name in get_month_names("wide", context, loc).items():
                name = name.lower()
                if len(name) >= 3 and not name[0].isdigit():
                    months.setdefault(name, m)
    return months


# A day (1-2 digits) and the one or two words after it ("5 March", "5. März", "5 de marzo",
# "5 كانون الثاني"), or the one or two words before it ("March 5"): the words are looked up
# in the month table. Each day is found first, then the words next to it are read from a
# short slice: scanning every word of the text for a month was 10x slower.
_DAY = re.compile(r"(?<![\d.,])\d{1,2}(?![\d]|[.,]\d)")
_WORDS_AFTER = re.compile(r"\.?\s+(?:de\s+|of\s+)?(\w+)(?:\s+(\w+))?")
_WORDS_BEFORE = re.compile(r"(?:(\w+)\s+)?(\w+)\s+$")
_DMY = re.compile(r"(\d{1,2})\.(\d{1,2})\.\d{2}")
_ISO = re.compile(r"\d{4}-(\d{2})-(\d{2})")
_CJK = re.compile(r"(\d{1,2})月(\d{1,2})日")


def _month(*words: str | None) -> int:
    """The month the words name, trying the two-word form first; 0 if none."""
    months = _months()
    two = " ".join(w for w in words if w).lower()
    return months.get(two) or months.get((words[0] or "").lower(), 0)


def dates(text: str) -> set[str]:
    """Days of the year named in the text, as "MM-DD", whatever the language: "5 March",
    "5. März", "5 مارس", "5 آذار", "March 5", "05.03.2019", "2019-03-05", "3月5日"."""
    text = _digits(text)
    found: list[tuple[int, int]] = []
    for m in _DAY.finditer(text):
        day = int(m.group())
        after = _WORDS_AFTER.match(text, m.end(), m.end() + 40)
        if after and (mo := _month(after.group(1), after.group(2))):
            found.append((day, mo))
            continue
        before = _WORDS_BEFORE.search(text, max(0, m.start() - 40), m.start())
        if before:
            found.append((day, _month(before.group(1), before.group(2)) or _month(before.group(2))))
    found += [(int(d), int(mo)) for d, mo in _DMY.findall(text)]
    found += [(int(d), int(mo)) for mo, d in _ISO.findall(text)]
    found += [(int(d), int(mo)) for mo, d in _CJK.findall(text)]
    return {f"{mo:02d}-{d:02d}" for d, mo in found if 1 <= d <= 31 and 1 <= mo <= 12}


@dataclass(frozen=True)
class TextSignals:
    """Per-article signals, computed once and cached next to the vectors."""

    numbers: frozenset[str]
    names: frozenset[str]
    dates: frozenset[str] = frozenset()

    @classmethod
    def of(cls, text: str) -> TextSignals:
        return cls(frozenset(numbers(text)), frozenset(name_skeletons(text)),
                   frozenset(dates(text)))


def overlap(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> tuple[float, int]:
    """(Jaccard, size of intersection) of two sets; (0, 0) when either is empty."""
    if not a or not b:
        return 0.0, 0
    inter = len(a & b)
    return inter / len(a | b), inter


# -- sentence segments (the scorer's "sentences" view) ----------------------------------------
# Sentences are merged until a segment holds at least SEGMENT_MIN_CHARS: a lone short sentence
# ("Dzwonienie.", a dateline) carries too little for a cosine. A run-on passage without
# sentence ends is cut at a space near SEGMENT_MAX_CHARS. The whole article is read, up to
# MAX_SEGMENTS segments (beyond e5's 512 tokens: the full view sees ~2,000 characters).
SEGMENT_MIN_CHARS = 120
SEGMENT_MAX_CHARS = 400
MAX_SEGMENTS = 32
# a sentence ends at . ! ? (and their CJK/Arabic forms) before a space, or glued to a capital
# ("Dyskusji.Dzwonienie" in scraped text), or at a line break
_SENTENCE_END = re.compile(r"(?<=[.!?。！？؟])\s+"
                           r"|(?<=[a-z\u00e0-\u024f][.!?؟])(?=[A-Z\u00c0-\u00de\u0391-\u03a9\u0410-\u042f])"
                           r"|\s*\n\s*")


def _cut(sentence: str, limit: int) -> list[str]:
    """A sentence longer than ``limit`` in pieces at spaces (or hard cuts in unspaced text)."""
    out = []
    while len(sentence) > limit:
        k = sentence.rfind(" ", limit // 2, limit)
        k = k if k > 0 else limit
        out.append(sentence[:k].strip())
        sentence = sentence[k:].strip()
    if sentence:
        out.append(sentence)
    return out


def segments(text: str, max_segments: int = MAX_SEGMENTS) -> list[str]:
    """The text as sentence-aligned segments of ~SEGMENT_MIN_CHARS..SEGMENT_MAX_CHARS
    characters, in order, at most ``max_segments`` (the article's start first)."""
    out: list[str] = []
    current = ""
    for raw in _SENTENCE_END.split(text):
        for sentence in _cut(raw.strip(), SEGMENT_MAX_CHARS):
            if not sentence:
                continue
            if current and len(current) + 1 + len(sentence) > SEGMENT_MAX_CHARS:
                out.append(current)
                current = sentence
            else:
                current = f"{current} {sentence}" if current else sentence
            if len(current) >= SEGMENT_MIN_CHARS:
                out.append(current)
                current = ""
            if len(out) >= max_segments:
                return out
    if current:
        short = len(current) < SEGMENT_MIN_CHARS // 2
        if out and short and len(out[-1]) + len(current) < SEGMENT_MAX_CHARS + SEGMENT_MIN_CHARS // 2:
            out[-1] = f"{out[-1]} {current}"  # a short tail joins the segment before it
        else:
            out.append(current)
    return out[:max_segments]
