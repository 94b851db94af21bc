"""Cross-validate extra same-story signals on top of a scorer feature set (issue 17).

usage: scorer_extra_signals.py SIGNAL [--set NAME] [--alpha A]

SIGNAL (each is added as extra feature columns of the scorer, same folds and models as
`storyline train-similarity`; grouped 5-fold and leave-one-language-pair-out):
  none     the feature set alone (the reference row)
  diag     a learned diagonal metric: a ridge regression over the element-wise products of
           the two articles' centred full and title vectors (768 columns), its prediction
           one feature; out-of-fold at every level (inner folds over the training pairs)
  tfidf    lexical cosines: TF-IDF of character 3-5-grams and of words, fitted on the file
  lpz      centred full/title cosines standardised per language pair by the mean and spread
           of that language pair's cosines over all its article pairs (unsupervised)
  lpzall   every feature of the set standardised the same way (mean and spread over up to
           20,000 random article pairs of the language pair), in place of the raw features;
           `lpzall+` keeps the raw features beside them

Needs the embedding cache of scorer_embed_all.py (--assemble); --set names a set of
scorer_cv_all.py (default base+seg+dates)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from scorer_cv_all import SETS, TRAIN  # noqa: E402

from storyline import scorer as scorer_module  # noqa: E402
from storyline.embed import E5Embedder  # noqa: E402
from storyline.scorer import PairFeatures, SameStoryScorer, views_needed  # noqa: E402
from storyline.training import (  # noqa: E402
    FOLDS,
    article_views,
    default_cache,
    language_alignment,
    load_pair_set,
    read_pairs,
    report,
)


def diag_columns(pf: PairFeatures, y: np.ndarray, groups: np.ndarray, alpha: float):
    """A fold-aware column maker: ridge over element-wise products of centred vectors."""
    from sklearn.linear_model import Ridge

    n = len(y)
    i, j = np.arange(n), np.arange(n, 2 * n)
    prods = np.hstack([pf.centred[v][i] * pf.centred[v][j] for v in ("full", "title")])
    prods = (prods - prods.mean(0)) / (prods.std(0) + 1e-9)

    def make(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        inner = np.zeros(len(train))
        for a, b in GroupKFold(FOLDS).split(train, groups=groups[train]):
            inner[b] = Ridge(alpha=alpha).fit(prods[train[a]], y[train[a]]).predict(prods[train[b]])
        return inner[:, None], Ridge(alpha=alpha).fit(prods[train], y[train]).predict(prods[test])[:, None]
    return ("diag",), make


def tfidf_columns(docs: list[str], n: int) -> dict[str, np.ndarray]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    out = {}
    for name, vec in (("tfidf_char", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5),
                                                     sublinear_tf=True, min_df=2)),
                      ("tfidf_word", TfidfVectorizer(sublinear_tf=True, min_df=2, max_df=0.5))):
        m = vec.fit_transform(docs)
        out[name] = np.asarray(m[:n].multiply(m[n:]).sum(axis=1)).ravel()
    return out


def lpz_columns(pf: PairFeatures, langs: np.ndarray, n: int) -> dict[str, np.ndarray]:
    i, j = np.arange(n), np.arange(n, 2 * n)
    out = {}
    for view in ("full", "title"):
        c = pf.centred[view]
        cos = np.einsum("ij,ij->i", c[i], c[j])
        z = np.zeros(n)
        for la, lb in set(zip(langs[i], langs[j])):
            m = (langs[i] == la) & (langs[j] == lb)
            sims = (c[langs == la] @ c[langs == lb].T).ravel()
            sims = sims[np.abs(sims) < 0.9999]  # an article against itself
            z[m] = (cos[m] - sims.mean()) / sims.std()
        out[f"lpz_{view}"] = z
    return out


def lpz_all(pf: PairFeatures, feats: tuple[str, ...], langs: np.ndarray, x: np.ndarray,
            n: int, pairs: int = 20000) -> np.ndarray:
    """``x`` (the file's pair rows) standardised per language pair by random article pairs."""
    rng = np.random.default_rng(0)
    i, j = np.arange(n), np.arange(n, 2 * n)
    z = np.zeros_like(x)
    for la, lb in set(zip(langs[i], langs[j])):
        m = (langs[i] == la) & (langs[j] == lb)
        a = rng.choice(np.flatnonzero(langs == la), pairs)
        b = rng.choice(np.flatnonzero(langs == lb), pairs)
        keep = a != b
        ref = pf.pairs(a[keep], b[keep], feats)
        z[m] = (x[m] - ref.mean(0)) / (ref.std(0) + 1e-9)
    return z


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("signal", choices=("none", "diag", "tfidf", "lpz", "lpzall", "lpzall+"))
    ap.add_argument("--set", default="base+seg+dates", choices=sorted(SETS))
    ap.add_argument("--alpha", type=float, default=3000.0, help="ridge alpha of the diag metric")
    args = ap.parse_args()
    feats = SETS[args.set]
    emb = E5Embedder(num_threads=1)
    data = load_pair_set(TRAIN, emb, default_cache(), features=feats)
    rows = read_pairs(TRAIN)
    n = len(rows)
    titles = [r.get("title1") or "" for r in rows] + [r.get("title2") or "" for r in rows]
    texts = [r["text1"] or "" for r in rows] + [r["text2"] or "" for r in rows]
    langs = np.array([r["lang1"] for r in rows] + [r["lang2"] for r in rows])
    y = data.overall
    assert y is not None
    fixed: dict[str, np.ndarray] = {}
    make = None
    extra: tuple[str, ...] = ()
    if args.signal in ("diag", "lpz", "lpzall", "lpzall+"):
        views = article_views(titles, texts, list(langs), emb, default_cache(), None,
                              views_needed(feats))
        ref = language_alignment().reference([(r["lang1"], r["lang2"]) for r in rows])
        pf = PairFeatures(views, None, None, alignment_ref=ref)
        if args.signal == "diag":
            extra, make = diag_columns(pf, y, data.pair_ids, args.alpha)
        elif args.signal == "lpz":
            fixed = lpz_columns(pf, langs, n)
        else:
            zs = lpz_all(pf, feats, langs, data.columns(feats), n)
            fixed = {f"z_{f}": zs[:, k] for k, f in enumerate(feats) if f != "same_lang"}
    elif args.signal == "tfidf":
        fixed = tfidf_columns([f"{t}\n{x}" for t, x in zip(titles, texts)], n)
    extra = extra + tuple(fixed)
    for name, col in fixed.items():
        print(f"{name}: zero-shot Pearson {np.corrcoef(col, -y)[0, 1]:.4f}")
    scorer_module.ALL_FEATURES = scorer_module.ALL_FEATURES + extra  # experimental columns
    kept = tuple(f for f in feats if f == "same_lang") if args.signal == "lpzall" else tuple(feats)
    names = kept + extra
    x0 = np.column_stack([data.columns(kept)] + list(fixed.values())) if fixed else data.columns(kept)
    lang_pairs = data.lang_pairs
    schemes = {"grouped 5-fold": list(GroupKFold(FOLDS).split(x0, y, data.pair_ids)),
               "LOLO": [(np.flatnonzero(lang_pairs != lp), np.flatnonzero(lang_pairs == lp))
                        for lp in sorted(set(lang_pairs))]}
    for scheme, splits in schemes.items():
        pred, prob = np.zeros(n), np.zeros(n)
        for train, test in splits:
            xtr, xte = x0[train], x0[test]
            if make is not None:
                ctr, cte = make(train, test)
                xtr, xte = np.hstack([xtr, ctr]), np.hstack([xte, cte])
            model = SameStoryScorer(1.0, features=names).fit(xtr, y[train], data.language_pairs(train))
            route = model.route(data.lang1[test], data.lang2[test])
            pred[test], prob[test] = model.overall(xte, route), model.probability(xte, route)
        rep = report(-pred, prob, data)
        order = np.argsort(-prob)
        tp = np.cumsum(data.same[order])
        precision, recall = tp / np.arange(1, n + 1), tp / data.same.sum()
        best = recall[precision >= 0.85].max() if (precision >= 0.85).any() else 0.0
        print(f"{args.set} + {args.signal}, {scheme}: Pearson {rep['pearson']:.4f}, "
              f"P/R at 0.5 {rep['same_story']['precision']:.3f}/{rep['same_story']['recall']:.3f}, "
              f"best R at P>=0.85 {best:.3f}, ECE {rep['ece']:.3f}", flush=True)


if __name__ == "__main__":
    main()
