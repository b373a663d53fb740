"""What a user can get wrong in the asset formats is a ValidationError naming the field (and the
row), never a plain ValueError."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from mobilise.errors import ValidationError
from mobilise.formats import asset_export, oruk_feed, photos

BASE = "https://mobilise.example.org/oruk"


def _asset(**fields: object) -> dict[str, object]:
    return {"id": str(uuid.uuid4()), "name": "Hall", "category": "community_space", **fields}


@pytest.mark.parametrize(
    ("asset", "base_url", "field"),
    [
        (_asset(id="asset-1"), BASE, "id"),
        (_asset(organisation="Friends", organisation_id="friends"), BASE, "organisation_id"),
        (_asset(visibility="private"), BASE, "visibility"),
        (_asset(), "/oruk", "base_url"),
    ],
)
def test_a_document_that_cannot_be_written_names_the_field(asset, base_url, field) -> None:
    with pytest.raises(ValidationError) as caught:
        oruk_feed.service_json(asset, base_url=base_url)
    assert [p.field for p in caught.value.problems] == [field]


def test_page_numbers_are_checked_each_by_name() -> None:
    with pytest.raises(ValidationError) as caught:
        oruk_feed.page_wrapper([], total_items=-1, page=0, per_page=0)
    assert [p.field for p in caught.value.problems] == ["page", "per_page", "total_items"]


def test_private_assets_are_named_by_row(tmp_path: Path) -> None:
    rows = [_asset(), _asset(visibility="private"), _asset(visibility="private")]
    with pytest.raises(ValidationError) as caught:
        asset_export.write_csv(rows, tmp_path / "assets.csv")
    assert [(p.row, p.field) for p in caught.value.problems] == [
        (2, "visibility"),
        (3, "visibility"),
    ]
    assert str(rows[1]["id"]) in str(caught.value)
    assert not (tmp_path / "assets.csv").exists()


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xd8\xff\xe1\x00\x10Exif",  # a truncated APP1 segment
        b"\xff\xd8\xff\xe0\x00\x04ab\x00",  # not at a marker after the first segment
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR",  # a truncated chunk
        b"RIFF\x20\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00",  # a truncated WebP chunk
    ],
)
def test_a_photo_that_cannot_be_walked_is_kept_as_it_came(data: bytes) -> None:
    assert photos.strip_metadata(data) == data
