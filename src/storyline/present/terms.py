"""Key terms: the words that set a story apart from the rest of the corpus, per language,
and the names its languages share.

Per language, the story's articles form one class against that language's corpus (c-TF-IDF
in the manner of BERTopic): a word scores by how often the story uses it (saturated, as
BM25 does, so one repetitive article cannot dominate), by how many of the story's articles
use it, and by its rarity in the *rest* of the language's corpus (BM25's IDF over the
articles outside the story, counted in the full-text index: a word every article has
scores ~0, a word only this story uses scores highest). Words are matched in the index's folded form
(``store/fts.py``); the form shown is the one the story writes most.

Shared names link the languages through ``signals.skeleton`` (consonant skeleton of the
transliteration: "Κάρτερ", "كارتر", "Carter" -> ``krtr``): a skeleton written by two or
more of the story's languages, in a name-like word (capitalised in a cased script), is a
name the story's languages share. Forms are weighed by the same contrast with the rest of
the corpus, so frequent words that happen to share a short skeleton ("وقال" and "ΙΚΙΛ")
rank below real names.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from storyline.signals import MIN_SKELETON, skeleton
from storyline.store import fts
from storyline.types import Article

TOP_TERMS = 12
TOP_NAMES = 12
# Candidates per language whose corpus frequency is looked up (the most used in the story).
CANDIDATES = 120
TF_SATURATION = 1.2  # BM25's k1
# A word found in most of the language's other articles does not characterise the story,
# however often the story uses it: IDF 0.5 is a word in ~45% of them (a language with no
# other article gives every word log 2 = 0.69, so a lone story keeps its terms).
MIN_IDF = 0.5
MIN_WORD_CHARS = 3  # shorter words of spaced scripts are function words or initials
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

DocFreqs = Callable[[Sequence[str], str], Mapping[str, int]]


def _has_case(word: str) -> bool:
    return word.lower() != word.upper()


def words(text: str) -> list[tuple[str, str]]:
    """(index term, surface form) of each word; unspaced scripts give character bigrams."""
    out = []
    for w in _WORD.findall(text):
        if fts.UNSPACED.fullmatch(w):
            out.extend((b, b) for b in fts.index_form(w).split())
            continue
        if w.isdigit() or len(w) < MIN_WORD_CHARS:
            continue
        terms = fts.query_terms(w)
        if len(terms) == 1:
            out.append((terms[0], w))
    return out


def _idf(df: int, n: int) -> float:
    return math.log((n - df + 0.5) / (df + 0.5) + 1.0)


class Contrast:
    """Rarity outside the story: IDF of an index term over the language's other articles."""

    def __init__(self, articles: Sequence[Article], doc_freqs: DocFreqs,
                 lang_sizes: Mapping[str, int]) -> None:
        self.doc_freqs, self.lang_sizes = doc_freqs, lang_sizes
        self.story_docs = Counter(a.lang for a in articles)
        self.story_df: dict[str, Counter[str]] = {}
        for a in articles:
            self.story_df.setdefault(a.lang, Counter()).update({t for t, _ in words(a.full_text)})
        self.cache: dict[tuple[str, str], float] = {}

    def idf(self, terms: Sequence[str], lang: str) -> dict[str, float]:
        todo = [t for t in dict.fromkeys(terms) if (t, lang) not in self.cache]
        if todo:
            df = self.doc_freqs(todo, lang)
            inside = self.story_df.get(lang, Counter())
            n_out = max(self.lang_sizes.get(lang, 0) - self.story_docs[lang], 0)
            for t in todo:
                self.cache[(t, lang)] = _idf(max(df.get(t, 0) - inside[t], 0), n_out)
        return {t: self.cache[(t, lang)] for t in terms}


