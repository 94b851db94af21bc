import numpy as np
import pytest

from storyline.cluster.batch import AverageLinkClusterer
from storyline.cluster.graph import GraphClusterer, average_linkage_rounds, time_decay


def blobs(n_clusters=8, per=12, dim=32, noise=0.15, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((n_clusters, dim))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    y = np.repeat(np.arange(n_clusters), per)
    perm = rng.permutation(len(y))
    y = y[perm]
    x = centres[y] + noise * rng.standard_normal((len(y), dim)) / np.sqrt(dim)
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32), y


def same_partition(a, b):
    a, b = np.asarray(a), np.asarray(b)
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def test_blobs_recovered_exactly():
    x, y = blobs()
    labels = GraphClusterer(threshold=0.5, k=15).fit_predict(x)
    assert same_partition(labels, y)
    assert labels[0] == 0 and set(labels.tolist()) == set(range(8))


def test_labels_in_order_of_first_appearance():
    x, _ = blobs()
    labels = GraphClusterer(threshold=0.5, k=15).fit_predict(x)
    _, first = np.unique(labels, return_index=True)
    assert np.all(np.diff(first) > 0)  # label m first appears after label m-1


def test_matches_dense_average_linkage_on_complete_graph():
    # non-negative vectors: no cosine is clipped, so with every pair a candidate the sparse
    # rule is exactly batch.py's dense average linkage (distance t <-> similarity 1 - t)
    x, _ = blobs(n_clusters=6, per=10, noise=1.2, seed=3)
    x = np.abs(x)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    assert (x @ x.T >= 0).all()
    n_clusters = set()
    for t in (0.6, 0.7, 0.8, 0.9):
        dense = AverageLinkClusterer(1 - t).fit_predict(x)
        graph = GraphClusterer(threshold=t, k=len(x) - 1).fit_predict(x)
        assert np.array_equal(dense, graph), t
        n_clusters.add(int(graph.max()) + 1)
    assert len(n_clusters) > 2  # the cuts are not all trivial


def test_no_chaining_through_a_bridge():
    # two tight groups 90 degrees apart and one article halfway between them
    dim = 16
    rng = np.random.default_rng(1)
    a, b = np.eye(dim)[0], np.eye(dim)[1]
    ga = a + 0.05 * rng.standard_normal((10, dim))
    gb = b + 0.05 * rng.standard_normal((10, dim))
    bridge = (a + b)[None, :]  # cosine ~0.71 to both groups
    x = np.vstack([ga, bridge, gb]).astype(np.float32)
    labels = GraphClusterer(threshold=0.5, k=10).fit_predict(x)
    assert len(set(labels[:10])) == 1 and len(set(labels[11:])) == 1
    assert labels[0] != labels[-1]
    # single linkage at the same bar would have chained them: every edge is >= 0.5
    assert (x[10] @ x[:10].T / np.linalg.norm(x[:10], axis=1) > 0.5).all()


def test_custom_edge_weight_is_used():
    x, y = blobs(n_clusters=4, per=6)
    calls = []

    def everything_same(i, j):
        calls.append(len(i))
        return np.ones(len(i))

    def nothing_same(i, j):
        return np.zeros(len(i))

    gc = GraphClusterer(threshold=0.5, k=len(x) - 1)
    assert len(set(gc.fit_predict(x, edge_weight=everything_same).tolist())) == 1
    assert sum(calls) == len(x) * (len(x) - 1) // 2  # each unordered pair once
    assert len(set(gc.fit_predict(x, edge_weight=nothing_same).tolist())) == len(x)
    # the callback's ordering of "same story" wins over the cosine
    def by_parity(i, j):
        return ((i % 2) == (j % 2)).astype(float)

    labels = gc.fit_predict(x, edge_weight=by_parity)
    assert same_partition(labels, np.arange(len(x)) % 2)


def test_edge_weight_output_validated():
    x, _ = blobs(n_clusters=2, per=3)
    gc = GraphClusterer(threshold=0.5, k=3)
    with pytest.raises(ValueError, match=r"values in \[0, 1\]"):
        gc.fit_predict(x, edge_weight=lambda i, j: np.full(len(i), 1.5))
    with pytest.raises(ValueError, match="returned 1 values"):
        gc.fit_predict(x, edge_weight=lambda i, j: np.ones(1))


