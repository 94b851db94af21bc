"""Gradient-boosted trees as padded arrays, evaluated with numpy alone.

Both learned models export their scikit-learn trees here: the text cleaner's line model
(classifier, ``clean.linemodel``) and the same-story scorer (regressor, ``scorer``). All rows
and all trees are walked together, one tree level a step; features are compared in the
precision scikit-learn uses (float32 for GradientBoosting, float64 for HistGradientBoosting),
so the output matches ``decision_function`` / ``predict``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np


def node_lists(model) -> list[dict[str, list]]:
    """Per tree of a fitted scikit-learn gradient-boosting model: its node arrays as lists
    (``left``, ``right``, ``feature``, ``threshold``, ``value``; children -1 at leaves)."""
    out = []
    for est in model.estimators_[:, 0]:
        t = est.tree_
        out.append({"left": t.children_left.tolist(), "right": t.children_right.tolist(),
                    "feature": t.feature.tolist(), "threshold": t.threshold.tolist(),
                    "value": t.value[:, 0, 0].tolist()})
    return out


def hgb_nodes(model) -> tuple[float, float, list[dict[str, list]]]:
    """(base, rate, node lists) of a fitted HistGradientBoostingRegressor, in the format of
    ``node_lists`` (its leaf values already include the learning rate). Features without
    missing values only: a split sends ``x <= threshold`` left, as in scikit-learn."""
    out = []
    for (pred,) in model._predictors:
        nodes = pred.nodes
        leaf = nodes["is_leaf"].astype(bool)
        out.append({"left": np.where(leaf, -1, nodes["left"].astype(np.int64)).tolist(),
                    "right": np.where(leaf, -1, nodes["right"].astype(np.int64)).tolist(),
                    "feature": nodes["feature_idx"].tolist(),
                    "threshold": nodes["num_threshold"].tolist(),
                    "value": nodes["value"].tolist()})
    return float(np.ravel(model._baseline_prediction)[0]), 1.0, out


def _depth(left: np.ndarray, right: np.ndarray) -> int:
    """Depth of a tree whose children come after their parent (scikit-learn's node order)."""
    depth = np.zeros(len(left), int)
    for i in np.flatnonzero(left >= 0):
        depth[left[i]] = depth[right[i]] = depth[i] + 1
    return int(depth.max()) if len(depth) else 0


@dataclass
class Forest:
    """Boosted trees as padded arrays, evaluated for all rows and all trees at once."""

    feature: np.ndarray  # (trees, nodes) int
    threshold: np.ndarray  # (trees, nodes) float; +inf at leaves (always "left" = itself)
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray  # (trees, nodes) leaf values times the learning rate
    base: float
    depth: int
    # scikit-learn's GradientBoosting trees compare features in float32, HistGradientBoosting
    # in float64
    float64: bool = False
    _flat: tuple = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Flat node vectors for ``logit``; child of flat node k: child[2k] right, child[2k+1] left."""
        trees, size = self.feature.shape
        off = (np.arange(trees) * size)[:, None]
        child = np.stack([(self.right + off).ravel(), (self.left + off).ravel()], axis=1).ravel()
        # In float32, a threshold rounded *down* to float32 gives the same x <= threshold for
        # every float32 x, without upcasting x.
        thr: np.ndarray = self.threshold.ravel().astype(np.float64)
        if not self.float64:
            down = thr.astype(np.float32)
            up = down.astype(np.float64) > thr
            down[up] = np.nextafter(down[up], np.float32(-np.inf))
            thr = down
        self._flat = (self.feature.ravel().astype(np.int32), thr, child.astype(np.int32),
                      self.value.ravel(), off.ravel().astype(np.int32))

    @classmethod
    def from_sklearn(cls, model) -> Forest:
        """A fitted GradientBoostingClassifier (binary, log-loss) or GradientBoostingRegressor."""
        init = model.init_
        if hasattr(init, "class_prior_"):  # classifier: the prior log-odds
            prior = float(np.clip(init.class_prior_[1], 1e-6, 1 - 1e-6))
            base = float(np.log(prior / (1 - prior)))
        else:  # regressor: the constant first guess
            base = float(np.ravel(init.constant_)[0])
        return cls.from_nodes(node_lists(model), float(model.learning_rate), base)

    @classmethod
    def from_nodes(cls, trees: Sequence[Mapping[str, Sequence]], rate: float, base: float,
                   float64: bool = False) -> Forest:
        """Trees as scikit-learn stores them (``left``/``right`` -1 at leaves), padded to one size."""
        size = max(len(t["left"]) for t in trees)
        shape = (len(trees), size)
        feature = np.zeros(shape, np.int32)
        threshold = np.full(shape, np.inf)
        left = np.tile(np.arange(size, dtype=np.int32), (len(trees), 1))
        right = left.copy()
        value = np.zeros(shape)
        depth = 0
        for k, t in enumerate(trees):
            kids_l, kids_r = np.asarray(t["left"]), np.asarray(t["right"])
            m = len(kids_l)
            inner = kids_l >= 0
            feature[k, :m] = np.where(inner, t["feature"], 0)
            threshold[k, :m] = np.where(inner, t["threshold"], np.inf)
            left[k, :m] = np.where(inner, kids_l, np.arange(m))
            right[k, :m] = np.where(inner, kids_r, np.arange(m))
            value[k, :m] = np.where(inner, 0.0, np.asarray(t["value"], float) * rate)
            depth = max(depth, _depth(kids_l, kids_r))
        return cls(feature, threshold, left, right, value, base, depth, float64)

    def logit(self, x: np.ndarray) -> np.ndarray:
        """Base plus the summed tree outputs per row (log-odds for a classifier, the prediction
        for a regressor); all trees walked together, one level a step."""
        n, trees = len(x), self.feature.shape[0]
        if n == 0:
            return np.zeros(0)
        feature, threshold, child, value, off = self._flat
        xf = np.ascontiguousarray(x, dtype=np.float64 if self.float64 else np.float32).ravel()
        row = (np.arange(n, dtype=np.int32) * x.shape[1])[:, None]
        node = np.broadcast_to(off, (n, trees)).copy()
        for _ in range(self.depth):
            go_left = xf.take(row + feature.take(node)) <= threshold.take(node)
            node = child.take(2 * node + go_left)
        return self.base + value.take(node).sum(axis=1)

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}feature": self.feature, f"{prefix}threshold": self.threshold,
                f"{prefix}left": self.left, f"{prefix}right": self.right, f"{prefix}value": self.value,
                f"{prefix}meta": np.array([self.base, self.depth, float(self.float64)])}

    @classmethod
    def from_arrays(cls, a, prefix: str) -> Forest:
        meta = a[f"{prefix}meta"]
        return cls(a[f"{prefix}feature"], a[f"{prefix}threshold"], a[f"{prefix}left"], a[f"{prefix}right"],
                   a[f"{prefix}value"], float(meta[0]), int(meta[1]), len(meta) > 2 and bool(meta[2]))
