"""Build src/storyline/data/language_offsets.npz: where each language sits in e5-small's space.

Language centring (``similarity.py``) subtracts each language's mean vector. The scorer ships
the means of its training corpus (ar de en es fr pl tr); for any other language a corpus of two
articles cannot estimate its mean (the articles' own content would be subtracted). This script
measures each language's *direction* on parallel text, where the content is identical and only
the language differs: Django's translation catalogs (msgid in English, msgstr in ~100 languages).

    offset[L] = mean(e5(msgstr in L)) - mean(e5(msgid))     over L's translated entries

Only differences of offsets are used (``LanguageCentering``: the mean of an unseen language is
the prior's global mean moved by offset[L] minus the average offset of the prior's languages).

The same catalogs measure how well e5-small aligns each *pair* of languages: with each
language's vectors centred on the strings the two share, the mean cosine of the two
translations of one string,

    alignment[A, B] = mean over shared msgids m of cos(e5(A's m) - mean_A, e5(B's m) - mean_B)

(English: the msgid itself). A same-story cosine across a weakly aligned pair is lower than
across a well aligned one; the scorer rescales cross-lingual cosines by it (``scorer.py``).

Dev-time only, needs the Django wheel (for its .po files) and polib, both read without installing:

    pip download --no-deps django polib -d /tmp/wheels
    .venv/bin/python scripts/build_language_offsets.py /tmp/wheels/django-*.whl /tmp/wheels/polib-*.whl
"""

from __future__ import annotations

import re
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "src" / "storyline" / "data" / "language_offsets.npz"
# Short msgids ("Save", "Yes") are single words whose translation is ambiguous; sentences are
# what articles are made of.
MIN_CHARS = 25
MIN_ENTRIES = 60
# A pair's alignment is measured on at least this many shared strings (standard error ~0.01).
MIN_SHARED = 60
_PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%[sdr]|\{\w*\}")
# Django locale -> the ISO 639-1 code storyline.language reports; regional variants are skipped
# (they translate the same strings as their base language).
RENAME = {"zh_Hans": "zh", "nb": "no"}


def _clean(s: str) -> str:
    return _PLACEHOLDER.sub("X", s).strip()


def catalogs(django_whl: Path, polib_whl: Path) -> dict[str, dict[str, str]]:
    tmp = Path(tempfile.mkdtemp())
    with zipfile.ZipFile(polib_whl) as z:
        z.extract("polib.py", tmp)
    sys.path.insert(0, str(tmp))
    import polib

    out: dict[str, dict[str, str]] = {}
    with zipfile.ZipFile(django_whl) as z:
        for name in sorted(z.namelist()):
            m = re.search(r"/locale/([^/]+)/LC_MESSAGES/[^/]+\.po$", name)
            if not m:
                continue
            loc = m.group(1)
            if "_" in loc and loc not in RENAME:
                continue
            lang = RENAME.get(loc, loc)
            if lang == "en":
                continue
            entries = out.setdefault(lang, {})
            for e in polib.pofile(z.read(name).decode("utf-8")):
                if (e.msgstr and not e.fuzzy and not e.obsolete and len(e.msgid) >= MIN_CHARS
                        and e.msgstr != e.msgid):
                    entries[_clean(e.msgid)] = _clean(e.msgstr)
    return {lang: c for lang, c in out.items() if len(c) >= MIN_ENTRIES}


def main(django_whl: str, polib_whl: str) -> None:
    from storyline.embed import E5Embedder

    cats = catalogs(Path(django_whl), Path(polib_whl))
    english = sorted(set().union(*[set(c) for c in cats.values()]))
    emb = E5Embedder()

    def unit(x: np.ndarray) -> np.ndarray:
        return x / np.linalg.norm(x, axis=1, keepdims=True)

    en_vec = dict(zip(english, unit(emb.embed(english))))
    langs, offsets, counts = [], [], []
    vectors: dict[str, dict[str, np.ndarray]] = {}
    for lang in sorted(cats):
        ids = sorted(cats[lang])
        tr = unit(emb.embed([cats[lang][i] for i in ids]))
        offsets.append(tr.mean(axis=0) - np.mean([en_vec[i] for i in ids], axis=0))
        vectors[lang] = dict(zip(ids, tr))
        langs.append(lang)
        counts.append(len(ids))
        print(f"{lang}: {len(ids)} entries", file=sys.stderr)
    langs.append("en")
    offsets.append(np.zeros(emb.dim))
    counts.append(len(english))
    vectors["en"] = en_vec
    alignment, shared = pair_alignment(langs, vectors)
    np.savez_compressed(OUT, langs=np.array(langs), offsets=np.array(offsets, np.float32),
                        entries=np.array(counts), embedder=np.array(emb.name),
                        alignment=alignment, alignment_shared=shared)
    known = np.isfinite(alignment) & ~np.eye(len(langs), dtype=bool)
    print(f"wrote {OUT} ({len(langs)} languages, {known.sum() // 2} aligned pairs)")


def pair_alignment(langs: list[str], vectors: dict[str, dict[str, np.ndarray]]
                   ) -> tuple[np.ndarray, np.ndarray]:
    """(alignment, shared strings) for every language pair; NaN where fewer than MIN_SHARED
    strings are shared, 1 on the diagonal."""
    n = len(langs)
    alignment = np.full((n, n), np.nan, np.float32)
    shared = np.zeros((n, n), np.int32)
    np.fill_diagonal(alignment, 1.0)
    for a in range(n):
        for b in range(a + 1, n):
            va, vb = vectors[langs[a]], vectors[langs[b]]
            ids = sorted(set(va) & set(vb))
            shared[a, b] = shared[b, a] = len(ids)
            if len(ids) < MIN_SHARED:
                continue
            xa = np.array([va[i] for i in ids])
            xb = np.array([vb[i] for i in ids])
            xa, xb = xa - xa.mean(axis=0), xb - xb.mean(axis=0)
            xa /= np.linalg.norm(xa, axis=1, keepdims=True)
            xb /= np.linalg.norm(xb, axis=1, keepdims=True)
            alignment[a, b] = alignment[b, a] = float(np.mean(np.sum(xa * xb, axis=1)))
    return alignment, shared


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
