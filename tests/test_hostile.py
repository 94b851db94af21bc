"""Hostile and broken input: each ends stored or rejected with a reason, never a crash or hang.

Property tests (Hypothesis) over the readers, the decoder, the gunzip and the cleaner, with
modest example counts; the 10,000-input run is benchmarks/bench_hostile.py.
"""

import itertools
import os
import random
import tempfile
import time
from pathlib import Path

import pytest
from hostile import GENERATORS, ZERO_WIDTH_AND_BIDI, gzip_bomb, hostile_file, zip_bomb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import storyline.prepare as prepare_module
from storyline import Storyline
from storyline.clean import DocumentCleaner
from storyline.errors import InputError
from storyline.ingest import guarded, read_file, read_paths
from storyline.ingest.decode import decode_bytes
from storyline.ingest.limits import gunzip_capped, time_limit
from storyline.types import Notice, RawDocument, Rejection

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SMALL_KINDS = sorted(set(GENERATORS) - {"gzip_bomb", "zip_bomb"})
_names = itertools.count()


def accounted(origin: str, report) -> bool:
    """True when the report names ``origin`` (or one of its records) in some outcome."""
    named = (report.stored + report.unchanged + [o for o, _ in report.duplicates]
             + [o for o, _ in report.near_duplicates] + [r.origin for r in report.rejected]
             + [n.origin for n in report.notices])
    return any(o == origin or o.startswith(origin + "#") for o in named)


@pytest.fixture(scope="module")
def library():
    with tempfile.TemporaryDirectory() as tmp:
        sl = Storyline(Path(tmp) / "hostile.db", embedder="unused")  # ingest(embed=False) never embeds
        yield sl, Path(tmp)
        sl.close()


@SETTINGS
@given(kind=st.sampled_from(SMALL_KINDS), seed=st.integers(0, 2**32))
def test_every_hostile_file_is_stored_or_rejected(library, kind, seed):
    sl, folder = library
    name, data = hostile_file(random.Random(seed), kind)
    path = folder / f"{next(_names)}-{name}"
    path.write_bytes(data)
    report = sl.pipeline.ingest([path], embed=False)
    assert accounted(str(path), report)
    for r in report.rejected:
        assert r.reason.strip() and "\n" not in r.reason  # one clear line


@SETTINGS
@given(data=st.binary(max_size=4096), suffix=st.sampled_from(
    [".txt", ".html", ".jsonl", ".json", ".csv", ".xml", ".rss", ".warc", ".warc.gz", ".gz", ""]))
