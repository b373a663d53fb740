"""lz-string compression in pure Python (private helper of ``formats``).

PRSM saves its ``.prsm`` map files compressed with lz-string's ``compressToUTF16``. This module
is a port of the reference JavaScript implementation, lz-string 1.5.0 by pieroxy
(https://github.com/pieroxy/lz-string, MIT licence, (c) 2013 pieroxy), so that mobilise reads and
writes the same text as the JavaScript library, character for character.

JavaScript strings are sequences of UTF-16 code units, and lz-string compresses those. Python
strings are sequences of code points, so text is turned into code units on the way in and back
on the way out: a character outside the Basic Multilingual Plane (an emoji, say) is two units, as
in JavaScript.

The functions mirror the JavaScript ones: decompressing returns ``None`` where lz-string returns
``null`` (empty input, or data that names a dictionary entry that cannot exist), and ``""`` where
the data ends before its end-of-stream mark.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable

__all__ = [
    "compress_to_base64",
    "compress_to_utf16",
    "decompress_from_base64",
    "decompress_from_utf16",
]

_BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
_BASE64_VALUES = {char: value for value, char in enumerate(_BASE64)}
_ASTRAL = "\U00010000"
_SURROGATE = re.compile("[\ud800-\udfff]")


def compress_to_utf16(text: str) -> str:
    """``LZString.compressToUTF16``: 15 bits in each character (code points 32 to 32,799),
    then a space."""
    return _compress(_units(text), 15, lambda value: chr(value + 32)) + " "


class TooLong(ValueError):
    """Compressed text that would decompress to more than the length allowed."""


def decompress_from_utf16(compressed: str, *, max_length: int | None = None) -> str | None:
    """``LZString.decompressFromUTF16``; ``None`` for empty or impossible data.

    Raises
    ------
    TooLong
        When the text would decompress to more than ``max_length`` characters (lz-string
        output can grow with the square of its input: a few MB can claim terabytes).
    """
    if compressed == "":
        return None
    length = len(compressed)

    def value_at(index: int) -> int:
        return ord(compressed[index]) - 32 if index < length else 0

    return _decompress(length, 16384, value_at, max_length)


def compress_to_base64(text: str) -> str:
    """``LZString.compressToBase64``: Base64 text padded with ``=`` to a multiple of 4."""
    encoded = _compress(_units(text), 6, _BASE64.__getitem__)
    return encoded + "=" * (-len(encoded) % 4)


def decompress_from_base64(compressed: str) -> str | None:
    """``LZString.decompressFromBase64``; ``None`` for empty or impossible data."""
    if compressed == "":
        return None
    length = len(compressed)

    def value_at(index: int) -> int:
        # A character outside the alphabet counts as 0, as in JavaScript (undefined & n == 0).
        return _BASE64_VALUES.get(compressed[index], 0) if index < length else 0

    return _decompress(length, 32, value_at)


def _units(text: str) -> str:
    """The text as UTF-16 code units, one Python character per unit."""
    if not text or max(text) < _ASTRAL:
        return text
    data = text.encode("utf-16-le", "surrogatepass")
    return "".join(map(chr, struct.unpack(f"<{len(data) // 2}H", data)))


def _text(units: str) -> str:
    """Code units back to text: surrogate pairs become the characters they encode."""
    if _SURROGATE.search(units) is None:
        return units
    return units.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def _compress(units: str, bits_per_char: int, char_of: Callable[[int], str]) -> str:
    dictionary: dict[str, int] = {}
    not_yet_written: set[str] = set()
    output: list[str] = []
    value = 0
    position = 0
    enlarge_in = 2
    dict_size = 3
    num_bits = 2

    def write(number: int, width: int) -> None:
        # Bits go out least significant first, each packed into the next output character.
        nonlocal value, position
        for _ in range(width):
            value = (value << 1) | (number & 1)
            number >>= 1
            if position == bits_per_char - 1:
                output.append(char_of(value))
                value = 0
                position = 0
            else:
                position += 1

    def emit(phrase: str) -> None:
        nonlocal enlarge_in, num_bits
        if phrase in not_yet_written:
            code = ord(phrase[0])
            if code < 256:
                write(0, num_bits)
                write(code, 8)
            else:
                write(1, num_bits)
                write(code, 16)
            enlarge_in -= 1
            if enlarge_in == 0:
                enlarge_in = 1 << num_bits
                num_bits += 1
            not_yet_written.discard(phrase)
        else:
            write(dictionary[phrase], num_bits)
        enlarge_in -= 1
        if enlarge_in == 0:
            enlarge_in = 1 << num_bits
            num_bits += 1

    phrase = ""
    for unit in units:
        if unit not in dictionary:
            dictionary[unit] = dict_size
            dict_size += 1
            not_yet_written.add(unit)
        longer = phrase + unit
        if longer in dictionary:
            phrase = longer
        else:
            emit(phrase)
            dictionary[longer] = dict_size
            dict_size += 1
            phrase = unit
    if phrase:
        emit(phrase)
    write(2, num_bits)  # end of stream
    while True:  # flush the last character
        value <<= 1
        if position == bits_per_char - 1:
            output.append(char_of(value))
            break
        position += 1
    return "".join(output)


def _decompress(
    length: int, reset_value: int, value_at: Callable[[int], int], max_length: int | None = None
) -> str | None:
    dictionary: list[str] = ["", "", ""]  # 0, 1, 2 are the codes for 8-bit, 16-bit, end
    enlarge_in = 4
    num_bits = 3
    result: list[str] = []
    value = value_at(0)
    position = reset_value
    index = 1

    def read(width: int) -> int:
        nonlocal value, position, index
        bits = 0
        for power in range(width):
            bit = value & position
            position >>= 1
            if position == 0:
                position = reset_value
                value = value_at(index)
                index += 1
            if bit > 0:
                bits |= 1 << power
        return bits

    first = read(2)
    if first == 2:
        return ""
    if first == 3:
        return None
    phrase = chr(read(8 if first == 0 else 16))
    dictionary.append(phrase)
    result.append(phrase)
    written = 1
    while True:
        if index > length:
            return ""
        code = read(num_bits)
        if code == 2:
            return _text("".join(result))
        if code < 2:
            dictionary.append(chr(read(8 if code == 0 else 16)))
            code = len(dictionary) - 1
            enlarge_in -= 1
        if enlarge_in == 0:
            enlarge_in = 1 << num_bits
            num_bits += 1
        if code < len(dictionary):
            entry = dictionary[code]
        elif code == len(dictionary):
            entry = phrase + phrase[0]
        else:
            return None
        written += len(entry)
        if max_length is not None and written > max_length:
            raise TooLong(f"it decompresses to more than {max_length:,} characters")
        result.append(entry)
        dictionary.append(phrase + entry[0])
        enlarge_in -= 1
        phrase = entry
        if enlarge_in == 0:
            enlarge_in = 1 << num_bits
            num_bits += 1
