"""Throughput of `storyline run` against raw embedding of the same texts, where the rest goes,
and peak memory on many pages.

The machine is shared and noisy, so the figure that matters is the ratio measured in one
run: `storyline run` articles/s (a fresh process and database: start-up, model load, read,
clean, language, dedup, store, embed, cluster) over the model's articles/s embedding the full
view of the very same stored articles (model loaded beforehand, not timed), the two measured
back to back, in alternating order, ``--repeat`` times.

Corpora: the bundled sample, and ``--pages`` pages of the text-cleaning benchmark's dev file
(long, noisy page dumps) written as .txt files to a temporary folder (never committed).

    .venv/bin/python benchmarks/bench_pipeline.py [--repeat 3] [--pages 300]
        [--corpus sample textclean] [--profile] [--memory 1000 3000 10000]

``--profile``: one in-process run (no worker processes, so every stage's time is its own)
with each stage's calls timed. ``--memory N ...``: peak RSS of the same library calls
`storyline run` makes, on N synthesised pages (dev pages with the words of each line
shuffled, so they are distinct articles), with a stand-in embedder (hashed words, no model:
the real model would need hours for 10,000 pages here), plus the real model's own RSS
measured apart; and the real `storyline run`'s peak RSS on the throughput corpora.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

DEV = REPO.parent / "shared" / "bench" / "textclean" / "dev.jsonl"
SAMPLE = REPO / "examples" / "sample"
EXE = Path(sys.executable).with_name("storyline")


# -- corpora ----------------------------------------------------------------------------------
def dev_pages() -> list[dict]:
    if not DEV.exists():
        sys.exit(f"{DEV} not found: the text-cleaning benchmark lives in ../shared")
    with DEV.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def write_pages(folder: Path, n: int, vary: bool = False) -> Path:
    """The first ``n`` dev pages as .txt files; past the file's end (or with ``vary``, every
    copy after the first) the words of each line are shuffled, making a distinct article."""
    pages = dev_pages()
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(n):
        page = pages[k % len(pages)]
        text = page["text"]
        copy = k // len(pages)
        if copy:
            rng = random.Random(k)
            lines = []
            for line in text.split("\n"):
                words = line.split(" ")
                rng.shuffle(words)
                lines.append(" ".join(words))
            text = "\n".join(lines)
        sub = folder / f"{k // 1000:02d}"
        sub.mkdir(exist_ok=True)
        (sub / f"{page['id']}-{copy}.txt").write_text(text, encoding="utf-8")
    return folder


# -- measurements -----------------------------------------------------------------------------
# A tiny launcher forks and execs the measured command and reports that process's own
# rusage: a child forked straight from this (large) process would report this process's peak
# RSS as its own, since Linux keeps the high-water mark across fork and exec.
LAUNCHER = """
import json, os, sys, time
t = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, ru = os.wait4(pid, 0)
with open(sys.argv[1], "w") as fh:
    json.dump({"wall": time.perf_counter() - t, "cpu": ru.ru_utime + ru.ru_stime,
               "rss": ru.ru_maxrss / 1024, "rc": os.waitstatus_to_exitcode(status)}, fh)
