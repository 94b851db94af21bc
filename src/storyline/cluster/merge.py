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
after each round (for the pairs that touch a piece that grew: the others' cannot change),
until no pair passes. Passes repeat with fresh candidates until one joins nothing; above
``exact_below`` pieces a later pass queries only the pieces that grew, in a FAISS index kept
up to date across passes (1M articles: 434k pieces, BENCHMARKS.md). The result depends only
on the vectors (and dates), not on the order they came in.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from storyline.cluster.common import (
    GRACE_DAYS,
    HALF_LIFE_DAYS,
    exact_knn,
    first_appearance_labels,
    index_knn,
    ivf_index,
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


def row_dots(u: np.ndarray, a: np.ndarray, b: np.ndarray, block: int = 1 << 12) -> np.ndarray:
    """``u[a] . u[b]`` per pair in float64, in blocks of 4,096 pairs (two 12 MB copies at
    most: memory stays O(block * dim) whatever the corpus)."""
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
        self._index = None  # FAISS index of piece centroids, kept across passes of a fit
        self._indexed = np.zeros(0, dtype=np.int64)

    def candidates(self, sums: np.ndarray, sizes: np.ndarray, live: np.ndarray | None = None,
                   grown: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Unique piece pairs (a < b, positions in ``live``) among each piece's nearest
        centroid directions, at least one side holding two or more articles.

        ``sums``/``sizes`` are those of every piece ever (``live``: the pieces alive, all
        by default). Up to ``exact_below`` live pieces the neighbours are exact; above, a
        FAISS index of the centroids is built on the first call and then kept up to date:
        with ``grown`` (global ids of the pieces that grew since the last call) only those
        are re-indexed and asked for their neighbours (see ``fit_predict``)."""
        live = np.arange(len(sums)) if live is None else live
        m = len(live)
        k = min(self.k, m - 1)

        def directions(ids: np.ndarray) -> np.ndarray:
            c = sums[ids] / np.linalg.norm(sums[ids], axis=1, keepdims=True).clip(min=1e-12)
            return np.ascontiguousarray(c, dtype=np.float32)

        if m <= self.exact_below:
            self._index = None
            src = np.arange(m, dtype=np.int64)
            idx, _ = exact_knn(directions(live), k)
        elif self._index is None or grown is None:
            self._index = ivf_index(directions(live), self.nprobe, self.seed, ids=live)
            self._indexed = live
            src = np.arange(m, dtype=np.int64)
            gid, _ = index_knn(self._index, directions(live), live, k)
            idx = np.where(gid >= 0, np.searchsorted(live, gid), -1)
        else:
            # pieces absorbed or grown leave the index; the grown come back with their
            # new centroid. Those look twice as far: their pairs with pieces that would
            # have them among their own k nearest are found from their side
            self._index.remove_ids(self._stale(live, grown))
            self._index.add_with_ids(directions(grown), grown.astype(np.int64))
            src = np.searchsorted(live, grown).astype(np.int64)
            gid, _ = index_knn(self._index, directions(grown), grown, min(2 * k, m - 1))
            idx = np.where(gid >= 0, np.searchsorted(live, gid), -1)
        a = np.repeat(src, idx.shape[1])
        b = idx.ravel().astype(np.int64)
        ok = (b >= 0) & (b != a)
        a, b = a[ok], b[ok]
        ok = (sizes[live[a]] > 1) | (sizes[live[b]] > 1)
        lo, hi = np.minimum(a[ok], b[ok]), np.maximum(a[ok], b[ok])
        key = np.unique(lo * m + hi)
        return key // m, key % m

    def _stale(self, live: np.ndarray, grown: np.ndarray) -> np.ndarray:
        """Ids in the index that are no longer live, plus the grown ones."""
        indexed = self._indexed
        gone = indexed[~np.isin(indexed, live)]
        self._indexed = live
        return np.concatenate([gone, grown]).astype(np.int64)

    def merge(self, sums: np.ndarray, sizes: np.ndarray, days: np.ndarray | None,
              a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Rounds of merges over candidate pairs (see the comments); returns each piece's root.

        A pair's scores depend only on its two pieces, so after each round only the pairs
        that touch a piece that grew are scored again (the others keep theirs): the result
        is the same as rescoring everything, the cost that of what changed."""
        m = len(sizes)
        root = np.arange(m, dtype=np.int64)
        sizes = sizes.copy()  # sums are updated in place: the caller passes its own
        dsum = None if days is None else np.nan_to_num(days) * sizes
        dcnt = None if days is None else (~np.isnan(days)) * sizes
        coh = cohesion(sums, sizes)
        d = None if days is None else np.where(dcnt > 0, dsum / np.maximum(dcnt, 1), np.nan)
        link, rel = pair_scores(sums, sizes, coh, a, b, d, self.half_life_days,
                                self.grace_days)
        self.rounds_ = 0
        while len(a):
            ok = (link >= self.floor) & (rel >= self.ratio)
            if not ok.any():
                break
            self.rounds_ += 1
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
            grown = np.unique(lo)
            coh[grown] = cohesion(sums[grown], sizes[grown])
            if d is not None and dsum is not None and dcnt is not None:
                np.add.at(dsum, lo, dsum[hi])
                np.add.at(dcnt, lo, dcnt[hi])
                d[grown] = np.where(dcnt[grown] > 0,
                                    dsum[grown] / np.maximum(dcnt[grown], 1), np.nan)
            # follow merged pieces to their new root; drop pairs now inside one piece
            while True:
                nxt = root[root]
                if (nxt == root).all():
                    break
                root = nxt
            a, b = root[a], root[b]
            keep = a != b
            lo2, hi2 = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
            key, first = np.unique(lo2 * m + hi2, return_index=True)
            a, b = key // m, key % m
            link, rel = link[keep][first], rel[keep][first]
            is_grown = np.zeros(m, bool)
            is_grown[grown] = True
            dirty = np.flatnonzero(is_grown[a] | is_grown[b])
            link[dirty], rel[dirty] = pair_scores(sums, sizes, coh, a[dirty], b[dirty], d,
                                                  self.half_life_days, self.grace_days)
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
        # parts of one story in two languages only become each other's nearest once whole.
        # Above ``exact_below`` pieces (FAISS), a later pass asks only for the neighbours of
        # the pieces that grew in the pass before: the pairs of two unchanged pieces were
        # scored already, and scores depend on the two pieces alone
        root = np.arange(len(sizes), dtype=np.int64)
        grown: np.ndarray | None = None  # global ids of the pieces that grew last pass
        self._index = None
        #: per pass (for benchmarks): live pieces, candidate pairs, rounds, seconds
        self.passes_: list[dict] = []
        while True:
            live = np.flatnonzero(sizes > 0)
            if len(live) < 2:
                break
            t0 = time.perf_counter()
            a, b = self.candidates(sums, sizes, live, grown)
            t1 = time.perf_counter()
            sub_sizes = sizes[live].copy()
            sub_sums = sums[live]
            sub_days = None if days is None else days[live]
            sub_root = self.merge(sub_sums, sub_sizes, sub_days, a, b)
            self.passes_.append({"pieces": len(live), "pairs": len(a), "rounds": self.rounds_,
                                 "knn_s": t1 - t0, "merge_s": time.perf_counter() - t1})
            if (sub_root == np.arange(len(live))).all():
                break
            grown = live[np.unique(sub_root[sub_root != np.arange(len(live))])]
            # fold the pass into the full arrays: sums and sizes per surviving root
            new_sums, _ = piece_sums(sums[live], sub_root)  # as np.add.at, in one product
            new_sums = np.concatenate([new_sums, np.zeros(
                (len(live) - len(new_sums), sums.shape[1]), new_sums.dtype)])
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
        self._index = None
        return first_appearance_labels(root[labels])
