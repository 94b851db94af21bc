"""Cleaning stage: turn a raw document into title + body paragraphs.

``DocumentCleaner`` dispatches on the document kind: HTML goes through trafilatura
(``clean.html``), page dumps and plain text through our line-level cleaner (``clean.text``),
structured records only get their whitespace and entities normalised.
"""

from __future__ import annotations

import html as html_lib
from dataclasses import dataclass

from storyline.clean.html import HtmlCleaner
from storyline.clean.text import TextCleaner
from storyline.types import CleanedDocument, RawDocument


@dataclass(frozen=True)
class CleanResult:
    document: CleanedDocument
    url: str | None = None


def normalise_record_text(text: str) -> tuple[str, ...]:
    lines = (" ".join(html_lib.unescape(line).split()) for line in text.splitlines())
    return tuple(line for line in lines if line)


class DocumentCleaner:
    """One entry point for every kind of raw document."""

    def __init__(self, text: TextCleaner | None = None, html: HtmlCleaner | None = None) -> None:
        self.text = text or TextCleaner()
        self.html = html or HtmlCleaner()

    def clean(self, raw: RawDocument) -> CleanResult:
        if raw.kind == "html":
            doc, url = self.html.clean(raw.body)
            return CleanResult(doc, url)
        if raw.kind == "text":
            return CleanResult(self.text.clean(raw.body))
        if raw.kind == "record":
            return CleanResult(CleanedDocument(title=raw.title,
                                               paragraphs=normalise_record_text(raw.body)))
        raise ValueError(f"unknown document kind {raw.kind!r}")
