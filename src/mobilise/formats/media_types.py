"""What kind of picture, sound or film a file really is, read from its first bytes.

Used where people's media are stored (an event's photos, drawings, audio and video clips). As
for the photos of :mod:`mobilise.formats.photos` (which this module reuses for pictures), the
type comes from the file's "magic number", never from its name or the type a browser claims.

Accepted: pictures as :data:`~mobilise.formats.photos.PHOTO_TYPES`; audio as MP3, WAV, Ogg,
FLAC and M4A; video as MP4/QuickTime and WebM. The checks are the containers' published
signatures (a few bytes each); a dedicated library (``filetype``, ``puremagic``) would add a
dependency for these few. Pictures are then read in full by Pillow (:func:`clean_picture`): a
file that starts like a JPEG but is not one is refused, its metadata is removed, and
:func:`thumbnail` makes its small copy. Audio and video that say where they were recorded are
found by :func:`carries_location` (and refused by the workspace).
"""

from __future__ import annotations

import io
from typing import Any

from mobilise.formats.photos import PHOTO_TYPES, photo_type, strip_metadata

__all__ = [
    "MAX_PIXELS",
    "MEDIA_TYPES",
    "THUMBNAIL_PX",
    "carries_location",
    "clean_picture",
    "media_type",
    "named_type",
    "picture_container",
    "stored_media",
    "thumbnail",
]

AUDIO_TYPES: dict[str, str] = {
    "audio/mpeg": "MP3",
    "audio/wav": "WAV",
    "audio/ogg": "Ogg",
    "audio/flac": "FLAC",
    "audio/mp4": "M4A",
}
VIDEO_TYPES: dict[str, str] = {
    "video/mp4": "MP4",
    "video/quicktime": "QuickTime",
    "video/webm": "WebM",
}
MEDIA_TYPES: dict[str, dict[str, str]] = {
    "image": PHOTO_TYPES,
    "audio": AUDIO_TYPES,
    "video": VIDEO_TYPES,
}
"""Each medium and its accepted media types (type -> the name people know)."""


def _iso_brand(data: bytes) -> bytes | None:
    """The major brand of an ISO base media file (MP4, M4A, QuickTime), else None."""
    if len(data) >= 12 and data[4:8] == b"ftyp":
        return data[8:12]
    return None


def _compatible_brands(data: bytes) -> list[bytes]:
    """The compatible brands of an ISO base media file's ``ftyp`` box (after its major brand
    and minor version)."""
    size = int.from_bytes(data[:4], "big")
    end = min(size, len(data), 8 + 4 * 64)
    return [data[at : at + 4] for at in range(16, end - 3, 4)]


_VIDEO_BRANDS = {
    b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"M4VH",
    b"M4VP", b"qt  ",
}  # fmt: skip
"""The major brands of the MP4 and QuickTime films accepted (and any ``3gp``/``3g2``)."""
_PICTURE_BRANDS = {
    b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis",
}  # fmt: skip
"""Brands of HEIF pictures (HEIC, AVIF): ISO base media files too, but photos, not films."""


def picture_container(data: bytes) -> str | None:
    """``"HEIC or AVIF"`` when ``data`` is a HEIF picture (an ISO base media file with a picture
    brand, as phones write photos), else ``None``: so that such a photo is refused as what it
    is, not taken for a film."""
    brand = _iso_brand(data)
    if brand is None:
        return None
    if brand in _PICTURE_BRANDS or any(b in _PICTURE_BRANDS for b in _compatible_brands(data)):
        return "HEIC or AVIF"
    return None


