"""Records that flow between the pipeline stages (frozen: stages return new records)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RawDocument:
    """One input document as read from disk, before cleaning.

    ``kind`` says how ``body`` must be cleaned: ``"text"`` (a page dump or plain text),
    ``"html"`` (a web page) or ``"record"`` (already structured: title/text given).
    """

    origin: str  # file path, with "#N" for the N-th record of a JSONL/CSV file
    kind: str
    body: str
    title: str | None = None
    url: str | None = None
    date: str | None = None  # ISO 8601 (YYYY-MM-DD) when known
    source: str | None = None
    lang: str | None = None


@dataclass(frozen=True)
class Removed:
    """A line the cleaner dropped, and why (for --explain and debugging)."""

    text: str
    reason: str


@dataclass(frozen=True)
class CleanedDocument:
    """The article extracted from a page: title, body paragraphs in order, what was removed."""

    title: str | None
    paragraphs: tuple[str, ...]
    removed: tuple[Removed, ...] = ()
    date: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass(frozen=True)
class Article:
    """A cleaned, language-tagged article ready to be stored, embedded and clustered."""

    id: str  # content hash prefix: stable across runs
    origin: str
    title: str
    text: str
    lang: str
    content_hash: str
    url: str | None = None
    date: str | None = None
    source: str | None = None
    duplicate_of: str | None = None  # id of the original when this is a near-duplicate

    @property
    def full_text(self) -> str:
        return f"{self.title}\n{self.text}" if self.title else self.text


@dataclass(frozen=True)
class Rejection:
    """An input that did not become an article, with a one-line reason."""

    origin: str
    reason: str


@dataclass(frozen=True)
class Notice:
    """A problem worth telling the user that did not stop the document (e.g. bad encoding)."""

    origin: str
    message: str


@dataclass(frozen=True)
class Story:
    """A group of articles that report the same event."""

    id: str
    headline: str
    article_ids: tuple[str, ...]
    languages: tuple[str, ...]
    sources: tuple[str, ...]
    first_date: str | None = None
    last_date: str | None = None
    headlines: dict[str, str] = field(default_factory=dict)  # per language

    @property
    def size(self) -> int:
        return len(self.article_ids)
