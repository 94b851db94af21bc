"""How the same-story scorer transfers: across the training file's two text sources, and to a
held-out cross-lingual language pair under different alignment references (issue 17).

usage: scorer_transfer.py [--set NAME]

1. Sources: train.jsonl joins two scrapes. "BL.Research" rows carry whole articles (ar-ar,
   fr-fr, tr-tr); "TonyX" rows carry title + head + tail, at most 1,300 characters (de-de,
   de-en, en-en, es-es, pl-pl). A model trained on one source is scored on the other:
   Pearson, same-story P/R at 0.5, and mean P(same) against the observed same-story rate
   (calibration transfer). Run twice: names/numbers/dates read from the whole text (as
   shipped), and from a window shaped like TonyX's (the first 1,000 and last 300 characters).
2. Alignment reference: cross-lingual centred cosines are rescaled by reference /
   alignment(pair). The shipped reference is the training file's own (de-en's alignment, so
   de-en is unchanged); 1.0 rescales them to the level of one language. Grouped 5-fold and
   leave-one-language-pair-out, with the held-out de-en pairs' P/R and calibration.

Needs the embedding cache of scorer_embed_all.py (--assemble)."""
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

from storyline.embed import E5Embedder  # noqa: E402
from storyline.scorer import PairFeatures, SameStoryScorer, views_needed  # noqa: E402
from storyline.signals import TextSignals  # noqa: E402
from storyline.training import (  # noqa: E402
    FOLDS,
    article_views,
    default_cache,
    language_alignment,
    load_pair_set,
    pearson,
    read_pairs,
)

HEAD, TAIL = 1000, 300


def fit_predict(x, y, l1, l2, splits, feats):
    pred, prob = np.zeros(len(y)), np.zeros(len(y))
    for tr, te in splits:
        m = SameStoryScorer(1.0, features=feats).fit(x[tr], y[tr], list(zip(l1[tr], l2[tr])))
        route = m.route(l1[te], l2[te])
        pred[te], prob[te] = m.overall(x[te], route), m.probability(x[te], route)
    return pred, prob


def describe(pred, prob, y, rows) -> str:
    same = y[rows] < 2.5
    said = prob[rows] > 0.5
    tp = float((said & same).sum())
    return (f"Pearson {pearson(-pred[rows], -y[rows]):.3f}, P/R {tp / max(said.sum(), 1):.3f}/"
            f"{tp / max(same.sum(), 1):.3f}, mean P {prob[rows].mean():.3f} vs rate {same.mean():.3f}")


def sources(feats: tuple[str, ...]) -> None:
    rows = read_pairs(TRAIN)
    n = len(rows)
    titles = [r.get("title1") or "" for r in rows] + [r.get("title2") or "" for r in rows]
    texts = [r["text1"] or "" for r in rows] + [r["text2"] or "" for r in rows]
    langs = [r["lang1"] for r in rows] + [r["lang2"] for r in rows]
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
        data = load_pair_set(TRAIN, E5Embedder(num_threads=1), default_cache(), features=feats,
                             alignment_ref=ref)
        x, y, lp = data.columns(feats), data.overall, data.lang_pairs
        assert y is not None
        de_en = np.flatnonzero(lp == "de-en")
        for name, splits in (("grouped 5-fold", list(GroupKFold(FOLDS).split(x, y, data.pair_ids))),
                             ("LOLO", [(np.flatnonzero(lp != k), np.flatnonzero(lp == k))
                                       for k in sorted(set(lp))])):
            pred, prob = fit_predict(x, y, data.lang1, data.lang2, splits, feats)
            print(f"reference {data.alignment_ref:.3f}, {name}: all pairs Pearson "
                  f"{pearson(-pred, -y):.4f}; de-en {describe(pred, prob, y, de_en)}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", default="base+seg+dates", choices=sorted(SETS))
    feats = SETS[ap.parse_args().set]
    sources(feats)
    references(feats)


if __name__ == "__main__":
    main()
