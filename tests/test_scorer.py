import json

import numpy as np
import pytest
from conftest import BENCH, need

from storyline.scorer import FEATURES, ArticleView, PairFeatures, SameStoryScorer, _Trees
from storyline.signals import TextSignals


def synthetic(n=400, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, len(FEATURES)))
    overall = np.clip(2.5 - 0.8 * x[:, 0] - 0.4 * x[:, 8] + rng.normal(scale=0.3, size=n), 1, 4)
    return x, overall


def test_fit_predicts_scale_and_calibrated_probability():
    x, y = synthetic()
    s = SameStoryScorer().fit(x, y)
    pred = s.overall(x)
    assert pred.min() >= 1 and pred.max() <= 4
    assert np.corrcoef(pred, y)[0, 1] > 0.8
    p = s.probability(x)
    same = y < 2.5
    assert p[same].mean() > 0.6 > 0.4 > p[~same].mean()
    # calibrated: predicted mass matches the observed rate within a few points
    assert abs(p.mean() - same.mean()) < 0.05


def test_save_load_roundtrip_is_exact(tmp_path):
    x, y = synthetic()
    s = SameStoryScorer().fit(x, y)
    path = tmp_path / "m.json"
    s.save(path, {"pairs": len(y)}, {"full": {"en": [0.0, 1.0]}}, alignment_ref=0.65)
    t = SameStoryScorer.load(path)
    assert t.alignment_ref_ == 0.65
    assert np.allclose(s.overall(x), t.overall(x)) and np.allclose(s.probability(x),
                                                                   t.probability(x))
    assert t.record_ == {"pairs": len(y)} and t.priors_["full"]["en"].tolist() == [0.0, 1.0]


def test_training_is_deterministic():
    x, y = synthetic()
    pairs = [("de", "en") if k % 2 else ("en", "en") for k in range(len(y))]
    a = SameStoryScorer(seed=0).fit(x, y, pairs).to_dict()
    b = SameStoryScorer(seed=0).fit(x, y, pairs).to_dict()
    assert "unseen_pair_model" in a and json.dumps(a) == json.dumps(b)


def test_load_refuses_other_features(tmp_path):
    x, y = synthetic()
    d = SameStoryScorer().fit(x, y).to_dict()
    d["features"] = ["something", "else"]
    (tmp_path / "bad.json").write_text(json.dumps(d))
    with pytest.raises(ValueError, match="other features"):
        SameStoryScorer.load(tmp_path / "bad.json")


def test_shipped_model_is_small_and_loads():
    import time
    from importlib import resources

    path = resources.files("storyline").joinpath("data", "scorer.json")
    assert len(path.read_bytes()) < 10 * 2**20
    t = time.perf_counter()
    s = SameStoryScorer.load()
    assert time.perf_counter() - t < 5  # generous: the real figure is in BENCHMARKS.md
    assert s.record_["cv_pearson_grouped_5fold"] >= 0.80
    assert s.record_["cv_pearson_leave_one_language_pair_out"] >= 0.75
    assert {"ar", "en", "de", "_global"} <= set(s.priors_["full"])


def test_pair_features_shapes_and_overlaps():
    rng = np.random.default_rng(1)

    def view(lang, text):
        v = rng.normal(size=(3, 16)).astype(np.float32)
        return ArticleView(lang, v[0], v[1], v[2], TextSignals.of(text))

    views = [view("en", "Lucas Amaral joins Bayern for 72 million"),
             view("ar", "لوكاس أمارال ينضم إلى بايرن مقابل 72 مليون"),
             view("en", "Storm hits Crete, 2 dead")]
    pf = PairFeatures(views)
    x = pf.pairs(np.array([0, 0]), np.array([1, 2]))
    assert x.shape == (2, len(FEATURES))
    col = {f: k for k, f in enumerate(FEATURES)}
    assert x[0, col["name_j"]] > x[1, col["name_j"]]
    assert x[0, col["num_j"]] == 1.0 and x[1, col["num_j"]] == 0.0
    assert x[1, col["same_lang"]] == 1.0 and x[0, col["same_lang"]] == 0.0


