"""API load: concurrent clients against `storyline serve` on 127.0.0.1, with ingest going on.

Starts the server on a copy of a database (default: the sample corpus, built here with the
real model), then
  0. warm-up: one search (loads the model) and one view of each story (the first view
     embeds its summary's sentences, cached after): their time is reported apart;
  1. reference: one client alone for --ref-seconds, the same request mix;
  2. load: --clients clients for --seconds, each looping over story list / one story / search
     (queries in several languages), while one more client POSTs --ingest new articles one by
     one with the token;
  3. checks that every posted article is stored (or recorded as a duplicate) and in a story.
Reports errors, latency percentiles per endpoint, throughput, the p95 ratio load/reference
(figures on a shared machine are only comparable within one run) and the ingest outcome.

Usage:
  .venv/bin/python benchmarks/bench_api_load.py                 # builds the sample database
  .venv/bin/python benchmarks/bench_api_load.py --db storyline.db --clients 20 --seconds 30
Every request goes to 127.0.0.1 only; the run stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "sample"
TOKEN = "bench-token"
QUERIES = ["Suez Canal container ship", "Erdbeben in der Türkei", "incendio forestal cerca de Valencia",
           "Банк Англии снизил ставку", "Σεισμός στην Κρήτη", "嫦娥七号 月球南极", "انتقال لاعب برازيلي",
           "taux de dépôt BCE", "wildfire Athens evacuation", "Lucas Amaral Bayern"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_sample(target: Path) -> None:
    from storyline import Storyline

    with Storyline(target) as sl:
        sl.add_paths([SAMPLE])
        sl.cluster()


def new_articles(db: Path, n: int, seed: int = 7) -> list[dict]:
    """``n`` articles unlike any stored one: the paragraphs of two stored articles of one
    language, interleaved, with a numbered sentence (real text, new content)."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT title, text, lang FROM articles WHERE duplicate_of IS NULL "
                            "ORDER BY id").fetchall()
    by_lang: dict[str, list[tuple[str, str]]] = {}
    for title, text, lang in rows:
        by_lang.setdefault(lang, []).append((title, text))
    pools = [v for v in by_lang.values() if len(v) >= 2]
    rng = random.Random(seed)
    out = []
    for k in range(n):
        (t1, x1), (_, x2) = rng.sample(rng.choice(pools), 2)
        paras = [p for pair in zip(x1.split("\n"), x2.split("\n")) for p in pair]
        out.append({"title": f"{t1} ({k})",
                    "text": "\n".join(paras) + f"\nBench report number {k} of this run.",
                    "source": f"bench-{k % 4}", "date": "2026-03-14"})
    return out


class Recorder:
    def __init__(self) -> None:
        self.lat: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.lock = threading.Lock()

    def add(self, kind: str, seconds: float, ok: bool, why: str = "") -> None:
        with self.lock:
            self.lat.setdefault(kind, []).append(seconds)
            if not ok:
                self.errors.append(f"{kind}: {why}")

    def summary(self, wall: float) -> dict:
        out = {}
        every = [x for v in self.lat.values() for x in v]
        for kind, values in sorted(self.lat.items()) + [("all", every)]:
            a = np.array(values) * 1000
            out[kind] = {"requests": len(a), "p50_ms": round(float(np.percentile(a, 50)), 1),
                         "p95_ms": round(float(np.percentile(a, 95)), 1),
                         "p99_ms": round(float(np.percentile(a, 99)), 1),
                         "max_ms": round(float(a.max()), 1)}
        out["all"]["requests_per_s"] = round(len(every) / wall, 1)
        out["errors"] = len(self.errors)
        out["error_examples"] = self.errors[:5]
        return out


def client_loop(base: str, story_ids: list[str], stop: float, rec: Recorder, seed: int) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=60) as c:
        k = seed
        while time.monotonic() < stop:
            kind = ("list", "story", "search")[k % 3]
            k += 1
            if kind == "list":
                url, params = "/api/v1/stories", {"limit": 20, "offset": rng.choice([0, 0, 5])}
            elif kind == "story":
                url, params = f"/api/v1/stories/{rng.choice(story_ids)}", {}
            else:
                url, params = "/api/v1/search", {"q": rng.choice(QUERIES), "limit": 10}
            t = time.perf_counter()
            try:
                r = c.get(url, params=params)
                ok, why = r.status_code == 200, f"HTTP {r.status_code} {r.text[:80]}"
                if kind == "story" and r.status_code == 404:
                    ok = True  # a story merged away by the concurrent ingest: a correct answer
            except httpx.HTTPError as exc:
                ok, why = False, repr(exc)
            rec.add(kind, time.perf_counter() - t, ok, why)


