"""Photos sent by the public: what type they really are, and their metadata removed.

The type is read from the file's first bytes (its "magic number"), never from its name or the type
the browser claims. Metadata blocks (EXIF, XMP, text chunks) are dropped before a photo is stored,
because phone cameras write where the picture was taken into them.
"""

from __future__ import annotations

import struct

__all__ = ["PHOTO_TYPES", "photo_type", "strip_metadata"]

PHOTO_TYPES: dict[str, str] = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP"}
"""Media type -> the name people know, of every photo type accepted."""

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# PNG chunks that only carry metadata (text, EXIF, times): safe to drop.
_PNG_METADATA = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}
# JPEG APPn segments kept, by what they start with: APP0 (JFIF), APP2 (ICC colour profile; MPF,
# the index of an MPO's other pictures, is APP2 too and is dropped), APP14 (Adobe colour transform).
_JPEG_KEPT_APP = {0xE0: b"JF", 0xE2: b"ICC_PROFILE\x00", 0xEE: b"Adobe"}
_WEBP_METADATA = {b"EXIF", b"XMP "}


class _Unwalkable(Exception):
    """The file's blocks cannot be walked (truncated or unusual): it is kept as it came."""


def photo_type(data: bytes) -> str | None:
    """The media type of ``data`` if it is a JPEG, PNG or WebP image, else ``None``."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(_PNG_SIGNATURE):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def strip_metadata(data: bytes) -> bytes:
    """``data`` without its metadata blocks; the picture itself is left byte for byte.

    Files that cannot be walked (truncated, unusual) come back unchanged rather than damaged.
    """
    kind = photo_type(data)
    try:
        if kind == "image/jpeg":
            return _strip_jpeg(data)
        if kind == "image/png":
            return _strip_png(data)
        if kind == "image/webp":
            return _strip_webp(data)
    except (IndexError, struct.error, _Unwalkable):
        return data
    return data


def _strip_jpeg(data: bytes) -> bytes:
    """The first picture of a JPEG without its metadata segments, ending at its EOI: whatever
    follows (the other pictures of an MPO, a phone's motion photo, appended bytes) is dropped, as
    it may carry its own EXIF."""
    kept = [data[:2]]
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            raise _Unwalkable("not at a JPEG marker")
        marker = data[at + 1]
        if marker == 0xDA:  # start of scan: the compressed picture follows, up to its EOI
            end = data.find(b"\xff\xd9", at + 2)  # 0xFF in scan data is 0xFF00 or a RST/marker
            kept.append(data[at : end + 2] if end >= 0 else data[at:])  # a truncated one: all
            return b"".join(kept)
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        segment = data[at : at + 2 + length]
        if len(segment) != 2 + length:
            raise _Unwalkable("truncated JPEG segment")
        if _kept_jpeg_segment(marker, segment[4:]):
            kept.append(segment)
        at += 2 + length
    raise _Unwalkable("no JPEG image data")


def _kept_jpeg_segment(marker: int, body: bytes) -> bool:
    """Whether a segment is kept: not a comment, and an APPn only when it is what the picture
    needs (JFIF, an ICC colour profile, Adobe's colour transform), never EXIF, XMP or MPF."""
    if marker == 0xFE:
        return False
    if not 0xE0 <= marker <= 0xEF:
        return True
    return marker in _JPEG_KEPT_APP and body.startswith(_JPEG_KEPT_APP[marker])


def _strip_png(data: bytes) -> bytes:
    kept = [_PNG_SIGNATURE]
    at = len(_PNG_SIGNATURE)
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        chunk_type = data[at + 4 : at + 8]
        chunk = data[at : at + 12 + length]
        if len(chunk) != 12 + length:
            raise _Unwalkable("truncated PNG chunk")
        if chunk_type not in _PNG_METADATA:
            kept.append(chunk)
        at += 12 + length
        if chunk_type == b"IEND":
            break
    return b"".join(kept)


def _strip_webp(data: bytes) -> bytes:
    chunks = []
    at = 12
    while at + 8 <= len(data):
        fourcc = data[at : at + 4]
        (size,) = struct.unpack("<I", data[at + 4 : at + 8])
        padded = size + (size & 1)
        chunk = bytearray(data[at : at + 8 + padded])
        if len(chunk) < 8 + size:
            raise _Unwalkable("truncated WebP chunk")
        if fourcc == b"VP8X":
            chunk[8] &= ~0x0C & 0xFF  # clear the "has EXIF" and "has XMP" flags
        if fourcc not in _WEBP_METADATA:
            chunks.append(bytes(chunk))
        at += 8 + padded
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body