def test_cross_lingual_cosines_are_rescaled_to_the_reference_alignment():
    from storyline.similarity import LanguageAlignment

    rng = np.random.default_rng(2)

    def view(lang):
        v = rng.normal(size=(3, 16)).astype(np.float32)
        return ArticleView(lang, v[0], v[1], v[2], TextSignals.of("x"))

    views = [view("el"), view("ar"), view("ar"), view("el")]
    toy = LanguageAlignment(["ar", "el"], np.array([[1.0, 0.5], [0.5, 1.0]]))
    i, j = np.array([0, 1, 0]), np.array([1, 2, 3])  # el-ar, ar-ar, el-el
    plain = PairFeatures(views, alignment=toy).pairs(i, j)
    scaled = PairFeatures(views, alignment=toy, alignment_ref=0.6).pairs(i, j)
    col = {f: k for k, f in enumerate(FEATURES)}
    centred = [col[f] for f in ("cos_full", "cos_title", "cross_max", "cross_min", "cos_lead",
                                "lead_cross_max", "view_max")]
    assert np.allclose(scaled[0, centred], 1.2 * plain[0, centred])
    assert np.allclose(scaled[1:], plain[1:])  # same-language pairs are untouched
    # raw cosine: only the part the two residuals share is rescaled
    pf = PairFeatures(views, alignment=toy, alignment_ref=0.6)
    res = pf.residual["full"]
    expect = plain[0, col["cos_full_raw"]] + 0.2 * res[0] * res[1] * plain[0, col["cos_full"]]
    assert scaled[0, col["cos_full_raw"]] == pytest.approx(expect)
    # the shipped model carries its reference: the training file's de-en alignment
    s = SameStoryScorer.load()
    assert s.alignment_ref_ is not None and 0.5 < s.alignment_ref_ < 0.8
    assert s.pair_features(views).alignment_factor.max() > 1


def test_unseen_cross_lingual_pairs_go_to_a_monotone_model(tmp_path):
    x, y = synthetic()
    rng = np.random.default_rng(3)
    pairs = [("de", "en") if k % 3 == 0 else ("en", "en") for k in range(len(y))]
    s = SameStoryScorer().fit(x, y, pairs)
    assert s.unseen_ is not None and s.unseen_.monotone
    route = s.route(["de", "en", "ru", "el", "ar", "es"], ["en", "de", "ru", "ar", "el", "it"])
    assert route.tolist() == [False, False, False, True, True, True]
    # monotone: raising any feature but same_lang never raises the predicted overall score
    base = rng.normal(size=(200, len(FEATURES)))
    for k, f in enumerate(FEATURES):
        if f == "same_lang":
            continue
        up = base.copy()
        up[:, k] += 0.5
        assert (s.unseen_.overall(up) <= s.unseen_.overall(base) + 1e-9).all(), f
    # routed scores come from the unseen-pair model, the rest from the main one
    r = np.zeros(len(y), bool)
    r[::2] = True
    both = s.probability(x, r)
    assert np.allclose(both[r], s.unseen_.probability(x[r]))
    assert np.allclose(both[~r], s.probability(x[~r]))
    # and survive a save/load round trip
    s.save(tmp_path / "m.json")
    t = SameStoryScorer.load(tmp_path / "m.json")
    assert t.seen_pairs_ == s.seen_pairs_ and np.allclose(t.probability(x, r), both)


def test_monotone_tree_export_matches_sklearn():
    from sklearn.ensemble import HistGradientBoostingRegressor

    from storyline.trees import Forest, hgb_nodes

    x, y = synthetic()
    m = HistGradientBoostingRegressor(max_iter=30, max_depth=3, monotonic_cst=[-1] * x.shape[1],
                                      random_state=0).fit(x, y)
    base, rate, trees = hgb_nodes(m)
    got = Forest.from_nodes(trees, rate, base, float64=True).logit(x)
    assert np.allclose(got, m.predict(x), atol=1e-9)


