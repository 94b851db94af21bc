"""The per-document stages in worker processes: same records, same order, bounded look-ahead."""

from __future__ import annotations

from pathlib import Path

from storyline.prepare import TASK_DOCUMENTS, Preparer, prepared
from storyline.types import Article, Notice, Rejection

PAGE = ("Strong earthquake hits Izmir, twelve dead {n}\n"
        "A magnitude 6.1 earthquake struck off Seferihisar near Izmir early on Saturday, "
        "killing twelve people and injuring 230, the disaster agency said (report {n}).\n"
        "Rescue teams searched collapsed buildings through the night in the coastal town.\n")


def corpus(tmp_path: Path, n: int) -> list[Path]:
    paths = []
    for k in range(n):
        p = tmp_path / f"{k:03d}.txt"
        p.write_text(PAGE.format(n=k) if k % 7 else "stub", encoding="utf-8")
        paths.append(p)
    bad = tmp_path / "zz.bin"
    bad.write_bytes(b"\x00\x01" * 50)
    return paths + [bad]


def flatten(batches) -> list:
    return [(type(r.item).__name__, r.item.origin, getattr(r.item, "id", None), r.minhash)
            for b in batches for r in b.records]


def test_workers_give_the_same_records_in_the_same_order(tmp_path):
    paths = corpus(tmp_path, 40)
    preparer = Preparer()
    local = list(prepared(paths, preparer, workers=0))
    forked = list(prepared(paths, preparer, workers=2))
    assert flatten(local) == flatten(forked)
    kinds = [k for k, *_ in flatten(local)]
    assert kinds.count("Article") == 34 and kinds.count("Rejection") == 7
    # every article carries its MinHash signature, computed in the worker
    assert all(m is not None for k, _, _, m in flatten(forked) if k == "Article")
    # files_done counts input files and reaches all of them
    assert [b.files_done for b in forked][-1] == len(paths)
    assert all(a.files_done <= b.files_done for a, b in zip(forked, forked[1:]))


def test_workers_read_ahead_a_bounded_window(tmp_path):
    paths = corpus(tmp_path, 200)
    consumed = []

    def listing():
        for p in paths:
            consumed.append(p)
            yield p

    stream = prepared(listing(), Preparer(), workers=1, window=3)
    next(stream)
    # three tasks in flight plus the one handed over: never the whole input
    assert len(consumed) <= 5 * TASK_DOCUMENTS
    rest = list(stream)
    assert len(consumed) == len(paths) and rest


def test_a_failing_document_is_rejected_with_its_reason(tmp_path):
    class Broken(Preparer):
        def article(self, raw):
            if "003" in raw.origin:
                raise ValueError("boom")
            return super().article(raw)

    paths = corpus(tmp_path, 5)
    items = [r.item for b in prepared(paths, Broken(), workers=0) for r in b.records]
    broken = [i for i in items if i.origin.endswith("003.txt")]
    assert isinstance(broken[0], Rejection) and "ValueError: boom" in broken[0].reason
    assert sum(isinstance(i, Article) for i in items) == 3  # 001, 002, 004 (000 is a stub)
    assert not any(isinstance(i, Notice) for i in items)


def test_missing_path_passes_through_as_rejection(tmp_path):
    missing = Rejection(str(tmp_path / "nope"), "no such file or folder")
    [batch] = list(prepared([missing], Preparer(), workers=0))
    assert [r.item for r in batch.records] == [missing] and batch.files_done == 1


def test_workers_end_when_the_main_process_is_killed(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    paths = corpus(tmp_path, 60)
    code = ("import sys, time\n"
            "from pathlib import Path\n"
            "from storyline.prepare import Preparer, prepared\n"
            "stream = prepared([Path(p) for p in sys.argv[1:]], Preparer(), workers=1)\n"
            "next(stream)\n"
            "print('ready', flush=True)\n"
            "time.sleep(600)\n")
    proc = subprocess.Popen([sys.executable, "-c", code, *map(str, paths)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    children = [int(p) for p in open(f"/proc/{proc.pid}/task/{proc.pid}/children").read().split()]
    assert children
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    def alive():
        out = []
        for c in children:
            try:
                if open(f"/proc/{c}/stat").read().split()[2] != "Z":
                    out.append(c)
            except OSError:
                pass
        return out

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and alive():
        time.sleep(0.2)
    left = alive()
    for c in left:  # leave no orphan behind, even when the test fails
        os.kill(c, signal.SIGKILL)
    assert not left
