"""The lz-string port against the JavaScript library's own output.

The vectors were made with lz-string 1.5.0 (npm) in Node: ``LZString.compressToUTF16(text)``
and ``LZString.compressToBase64(text)``. The tests need neither Node nor the network.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mobilise.formats._lzstring import (
    compress_to_base64,
    compress_to_utf16,
    decompress_from_base64,
    decompress_from_utf16,
)

# (text, compressToUTF16(text), compressToBase64(text)) from lz-string 1.5.0 in Node.
VECTORS = [
    ("a", "\u10e8 ", "IZA="),
    (
        "hello world",
        "\u02e2\u4c2d\u4c3e\u6024\u0794\u40bc\u6029\u4820 ",
        "BYUwNmD2AEDukCcwBMg=",
    ),
    ("a" * 40, "\u10e6\u5f39\u2b40 ", "IY18ZVkA"),
    (
        # an emoji is two UTF-16 code units in JavaScript, and the port compresses those
        "Caf\xe9 \U0001f600 \u0100\u0100 \u4e2d\u6587",
        "\u1862\u0c39\u414eh\u5e2d\u6021\u76c8@\u1174\u16ae\u2890\u69b0 ",
        "MIQwZglwBIvBuAB7VAAgIqhaOUOGmQ==",
    ),
    (
        '{"mapTitle":"Green space","nodes":[{"id":"n1","label":"Access to green space"}],'
        '"edges":[]}',
        "\u1be1\u084d\u412c\u0100\u1524\u5825\u603b\u016c\u2037\u0427\u0829\u62b4\u03d0`"
        "\u19ea\u0423\u0cf0\u0362\xa1\u7620\u4c71\u11a0\u6d70\u7251\u4ea1\u0c42\u6940\u4024"
        "\u3164\u43e0\u1062\u4aa9\u0942\u0514\u4423\u4d12\u0ab7\u12c27\u6037\u2b65\u11b2\u4b96"
        "\u1d7a\u4020 ",
        "N4IgtghgDgKglgFwDYFMQC4QHEBOKUB2ABAM5QQDGaANCAQPYAmKJGA2qHIxnQIwi0kEAEYokPAIIUqJEkQT0iAczyFS5KiAC"
        "+AXVopGSlux1agA",
    ),
    ("\x00\xff\u0100\uffff", "#\u7f20\u1031\u801f\u2020 ", "AAf8AICP//Q="),
]


@pytest.mark.parametrize(("text", "utf16", "base64"), VECTORS)
def test_compress_matches_the_javascript_library(text: str, utf16: str, base64: str) -> None:
    assert compress_to_utf16(text) == utf16
    assert compress_to_base64(text) == base64


@pytest.mark.parametrize(("text", "utf16", "base64"), VECTORS)
def test_decompress_reads_the_javascript_library(text: str, utf16: str, base64: str) -> None:
    assert decompress_from_utf16(utf16) == text
    assert decompress_from_base64(base64) == text


def test_empty_text_and_empty_data() -> None:
    assert decompress_from_utf16(compress_to_utf16("")) == ""
    assert decompress_from_base64(compress_to_base64("")) == ""
    # lz-string answers null for empty compressed data
    assert decompress_from_utf16("") is None
    assert decompress_from_base64("") is None


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("\x01\x02", None),  # names a dictionary entry that cannot exist (JS: null)
        ("\u8000\u8000", None),
        ("{not", ""),  # runs out before the end mark (JS: "")
        ("hello", "@"),  # plain text decompresses to junk, as in JavaScript
    ],
)
def test_data_that_is_not_lz_string_as_javascript_reads_it(data: str, expected: str | None) -> None:
    assert decompress_from_utf16(data) == expected


@given(st.text())
def test_utf16_round_trip(text: str) -> None:
    compressed = compress_to_utf16(text)
    assert compressed.endswith(" ")
    assert all(32 <= ord(char) <= 32 + 0x7FFF for char in compressed)
    assert decompress_from_utf16(compressed) == text


@given(st.text())
def test_base64_round_trip(text: str) -> None:
    compressed = compress_to_base64(text)
    assert len(compressed) % 4 == 0
    assert set(compressed) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
    )
    assert decompress_from_base64(compressed) == text


@given(st.text(alphabet='ab{}"é😀 ', max_size=400))
def test_round_trip_of_repetitive_text(text: str) -> None:
    # few distinct characters: long phrases and the dictionary's growth past many bit widths
    assert decompress_from_utf16(compress_to_utf16(text * 3)) == text * 3


def test_long_text_round_trip() -> None:
    text = "".join(f"factor {n} links to factor {n * 7 % 1000}; " for n in range(5000))
    assert decompress_from_utf16(compress_to_utf16(text)) == text
