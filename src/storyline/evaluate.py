"""Benchmark scoring helpers (importable without heavy dependencies)."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storyline.clean.text import TextCleaner
    from storyline.embed import Embedder
    from storyline.types import CleanedDocument

# === text cleaning (textclean benchmark) ==================================================
# Same counting rule as shared/bench/textclean/score.py: whitespace collapsed, a "with" snippet
# found in the cleaned text is a true positive (else a false negative), a "without" snippet
# found is a false positive; counts are summed over all pages (micro average).

_WS = re.compile(r"\s+")


def _norm(s: str) -> str:
    return _WS.sub(" ", s).strip()


def snippet_hits(cleaned: str, with_: list[str], without: list[str]) -> tuple[int, int, int, int]:
    """(tp, fp, fn, tn) for one page's cleaned text."""
    res = _norm(cleaned)
    tp = sum(1 for w in with_ if _norm(w) in res)
    fp = sum(1 for w in without if _norm(w) in res)
    return tp, fp, len(with_) - tp, len(without) - fp


def read_textclean(path: str | Path) -> list[dict]:
    """Records of a textclean JSONL file (one JSON object a line; ``ValueError`` if malformed).

    Each needs ``text`` and the ``with``/``without`` snippet lists; a record carrying a gold
    ``article`` text may leave the snippet lists out (it is scored by word overlap)."""
    text = Path(path).read_text(encoding="utf-8")
    records = []
    for n, line in enumerate(text.split("\n"), 1):  # not splitlines(): U+2028 may sit in a string
        if line.strip():
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"line {n}: {exc}") from None
            for key in ("text", "with", "without"):
                if key not in rec and not (key != "text" and isinstance(rec.get("article"), str)):
                    raise ValueError(f"line {n}: no {key!r} field")
                rec.setdefault(key, [])  # a page scored by its gold article only
            records.append(rec)
    return records