def _audio_type(data: bytes) -> str | None:
    if data.startswith(b"ID3") or (len(data) >= 2 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data.startswith(b"OggS"):
        return "audio/ogg"
    if data.startswith(b"fLaC"):
        return "audio/flac"
    if _iso_brand(data) in (b"M4A ", b"M4B "):
        return "audio/mp4"
    return None


def _video_type(data: bytes) -> str | None:
    brand = _iso_brand(data)
    if brand is not None and picture_container(data) is None:
        if brand == b"qt  ":
            return "video/quicktime"
        if brand in _VIDEO_BRANDS or brand.startswith((b"3gp", b"3g2")):
            return "video/mp4"
        return None
    if data.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: Matroska / WebM
        return "video/webm"
    return None


def media_type(data: bytes, medium: str) -> str | None:
    """The media type of ``data`` if it is an accepted file of ``medium`` (``image``, ``audio``
    or ``video``), else ``None``."""
    if medium == "image":
        return photo_type(data)
    if medium == "audio":
        return _audio_type(data)
    if medium == "video":
        return _video_type(data)
    raise ValueError(f"no medium {medium!r}")


def stored_media(data: bytes, medium: str) -> bytes:
    """The bytes to store: a picture without its metadata (where it was taken ...), other media
    as they came."""
    return strip_metadata(data) if medium == "image" else data


# -- pictures: read by Pillow, metadata gone, thumbnails -----------------------------------------
THUMBNAIL_PX = 480
"""The longest side of a thumbnail, in pixels."""
MAX_PIXELS = 60_000_000
"""The most pixels a picture may have (a phone's 50-megapixel photo passes; a bomb does not)."""
_PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
_ORIENTATION = 0x0112  # EXIF: how the camera was held
_METADATA_MARKS = (b"Exif\x00\x00", b"<x:xmpmeta", b"http://ns.adobe.com/xap/1.0/")
"""EXIF and XMP, wherever they are left in a file: such a picture is re-encoded instead."""


def clean_picture(data: bytes) -> bytes | None:
    """A picture's bytes to store: without EXIF, XMP and text blocks (where it was taken, the
    camera, its serial number), or ``None`` when Pillow cannot read it as the picture its first
    bytes claim (a file whose bytes are not what it says).

    The blocks are dropped byte for byte (:func:`~mobilise.formats.photos.strip_metadata`: the
    picture itself is not re-encoded; a JPEG ends at its first picture's end, so an MPO's other
    pictures, a motion photo's clip or appended bytes go). A picture that still carries EXIF or
    XMP anywhere afterwards (a file the block walk could not follow), one Pillow reads as
    several pictures (MPO), or one that must be turned upright (its EXIF orientation), is
    re-encoded by Pillow from its first picture, with no metadata at all.
    """
    kind = photo_type(data)
    if kind is None:
        return None
    original = _opened(data, kind)
    if original is None:
        return None
    stripped = strip_metadata(data)
    picture = _opened(stripped, kind)
    turned = original.getexif().get(_ORIENTATION, 1) not in (1, None)
    several = original.format == "MPO" or getattr(original, "n_frames", 1) > 1
    clean = not any(mark in stripped for mark in _METADATA_MARKS)
    if picture is not None and not picture.getexif() and not turned and not several and clean:
        return stripped
    return _reencoded(original, kind)


def _opened(data: bytes, kind: str, *, draft: int | None = None) -> Any:
    """The picture Pillow reads from ``data`` (decoded in full; a JPEG only at the scale
    ``draft`` needs, when given), or ``None``."""
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[kind]])
            if picture.width * picture.height > MAX_PIXELS:
                return None
            if draft:
                picture.draft(picture.mode, (draft, draft))  # JPEG: decode at 1/2 ... 1/8 scale
            picture.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning):
        return None
    return picture


def _reencoded(picture: Any, kind: str) -> bytes:
    from PIL import ImageOps

    upright = ImageOps.exif_transpose(picture)
    out = io.BytesIO()
    options: dict[str, Any] = {"quality": 92} if kind != "image/png" else {}
    if kind == "image/jpeg" and upright.mode not in ("RGB", "L", "CMYK"):
        upright = upright.convert("RGB")
    upright.save(out, format=_PILLOW_FORMATS[kind], **options)  # no exif=, no pnginfo=: none
    return out.getvalue()


def thumbnail(data: bytes, *, size: int = THUMBNAIL_PX) -> bytes | None:
    """A JPEG of the picture ``data`` at most ``size`` pixels on its longest side (transparent
    parts on white), or ``None`` when ``data`` is not a picture Pillow reads."""
    from PIL import Image

    kind = photo_type(data)
    picture = _opened(data, kind, draft=size) if kind else None
    if picture is None:
        return None
    picture.thumbnail((size, size))
    if picture.mode in ("RGBA", "LA", "P"):
        picture = picture.convert("RGBA")
        white = Image.new("RGB", picture.size, "white")
        white.paste(picture, mask=picture.getchannel("A"))
        picture = white
    elif picture.mode != "RGB":
        picture = picture.convert("RGB")
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=80)
    return out.getvalue()


