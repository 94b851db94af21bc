"""Which line of a page dump is the article's headline.

A dump made by a browser's "save as text" or a scraper starts with the page's ``<title>``,
and the rules' title (the first substantial line, ``TextCleaner._find_title``) is right there.
A text browser (``w3m -dump``, ``lynx -dump``, ``html2text``) prints no ``<title>``: its first
substantial line is "Skip to content", "Zum Inhalt springen" or a menu, and a story page
built on such a title is headed by it. The headline sits somewhere above the body, among
menus, breadcrumbs, dates and bylines.

This module scores the candidate lines: the rules' title and every line from ``BEFORE``
lines above the rules' first body line to ``AFTER`` lines into it. Each candidate is read
from the rules alone (no line model, so the two models are trained and judged apart):

* where it is: lines from the body's first line, the share of the page above it, whether
  the title is repeated further down (``_find_anchor``: a page with a ``<title>`` and an
  ``<h1>``);
* its shape: length, words, a final period, a leading bullet, a "|", a separator with spaces
  ("Title - Site"), its shares of digits and capitals;
* how it relates to the page: whether the rules kept it, how often it recurs (menus recur),
  its word overlap with the rules' title (1 for the title itself) and whether the title holds
  it, the share of its words found in the body's first lines (a headline's words come back in
  its article, a menu's do not), how far the next long prose line is, and whether a date
  follows it (a dateline or byline).

Small gradient-boosted trees (``trees.Forest``) score each candidate; the best one is the
headline. A title the page repeats within ``CONFIRM`` lines of the body's first line stays as
it is, unscored (``confirmed``). Trained by ``storyline train-headline`` on the renderings of
the textclean dev pages, labelled by the pages' HTML: a candidate is right when it matches the
page's title (as trafilatura reads its metadata) or one of its ``<h1>`` elements. Shipped as
``storyline/data/headline_model.npz`` (12 KB); when the file is absent the rules' title stays.
"""

from __future__ import annotations

import bisect
import json
import math
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from storyline.trees import Forest

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "headline_model.npz"

BEFORE = 30  # candidates: this many lines above the rules' first body line ...
AFTER = 3  # ... to this many lines into it, and the rules' title
LONG_LINE = 150.0  # a sentence line at least this long: "real prose" (as ``linemodel``)
TREES = dict(n_estimators=100, max_depth=3, learning_rate=0.1, subsample=0.8)
N_FEATURES = 20
BODY_LINES = 10  # a candidate's words are looked for in the body's first this many lines ...
BODY_CHARS = 250  # ... in the first this many characters of each
CONFIRM = 8  # the title repeated this close to the body's first line is taken as it is
SHAPE_CHARS = 150  # a candidate's shape and words are read from its first this many characters

WORD_MIN = 3
_WORD = re.compile(r"\w{%d,}" % WORD_MIN)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+")
_BULLET = re.compile(r"^[•□◦▪■*\-–+>#|»·]")
_SEPARATOR = re.compile(r" [|\-–—:»/] ")
_WS = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")
_NO_DIGITS = str.maketrans("", "", "0123456789")


# --- candidates and their features ----------------------------------------------------------
def confirmed(lines: Sequence[Any], title_at: int, anchor: int | None) -> bool:
    """Is the rules' title repeated within ``CONFIRM`` lines of the body's first line (a page's
    ``<title>`` above its ``<h1>``)? Then it stays the title and no candidate is scored."""
    return anchor is not None and abs(anchor - _first_kept(lines, title_at)) <= CONFIRM


def _first_kept(lines: Sequence[Any], default: int) -> int:
    """The rules' first body line (``default`` when they kept none)."""
    return next((i for i, ln in enumerate(lines) if ln.reason is None), default)


def candidates(lines: Sequence[Any], title_at: int) -> list[int]:
    """The lines a headline is looked for in (indices, in page order)."""
    first = _first_kept(lines, title_at)
    return sorted(set(range(max(0, first - BEFORE), min(len(lines), first + AFTER + 1))) | {title_at})


