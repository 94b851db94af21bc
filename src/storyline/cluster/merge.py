"""Second level of clustering: join the pieces of a story too large for a k-NN graph.

The graph clusterer (``graph.py``) measures a story's cohesion with its articles' ``k``
nearest neighbours, the other pairs counting 0, so a story of more than about
``k / threshold`` articles falls apart into pieces, each a tight group of mutual neighbours.
Nothing is wrong with those pieces except their number; what joins them is that, taken
whole, they look like one story:

* their **dense average linkage** (the mean cosine over *all* pairs across the two pieces,
  ``S_A . S_B / (|A| |B|)`` from the pieces' vector sums, so no pair is ever counted as 0)
  reaches ``floor`` — the same bar as the graph's, now with the real cosines; and
* it is **consistent with their own cohesion**: the mean cross cosine is at least ``ratio``
  times the geometric mean of the two pieces' mean internal cosines. Two halves of one story
  are as similar to each other as to themselves (ratio near 1, whatever their size); two
  events of one topic (two earthquakes) are less similar across than within, which is what
  keeps them apart — the property the sparse graph had, now without its size ceiling.

A single article has no cohesion of its own: against a piece it is judged by the piece's.
Two single articles are left to the graph. Candidate pairs are each piece's ``k`` nearest
pieces by centroid direction (FAISS above ``exact_below``), fixed for the whole pass; the
merging runs in rounds of mutual best pairs, with sums, sizes and scores recomputed exactly
after each round, until no pair passes. The result depends only on the vectors (and dates),
not on the order they came in.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from storyline.cluster.common import (
    GRACE_DAYS,
    HALF_LIFE_DAYS,
    exact_knn,
    first_appearance_labels,
    ivf_knn,
    time_decay,
)

#: Mean cross cosine, relative to the pieces' own cohesion, needed to join two pieces.
#: Chosen on half of the ECB+ dev topics (benchmarks/choose_merge.py); see BENCHMARKS.md.
MERGE_RATIO = 0.85
#: Centroid neighbours per piece proposed as merge candidates.
MERGE_K = 10


def piece_sums(x: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vector sums (m, dim, float32) and sizes (m,) of the pieces ``labels`` = 0..m-1."""
    m = int(labels.max()) + 1 if len(labels) else 0
    member = sp.csr_matrix((np.ones(len(labels), np.float32), (labels, np.arange(len(labels)))),
                           shape=(m, len(labels)))
    sums = np.asarray(member @ np.asarray(x, dtype=np.float32), dtype=np.float32)
    return sums, np.bincount(labels, minlength=m).astype(np.float64)


def row_dots(u: np.ndarray, a: np.ndarray, b: np.ndarray, block: int = 1 << 16) -> np.ndarray:
    """``u[a] . u[b]`` per pair in float64, in blocks (memory stays O(block * dim))."""
    out = np.empty(len(a), dtype=np.float64)
    for s in range(0, len(a), block):
        e = min(len(a), s + block)
        out[s:e] = np.einsum("ij,ij->i", u[a[s:e]].astype(np.float64),
                             u[b[s:e]].astype(np.float64))
    return out


def cohesion(sums: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Mean cosine over a piece's distinct pairs (unit rows); NaN for single articles."""
    idx = np.arange(len(sums))
    sq = row_dots(sums, idx, idx)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sizes > 1, (sq - sizes) / (sizes * (sizes - 1)), np.nan)


def pair_scores(sums: np.ndarray, sizes: np.ndarray, coh: np.ndarray, a: np.ndarray,
                b: np.ndarray, days: np.ndarray | None, half_life: float,
                grace: float) -> tuple[np.ndarray, np.ndarray]:
    """(dense average linkage, linkage / expected cohesion) of piece pairs ``(a, b)``."""
    link = row_dots(sums, a, b) / (sizes[a] * sizes[b])
    if days is not None:
        link = link * time_decay(days[a] - days[b], half_life, grace)
    ca, cb = coh[a], coh[b]
    expect = np.where(np.isnan(ca), cb, np.where(np.isnan(cb), ca, np.sqrt(
        np.clip(ca, 0, None) * np.clip(cb, 0, None))))
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(expect > 0, link / expect, np.nan)
    return link, rel


