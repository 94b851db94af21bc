import pytest

from storyline.errors import InputError
from storyline.ingest.decode import decode_bytes, looks_binary


def test_utf8_passes_through():
    d = decode_bytes("Σεισμός στην Κρήτη".encode())
    assert d.text == "Σεισμός στην Κρήτη" and d.encoding == "utf-8" and d.warning is None


def test_bom_is_stripped():
    assert decode_bytes(b"\xef\xbb\xbfHello world").text == "Hello world"


def test_legacy_encoding_is_detected_with_a_warning():
    text = "Сильное землетрясение произошло в понедельник утром в горах. " * 5
    d = decode_bytes(text.encode("cp1251"))
    assert d.text == text
    assert d.warning and "not valid UTF-8" in d.warning


def test_broken_utf8_never_crashes():
    data = "Un séisme a frappé la ville de Nice lundi.".encode() + b"\xff\xfe\xfa" + b" fin."
    d = decode_bytes(data)
    assert "séisme" in d.text or "s" in d.text
    assert d.warning


@pytest.mark.parametrize("data,msg", [(b"", "empty"), (b"  \n\n ", "empty"),
                                      (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "binary")])
def test_empty_and_binary_are_input_errors(data, msg):
    with pytest.raises(InputError, match=msg):
        decode_bytes(data)


def test_utf16_with_bom_is_not_binary():
    assert not looks_binary("hello".encode("utf-16"))


def test_utf16_is_decoded():
    assert decode_bytes("Καλημέρα κόσμε".encode("utf-16")).text == "Καλημέρα κόσμε"
