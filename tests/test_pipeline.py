"""The pipeline's bookkeeping with a model-free embedder: dedup, re-runs, changes, rejections."""

import json

import numpy as np
import pytest

from storyline import Storyline
from storyline.embed import view_texts


def views_of(article):
    return view_texts(article.title, article.text)

EARTHQUAKE = ("Strong earthquake hits Izmir, twelve dead\n"
              "A magnitude 6.1 earthquake struck off Seferihisar near Izmir early on Saturday, "
              "killing twelve people and injuring 230, the disaster agency said.\n"
              "Rescue teams searched collapsed buildings through the night in the coastal town.\n")
BANK = ("Central bank cuts deposit rate to 1.75 percent\n"
        "The central bank lowered its deposit rate by a quarter point on Thursday, citing "
        "falling inflation and weak growth across the euro area economies.\n"
        "The decision was unanimous, the bank's president told reporters in Frankfurt.\n")


@pytest.fixture
def sl(tmp_path, hashing_embedder):
    s = Storyline(tmp_path / "news.db", embedder=hashing_embedder)
    yield s
    s.close()


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_store_cluster_and_rerun_changes_nothing(sl, tmp_path, hashing_embedder):
    write(tmp_path / "in" / "a.txt", EARTHQUAKE)
    write(tmp_path / "in" / "b.txt", BANK)
    write(tmp_path / "in" / "feed.jsonl", json.dumps(
        {"title": "Quake in Izmir kills twelve", "text": EARTHQUAKE.split("\n", 1)[1],
         "url": "https://www.news.example/izmir", "date": "2026-03-14T08:00:00Z"}) + "\n")
    report = sl.add_paths([tmp_path / "in"])
    assert report.counts()["stored"] == 2 and report.counts()["near_duplicates"] == 1
    stories = sl.cluster()
    assert sum(s.size for s in stories) == 3
    feed = next(a for a in sl.articles() if a.origin.endswith("#1"))
    assert feed.url == "https://www.news.example/izmir" and feed.source == "news.example"
    assert feed.date == "2026-03-14" and feed.duplicate_of is not None
    calls = hashing_embedder.texts_embedded
    db_before = sl.store.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    again = sl.add_paths([tmp_path / "in"])
    assert again.counts() == {"stored": 0, "near_duplicates": 0, "duplicates": 0,
                              "unchanged": 3, "rejected": 0}
    stories2 = sl.cluster()
    assert [(s.id, s.article_ids) for s in stories2] == [(s.id, s.article_ids) for s in stories]
    assert hashing_embedder.texts_embedded == calls  # vectors are cached, never recomputed
    assert sl.store.conn.execute("SELECT count(*) FROM articles").fetchone()[0] == db_before


def test_exact_duplicate_is_recorded_not_stored_twice(sl, tmp_path):
    write(tmp_path / "a" / "x.txt", EARTHQUAKE)
    write(tmp_path / "b" / "copy.txt", EARTHQUAKE)
    report = sl.add_paths([tmp_path])
    assert len(report.stored) == 1 and len(report.duplicates) == 1
    origin, original = report.duplicates[0]
    assert origin.endswith("copy.txt")
    assert sl.store.duplicates() == [(origin, original)]
    assert sl.add_paths([tmp_path]).counts()["unchanged"] == 2


def test_near_duplicate_is_stored_and_joins_its_originals_story(sl, tmp_path):
    write(tmp_path / "orig.txt", EARTHQUAKE)
    write(tmp_path / "repost.txt", EARTHQUAKE.replace("twelve dead", "twelve dead - update")
          .replace("through the night", "all night long"))
    report = sl.add_paths([tmp_path])
    assert len(report.near_duplicates) == 1
    stories = sl.cluster()
    assert len(stories) == 1 and stories[0].size == 2


def test_changed_file_replaces_its_article(sl, tmp_path):
    p = write(tmp_path / "a.txt", EARTHQUAKE)
    sl.add_paths([p])
    write(p, BANK)
    report = sl.add_paths([p])
    assert len(report.stored) == 1
    [article] = sl.articles()
    assert article.title.startswith("Central bank")


def test_bad_inputs_are_reported_and_the_run_goes_on(sl, tmp_path):
    tmp_path = tmp_path / "inputs"
    tmp_path.mkdir()
    write(tmp_path / "good.txt", EARTHQUAKE)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "bin.html").write_bytes(bytes(range(256)) * 4)
    write(tmp_path / "feed.jsonl", '{"title": "x", "text": "y"\n' +
          json.dumps({"title": "Bank", "text": BANK}) + "\n")
    write(tmp_path / "stub.txt", "Title only\nshort")
    report = sl.add_paths([tmp_path, tmp_path / "missing.txt"])
    reasons = {r.origin.split("/")[-1]: r.reason for r in report.rejected}
    assert set(reasons) == {"empty.txt", "bin.html", "feed.jsonl#1", "stub.txt", "missing.txt"}
    assert report.counts()["stored"] == 2
    assert {o.split("/")[-1] for o, _ in sl.store.rejections()} == set(reasons)
    # re-running records no new rejection rows
    n = len(sl.store.rejections())
    sl.add_paths([tmp_path, tmp_path / "missing.txt"])
    assert len(sl.store.rejections()) == n