def features(lines: Sequence[Any], title_at: int, anchor: int | None, cands: Sequence[int]) -> np.ndarray:
    """One row of ``N_FEATURES`` per candidate line (see the module text). ``lines``: the rule
    pass's lines (``text``, ``key``, ``length``, ``sentence``, ``reason``), before the line
    model; ``anchor``: the line repeating the title, if any."""
    from storyline.clean.text import find_date

    n = len(lines)
    kept = []  # the body's first lines
    for i, ln in enumerate(lines):
        if ln.reason is None:
            kept.append(i)
            if len(kept) == BODY_LINES:
                break
    first = kept[0] if kept else title_at
    # the words of those lines; each of the first few (candidates themselves) apart, so that a
    # candidate's words are looked for in the other lines only
    body = " ".join([lines[i].key[:BODY_CHARS] for i in kept if i > first + AFTER])
    top = {i: lines[i].key[:BODY_CHARS] for i in kept if i <= first + AFTER}
    repeats = Counter([ln.key for ln in lines])
    title_key = lines[title_at].key
    lo, hi = min(cands), min(n, max(cands) + 51)  # long prose lines up to 50 below a candidate
    longs = [i for i in range(lo, hi) if lines[i].length >= LONG_LINE and lines[i].sentence]
    title_words = _words(title_key)
    rows = []
    for i in cands:
        ln = lines[i]
        t, k = ln.text[:SHAPE_CHARS], ln.key  # a candidate inside the body may be a long paragraph
        words = _words(k[:SHAPE_CHARS])
        nxt = bisect.bisect_right(longs, i)
        after = lines[i + 1].text if i + 1 < n else ""
        size = len(t)
        rows.append((
            min(max(i - first, -BEFORE), AFTER), abs(i - first), math.log1p(ln.length), math.log1p(t.count(" ") + 1),
            ln.text.rstrip()[-1:] == ".", bool(_BULLET.match(t)), "|" in t, bool(_SEPARATOR.search(t)),
            (size - len(t.translate(_NO_DIGITS))) / size, sum(map(str.isupper, t)) / size,
            ln.reason is None, math.log(repeats[k]),
            len(words & title_words) / max(len(words | title_words), 1), i != title_at and k in title_key,
            _found(words, body, top, i), len(words),
            anchor is not None, min(50, longs[nxt] - i) if nxt < len(longs) else 50,
            bool(_DIGIT.search(after)) and bool(find_date(after)), i / n,
        ))
    return np.array(rows, float).reshape(len(cands), N_FEATURES)


def _words(text: str) -> set[str]:
    """Words of ``WORD_MIN`` letters or more; a run of CJK characters, written without spaces,
    as its character pairs."""
    words = set(_WORD.findall(text))
    if not text.isascii() and _CJK.search(text):
        words = {w for w in words if not _CJK.search(w)}
        words.update(run[k : k + 2] for run in _CJK.findall(text) for k in range(max(len(run) - 1, 1)))
    return words


def _found(words: set[str], body: str, top: dict[int, str], i: int) -> float:
    """The share of ``words`` found in the body's text, line ``i`` aside: anywhere in it, so
    that a word found inside a longer one (an inflection, a compound, an Arabic word with a
    clitic) counts."""
    if not words:
        return 0.0
    others = [body, *(t for j, t in top.items() if j != i)]
    return sum(1 for w in words if any(w in t for t in others)) / len(words)


