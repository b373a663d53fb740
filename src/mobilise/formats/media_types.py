"""What kind of picture, sound or film a file really is, read from its first bytes.

Used where people's media are stored (an event's photos, drawings, audio and video clips). As
for the photos of :mod:`mobilise.formats.photos` (which this module reuses for pictures), the
type comes from the file's "magic number", never from its name or the type a browser claims.

Accepted: pictures as :data:`~mobilise.formats.photos.PHOTO_TYPES`; audio as MP3, WAV, Ogg,
FLAC and M4A; video as MP4/QuickTime and WebM. The checks are the containers' published
signatures (a few bytes each); a dedicated library (``filetype``, ``puremagic``) would add a
dependency for these few.
"""

from __future__ import annotations

from mobilise.formats.photos import PHOTO_TYPES, photo_type, strip_metadata

__all__ = ["MEDIA_TYPES", "media_type", "stored_media"]

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
    if brand == b"qt  ":
        return "video/quicktime"
    if brand is not None and brand not in (b"M4A ", b"M4B "):
        return "video/mp4"
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
