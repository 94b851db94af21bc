import numpy as np
import pytest

from storyline.cluster import AverageLinkClusterer, assign_story_ids


def blobs(rng, centers, per, noise):
    rows, labels = [], []
    for k, c in enumerate(centers):
        for _ in range(per):
            v = c + rng.normal(scale=noise, size=c.shape)
            rows.append(v / np.linalg.norm(v))
            labels.append(k)
    return np.array(rows), np.array(labels)


def test_recovers_separated_groups():
    rng = np.random.default_rng(0)
    centers = rng.normal(size=(5, 64))
    x, truth = blobs(rng, centers, 6, 0.05)
    labels = AverageLinkClusterer(threshold=0.3).fit_predict(x)
    # same partition up to renaming
    pairs_truth = truth[:, None] == truth[None, :]
    pairs_pred = labels[:, None] == labels[None, :]
    assert (pairs_truth == pairs_pred).all()
    assert labels[0] == 0  # relabelled by first appearance


def test_threshold_controls_granularity():
    rng = np.random.default_rng(1)
    x, _ = blobs(rng, rng.normal(size=(3, 32)), 4, 0.05)
    assert len(set(AverageLinkClusterer(threshold=1.9).fit_predict(x))) == 1
    assert len(set(AverageLinkClusterer(threshold=1e-6).fit_predict(x))) == 12


def test_trivial_sizes_and_validation():
    c = AverageLinkClusterer()
    assert c.fit_predict(np.zeros((0, 3))).tolist() == []
    assert c.fit_predict(np.ones((1, 3))).tolist() == [0]
    with pytest.raises(ValueError):
        AverageLinkClusterer(threshold=0)


def test_story_ids_are_stable_as_stories_grow():
    first = assign_story_ids([["a", "b"], ["c"]], {})
    prev = {a: sid for sid, members in first.items() for a in members}
    second = assign_story_ids([["a", "b", "d"], ["c", "e"], ["f"]], prev)
    inv = {tuple(m): s for s, m in second.items()}
    assert inv[("a", "b", "d")] == prev["a"]
    assert inv[("c", "e")] == prev["c"]
    assert inv[("f",)] not in prev.values()


def test_split_story_keeps_id_on_the_larger_part():
    prev = {"a": "s1", "b": "s1", "c": "s1"}
    out = assign_story_ids([["c"], ["a", "b"]], prev)
    assert out["s1"] == ["a", "b"]
    assert len(out) == 2


def test_story_edges_from_lazy_views_equal_eager_ones():
    """The pipeline hands StoryEdges the full vectors and a function for the scorer's views;
    the centred vectors and the scored edges are those of the eager form."""
    from storyline.cluster.edges import StoryEdges
    from storyline.scorer import ArticleView
    from storyline.signals import TextSignals

    rng = np.random.default_rng(0)

    def unit(n):
        x = rng.normal(size=(n, 384)).astype(np.float32)
        return x / np.linalg.norm(x, axis=1, keepdims=True)

    full, title, lead = unit(12), unit(12), unit(12)
    langs = ["en", "de", "el"] * 4
    views = [ArticleView(lang, full[k], title[k], lead[k],
                         TextSignals.of(f"Izmir {k} quake 6.{k}"))
             for k, lang in enumerate(langs)]
    calls = []

    def later():
        calls.append(1)
        return views

    eager = StoryEdges(views)
    lazy = StoryEdges(later, full=full, langs=langs)
    assert np.array_equal(eager.vectors, lazy.vectors) and not calls
    i, j = np.array([0, 1, 2]), np.array([3, 5, 11])
    assert np.array_equal(eager(i, j), lazy(i, j)) and calls == [1]
    lazy(i, j)
    assert calls == [1]  # the views are asked for once