# --- the model ---------------------------------------------------------------------------
@dataclass
class HeadlineModel:
    """Trees scoring each candidate line; ``choose`` returns the best one."""

    forest: Forest
    record: dict = field(default_factory=dict)

    def choose(self, lines: Sequence[Any], title_at: int, anchor: int | None) -> int:
        """The headline's line (``title_at``, ``anchor``: as for ``features``)."""
        if confirmed(lines, title_at, anchor):
            return title_at
        cands = candidates(lines, title_at)
        score = self.forest.logit(features(lines, title_at, anchor, cands))
        return cands[int(np.argmax(score))]

    def save(self, path: str | Path = MODEL_PATH) -> None:
        meta = {**_settings(), "record": self.record}
        np.savez_compressed(path, meta=np.array(json.dumps(meta)), **self.forest.arrays("forest_"))  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: str | Path = MODEL_PATH) -> "HeadlineModel":
        with np.load(path) as a:
            meta = json.loads(str(a["meta"]))
            forest = Forest.from_arrays(a, "forest_")
        if {k: meta.get(k) for k in _settings()} != _settings():
            raise ValueError(f"{path}: headline model built for other features or another window; "
                             "retrain it with `storyline train-headline`")
        return cls(forest, meta.get("record", {}))


def _settings() -> dict[str, int]:
    """What the features depend on; a model file records them and must match."""
    return {"n_features": N_FEATURES, "before": BEFORE, "after": AFTER, "body_lines": BODY_LINES,
            "body_chars": BODY_CHARS, "shape_chars": SHAPE_CHARS, "word_min": WORD_MIN}


_SHIPPED: HeadlineModel | None = None


def shipped_headline_model() -> HeadlineModel | None:
    """The model in the package (loaded once), or None when the file is absent."""
    global _SHIPPED
    if _SHIPPED is None and MODEL_PATH.exists():
        _SHIPPED = HeadlineModel.load(MODEL_PATH)
    return _SHIPPED


# --- labels from the pages' HTML ---------------------------------------------------------------
def references(html: str) -> list[str]:
    """What a page's headline may be: its title as trafilatura reads the metadata (``og:title``,
    ``<title>`` less the site's name, ...) and the text of its ``<h1>`` elements (first three)."""
    import lxml.html
    import trafilatura

    out = []
    try:
        meta = trafilatura.extract_metadata(html)
        if meta is not None and meta.title:
            out.append(meta.title)
    except Exception:  # noqa: BLE001  (a page trafilatura cannot read has no metadata title)
        pass
    try:
        tree = lxml.html.fromstring(html)
        out += [h for h in (_WS.sub(" ", e.text_content()).strip() for e in tree.iter("h1")) if h][:3]
    except Exception:  # noqa: BLE001  (an empty or unparsable page has no <h1>)
        pass
    return out