def test_tree_export_matches_sklearn():
    from sklearn.ensemble import GradientBoostingRegressor

    x, y = synthetic()
    m = GradientBoostingRegressor(n_estimators=20, max_depth=3, random_state=0).fit(x, y)
    assert np.allclose(_Trees.from_sklearn(m).predict(x), m.predict(x))


def test_cross_validation_on_bench_if_present():
    need(BENCH / "similarity" / "train.jsonl")
    from storyline.embed import E5Embedder
    from storyline.training import cross_validate, is_cached, load_pair_set

    if not is_cached(BENCH / "similarity" / "train.jsonl", E5Embedder.name):
        pytest.skip("no embedding cache; 'storyline train-similarity' builds it (~20 min)")
    data = load_pair_set(BENCH / "similarity" / "train.jsonl", E5Embedder())
    cv = cross_validate(data)
    assert cv["grouped_5fold"]["pearson"] >= 0.80
    assert cv["leave_one_language_pair_out"]["pearson"] >= 0.75
    assert cv["baseline_centred_cosine"]["pearson"] < cv["grouped_5fold"]["pearson"]


def _unit(rng, *shape):
    v = rng.normal(size=shape).astype(np.float32)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def test_sentence_segments_match_one_shared_sentence():
    from storyline.scorer import ALL_FEATURES

    rng = np.random.default_rng(4)
    shared = _unit(rng, 384)
    a = np.vstack([_unit(rng, 5, 384), shared])  # one shared sentence among six
    b = np.vstack([shared, _unit(rng, 3, 384)])
    c = _unit(rng, 4, 384)
    views = [ArticleView("en", _unit(rng, 384), _unit(rng, 384), _unit(rng, 384),
                         TextSignals.of("x"), s) for s in (a, b, c)]
    pf = PairFeatures(views)
    x = pf.pairs(np.array([0, 0]), np.array([1, 2]), ALL_FEATURES)
    col = {f: k for k, f in enumerate(ALL_FEATURES)}
    assert x[0, col["seg_max"]] > 0.9 > 0.3 > x[1, col["seg_max"]]
    # b's four segments: one found in a; a's six: one found in b -> b is the better covered
    assert x[0, col["seg_cover"]] > x[0, col["seg_match"]] > x[1, col["seg_match"]]
    # symmetric in the two articles
    y = pf.pairs(np.array([1]), np.array([0]), ALL_FEATURES)
    assert np.allclose(x[0], y[0], atol=1e-6)


def test_scorer_records_the_views_its_features_read(tmp_path):
    from storyline.scorer import ALL_FEATURES

    assert SameStoryScorer().views == ("full", "title", "lead")
    assert SameStoryScorer(features=("cos_full", "num_j")).views == ("full",)
    seg = ("cos_full", "seg_match", "tseg_max", "date_j")
    assert SameStoryScorer(features=seg).views == ("full", "title", "sentences")
    with pytest.raises(ValueError, match="unknown scorer feature"):
        SameStoryScorer(features=("cos_full", "nope"))
    rng = np.random.default_rng(5)
    x = rng.normal(size=(300, len(seg)))
    y = np.clip(2.5 - x[:, 1] + rng.normal(scale=0.3, size=300), 1, 4)
    s = SameStoryScorer(features=seg).fit(x, y)
    s.save(tmp_path / "m.json")
    data = json.loads((tmp_path / "m.json").read_text())
    assert data["views"] == ["full", "title", "sentences"] and data["features"] == list(seg)
    t = SameStoryScorer.load(tmp_path / "m.json")
    assert t.views == s.views and np.allclose(t.overall(x), s.overall(x))
    # a corpus embedded without a view cannot serve features that read it
    views = [ArticleView("en", _unit(rng, 384), None, None, TextSignals.of("x")) for _ in range(3)]
    pf = PairFeatures(views)
    assert pf.views == ("full",)
    assert pf.pairs(np.array([0]), np.array([1]), ["cos_full", "num_j"]).shape == (1, 2)
    with pytest.raises(ValueError, match="title"):
        pf.pairs(np.array([0]), np.array([1]), ["cos_title"])
    assert set(ALL_FEATURES) >= set(seg)