"""


def child(cmd: list[str]) -> tuple[float, float, float, str]:
    """Run ``cmd``; returns (wall s, CPU s, peak RSS MiB, stdout) of that process alone."""
    with tempfile.TemporaryDirectory() as tmp:
        usage = Path(tmp) / "usage.json"
        proc = subprocess.run([sys.executable, "-S", "-c", LAUNCHER, str(usage), *cmd],
                              capture_output=True, text=True)
        if proc.returncode or not usage.exists():
            sys.exit(f"{' '.join(cmd)} failed:\n{proc.stderr}")
        u = json.loads(usage.read_text())
        if u["rc"]:
            sys.exit(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    return u["wall"], u["cpu"], u["rss"], proc.stdout


def time_run(paths: list[str], db: Path) -> dict:
    db.unlink(missing_ok=True)
    wall, cpu, rss, _ = child([str(EXE), "run", *paths, "--db", str(db), "--quiet", "--json"])
    return {"wall": wall, "cpu": cpu, "rss": rss}


def full_texts(db: Path) -> list[str]:
    from storyline import Storyline
    from storyline.embed import view_texts

    with Storyline(db, create=False) as sl:
        return [view_texts(a.title, a.text)["full"] for a in sl.articles()]


def time_raw(texts_file: Path, schedule: str = "sorted") -> dict:
    wall, cpu, rss, out = child([sys.executable, __file__, "--raw-worker", str(texts_file),
                                 "--schedule", schedule])
    return json.loads(out)


def raw_worker(texts_file: str, schedule: str) -> None:
    """Child process: the model alone on the texts (load not timed); prints JSON."""
    from storyline.embed import BATCH_SIZE, E5Embedder, embed_texts

    texts = json.loads(Path(texts_file).read_text(encoding="utf-8"))
    model = E5Embedder()
    c0, t0 = time.process_time(), time.perf_counter()
    if schedule == "sorted":  # the pipeline's schedule
        embed_texts(model, texts)
    else:  # the previous one: stored order, batches of 16
        for i in range(0, len(texts), BATCH_SIZE):
            model.embed(texts[i:i + BATCH_SIZE])
    print(json.dumps({"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0}))


def throughput(name: str, paths: list[str], repeat: int, tmp: Path, compare_sort: bool) -> dict:
    db = tmp / f"{name}.db"
    first = time_run(paths, db)  # also gives the stored texts
    texts = full_texts(db)
    texts_file = tmp / f"{name}.texts.json"
    texts_file.write_text(json.dumps(texts), encoding="utf-8")
    n = len(texts)
    runs, raws, unsorted = [first], [], []
    for r in range(repeat):
        # alternate the order (run, raw / raw, run) so a drift in the load hits both alike
        if r % 2:
            raws.append(time_raw(texts_file))
            runs.append(time_run(paths, db))
        else:
            if r:
                runs.append(time_run(paths, db))
            raws.append(time_raw(texts_file))
        if compare_sort:
            unsorted.append(time_raw(texts_file, "stored"))
        print(f"  {name} repeat {r + 1}: run {n / runs[-1]['wall']:.2f}/s, "
              f"raw {n / raws[-1]['wall']:.2f}/s", file=sys.stderr, flush=True)
    res = {"articles": n, "runs": runs, "raws": raws, "unsorted": unsorted,
           "ratio": [(n / r["wall"]) / (n / e["wall"]) for r, e in zip(runs, raws)],
           "cpu_ratio": [e["cpu"] / r["cpu"] for r, e in zip(runs, raws)]}
    return res


def profile(paths: list[str], tmp: Path) -> list[tuple[str, float]]:
    """Seconds per stage of one in-process run (library calls of `storyline run`)."""
    import storyline.clean as clean_mod
    import storyline.dedup as dedup_mod
    import storyline.embed as embed_mod
    import storyline.ingest as ingest_mod
    import storyline.language as lang_mod
    import storyline.pipeline as pipe_mod
    import storyline.store.sqlite as sqlite_mod

    spent: dict[str, float] = {}
    stack: list[list[float]] = []  # per active timer: [start, time of nested timers]

    def timed(label: str, fn):
        def wrapper(*args, **kwargs):
            stack.append([time.perf_counter(), 0.0])
            try:
                return fn(*args, **kwargs)
            finally:
                start, nested = stack.pop()
                total = time.perf_counter() - start
                spent[label] = spent.get(label, 0.0) + total - nested
                if stack:
                    stack[-1][1] += total
        return wrapper

    def read_all(path):
        return list(original_read(path))

    original_read = ingest_mod.read_file
    ingest_mod.read_file = timed("read + decode files", read_all)
    patches = [
        (clean_mod.DocumentCleaner, "clean", "clean (text/html cleaner)"),
        (lang_mod.LanguageDetector, "detect", "language id"),
        (dedup_mod.NearDuplicateIndex, "signature", "MinHash signature"),
        (dedup_mod.NearDuplicateIndex, "query", "near-duplicate lookup"),
        (embed_mod.E5Embedder, "embed", "embedding (model)"),
        (pipe_mod.Pipeline, "cluster", "clustering, headlines"),
    ]
    for name in dir(sqlite_mod.SQLiteStore):
        if not name.startswith("_") and callable(getattr(sqlite_mod.SQLiteStore, name)):
            patches.append((sqlite_mod.SQLiteStore, name, "store (SQLite)"))
    for cls, attr, label in patches:
        setattr(cls, attr, timed(label, getattr(cls, attr)))
    import_s = float(child([sys.executable, "-c", "import storyline.cli"])[0])
    from storyline import Storyline

    db = tmp / "profile.db"
    t1 = time.perf_counter()
    with Storyline(db) as sl:
        spent["model load"] = 0.0
        load0 = time.perf_counter()
        _ = sl.pipeline.embedder
        spent["model load"] = time.perf_counter() - load0
        sl.pipeline.ingest(paths, workers=0)
        sl.cluster()
    run_s = time.perf_counter() - t1
    ingest_mod.read_file = original_read
    spent["python start + imports (separate process)"] = import_s
    accounted = sum(spent.values()) - import_s
    spent["other (pipeline glue)"] = run_s - accounted
    return sorted(spent.items(), key=lambda kv: -kv[1])


def memory(n: int, tmp: Path) -> dict:
    folder = write_pages(tmp / f"mem{n}", n, vary=True)
    wall, cpu, rss, out = child([sys.executable, __file__, "--memory-worker", str(folder),
                                 str(tmp / f"mem{n}.db")])
    print(f"  {n} pages: peak RSS {rss:.0f} MiB", file=sys.stderr, flush=True)
    return {"pages": n, "rss": rss, "wall": wall, **json.loads(out)}


class StandInEmbedder:
    """Hashed-word vectors of the model's width: the pipeline's memory without the model's."""

    name = "stand-in"
    dim = 384

    def embed(self, texts):
        import numpy as np

        out = np.zeros((len(texts), self.dim), np.float32)
        for i, t in enumerate(texts):
            for w in t.split()[:400]:
                out[i, hash(w) % self.dim] += 1.0
            out[i] /= max(float(np.linalg.norm(out[i])), 1e-9)
        return out


