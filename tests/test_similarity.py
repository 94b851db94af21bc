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


def test_unseen_language_is_anchored_by_its_offset_and_pairs_centre_on_anchors():
    prior = {"en": np.array([1, 0, 0, 0], np.float32), "fr": np.array([0, 1, 0, 0], np.float32),
             "_global": np.array([0.5, 0.5, 0, 0], np.float32)}
    offsets = {"en": np.zeros(4, np.float32), "fr": np.array([-1, 1, 0, 0], np.float32),
               "el": np.array([-0.5, 0, 1, 0], np.float32)}
    x = np.array([[0, 0, 1, 1], [0, 0, 1, 1]], np.float32)
    c = LanguageCentering(prior=prior, offsets=offsets, use_corpus=False).fit(x, ["el", "el"])
    # global moved by el's offset minus the mean offset of the prior's languages
    assert np.allclose(c.mean_for("el"), [0.5, 0.5, 0, 0] + offsets["el"] - [-0.5, 0.5, 0, 0])
    assert np.allclose(c.mean_for("fr"), prior["fr"])  # the prior wins where it knows
    # anchors only: the compared articles' own vectors do not enter their language's mean
    assert np.allclose(c.global_mean_, prior["_global"])
    with_corpus = LanguageCentering(prior=prior, offsets=offsets).fit(x, ["el", "el"])
    assert not np.allclose(with_corpus.mean_for("el"), c.mean_for("el"))
    # no offsets: an unseen language falls back to the global mean
    bare = LanguageCentering(prior=prior, offsets={}, use_corpus=False).fit(x, ["el", "el"])
    assert np.allclose(bare.mean_for("el"), prior["_global"])


def test_prior_means_weigh_as_the_articles_they_come_from():
    prior = {"en": np.array([1, 0, 0, 0], np.float32), "_global": np.array([0.5, 0.5, 0, 0], np.float32)}
    x = np.array([[0, 0, 1, 0], [0, 0, 0, 1]], np.float32)  # two English articles of one story
    counts = {"en": 98.0, "_global": 200.0}
    c = LanguageCentering(prior=prior, offsets={}, prior_counts=counts).fit(x, ["en", "en"])
    # pooled: 98 articles at the prior mean, 2 at the corpus's own
    assert np.allclose(c.mean_for("en"), (98 * prior["en"] + x.sum(axis=0)) / 100)
    assert np.allclose(c.global_mean_, (200 * prior["_global"] + x.sum(axis=0)) / 202)
    # without counts the prior weighs as `shrink` articles: the two articles pull harder
    plain = LanguageCentering(prior=prior, offsets={}).fit(x, ["en", "en"])
    assert np.allclose(plain.mean_for("en"), (5 * prior["en"] + x.sum(axis=0)) / 7)
    # a language the prior lacks keeps the `shrink` pseudo-count, whatever the counts say
    lone = LanguageCentering(prior=prior, offsets={}, prior_counts={"fr": 1000.0}).fit(x, ["fr", "fr"])
    assert np.allclose(lone.mean_for("fr"), (5 * lone.global_mean_ + x.sum(axis=0)) / 7)
    with pytest.raises(ValueError):
        LanguageCentering(prior=prior, prior_counts={"en": -1.0})


def test_shipped_offsets_cover_the_hidden_split_languages():
    from storyline.similarity import language_offsets

    off = language_offsets()
    assert {"el", "ar", "zh", "ru", "it", "pl", "es", "de", "fr", "en"} <= set(off)
    assert all(v.shape == (384,) for v in off.values())
    assert np.allclose(off["en"], 0)


def test_validation_and_cosine():
    with pytest.raises(ValueError):
        LanguageCentering(shrink=-1)
    with pytest.raises(ValueError):
        LanguageCentering().fit(np.ones((2, 3)), ["en"])
    assert cosine(np.array([1, 0]), np.array([1, 0])) == pytest.approx(1.0)
    assert cosine(np.array([1, 0]), np.array([0, 1])) == pytest.approx(0.0)


def test_shipped_alignment_covers_the_hidden_split_pairs_and_rescales_to_a_reference():
    from storyline.similarity import LanguageAlignment, language_alignment

    al = language_alignment()
    hidden = [("es", "en"), ("de", "en"), ("zh", "en"), ("pl", "en"), ("de", "fr"), ("es", "it"),
              ("de", "pl"), ("fr", "pl"), ("ar", "el")]
    for a, b in hidden:
        assert 0.4 < al(a, b) < 0.8 and al(a, b) == al(b, a), (a, b)
    assert al("el", "el") == 1.0 and np.isnan(al("en", "xx"))
    # Spanish-Italian is aligned better than Greek-Arabic (translations: ~0.70 vs ~0.55)
    assert al("es", "it") > al("ar", "el") + 0.1

    toy = LanguageAlignment(["a", "b", "c"], np.array([[1, 0.5, np.nan], [0.5, 1, 0.8], [np.nan, 0.8, 1]]))
    f = toy.factors(["a", "b", "c", "zz"], reference=0.6)
    assert f[0, 1] == pytest.approx(1.2) and f[1, 2] == pytest.approx(0.75)
    assert f[0, 0] == f[0, 2] == f[0, 3] == 1.0  # same language, unmeasured pairs: unchanged
    assert (toy.factors(["a", "b"], reference=None) == 1).all()
    assert toy.reference([("a", "b"), ("a", "b"), ("b", "c"), ("a", "a"), ("a", "c")]) == pytest.approx(0.6)
    assert toy.reference([("a", "a")]) is None
