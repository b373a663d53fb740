"""Datasets: the source, licence and attribution of everything imported."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from mobilise.errors import NotFound, Problem, ValidationError
from mobilise.store.records import insert_record, update_record
from mobilise.store.tables import datasets

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["Dataset", "DatasetService", "file_dataset"]

_FIELDS = (
    "title",
    "publisher",
    "licence",
    "licence_url",
    "attribution",
    "source_url",
    "processing",
)


@dataclass(frozen=True)
class Dataset:
    id: str
    title: str
    publisher: str
    licence: str
    licence_url: str = ""
    attribution: str = ""
    source_url: str = ""
    files: list[str] = field(default_factory=list)
    processing: str = ""
    version: int = 1


class DatasetService:
    """Register and list the datasets a workspace holds data from."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    def register(self, description: Mapping[str, Any]) -> Dataset:
        """Create or update a dataset from a mapping with at least id, title and licence."""
        missing = [k for k in ("id", "title", "licence") if not description.get(k)]
        if missing:
            raise ValidationError(
                "A dataset needs an id, a title and a licence.",
                problems=[Problem(f"{k} is required", field=k) for k in missing],
            )
        values: dict[str, Any] = {k: str(description.get(k) or "") for k in _FIELDS}
        values["files"] = list(description.get("files") or [])
        dataset_id = str(description["id"])
        with self._ws.write() as connection:
            existing = connection.execute(
                select(datasets).where(datasets.c.id == dataset_id)
            ).first()
            if existing is None:
                insert_record(
                    connection,
                    datasets,
                    {"id": dataset_id, **values},
                    actor=self._ws.actor,
                    entity_type="dataset",
                )
            elif any(getattr(existing, k) != v for k, v in values.items()):
                update_record(
                    connection,
                    datasets,
                    dataset_id,
                    values,
                    expected_version=None,
                    actor=self._ws.actor,
                    entity_type="dataset",
                )
        return self.get(dataset_id)

    def register_file(
        self, file_name: str, *, title: str | None, licence: str | None
    ) -> str | None:
        """Record the source of an imported file when the user names its title or licence;
        returns the dataset id (derived from the file name), or ``None`` when nothing was said."""
        found = file_dataset(file_name, title=title, licence=licence)
        if found is None:
            return None
        self.register(found)
        return str(found["id"])

    def get(self, dataset_id: str) -> Dataset:
        with self._ws.read() as connection:
            row = connection.execute(select(datasets).where(datasets.c.id == dataset_id)).first()
        if row is None:
            raise NotFound(f"No dataset {dataset_id!r}.")
        return _dataset(row)

    def list(self) -> list[Dataset]:
        with self._ws.read() as connection:
            rows = connection.execute(
                select(datasets).where(datasets.c.deleted_at.is_(None)).order_by(datasets.c.title)
            ).all()
        return [_dataset(r) for r in rows]


def _dataset(row: Any) -> Dataset:
    return Dataset(
        id=row.id,
        title=row.title,
        publisher=row.publisher,
        licence=row.licence,
        licence_url=row.licence_url,
        attribution=row.attribution,
        source_url=row.source_url,
        files=list(row.files or []),
        processing=row.processing,
        version=row.version,
    )


def file_dataset(
    file_name: str, *, title: str | None, licence: str | None
) -> dict[str, Any] | None:
    """The dataset record of an imported file whose title or licence the user named (its id
    derived from the file name), or ``None`` when nothing was said. Import verbs compute it before
    they write and register it inside their own transaction."""
    if not (title or licence):
        return None
    return {
        "id": re.sub(r"[^a-z0-9]+", "-", file_name.lower()).strip("-") or "dataset",
        "title": title or file_name,
        "licence": licence or "unknown",
        "files": [file_name],
    }
