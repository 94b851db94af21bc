import numpy as np

from storyline.present import central_index, headlines
from storyline.types import Article


def art(i, lang, title):
    return Article(id=str(i), origin=f"{i}.txt", title=title, text="t", lang=lang,
                   content_hash=str(i))


def test_central_article_gives_the_headline_and_one_per_language():
    arts = [art(0, "en", "Outlier"), art(1, "en", "Typical EN"), art(2, "el", "Τυπικός"),
            art(3, "el", "Μακρινός"), art(4, "el", "Τυπικός 2")]
    v = np.array([[0.0, 1.0], [0.9, 0.1], [1.0, 0.0], [-0.3, -1.0], [0.95, 0.05]])
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    head, per_lang = headlines(arts, v)
    assert head in ("Typical EN", "Τυπικός", "Τυπικός 2")
    assert per_lang["en"] == "Typical EN" and per_lang["el"] in ("Τυπικός", "Τυπικός 2")
    assert central_index(v[:1]) == 0


# -- timeline, coverage, key terms ---------------------------------------------------------
from storyline.present.coverage import Facet, coverage, missed_by_source  # noqa: E402
from storyline.present.terms import key_terms, shared_names  # noqa: E402
from storyline.present.timeline import timeline  # noqa: E402
from storyline.types import Story  # noqa: E402


def dated(i, lang, date, source="s", title="t", text="t"):
    return Article(id=f"a{i}", origin=f"{i}.txt", title=title, text=text, lang=lang,
                   content_hash=f"h{i}", date=date, source=source)


def test_timeline_days_peak_and_first_report_per_language():
    arts = [dated(1, "en", "2026-03-14"), dated(2, "el", "2026-03-15"),
            dated(3, "en", "2026-03-15"), dated(4, "ar", "2026-03-16"),
            dated(5, "el", "2026-03-14T08:00:00"), dated(6, "de", None)]
    tl = timeline(arts)
    assert [(d["day"], d["count"]) for d in tl["days"]] == [
        ("2026-03-14", 2), ("2026-03-15", 2), ("2026-03-16", 1)]
    assert tl["days"][1]["by_lang"] == {"el": 1, "en": 1}
    assert (tl["first"], tl["peak"], tl["last"]) == ("2026-03-14", "2026-03-14", "2026-03-16")
    assert tl["first_by_lang"]["el"] == {"day": "2026-03-14", "article_id": "a5"}
    assert tl["first_by_lang"]["ar"] == {"day": "2026-03-16", "article_id": "a4"}
    assert "de" not in tl["first_by_lang"] and tl["undated"] == 1
    assert timeline([dated(1, "en", None)])["peak"] is None


def test_coverage_separates_missing_from_silent_sources():
    story = [dated(1, "en", "2026-03-14", "agency"), dated(2, "el", "2026-03-15", "kathimerini")]
    corpus = [Facet(a.id, a.lang, a.source, a.date) for a in story] + [
        Facet("b1", "fr", "lemonde", "2026-03-16"),   # active within the window: missed it
        Facet("b2", "de", "spiegel", "2026-01-01"),   # silent those days
        Facet("b3", "en", "agency", "2026-03-13")]
    cov = coverage(story, corpus)
    assert cov["sources"] == {"carried": ["agency", "kathimerini"], "missing": ["lemonde"],
                              "silent": ["spiegel"]}
    assert cov["languages"] == {"carried": ["el", "en"], "missing": ["fr"], "silent": ["de"]}
    stories = [Story("s1", "Quake", ("a1", "a2"), ("el", "en"), ("agency", "kathimerini"),
                     "2026-03-14", "2026-03-15"),
               Story("s2", "Other", ("b1",), ("fr",), ("lemonde",), "2026-03-16", "2026-03-16")]
    gaps = missed_by_source(stories, corpus)
    assert [s["id"] for s in gaps["lemonde"]] == ["s1"]
    assert "spiegel" not in gaps
    assert [s["id"] for s in gaps["agency"]] == ["s2"]  # active on 03-13, within 3 days


