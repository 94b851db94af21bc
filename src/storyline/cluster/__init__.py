"""Clustering stage: group article vectors into stories (batch today; streaming builds on it)."""

from storyline.cluster.batch import AverageLinkClusterer
from storyline.cluster.ids import assign_story_ids

__all__ = ["AverageLinkClusterer", "assign_story_ids"]
