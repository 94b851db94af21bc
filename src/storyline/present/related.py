"""Related stories: the other stories nearest to this one (same topic, another event).

A story's position is the mean of its articles' centred vectors (``vectors.CorpusVectors``:
the language direction removed, so a Greek-only story can be near an English-only one);
the score is the cosine between two stories' positions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from storyline.vectors import CorpusVectors

TOP_RELATED = 5


def story_centroids(corpus: CorpusVectors, member: Mapping[str, str]
                    ) -> tuple[list[str], np.ndarray]:
    """(story ids, unit centroid per story) over the corpus's original articles."""
    rows = [k for k, aid in enumerate(corpus.ids) if aid in member and corpus.originals[k]]
    if not rows:
        return [], np.zeros((0, corpus.vectors.shape[1] if corpus.vectors.ndim == 2 else 0))
    labels = [member[corpus.ids[k]] for k in rows]
    story_ids = sorted(set(labels))
    index = {sid: i for i, sid in enumerate(story_ids)}
    sums = np.zeros((len(story_ids), corpus.vectors.shape[1]), np.float64)
    np.add.at(sums, [index[s] for s in labels], corpus.vectors[rows])
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return story_ids, (sums / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def related(story_id: str, corpus: CorpusVectors, member: Mapping[str, str],
            headlines: Mapping[str, str], top: int = TOP_RELATED) -> list[dict[str, Any]]:
    """[{id, headline, score}] of the ``top`` nearest other stories, nearest first."""
    ids, cents = story_centroids(corpus, member)
    if story_id not in ids:
        return []
    me = ids.index(story_id)
    sims = cents @ cents[me]
    order = [int(k) for k in np.argsort(-sims, kind="stable") if k != me][:top]
    return [{"id": ids[k], "headline": headlines.get(ids[k], ""),
             "score": round(float(sims[k]), 4)} for k in order]
