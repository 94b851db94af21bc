"""Dedup stage: exact duplicates by content hash, near-duplicates by MinHash LSH.

Shingles are character n-grams of the normalised text, so the same rule works for languages
written without spaces (Chinese, Japanese) and for those with them. Signatures are
datasketch's MinHash; the LSH is banding with datasketch's band count for the threshold,
each band reduced to one 64-bit key, so the index can live in the article store (a table of
keys: a run's memory does not grow with the corpus, and every process sees the others'
articles at once) or in memory (``MemoryBands``). datasketch's own ``MinHashLSH`` keeps its
tables in Python dicts (about 7 KB per article) or in Redis/Cassandra, neither of which fits.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

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


@lru_cache(maxsize=8)
def band_shape(threshold: float, num_perm: int) -> tuple[int, int]:
    """datasketch's choice of b bands of r rows for the threshold (equal weights on false
    positives and false negatives): 14 bands of 9 rows for 0.7 and 128 permutations."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


class BandStore(Protocol):
    """Where the LSH band keys live: ``MemoryBands`` or an article store (``store.base``)."""

    def add_near_bands(self, key: str, bands: Sequence[int], signature: bytes) -> None: ...
    def near_candidates(self, bands: Sequence[int]) -> list[tuple[str, bytes]]: ...
    def remove_near_bands(self, key: str) -> None: ...


class MemoryBands:
    """Band keys in memory (tests, one-off use): band key -> keys, key -> signature."""

    def __init__(self) -> None:
        self._buckets: dict[int, list[str]] = {}
        self._entries: dict[str, tuple[list[int], bytes]] = {}

    def add_near_bands(self, key: str, bands: Sequence[int], signature: bytes) -> None:
        if key in self._entries:
            return
        self._entries[key] = (list(bands), signature)
        for band in bands:
            self._buckets.setdefault(band, []).append(key)

    def near_candidates(self, bands: Sequence[int]) -> list[tuple[str, bytes]]:
        keys = dict.fromkeys(k for band in bands for k in self._buckets.get(band, ()))
        return [(k, self._entries[k][1]) for k in keys]

    def remove_near_bands(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        for band in entry[0] if entry else ():
            self._buckets[band].remove(key)
            if not self._buckets[band]:
                del self._buckets[band]

    def __len__(self) -> int:
        return len(self._entries)


class NearDuplicateIndex:
    """MinHash LSH over article bodies: ``insert`` originals, ``query`` for a near-duplicate.

    The index is ``bands`` (default: in memory); any two signatures that agree on all rows of
    one band are candidates, and a candidate is a near-duplicate when its estimated Jaccard
    similarity reaches the threshold."""

    def __init__(self, threshold: float = NEAR_DUP_THRESHOLD, num_perm: int = NUM_PERM,
                 bands: BandStore | None = None) -> None:
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"threshold must be in (0, 1), got {threshold}")
        if num_perm < 16:
            raise ValueError(f"num_perm must be at least 16, got {num_perm}")
        self.threshold = threshold
        self.num_perm = num_perm
        self.b, self.r = band_shape(threshold, num_perm)
        self.bands: BandStore = MemoryBands() if bands is None else bands

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

    def band_keys(self, mh: MinHash) -> list[int]:
        """One signed 64-bit key per band: a hash of the band's number and its rows."""
        return self.band_keys_of(np.asarray(mh.hashvalues, dtype=np.uint64))

    def band_keys_of(self, values: np.ndarray) -> list[int]:
        """``band_keys`` of a signature's hash values (as stored: ``to_bytes``)."""
        out = []
        for band in range(self.b):
            rows = values[band * self.r:(band + 1) * self.r].tobytes()
            digest = hashlib.blake2b(band.to_bytes(2, "little") + rows, digest_size=8).digest()
            out.append(int.from_bytes(digest, "little", signed=True))
        return out

    def insert(self, key: str, mh: MinHash) -> None:
        self.bands.add_near_bands(key, self.band_keys(mh), self.to_bytes(mh))

    def query(self, mh: MinHash) -> str | None:
        """The most similar indexed key whose estimated Jaccard passes the threshold (of
        equals, the first indexed)."""
        values = np.asarray(mh.hashvalues, dtype=np.uint64)
        best, best_j = None, self.threshold
        for key, blob in self.bands.near_candidates(self.band_keys(mh)):
            other = np.frombuffer(blob, dtype=np.uint64)
            if len(other) != len(values):
                continue  # a signature of another length: not comparable
            j = float(np.count_nonzero(other == values)) / len(values)
            if j > best_j or (best is None and j >= best_j):
                best, best_j = key, j
        return best

    def remove(self, key: str) -> None:
        self.bands.remove_near_bands(key)

    def __len__(self) -> int:
        return len(self.bands)  # type: ignore[arg-type]
