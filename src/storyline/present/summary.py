"""Grounded summary: 3-5 sentences taken verbatim from the story's own articles.

Extractive, so nothing can be invented: every sentence is a span of one article's text and
carries that article's id. Steps, in order:

1. split each article's text into sentences, per script (``split_sentences``);
2. embed them (cached in the store per article and model: a story page is fast the second
   time) and centre them like the articles (each language's mean removed), so a Greek and
   an Arabic sentence about the same fact are close;
3. rank by centrality: cosine to the story's centre, the mean of its articles' centred
   vectors (what the articles share is the event, not a sidebar or a side remark);
4. pick greedily (maximal marginal relevance), skipping a sentence too close to one already
   chosen in any language (a translation or a rewrite of the same fact), at most
   ``PER_ARTICLE`` per article so the summary draws on several reports. Closeness across
   two languages is the cosine divided by how well the model aligns that pair (a sentence
   and its translation: ~0.55 Greek-Arabic, ~0.67 French-English, measured on parallel
   text, ``similarity.LanguageAlignment``), so "the same fact" means the same in every pair.

The per-language variant runs steps 3-4 on one language's sentences.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from storyline.embed import Embedder
from storyline.similarity import LanguageCentering, language_alignment, normalise_rows
from storyline.store import Store
from storyline.types import Article

# Sentences shorter than this (characters; CJK ones are denser) are datelines, captions or
# fragments; longer ones are usually run-ons of a page dump.
MIN_CHARS, MIN_CJK_CHARS, MAX_CHARS = 40, 15, 400
SENTENCES_PER_ARTICLE = 25  # the lead of a report states the event; later ones digress
MAX_ARTICLES = 20  # a big story is summarised from its most central articles
MIN_SENTENCES, MAX_SENTENCES, PER_LANGUAGE = 3, 5, 3
PER_ARTICLE = 2
MMR_LAMBDA = 0.7
# Alignment-rescaled centred cosine above which two sentences say the same thing. On the
# sample corpus, lead sentences reporting the same fact in two languages score 0.8-0.9
# rescaled (raw 0.50-0.62), sentences on different facts of a story 0.2-0.55.
REDUNDANT = 0.7

# A sentence ends at . ! ? … (and the Arabic ؟, Greek ;, Urdu ۔, the danda । ॥ of Hindi,
# Bengali and others, and the Burmese ။, Khmer ។, Tibetan །, Amharic ። ፧ and Armenian ։ full
# stops) followed by a space and a capital, digit, quote or non-Latin letter; or at the CJK
# full stops 。！？ wherever they are.
_END = re.compile(r"""(?<=[.!?…؟;۔।॥။។།።፧։])["'»”’)\]]*\s+(?=[^\sa-z])|(?<=[。！？])["'”’」』)]*""")
# No break after an initial, an abbreviation or a day's ordinal: "U.S. officials",
# "Dr. Smith", "z.B. der", "am 14. März".
_ABBREV = re.compile(r"(?:\b\w|\b\d{1,2}|\b\w\.\w|\b(?:Mr|Mrs|Ms|Dr|St|No|Nr|Jr|Sr|vs|Gen|Col|Lt|Prof|"
                     r"etc|bzw|ca|Abs|Hr|Fr|Sig|Sra|Sr|Av|г|ул|т\.е|κ|π\.χ))\.$")
_CJK = re.compile("[\u3040-\u30ff\u4e00-\u9fff]")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) in ``text``: lines first, then sentence ends per script.

    Spans are trimmed of surrounding whitespace, so ``text[start:end]`` is the sentence.
    """
    spans = []
    pos = 0
    for line in text.split("\n"):
        start = 0
        for m in _END.finditer(line):
            if _ABBREV.search(line[:m.start()].rstrip()[-8:]):
                continue
            spans.append((pos + start, pos + m.start()))
            start = m.end()
        spans.append((pos + start, pos + len(line)))
        pos += len(line) + 1
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out


def usable(sentence: str) -> bool:
    """Long enough to state something, short enough to be one sentence, mostly words."""
    n = len(sentence)
    least = MIN_CJK_CHARS if _CJK.search(sentence) else MIN_CHARS
    letters = sum(ch.isalpha() for ch in sentence)
    return least <= n <= MAX_CHARS and letters >= 0.5 * n


@dataclass(frozen=True)
class Sentence:
    text: str
    article_id: str
    lang: str
    position: int  # index among the article's usable sentences


def sentences_of(article: Article) -> list[tuple[tuple[int, int], str]]:
    spans = [(s, article.text[s[0]:s[1]]) for s in split_sentences(article.text)]
    return [(s, t) for s, t in spans if usable(t)][:SENTENCES_PER_ARTICLE]


def sentence_vectors(store: Store, embedder: Embedder, articles: Sequence[Article]
                     ) -> tuple[list[Sentence], np.ndarray]:
    """The articles' sentences and their vectors, embedding only what the store lacks."""
    model = f"{embedder.name}:sentences"
    cached = store.sentence_vectors(model, [a.id for a in articles])
    todo = {a.id: sentences_of(a) for a in articles if a.id not in cached}
    texts = [t for items in todo.values() for _, t in items]
    if texts:
        vecs = embedder.embed(texts)
        new, k = {}, 0
        for aid, items in todo.items():
            new[aid] = ([s for s, _ in items], vecs[k:k + len(items)])
            k += len(items)
        store.add_sentence_vectors(model, new)
        cached.update(new)
    sents, rows = [], []
    for a in articles:
        spans, vecs = cached.get(a.id, ([], None))
        for pos, (start, end) in enumerate(spans):
            sents.append(Sentence(a.text[start:end], a.id, a.lang, pos))
            rows.append(vecs[pos])
    dim = embedder.dim
    return sents, (np.stack(rows).astype(np.float32) if rows else np.zeros((0, dim), np.float32))


