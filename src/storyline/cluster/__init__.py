"""Clustering stage: group article vectors into stories.

``graph.GraphClusterer`` (batch, k-NN graph + average linkage) and ``stream.StreamClusterer``
(online placement + merge passes) share one threshold semantics; ``batch.AverageLinkClusterer``
is the dense reference they are measured against.
"""

from storyline.cluster.batch import AverageLinkClusterer
from storyline.cluster.graph import GraphClusterer
from storyline.cluster.ids import assign_story_ids
from storyline.cluster.stream import StreamClusterer

__all__ = ["AverageLinkClusterer", "GraphClusterer", "StreamClusterer", "assign_story_ids"]
