"""Pieces both clustering levels use: neighbour search, time decay, label order."""

from __future__ import annotations

import numpy as np

#: Time decay: no penalty within ``GRACE_DAYS``, then the edge weight halves every
#: ``HALF_LIFE_DAYS``. Not calibrated (no dated benchmark yet); chosen so one news cycle
#: (a few days) is free and articles a month apart need ~4x the similarity to link.
HALF_LIFE_DAYS = 14.0
GRACE_DAYS = 3.0


def time_decay(days_apart: np.ndarray, half_life_days: float = HALF_LIFE_DAYS,
               grace_days: float = GRACE_DAYS) -> np.ndarray:
    """Edge multiplier for articles ``days_apart`` days apart: ``0.5 ** (max(0, d - grace) /
    half_life)``; 1.0 where the gap is NaN (a date unknown), never penalising unknowns."""
    d = np.abs(np.asarray(days_apart, dtype=np.float64))
    with np.errstate(invalid="ignore"):
        f = 0.5 ** (np.maximum(d - grace_days, 0.0) / half_life_days)
    return np.where(np.isnan(d), 1.0, f)


def first_appearance_labels(labels: np.ndarray) -> np.ndarray:
    """Relabel to 0..m-1 in order of first appearance."""
    labels = np.asarray(labels)
    if len(labels) == 0:
        return np.zeros(0, dtype=np.int64)
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[inverse.ravel()]


#: Most similarities one block of the exact k-NN holds at once (4 MB of float32, plus the
#: argpartition's int64 indices): peak memory stays flat as the corpus grows.
KNN_BLOCK_ELEMENTS = 1 << 20


def exact_knn(x: np.ndarray, k: int, block: int | None = None
              ) -> tuple[np.ndarray, np.ndarray]:
    """(indices, similarities), shape (n, k): each row's k most similar other rows."""
    n = len(x)
    k = min(k, n - 1)
    if block is None:
        block = max(1, min(4096, KNN_BLOCK_ELEMENTS // max(n, 1)))
    idx = np.empty((n, k), dtype=np.int64)
    sim = np.empty((n, k), dtype=np.float32)
    for s in range(0, n, block):
        e = min(n, s + block)
        blk = x[s:e] @ x.T
        blk[np.arange(e - s), np.arange(s, e)] = -np.inf  # not its own neighbour
        # the k largest, without a negated copy of the block
        part = (np.argpartition(blk, n - k, axis=1)[:, n - k:] if k < n
                else np.argsort(blk, 1)[:, ::-1])
        idx[s:e] = part
        sim[s:e] = np.take_along_axis(blk, part, axis=1)
    return idx, sim


def ivf_index(x: np.ndarray, nprobe: int, seed: int = 0, ids: np.ndarray | None = None):
    """A FAISS IVF-Flat index (inner product) over the rows ``x`` (labelled ``ids``, default
    0..n-1), trained on a fixed sample of them, ``nprobe`` lists scanned per query."""
    import faiss

    n, dim = x.shape
    nlist = int(max(16, min(4 * np.sqrt(n), n // 39)))
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    index.cp.seed = seed
    index.cp.niter = 12
    index.cp.max_points_per_centroid = 64
    rng = np.random.default_rng(seed)
    sample = x[np.sort(rng.choice(n, size=min(n, nlist * 64), replace=False))]
    index.train(sample)
    if ids is None:
        index.add(x)
    else:
        index.add_with_ids(x, np.asarray(ids, dtype=np.int64))
    index.nprobe = min(nprobe, nlist)
    return index


def index_knn(index, x: np.ndarray, ids: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """k nearest of the rows ``x`` (whose own labels are ``ids``) in ``index``, self
    removed (or, when self was not returned, the last neighbour); -1 pads."""
    q = len(x)
    idx = np.empty((q, k), dtype=np.int64)
    sim = np.empty((q, k), dtype=np.float32)
    block = 65536
    for s in range(0, q, block):
        e = min(q, s + block)
        d, i = index.search(np.ascontiguousarray(x[s:e]), k + 1)
        own = i == np.asarray(ids[s:e])[:, None]
        drop = np.where(own.any(axis=1), own.argmax(axis=1), k)
        keep = np.ones_like(own)
        keep[np.arange(e - s), drop] = False
        idx[s:e] = i[keep].reshape(e - s, k)
        sim[s:e] = d[keep].reshape(e - s, k)
    return idx, sim


def ivf_knn(x: np.ndarray, k: int, nprobe: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Approximate k-NN of every row with FAISS IVF-Flat (inner product), self removed."""
    index = ivf_index(x, nprobe, seed)
    out = index_knn(index, x, np.arange(len(x)), k)
    del index
    return out
