"""Site-grouped CV of the text cleaner's line model for settings of ``clean.learn`` (issue 16).

Usage: python benchmarks/textclean_cv.py CACHE_DIR [--pages PICKLE] [--held-out] [--all-sites OUT.npz]
       [--no-cv] [--save-models DIR] [SETTING_JSON ...]

CACHE_DIR holds the renderings of ``scripts/render_textclean.py``. Each SETTING is a JSON
object with any of ``trees`` (overrides ``learn.TREES``), ``floor`` (``learn.FLOOR``,
decoding), ``tree_kind`` ("gbm"/"hgb", ``learn.TREE_KIND``), ``thresholds`` (decoding
thresholds replayed on the same fold models), ``decoding`` (a list of ``LineModel`` decoding
fields, e.g. ``[{"section_margin": 1}]``, each replayed on the same fold models over
``learn.DECODING``), ``fit_on`` (the renderings the models learn from; default
``["shipped"]``) and ``seed`` (of the ``--all-sites`` model only), ``cv_seed`` (of the fold models and the
held-out run's model; default 0); any other key is refused (the silver-label, stacking, bagging and page-
feature settings of earlier runs were removed from ``learn``: run them at commit 511dfe2; the
stopword-density setting ``stopwords`` at commit c9ece69; the known-n-gram coverage setting
``coverage``: one forest with coverage features and lexical dropout at commit ee68fac, a second
forest for pages in a language the training pages lack at commit 6e6b0b1).

As ``storyline train-textclean ... --fit-on shipped``: the fixed held-out fifth of the sites
is left out, the fold models learn from the shipped rendering and are scored on shipped / w3m
/ lynx. ``--held-out`` also scores the held-out sites with a model fitted on all 387
training-site pages (reported, never tuned on); ``--all-sites OUT`` saves a model fitted on
every site's shipped pages (the way the shipped file is trained) for the seed and shape tests.
``--pages`` keeps the prepared pages in a pickle between runs (the rule pass over 3 x 472 pages
takes minutes). ``--save-models DIR`` keeps the (first setting's) five fold models as
``DIR/fold0.npz`` ... ``fold4.npz`` and the held-out run's model as ``DIR/held_out.npz``, for
``benchmarks/textclean_shapes.py``.
"""

from __future__ import annotations

import json
import pickle
import sys
import time
from pathlib import Path

from storyline.clean import learn
from storyline.clean.linemodel import N_LINE_FEATURES, LineModel, line_features
from storyline.clean.text import TextCleaner

RENDERINGS = ("shipped", "w3m", "lynx")


def load(cache: Path, pickled: Path | None) -> list[learn.Page]:
    if pickled is not None and pickled.exists():
        pages = pickle.loads(pickled.read_bytes())
        for p in pages:  # pickled before the line features changed: recompute them
            if p.lines and p.shape.shape[1] != N_LINE_FEATURES:
                p.shape = line_features(p.lines, p.start, p.end, p.title_at)
        return pages
    pages = learn.read_pages([cache / f"{r}.jsonl" for r in RENDERINGS])
    if pickled is not None:
        pickled.write_bytes(pickle.dumps(pages))
    return pages


def line(res: dict) -> str:
    cells = " ".join(f"{name} P {r['precision']:.3f} R {r['recall']:.3f} F1 {r['f1']:.3f} "
                     f"words-F1 {r['words']['f1']:.3f};" for name, r in res["renderings"].items())
    return f"{cells} spread {res['spread']:.3f}"


def apply(setting: dict) -> list[float]:
    """Set the module-level settings of ``learn`` (from their defaults); the thresholds to replay."""
    for name, target in (("trees", learn.TREES), ("floor", learn.FLOOR)):
        target.clear()
        target.update({**DEFAULTS[name], **setting.get(name, {})})
    learn.TREE_KIND = setting.get("tree_kind", DEFAULT_TREE_KIND)
    return list(setting.get("thresholds", [0.4]))


