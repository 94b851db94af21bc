"""CV of feature sets on the embedded subset (chunks in ~/.cache/storyline-dev/sub)."""
import glob
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from storyline.scorer import ALL_FEATURES, FEATURES, ArticleView, PairFeatures, SameStoryScorer
from storyline.signals import TextSignals
from storyline.similarity import language_alignment
from storyline.training import pearson

TRAIN = Path(__file__).resolve().parents[2] / "shared" / "bench" / "similarity" / "train.jsonl"
rows = [json.loads(line) for line in TRAIN.open(encoding="utf-8")]
chunks = sorted(glob.glob(str(Path.home() / ".cache/storyline-dev/sub/chunk*.npz")))
idx, views = [], []
for path in chunks:
    d = np.load(path)
    starts = np.concatenate([[0], np.cumsum(d["seg_counts"])])
    for a, k in enumerate(d["rows"]):
        idx.append(int(k))
    for a in range(len(d["rows"]) * 2):
        k = int(d["rows"][a // 2])
        side = "12"[a % 2]
        r = rows[k]
        t, x = r.get("title" + side) or "", r["text" + side] or ""
        views.append(ArticleView(r["lang" + side], d["full"][a], d["title"][a], d["lead"][a],
                                 TextSignals.of(f"{t}\n{x}"), d["seg"][starts[a]:starts[a + 1]]))
n = len(idx)
sel = [rows[k] for k in idx]
order = [2 * m for m in range(n)] + [2 * m + 1 for m in range(n)]
views = [views[o] for o in order]  # first all side-1 then all side-2, like load_pair_set
ref = language_alignment().reference([(r["lang1"], r["lang2"]) for r in sel])
pf = PairFeatures(views, alignment_ref=ref)
X = pf.pairs(np.arange(n), np.arange(n, 2 * n), ALL_FEATURES)
y = np.array([float(r["overall"]) for r in sel])
lp = np.array([f'{r["lang1"]}-{r["lang2"]}' for r in sel])
l1 = np.array([r["lang1"] for r in sel])
l2 = np.array([r["lang2"] for r in sel])
np.savez(Path.home() / "storyline-dev/subset_features.npz", X=X, y=y, lp=lp, idx=np.array(idx))
print(f"{n} pairs", dict(zip(*np.unique(lp, return_counts=True))))

REPEATS = 2


def ece(p, same, bins=10):
    b = np.minimum((p * bins).astype(int), bins - 1)
    return float(sum(abs(p[b == k].mean() - same[b == k].mean()) * (b == k).sum()
                     for k in range(bins) if (b == k).any()) / len(p))

def cv(feats, label):
    cols = [ALL_FEATURES.index(f) for f in feats]
    x = X[:, cols]
    out = {}
    from sklearn.model_selection import KFold
    folds = [f for seed in range(REPEATS) for f in KFold(5, shuffle=True, random_state=seed).split(x)]
    lolo = [(np.flatnonzero(lp != g), np.flatnonzero(lp == g)) for g in sorted(set(lp))]
    for name, splits in (("5fold", folds), ("lolo", lolo)):
        reps = REPEATS if name == "5fold" else 1
        pred = np.zeros(n)
        prob = np.zeros(n)
        for tr, te in splits:
            m = SameStoryScorer(features=feats).fit(x[tr], y[tr], list(zip(l1[tr], l2[tr])))
            route = m.route(l1[te], l2[te])
            pred[te] += m.overall(x[te], route) / reps
            prob[te] += m.probability(x[te], route) / reps
        same = y < 2.5
        pr = prob > 0.5
        P = (pr & same).sum() / max(pr.sum(), 1)
        R = (pr & same).sum() / same.sum()
        out[name] = (pearson(-pred, -y), P, R, ece(prob, same))
    print(f"{label:40s} 5f {out['5fold'][0]:.4f} lolo {out['lolo'][0]:.4f}  "
          f"lolo P {out['lolo'][1]:.3f} R {out['lolo'][2]:.3f} ECE {out['lolo'][3]:.3f}", flush=True)
    return out

if __name__ == "__main__":
    base = list(FEATURES)
    cos = X[:, 0]
    print("zero-shot centred cosine", round(pearson(cos, -y), 4),
          "seg_match", round(pearson(X[:, ALL_FEATURES.index("seg_match")], -y), 4),
          "seg_max", round(pearson(X[:, ALL_FEATURES.index("seg_max")], -y), 4),
          "tseg_max", round(pearson(X[:, ALL_FEATURES.index("tseg_max")], -y), 4),
          "seg_mean", round(pearson(X[:, ALL_FEATURES.index("seg_mean")], -y), 4),
          "date_j", round(pearson(X[:, ALL_FEATURES.index("date_j")], -y), 4))
    seg = ["seg_max", "seg_match", "seg_cover", "tseg_max", "tseg_min", "seg_mean"]
    title = ["cos_title", "cos_title_raw", "cross_max", "cross_min", "view_max"]
    lead = ["cos_lead", "lead_cross_max", "view_max"]
    def minus(fs, drop):
        return [f for f in fs if f not in drop]
    sets = {"base": base, "base-title": minus(base, title), "base-lead": minus(base, lead),
            "base+dates": base + ["date_j", "date_both"], "base+fname": base + ["fname_j", "fname_c"],
            "base+seg": base + seg, "base+seg-lead": minus(base + seg, lead),
            "base+seg+dates+fname": base + seg + ["date_j", "date_both", "fname_j", "fname_c"]}
    if sys.argv[1:]:
        sets = {k: v for k, v in sets.items() if k in sys.argv[1:]}
    for k, v in sets.items():
        cv(v, k)
