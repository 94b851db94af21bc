"""Learned second pass of the text-dump cleaner: is this line part of the article?

The rule pass (``clean.text``) finds the densest body block(s) from line shape alone. Its
misses are lines that look like prose but are boilerplate (author bios, "sign up for our
newsletter", comment-form notices, subscription walls) and prose lines beyond the block's
edge. This pass scores every line with a small model over

* the rule pass's own view of the line: its weight, whether and why it was dropped, where it
  sits relative to the body block, the headline and the page's text mass;
* the line's shape (length, sentence ends, digits, capitals, punctuation, commas, links) and
  the same for its neighbours;
* section headers (``clean.sections``, a hand-written list in about thirty-five languages):
  whether the line is a comments / related-news / sharing header, and how far below the
  nearest comments and related-news header it sits; and whether it lies in a list the
  rules found;
* a lexical score: logistic regression over hashed character 3-5-grams of the line. It
  needs no tokeniser or stoplist, so it works in any script. For a script the training pages
  lack it knows nothing: such n-grams land in buckets weighted for other n-grams (about half
  the buckets carry a weight), so the score stays near its low prior with some noise, and the
  other features decide (a forest trained for that case was tried: BENCHMARKS.md, thirteenth
  session).

Gradient-boosted trees combine these into a probability per line; the article is then the
set of runs of lines with the largest total log-odds (the same max-sum decoding the rule
pass uses, with a small penalty per extra run), so a lone doubtful line inside the body is
kept and a lone prose-like line in a sidebar is not. Three places need a surer line: a list
the rules found, lines above the headline, and lines at or below a comments / related-news
header under the body's start (teasers and readers' comments are written to look like the
article).

Trained by ``storyline train-textclean`` on snippet-labelled pages (the textclean benchmark
format): a line holding a ``with`` snippet is article, one holding a ``without`` snippet is
boilerplate; the same pages in several text shapes (the shipped dump, ``w3m``, ``lynx``,
``html2text``), each read after ``clean.shape`` has joined its hard-wrapped paragraphs.
Shipped as ``storyline/data/textclean_model.npz`` (a few hundred KB).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from storyline.clean.notices import notice_counts
from storyline.clean.sections import N_SECTION_FEATURES, header_kinds, in_section, section_features
from storyline.trees import Forest

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "textclean_model.npz"

GRAM_BITS = 18  # hashed character n-gram space: 2**18 buckets
GRAM_SIZES = (3, 4, 5)
_MULT = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
                  0xFF51AFD7ED558CCD], dtype=np.uint64)
_NEWLINE = 10

# The rule pass's reasons the trees have a column for. Reasons added after the shipped model
# was trained ("metadata", "form", "code") have none: such a line reads as dropped for no
# named reason; the rules' verdict on it is final anyway (``TextCleaner.FINAL_REASONS``).
REASONS = ("before-body", "after-body", "between-blocks", "image", "duplicate", "template",
           "repeated", "read-also", "copyright", "number-only", "title")
NEIGHBOURS = (-3, -2, -1, 1, 2, 3)
LONG_LINE = 150.0  # a sentence line at least this long: "real prose" landmark
_TABLE_SIZE = 0x10000  # character classes looked up for the Basic Multilingual Plane
N_LINE_FEATURES = 87 + 1 + N_SECTION_FEATURES  # columns of ``line_features``
N_LEXICAL_CONTEXT = 10  # columns of ``lexical_context``


def _table(chars: str, ranges: Sequence[tuple[int, int]] = ()) -> np.ndarray:
    t = np.zeros(_TABLE_SIZE, bool)
    t[[ord(ch) for ch in chars]] = True
    for lo, hi in ranges:
        t[lo : hi + 1] = True
    return t


# Sentence-final punctuation: Latin and most scripts, CJK (full and half width), Arabic's
# question mark and Urdu's full stop, the danda (Hindi, Bengali, Nepali, Marathi, ...), and
# the full stops of Burmese, Khmer, Tibetan, Amharic (and its question mark) and Armenian.
# The rule pass's "sentence line" reads them too.
SENTENCE_MARKS = ".!?…。！？．｡؟۔।॥။។།።፧։"
SENTENCE_CLOSERS = "'\"”»’)]」』"  # quotes and brackets that may follow the mark
_SENT_TABLE = _table(SENTENCE_MARKS)
_SENT_SET = frozenset(SENTENCE_MARKS)


def ends_sentence(line: str) -> bool:
    """Does ``line`` end in a sentence-final mark, closing quotes or brackets aside?"""
    return line.rstrip().rstrip(SENTENCE_CLOSERS)[-1:] in _SENT_SET
_COMMA_TABLE = _table(",،，、")
_PUNCT_TABLE = _table("«»“”„‘’–—…·•©®", [(33, 47), (58, 64), (91, 96), (123, 126)])
_REASON_INDEX = {r: k for k, r in enumerate(REASONS)}


class RuleLine(Protocol):
    """What the model reads from a line of the rule pass (``clean.text._Line``)."""

    text: str
    length: float
    sentence: bool
    weight: float
    reason: str | None
    key: str  # lower-cased text
    listing: bool  # at or below the start of a list the rules found


# --- character n-gram hashing ------------------------------------------------------------
def _codes(texts: Sequence[str]) -> np.ndarray:
    page = "\n".join(" " + t.lower() + " " for t in texts)
    return np.frombuffer(page.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)


def char_grams(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hashed character n-grams of each line (lower-cased, padded with one space each side).

    Returns (bucket, line index) per n-gram and the n-gram count per line. Vectorised over the
    whole page: a polynomial hash of each window, windows crossing a line break dropped.
    """
    c = _codes(texts)
    n = len(c)
    nl = np.concatenate([[0], np.cumsum(c == _NEWLINE)])
    line_of = nl[:-1]
    buckets, lines = [], []
    acc = np.zeros(n, dtype=np.uint64)
    for k in range(min(max(GRAM_SIZES), n)):
        acc[: n - k] += c[k:] * _MULT[k]
        size = k + 1
        if size in GRAM_SIZES and n >= size:
            m = n - size + 1
            ok = nl[size : size + m] - nl[:m] == 0
            h = acc[:m][ok] * np.uint64(size * 2 + 1)
            h ^= h >> np.uint64(31)
            buckets.append((h >> np.uint64(64 - GRAM_BITS)).astype(np.int64))
            lines.append(line_of[:m][ok])
    b = np.concatenate(buckets) if buckets else np.zeros(0, np.int64)
    li = np.concatenate(lines) if lines else np.zeros(0, np.int64)
    return b, li, np.bincount(li, minlength=len(texts))