def select(scores: np.ndarray, vectors: np.ndarray, sents: Sequence[Sentence], n: int,
           per_article: int = PER_ARTICLE) -> list[int]:
    """Greedy MMR over centrality ``scores``; redundant sentences (any language) skipped."""
    langs = sorted({s.lang for s in sents})
    code = np.array([langs.index(s.lang) for s in sents])
    rescale = language_alignment().factors(langs, 1.0)[code][:, code] if len(sents) else None
    chosen: list[int] = []
    used: dict[str, int] = {}
    candidates = list(np.argsort(-scores, kind="stable"))
    while len(chosen) < n and candidates:
        best, best_val = None, -np.inf
        for i in candidates:
            if used.get(sents[i].article_id, 0) >= per_article:
                continue
            overlap = float(np.max((vectors[chosen] @ vectors[i]) * rescale[chosen, i])) \
                if chosen else 0.0
            if overlap >= REDUNDANT:
                continue
            val = MMR_LAMBDA * scores[i] - (1 - MMR_LAMBDA) * overlap
            if val > best_val:
                best, best_val = i, val
        if best is None:
            break
        chosen.append(int(best))
        used[sents[best].article_id] = used.get(sents[best].article_id, 0) + 1
        candidates.remove(best)
    return chosen


def summarise(store: Store, embedder: Embedder, articles: Sequence[Article],
              article_vectors: np.ndarray, centring: LanguageCentering
              ) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """(summary, summary per language): [{text, article_id, lang}] each.

    ``article_vectors`` are the articles' centred vectors (rows as ``articles``), which
    define the story's centre; ``centring`` centres the sentences the same way.
    """
    if not len(articles):
        return [], {}
    centre = article_vectors.mean(axis=0)
    closeness = article_vectors @ centre
    order = np.argsort(-closeness, kind="stable")[:MAX_ARTICLES]
    chosen_articles = [articles[k] for k in order]
    sents, raw = sentence_vectors(store, embedder, chosen_articles)
    if not sents:
        return [], {}
    vecs = normalise_rows(centring.transform(raw, [s.lang for s in sents]))
    centre = centre / (np.linalg.norm(centre) or 1.0)
    scores = vecs @ centre

    def items(rows: list[int]) -> list[dict[str, Any]]:
        return [{"text": sents[i].text, "article_id": sents[i].article_id,
                 "lang": sents[i].lang} for i in rows]

    n = min(MAX_SENTENCES, max(MIN_SENTENCES, len(chosen_articles)))
    overall = items(select(scores, vecs, sents, n))
    by_lang = {}
    for lang in sorted({s.lang for s in sents}):
        rows = np.array([i for i, s in enumerate(sents) if s.lang == lang])
        picked = select(scores[rows], vecs[rows], [sents[i] for i in rows], PER_LANGUAGE,
                        per_article=PER_LANGUAGE)
        by_lang[lang] = items([int(rows[i]) for i in picked])
    return overall, by_lang