DEFAULTS = {"trees": dict(learn.TREES), "floor": dict(learn.FLOOR)}
DEFAULT_TREE_KIND = learn.TREE_KIND
KEYS = (*DEFAULTS, "tree_kind", "thresholds", "seed", "cv_seed", "fit_on", "decoding")


def parse_setting(text: str) -> dict:
    """One SETTING argument: a JSON object of known keys only (a removed or misspelt setting
    must not run as the defaults)."""
    try:
        setting = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SystemExit(f"textclean_cv.py: setting {text!r} is not JSON ({exc})") from None
    if not isinstance(setting, dict):
        raise SystemExit(f"textclean_cv.py: setting {text!r} is not a JSON object")
    unknown = sorted(set(setting) - set(KEYS))
    if unknown:
        raise SystemExit(f"textclean_cv.py: setting {text!r}: unknown key(s) {', '.join(unknown)} "
                         f"(known: {', '.join(KEYS)}; removed experiments run at commit 511dfe2, "
                         "stopwords at c9ece69, coverage at ee68fac / 6e6b0b1)")
    return setting


def main(argv: list[str]) -> None:
    cache = Path(argv[0])
    opts = {"--pages": None, "--all-sites": None, "--save-models": None}
    rest = []
    k = 1
    while k < len(argv):
        if argv[k] in opts:
            opts[argv[k]] = argv[k + 1]
            k += 2
        else:
            rest.append(argv[k])
            k += 1
    held_out, cv = "--held-out" in rest, "--no-cv" not in rest
    settings = [parse_setting(a) for a in rest if a not in ("--held-out", "--no-cv")] or [{}]
    pages = load(cache, Path(opts["--pages"]) if opts["--pages"] else None)
    train_pages, held = learn.split_held_out(pages)
    fold = [learn._fold(p.site, 5) for p in train_pages]
    for setting in settings:
        thresholds = apply(setting)
        fit_on = set(setting.get("fit_on", ["shipped"]))
        t0 = time.time()
        cv_seed = int(setting.get("cv_seed", 0))
        models = [learn.fit([p for p, f in zip(train_pages, fold) if f != k and p.rendering in fit_on], cv_seed)
                  for k in range(5)] if cv else []
        print(json.dumps(setting), f"fit {time.time() - t0:.0f} s", flush=True)
        save = Path(opts["--save-models"]) if opts["--save-models"] and setting is settings[0] else None
        if save:
            save.mkdir(parents=True, exist_ok=True)
        for k, model in enumerate(models if save else []):
            model.threshold = thresholds[0]
            model.save(save / f"fold{k}.npz")
        for th, dec in [(t, d) for t in thresholds for d in setting.get("decoding", [{}])] if cv else []:
            tally = learn._Tally()
            for k, model in enumerate(models):
                model.threshold = th
                for name, value in {**learn.DECODING, **dec}.items():
                    setattr(model, name, value)
                cleaner = TextCleaner(model=model)
                for p, f in zip(train_pages, fold):
                    if f == k:
                        tally.add(cleaner, p)
            print(f"  CV threshold {th} decoding {dec}: {line(tally.result())}", flush=True)
        if held_out:
            model = learn.fit([p for p in train_pages if p.rendering in fit_on], cv_seed)
            model.threshold = thresholds[0]
            print(f"  held-out sites: {line(learn._score(held, model))}", flush=True)
            if save:
                model.save(save / "held_out.npz")
        if opts["--all-sites"]:
            model = learn.fit([p for p in pages if p.rendering in fit_on], int(setting.get("seed", 0)))
            model.threshold = thresholds[0]
            model.record = {"setting": setting, "training_pages": sum(p.rendering in fit_on for p in pages)}
            model.save(opts["--all-sites"])
            LineModel.load(opts["--all-sites"])
            print(f"  saved {opts['--all-sites']}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