# -- sound and film: where they were recorded ----------------------------------------------------
# keys of QuickTime and tags; XMP's GPS properties (exif:GPSLatitude, its exif:GPS... family)
_LOCATION_WORDS = (b"location", b"iso6709", b"gpscoordinates", b"gpslatitude", b"exif:gps")
_EXIF = b"Exif\x00\x00"
_GPS_IFD = 0x8825  # the EXIF tag pointing to where the picture or clip was taken
_MOST_EXIF_BLOCKS = 64  # more EXIF blocks than any camera writes: taken as saying where
_LOCATION_BOXES = {b"\xa9xyz", b"loci"}  # ISO base media: Apple/Android and 3GPP location
_CONTAINER_BOXES = {b"moov", b"udta", b"meta", b"trak", b"ilst", b"mdia", b"minf"}


def carries_location(data: bytes) -> bool:
    """Whether an audio or video file says where it was recorded.

    Phones write it into MP4, QuickTime and M4A files (a ``©xyz`` or ``loci`` box in the movie's
    user data, or a ``com.apple.quicktime.location.ISO6709`` key); tags of other formats may
    name a ``LOCATION``. The boxes are walked (the media data itself is skipped) and the rest is
    searched for those key words; no library in the Python ecosystem rewrites every one of these
    containers without their metadata, so such a file is refused rather than stored.
    """
    lowered = data.lower()
    if any(word in lowered for word in _LOCATION_WORDS) or _exif_with_gps(data):
        return True
    return _iso_brand(data) is not None and _has_location_box(data, 0, len(data), depth=0)


def _exif_with_gps(data: bytes) -> bool:
    """Whether any EXIF block (``Exif\\0\\0`` and a TIFF header, in whatever container) has
    a GPS directory in its first IFD."""
    at = data.find(_EXIF)
    for _ in range(_MOST_EXIF_BLOCKS):
        if at < 0:
            return False
        tiff = at + len(_EXIF)
        order: Any = {b"II*\x00": "little", b"MM\x00*": "big"}.get(data[tiff : tiff + 4])
        if order is not None:
            ifd = tiff + int.from_bytes(data[tiff + 4 : tiff + 8], order)
            count = min(int.from_bytes(data[ifd : ifd + 2], order), 1_024)
            for entry in range(ifd + 2, min(ifd + 2 + 12 * count, len(data) - 1), 12):
                if int.from_bytes(data[entry : entry + 2], order) == _GPS_IFD:
                    return True
        at = data.find(_EXIF, tiff)
    return True  # past any camera's count of EXIF blocks: refused rather than read on


def _has_location_box(data: bytes, start: int, end: int, *, depth: int) -> bool:
    at = start
    while at + 8 <= end and depth < 8:
        size = int.from_bytes(data[at : at + 4], "big")
        kind = data[at + 4 : at + 8]
        header = 8
        if size == 1 and at + 16 <= end:
            size, header = int.from_bytes(data[at + 8 : at + 16], "big"), 16
        elif size == 0:
            size = end - at
        if size < header or at + size > end:
            return False
        if kind in _LOCATION_BOXES:
            return True
        if kind in _CONTAINER_BOXES:
            inner = at + header
            if kind == b"meta" and data[inner : inner + 4] == b"\x00\x00\x00\x00":
                inner += 4  # ISO's meta is a full box: version and flags first
            if _has_location_box(data, inner, at + size, depth=depth + 1):
                return True
        at += size
    return False


_NAMED: dict[str, str] = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "ogg": "audio/ogg",
    "oga": "audio/ogg",
    "flac": "audio/flac",
    "m4a": "audio/mp4",
    "mp4": "video/mp4",
    "m4v": "video/mp4",
    "mov": "video/quicktime",
    "webm": "video/webm",
}


def named_type(file_name: str) -> str | None:
    """The media type a file's name claims (by its extension), or ``None`` for a name that
    claims none of the accepted types."""
    stem, dot, extension = file_name.rpartition(".")
    return _NAMED.get(extension.lower()) if dot and stem else None
