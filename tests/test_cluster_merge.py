"""The second clustering level, density-weighted centring and order-independent streaming."""

import numpy as np
import pytest

from storyline.cluster.graph import GraphClusterer
from storyline.cluster.merge import PieceMerger, cohesion, piece_sums
from storyline.cluster.stream import StreamClusterer
from storyline.evaluate import bcubed
from storyline.similarity import LanguageCentering


def unit(v):
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def stories(sizes, dim=48, spread=1.0, seed=0, centres=None):
    """Stories as noisy copies of random centres (within-story cosine ~0.5)."""
    rng = np.random.default_rng(seed)
    if centres is None:
        centres = unit(rng.standard_normal((len(sizes), dim)))
    y = np.repeat(np.arange(len(sizes)), sizes)
    noise = unit(rng.standard_normal((len(y), dim))) * spread
    perm = rng.permutation(len(y))
    return unit(centres[y] + noise)[perm], y[perm]


def test_cohesion_is_the_mean_pairwise_cosine():
    x, _ = stories([7], seed=1)
    sums, sizes = piece_sums(x, np.zeros(len(x), dtype=np.int64))
    sim = x @ x.T
    expected = (sim.sum() - np.trace(sim)) / (len(x) * (len(x) - 1))
    assert cohesion(sums, sizes)[0] == pytest.approx(expected, abs=1e-5)
    assert np.isnan(cohesion(sums[:1] * 0 + x[:1], np.array([1.0])))[0]


def test_a_large_story_splits_in_the_graph_and_is_joined_by_the_second_level():
    x, y = stories([400, 3, 5, 2, 6], dim=384, spread=0.8, seed=2)
    graph = GraphClusterer(threshold=0.25, k=10).fit_predict(x)
    assert len(set(graph[y == 0].tolist())) > 1  # the k-NN graph's size ceiling
    both = GraphClusterer(threshold=0.25, k=10, merge_ratio=0.85).fit_predict(x)
    assert len(set(both[y == 0].tolist())) == 1
    assert bcubed(both.tolist(), y.tolist())[2] == pytest.approx(1.0)


def test_two_events_of_one_topic_stay_apart():
    # two stories whose centres share a topic (cosine 0.64): across, the mean cosine is
    # well below each story's own cohesion, so the second level keeps them apart
    rng = np.random.default_rng(3)
    topic = unit(rng.standard_normal(48))
    own = unit(rng.standard_normal((2, 48)))
    centres = unit(0.8 * topic + 0.6 * own)
    x, y = stories([60, 60], seed=4, spread=0.8, centres=centres)
    labels = GraphClusterer(threshold=0.25, k=10, merge_ratio=0.85).fit_predict(x)
    assert bcubed(labels.tolist(), y.tolist())[0] == pytest.approx(1.0)  # precision


def test_single_articles_are_left_to_the_graph():
    x, _ = stories([1, 1, 1, 1], seed=5, spread=0.01)
    x[1] = unit(x[0] + 0.05)  # two near-identical singletons
    labels = np.arange(4)
    assert PieceMerger(0.25).fit_predict(x, labels).tolist() == [0, 1, 2, 3]


