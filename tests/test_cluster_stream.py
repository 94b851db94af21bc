import numpy as np
import pytest

from storyline.cluster.graph import GraphClusterer
from storyline.cluster.stream import StreamClusterer


def unit(v):
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def blobs(n_clusters=5, per=8, dim=32, noise=0.2, seed=0):
    rng = np.random.default_rng(seed)
    centres = unit(rng.standard_normal((n_clusters, dim)))
    y = rng.permutation(np.repeat(np.arange(n_clusters), per))
    return unit(centres[y] + noise * rng.standard_normal((len(y), dim)) / np.sqrt(dim)), y


def test_placement_follows_blobs():
    x, y = blobs()
    sc = StreamClusterer(threshold=0.5, k=10)
    stories = [sc.add(v) for v in x]
    assert stories == sc.labels().tolist()
    pairs = set(zip(stories, y.tolist()))
    assert len(pairs) == len(set(stories)) == 5
    assert stories[0] == 0 and sc.n_stories == 5 and sc.n_articles == len(x)
    assert sc.merge_pass() == {}  # nothing left to merge


def test_stream_close_to_batch():
    x, y = blobs(n_clusters=12, per=6, noise=0.5, seed=4)
    sc = StreamClusterer(threshold=0.45, k=10)
    for v in x:
        sc.add(v)
    sc.merge_pass()
    batch = GraphClusterer(threshold=0.45, k=10).fit_predict(x)
    from storyline.evaluate import bcubed

    assert bcubed(sc.labels().tolist(), batch.tolist())[2] > 0.95


def test_merge_pass_joins_stories_that_grew_together_and_keeps_ids():
    dim = 8
    e = np.eye(dim, dtype=np.float32)
    a, b = e[0], e[1]
    sc = StreamClusterer(threshold=0.6, k=10)
    s_a = sc.add(a)
    s_b = sc.add(b)  # orthogonal: a new story
    assert (s_a, s_b) == (0, 1)
    # articles in between: each joins the more similar existing story, not a merge
    mid_a = unit(a * 0.8 + b * 0.6)
    mid_b = unit(a * 0.6 + b * 0.8)
    assert sc.add(mid_a) == 0
    assert sc.add(mid_b) == 1
    assert sc.add(unit(a + b)) in (0, 1)
    # story indices never changed while growing
    assert sorted(sc.members) == [0, 1]
    merged = sc.merge_pass()
    # mean over all 2x3 or 3x2 pairs clears 0.6 -> 1 was absorbed into the older 0
    assert merged == {1: 0}
    assert sc.absorbed == {1: 0} and sc.resolve(1) == 0 and sc.resolve(0) == 0
    assert set(sc.labels().tolist()) == {0}
    assert sc.add(e[2]) == 2  # new stories keep counting; an absorbed index is not reused


def test_merge_never_splits():
    x, _ = blobs(n_clusters=6, per=5, noise=0.4, seed=1)
    labels = np.repeat(np.arange(3), 10)  # deliberately wrong, coarse partition
    sc = StreamClusterer.from_labels(x, labels, threshold=0.5, k=10)
    sc._dirty.update(sc.members)
    sc.merge_pass()
    after = sc.labels()
    # every old story lies inside one new story
    for s in range(3):
        assert len(set(after[labels == s].tolist())) == 1


def test_rebuild_from_labels():
    x, y = blobs(n_clusters=4, per=6, seed=2)
    sc = StreamClusterer.from_labels(x, y * 10 + 3, threshold=0.5, k=10)  # arbitrary ids
    assert sc.n_articles == len(x) and sc.n_stories == 4
    assert sorted(sc.members) == [3, 13, 23, 33]
    probe = x[y == 2][0] + 0.01
    assert sc.add(probe) == 23
    far = unit(np.random.default_rng(0).standard_normal(x.shape[1]))
    assert sc.add(far) == 34
    with pytest.raises(ValueError, match="labels must be non-negative integers"):
        StreamClusterer.from_labels(x, -np.ones(len(x), int))


def test_dates_and_custom_weight_in_stream():
    v = np.eye(4, dtype=np.float32)[0]
    sc = StreamClusterer(threshold=0.5, k=5)
    assert sc.add(v, date=0) == 0
    assert sc.add(v, date=1) == 0
    assert sc.add(v, date=300) == 1   # identical but far apart in time
    assert sc.add(v) == 0             # unknown date: not penalised (0 is oldest on tie)
    seen = []

    def never(i, j):
        seen.append((i.tolist(), j.tolist()))
        return np.zeros(len(i))

    assert sc.add(v, edge_weight=never) == 2
    assert seen and all(set(i) == {4} for i, _ in seen)  # the new article's index


def test_validation_and_tiny():
    with pytest.raises(ValueError, match="threshold"):
        StreamClusterer(threshold=0)
    with pytest.raises(ValueError, match="ef_search must be an integer >= 2"):
        StreamClusterer(ef_search=1)
    sc = StreamClusterer()
    assert sc.merge_pass() == {} and sc.labels().tolist() == []
    assert sc.add(np.ones(3)) == 0
    assert sc.merge_pass() == {}
    with pytest.raises(ValueError, match="vector has 4 dimensions, the index has 3"):
        sc.add(np.ones(4))
