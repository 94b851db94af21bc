"""Online story placement with the same threshold semantics as ``GraphClusterer``.

``StreamClusterer.add(vector)`` places one article at once: it looks up the article's ``k``
nearest *member* articles in a FAISS HNSW index (incremental inserts, no training, so it
works from the first article; FAISS is also what the batch clusterer uses), groups them by
story and estimates the average weight between the article and each candidate story S as
``sum(weights to S's members among the k nearest) / |S|`` — the batch rule with missing
pairs counted 0. The article joins the best story if that clears ``threshold``; otherwise it
opens a new story. The index holds member vectors, never story representatives, so a
story's "shape" is never averaged away and nothing has to be re-indexed when stories grow
or merge (membership is a lookup table).

``merge_pass()`` joins stories that have grown together: it runs the batch sparse average
linkage (``graph.average_linkage_rounds``) over the *stories* touched since the last pass,
starting from the current partition, so it only ever merges (never splits). The merged
story keeps the smallest (oldest) index; the absorbed indices are returned and recorded in
``absorbed`` (``resolve(i)`` follows them). Story indices are otherwise stable.

With ``merge_ratio`` set, stories also keep running vector sums: an article that its ``k``
nearest cannot place (a story too large for them) joins the story it is as close to as that
story's own members are to each other (``merge.py``'s rule), and ``settle()`` re-clusters
the touched stories and their neighbours' stories with the batch rules (both levels), so
the final stories do not depend on the order the articles came in; unlike ``merge_pass``,
settling may split a story that placement joined wrongly.

Article indices are 0, 1, 2, ... in order of ``add`` (after ``from_labels``: the rows
given). An ``edge_weight(i, j)`` callback receives such article indices; on ``add`` the new
article's index is ``n_articles`` before the call.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from storyline.cluster.graph import (
    DEFAULT_K,
    GRACE_DAYS,
    HALF_LIFE_DAYS,
    SIMILARITY_THRESHOLD,
    EdgeWeight,
    GraphClusterer,
    average_linkage_rounds,
    check_weights,
    time_decay,
)


class StreamClusterer:
    """Incremental clustering; see the module docstring."""

    def __init__(self, threshold: float = SIMILARITY_THRESHOLD, k: int = DEFAULT_K, *,
                 min_similarity: float | None = None, half_life_days: float = HALF_LIFE_DAYS,
                 grace_days: float = GRACE_DAYS, hnsw_m: int = 32, ef_search: int = 64,
                 ef_construction: int = 64, place_threshold: float | None = None,
                 merge_ratio: float | None = None) -> None:
        # reuse the batch validation so both accept exactly the same settings
        self._batch = GraphClusterer(threshold, k, min_similarity=min_similarity,
                                     half_life_days=half_life_days, grace_days=grace_days,
                                     merge_ratio=merge_ratio)
        self.merge_ratio = merge_ratio
        for name, v in (("hnsw_m", hnsw_m), ("ef_search", ef_search),
                        ("ef_construction", ef_construction)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 2:
                raise ValueError(f"{name} must be an integer >= 2, got {v!r}")
        self.threshold = float(threshold)
        # Placement may demand more than merging: an article placed on thin evidence cannot
        # leave its story later (merge passes never split), while one that opened its own
        # story still joins the right one at the next merge pass.
        self.place_threshold = float(threshold if place_threshold is None else place_threshold)
        if not self.threshold <= self.place_threshold <= 1.0:
            raise ValueError(f"place_threshold must be in [threshold, 1], got {place_threshold}")
        self.k = int(k)
        self.min_similarity = min_similarity
        self.half_life_days = float(half_life_days)
        self.grace_days = float(grace_days)
        self.hnsw_m, self.ef_search, self.ef_construction = hnsw_m, ef_search, ef_construction
        self._index: Any = None  # faiss.IndexHNSWFlat, created on the first vector
        self._dim: int | None = None
        self._vectors = np.zeros((0, 0), dtype=np.float32)
        self._dates = np.zeros(0, dtype=np.float64)
        self._story = np.zeros(0, dtype=np.int64)  # article -> current story index
        self._n = 0
        self.members: dict[int, list[int]] = {}   # live story -> article indices
        self.absorbed: dict[int, int] = {}         # absorbed story -> story it joined
        self._next_story = 0
        self._dirty: set[int] = set()              # stories changed since the last pass
        # per live story: vector sum, sum and count of known dates (the second level's
        # dense linkage and cohesion come from these, whatever the story's size)
        self._sums: dict[int, np.ndarray] = {}
        self._dsum: dict[int, float] = {}
        self._dcnt: dict[int, int] = {}

    # -- state --------------------------------------------------------------------------
    @property
    def n_articles(self) -> int:
        return self._n

    @property
    def n_stories(self) -> int:
        return len(self.members)

    def labels(self) -> np.ndarray:
        """Current story index of every article, in article order."""
        return self._story[: self._n].copy()

    def resolve(self, story: int) -> int:
        """The live story a (possibly absorbed) story index now belongs to."""
        while story in self.absorbed:
            story = self.absorbed[story]
        return story

    def _ensure(self, dim: int, extra: int) -> None:
        import faiss

        if self._index is None:
            self._dim = dim
            self._index = faiss.IndexHNSWFlat(dim, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            self._index.hnsw.efConstruction = self.ef_construction
            self._index.hnsw.efSearch = self.ef_search
            self._vectors = np.zeros((max(1024, extra), dim), dtype=np.float32)
            self._dates = np.full(len(self._vectors), np.nan)
            self._story = np.full(len(self._vectors), -1, dtype=np.int64)
        elif dim != self._dim:
            raise ValueError(f"vector has {dim} dimensions, the index has {self._dim}")
        need = self._n + extra
        if need > len(self._vectors):
            cap = max(need, 2 * len(self._vectors))
            grow = cap - len(self._vectors)
            self._vectors = np.concatenate([self._vectors, np.zeros((grow, dim), np.float32)])
            self._dates = np.concatenate([self._dates, np.full(grow, np.nan)])
            self._story = np.concatenate([self._story, np.full(grow, -1, np.int64)])

    @classmethod
    def from_labels(cls, vectors: np.ndarray, labels: np.ndarray, dates: np.ndarray | None = None,
                    **params) -> StreamClusterer:
        """Rebuild the state from existing articles and their story indices (labels >= 0 are
        kept as the story indices; new stories continue after the largest)."""
        self = cls(**params)
        x = np.asarray(vectors, dtype=np.float32)
        lab = np.asarray(labels).ravel()
        if x.ndim != 2 or len(x) != len(lab):
            raise ValueError(f"need (n, dim) vectors and n labels, got {x.shape} and {lab.shape}")
        if len(lab) and (lab.dtype.kind not in "iu" or lab.min() < 0):
            raise ValueError("labels must be non-negative integers")
        if len(x) == 0:
            return self
        x = x / np.linalg.norm(x, axis=1, keepdims=True).clip(min=1e-12)
        self._ensure(x.shape[1], len(x))
        n = len(x)
        self._vectors[:n] = x
        if dates is not None:
            d = np.asarray(dates, dtype=np.float64).ravel()
            if len(d) != n:
                raise ValueError(f"{n} vectors but {len(d)} dates")
            self._dates[:n] = d
        self._story[:n] = lab
        self._index.add(x)
        self._n = n
        order = np.argsort(lab, kind="stable")
        bounds = np.flatnonzero(np.diff(lab[order])) + 1
        for grp in np.split(order, bounds):
            self.members[int(lab[grp[0]])] = grp.tolist()
            self._account(int(lab[grp[0]]), grp)
        self._next_story = int(lab.max()) + 1
        return self

    def _account(self, story: int, rows: np.ndarray) -> None:
        """Add articles ``rows`` to a story's running sums."""
        if story not in self._sums:
            self._sums[story] = np.zeros(self._vectors.shape[1], dtype=np.float64)
            self._dsum[story], self._dcnt[story] = 0.0, 0
        self._sums[story] += self._vectors[rows].sum(axis=0, dtype=np.float64)
        d = self._dates[rows]
        known = ~np.isnan(d)
        self._dsum[story] += float(d[known].sum())
        self._dcnt[story] += int(known.sum())

    def _story_day(self, story: int) -> float:
        c = self._dcnt.get(story, 0)
        return self._dsum[story] / c if c else float("nan")

    def _dense_place(self, v: np.ndarray, date: float, cand: np.ndarray) -> int:
        """The second level's rule for one article against candidate stories: the best
        story (by linkage relative to its cohesion) the article is as close to as its own
        members are to each other; -1 if none."""
        cand = np.array([c for c in cand.tolist() if len(self.members[c]) > 1], dtype=np.int64)
        if not len(cand):
            return -1
        sums = np.stack([self._sums[c] for c in cand.tolist()])
        sizes = np.array([len(self.members[c]) for c in cand.tolist()], dtype=np.float64)
        link = sums @ v.astype(np.float64) / sizes
        days = np.array([self._story_day(c) for c in cand.tolist()])
        link = link * time_decay(date - days, self.half_life_days, self.grace_days)
        coh = (np.einsum("ij,ij->i", sums, sums) - sizes) / (sizes * (sizes - 1))
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = np.where(coh > 0, link / coh, -np.inf)
        ratio = self.merge_ratio if self.merge_ratio is not None else np.inf
        ok = (link >= self.threshold) & (rel >= ratio)
        if not ok.any():
            return -1
        return int(cand[np.flatnonzero(ok)[np.argmax(rel[ok])]])

    # -- placement ------------------------------------------------------------------------
    def _weights(self, new: np.ndarray, nbr: np.ndarray, sim: np.ndarray,
                 edge_weight: EdgeWeight | None) -> np.ndarray:
        if edge_weight is None:
            w = np.clip(sim.astype(np.float64), 0.0, 1.0)
        else:
            w = check_weights(edge_weight(new, nbr), len(nbr))
        d = self._dates[new] - self._dates[nbr]
        return w * time_decay(d, self.half_life_days, self.grace_days)

    def add(self, vector: np.ndarray, date: float | None = None,
            edge_weight: EdgeWeight | None = None) -> int:
        """Place one article; returns its story index (an existing story or a new one)."""
        v = np.asarray(vector, dtype=np.float32).ravel()
        if not np.isfinite(v).all():
            raise ValueError("vector contains NaN or infinite values")
        v = v / max(float(np.linalg.norm(v)), 1e-12)
        if date is not None and np.isinf(date):
            raise ValueError("date must be a finite number of days, NaN or None")
        self._ensure(len(v), 1)
        a = self._n
        self._dates[a] = np.nan if date is None else float(date)
        story = -1
        if a:
            sim, nbr = self._index.search(v[None, :], min(self.k, a))
            sim, nbr = sim[0], nbr[0]
            ok = nbr >= 0
            if self.min_similarity is not None:
                ok &= sim >= self.min_similarity
            sim, nbr = sim[ok], nbr[ok]
            if len(nbr):
                w = self._weights(np.full(len(nbr), a), nbr, sim, edge_weight)
                stories = self._story[nbr]
                cand, inv = np.unique(stories, return_inverse=True)
                sums = np.bincount(inv, weights=w)
                sizes = np.array([len(self.members[s]) for s in cand], dtype=np.float64)
                mean = sums / sizes
                best = int(np.argmax(mean))  # ties -> smallest story index (cand is sorted)
                if mean[best] >= self.place_threshold:
                    story = int(cand[best])
                elif self.merge_ratio is not None:  # a story too large for its k nearest
                    story = self._dense_place(v, self._dates[a], cand)
        if story < 0:
            story = self._next_story
            self._next_story += 1
            self.members[story] = []
        self._vectors[a] = v
        self._story[a] = story
        self.members[story].append(a)
        self._account(story, np.array([a]))
        self._index.add(v[None, :])
        self._n += 1
        self._dirty.add(story)
        return story

    def touch_all(self) -> None:
        """Let the next merge pass consider every story (after a rebuild from labels)."""
        self._dirty = set(self.members)

    # -- merging --------------------------------------------------------------------------
    def merge_pass(self, edge_weight: EdgeWeight | None = None) -> dict[int, int]:
        """Merge stories (touched since the last pass) whose average linkage clears the
        threshold. Returns ``{absorbed story: story it joined}``; never splits a story."""
        dirty = sorted(s for s in self._dirty if s in self.members)
        self._dirty.clear()
        if not dirty or self._n < 2:
            return {}
        merged = self._apply(self._graph_merges(dirty, edge_weight))
        if self.merge_ratio is not None:
            touched = sorted({self.resolve(s) for s in dirty})
            merged.update(self._apply(self._piece_merges(touched)))
        return {src: self.resolve(dst) for src, dst in merged.items()}

    def settle(self) -> tuple[dict[int, int], dict[int, int]]:
        """Re-cluster, with the batch rules, the stories touched since the last pass and every
        story holding one of their articles' ``k`` nearest neighbours; the region's new
        partition replaces the old one. Placement is provisional (one article at a time,
        in arrival order); settling makes the stories those of a batch run over the same
        articles, whatever the order they came in.

        Returns ``(moved, absorbed)``: article -> new story index for every article whose
        story changed, and story -> the story that took most of its articles for every
        story that no longer exists. A story keeps its index when it keeps most of its
        articles (greedy by overlap, like ``ids.assign_story_ids``)."""
        dirty = sorted(s for s in self._dirty if s in self.members)
        self._dirty.clear()
        if not dirty or self._n < 2:
            return {}, {}
        arts = np.concatenate([np.asarray(self.members[s], dtype=np.int64) for s in dirty])
        kk = min(self.k + 1, self._n)
        region = set(dirty)
        for s0 in range(0, len(arts), 4096):
            _, nbr = self._index.search(self._vectors[arts[s0:s0 + 4096]], kk)
            region.update(np.unique(self._story[nbr[nbr >= 0]]).tolist())
        old = sorted(region)
        rows = np.concatenate([np.asarray(self.members[s], dtype=np.int64) for s in old])
        dates = self._dates[rows]
        labels = self._batch.fit_predict(self._vectors[rows],
                                         dates=None if np.isnan(dates).all() else dates)
        before = self._story[rows]
        # greedy overlap: the (new group, old story) pairs sharing most articles first
        pairs: dict[tuple[int, int], int] = {}
        for g, o in zip(labels.tolist(), before.tolist()):
            pairs[(g, o)] = pairs.get((g, o), 0) + 1
        keep: dict[int, int] = {}
        used: set[int] = set()
        for (g, o), _ in sorted(pairs.items(), key=lambda t: (-t[1], t[0][1], t[0][0])):
            if g not in keep and o not in used:
                keep[g] = o
                used.add(o)
        for g in sorted(set(labels.tolist()) - set(keep)):
            keep[g] = self._next_story
            self._next_story += 1
        after = np.array([keep[g] for g in labels.tolist()], dtype=np.int64)
        moved = {int(a): int(t) for a, f, t in zip(rows, before, after) if f != t}
        # rebuild the region's stories
        for sid in old:
            self.members.pop(sid, None)
            self._sums.pop(sid, None)
            self._dsum.pop(sid, None)
            self._dcnt.pop(sid, None)
        self._story[rows] = after
        order = np.argsort(after, kind="stable")
        bounds = np.flatnonzero(np.diff(after[order])) + 1
        for grp in np.split(order, bounds):
            sid = int(after[grp[0]])
            members = np.sort(rows[grp])
            self.members[sid] = members.tolist()
            self._account(sid, members)
        absorbed: dict[int, int] = {}
        for sid in old:
            if sid not in self.members:
                took = after[before == sid]
                vals, counts = np.unique(took, return_counts=True)
                absorbed[sid] = int(vals[np.argmax(counts)])
                self.absorbed[sid] = absorbed[sid]
        return moved, absorbed

    def _graph_merges(self, dirty: list[int], edge_weight: EdgeWeight | None) -> dict[int, int]:
        """The first level over the touched stories: sparse average linkage of k-NN edges."""
        arts = np.concatenate([np.asarray(self.members[s], dtype=np.int64) for s in dirty])
        kk = min(self.k + 1, self._n)
        sim, nbr = self._index.search(self._vectors[arts], kk)
        i = np.repeat(arts, kk)
        j, s = nbr.ravel().astype(np.int64), sim.ravel()
        ok = (j >= 0) & (j != i)
        if self.min_similarity is not None:
            ok &= s >= self.min_similarity
        i, j, s = i[ok], j[ok], s[ok]
        si, sj = self._story[i], self._story[j]
        cross = si != sj
        i, j, s, si, sj = i[cross], j[cross], s[cross], si[cross], sj[cross]
        if not len(i):
            return {}
        lo, hi = np.minimum(i, j), np.maximum(i, j)  # one edge per article pair
        _, first = np.unique(lo * self._n + hi, return_index=True)
        i, j, s, si, sj = i[first], j[first], s[first], si[first], sj[first]
        w = self._weights(i, j, s, edge_weight)
        node_story, inv = np.unique(np.concatenate([si, sj]), return_inverse=True)
        ni, nj = inv[: len(si)], inv[len(si):]
        sizes = np.array([len(self.members[int(t)]) for t in node_story], dtype=np.float64)
        root = average_linkage_rounds(ni, nj, w, sizes, self.threshold)
        merged: dict[int, int] = {}
        for node, r in enumerate(root):
            if r != node:
                merged[int(node_story[node])] = int(node_story[r])  # dst is the oldest
        return merged

    def _piece_merges(self, touched: list[int]) -> dict[int, int]:
        """The second level (``merge.PieceMerger``) between the touched stories and their
        nearest stories by centroid; each group keeps its oldest (smallest) index."""
        live = sorted(self.members)
        if len(live) < 2:
            return {}
        pos = {sid: k for k, sid in enumerate(live)}
        sums = np.stack([self._sums[sid] for sid in live])
        sizes = np.array([len(self.members[sid]) for sid in live], dtype=np.float64)
        days = np.array([self._story_day(sid) for sid in live])
        merger = self._batch.piece_merger()
        unit = (sums / np.linalg.norm(sums, axis=1, keepdims=True).clip(min=1e-12)).astype(
            np.float32)
        q = np.array([pos[t] for t in touched], dtype=np.int64)
        kk = min(merger.k + 1, len(live))
        a_list, b_list = [], []
        for s0 in range(0, len(q), 4096):
            rows = q[s0:s0 + 4096]
            blk = unit[rows] @ unit.T
            near = np.argpartition(-blk, kk - 1, axis=1)[:, :kk]
            a_list.append(np.repeat(rows, kk))
            b_list.append(near.ravel())
        a, b = np.concatenate(a_list), np.concatenate(b_list)
        ok = (a != b) & ((sizes[a] > 1) | (sizes[b] > 1))
        m = len(live)
        lo, hi = np.minimum(a[ok], b[ok]), np.maximum(a[ok], b[ok])
        key = np.unique(lo * m + hi)
        root = merger.merge(sums, sizes, days, key // m, key % m)
        groups: dict[int, list[int]] = {}
        for node, r in enumerate(root):
            groups.setdefault(int(r), []).append(live[node])
        merged: dict[int, int] = {}
        for members in groups.values():
            dst = min(members)
            merged.update({src: dst for src in members if src != dst})
        return merged

    def _apply(self, merged: dict[int, int]) -> dict[int, int]:
        """Move the absorbed stories' articles (and sums) into the stories they joined."""
        for src, dst in sorted(merged.items()):
            dst = self.resolve(dst)
            if src == dst or src not in self.members:
                continue
            moved = self.members.pop(src)
            self._story[moved] = dst
            self.members[dst].extend(moved)
            self._sums[dst] += self._sums.pop(src)
            self._dsum[dst] += self._dsum.pop(src)
            self._dcnt[dst] += self._dcnt.pop(src)
            self.absorbed[src] = dst
            self._dirty.add(dst)
        for dst in {self.resolve(d) for d in merged.values()}:
            self.members[dst].sort()
        return merged
