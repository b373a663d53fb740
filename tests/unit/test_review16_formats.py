"""The review of issue 16, formats: a multi-picture JPEG (MPO, motion photo, appended bytes)
loses every picture but its first and all location; a HEIC or AVIF photo is not taken for a
film; location in XMP or EXIF anywhere in a clip is found; a damaged or unreadable REFI-QDA zip
is the format's refusal; a DOCTYPE is refused in any encoding; the Atom feed survives control
characters."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from xml.etree import ElementTree

import pytest
from PIL import Image

from mobilise.errors import ValidationError
from mobilise.formats.atom import AtomEntry, atom_feed
from mobilise.formats.media_types import carries_location, clean_picture, media_type
from mobilise.formats.photos import strip_metadata
from mobilise.formats.refi_qda import read_qdpx

GPS = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}


def _exif(gps: bool = True) -> Image.Exif:
    exif = Image.Exif()
    if gps:
        exif[0x8825] = GPS
    exif[0x010F] = "Camera maker"
    return exif


def jpeg(colour: str = "red", *, gps: bool = False) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), colour).save(out, "JPEG", exif=_exif(gps).tobytes() if gps else b"")
    return out.getvalue()


def _gps_anywhere(data: bytes) -> bool:
    """Whether any picture Pillow finds in ``data`` says where it was taken."""
    picture = Image.open(io.BytesIO(data))
    for frame in range(getattr(picture, "n_frames", 1)):
        picture.seek(frame)
        if picture.getexif().get_ifd(0x8825):
            return True
    return False


def test_a_jpeg_with_another_picture_appended_is_stored_as_its_first_alone():
    sent = jpeg() + jpeg("blue", gps=True)  # a motion photo, or bytes after the first image
    assert b"Exif\x00\x00" in sent
    stored = clean_picture(sent)
    assert stored is not None and b"Exif\x00\x00" not in stored
    assert stored.endswith(b"\xff\xd9") and stored.count(b"\xff\xd8\xff") == 1
    assert strip_metadata(sent) == strip_metadata(jpeg())  # the walk ends at the first EOI


def test_an_mpo_is_stored_as_one_picture_without_location():
    out = io.BytesIO()
    first, second = Image.new("RGB", (64, 64), "red"), Image.new("RGB", (64, 64), "blue")
    first.save(out, "MPO", save_all=True, append_images=[second], exif=_exif())
    sent = out.getvalue()
    assert _gps_anywhere(sent) and Image.open(io.BytesIO(sent)).format == "MPO"
    stored = clean_picture(sent)
    assert stored is not None and b"Exif\x00\x00" not in stored and b"MPF\x00" not in stored
    picture = Image.open(io.BytesIO(stored))
    assert picture.format == "JPEG" and getattr(picture, "n_frames", 1) == 1
    assert not _gps_anywhere(stored)


def test_a_jpeg_keeps_its_colour_profile_and_loses_xmp():
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "green").save(out, "JPEG", icc_profile=b"\x00" * 128)
    plain = out.getvalue()
    xmp = b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>exif:GPSLatitude</x:xmpmeta>"
    segment = b"\xff\xe1" + (len(xmp) + 2).to_bytes(2, "big") + xmp
    sent = plain[:2] + segment + plain[2:]
    stored = clean_picture(sent)
    assert stored is not None and b"xmpmeta" not in stored
    assert b"ICC_PROFILE\x00" in stored


def _box(kind: bytes, payload: bytes) -> bytes:
    return (8 + len(payload)).to_bytes(4, "big") + kind + payload


EXIF_WITH_GPS = b"Exif\x00\x00" + _exif().tobytes()


@pytest.mark.parametrize(
    "brands",
    [b"heic\x00\x00\x00\x00mif1heic", b"mif1\x00\x00\x00\x00mif1heic", b"avif\x00\x00\x00\x00avif"],
)
def test_a_heic_or_avif_photo_is_not_taken_for_a_film(brands):
    from mobilise.formats.media_types import picture_container

    photo = _box(b"ftyp", brands) + _box(b"mdat", EXIF_WITH_GPS)
    assert media_type(photo, "video") is None and media_type(photo, "audio") is None
    assert picture_container(photo) == "HEIC or AVIF"


@pytest.mark.parametrize(
    ("brand", "expected"),
    [
        (b"isom", "video/mp4"),
        (b"mp42", "video/mp4"),
        (b"3gp5", "video/mp4"),
        (b"qt  ", "video/quicktime"),
        (b"xxxx", None),  # a brand no film of ours has
    ],
)
def test_only_known_film_brands_are_films(brand, expected):
    film = _box(b"ftyp", brand + b"\x00\x00\x02\x00isomiso2") + _box(b"mdat", b"\x00" * 16)
    assert media_type(film, "video") == expected
    assert not carries_location(film)


def test_location_in_xmp_or_exif_anywhere_in_a_clip_is_found():
    xmp = b'<x:xmpmeta><rdf:Description exif:GPSLatitude="51,30.0N"/></x:xmpmeta>'
    head = _box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41")
    with_xmp = head + _box(b"moov", _box(b"udta", _box(b"XMP_", xmp))) + _box(b"mdat", b"\0" * 8)
    with_exif = head + _box(b"moov", _box(b"udta", _box(b"exif", EXIF_WITH_GPS)))
    no_gps = head + _box(
        b"moov", _box(b"udta", _box(b"exif", b"Exif\x00\x00" + _exif(False).tobytes()))
    )
    assert carries_location(with_xmp) and carries_location(with_exif)
    assert not carries_location(no_gps)
    assert carries_location(b"OggS" + b"\x00" * 20 + EXIF_WITH_GPS)  # any container


def _qdpx(document: bytes, *, method: int = zipfile.ZIP_STORED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        archive.writestr("project.qde", document)
    return out.getvalue()


PROJECT = (
    b'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="p"/>'
)


def test_a_damaged_or_unreadable_qdpx_member_is_the_formats_refusal():
    corrupt = bytearray(_qdpx(PROJECT))
    at = corrupt.find(b"urn:QDA")
    corrupt[at] ^= 0x20  # the stored member's CRC no longer matches
    with pytest.raises(ValidationError, match="damaged"):
        read_qdpx(bytes(corrupt))
    unknown = bytearray(_qdpx(PROJECT))
    unknown[8:10] = (99).to_bytes(2, "little")  # WinZip AES: a method Python cannot read
    central = unknown.find(b"PK\x01\x02")
    unknown[central + 10 : central + 12] = (99).to_bytes(2, "little")
    with pytest.raises(ValidationError, match="compressed by a method"):
        read_qdpx(bytes(unknown))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-16-be"])
@pytest.mark.parametrize(
    "body",
    [
        '<!DOCTYPE P [<!ENTITY a "expanded">]><Project xmlns="urn:QDA-XML:project:1.0" name="&a;"/>',
        '<!DOCTYPE P [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>',
    ],
)
def test_a_doctype_is_refused_in_any_encoding(encoding, body):
    label = "utf-16" if encoding.startswith("utf-16") else encoding
    document = (f'<?xml version="1.0" encoding="{label}"?>' + body).encode(encoding)
    if encoding == "utf-16-be":
        document = b"\xfe\xff" + document
    with pytest.raises(ValidationError, match="DOCTYPE or entities"):
        read_qdpx(_qdpx(document))


def test_the_atom_feed_drops_characters_xml_cannot_hold():
    when = datetime(2026, 6, 1, tzinfo=UTC)
    body = atom_feed(
        feed_id="urn:x",
        title="Said\x0c here",
        updated=when,
        self_link="http://x/feed.atom",
        page_link="http://x/",
        author="The partnership\x1b",
        entries=[AtomEntry("urn:uuid:1", "Bench\x00 repaired", when, "http://x/#1", "page 2\x0c")],
    )
    feed = ElementTree.fromstring(body)
    assert feed.find("{http://www.w3.org/2005/Atom}title").text == "Said here"
