"""The text cleaner on the dev pages in every rendered text shape, with fixed models (issue 16).

Usage: python benchmarks/textclean_shapes.py CACHE_DIR MODELS_DIR [RENDERING ...]

CACHE_DIR holds the renderings of ``scripts/render_textclean.py`` (``--extra`` for the shapes
beyond shipped / w3m / lynx / html2text); MODELS_DIR the models ``benchmarks/textclean_cv.py
CACHE_DIR --held-out --save-models MODELS_DIR SETTING`` saved: the five site-grouped fold models
and the held-out run's model. For each rendering (default: every ``*.jsonl`` in CACHE_DIR), one
line: snippet F1 and word-overlap F1 of

* CV: each training-site page cleaned with the fold model that did not see its site;
* rules: the rules alone on the same pages;
* held-out: the held-out sites' pages cleaned with the model fitted on all training sites.

The models stay fixed, so two runs of this script on two versions of the cleaner's rules and
shape pass (``PYTHONPATH`` on a worktree) compare those alone, rendering by rendering, for
shapes the models never learned from as well as for the ones they did.
"""

from __future__ import annotations

import sys
from pathlib import Path

from storyline.clean import learn
from storyline.clean.linemodel import LineModel
from storyline.clean.text import TextCleaner
from storyline.evaluate import is_held_out, read_textclean, site_of

FOLDS = 5


def score(path: Path, folds: list[TextCleaner], held_model: LineModel) -> str:
    name = path.stem
    cv, rules, held = learn._Tally(), learn._Tally(), []
    rules_only = TextCleaner(learned=False)
    for rec in read_textclean(path):
        site = site_of(rec)
        page = learn.Page(rec["text"], [], 0, 0, 0, None, list(rec["with"]), list(rec["without"]),
                          site=site, rendering=name, reference=rec.get("reference"))
        if is_held_out({"site": site}):
            held.append(page)
        else:
            cv.add(folds[learn._fold(site, FOLDS)], page)
            rules.add(rules_only, page)
    c, r = cv.result()["renderings"][name], rules.result()["renderings"][name]
    h = learn._score(held, held_model)["renderings"][name]
    return (f"| {name} | {c['f1']:.3f} | {c['words']['f1']:.3f} | {r['f1']:.3f} | {h['f1']:.3f} "
            f"| {h['words']['f1']:.3f} |")


def main(argv: list[str]) -> None:
    cache, models = Path(argv[0]), Path(argv[1])
    names = argv[2:] or sorted(p.stem for p in cache.glob("*.jsonl"))
    folds = [TextCleaner(model=LineModel.load(models / f"fold{k}.npz")) for k in range(FOLDS)]
    held_model = LineModel.load(models / "held_out.npz")
    print("| rendering | CV snippet F1 | CV words F1 | rules CV snippet F1 | held-out snippet F1 "
          "| held-out words F1 |\n|---|---|---|---|---|---|", flush=True)
    for name in names:
        print(score(cache / f"{name}.jsonl", folds, held_model), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
