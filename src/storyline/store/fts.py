"""The text a full-text index stores and the queries it answers, the same in every script.

SQLite's FTS5 ``unicode61`` tokenizer splits on spaces and punctuation, which fits Latin,
Greek, Cyrillic and Arabic, but reads a run of Chinese or Japanese characters (written
without spaces) as one huge token, and it folds diacritics of Latin letters only. So the
indexed text is a *search form* made here, in Python, and the query goes through the same
function:

* every character is folded: case (``casefold``: Greek final sigma too), combining marks
  dropped (Greek tonos, Arabic harakat, Latin accents), Arabic letter variants unified
  (hamza-carrying alefs, alef maqsura, teh marbuta), tatweel removed;
* runs of scripts written without spaces (Han, kana, Thai, Lao, Khmer, Myanmar) become
  overlapping character bigrams, the classic CJK indexing unit (Lucene's CJKAnalyzer);
* an Arabic word written with the article or a one-letter conjunction/preposition
  ("والروسية", "لسوريا") is indexed with its bare form too; a query uses the bare form.

SQLite 3.40 also offers the ``trigram`` tokenizer, but a trigram index cannot match the many
two-character Chinese words, and it cannot fold diacritics before 3.45.
A PostgreSQL store can feed these same forms to ``to_tsvector('simple', ...)``.
"""

from __future__ import annotations

import re
import unicodedata

# Arabic prefixes: the article with a preposition/conjunction, the article, and single
# letters (wa-, bi-, li-, fa-) glued to the next word. Longest first.
_AR_ARTICLE = ("وال", "بال", "فال", "كال", "لل", "ال")
_AR_LETTER = ("و", "ب", "ل", "ف")
_AR_MIN_STEM = 3
_AR_FOLD = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي",
            "ـ": ""}
# Scripts written without spaces between words: indexed as character bigrams.
UNSPACED = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0eff\u1000-\u109f"
    "\u1780-\u17ff]+")
_ARABIC_WORD = re.compile("[\u0621-\u064a\u066e-\u06d3]{4,}")
TOKEN = re.compile(r"\w+", re.UNICODE)
# A query word found in more than this share of the articles (and more than COMMON_MIN_DOCS
# of them, so that small corpora keep every word) is a function word: "the", "de", "στη".
COMMON_FRACTION = 0.05
COMMON_MIN_DOCS = 500


class _FoldTable(dict):
    """str.translate table computed on first sight of each character (then a dict hit)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if ch in _AR_FOLD:
            out = _AR_FOLD[ch]
        else:
            decomposed = unicodedata.normalize("NFKD", ch)
            kept = "".join(c for c in decomposed if not unicodedata.combining(c))
            out = unicodedata.normalize("NFC", kept).casefold() if kept else ""
        self[code] = out
        return out


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Case, diacritics and Arabic letter variants folded (may change the length)."""
    return text.translate(_FOLD)


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each folded character, the index it came from in ``text``."""
    parts, where = [], []
    for i, ch in enumerate(text):
        f = ch.translate(_FOLD)
        parts.append(f)
        where.extend([i] * len(f))
    return "".join(parts), where


def _bigrams(match: re.Match[str]) -> str:
    run = match.group()
    if len(run) == 1:
        return f" {run} "
    return " " + " ".join(run[i:i + 2] for i in range(len(run) - 1)) + " "


def _arabic_stems(word: str) -> list[str]:
    out = []
    for p in _AR_ARTICLE:
        if word.startswith(p) and len(word) - len(p) >= _AR_MIN_STEM:
            out.append(word[len(p):])
            break
    for p in _AR_LETTER:
        if word.startswith(p) and len(word) - 1 >= _AR_MIN_STEM:
            rest = word[1:]
            out.append(rest)
            for q in _AR_ARTICLE:  # wa-l-, bi-l- spelled as two prefixes
                if rest.startswith(q) and len(rest) - len(q) >= _AR_MIN_STEM:
                    out.append(rest[len(q):])
                    break
            break
    return out


def index_form(text: str) -> str:
    """What the index stores for ``text``: folded, unspaced scripts as bigrams, Arabic stems."""
    folded = UNSPACED.sub(_bigrams, fold(text))
    extra = [s for w in _ARABIC_WORD.findall(folded) for s in _arabic_stems(w)]
    return f"{folded} {' '.join(extra)}" if extra else folded


def query_terms(query: str) -> list[str]:
    """The index tokens a query asks for (deduplicated, in order)."""
    folded = UNSPACED.sub(_bigrams, fold(query))
    terms: list[str] = []
    for tok in TOKEN.findall(folded):
        if _ARABIC_WORD.fullmatch(tok):
            for p in _AR_ARTICLE:  # the query's article goes; the index holds bare forms
                if tok.startswith(p) and len(tok) - len(p) >= _AR_MIN_STEM:
                    tok = tok[len(p):]
                    break
        if tok not in terms:
            terms.append(tok)
    return terms


def match_expression(terms: list[str], columns: tuple[str, ...] = ()) -> str:
    """An FTS5 MATCH string: any of the terms (bm25 ranks documents with more first),
    restricted to ``columns`` when given."""
    anyof = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
    return f"{{{' '.join(columns)}}} : ({anyof})" if columns else anyof


def snippet(text: str, terms: list[str], width: int = 160) -> str:
    """A window of ``text`` (verbatim) around the first place one of ``terms`` occurs."""
    folded = fold(text)
    where: list[int] | None = None
    if len(folded) != len(text):  # folding changed lengths (ß, ligatures): map positions
        folded, where = fold_with_offsets(text)
    hits = []
    for term in terms:
        k = folded.find(term.replace(" ", ""))
        if k >= 0:
            hits.append(where[k] if where is not None else k)
    start = max(0, min(hits) - width // 3) if hits else 0
    if start:  # begin at a word boundary
        space = text.find(" ", start)
        if 0 <= space < start + 20:
            start = space + 1
    piece = text[start:start + width].replace("\n", " ").strip()
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")
