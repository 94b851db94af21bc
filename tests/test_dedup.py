import pytest

from storyline.dedup import NearDuplicateIndex, content_hash, normalise, shingles

BODY = ("Rescue teams worked through the night in the old town after the earthquake. "
        "The mayor said twelve people had died and dozens were injured. "
        "Schools will stay closed until engineers have checked every building. ") * 2


def test_hash_ignores_case_spacing_and_punctuation():
    assert content_hash("Title", "Hello,   World!") == content_hash("title", "hello world")
    assert content_hash("Title", "Hello world") != content_hash("Title", "Hello there")


def test_normalise_handles_scripts():
    assert normalise("ΣΕΙΣΜΟΣ, στην Κρήτη!") == "σεισμοσ στην κρήτη"
    assert len(shingles("地震袭击了城市")) == 3


def test_near_duplicate_found_and_unrelated_not():
    ix = NearDuplicateIndex()
    ix.insert("orig", ix.signature(BODY))
    edited = BODY.replace("twelve", "thirteen") + " Updated at 10:00."
    assert ix.query(ix.signature(edited)) == "orig"
    other = "The central bank raised its key rate by half a point on Thursday. " * 4
    assert ix.query(ix.signature(other)) is None


def test_signature_roundtrip_and_remove():
    ix = NearDuplicateIndex()
    sig = ix.signature(BODY)
    again = ix.signature_from_bytes(ix.to_bytes(sig))
    assert again.jaccard(sig) == 1.0
    ix.insert("a", sig)
    assert len(ix) == 1
    ix.remove("a")
    assert len(ix) == 0 and ix.query(sig) is None


@pytest.mark.parametrize("kwargs", [{"threshold": 0}, {"threshold": 1.5}, {"num_perm": 4}])
def test_constructor_validates(kwargs):
    with pytest.raises(ValueError):
        NearDuplicateIndex(**kwargs)


def test_bands_agree_with_datasketch_lsh():
    """The band keys find what datasketch's own MinHashLSH finds (same bands, same rule)."""
    from datasketch import MinHashLSH

    ix = NearDuplicateIndex()
    lsh = MinHashLSH(threshold=ix.threshold, num_perm=ix.num_perm)
    assert (ix.b, ix.r) == (lsh.b, lsh.r)
    words = BODY.split()
    texts = [" ".join(words[k:] + words[:k]) for k in range(0, 40, 3)]
    texts += [BODY.replace("twelve", w) for w in ("ten", "eleven", "nine")]
    for k, t in enumerate(texts):
        sig = ix.signature(t)
        ix.insert(str(k), sig)
        lsh.insert(str(k), sig)
    for t in texts + [BODY + " Updated.", "The central bank raised its key rate. " * 4]:
        sig = ix.signature(t)
        ours = {key for key, _ in ix.bands.near_candidates(ix.band_keys(sig))}
        assert ours == set(lsh.query(sig))