def load_references(records: Sequence[dict], html_dir: str | Path,
                    refs: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """``references`` of each record's page (``html_dir/<id>.html``), added to ``refs`` (page id
    -> references; pages already there are not read again). A page without an id or without its
    HTML has none: it has no headline to learn."""
    refs = {} if refs is None else refs
    for rec in records:
        key = str(rec.get("id", ""))
        if key not in refs:
            f = Path(html_dir) / f"{key}.html"
            refs[key] = references(f.read_bytes().decode("utf-8", "replace")) if key and f.exists() else []
    return refs


def matches(line: str, refs: Sequence[str]) -> bool:
    """Is ``line`` one of the headlines in ``refs``: either holds the other (10+ characters each),
    or they share over half their character trigrams (case and spacing aside)."""
    from storyline.clean.text import _grams

    a = _WS.sub(" ", line).strip().lower()
    for ref in refs:
        b = _WS.sub(" ", ref).strip().lower()
        if not a or not b:
            continue
        if len(a) >= 10 and len(b) >= 10 and (a in b or b in a):
            return True
        ga, gb = _grams(a), _grams(b)
        if len(ga & gb) > 0.5 * len(ga | gb):
            return True
    return False


# --- training ----------------------------------------------------------------------------------
@dataclass
class Example:
    """One page in one rendering: its candidates' features and labels."""

    rendering: str
    site: str
    x: np.ndarray
    y: np.ndarray
    title_pos: int  # the rules' title among the candidates
    confirmed: bool  # ``confirmed``: the rules' title is taken without the model


def examples(records: Sequence[dict], rendering: str, refs: dict[str, list[str]]) -> list[Example]:
    """Candidates of each page (textclean records; ``refs``: page id -> ``references``)."""
    from storyline.clean.text import TextCleaner
    from storyline.evaluate import site_of

    rules = TextCleaner(learned=False)
    out = []
    for rec in records:
        lines = rules._split(rec["text"])
        if not lines:
            continue
        title_at, _, _, anchor = rules._rule_pass(lines)
        cands = candidates(lines, title_at)
        ref = refs.get(str(rec.get("id", "")), [])
        y = np.array([matches(lines[i].text, ref) for i in cands])
        out.append(Example(rendering, site_of(rec), features(lines, title_at, anchor, cands), y, cands.index(title_at),
                           confirmed(lines, title_at, anchor)))
    return out


def fit(train: Sequence[Example], seed: int = 0) -> HeadlineModel:
    from sklearn.ensemble import GradientBoostingClassifier

    x = np.vstack([e.x for e in train])
    y = np.concatenate([e.y for e in train]).astype(int)
    gbm = GradientBoostingClassifier(**TREES, random_state=seed).fit(x, y)
    return HeadlineModel(Forest.from_sklearn(gbm))


def accuracy(pages: Sequence[Example], models: Sequence[HeadlineModel | None]) -> dict[str, dict[str, float]]:
    """Per rendering: the share of pages whose chosen line is a headline (each page's model;
    None: the rules' title), and the share where some candidate is (the most a choice gets)."""
    tally: dict[str, list[int]] = {}
    for e, model in zip(pages, models):
        pick = e.title_pos if model is None or e.confirmed else int(np.argmax(model.forest.logit(e.x)))
        t = tally.setdefault(e.rendering, [0, 0, 0])
        t[0] += 1
        t[1] += bool(e.y[pick])
        t[2] += bool(e.y.any())
    return {r: {"pages": n, "right": round(ok / n, 4), "reachable": round(reach / n, 4)}
            for r, (n, ok, reach) in tally.items()}


def train(paths: Sequence[str | Path], html_dir: str | Path, seed: int = 0, folds: int = 5,
          hold_out: bool = True) -> HeadlineModel:
    """Train on textclean renderings of pages whose HTML is in ``html_dir``; the record holds the
    site-grouped CV and held-out accuracy against the rules' title."""
    from storyline.clean.learn import _fold
    from storyline.evaluate import is_held_out, read_textclean

    t0 = time.time()
    refs: dict[str, list[str]] = {}
    pages: list[Example] = []
    for path in paths:
        records = list(read_textclean(path))
        name = Path(path).stem
        pages += examples(records, "shipped" if name == "dev" else name, load_references(records, html_dir, refs))
    out = [hold_out and is_held_out({"site": e.site}) for e in pages]
    held = [e for e, h in zip(pages, out) if h]
    train_pages = [e for e, h in zip(pages, out) if not h]
    record: dict = {"data": [Path(p).name for p in paths], "pages": len(pages), "seed": seed, "trees": TREES}
    if folds > 1:
        cv: list[Example] = []
        picks: list[HeadlineModel] = []
        for k in range(folds):
            model = fit([e for e in train_pages if _fold(e.site, folds) != k], seed)
            part = [e for e in train_pages if _fold(e.site, folds) == k]
            cv += part
            picks += [model] * len(part)
        record["cross_validated"] = accuracy(cv, picks)
        record["rules_title"] = accuracy(train_pages, [None] * len(train_pages))
    model = fit(train_pages, seed)
    if held:
        record["held_out"] = accuracy(held, [model] * len(held))
        record["held_out_rules_title"] = accuracy(held, [None] * len(held))
    record["seconds"] = round(time.time() - t0, 1)
    model.record = record
    return model