def memory_worker(folder: str, db: str) -> None:
    """Child process: `storyline run`'s library calls; logs its peak RSS every 1,000 files."""
    from storyline import Storyline

    def hwm() -> float:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM")) / 1024

    def log(stage: str, done: int, total: int | None) -> None:
        if stage == "ingest" and (done % 1000 < 8 or done == total):
            print(f"  {done} files ingested: peak RSS {hwm():.0f} MiB so far", file=sys.stderr,
                  flush=True)

    with Storyline(db, embedder=StandInEmbedder()) as sl:
        report = sl.add_paths([folder], progress=log)
        ingest_peak = hwm()
        stories = sl.cluster()
    print(json.dumps({**report.counts(), "stories": len(stories), "ingest_rss": ingest_peak,
                      "own_rss": hwm()}))


def model_rss() -> float:
    code = ("from storyline.embed import E5Embedder; m = E5Embedder(); "
            "m.embed(['word ' * 600] * 16)")
    return child([sys.executable, "-c", code])[2]


def spread(values: list[float]) -> str:
    return (f"{statistics.median(values):.2f} (min {min(values):.2f}, max {max(values):.2f}; "
            f"{', '.join(f'{v:.2f}' for v in values)})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", nargs="*", default=["sample", "textclean"],
                    choices=["sample", "textclean"])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--compare-sort", action="store_true",
                    help="also time the model on the stored order in batches of 16")
    ap.add_argument("--memory", type=int, nargs="*", default=[])
    ap.add_argument("--raw-worker", help=argparse.SUPPRESS)
    ap.add_argument("--schedule", default="sorted", help=argparse.SUPPRESS)
    ap.add_argument("--memory-worker", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.raw_worker:
        return raw_worker(args.raw_worker, args.schedule)
    if args.memory_worker:
        return memory_worker(*args.memory_worker)
    with tempfile.TemporaryDirectory(prefix="storyline-bench-") as tmpdir:
        tmp = Path(tmpdir)
        corpora = {}
        if "sample" in args.corpus:
            corpora["sample"] = [str(SAMPLE)]
        if "textclean" in args.corpus:
            corpora[f"textclean dev, {args.pages} pages"] = [
                str(write_pages(tmp / "textclean", args.pages))]
        for name, paths in corpora.items():
            res = throughput(name.split(",")[0].replace(" ", "-"), paths, args.repeat, tmp,
                             args.compare_sort)
            n = res["articles"]
            print(f"\n### {name}: {n} articles stored, {args.repeat} repeats")
            print("| measure | median (min, max; runs) |")
            print("|---|---|")
            print(f"| `storyline run` articles/s | {spread([n / r['wall'] for r in res['runs']])} |")
            print(f"| raw embedding articles/s (full view, sorted batches of 16) | "
                  f"{spread([n / r['wall'] for r in res['raws']])} |")
            if res["unsorted"]:
                print(f"| raw embedding articles/s (stored order, batches of 16) | "
                      f"{spread([n / r['wall'] for r in res['unsorted']])} |")
            print(f"| **ratio run / raw (wall)** | **{spread(res['ratio'])}** |")
            print(f"| ratio raw CPU s / run CPU s | {spread(res['cpu_ratio'])} |")
            print(f"| `storyline run` peak RSS MiB | "
                  f"{spread([r['rss'] for r in res['runs']])} |")
            if args.profile:
                stages = profile(paths, tmp)
                total = sum(s for _, s in stages)
                print(f"\nProfile ({name}, one in-process run, no workers):\n")
                print("| stage | seconds | share |")
                print("|---|---|---|")
                for label, secs in stages:
                    print(f"| {label} | {secs:.2f} | {secs / total:.1%} |")
        if args.memory:
            print("\n### Peak memory (stand-in embedder; model measured apart)")
            print("| pages | stored | near-dup | rejected | stories | peak RSS MiB after "
                  "ingest | peak RSS MiB, main process | peak RSS MiB, any process of the run "
                  "| wall s |")
            print("|---|---|---|---|---|---|---|---|---|")
            for n in args.memory:
                m = memory(n, tmp)
                print(f"| {n} | {m['stored']} | {m['near_duplicates']} | {m['rejected']} | "
                      f"{m['stories']} | {m['ingest_rss']:.0f} | {m['own_rss']:.0f} | "
                      f"{m['rss']:.0f} | "
                      f"{m['wall']:.0f} |", flush=True)
            print(f"\nmodel process alone (load + one batch of 16 long texts): "
                  f"{model_rss():.0f} MiB peak RSS")


if __name__ == "__main__":
    main()