_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "gob", "or", "ne"})
_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?([^/?#:]+)")


def _registered(labels: list[str]) -> str:
    """example.com from news.example.com; bbc.co.uk from news.bbc.co.uk."""
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def site_of(rec: dict) -> str:
    """The site a page comes from (registered domain, roughly), for grouping pages by site.

    Read from ``site`` when the record has one, else from its ``url`` (a web.archive.org URL
    counts as the archived site; a ``kind::host-name.html`` id as ``host``), else its ``id``."""
    if rec.get("site"):
        return str(rec["site"])
    url = str(rec.get("url") or rec.get("id") or "").lower()
    if "web.archive.org/web/" in url:
        url = re.sub(r"^.*?web\.archive\.org/web/\d+[a-z_]*/", "", url)
    if "::" not in url:
        m = _HOST.match(url)
        labels = [x for x in (m.group(1) if m else url).split(".") if x]
        return _registered(labels) if labels else url
    # an id like "hard::nationnews.com-schools.html": the host ends at its top-level label
    labels = [x for x in url.split("::", 1)[1].split("-", 1)[0].split(".") if x]
    for i in range(1, len(labels)):
        if labels[i].isalpha() and (len(labels[i]) in (2, 3) or labels[i] in ("info", "blog")):
            end = i + 1
            if end < len(labels) and len(labels[end]) == 2 and labels[i] in _SECOND_LEVEL:
                end += 1
            return _registered(labels[:end])
    return ".".join(labels) or url


def site_folds(records: list[dict], folds: int) -> list[int]:
    """A fold number per record, all pages of a site in one fold; deterministic (hash of the
    site name), so that adding pages does not move the others."""
    import hashlib

    return [int(hashlib.sha1(site_of(r).encode()).hexdigest()[:8], 16) % folds for r in records]


def is_held_out(rec: dict, share: int = 5) -> bool:
    """The fixed held-out part of a benchmark: the sites whose hash lands in one of ``share``
    buckets (1/5 of the sites). Never used to choose settings."""
    import hashlib

    return int(hashlib.sha1(("held-out:" + site_of(rec)).encode()).hexdigest()[:8], 16) % share == 0


_WORD = re.compile(r"\w+")


def words(text: str) -> Counter[str]:
    """The words of a text (lower-cased \\w+ runs; a CJK run counts each character) as a bag."""
    out: Counter[str] = Counter()
    for w in _WORD.findall(text.lower()):
        if _CJK_RUN.search(w):
            out.update(ch if _CJK_RUN.match(ch) else "" for ch in w)
            out.update(p for p in _CJK_RUN.split(w) if p)
        else:
            out[w] += 1
    out.pop("", None)
    return out


_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")


def word_overlap(cleaned: str, reference: str) -> tuple[int, int, int]:
    """(shared words, words in ``cleaned``, words in ``reference``): bag-of-words overlap."""
    a, b = words(cleaned), words(reference)
    return sum((a & b).values()), sum(a.values()), sum(b.values())


def overlap_prf(shared: int, got: int, ref: int) -> dict[str, float]:
    """Micro word-overlap precision/recall/F1 from summed counts (rounded to 4 places)."""
    return prf(shared, got - shared, ref - shared)


def page_hits(cleaner: TextCleaner, text: str, with_: list[str], without: list[str]) -> tuple[int, int, int]:
    """(tp, fp, fn) of one page cleaned by ``cleaner``; the scored output is title + body."""
    return doc_hits(cleaner.clean(text), with_, without)


def doc_hits(doc: CleanedDocument, with_: list[str], without: list[str]) -> tuple[int, int, int]:
    """(tp, fp, fn) of one cleaned page; the scored output is title + body."""
    parts = ([doc.title] if doc.title is not None else []) + list(doc.paragraphs)
    tp, fp, fn, _ = snippet_hits("\n".join(parts), with_, without)
    return tp, fp, fn


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Micro precision, recall and F1 from summed counts (rounded to 4 places)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def trafilatura_reference(html_dir: str | Path, page_id: str) -> str | None:
    """trafilatura's extraction of ``html_dir/<page_id>.html`` (None when there is no such file):
    the reference a text-only cleaner aims to match."""
    path = Path(html_dir) / f"{page_id}.html"
    if not path.exists():
        return None
    import trafilatura

    raw = path.read_bytes()
    try:
        html = raw.decode("utf-8")
    except UnicodeDecodeError:
        from trafilatura.utils import decode_file

        html = decode_file(raw)
    return trafilatura.extract(html) or ""


def score_textclean(path: str | Path, cleaner: TextCleaner | None = None,
                    html_dir: str | Path | None = None) -> dict:
    """Clean every page of a textclean JSONL file; micro precision/recall/F1 and speed.

    Word overlap (bag-of-words precision/recall/F1, micro over pages) is added against each
    reference text a page carries: ``article`` (a gold article text) -> ``words_article``;
    ``reference`` (e.g. trafilatura's extraction, as ``scripts/render_textclean.py`` writes it)
    or, with ``html_dir``, trafilatura run on ``html_dir/<id>.html`` in this run ->
    ``words_reference``. Snippet lists may be empty (a file with an article only)."""
    if cleaner is None:
        from storyline.clean.text import TextCleaner

        cleaner = TextCleaner()
    records = read_textclean(path)
    tp = fp = fn = 0
    overlap = {"words_article": [0, 0, 0], "words_reference": [0, 0, 0]}
    counted = {"words_article": 0, "words_reference": 0}
    elapsed = 0.0
    for rec in records:
        t0 = time.perf_counter()
        doc = cleaner.clean(rec["text"])
        elapsed += time.perf_counter() - t0  # the cleaner's time only, not the scoring's
        a, b, c = doc_hits(doc, rec["with"], rec["without"])
        tp, fp, fn = tp + a, fp + b, fn + c
        refs = {"words_article": rec.get("article"), "words_reference": rec.get("reference")}
        if html_dir is not None and "id" in rec:
            refs["words_reference"] = trafilatura_reference(html_dir, str(rec["id"]))
        out = "\n".join(([doc.title] if doc.title is not None else []) + list(doc.paragraphs))
        for key, ref in refs.items():
            if isinstance(ref, str):
                counted[key] += 1
                overlap[key] = [x + y for x, y in zip(overlap[key], word_overlap(out, ref))]
    result: dict[str, Any] = {"pages": len(records), **prf(tp, fp, fn)}
    for key, counts in overlap.items():
        if counted[key]:
            result[key] = {"pages": counted[key], **overlap_prf(*counts)}
    result["pages_per_second"] = round(len(records) / elapsed, 1) if elapsed else 0.0
    return result


# === clustering (B-cubed over documents) ==================================================
def bcubed(pred: list, gold: list) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a predicted clustering against gold labels."""
    if len(pred) != len(gold):
        raise ValueError(f"{len(pred)} predictions for {len(gold)} gold labels")
    if not pred:
        return 0.0, 0.0, 0.0
    from collections import Counter

    pairs = Counter(zip(pred, gold))
    pred_sizes = Counter(pred)
    gold_sizes = Counter(gold)
    # each item in cell (c, g) has |c ∩ g| correct neighbours among |c| predicted, |g| gold
    p = sum(n * n / pred_sizes[c] for (c, _), n in pairs.items()) / len(pred)
    r = sum(n * n / gold_sizes[g] for (_, g), n in pairs.items()) / len(pred)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def v_measure(pred: list, gold: list) -> float:
    from sklearn.metrics import v_measure_score

    return float(v_measure_score(gold, pred))


#: Streaming evaluation: documents arrive in file order and are settled (``watch``'s
#: merge pass) after every this many, as if each file held that many articles.
STREAM_FILE = 20


def evaluate_clusters(path: str | Path, embedder: Embedder | None = None,
                      cache: Path | None = None,
                      progress: Callable[[str, int, int | None], None] | None = None) -> dict:
    """Cluster a labelled file (``{"id","lang","title","text","label"}`` lines) in batch and
    streaming mode (documents in file order, settled every ``STREAM_FILE``); B-cubed and V-measure.

    Both modes share the pipeline's thresholds. Language centring is fitted on the whole
    file for both (it needs no labels); a live stream estimates it from what it has seen.
    """
    from storyline.cluster.edges import StoryEdges
    from storyline.cluster.graph import GraphClusterer
    from storyline.cluster.merge import MERGE_RATIO
    from storyline.cluster.stream import StreamClusterer
    from storyline.embed import get_embedder
    from storyline.language import LanguageDetector
    from storyline.pipeline import NEIGHBOURS, PLACE_THRESHOLD, STORY_THRESHOLD
    from storyline.training import article_views, default_cache

    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"line {n}: malformed JSON ({exc.msg})") from None
                if "label" not in row or not ("text" in row or "title" in row):
                    raise ValueError(f"line {n}: needs 'label' and 'title'/'text'")
                rows.append(row)
    if not rows:
        raise ValueError("no documents")
    detector = LanguageDetector()
    titles = [r.get("title") or "" for r in rows]
    texts = [r.get("text") or "" for r in rows]
    langs = [r.get("lang") or detector.detect(f"{t}\n{x}") for t, x, r in
             zip(titles, texts, rows)]
    gold = [r["label"] for r in rows]
    model = embedder or get_embedder()
    views = article_views(titles, texts, langs, model, cache or default_cache(), progress)
    edges = StoryEdges(views)
    x = edges.vectors
    t0 = time.perf_counter()
    batch = list(GraphClusterer(threshold=STORY_THRESHOLD, k=NEIGHBOURS,
                                merge_ratio=MERGE_RATIO).fit_predict(x))
    t_batch = time.perf_counter() - t0
    t0 = time.perf_counter()
    stream = StreamClusterer(threshold=STORY_THRESHOLD, k=NEIGHBOURS,
                             place_threshold=PLACE_THRESHOLD, merge_ratio=MERGE_RATIO)
    for k, v in enumerate(x, start=1):  # settled every STREAM_FILE documents, like watch
        stream.add(v)
        if k % STREAM_FILE == 0:
            stream.settle()
    stream.settle()
    streamed = list(stream.labels())
    t_stream = time.perf_counter() - t0
    out: dict[str, Any] = {"documents": len(rows), "gold_clusters": len(set(gold))}
    for name, pred, secs in (("batch", batch, t_batch), ("stream", streamed, t_stream)):
        p, r, f = bcubed(pred, gold)
        out[name] = {"bcubed_precision": p, "bcubed_recall": r, "bcubed_f1": f,
                     "v_measure": v_measure(pred, gold), "clusters": len(set(pred)),
                     "seconds": secs}
    return out
