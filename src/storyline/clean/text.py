"""Line-level cleaner for whole-page text dumps (placeholder, being written)."""

from __future__ import annotations

from storyline.types import CleanedDocument


class TextCleaner:
    """Extract the article (title, body paragraphs) from a whole-page text dump."""

    def clean(self, text: str) -> CleanedDocument:
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        title = lines[0] if lines else None
        return CleanedDocument(title=title, paragraphs=tuple(lines[1:]))