def test_fuzzy_names_meet_within_one_edit_and_map_to_the_common_spelling():
    from storyline.scorer import DocFreq, fuzzy_canon

    df = DocFreq(10, {"bndstg": 5, "bndstag": 1})
    canon = fuzzy_canon({"bndstg", "bndstag", "bndestg", "mrkl", "mrkls", "snders"}, df)
    assert canon == {"bndstg": "bndstg", "bndstag": "bndstg", "bndestg": "bndstg"}
    rng = np.random.default_rng(6)
    views = [ArticleView("de", _unit(rng, 384), _unit(rng, 384), _unit(rng, 384),
                         TextSignals(frozenset(), frozenset(n))) for n in
             (["bndstag", "shlts"], ["bndstg", "shlts"], ["frnkrk"])]
    x = PairFeatures(views).pairs(np.array([0, 0]), np.array([1, 2]),
                                  ["name_j", "fname_j"])
    assert x[0, 1] == pytest.approx(1.0) and x[0, 0] < 1.0 and x[1, 1] == 0.0


def test_pipeline_embeds_only_the_views_its_scorer_reads(tmp_path, hashing_embedder):
    from storyline import Storyline
    from storyline.scorer import SENTENCES
    from storyline.signals import segments

    rng = np.random.default_rng(7)
    feats = ("cos_full", "seg_max", "seg_match")
    x = rng.normal(size=(200, 3))
    scorer = SameStoryScorer(features=feats).fit(x, np.clip(2.5 - x[:, 1], 1, 4))
    text = ("Strong earthquake hits Izmir\n" + "A magnitude 6.1 earthquake struck off the coast "
            "near Izmir early on Saturday, the disaster agency said in a statement. " * 4)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(text, encoding="utf-8")
    with Storyline(tmp_path / "news.db", embedder=hashing_embedder) as sl:
        sl.pipeline.scorer = scorer
        sl.add_paths([tmp_path / "in"])
        sl.pipeline.embed_pending()
        [article] = sl.articles()
        [view] = sl.pipeline.article_views([article])
        models = {m for (m,) in sl.store.conn.execute("SELECT DISTINCT model FROM embeddings")}
        name = hashing_embedder.name
        assert models == {name, f"{name}:{SENTENCES}"}  # no title, no lead
        assert view.title is None and view.lead is None
        assert view.sentences.shape == (len(segments(article.text)), hashing_embedder.dim)


def test_reliability_and_per_pair_report():
    from storyline.training import PairSet, reliability, report

    prob = np.array([0.05, 0.05, 0.95, 0.95, 0.55, 0.55])
    same = np.array([False, False, True, True, True, False])
    rel = reliability(prob, same)
    assert [b["n"] for b in rel["curve"]] == [2, 2, 2]
    # bins: |0.05 - 0| * 2 + |0.55 - 0.5| * 2 + |0.95 - 1| * 2 over 6 pairs
    assert rel["ece"] == pytest.approx((0.1 + 0.1 + 0.1) / 6)
    overall = np.where(same, 1.5, 3.5)
    data = PairSet(np.zeros((6, 1)), overall, {}, {}, np.array(["de"] * 3 + ["en"] * 3),
                   np.array(["en"] * 3 + ["en"] * 3), np.arange(6).astype(str), names=("cos_full",))
    rep = report(prob, prob, data)
    assert set(rep["per_pair"]) == {"de-en", "en-en"}
    de = rep["per_pair"]["de-en"]  # 0.05, 0.05, 0.95: one same story, found, no false alarm
    assert de["precision"] == 1.0 and de["recall"] == 1.0 and de["ece"] == pytest.approx(0.05)
    assert rep["ece"] == pytest.approx(rel["ece"]) and rep["same_story"]["recall"] == 1.0