def test_merger_validates_its_settings():
    with pytest.raises(ValueError, match="floor"):
        PieceMerger(0.0)
    with pytest.raises(ValueError, match="ratio"):
        PieceMerger(0.25, ratio=2.0)
    with pytest.raises(ValueError, match="merge_ratio"):
        GraphClusterer(0.25, 10, merge_ratio=-1.0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_streaming_settled_equals_batch_in_any_order(seed):
    x, y = stories([120, 15, 9, 9, 4, 3, 2, 1, 1], dim=384, seed=6, spread=0.9)
    batch = GraphClusterer(threshold=0.25, k=10, merge_ratio=0.85).fit_predict(x)
    order = np.random.default_rng(seed).permutation(len(x))
    sc = StreamClusterer(threshold=0.25, k=10, place_threshold=0.45, merge_ratio=0.85)
    for start in range(0, len(order), 25):  # files of 25 articles, settled after each
        for i in order[start:start + 25]:
            sc.add(x[i])
        sc.settle()
    streamed = np.empty(len(x), dtype=np.int64)
    streamed[order] = sc.labels()
    # settling re-clusters the touched region with the batch rules: the stories match the
    # batch run's up to the region's edge (one article in the last measurement)
    assert bcubed(streamed.tolist(), batch.tolist())[2] >= 0.99
    assert bcubed(streamed.tolist(), y.tolist())[2] >= 0.99


def test_settle_reports_moves_and_absorbed_stories():
    x, y = stories([30, 30], seed=7, spread=0.9)
    sc = StreamClusterer(threshold=0.25, k=10, place_threshold=0.99, merge_ratio=0.85)
    for v in x:  # a placement bar no article reaches: every article opens a story
        sc.add(v)
    assert sc.n_stories == len(x)
    moved, absorbed = sc.settle()
    assert sc.n_stories == 2
    assert len(absorbed) == len(x) - 2
    assert all(sc.resolve(s) in sc.members for s in absorbed)
    labels = sc.labels()
    assert all(labels[a] == s for a, s in moved.items())
    assert bcubed(labels.tolist(), y.tolist())[2] == pytest.approx(1.0)
    assert sc.settle() == ({}, {})  # nothing touched since


def test_density_weights_count_a_repeated_story_about_once():
    rng = np.random.default_rng(8)
    story = unit(rng.standard_normal(32))
    same = unit(story + 0.1 * rng.standard_normal((6, 32)))  # six reports of one story
    other = unit(rng.standard_normal((6, 32)))                # six unrelated articles
    x = np.concatenate([same, other])
    c = LanguageCentering(density=True).fit(x, ["xx"] * len(x))
    assert c.weights_[:6].sum() == pytest.approx(1.0, abs=0.01)
    assert c.weights_[6:].tolist() == [1.0] * 6


def test_density_centring_keeps_a_single_story_corpus_together():
    # a prior knows the language; the corpus is four reports of one story: plain corpus
    # means subtract the story itself, density-weighted ones barely move from the prior
    rng = np.random.default_rng(9)
    lang = unit(rng.standard_normal(32))
    story = unit(rng.standard_normal(32))
    x = unit(1.5 * lang + story + 0.3 * rng.standard_normal((4, 32)) / np.sqrt(32))
    prior = {"xx": unit(1.5 * lang)[None][0] * 0.8, "_global": unit(1.5 * lang) * 0.8}
    plain = LanguageCentering(prior=prior, offsets={}).fit_transform(x, ["xx"] * 4)
    dense = LanguageCentering(prior=prior, offsets={}, density=True).fit_transform(x, ["xx"] * 4)
    off = ~np.eye(4, dtype=bool)
    assert (dense @ dense.T)[off].mean() > (plain @ plain.T)[off].mean() + 0.1


def test_the_faiss_path_with_incremental_passes_joins_what_the_exact_path_joins():
    # above ``exact_below`` pieces the centroid neighbours come from a FAISS index kept
    # across passes (only the pieces that grew are re-indexed and queried); on stories
    # that split into many pieces it must join them as the exact path does
    x, y = stories([300, 200, 120, 4, 6, 3], dim=384, spread=0.8, seed=7)
    first = GraphClusterer(threshold=0.25, k=10).fit_predict(x)
    assert first.max() + 1 > 40  # many pieces: the FAISS path is taken below
    exact = PieceMerger(0.25).fit_predict(x, first)
    merger = PieceMerger(0.25, exact_below=16)
    approx = merger.fit_predict(x, first)
    assert len(merger.passes_) >= 2 and merger.passes_[0]["pieces"] > 16
    assert bcubed(approx.tolist(), y.tolist())[2] == pytest.approx(1.0)
    assert bcubed(approx.tolist(), exact.tolist())[2] == pytest.approx(1.0)
