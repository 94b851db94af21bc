"""With the real model: the sample articles packed into a WARC, an RSS and an Atom feed are
clustered like their plain-file copies, and ``storyline watch`` picks feeds and WARCs up."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from archives import build_atom, build_rss, build_warc, sample_articles
from conftest import SAMPLE

from storyline import Storyline


def story_of_origin(db: Path) -> dict[str, str]:
    """Each input origin's story: its article's, or (for an exact copy) its original's."""
    conn = sqlite3.connect(db)
    try:
        out = dict(conn.execute("SELECT a.origin, m.story_id FROM articles a "
                                "JOIN memberships m ON m.article_id = a.id"))
        out.update(conn.execute("SELECT d.origin, m.story_id FROM duplicates d "
                                "JOIN memberships m ON m.article_id = d.duplicate_of"))
    finally:
        conn.close()
    return out


def grouping(story: dict[str, str], rename: dict[str, str] | None = None) -> set[frozenset]:
    groups: dict[str, set[str]] = {}
    for origin, sid in story.items():
        groups.setdefault(sid, set()).add(rename.get(origin, origin) if rename else origin)
    return {frozenset(g) for g in groups.values()}


def build_archive_corpus(folder: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The sample as one WARC (the HTML pages and every other dated article), one RSS and one
    Atom feed (the other articles, undated ones among them: a capture always has a date, a
    feed entry may not). Returns ({archive origin: sample-relative origin},
    {WARC record origin: expected outcome})."""
    folder.mkdir(parents=True, exist_ok=True)
    arts = sample_articles(SAMPLE)
    dated = [a for a in arts if a[4]]
    rest = dated[1::2] + [a for a in arts if not a[4]]
    _, copies, expected = build_warc(SAMPLE, folder / "crawl.warc.gz", articles=dated[0::2])
    _, rss = build_rss(folder / "news.rss", rest[0::2])
    _, atom = build_atom(folder / "news.atom", rest[1::2])
    return {**copies, **rss, **atom}, expected


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("archives")
    plain = tmp / "plain.db"
    with Storyline(plain) as sl:
        sl.add_paths([SAMPLE])
        sl.cluster()
    copies, expected = build_archive_corpus(tmp / "in")
    archive = tmp / "archive.db"
    with Storyline(archive) as sl:
        report = sl.add_paths([tmp / "in"])
        sl.cluster()
    return plain, archive, copies, expected, report


def test_every_archive_record_is_accounted_for(runs):
    _, archive, copies, expected, report = runs
    c = report.counts()
    skipped = sum(1 for e in expected.values() if e == "skipped")
    n_feed_entries = sum(1 for o in copies if ".warc" not in o)
    assert (c["stored"] + c["near_duplicates"] + c["duplicates"] + c["rejected"] + skipped
            == len(expected) + n_feed_entries)
    assert c["rejected"] == sum(1 for e in expected.values() if e == "rejected")


def test_archived_articles_cluster_like_their_plain_copies(runs):
    plain, archive, copies, _, _ = runs
    plain_story = {str(Path(o).relative_to(SAMPLE)): s for o, s in story_of_origin(plain).items()}
    archive_story = {copies[o]: s for o, s in story_of_origin(archive).items() if o in copies}
    assert set(archive_story) == set(plain_story)  # every sample article, in a story
    assert grouping(archive_story) == grouping(plain_story)


def test_watch_picks_up_new_feeds_and_warcs(tmp_path):
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    db = tmp_path / "watch.db"
    arts = [a for a in sample_articles(SAMPLE)  # one story, no exact copies among them
            if ("izmir" in a[0] or "izmir" in a[1].lower()) and "mirror/" not in a[0]]
    cmd = [str(Path(sys.executable).with_name("storyline")), "watch", str(incoming), "--db", str(db),
           "--once"]
    build_rss(incoming / "first.rss", arts[:2])
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("placed ") == 2
    build_warc(SAMPLE, incoming / "later.warc.gz", articles=arts[2:4], pages=False)
    build_atom(incoming / "later.atom", arts[4:5])
    second = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr
    placed = [line for line in second.stdout.splitlines()
              if line.startswith(("placed ", "duplicate "))]  # a copy joins its original
    assert sorted(line.split()[1].split("#")[0].rsplit("/", 1)[1] for line in placed) == [
        "later.atom", "later.warc.gz", "later.warc.gz"]
    assert "redirect" in second.stderr and "HTTP 404" in second.stderr