def ingest_loop(base: str, articles: list[dict], rec: Recorder, results: list[dict]) -> None:
    with httpx.Client(base_url=base, timeout=300,
                      headers={"Authorization": f"Bearer {TOKEN}"}) as c:
        for art in articles:
            t = time.perf_counter()
            try:
                r = c.post("/api/v1/articles", json={"records": [art]})
                ok = r.status_code == 200
                results.extend(r.json()["items"] if ok else [])
                rec.add("ingest", time.perf_counter() - t, ok, f"HTTP {r.status_code} {r.text[:80]}")
            except httpx.HTTPError as exc:
                rec.add("ingest", time.perf_counter() - t, False, repr(exc))


def run_phase(base: str, story_ids: list[str], clients: int, seconds: float,
              ingest: list[dict] | None = None) -> tuple[dict, list[dict]]:
    rec, placed = Recorder(), []
    stop = time.monotonic() + seconds
    threads = [threading.Thread(target=client_loop, args=(base, story_ids, stop, rec, k))
               for k in range(clients)]
    if ingest:
        threads.append(threading.Thread(target=ingest_loop, args=(base, ingest, rec, placed)))
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return rec.summary(time.monotonic() - t0), placed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", type=Path, help="database to serve (copied); default: the sample")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--ref-seconds", type=float, default=10.0)
    ap.add_argument("--ingest", type=int, default=20, help="articles posted during the load")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON only")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-api-"))
    db = work / "bench.db"
    try:
        if args.db:
            with sqlite3.connect(args.db) as src, sqlite3.connect(db) as dst:
                src.backup(dst)
        else:
            print("building the sample database with the real model...", file=sys.stderr)
            build_sample(db)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        exe = str(Path(sys.executable).with_name("storyline"))
        log = open(work / "serve.log", "w")
        server = subprocess.Popen([exe, "serve", "--db", str(db), "--port", str(port),
                                   "--log-level", "warning"], stdout=log, stderr=log,
                                  env={**os.environ, "STORYLINE_TOKEN": TOKEN})
        try:
            deadline = time.monotonic() + 180
            while True:
                try:
                    httpx.get(f"{base}/api/v1/health", timeout=5).raise_for_status()
                    break
                except httpx.HTTPError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit(f"server did not start; see {work / 'serve.log'}")
                    time.sleep(0.5)
            httpx.get(f"{base}/api/v1/search", params={"q": "warm up"}, timeout=180)
            stories = httpx.get(f"{base}/api/v1/stories", params={"limit": 100}).json()
            story_ids = [s["id"] for s in stories["stories"]]
            # first view of each story: its summary's sentence vectors are embedded and cached
            cold = []
            for sid in story_ids:
                t = time.perf_counter()
                httpx.get(f"{base}/api/v1/stories/{sid}", timeout=300).raise_for_status()
                cold.append(time.perf_counter() - t)
            articles = new_articles(db, args.ingest)
            before = httpx.get(f"{base}/api/v1/stories", params={"limit": 1}).json()["total"]

            reference, _ = run_phase(base, story_ids, 1, args.ref_seconds)
            load, placed = run_phase(base, story_ids, args.clients, args.seconds, articles)

            # nothing lost: every posted article is stored (or a recorded duplicate) in a story
            found = 0
            for item in placed:
                if item["article_id"] and item["status"] != "rejected":
                    art = httpx.get(f"{base}/api/v1/articles/{item['article_id']}").json()
                    found += bool(art.get("story_id"))
            statuses: dict[str, int] = {}
            for item in placed:
                statuses[item["status"]] = statuses.get(item["status"], 0) + 1
            after = httpx.get(f"{base}/api/v1/stories", params={"limit": 1}).json()["total"]
        finally:
            server.terminate()
            server.wait(timeout=60)
            log.close()
        result = {
            "date": time.strftime("%Y-%m-%d"), "clients": args.clients, "seconds": args.seconds,
            "stories_before": before, "stories_after": after,
            "first_story_views_ms": {"p50": round(float(np.median(cold)) * 1000, 1),
                                     "max": round(max(cold) * 1000, 1)},
            "reference_one_client": reference, "load": load,
            "p95_ratio_load_vs_one_client": round(load["all"]["p95_ms"]
                                                  / reference["all"]["p95_ms"], 2),
            "ingest": {"posted": len(articles), "answered": len(placed), "statuses": statuses,
                       "found_in_a_story": found,
                       "lost": len(articles) - found},
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(json.dumps(result, indent=2))
    lo = result["load"]
    print(f"\n{args.clients} clients x {args.seconds:.0f} s: {lo['all']['requests']} requests "
          f"({lo['all']['requests_per_s']}/s), errors {lo['errors']}, p95 {lo['all']['p95_ms']} ms "
          f"(one client alone: p95 {reference['all']['p95_ms']} ms, ratio "
          f"{result['p95_ratio_load_vs_one_client']}); ingest: {len(articles)} posted, "
          f"{found} found in a story, {result['ingest']['lost']} lost")


if __name__ == "__main__":
    main()
