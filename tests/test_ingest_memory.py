"""Input held in memory (what the HTTP API posts): no file is opened, origins are stable
content hashes, and every record ends stored, duplicate, unchanged or rejected."""

from __future__ import annotations

from click.testing import CliRunner

from storyline import Storyline, ingest
from storyline.cli import main
from storyline.types import RawDocument, Rejection

TEXT = ("Ein Containerschiff blockierte den Suezkanal 18 Stunden lang, bevor Schlepper es am "
        "Mittwoch wieder flottmachten, teilte die Kanalbehörde mit.")


def test_read_records_validates_and_names_by_content():
    recs = [{"title": "A", "text": TEXT}, {"title": "no text"}, "not a record",
            {"title": "A", "text": TEXT, "url": "https://example.org/a"}]
    docs = list(ingest.read_records(recs, prefix="api"))
    assert isinstance(docs[0], RawDocument) and docs[0].source == "api"
    assert isinstance(docs[1], Rejection) and "text" in docs[1].reason
    assert isinstance(docs[2], Rejection)
    assert docs[3].url == "https://example.org/a" and docs[3].source is None  # the host names it
    assert docs[0].origin.startswith("api:") and docs[0].origin != docs[3].origin
    again = list(ingest.read_records(recs, prefix="api"))
    assert [d.origin for d in again] == [d.origin for d in docs]


def test_read_text_formats_and_bounds():
    [doc] = ingest.read_text("Title\n" + TEXT, "text", prefix="web")
    assert doc.kind == "text" and doc.source == "web" and doc.origin.startswith("web:")
    [html] = ingest.read_text("<html><body><p>x</p></body></html>", "html", source="S")
    assert html.kind == "html" and html.source == "S"
    [bad] = ingest.read_text("x", "pdf")
    assert isinstance(bad, Rejection) and "unsupported format" in bad.reason
    [big] = ingest.read_text("x" * (ingest.MAX_FILE_BYTES + 1))
    assert isinstance(big, Rejection) and "too large" in big.reason


def test_add_records_places_and_reposting_changes_nothing(tmp_path, hashing_embedder):
    with Storyline(tmp_path / "m.db", embedder=hashing_embedder) as sl:
        first = sl.add_records([{"title": "Suez", "text": TEXT},
                                {"title": "stub", "text": "short"}])
        stored, rejected = first["items"]
        assert stored["status"] == "stored" and stored["story_id"] and stored["article_id"]
        assert rejected["status"] == "rejected" and "no article text" in rejected["reason"]
        again = sl.add_records([{"title": "Suez", "text": TEXT}])
        assert again["items"][0]["status"] == "unchanged"
        assert again["items"][0]["story_id"] == stored["story_id"]
        page = sl.add_page("Menu | Home\nSuez ship refloated\n" + TEXT + " Extra words here.")
        assert page["items"][0]["status"] in ("stored", "near_duplicate")
        assert sl.store.count_articles() == 2


def test_serve_needs_an_existing_database(tmp_path):
    r = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "none.db")])
    assert r.exit_code == 1 and "no database" in r.output