def test_key_terms_contrast_the_story_with_the_rest_of_its_language(store):
    story = [dated(1, "en", "2026-03-14", title="Earthquake hits Izmir",
                   text="The earthquake in Izmir killed twelve. The city of Izmir in Turkey shook."),
             dated(2, "el", "2026-03-14", title="Σεισμός στη Σμύρνη",
                   text="Ο σεισμός στη Σμύρνη. Η Σμύρνη και η Τουρκία.")]
    others = [dated(10 + k, "en", "2026-03-01", title=f"Other news {k}",
                    text=f"The city council of town {k} met. The budget passed.")
              for k in range(5)]
    for a in story + others:
        store.add_article(a, None)
    kt = key_terms(story, store.document_frequencies, store.count_articles_by_lang())
    en = [t["term"] for t in kt["en"]]
    assert en[0] == "Izmir" and "The" not in en and "city" not in en and "Earthquake" in en
    assert "Σμύρνη" in [t["term"] for t in kt["el"]][:2]
    names = shared_names(story, store.document_frequencies, store.count_articles_by_lang())
    assert [{k: v for k, v in n.items() if k != "score"} for n in names] == [
        {"key": "trk", "forms": {"el": ["Τουρκία"], "en": ["Turkey"]}}]


# -- summary (the model-free parts; the real model runs in test_e2e.py) ---------------------
from storyline.present.summary import Sentence, select, split_sentences  # noqa: E402


def texts(text):
    return [text[a:b] for a, b in split_sentences(text)]


def test_sentences_split_per_script_and_stay_verbatim():
    text = ("The U.S. said no to Dr. Smith. Talks end today! Ναι; Όχι.\n"
            "中国发射了探测器。月球很远！\n"
            "هل انتهى؟ نعم انتهى.\n"
            "Am 14. März bebte die Erde. Es war kurz nach 4 Uhr.  ")
    assert texts(text) == ["The U.S. said no to Dr. Smith.", "Talks end today!", "Ναι;",
                           "Όχι.", "中国发射了探测器。", "月球很远！", "هل انتهى؟", "نعم انتهى.",
                           "Am 14. März bebte die Erde.", "Es war kurz nach 4 Uhr."]
    for a, b in split_sentences(text):
        assert text[a:b] == text[a:b].strip() and text[a:b]
    other = ("भारी बारिश हुई। नदी उफान पर है।\n"  # Hindi: danda
             "মেয়র বললেন। সেতু বন্ধ।\n"  # Bengali: danda
             "မိုးရွာသည်။ ရေကြီးသည်။\n"  # Burmese
             "بارش ہوئی۔ دریا چڑھ گیا۔")  # Urdu: Arabic full stop
    assert texts(other) == ["भारी बारिश हुई।", "नदी उफान पर है।", "মেয়র বললেন।", "সেতু বন্ধ।",
                            "မိုးရွာသည်။", "ရေကြီးသည်။", "بارش ہوئی۔", "دریا چڑھ گیا۔"]


def test_selection_skips_a_translation_of_a_chosen_sentence():
    sents = [Sentence("lead en", "a1", "en", 0), Sentence("lead de", "a2", "de", 0),
             Sentence("other fact", "a1", "en", 1), Sentence("third", "a1", "en", 2)]
    v = np.array([[1.0, 0.0, 0.0], [0.7, 0.714, 0.0], [0.3, 0.2, 0.93], [0.5, -0.5, 0.707]])
    scores = np.array([0.9, 0.85, 0.5, 0.4])
    picked = select(scores, v, sents, 3)
    # "lead de" (cosine 0.7 to "lead en", ~1 after the en-de alignment rescaling) is skipped;
    # a1 gives at most two sentences
    assert picked == [0, 2] and 1 not in picked