def gram_matrix(texts: Sequence[str]):  # -> scipy.sparse.csr_matrix (training only)
    """Lines x buckets, each line's n-gram counts divided by sqrt(its n-gram total)."""
    from scipy import sparse

    b, li, count = char_grams(texts)
    vals = 1.0 / np.sqrt(np.maximum(count[li], 1))
    return sparse.csr_matrix((vals, (li, b)), shape=(len(texts), 1 << GRAM_BITS))


def lexical_logit(texts: Sequence[str], weights: np.ndarray, bias: float,
                  grams: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """The n-gram logistic regression's log-odds per line (``grams``: ``char_grams(texts)``,
    when already computed)."""
    b, li, count = grams if grams is not None else char_grams(texts)
    s = np.bincount(li, weights=weights[b].astype(np.float64), minlength=len(texts))
    return bias + s / np.sqrt(np.maximum(count, 1))


# --- shape and context features ------------------------------------------------------------
_URLISH = re.compile(r"https?:|www\.|@|\.com\b")  # matched on lower-cased text


def _per_line(texts: Sequence[str]) -> np.ndarray:
    """Character statistics per line, vectorised over the page's code points."""
    n = len(texts)
    texts = [t or " " for t in texts]  # the cleaner never makes an empty line; read one as a space
    page = "\n".join(texts)
    c = np.frombuffer(page.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    lowered = page.lower()
    if len(lowered) != len(page):  # a few characters (İ) change length when lower-cased
        lowered = "".join(ch.lower()[:1] for ch in page)
    low = np.frombuffer(lowered.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    first = np.concatenate([[0], np.flatnonzero(c == _NEWLINE) + 1])  # each line's first character
    last = np.concatenate([first[1:] - 1, [len(c)]]) - 1
    bmp = np.minimum(c, _TABLE_SIZE - 1)
    before_space = np.ones(len(c), bool)  # next character is a space or the end of the line
    before_space[:-1] = (c[1:] == 32) | (c[1:] == _NEWLINE)
    masks = np.stack([(c >= 48) & (c <= 57), _PUNCT_TABLE[bmp], c != low, c == 32, _COMMA_TABLE[bmp],
                      _SENT_TABLE[bmp] & before_space, c == 124])
    # per-line counts: sums over each line's span (never empty, see above)
    digits, punct, upper, spaces, commas, sent, bars = np.add.reduceat(
        masks.view(np.uint8), first, axis=1, dtype=np.int64).astype(float)
    chars = np.maximum(last - first + 1, 1).astype(float)
    words = spaces + 1
    f = c[first]
    urlish = np.zeros(n)
    for m in _URLISH.finditer(lowered):  # on the lower-cased page: much faster than re.I
        urlish[np.searchsorted(first, m.start(), side="right") - 1] = 1.0
    return np.column_stack([
        digits / chars, punct / chars, upper / chars, np.log1p(words), (chars - words + 1) / words,
        100 * commas / chars, sent, [t[:1].islower() for t in texts], f != low[first], (f >= 48) & (f <= 57),
        c[last] == 58, bars > 0, urlish,
    ])


def _window_means(a: np.ndarray, spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """Column means of ``a`` (lines x k) over rows [i+lo, i+hi) for each (lo, hi), side by side."""
    n = len(a)
    cs = np.vstack([np.zeros((1, a.shape[1])), np.cumsum(a, axis=0)])
    at = np.arange(n)
    out = []
    for lo, hi in spans:
        a_lo, a_hi = np.clip(at + lo, 0, n), np.clip(at + hi, 0, n)
        out.append((cs[a_hi] - cs[a_lo]) / np.maximum(a_hi - a_lo, 1)[:, None])
    return np.hstack(out)


def _neighbours(a: np.ndarray, fill: Sequence[float], offsets: Sequence[int]) -> np.ndarray:
    """Row i+d of ``a`` (lines x k) for each offset d, side by side; ``fill`` beyond the page."""
    n, pad = len(a), max(abs(d) for d in offsets)
    edge = np.tile(np.asarray(fill, float), (pad, 1))
    padded = np.vstack([edge, a, edge])
    return np.hstack([padded[pad + d : pad + d + n] for d in offsets])


def line_features(lines: Sequence[RuleLine], start: int, end: int, title_at: int,
                  kinds: np.ndarray | None = None) -> np.ndarray:
    """One row of shape/context features per line (see the module docstring); ``kinds``: the
    lines' ``sections.header_kinds``, when already computed."""
    n = len(lines)
    texts = [ln.text for ln in lines]
    idx = np.arange(n, dtype=float)
    w = np.array([ln.weight for ln in lines], float)
    length = np.array([ln.length for ln in lines], float)
    loglen = np.log1p(length)
    sent = np.array([ln.sentence for ln in lines], float)
    kept = np.array([ln.reason is None for ln in lines], float)
    reasons = np.zeros((n, len(REASONS)))
    for i, ln in enumerate(lines):
        col = _REASON_INDEX.get(ln.reason) if ln.reason is not None else None
        if col is not None:
            reasons[i, col] = 1.0
    pos = np.maximum(w, 0.0)
    total = pos.sum() + 1e-9
    body_total = (pos * kept).sum() + 1e-9
    counts = Counter(ln.key for ln in lines)
    repeats = np.array([counts[ln.key] for ln in lines], float)
    longs = np.flatnonzero((length >= LONG_LINE) & (sent > 0))  # nearest long prose line
    if len(longs):
        k = np.searchsorted(longs, idx)
        nxt = np.where(k < len(longs), longs[np.minimum(k, len(longs) - 1)] - idx, 99)
        k_prev = np.searchsorted(longs, idx, side="right") - 1
        prv = np.where(k_prev >= 0, idx - longs[np.maximum(k_prev, 0)], 99)
    else:
        nxt = prv = np.full(n, 99.0)
    shape = np.column_stack([w, sent, kept, loglen])
    return np.column_stack([
        shape, reasons,
        idx / n, (idx - start) / n, (end - idx) / n,
        np.clip(idx - start, -50, 50), np.clip(end - 1 - idx, -50, 50), idx >= end, idx < start,
        np.cumsum(pos) / total, np.cumsum(pos * kept) / body_total, length / max(length.max(), 1.0),
        _per_line(texts), repeats, idx == title_at, np.clip(idx - title_at, -50, 50),
        _neighbours(shape, (-100.0, 0.0, 0.0, 0.0), NEIGHBOURS),
        _window_means(np.column_stack([pos, kept, sent, loglen]), [(-r, r + 1) for r in (1, 2, 4, 8)]),
        np.clip(np.minimum(nxt, prv), 0, 50), np.clip(nxt, 0, 99), np.clip(prv, 0, 99),
        np.full(n, float(n)), np.full(n, body_total / total), np.full(n, np.log1p(total)),
        [ln.listing for ln in lines], section_features(texts, kinds),
    ])


def lexical_context(p: np.ndarray) -> np.ndarray:
    """The lexical probability of a line, its neighbours' and of the regions around it."""
    col = p.reshape(-1, 1)
    return np.hstack([col, _neighbours(col, (-1.0,), (-1, 1, -2, 2)),
                      _window_means(col, [(-3, 4), (-8, 9), (-20, 0), (1, 21)]),
                      np.full((len(p), 1), p.mean() if len(p) else 0.0)])


# --- decoding ----------------------------------------------------------------------------
def best_blocks(weights: Sequence[float], penalty: float, bonus: Sequence[float] | None = None) -> np.ndarray:
    """Mask of the runs of lines maximising sum(weight) - penalty * (runs - 1).

    One run alone is the maximum-sum segment (Finn et al.); a further run is added when its
    weight outweighs ``penalty`` plus the gap it skips. ``bonus[i]`` is added when the first run
    starts at line i. Dynamic programme over three states: before any run, inside a run,
    between runs.
    """
    neg = float("-inf")
    pre, inside, between = 0.0, neg, neg
    back: list[tuple[int, int]] = []  # per line: (state entered 'inside' from, 'between' from)
    append = back.append
    for i, x in enumerate(weights):
        start_here = pre + bonus[i] if bonus is not None else pre
        resume = between - penalty
        if resume >= inside and resume >= start_here:  # ties prefer 'between', then 'inside'
            enter, src = resume, 2
        elif inside >= start_here:
            enter, src = inside, 1
        else:
            enter, src = start_here, 0
        if between >= inside:
            append((src, 2))
        else:
            append((src, 1))
            between = inside
        inside = enter + x
    keep = np.zeros(len(back), dtype=bool)
    if max(inside, between) == neg:
        return keep
    state = 1 if inside >= between else 2
    for i in range(len(back) - 1, -1, -1):
        keep[i] = state == 1
        state = back[i][0] if state == 1 else back[i][1] if state == 2 else 0
    return keep


# --- the model -----------------------------------------------------------------------------
def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


@dataclass
class LineModel:
    """Lexical n-gram logistic + trees over line features; ``keep`` decodes the article lines."""

    gram_weights: np.ndarray  # (2**GRAM_BITS,) float32
    gram_bias: float
    forest: Forest
    # Decoding, chosen on out-of-fold probabilities of the training pages (see learn.py):
    threshold: float = 0.4  # probability at which a line's log-odds weight is zero
    run_penalty: float = 1.0  # log-odds an extra run of lines must outweigh
    restore_margin: float = 1.0  # extra log-odds to keep a line of a list the rules found
    record: dict = field(default_factory=dict)
    # Optional decoding floor: when the decoded article keeps under ``floor_share`` of the
    # weighted length the rules kept, the rules' body lines get ``floor_margin`` log-odds more
    # and the page is decoded again (0: off).
    floor_share: float = 0.0
    floor_margin: float = 0.0
    # Extra log-odds a line above the rules' headline needs (menus, site slogans; 0: none).
    title_margin: float = 0.0
    # Extra log-odds a line at or below a comments / related-news header needs (0: none).
    section_margin: float = 0.0
    # Extra log-odds a line needs per notice word it holds ("subscribe", "log in", "cookies":
    # ``clean.notices``, at most ``N_NOTICE_CAP`` counted; 0: none).
    notice_margin: float = 0.0
    # Columns of ``features``: the line features, then the lexical context.
    n_features = N_LINE_FEATURES + N_LEXICAL_CONTEXT

    def features(self, lines: Sequence[RuleLine], start: int, end: int, title_at: int,
                 kinds: np.ndarray | None = None) -> np.ndarray:
        lex = _sigmoid(lexical_logit([ln.text for ln in lines], self.gram_weights, self.gram_bias))
        shape = line_features(lines, start, end, title_at, kinds)
        return np.hstack([shape, lexical_context(lex)])

    def probability(self, lines: Sequence[RuleLine], start: int, end: int, title_at: int,
                    kinds: np.ndarray | None = None) -> np.ndarray:
        """``kinds``: the lines' ``sections.header_kinds``, when already computed."""
        if not lines:
            return np.zeros(0)
        return _sigmoid(self.forest.logit(self.features(lines, start, end, title_at, kinds)))

    def decode(self, p: np.ndarray, in_list: np.ndarray | None = None,
               rules_body: np.ndarray | None = None, above_title: np.ndarray | None = None,
               in_section: np.ndarray | None = None, notices: np.ndarray | None = None) -> np.ndarray:
        """Article lines: the runs of largest total log-odds. A line in a list the rules found
        (``in_list`` 1) counts ``restore_margin`` less: the model must be surer to overturn the
        rules there than elsewhere; a line above the rules' headline (``above_title`` 1),
        ``title_margin`` less; a line at or below a comments / related-news header under the
        body's start (``in_section`` 1, ``clean.sections``), ``section_margin`` less; a line
        holding notice words (``notices``: their count), ``notice_margin`` less per word.
        ``rules_body`` (weighted length of each line the rules kept, 0 elsewhere): with a floor
        set, see ``floor_share``."""
        q = np.clip(p, 1e-4, 1 - 1e-4)
        w = np.log(q / (1 - q)) - np.log(self.threshold / (1 - self.threshold))
        if in_list is not None:
            w = w - self.restore_margin * in_list
        if above_title is not None and self.title_margin:
            w = w - self.title_margin * above_title
        if in_section is not None and self.section_margin:
            w = w - self.section_margin * in_section
        if notices is not None and self.notice_margin:
            w = w - self.notice_margin * notices
        keep = best_blocks(w.tolist(), self.run_penalty)
        if self.floor_share > 0 and rules_body is not None and rules_body.sum() > 0:
            if (rules_body * keep).sum() < self.floor_share * rules_body.sum():
                keep = best_blocks((w + self.floor_margin * (rules_body > 0)).tolist(), self.run_penalty)
        return keep

    def keep(self, lines: Sequence[RuleLine], start: int, end: int, title_at: int) -> tuple[np.ndarray, np.ndarray]:
        """(mask of article lines, probability per line).

        From where the rules saw a teaser or comment list begin (a short label line repeated
        further down, as in the seeds' "read also" news), prose needs the margin: such lists
        are written to look like articles. Elsewhere below the body it does not (cross-validated
        F1 on three fold assignments 0.898 with the margin on every line below the body,
        0.900 with it on lists only)."""
        texts = [ln.text for ln in lines]
        kinds = header_kinds(texts)  # read by the features and by the section margin
        p = self.probability(lines, start, end, title_at, kinds)
        body = (np.array([ln.length if ln.reason is None else 0.0 for ln in lines], float)
                if self.floor_share > 0 else None)
        at = np.arange(len(lines))
        above = (at < title_at).astype(float)
        section = in_section(texts, start, kinds) if self.section_margin else None
        notices = notice_counts(texts) if self.notice_margin else None
        return self.decode(p, np.array([ln.listing for ln in lines], float), body, above, section, notices), p

    # -- persistence ------------------------------------------------------------------------
    def save(self, path: str | Path = MODEL_PATH) -> None:
        meta = {"threshold": self.threshold, "run_penalty": self.run_penalty,
                "restore_margin": self.restore_margin, "gram_bias": self.gram_bias,
                "gram_bits": GRAM_BITS, "gram_sizes": list(GRAM_SIZES), "record": self.record,
                "floor_share": self.floor_share, "floor_margin": self.floor_margin,
                "n_features": self.n_features, "title_margin": self.title_margin,
                "section_margin": self.section_margin, "notice_margin": self.notice_margin}
        arrays = {"gram_weights": self.gram_weights.astype(np.float16), "meta": np.array(json.dumps(meta)),
                  **self.forest.arrays("forest_")}
        np.savez_compressed(path, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: str | Path = MODEL_PATH) -> "LineModel":
        with np.load(path) as a:
            meta = json.loads(str(a["meta"]))
            if meta["gram_bits"] != GRAM_BITS or tuple(meta["gram_sizes"]) != GRAM_SIZES:
                raise ValueError(f"{path}: line model built for other n-gram settings; retrain it")
            _refuse_removed(path, a.files, meta)
            model = cls(a["gram_weights"].astype(np.float32), float(meta["gram_bias"]),
                        Forest.from_arrays(a, "forest_"), float(meta["threshold"]),
                        float(meta["run_penalty"]), float(meta["restore_margin"]), meta.get("record", {}),
                        float(meta.get("floor_share", 0.0)),
                        float(meta.get("floor_margin", 0.0)), float(meta.get("title_margin", 0.0)),
                        float(meta.get("section_margin", 0.0)), float(meta.get("notice_margin", 0.0)))
        # a file from before the count was stored: its trees must at least fit the columns
        stored = int(meta.get("n_features", model.n_features))
        if stored != model.n_features or int(model.forest.feature.max(initial=0)) >= model.n_features:
            raise ValueError(f"{path}: line model built for another feature list ({stored} features, this "
                             f"version computes {model.n_features}); retrain it with `storyline train-textclean`")
        return model


# Parts of model files trained with experiments measured and removed (BENCHMARKS.md, issue
# 16; the code that trains and reads them is at commit 511dfe2): such a file is refused, not
# read without them (its trees would read features this version does not compute).
_REMOVED_ARRAYS = {"silver_weights": "silver labels (learn.SILVER)",
                   "silver_forest_meta": "silver labels (learn.SILVER)",
                   "stack_forest_meta": "the stacked auto-context stage (learn.STACK)"}


def _refuse_removed(path: str | Path, files: Sequence[str], meta: dict) -> None:
    found = [experiment for name, experiment in _REMOVED_ARRAYS.items() if name in files]
    if meta.get("page_features"):
        found.append("page-level features (learn.PAGE_FEATURES)")
    if meta.get("stopwords"):  # measured and removed later (code at commit c9ece69)
        found.append("stopword density (learn.STOPWORDS)")
    if found:
        raise ValueError(f"{path}: line model trained with an experiment this version no longer supports "
                         f"({', '.join(found)}); retrain it with `storyline train-textclean`")


_SHIPPED: LineModel | None = None


def shipped_model() -> LineModel | None:
    """The model in the package (loaded once), or None when the file is absent."""
    global _SHIPPED
    if _SHIPPED is None and MODEL_PATH.exists():
        _SHIPPED = LineModel.load(MODEL_PATH)
    return _SHIPPED
