"""Export of stories and articles to JSON Lines, CSV and Parquet (a real SQLite file)."""

import csv
import json

import pyarrow.parquet as pq
import pytest
from conftest import SAMPLE, HashingEmbedder

from storyline import Storyline
from storyline.errors import ConfigError


@pytest.fixture(scope="module")
def sl(tmp_path_factory):
    db = tmp_path_factory.mktemp("export") / "e.db"
    with Storyline(db, embedder=HashingEmbedder()) as s:
        s.add_paths([SAMPLE / "agency-a", SAMPLE / "feeds"])
        s.cluster()
        yield s


def test_three_formats_hold_the_same_rows_and_story_ids(sl, tmp_path):
    member = sl.store.memberships()
    stories = {s.id: s for s in sl.stories()}
    for fmt in ("jsonl", "csv", "parquet"):
        written = sl.export(tmp_path / fmt, fmt)
        arts_path, stories_path = written["articles"]["path"], written["stories"]["path"]
        if fmt == "jsonl":
            arts = [json.loads(x) for x in open(arts_path, encoding="utf-8")]
            rows = [json.loads(x) for x in open(stories_path, encoding="utf-8")]
        elif fmt == "csv":
            arts = list(csv.DictReader(open(arts_path, encoding="utf-8", newline="")))
            rows = list(csv.DictReader(open(stories_path, encoding="utf-8", newline="")))
            for r in rows:
                r["article_ids"] = json.loads(r["article_ids"])
        else:
            arts = pq.read_table(arts_path).to_pylist()
            rows = pq.read_table(stories_path).to_pylist()
        assert len(arts) == sl.store.count_articles() == written["articles"]["rows"]
        assert {a["id"]: a["story_id"] for a in arts} == member
        assert all(a["text"] for a in arts)
        assert {r["id"]: list(r["article_ids"]) for r in rows} == {
            sid: list(s.article_ids) for sid, s in stories.items()}


def test_unknown_format_is_a_clear_error(sl, tmp_path):
    with pytest.raises(ConfigError, match="jsonl, csv, parquet"):
        sl.export(tmp_path, "xlsx")
