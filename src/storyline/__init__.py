"""Storyline: a multilingual news story engine.

>>> from storyline import Storyline
>>> sl = Storyline("news.db")
>>> report = sl.add_paths(["examples/sample"])
>>> stories = sl.cluster()
"""

from storyline.api_python import Storyline
from storyline.errors import StorylineError
from storyline.store import open_store
from storyline.types import Article, Rejection, Story

__all__ = ["Article", "Rejection", "Story", "Storyline", "StorylineError", "open_store"]
__version__ = "0.1.0"
