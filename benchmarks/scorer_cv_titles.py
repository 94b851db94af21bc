"""Full-file CV of the text-only evidence (numbers, names, dates, fuzzy names) on top of
title-view cosines (the one view cheap enough to embed for all 3,830 articles here)."""
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from storyline.embed import E5Embedder, view_texts
from storyline.scorer import ArticleView, PairFeatures, SameStoryScorer
from storyline.signals import TextSignals
from storyline.similarity import language_alignment
from storyline.training import cache_path, default_cache, pair_articles, pearson

TRAIN = Path(__file__).resolve().parents[2] / "shared" / "bench" / "similarity" / "train.jsonl"
rows = [json.loads(line) for line in TRAIN.open(encoding="utf-8")]
n = len(rows)
titles, texts, langs = pair_articles(rows)
tv = np.load(cache_path([view_texts(t, x)["title"] for t, x in zip(titles, texts)], E5Embedder.name, default_cache()))
views = [ArticleView(lang, v, v, None, TextSignals.of(f"{t}\n{x}"))
         for lang, v, t, x in zip(langs, tv, titles, texts)]
ref = language_alignment().reference([(r["lang1"], r["lang2"]) for r in rows])
pf = PairFeatures(views, alignment_ref=ref)
names = ["cos_title", "cos_title_raw", "num_j", "num_c", "name_j", "name_c", "same_lang",
         "date_j", "date_both", "fname_j", "fname_c"]
X = pf.pairs(np.arange(n), np.arange(n, 2 * n), names)
y = np.array([float(r["overall"]) for r in rows])
lp = np.array([f'{r["lang1"]}-{r["lang2"]}' for r in rows])
l1 = np.array([r["lang1"] for r in rows])
l2 = np.array([r["lang2"] for r in rows])
for k, f in enumerate(names):
    print(f"zero-shot {f:14s} {pearson(X[:, k], -y):.4f}")

def ece(p, same, bins=10):
    b = np.minimum((p * bins).astype(int), bins - 1)
    return float(sum(abs(p[b == k].mean() - same[b == k].mean()) * (b == k).sum()
                     for k in range(bins) if (b == k).any()) / len(p))

def cv(feats):
    from sklearn.model_selection import GroupKFold
    x = X[:, [names.index(f) for f in feats]]
    res = []
    folds = list(GroupKFold(5).split(x, y, np.arange(n)))
    lolo = [(np.flatnonzero(lp != g), np.flatnonzero(lp == g)) for g in sorted(set(lp))]
    for splits in (folds, lolo):
        pred = np.zeros(n)
        prob = np.zeros(n)
        for tr, te in splits:
            m = SameStoryScorer(features=feats).fit(x[tr], y[tr], list(zip(l1[tr], l2[tr])))
            r = m.route(l1[te], l2[te])
            pred[te] = m.overall(x[te], r)
            prob[te] = m.probability(x[te], r)
        res.append(pearson(-pred, -y))
    same = y < 2.5
    pr = prob > 0.5
    return res + [(pr & same).sum() / pr.sum(), (pr & same).sum() / same.sum(), ece(prob, same)]

base = ["cos_title", "cos_title_raw", "num_j", "num_c", "name_j", "name_c", "same_lang"]
for label, feats in (("title+num+name", base), ("+dates", base + ["date_j", "date_both"]),
                     ("+fuzzy names", base + ["fname_j", "fname_c"]),
                     ("+dates+fuzzy", base + ["date_j", "date_both", "fname_j", "fname_c"]),
                     ("fuzzy instead of exact names",
                      [f for f in base if not f.startswith("name")] + ["fname_j", "fname_c"])):
    r = cv(feats)
    print(f"{label:32s} 5-fold {r[0]:.4f}  lolo {r[1]:.4f}  lolo P {r[2]:.3f} R {r[3]:.3f} ECE {r[4]:.3f}", flush=True)
