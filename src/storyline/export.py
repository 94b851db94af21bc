"""Export: stories and articles (with their story ids) to JSON Lines, CSV or Parquet.

Two tables, written side by side so that pandas or a notebook can join them on the story id:

* ``stories.<ext>``: id, headline, headlines (per language), languages, sources, size,
  first_date, last_date, article_ids;
* ``articles.<ext>``: id, story_id, title, text, lang, date, source, url, origin,
  duplicate_of.

In CSV, list and mapping columns are JSON strings; JSON Lines and Parquet keep lists as
lists (Parquet stores the per-language headlines as a JSON string, their keys vary).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from storyline.errors import ConfigError
from storyline.store import Store

FORMATS = ("jsonl", "csv", "parquet")
STORY_COLUMNS = ("id", "headline", "headlines", "languages", "sources", "size", "first_date",
                 "last_date", "article_ids")
ARTICLE_COLUMNS = ("id", "story_id", "title", "text", "lang", "date", "source", "url", "origin",
                   "duplicate_of")


def story_rows(store: Store) -> Iterator[dict[str, Any]]:
    for s in store.stories():
        yield {"id": s.id, "headline": s.headline, "headlines": dict(s.headlines),
               "languages": list(s.languages), "sources": list(s.sources), "size": s.size,
               "first_date": s.first_date, "last_date": s.last_date,
               "article_ids": list(s.article_ids)}


def article_rows(store: Store) -> Iterator[dict[str, Any]]:
    member = store.memberships()
    for a in store.articles():
        yield {"id": a.id, "story_id": member.get(a.id), "title": a.title, "text": a.text,
               "lang": a.lang, "date": a.date, "source": a.source, "url": a.url,
               "origin": a.origin, "duplicate_of": a.duplicate_of}


def _write_jsonl(path: Path, rows: Iterator[dict[str, Any]]) -> int:
    n = 0
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def _flat(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value


def _write_csv(path: Path, rows: Iterator[dict[str, Any]], columns: tuple[str, ...]) -> int:
    n = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _flat(v) for k, v in row.items()})
            n += 1
    return n


def _write_parquet(path: Path, rows: Iterator[dict[str, Any]], columns: tuple[str, ...]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    data: dict[str, list[Any]] = {c: [] for c in columns}
    for row in rows:
        for c in columns:
            v = row[c]
            data[c].append(json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v)
    types = {c: (pa.list_(pa.string()) if c in ("languages", "sources", "article_ids")
                 else pa.int64() if c == "size" else pa.string()) for c in columns}
    table = pa.table({c: pa.array(data[c], type=types[c]) for c in columns})
    pq.write_table(table, path)
    return table.num_rows


def export(store: Store, out_dir: str | Path, fmt: str = "jsonl") -> dict[str, Any]:
    """Write ``stories.<fmt>`` and ``articles.<fmt>`` into ``out_dir`` (created if needed);
    returns {table: {"path", "rows"}}."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    result = {}
    for name, rows, columns in (("stories", story_rows(store), STORY_COLUMNS),
                                ("articles", article_rows(store), ARTICLE_COLUMNS)):
        path = out / f"{name}.{fmt}"
        if fmt == "jsonl":
            n = _write_jsonl(path, rows)
        elif fmt == "csv":
            n = _write_csv(path, rows, columns)
        else:
            n = _write_parquet(path, rows, columns)
        result[name] = {"path": str(path), "rows": n}
    return result
