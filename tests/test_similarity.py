import numpy as np
import pytest

from storyline.similarity import LanguageCentering, cosine


def test_centering_removes_a_shared_language_direction():
    rng = np.random.default_rng(0)
    topics = rng.normal(size=(4, 32))
    lang_dir = {"el": rng.normal(size=32) * 3, "ar": rng.normal(size=32) * 3}
    vecs, langs, topic = [], [], []
    for t in range(4):
        for lang in ("el", "ar"):
            for _ in range(3):
                vecs.append(topics[t] + lang_dir[lang] + rng.normal(scale=0.3, size=32))
                langs.append(lang)
                topic.append(t)
    x = np.array(vecs)
    raw = x / np.linalg.norm(x, axis=1, keepdims=True)
    y = LanguageCentering(shrink=0).fit_transform(x, langs)
    topic, langs_a = np.array(topic), np.array(langs)
    cross = langs_a[:, None] != langs_a[None, :]
    same = topic[:, None] == topic[None, :]

    def margin(m):
        s = m @ m.T
        return s[cross & same].mean() - s[~cross & ~same].mean()

    # before: same-language unrelated beat cross-language same-topic; after: the reverse
    assert margin(raw) < 0 < margin(y)


def test_shrinkage_and_unknown_language():
    x = np.eye(4, dtype=np.float32)
    c = LanguageCentering(shrink=1.0).fit(x, ["a", "a", "b", "b"])
    assert c.counts_ == {"a": 2, "b": 2}
    expected = (x[0] + x[1] + c.global_mean_) / 3
    assert np.allclose(c.mean_for("a"), expected)
    assert np.allclose(c.mean_for("zz"), c.global_mean_)
    out = c.transform(x[:1], ["zz"])
    assert np.isclose(np.linalg.norm(out), 1.0)


def test_validation_and_cosine():
    with pytest.raises(ValueError):
        LanguageCentering(shrink=-1)
    with pytest.raises(ValueError):
        LanguageCentering().fit(np.ones((2, 3)), ["en"])
    assert cosine(np.array([1, 0]), np.array([1, 0])) == pytest.approx(1.0)
    assert cosine(np.array([1, 0]), np.array([0, 1])) == pytest.approx(0.0)
