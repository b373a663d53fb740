"""What a media file says about itself (issue 16): the type a name claims, location boxes in
ISO base media files (also inside an ISO ``meta`` full box and with 64-bit sizes), and pictures
Pillow cannot read."""

from __future__ import annotations

import io
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from mobilise.formats.media_types import carries_location, clean_picture, named_type, thumbnail


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def large_box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 1) + kind + struct.pack(">Q", 16 + len(payload)) + payload


FTYP = box(b"ftyp", b"qt  \x00\x00\x00\x00qt  ")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("photo.JPG", "image/jpeg"),
        ("walk.mov", "video/quicktime"),
        ("story.m4a", "audio/mp4"),
        ("photo.heic", None),
        ("noextension", None),
        (".jpg", None),
    ],
)
def test_the_type_a_name_claims(name, expected):
    assert named_type(name) == expected


def test_location_boxes_are_found_where_phones_write_them():
    loci = box(b"loci", b"\x00" * 18)
    in_meta = box(b"meta", b"\x00\x00\x00\x00" + box(b"ilst", box(b"\xa9xyz", b"+51-000/")))
    assert carries_location(FTYP + box(b"moov", box(b"udta", loci)))
    assert carries_location(FTYP + large_box(b"moov", box(b"udta", in_meta)))
    assert not carries_location(FTYP + box(b"moov", box(b"udta", box(b"\xa9nam", b"Walk"))))
    # the media data is skipped: location-like bytes in the picture itself are not metadata
    assert not carries_location(FTYP + box(b"moov", b"") + box(b"mdat", b"\xa9xyz loci"))
    assert carries_location(b"fLaC" + b"\x00" * 10 + b"LOCATION=Camden")


@given(st.binary(max_size=300))
def test_any_bytes_are_walked_without_error(data):
    carries_location(FTYP + data)
    carries_location(data)


def test_a_truncated_jpeg_is_not_a_picture():
    out = io.BytesIO()
    Image.new("RGB", (64, 64), "blue").save(out, "JPEG")
    whole = out.getvalue()
    assert clean_picture(whole) is not None and thumbnail(whole) is not None
    assert clean_picture(whole[: len(whole) // 2]) is None
    assert thumbnail(b"\xff\xd8\xff\xe0 nothing") is None
