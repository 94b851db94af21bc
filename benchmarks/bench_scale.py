"""Scale-out figures from one run: `--workers 2` vs one process, PostgreSQL vs SQLite, and
the per-core stage rates the scale plan (docs/scale.md) rests on.

On the first --pages page dumps of ../shared/bench/textclean/dev.jsonl (written as .txt
files to a temporary folder), with the real model, through the real CLI:

  A  `storyline run DIR --db a.db`                       one process, one core (OMP 1 thread)
  B  `storyline run DIR --db b.db --engine dask --workers 2` Dask LocalCluster, 2 worker processes
  C  `storyline run DIR --db postgresql://...`           as A, into PostgreSQL (private server)

then the store alone (the same articles, vectors and stories written and read back through
each backend), then the stages alone on one core (reading + cleaning + language id; the
three-view embedding). Speeds are noisy on a shared machine: read the ratios.

    .venv/bin/python benchmarks/bench_scale.py [--pages 300]
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # per-core figures: before any model loads

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "tests"))

from bench_concurrent import write_pages
from pgserver import PostgresServer

from storyline import ingest
from storyline.clean import DocumentCleaner
from storyline.embed import E5Embedder, embed_texts, view_texts
from storyline.language import LanguageDetector
from storyline.pipeline import EMBED_BATCH
from storyline.prepare import Prepared, Preparer
from storyline.store import open_store

EXE = str(Path(sys.executable).with_name("storyline"))


def cli_run(folder: Path, db: str, *extra: str) -> tuple[float, dict]:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    start = time.perf_counter()
    res = subprocess.run([EXE, "run", str(folder), "--db", db, "--json", "--quiet", *extra],
                         env=env, capture_output=True, text=True)
    secs = time.perf_counter() - start
    if res.returncode != 0:
        raise SystemExit(f"storyline run {' '.join(extra)} failed: {res.stderr}")
    return secs, json.loads(res.stdout)


def store_cost(source_db: str, target: str) -> float:
    """Seconds to write the source's articles, vectors and stories into ``target`` and read
    the stories back (what the pipeline asks of a store, without the stages)."""
    src = open_store(source_db, create=False)
    articles = src.articles()
    models = sorted({m for (m,) in src.conn.execute("SELECT DISTINCT model FROM embeddings")})
    vecs = {m: src.embeddings(m, [a.id for a in articles]) for m in models}
    rows = {s.id: (s.headline, s.headlines, list(s.article_ids)) for s in src.stories()}
    src.close()
    dst = open_store(target)
    start = time.perf_counter()
    for a in articles:
        dst.article_by_origin(a.origin)
        dst.article_by_hash(a.content_hash)
        dst.add_article(a, b"\0" * 1024)
    for m, by_id in vecs.items():
        ids = list(by_id)
        for k in range(0, len(ids), EMBED_BATCH):
            dst.add_embeddings(m, {i: by_id[i] for i in ids[k:k + EMBED_BATCH]})
    for m in models:
        dst.embeddings(m, [a.id for a in articles])
    dst.replace_stories(rows)
    dst.stories()
    secs = time.perf_counter() - start
    dst.close()
    return secs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--stages-only", action="store_true", help="Only the per-core stage rates.")
    args = ap.parse_args()
    if args.stages_only:
        with tempfile.TemporaryDirectory() as tmp:
            stages(write_pages(Path(tmp) / "pages", args.pages))
        return
    with tempfile.TemporaryDirectory() as tmp, PostgresServer() as server:
        folder = Path(tmp) / "pages"
        files = write_pages(folder, args.pages)
        a_secs, a_out = cli_run(folder, f"{tmp}/a.db", "--workers", "0")
        b_secs, b_out = cli_run(folder, f"{tmp}/b.db", "--engine", "dask", "--workers", "2")
        pg_url = server.new_database("c")
        c_secs, c_out = cli_run(folder, pg_url, "--workers", "0")
        stored = a_out["ingest"]["stored"] + a_out["ingest"]["near_duplicates"]
        same_b = a_out["stories"] == b_out["stories"] and a_out["ingest"] == b_out["ingest"]
        same_c = a_out["stories"] == c_out["stories"] and a_out["ingest"] == c_out["ingest"]
        print(f"{len(files)} pages -> {stored} articles stored, {len(a_out['stories'])} stories")
        print("| run | wall s | pages/s | ratio to A | same stories and report as A |")
        print("|---|---|---|---|---|")
        for name, secs, same in (("A one process (--workers 0), SQLite", a_secs, True),
                                 ("B --engine dask --workers 2, SQLite", b_secs, same_b),
                                 ("C one process, PostgreSQL", c_secs, same_c)):
            print(f"| {name} | {secs:.1f} | {len(files) / secs:.2f} | {a_secs / secs:.2f} "
                  f"| {same} |")

        lite = store_cost(f"{tmp}/a.db", f"{tmp}/store.db")
        pg = store_cost(f"{tmp}/a.db", server.new_database("s"))
        print(f"\nstore alone ({stored} articles, their vectors, stories): "
              f"SQLite {lite:.2f} s, PostgreSQL {pg:.2f} s, PostgreSQL / SQLite {pg / lite:.2f}; "
              f"share of run A: SQLite {lite / a_secs:.1%}, PostgreSQL {pg / a_secs:.1%}")

        stages(files)


def stages(files: list[str]) -> None:
    """Per-core rates of the distributed stages, in CPU seconds of this one-thread process
    (robust to other jobs sharing the machine) and in wall seconds."""
    prep = Preparer(DocumentCleaner(), LanguageDetector())
    wall, cpu = time.perf_counter(), time.process_time()
    prepared: list[Prepared] = []
    for f in files:
        prepared += prep.documents(ingest.read_file(Path(f)))
    prep_wall, prep_cpu = time.perf_counter() - wall, time.process_time() - cpu
    arts = [r.item for r in prepared if hasattr(r.item, "content_hash")]
    model = E5Embedder()
    texts = [view_texts(a.title, a.text)["full"] for a in arts]  # what `run` embeds
    wall, cpu = time.perf_counter(), time.process_time()
    embed_texts(model, texts, EMBED_BATCH)
    emb_wall, emb_cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"\nstages alone, one thread ({len(files)} pages, {len(arts)} articles):")
    print("| stage | per CPU-second | per wall-second |")
    print("|---|---|---|")
    print(f"| read + clean + language id (pages) | {len(files) / prep_cpu:.1f} "
          f"| {len(files) / prep_wall:.1f} |")
    print(f"| embedding, full view (articles) | {len(arts) / emb_cpu:.2f} | {len(arts) / emb_wall:.2f} |")
    print(f"| share of stage CPU time in embedding | {emb_cpu / (emb_cpu + prep_cpu):.1%} | |")


if __name__ == "__main__":
    main()
