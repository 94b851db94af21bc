"""The embedding schedule: rows in input order, each distinct text once, batches by length."""

from __future__ import annotations

import numpy as np
from conftest import HashingEmbedder

from storyline.embed import embed_texts, view_texts


class Recording(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[str]] = []

    def embed(self, texts):
        self.batches.append(list(texts))
        return super().embed(texts)


def test_rows_follow_the_input_and_equal_one_by_one_embedding():
    texts = ["a long text about an earthquake near Izmir " * (k % 5 + 1) + str(k)
             for k in range(37)]
    model = Recording()
    out = embed_texts(model, texts, batch_size=8)
    alone = np.stack([HashingEmbedder().embed([t])[0] for t in texts])
    assert out.shape == (37, model.dim) and np.array_equal(out, alone)
    # batches are cut from the length-sorted texts: no batch mixes short and long
    lengths = [len(t) for b in model.batches for t in b]
    assert lengths == sorted(lengths) and max(len(b) for b in model.batches) == 8


def test_identical_texts_are_embedded_once():
    model = Recording()
    title = "Quake in Izmir kills twelve"
    views = view_texts("", title + " and more words to pass forty characters")
    assert views["full"] == views["lead"]  # no title, short text: two views, one text
    texts = [views["full"], views["lead"], title, title, "other"]
    out = embed_texts(model, texts)
    assert model.texts_embedded == 3
    assert np.array_equal(out[0], out[1]) and np.array_equal(out[2], out[3])


def test_nothing_to_embed():
    assert embed_texts(Recording(), []).shape == (0, 256)


def test_pair_file_embedding_embeds_each_article_once_and_caches_by_position(tmp_path):
    from storyline.training import cache_path, embed_cached

    texts = ["quake in Izmir", "rates held", "quake in Izmir", "fire in Attica", "rates held"]
    model = Recording()
    steps = []
    out = embed_cached(texts, model, tmp_path, lambda label, done, total: steps.append((label, done, total)))
    assert model.texts_embedded == 3  # a pair file repeats its articles: each is embedded once
    assert np.array_equal(out, HashingEmbedder().embed(texts))  # rows stay by position
    assert steps[-1] == ("embed", 3, 3)
    assert cache_path(texts, model.name, tmp_path).exists()
    again = Recording()
    assert np.array_equal(embed_cached(texts, again, tmp_path), out) and again.texts_embedded == 0
