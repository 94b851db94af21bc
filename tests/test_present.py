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