def key_terms(articles: Sequence[Article], doc_freqs: DocFreqs, lang_sizes: Mapping[str, int],
              top: int = TOP_TERMS) -> dict[str, list[dict[str, Any]]]:
    """Per language: [{term, score}] best first, from the story's articles in that language.

    ``doc_freqs(terms, lang)`` counts the corpus articles of ``lang`` holding each index
    term; ``lang_sizes`` gives each language's article count.
    """
    contrast = Contrast(articles, doc_freqs, lang_sizes)
    out: dict[str, list[dict[str, Any]]] = {}
    for lang in sorted({a.lang for a in articles}):
        docs = [words(a.full_text) for a in articles if a.lang == lang]
        tf: Counter[str] = Counter()
        sdf: Counter[str] = Counter()
        surfaces: dict[str, Counter[str]] = {}
        for doc in docs:
            for term, surface in doc:
                tf[term] += 1
                surfaces.setdefault(term, Counter())[surface] += 1
            sdf.update({t for t, _ in doc})
        candidates = [t for t, _ in tf.most_common(CANDIDATES)]
        idf = contrast.idf(candidates, lang)
        scored = []
        for t in candidates:
            sat = tf[t] * (TF_SATURATION + 1) / (tf[t] + TF_SATURATION)
            spread = 0.5 + 0.5 * sdf[t] / len(docs)
            scored.append((sat * spread * idf[t], t))
        scored.sort(key=lambda x: (-x[0], x[1]))
        scored = [(s, t) for s, t in scored if idf[t] >= MIN_IDF]
        out[lang] = [{"term": surfaces[t].most_common(1)[0][0], "score": round(s, 4)}
                     for s, t in scored[:top]]
    return out


def shared_names(articles: Sequence[Article], doc_freqs: DocFreqs,
                 lang_sizes: Mapping[str, int], top: int = TOP_NAMES) -> list[dict[str, Any]]:
    """Names written in two or more of the story's languages, linked by their skeleton:
    [{key: skeleton, forms: {lang: [forms, best first]}}], most widely shared first, then
    by the weakest language's weight (count x rarity outside the story)."""
    forms: dict[str, dict[str, Counter[str]]] = {}
    for a in articles:
        for w in _WORD.findall(a.full_text):
            if w.isdigit() or fts.UNSPACED.match(w):
                continue
            if _has_case(w):
                if not w[0].isupper() or len(w) < MIN_WORD_CHARS:
                    continue
            elif len(w) < 4:
                continue
            sk = skeleton(w)
            if len(sk) >= MIN_SKELETON:
                forms.setdefault(sk, {}).setdefault(a.lang, Counter())[w] += 1
    shared = [(sk, by_lang) for sk, by_lang in forms.items() if len(by_lang) >= 2
              and any(_has_case(f) for c in by_lang.values() for f in c)]
    langs = {a.lang for a in articles}
    if not any(_has_case(w) for a in articles for w in _WORD.findall(a.title)):
        shared = [(sk, b) for sk, b in forms.items() if len(b) >= 2]  # caseless scripts only
    contrast = Contrast(articles, doc_freqs, lang_sizes)
    ranked = []
    for sk, by_lang in shared:
        per_lang: dict[str, list[tuple[float, str]]] = {}
        for lang, counts in by_lang.items():
            terms = {f: fts.query_terms(f)[0] for f in counts if fts.query_terms(f)}
            idf = contrast.idf(list(terms.values()), lang)
            per_lang[lang] = sorted(((counts[f] * idf[t], f) for f, t in terms.items()),
                                    key=lambda x: (-x[0], x[1]))
        weakest = min((v[0][0] if v else 0.0) for v in per_lang.values())
        if weakest > 0:
            ranked.append((len(per_lang), weakest, sk, per_lang))
    ranked.sort(key=lambda x: (-x[0], -x[1], x[2]))
    return [{"key": sk, "score": round(w, 4),
             "forms": {lang: [f for s, f in v[:3] if s > 0]
                       for lang, v in sorted(per_lang.items()) if lang in langs}}
            for _, w, sk, per_lang in ranked[:top]]