def test_declared_language_wins_and_detection_fills_the_rest(sl, tmp_path):
    write(tmp_path / "f.jsonl", json.dumps({"title": "t", "text": BANK, "lang": "EN"}) + "\n")
    write(tmp_path / "de.txt", "Erdbeben in Izmir\nEin starkes Erdbeben hat am Samstag die "
          "türkische Küstenstadt erschüttert, zwölf Menschen kamen ums Leben.\n")
    sl.add_paths([tmp_path])
    langs = sorted(a.lang for a in sl.articles())
    assert langs == ["de", "en"]


def test_streaming_places_each_article_once_and_follows_changed_files(sl, tmp_path):
    a = write(tmp_path / "in" / "a.txt", EARTHQUAKE)
    b = write(tmp_path / "in" / "b.txt", BANK)
    report, placed = sl.add_articles([a, b])
    assert [o for o, _ in placed] == [str(a), str(b)]
    assert sl.pipeline._stream.n_articles == 2  # no ghost copies of pending articles
    write(a, "Wildfire forces evacuations near Valencia\nA wildfire in the Sierra Calderona "
             "forced 900 residents from their homes on Saturday as strong winds pushed the "
             "flames toward Serra and Naquera, regional emergency services said.\n")
    report, placed = sl.add_articles([a])
    assert len(placed) == 1
    members = sl.store.memberships()
    assert set(members) == {x.id for x in sl.articles()}  # the old version is gone
    assert sl.pipeline._stream.n_articles == 2
    assert isinstance(sl.merge_stories(), dict)


# -- embedding schedule: what is embedded, when ------------------------------------------------
def view_count(sl, view):
    return len(sl.store.embeddings(sl.pipeline.view_model(view), [a.id for a in sl.articles()]))


def test_ingest_embeds_only_the_views_clustering_reads(sl, tmp_path, hashing_embedder):
    write(tmp_path / "a.txt", EARTHQUAKE)
    write(tmp_path / "b.txt", BANK)
    sl.add_paths([tmp_path])
    # vectors are written during ingest (overlapping the reading), the full view only
    assert hashing_embedder.texts_embedded == 2
    assert (view_count(sl, "full"), view_count(sl, "title"), view_count(sl, "lead")) == (2, 0, 0)
    sl.cluster()  # cosine edges: nothing more to embed
    assert hashing_embedder.texts_embedded == 2


def test_scorer_views_are_embedded_on_demand_and_once(sl, tmp_path, hashing_embedder):
    write(tmp_path / "a.txt", EARTHQUAKE)
    write(tmp_path / "b.txt", BANK)
    sl.add_paths([tmp_path])
    edges = sl.pipeline.story_edges(sl.articles())
    assert view_count(sl, "title") == 0  # building the edges does not need them
    p = edges(np.array([0]), np.array([1]))  # scoring an edge does
    assert 0.0 <= float(p[0]) <= 1.0
    assert (view_count(sl, "title"), view_count(sl, "lead")) == (2, 2)
    n = hashing_embedder.texts_embedded
    views = sl.pipeline.article_views(sl.articles())
    assert hashing_embedder.texts_embedded == n and len(views) == 2
    # the stored on-demand vectors are those a direct embedding gives
    direct = hashing_embedder.embed([views_of(a)["title"] for a in sl.articles()])
    assert np.allclose(np.stack([v.title for v in views]), direct)


def test_scorer_edges_embed_the_scorer_views_eagerly(tmp_path, hashing_embedder):
    from storyline.pipeline import Pipeline
    from storyline.store import SQLiteStore

    store = SQLiteStore(tmp_path / "s.db")
    pipe = Pipeline(store, lambda: hashing_embedder, edges="scorer")
    write(tmp_path / "in" / "a.txt", EARTHQUAKE)
    pipe.ingest([tmp_path / "in"])
    assert pipe.eager_views == ("full", "title", "lead")
    assert len(store.embeddings(pipe.view_model("lead"), [a.id for a in store.articles()])) == 1
    store.close()


def test_workers_store_the_same_as_one_process(tmp_path, hashing_embedder):
    from storyline.pipeline import Pipeline
    from storyline.store import SQLiteStore

    for k in range(20):
        write(tmp_path / "in" / f"{k:02d}.txt", (EARTHQUAKE if k % 2 else BANK)
              .replace("twelve", f"twelve ({k})").replace("Thursday", f"Thursday ({k})"))
    write(tmp_path / "in" / "copy.txt", EARTHQUAKE.replace("twelve", "twelve (1)"))
    results = []
    for workers in (0, 1):
        store = SQLiteStore(tmp_path / f"w{workers}.db")
        report = Pipeline(store, lambda: hashing_embedder).ingest([tmp_path / "in"],
                                                                 workers=workers)
        results.append((report.counts(), sorted(report.near_duplicates), report.duplicates,
                        [(a.id, a.duplicate_of) for a in store.articles()]))
        store.close()
    assert results[0] == results[1]
    assert results[0][0]["duplicates"] == 1 and results[0][0]["near_duplicates"] > 0


def test_on_demand_views_embed_a_shared_headline_once(sl, tmp_path, hashing_embedder):
    write(tmp_path / "a.txt", EARTHQUAKE)
    write(tmp_path / "b.txt", EARTHQUAKE.split("\n", 1)[0] + "\n" + BANK.split("\n", 1)[1])
    sl.add_paths([tmp_path])
    arts = sl.articles()
    assert len(arts) == 2 and arts[0].title == arts[1].title
    n = hashing_embedder.texts_embedded
    assert sl.pipeline.ensure_views(arts) == 4  # title and lead of each
    assert hashing_embedder.texts_embedded == n + 3  # the shared title once
    views = sl.pipeline.article_views(arts)
    assert np.array_equal(views[0].title, views[1].title)
