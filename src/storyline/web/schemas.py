"""Request bodies of the REST API, with their bounds (pydantic validates; 4xx on bad input)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# One article's text, and one raw page: far beyond a real article, small enough for memory.
MAX_TEXT_CHARS = 500_000
MAX_RECORDS = 100  # per request


class RecordIn(BaseModel):
    """An article as a record, like a JSON Lines line of `storyline ingest`."""

    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(None, max_length=2_000)
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    url: str | None = Field(None, max_length=2_048)
    date: str | None = Field(None, max_length=40, description="ISO 8601, e.g. 2026-03-14")
    source: str | None = Field(None, max_length=200)
    lang: str | None = Field(None, max_length=16, description="ISO 639-1; detected if absent")


class ArticlesIn(BaseModel):
    """Either ``records`` (structured articles) or ``page`` (one raw page dump or HTML)."""

    model_config = ConfigDict(extra="forbid")
    records: list[RecordIn] | None = Field(None, min_length=1, max_length=MAX_RECORDS)
    page: str | None = Field(None, min_length=1, max_length=MAX_TEXT_CHARS)
    format: Literal["text", "html"] = Field("text", description="what `page` is")
    source: str | None = Field(None, max_length=200, description="publisher of `page`")
    url: str | None = Field(None, max_length=2_048, description="address of `page`")

    @model_validator(mode="after")
    def one_kind(self) -> ArticlesIn:
        if (self.records is None) == (self.page is None):
            raise ValueError("give either 'records' (a list of articles) or 'page' (raw text)")
        return self


class SimilarityIn(BaseModel):
    """Two articles, any languages: each a record (title, text, lang) or a raw page (a string,
    cleaned as ``format``: its first substantial line is taken as the title)."""

    model_config = ConfigDict(extra="forbid")
    a: RecordIn | Annotated[str, Field(min_length=1, max_length=MAX_TEXT_CHARS)]
    b: RecordIn | Annotated[str, Field(min_length=1, max_length=MAX_TEXT_CHARS)]
    format: Literal["text", "html"] = "text"
