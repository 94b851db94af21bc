"""Cross-validate feature sets of the same-story scorer on the whole training file.

usage: scorer_cv_all.py [SET ...]     (default: every set below)

Needs the full view, title view and sentence segments of all 3,830 articles in the embedding
cache (benchmarks/scorer_embed_all.py, then --assemble); the lead view is not embedded, so
the sets here are the shipped features without the three that read it, plus the new ones.
Folds and models are exactly those of `storyline train-similarity` (training.cross_validate:
grouped 5-fold by pair id, 5 folds grouped by language pair and topic, leave-one-language-pair-
out with held-out cross-lingual pairs routed to the monotone model)."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from storyline.embed import E5Embedder
from storyline.scorer import FEATURES
from storyline.training import cross_validate, default_cache, load_pair_set

TRAIN = Path(__file__).resolve().parents[2] / "shared" / "bench" / "similarity" / "train.jsonl"
LEAD = ("cos_lead", "lead_cross_max", "view_max")
BASE = tuple(f for f in FEATURES if f not in LEAD)
SEG = ("seg_max", "seg_match", "seg_cover", "tseg_max", "tseg_min", "seg_mean")
SETS = {
    "base": BASE,
    "base+seg": BASE + SEG,
    "base+seg3": BASE + ("seg_match", "seg_cover", "tseg_max"),
    "base+seg+dates": BASE + SEG + ("date_j", "date_both"),
    "base+seg+fname": BASE + SEG + ("fname_j", "fname_c"),
    "base+seg-title": tuple(f for f in BASE + SEG
                            if f not in ("cos_title", "cos_title_raw", "cross_max", "cross_min",
                                         "tseg_max", "tseg_min")),
}


def main() -> None:
    wanted = sys.argv[1:] or list(SETS)
    every = tuple(dict.fromkeys(f for name in wanted for f in SETS[name]))
    data = load_pair_set(TRAIN, E5Embedder(num_threads=1), default_cache(), features=every)
    print("| features | 5-fold | lang-pair x topic 5-fold | LOLO | LOLO P | LOLO R | LOLO ECE |")
    print("|---|---|---|---|---|---|---|")
    for name in wanted:
        cv = cross_validate(data, 1.0, SETS[name])
        lolo = cv["leave_one_language_pair_out"]
        topic = cv.get("language_pair_topic_5fold", {}).get("pearson", float("nan"))
        print(f"| {name} | {cv['grouped_5fold']['pearson']:.4f} | {topic:.4f} | "
              f"{lolo['pearson']:.4f} | {lolo['same_story']['precision']:.3f} | "
              f"{lolo['same_story']['recall']:.3f} | {lolo['ece']:.3f} |", flush=True)
        out = Path.home() / ".cache" / "storyline-dev" / f"cv_{name}.json"
        out.write_text(json.dumps(cv, default=float, indent=1))


if __name__ == "__main__":
    main()
