"""Presentation: what a story says, one module per view.

``headline`` (overall and per language), ``timeline`` (articles by day), ``coverage`` (who
carried it, who did not), ``terms`` (key terms and the names shared across languages),
``summary`` (grounded extractive summary), ``related`` (nearest other stories); ``view``
assembles them into the story page's dict (``Storyline.story_view``).
"""

from __future__ import annotations

from storyline.present.headline import central_index, headlines

__all__ = ["central_index", "headlines"]
