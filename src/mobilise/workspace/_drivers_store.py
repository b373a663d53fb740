"""A drivers run's results as ``driver_results`` rows (private to
:mod:`mobilise.workspace.drivers`): one row per model and area, least squares' prediction and
residual, and a local model's local R² and coefficients by term."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mobilise.errors import MobiliseError

if TYPE_CHECKING:
    from mobilise.analysis.drivers import DriversResult

__all__ = ["result_rows"]


def result_rows(
    result: DriversResult, run_id: str, stamp: dict[str, Any], new_id: Callable[[], str]
) -> list[dict[str, Any]]:
    """Rows ready to insert; a value that came out missing is refused (never stored silently)."""
    rows = []
    observed = {str(code): value for code, value in result.residuals["outcome"].items()}
    for code, r in result.residuals.iterrows():
        rows.append(
            _row(run_id, "ols", code, r["outcome"], r["predicted"], r["residual"], None, {})
        )
    for model in result.local:
        names = [t["name"] for t in model.terms]
        for code, r in model.local.iterrows():
            terms = {
                name: [
                    _finite(r[f"{name}:estimate"]),
                    _finite(r[f"{name}:se"]),
                    _finite(r[f"{name}:t"]),
                    bool(r[f"{name}:significant"]),
                ]
                for name in names
            }
            local_r2 = None if math.isnan(r["local_r2"]) else float(r["local_r2"])
            rows.append(
                _row(
                    run_id,
                    model.kind,
                    code,
                    observed[str(code)],
                    r["predicted"],
                    r["residual"],
                    local_r2,
                    terms,
                )
            )
    for row in rows:
        row.update(id=new_id(), **stamp)
    return rows


def _row(
    run_id: str,
    model: str,
    code: Any,
    outcome: Any,
    predicted: Any,
    residual: Any,
    local_r2: float | None,
    terms: dict[str, Any],
) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "model": model,
        "area_code": str(code),
        "outcome": _finite(outcome),
        "predicted": _finite(predicted),
        "residual": _finite(residual),
        "local_r2": local_r2,
        "terms": terms,
    }


def _finite(value: Any) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise MobiliseError("A drivers result came out missing; nothing was stored.")
    return number
