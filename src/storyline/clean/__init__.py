"""Cleaning stage: turn a raw document into title + body paragraphs.

``clean_document`` dispatches on the document kind: HTML goes through trafilatura
(``clean.html``), page dumps and plain text through our line-level cleaner (``clean.text``).
"""
