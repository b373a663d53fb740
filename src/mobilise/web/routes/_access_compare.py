"""A network run's comparison with straight-line access, as the access page lists it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mobilise.workspace import Workspace

__all__ = ["comparison_rows"]


def comparison_rows(
    workspace: Workspace, run_id: str, scenario: dict[str, Any]
) -> list[dict[str, Any]]:
    """The scenario's areas with their names, largest detour first (past the catchment
    first of all), then the largest fall in access."""
    areas = (scenario.get("comparison") or {}).get("areas", [])
    if not areas:
        return []
    frame = workspace.access.results(
        run_id,
        category=scenario["category"],
        catchment_m=scenario["catchment_m"],
        decay=scenario["decay"],
    )
    names = dict(zip(frame["area_code"], frame["area_name"], strict=True))
    rows = [{**a, "area_name": names.get(a["area_code"], a["area_code"])} for a in areas]
    return sorted(
        rows,
        key=lambda r: (
            not r["beyond"],
            -(r["detour"] or 0.0),
            r["difference"] if r["difference"] is not None else 0.0,
            r["area_code"],
        ),
    )
