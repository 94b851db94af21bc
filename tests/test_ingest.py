import json
import os

from storyline.ingest import iter_files, read_file, read_paths
from storyline.ingest.records import read_csv, read_json, read_jsonl
from storyline.types import Notice, RawDocument, Rejection


def test_folders_are_walked_recursively_and_sorted(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text("Title\nbody")
    (tmp_path / "a.txt").write_text("Title\nbody")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.txt").write_text("x")
    files = list(iter_files([tmp_path]))
    assert [p.name for p in files] == ["a.txt", "z.txt"]


def test_missing_path_is_a_rejection(tmp_path):
    [rej] = list(iter_files([tmp_path / "nope"]))
    assert isinstance(rej, Rejection) and "no such file" in rej.reason


def test_text_and_html_readers(tmp_path):
    (tmp_path / "a.txt").write_text("Title line\nBody text.")
    (tmp_path / "b.html").write_text("<html><body><p>Hi</p></body></html>")
    docs = list(read_paths([tmp_path]))
    assert [d.kind for d in docs] == ["text", "html"]
    assert docs[0].origin.endswith("a.txt")


def test_markdown_files_are_read_as_page_text(tmp_path):
    from pages_multiscript import PAGES, markdown_page

    from storyline.clean import DocumentCleaner

    (tmp_path / "page.md").write_text(markdown_page(PAGES["en"], 80))
    [doc] = list(read_paths([tmp_path]))
    assert doc.kind == "text" and doc.origin.endswith("page.md")
    clean = DocumentCleaner().clean(doc).document
    body = " ".join(clean.paragraphs)
    assert clean.title == PAGES["en"]["title"]
    assert all(" ".join(p.split()) in body for p in PAGES["en"]["body"])
    assert "](" not in body and "https://" not in body


def test_jsonl_malformed_line_is_rejected_and_the_rest_read():
    data = "\n".join([
        json.dumps({"title": "One", "text": "first", "url": "https://x.org/1", "lang": "en",
                    "date": "2026-03-01", "source": "X"}),
        "{not json",
        json.dumps({"title": "Three", "text": ""}),
        json.dumps({"title": "Four", "text": "fourth"}),
    ])
    out = list(read_jsonl(data, "f.jsonl"))
    assert isinstance(out[0], RawDocument) and out[0].url == "https://x.org/1"
    assert out[0].lang == "en" and out[0].source == "X" and out[0].date == "2026-03-01"
    assert isinstance(out[1], Rejection) and "malformed JSON on line 2" in out[1].reason
    assert out[1].origin == "f.jsonl#2"
    assert isinstance(out[2], Rejection) and "no 'text'" in out[2].reason
    assert isinstance(out[3], RawDocument) and out[3].origin == "f.jsonl#4"


def test_json_array_object_and_garbage():
    arr = list(read_json(json.dumps([{"title": "a", "text": "b"}, 5]), "x.json"))
    assert isinstance(arr[0], RawDocument) and isinstance(arr[1], Rejection)
    one = list(read_json(json.dumps({"title": "a", "text": "b"}), "y.json"))
    assert one[0].origin == "y.json#1"
    bad = list(read_json("[1, 2", "z.json"))
    assert isinstance(bad[0], Rejection) and "malformed JSON" in bad[0].reason


def test_csv_reader_needs_text_column():
    good = list(read_csv('title,text,url\n"A, b","Body, with comma",https://e.org/a\n', "n.csv"))
    assert good[0].title == "A, b" and good[0].body == "Body, with comma"
    assert good[0].url == "https://e.org/a" and good[0].origin == "n.csv#1"
    bad = list(read_csv("name,value\nx,1\n", "m.csv"))
    assert isinstance(bad[0], Rejection) and "no 'text' column" in bad[0].reason


def test_bad_files_each_give_one_clear_rejection(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)
    big = tmp_path / "huge.txt"
    with open(big, "wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse 50 MB file
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    os.symlink(tmp_path / "gone.txt", tmp_path / "broken.txt")
    out = {os.path.basename(r.origin): r for r in read_paths([tmp_path])}
    assert "empty file" in out["empty.txt"].reason
    assert "binary" in out["image.txt"].reason
    assert "too large" in out["huge.txt"].reason
    assert "unsupported file type" in out["notes.docx"].reason
    assert "cannot read" in out["broken.txt"].reason
    assert all(isinstance(r, Rejection) for r in out.values())


def test_invalid_utf8_gives_a_notice_and_a_document(tmp_path):
    p = tmp_path / "legacy.txt"
    p.write_bytes(("Заголовок\n" + "Текст новости о событии в городе. " * 10).encode("cp1251"))
    out = list(read_file(p))
    assert isinstance(out[0], Notice) and "UTF-8" in out[0].message
    assert isinstance(out[1], RawDocument) and "Текст новости" in out[1].body