def test_dates_decay_separates_identical_vectors_far_apart():
    v = np.zeros((6, 8), np.float32)
    v[:, 0] = 1.0
    dates = np.array([0, 1, 2, 200, 201, 202], dtype=float)
    gc = GraphClusterer(threshold=0.5, k=5)
    assert len(set(gc.fit_predict(v).tolist())) == 1
    labels = gc.fit_predict(v, dates=dates)
    assert labels.tolist() == [0, 0, 0, 1, 1, 1]
    # unknown dates are not penalised
    labels = gc.fit_predict(v, dates=np.array([0, np.nan, 2, 200, np.nan, 202]))
    assert labels[0] == labels[1] == labels[2] and labels[3] == labels[5]
    assert time_decay(np.array([0.0, 3.0, 17.0, np.nan])).tolist() == [1.0, 1.0, 0.5, 1.0]


def test_deterministic():
    x, _ = blobs(n_clusters=20, per=5, noise=0.6, seed=9)
    gc = GraphClusterer(threshold=0.4, k=8)
    a = gc.fit_predict(x)
    b = GraphClusterer(threshold=0.4, k=8).fit_predict(x.copy())
    assert np.array_equal(a, b)


def test_ann_path_recovers_blobs_and_is_deterministic():
    x, y = blobs(n_clusters=60, per=10, dim=48, noise=0.3, seed=2)
    gc = GraphClusterer(threshold=0.5, k=15, exact_below=0)  # force the FAISS IVF index
    a = gc.fit_predict(x)
    assert same_partition(a, y)
    assert np.array_equal(a, gc.fit_predict(x))


@pytest.mark.parametrize("n", [0, 1, 2])
def test_tiny_inputs(n):
    gc = GraphClusterer()
    if n == 0:
        assert gc.fit_predict(np.zeros((0, 4), np.float32)).tolist() == []
        return
    x = np.ones((n, 4), np.float32)
    assert gc.fit_predict(x).tolist() == [0] * n
    if n == 2:
        x = np.eye(4, dtype=np.float32)[:2]
        assert gc.fit_predict(x).tolist() == [0, 1]


def test_constructor_validation():
    with pytest.raises(ValueError, match=r"threshold .* must be in \(0, 1\], got 0"):
        GraphClusterer(threshold=0)
    with pytest.raises(ValueError, match=r"threshold .* got 1.5"):
        GraphClusterer(threshold=1.5)
    with pytest.raises(ValueError, match=r"k \(neighbours per article\) must be an integer >= 1"):
        GraphClusterer(k=0)
    with pytest.raises(ValueError, match="k .* got 2.5"):
        GraphClusterer(k=2.5)
    with pytest.raises(ValueError, match="min_similarity must be a cosine"):
        GraphClusterer(min_similarity=2)
    with pytest.raises(ValueError, match="half_life_days must be > 0"):
        GraphClusterer(half_life_days=0)
    with pytest.raises(ValueError, match="3 vectors but 2 dates"):
        GraphClusterer().fit_predict(np.eye(3, dtype=np.float32), dates=[1, 2])
    with pytest.raises(ValueError, match="2-d array"):
        GraphClusterer().fit_predict(np.ones(3, np.float32))


def test_min_similarity_drops_candidates():
    x, y = blobs(n_clusters=3, per=5)
    labels = GraphClusterer(threshold=0.01, k=14, min_similarity=0.99).fit_predict(x)
    assert len(set(labels.tolist())) > 3  # only near-identical pairs left as edges


def test_average_linkage_rounds_from_partition():
    # nodes 0,1 (sizes 2, 2) with 3 units of weight between them: mean 3/4 -> merge at 0.7
    root = average_linkage_rounds(np.array([0]), np.array([1]), np.array([3.0]),
                                  np.array([2, 2]), 0.7)
    assert root.tolist() == [0, 0]
    root = average_linkage_rounds(np.array([0]), np.array([1]), np.array([3.0]),
                                  np.array([2, 2]), 0.8)
    assert root.tolist() == [0, 1]
