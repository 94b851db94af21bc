"""Clustering stage: group article vectors into stories.

``graph.GraphClusterer`` (batch, k-NN graph + average linkage) and ``stream.StreamClusterer``
(online placement + settling) share one threshold semantics; ``merge.PieceMerger`` is the
second level that joins the pieces of stories too large for the k-NN graph; ``batch.AverageLinkClusterer``
is the dense reference they are measured against.
"""

from storyline.cluster.batch import AverageLinkClusterer
from storyline.cluster.graph import GraphClusterer
from storyline.cluster.ids import assign_story_ids
from storyline.cluster.stream import StreamClusterer

__all__ = ["AverageLinkClusterer", "GraphClusterer", "StreamClusterer", "assign_story_ids"]
