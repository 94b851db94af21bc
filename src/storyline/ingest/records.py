"""Structured records: JSON Lines, JSON arrays and CSV with title/text (+url, date, source, lang)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from storyline.types import RawDocument, Rejection

OPTIONAL_FIELDS = ("url", "date", "source", "lang")
# A single record's text beyond this is no article (it is a whole dump or a mistake).
MAX_RECORD_CHARS = 2_000_000


def to_document(record: Mapping[str, Any], origin: str) -> RawDocument | Rejection:
    """Validate one record; a record without text is a rejection, not an exception."""
    if not isinstance(record, Mapping):
        return Rejection(origin, f"expected a JSON object, got {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return Rejection(origin, "record has no 'text' field (or it is empty)")
    if len(text) > MAX_RECORD_CHARS:
        return Rejection(origin, f"record text too large ({len(text):,} characters)")
    title = record.get("title")
    extra = {k: str(record[k]).strip() or None for k in OPTIONAL_FIELDS
             if record.get(k) not in (None, "")}
    return RawDocument(
        origin=origin, kind="record", body=text,
        title=str(title).strip() if title not in (None, "") else None, **extra,
    )


def read_jsonl(data: str, origin: str) -> Iterator[RawDocument | Rejection]:
    n = 0
    for lineno, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        n += 1
        where = f"{origin}#{n}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Rejection(where, f"malformed JSON on line {lineno}: {exc.msg}")
            continue
        except RecursionError:
            yield Rejection(where, f"JSON on line {lineno} nested too deeply")
            continue
        yield to_document(record, where)


def read_json(data: str, origin: str) -> Iterator[RawDocument | Rejection]:
    """A ``.json`` file: one object, an array of objects, or (leniently) JSON Lines."""
    try:
        parsed = json.loads(data)
    except RecursionError:
        yield Rejection(origin, "JSON nested too deeply")
        return
    except json.JSONDecodeError as exc:
        if "Extra data" in exc.msg:  # several objects one per line: JSON Lines
            yield from read_jsonl(data, origin)
        else:
            yield Rejection(origin, f"malformed JSON at line {exc.lineno}: {exc.msg}")
        return
    if isinstance(parsed, Mapping):
        yield to_document(parsed, f"{origin}#1")
    elif isinstance(parsed, list):
        yield from _numbered(parsed, origin)
    else:
        yield Rejection(origin, "expected a JSON object or an array of objects")


def _numbered(items: Iterable[Any], origin: str) -> Iterator[RawDocument | Rejection]:
    for n, item in enumerate(items, start=1):
        yield to_document(item, f"{origin}#{n}")


def read_csv(data: str, origin: str) -> Iterator[RawDocument | Rejection]:
    csv.field_size_limit(MAX_RECORD_CHARS)
    reader = csv.DictReader(io.StringIO(data, newline=""))
    fields = {f.strip().lower() for f in (reader.fieldnames or [])}
    if "text" not in fields:
        yield Rejection(origin, "CSV has no 'text' column (needs title,text[,url,date,source,lang])")
        return
    try:
        for n, row in enumerate(reader, start=1):
            clean = {(k or "").strip().lower(): v for k, v in row.items()}
            yield to_document(clean, f"{origin}#{n}")
    except csv.Error as exc:
        yield Rejection(origin, f"malformed CSV at line {reader.line_num}: {exc}")
