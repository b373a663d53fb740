"""Helpers of the "you said, we did" tests: themes and codings written straight to their tables
(the themes service is another part's), a place's event with coded words."""

from __future__ import annotations

from typing import Any

from mobilise.store.records import insert_record
from mobilise.store.tables import codings, themes


def add_theme(workspace: Any, name: str, *, place: str | None = "testtown", **values: Any) -> str:
    with workspace.write() as connection:
        row = insert_record(
            connection,
            themes,
            {"name": name, "place_slug": place, **values},
            actor="test",
            entity_type="theme",
        )
    return str(row["id"])


def code(workspace: Any, contribution_id: str, theme_id: str, coder: str = "ana") -> None:
    with workspace.write() as connection:
        insert_record(
            connection,
            codings,
            {"contribution_id": contribution_id, "theme_id": theme_id, "coder": coder},
            actor="test",
            entity_type="coding",
        )


def say(
    workspace: Any,
    event: str,
    text: str,
    *,
    kind: str = "note",
    participant: str | None = None,
    group_label: str = "",
    public: bool = False,
) -> str:
    """A text contribution written to its table (the contributions service is being changed by
    another part; what matters here is what is stored); ``public``: staff marked it public."""
    from mobilise.store.tables import event_contributions

    with workspace.write() as connection:
        row = insert_record(
            connection,
            event_contributions,
            {
                "event_id": event,
                "participant_id": participant,
                "group_label": group_label,
                "kind": kind,
                "text": text,
                "public": public,
            },
            actor="test",
            entity_type="event contribution",
        )
    return str(row["id"])
