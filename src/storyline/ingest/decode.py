"""Bytes to text: detect binary files and encodings, never crash on invalid UTF-8."""

from __future__ import annotations

from dataclasses import dataclass

from charset_normalizer import from_bytes

from storyline.errors import InputError

# A text file has (almost) no NUL or C0 control bytes; 1% tolerates a stray one.
BINARY_CONTROL_RATIO = 0.01
# Bytes sampled for binary sniffing: the head is where file-format magic shows.
SNIFF_BYTES = 8192
_CONTROL = set(range(0, 32)) - {9, 10, 12, 13}


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    warning: str | None = None  # set when the file was not valid UTF-8


def looks_binary(data: bytes) -> bool:
    head = data[:SNIFF_BYTES]
    if not head or _is_utf16(head):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b in _CONTROL)
    return controls / len(head) > BINARY_CONTROL_RATIO


def _is_utf16(head: bytes) -> bool:
    return head.startswith((b"\xff\xfe", b"\xfe\xff"))


def decode_bytes(data: bytes) -> Decoded:
    """Decode ``data``; raise InputError for binary or empty content."""
    if not data.strip():
        raise InputError("empty file")
    if looks_binary(data):
        raise InputError("binary file, not text")
    if _is_utf16(data):
        return Decoded(data.decode("utf-16", errors="replace"), "utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        return Decoded(data[3:].decode("utf-8", errors="replace"), "utf-8-sig")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    best = from_bytes(data).best()
    if best is not None and best.encoding not in ("utf_8", "ascii"):
        return Decoded(
            str(best), best.encoding,
            warning=f"not valid UTF-8 (byte {bad_at}); decoded as {best.encoding}",
        )
    return Decoded(
        data.decode("utf-8", errors="replace"), "utf-8",
        warning=f"invalid UTF-8 at byte {bad_at}; undecodable bytes replaced",
    )
