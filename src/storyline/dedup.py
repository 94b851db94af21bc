"""Dedup stage: exact duplicates by content hash, near-duplicates by MinHash LSH (datasketch).

Shingles are character n-grams of the normalised text, so the same rule works for languages
written without spaces (Chinese, Japanese) and for those with them.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

import numpy as np
from datasketch import MinHash, MinHashLSH

# Re-published articles with a changed headline or a sentence edited keep a Jaccard
# similarity of their 5-gram sets around 0.8 and above; different reports of one event
# in the same language stay below 0.3 (checked on the sample corpus). 0.7 leaves room
# for MinHash's estimation error (about 0.03 at 128 permutations).
NEAR_DUP_THRESHOLD = 0.7
NUM_PERM = 128
SHINGLE_CHARS = 5
# Pinned so stored signatures stay comparable across datasketch versions.
MINHASH_SCHEME = "affine32"
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """Case-, accent-form- and punctuation-insensitive form used for hashing and shingling."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())


def content_hash(title: str | None, text: str) -> str:
    return hashlib.sha256(normalise(f"{title or ''}\n{text}").encode("utf-8")).hexdigest()


def shingles(text: str, k: int = SHINGLE_CHARS) -> set[bytes]:
    norm = normalise(text)
    if len(norm) <= k:
        return {norm.encode("utf-8")}
    return {norm[i:i + k].encode("utf-8") for i in range(len(norm) - k + 1)}


class NearDuplicateIndex:
    """MinHash LSH over article bodies: ``insert`` originals, ``query`` for a near-duplicate."""

    def __init__(self, threshold: float = NEAR_DUP_THRESHOLD, num_perm: int = NUM_PERM) -> None:
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"threshold must be in (0, 1), got {threshold}")
        if num_perm < 16:
            raise ValueError(f"num_perm must be at least 16, got {num_perm}")
        self.threshold = threshold
        self.num_perm = num_perm
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._sigs: dict[str, MinHash] = {}

    def signature(self, text: str) -> MinHash:
        mh = MinHash(num_perm=self.num_perm, scheme=MINHASH_SCHEME)
        mh.update_batch(list(shingles(text)))
        return mh

    def signature_from_bytes(self, data: bytes) -> MinHash:
        values = np.frombuffer(data, dtype=np.uint64)
        return MinHash(num_perm=self.num_perm, hashvalues=values, scheme=MINHASH_SCHEME)

    @staticmethod
    def to_bytes(mh: MinHash) -> bytes:
        return np.asarray(mh.hashvalues, dtype=np.uint64).tobytes()

    def insert(self, key: str, mh: MinHash) -> None:
        if key in self._sigs:
            return
        self._lsh.insert(key, mh)
        self._sigs[key] = mh

    def insert_many(self, items: Iterable[tuple[str, MinHash]]) -> None:
        for key, mh in items:
            self.insert(key, mh)

    def query(self, mh: MinHash) -> str | None:
        """The most similar indexed key whose estimated Jaccard passes the threshold."""
        best, best_j = None, self.threshold
        for key in self._lsh.query(mh):
            j = mh.jaccard(self._sigs[key])
            if j >= best_j:
                best, best_j = key, j
        return best

    def remove(self, key: str) -> None:
        if key in self._sigs:
            self._lsh.remove(key)
            del self._sigs[key]

    def __len__(self) -> int:
        return len(self._sigs)