def test_report_groups_both_orders_of_a_language_pair_and_leaves_undefined_scores_empty():
    import json

    from storyline.training import PairSet, report

    prob = np.array([0.9, 0.2, 0.1, 0.3, 0.2])
    overall = np.array([1.0, 4.0, 4.0, 3.5, 4.0])  # one same-story pair, the first
    data = PairSet(np.zeros((5, 1)), overall, {}, {}, np.array(["ar", "ru", "zh", "zh", "zh"]),
                   np.array(["ru", "ar", "de", "de", "zh"]), np.arange(5).astype(str), names=("cos_full",))
    rep = report(-prob, prob, data)
    assert set(rep["per_pair"]) == {"ar-ru", "de-zh", "zh-zh"}  # ru-ar is ar-ru; zh-de is de-zh
    assert rep["per_pair"]["ar-ru"]["n"] == 2 and rep["per_pair"]["ar-ru"]["recall"] == 1.0
    dz = rep["per_pair"]["de-zh"]  # no same-story pair, none called one
    assert dz["precision"] is None and dz["recall"] is None and dz["f1"] is None
    assert rep["per_pair"]["zh-zh"]["pearson"] is None  # one pair: no correlation
    json.loads(json.dumps(rep), parse_constant=lambda c: pytest.fail(f"{c} in the report"))


def test_cross_validation_reports_three_fold_schemes():
    from storyline.training import PairSet, cross_validate

    x, y = synthetic(n=300)
    rng = np.random.default_rng(8)
    lang1 = rng.choice(["de", "en", "ar"], size=300)
    lang2 = np.where(rng.random(300) < 0.3, "en", lang1)
    data = PairSet(x, y, {}, {}, lang1, lang2, np.arange(300).astype(str), names=FEATURES,
                   topics=rng.integers(0, 6, size=300))
    cv = cross_validate(data)
    for scheme in ("grouped_5fold", "language_pair_topic_5fold", "leave_one_language_pair_out"):
        assert cv[scheme]["pearson"] > 0.7
        assert 0 <= cv[scheme]["ece"] < 0.2 and "recall" in cv[scheme]["same_story"]


def test_an_article_shared_by_several_pairs_counts_once(tmp_path, hashing_embedder):
    """A pair file that repeats an article (A against B, C, D) centres and weighs terms over
    its distinct articles: the same means and features as the file without the repeats."""
    import json

    from storyline.training import load_pair_set

    texts = {k: f"Article {k} about the {w} in Athens on Monday, said minister Papadopoulos {k}."
             for k, w in zip("ABCDE", ("storm", "vote", "strike", "fire", "market"))}

    def write(name, pairs):
        path = tmp_path / name
        path.write_text("\n".join(json.dumps({"pair_id": f"{a}{b}", "lang1": "en", "lang2": "en",
                                              "text1": texts[a], "text2": texts[b], "overall": 2.0})
                                  for a, b in pairs), encoding="utf-8")
        return path

    repeated = load_pair_set(write("r.jsonl", [("A", "B"), ("A", "C"), ("A", "D"), ("A", "E")]),
                             hashing_embedder, tmp_path / "cache")
    # the same four distinct articles, A once: what the means must be
    once = load_pair_set(write("o.jsonl", [("A", "B"), ("C", "D"), ("E", "E")]),
                         hashing_embedder, tmp_path / "cache")
    assert np.allclose(repeated.centring["full"]["en"], once.centring["full"]["en"])
    assert np.allclose(repeated.columns(["cos_full"])[0], once.columns(["cos_full"])[0])
