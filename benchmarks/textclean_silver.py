"""Silver labels for the text cleaner's line model: site-grouped CV per rendering, per setting.

Usage: python benchmarks/textclean_silver.py CACHE_DIR [SETTING_JSON ...]

CACHE_DIR holds the renderings of ``scripts/render_textclean.py`` (shipped.jsonl, w3m.jsonl,
lynx.jsonl); each record's ``reference`` (trafilatura on the page's HTML) gives the silver
labels (``learn.silver_labels``). A SETTING is a JSON object overriding ``learn.SILVER``
(``lexical``, ``trees``, ``stack`` weights, ``high``/``low`` thresholds, ``share``, ``window``)
and optionally ``tree_kind`` ("gbm"/"hgb") and ``thresholds`` (decoding thresholds to replay
on the same fold models). Default: no silver labels, then the stacked model at weight 1.

Only the training sites are used (the fixed held-out fifth is left out); the fold models learn
from the shipped rendering, as ``storyline train-textclean ... --fit-on shipped`` does, and
silver labels come from the training folds' pages only. Prints one line per setting and
decoding threshold: snippet P/R/F1 and word-overlap F1 per rendering, and the spread.
"""

from __future__ import annotations

import json
import sys
import time

from storyline.clean import learn
from storyline.clean.text import TextCleaner

RENDERINGS = ("shipped", "w3m", "lynx")
DEFAULTS = dict(learn.SILVER)


def main(argv: list[str]) -> None:
    cache = argv[0]
    settings = [json.loads(a) for a in argv[1:]] or [{}, {"stack": 1.0}]
    pages, _held = learn.split_held_out(learn.read_pages([f"{cache}/{r}.jsonl" for r in RENDERINGS]))
    fold = [learn._fold(p.site, 5) for p in pages]
    for setting in settings:
        learn.TREE_KIND = setting.pop("tree_kind", "gbm")
        thresholds = setting.pop("thresholds", [0.4])
        learn.SILVER.clear()
        learn.SILVER.update({**DEFAULTS, **setting})
        for p in pages:
            if p.lines and p.reference:
                p.silver = learn.silver_labels([ln.text for ln in p.lines], p.reference, p.title_at, **learn.SILVER)
        t0 = time.time()
        models = [learn.fit([p for p, f in zip(pages, fold) if f != k and p.rendering == "shipped"], 0)
                  for k in range(5)]
        print(json.dumps({"silver": learn.SILVER, "tree_kind": learn.TREE_KIND}),
              f"fit {time.time() - t0:.0f} s", flush=True)
        for th in thresholds:
            tally = learn._Tally()
            for k, model in enumerate(models):
                model.threshold = th
                cleaner = TextCleaner(model=model)
                for p, f in zip(pages, fold):
                    if f == k:
                        tally.add(cleaner, p)
            res = tally.result()
            cells = " ".join(
                f"{name} P {r['precision']:.3f} R {r['recall']:.3f} F1 {r['f1']:.3f} words-F1 {r['words']['f1']:.3f};"
                for name, r in res["renderings"].items())
            print(f"  threshold {th}: {cells} spread {res['spread']:.3f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