def test_readers_on_random_bytes_yield_records_or_rejections(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("raw") / f"f{suffix}"
    path.write_bytes(data)
    items = list(read_file(path))
    assert items and all(isinstance(i, RawDocument | Rejection | Notice) for i in items)
    assert any(isinstance(i, RawDocument | Rejection) for i in items) or all(
        isinstance(i, Notice) for i in items)


@SETTINGS
@given(st.binary(max_size=2048))
def test_decode_never_crashes(data):
    try:
        decoded = decode_bytes(data)
    except InputError as exc:
        assert "empty" in str(exc) or "binary" in str(exc)
    else:
        assert isinstance(decoded.text, str)


@SETTINGS
@given(st.binary(max_size=2048), st.integers(0, 4096))
def test_gunzip_is_bounded_and_never_crashes(data, limit):
    import gzip
    for blob in (data, gzip.compress(data), gzip.compress(data)[: len(data) // 2 + 10]):
        try:
            out = gunzip_capped(blob, limit)
        except InputError:
            continue
        assert len(out) <= limit


HOSTILE_TEXT = st.text(alphabet=st.one_of(
    st.sampled_from(ZERO_WIDTH_AND_BIDI), st.sampled_from("<>&;/\"'=!-[]\n\t .,"),
    st.characters(codec="utf-8")), max_size=3000)


@SETTINGS
@given(body=HOSTILE_TEXT, kind=st.sampled_from(["text", "html", "record"]))
def test_cleaner_on_hostile_text_returns_a_document(body, kind):
    result = DocumentCleaner().clean(RawDocument(origin="x", kind=kind, body=body, title="t"))
    assert isinstance(result.document.text, str)


@SETTINGS
@given(depth=st.integers(1, 3000), tag=st.sampled_from(["div", "p", "b", "table", "li"]),
       closed=st.booleans())
def test_deep_html_is_cleaned_without_error(depth, tag, closed):
    html = f"<html><body>{f'<{tag}>' * depth}Text deep inside. {f'</{tag}>' * depth * closed}"
    result = DocumentCleaner().clean(RawDocument(origin="x", kind="html", body=html))
    assert isinstance(result.document.text, str)


def test_bombs_are_rejected_with_a_reason(tmp_path):
    rng = random.Random(0)
    (tmp_path / "bomb.txt.gz").write_bytes(gzip_bomb(rng, 1))
    (tmp_path / "bomb.zip").write_bytes(zip_bomb(rng, 1))
    (tmp_path / "zip-named.txt").write_bytes(zip_bomb(rng, 1))
    out = {os.path.basename(r.origin): r for r in read_paths([tmp_path])}
    assert all(isinstance(r, Rejection) for r in out.values())
    assert "gzip bomb" in out["bomb.txt.gz"].reason or "too large" in out["bomb.txt.gz"].reason
    assert "unsupported file type '.zip'" in out["bomb.zip"].reason
    assert "binary" in out["zip-named.txt"].reason


def test_symlink_loops_pipes_and_unreadable_files_are_rejected(tmp_path):
    (tmp_path / "sub").mkdir()
    os.symlink(tmp_path, tmp_path / "sub" / "up")  # a loop through a folder link
    os.symlink("self.txt", tmp_path / "self.txt")  # a link to itself
    os.symlink("b.txt", tmp_path / "a.txt")
    os.symlink("a.txt", tmp_path / "b.txt")  # two links pointing at each other
    os.mkfifo(tmp_path / "pipe.txt")  # reading it would block forever
    locked = tmp_path / "locked.txt"
    locked.write_text("Title\n" + "Some readable text of an article. " * 5)
    locked.chmod(0)
    start = time.monotonic()
    out = list(read_paths([tmp_path]))
    assert time.monotonic() - start < 30
    by_name = {os.path.basename(i.origin): i for i in out}
    assert "symlinked folders are not followed" in by_name["up"].reason
    for name in ("self.txt", "a.txt", "b.txt"):
        assert "cannot read" in by_name[name].reason
    assert "not a regular file" in by_name["pipe.txt"].reason
    # root reads a mode-000 file anyway; anyone else gets a rejection naming it
    assert isinstance(by_name["locked.txt"], RawDocument) or "Permission denied" in by_name[
        "locked.txt"].reason


def test_a_reader_that_hangs_is_cut_off_and_named():
    def hanging():
        yield RawDocument(origin="f#1", kind="text", body="fine")
        while True:
            pass

    items = list(guarded(hanging(), "f", seconds=0.5))
    assert isinstance(items[0], RawDocument)
    assert isinstance(items[1], Rejection) and "longer than 0.5 s" in items[1].reason


def test_time_limit_survives_code_that_catches_every_exception():
    with pytest.raises(BaseException, match="longer than"):
        with time_limit(0.3, "x"):
            while True:
                try:
                    sum(range(1000))
                except Exception:  # what trafilatura's broad handlers would do
                    pass


def test_cleaning_that_hangs_is_rejected_and_the_run_goes_on(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text("Slow page\n" + "A sentence of the article text. " * 5)
    (tmp_path / "b.txt").write_text(
        "Central bank cuts its deposit rate\nThe central bank lowered its deposit rate by a "
        "quarter point on Thursday, citing falling inflation and weak growth.\nThe decision "
        "was unanimous, the bank's president told reporters in Frankfurt.\n")
    monkeypatch.setattr(prepare_module, "DOCUMENT_SECONDS", 0.5)
    with Storyline(tmp_path / "db.sqlite", embedder="unused") as sl:
        real = sl.pipeline.cleaner.clean

        def clean(raw):
            while raw.origin.endswith("a.txt"):
                pass
            return real(raw)

        sl.pipeline.cleaner.clean = clean
        report = sl.pipeline.ingest([tmp_path / "a.txt", tmp_path / "b.txt"], embed=False)
    assert len(report.stored) == 1 and report.stored[0].endswith("b.txt")
    assert [(os.path.basename(r.origin), "gave up" in r.reason) for r in report.rejected] == [
        ("a.txt", True)]
