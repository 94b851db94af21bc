"""Search and the story view through the Python API (a real SQLite file; the hashing
embedder stands in for the model here, the real one runs in test_e2e.py)."""

import pytest
from conftest import SAMPLE, HashingEmbedder

from storyline import Storyline
from storyline.errors import ConfigError
from storyline.search import rrf

FILES = ["agency-a/quake_izmir_en.txt", "eidiseis/seismos_izmir_el.txt",
         "akhbar/zilzal_izmir_ar.txt", "agency-a/suez_en.txt", "xinwen/suyishi_zh.txt",
         "presse/seisme_crete_fr.txt"]


@pytest.fixture(scope="module")
def sl(tmp_path_factory):
    db = tmp_path_factory.mktemp("search") / "s.db"
    with Storyline(db, embedder=HashingEmbedder()) as s:
        s.add_paths([SAMPLE / f for f in FILES])
        s.cluster()
        yield s


def test_rrf_rewards_items_both_rankings_agree_on():
    fused = rrf([[("a", 0.9), ("b", 0.8), ("c", 0.1)], [("b", 5.0), ("c", 4.0)]])
    assert [x for x, _ in fused] == ["b", "c", "a"]
    assert rrf([[("a", 1.0)], []], weights=[2.0, 1.0], k=60)[0][1] == pytest.approx(2 / 61)


def test_keyword_search_groups_by_story_with_snippets(sl):
    res = sl.search("Suez", mode="keyword")
    assert res and res[0]["articles"][0]["lang"] == "en"
    top = res[0]
    assert top["story_id"] == sl.store.story_of(top["articles"][0]["id"])
    assert "Suez" in top["articles"][0]["snippet"]
    assert set(top["articles"][0]) >= {"id", "title", "lang", "source", "score", "snippet"}
    zh = sl.search("苏伊士运河", mode="keyword")
    assert [a["lang"] for r in zh for a in r["articles"]] == ["zh"]


def test_every_mode_and_the_filters(sl):
    for mode in ("keyword", "semantic", "fused"):
        res = sl.search("Izmir earthquake", mode=mode, limit=3)
        assert 0 < len(res) <= 3
        assert all(len(r["articles"]) >= 1 for r in res)
    only_el = sl.search("Izmir earthquake", lang="el", mode="semantic")
    assert {a["lang"] for r in only_el for a in r["articles"]} == {"el"}
    none = sl.search("Izmir earthquake", date_from="2030-01-01")
    assert none == []
    with pytest.raises(ConfigError):
        sl.search("x", mode="magic")
    assert sl.search("   ") == []


def test_story_view_has_the_contract_keys(sl):
    story = sl.stories()[0]
    view = sl.story_view(story.id)
    for key in ("id", "headline", "headlines", "languages", "sources", "size", "first_date",
                "last_date", "articles", "timeline", "key_terms", "coverage"):
        assert key in view, key
    assert {a["id"] for a in view["articles"]} == set(story.article_ids)
    assert view["timeline"]["first"] == story.first_date
    assert set(view["key_terms"]["by_lang"]) == set(story.languages)
    assert view["coverage"]["languages"]["carried"] == list(story.languages)
    art = sl.article(story.article_ids[0])
    assert art["story_id"] == story.id and art["text"]