class PieceMerger:
    """``fit_predict(x, labels, dates=None)``: join pieces of one story; returns new labels
    (0..m'-1, first appearance). ``x`` are unit rows, ``labels`` a first-level partition."""

    def __init__(self, floor: float, ratio: float = MERGE_RATIO, k: int = MERGE_K, *,
                 half_life_days: float = HALF_LIFE_DAYS, grace_days: float = GRACE_DAYS,
                 exact_below: int = 20000, nprobe: int = 16, seed: int = 0) -> None:
        if not 0.0 < floor <= 1.0:
            raise ValueError(f"floor (mean cosine to join) must be in (0, 1], got {floor!r}")
        if not 0.0 < ratio <= 1.5:
            raise ValueError(f"ratio must be in (0, 1.5], got {ratio!r}")
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k must be an integer >= 1, got {k!r}")
        self.floor, self.ratio, self.k = float(floor), float(ratio), int(k)
        self.half_life_days, self.grace_days = float(half_life_days), float(grace_days)
        self.exact_below, self.nprobe, self.seed = int(exact_below), int(nprobe), seed

    def candidates(self, sums: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unique piece pairs (a < b) among each piece's nearest centroid directions, at
        least one side holding two or more articles."""
        m = len(sums)
        k = min(self.k, m - 1)
        c = sums / np.linalg.norm(sums, axis=1, keepdims=True).clip(min=1e-12)
        c = np.ascontiguousarray(c, dtype=np.float32)
        idx, _ = exact_knn(c, k) if m <= self.exact_below else ivf_knn(c, k, self.nprobe,
                                                                       self.seed)
        a = np.repeat(np.arange(m, dtype=np.int64), idx.shape[1])
        b = idx.ravel().astype(np.int64)
        ok = (b >= 0) & (b != a)
        a, b = a[ok], b[ok]
        ok = (sizes[a] > 1) | (sizes[b] > 1)
        lo, hi = np.minimum(a[ok], b[ok]), np.maximum(a[ok], b[ok])
        key = np.unique(lo * m + hi)
        return key // m, key % m

    def merge(self, sums: np.ndarray, sizes: np.ndarray, days: np.ndarray | None,
              a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Rounds of merges over candidate pairs (see the comments); returns each piece's root."""
        m = len(sizes)
        root = np.arange(m, dtype=np.int64)
        sizes = sizes.copy()  # sums are updated in place: the caller passes its own
        dsum = None if days is None else np.nan_to_num(days) * sizes
        dcnt = None if days is None else (~np.isnan(days)) * sizes
        while len(a):
            coh = cohesion(sums, sizes)
            d = None if days is None else np.where(dcnt > 0, dsum / np.maximum(dcnt, 1), np.nan)
            link, rel = pair_scores(sums, sizes, coh, a, b, d, self.half_life_days,
                                    self.grace_days)
            ok = (link >= self.floor) & (rel >= self.ratio)
            if not ok.any():
                break
            pa, pb, score = a[ok], b[ok], rel[ok]
            # each piece's best partner (ties: smallest index)
            ends = np.concatenate([pa, pb])
            other = np.concatenate([pb, pa])
            sc = np.concatenate([score, score])
            order = np.lexsort((other, -sc, ends))
            first = np.ones(len(order), bool)
            first[1:] = ends[order][1:] != ends[order][:-1]
            best = np.full(m, -1, dtype=np.int64)
            best[ends[order][first]] = other[order][first]
            # a piece stays this round unless its best partner is larger (or, for a mutual
            # pair of equal size, has the smaller index); movers join partners that stay, so
            # a piece is only ever joined to the piece it was checked against (no chains),
            # and a large piece absorbs all the small ones that chose it in one round
            node = np.arange(m)
            has = best >= 0
            tgt = np.where(has, best, node)
            bigger = (sizes[tgt] > sizes) | ((sizes[tgt] == sizes) & (tgt < node))
            moves = has & bigger
            hi = np.flatnonzero(moves & ~moves[tgt])
            if not len(hi):
                break
            lo = best[hi]
            np.add.at(sums, lo, sums[hi])
            np.add.at(sizes, lo, sizes[hi])
            root[hi] = lo
            sizes[hi] = 0
            if dsum is not None and dcnt is not None:
                np.add.at(dsum, lo, dsum[hi])
                np.add.at(dcnt, lo, dcnt[hi])
            # follow merged pieces to their new root; drop pairs now inside one piece
            while True:
                nxt = root[root]
                if (nxt == root).all():
                    break
                root = nxt
            a, b = root[a], root[b]
            keep = a != b
            lo2, hi2 = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
            key = np.unique(lo2 * m + hi2)
            a, b = key // m, key % m
        return root

    def fit_predict(self, x: np.ndarray, labels: np.ndarray,
                    dates: np.ndarray | None = None) -> np.ndarray:
        labels = first_appearance_labels(labels)
        if len(labels) < 2 or labels.max() == 0:
            return labels
        sums, sizes = piece_sums(x, labels)
        days = None
        if dates is not None:
            d = np.asarray(dates, dtype=np.float64)
            known = ~np.isnan(d)
            dsum = np.bincount(labels[known], weights=d[known], minlength=len(sizes))
            dcnt = np.bincount(labels[known], minlength=len(sizes))
            with np.errstate(invalid="ignore", divide="ignore"):
                days = np.where(dcnt > 0, dsum / np.maximum(dcnt, 1), np.nan)
        # candidates are recomputed among the merged pieces until a fresh set joins nothing:
        # the first pieces' nearest centroids are often pieces of their own language, and the
        # parts of one story in two languages only become each other's nearest once whole
        root = np.arange(len(sizes), dtype=np.int64)
        while True:
            live = np.flatnonzero(sizes > 0)
            if len(live) < 2:
                break
            a, b = self.candidates(sums[live], sizes[live])
            sub_sizes = sizes[live].copy()
            sub_sums = sums[live]
            sub_days = None if days is None else days[live]
            sub_root = self.merge(sub_sums, sub_sizes, sub_days, a, b)
            if (sub_root == np.arange(len(live))).all():
                break
            # fold the pass into the full arrays: sums and sizes per surviving root
            new_sums = np.zeros_like(sums[live])
            np.add.at(new_sums, sub_root, sums[live])
            new_sizes = np.bincount(sub_root, weights=sizes[live], minlength=len(live))
            if days is not None:
                known = ~np.isnan(days[live])
                w = np.where(known, sizes[live], 0.0)
                dsum = np.bincount(sub_root, weights=np.where(known, days[live], 0.0) * w,
                                   minlength=len(live))
                dcnt = np.bincount(sub_root, weights=w, minlength=len(live))
                with np.errstate(invalid="ignore", divide="ignore"):
                    days[live] = np.where(dcnt > 0, dsum / np.maximum(dcnt, 1e-12), np.nan)
            sums[live] = new_sums
            sizes[live] = new_sizes
            root[np.isin(root, live)] = live[sub_root[np.searchsorted(live, root[
                np.isin(root, live)])]]
        return first_appearance_labels(root[labels])
