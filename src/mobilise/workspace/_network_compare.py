"""A network run beside straight-line access (private to
:mod:`mobilise.workspace.access_compute`; pure over frames).

For each scenario of a run that travels on streets, the same measure is computed on
straight-line pairs at the catchment translated at the profile's speed (20 min walk = 1,600 m),
area by area, with the difference (network minus straight line). The **network detour** of an
area is the network minutes to its nearest asset over the straight-line distance to its nearest
asset at the same speed: 1 is as the crow flies, 2 twice as long; an asset in straight-line
reach that the streets do not reach within the catchment is a detour past the catchment
(``detour`` ``None``, ``beyond`` true).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mobilise.analysis.access import CatchmentPairs, nearest
from mobilise.model.access_plan import AccessPlan
from mobilise.workspace.access_measures import make_decay, run_measure

__all__ = ["LARGE_DETOUR", "compare"]

LARGE_DETOUR = 1.5  # a detour this large (or past the catchment) is shown on the map


def compare(
    plan: AccessPlan,
    origins: pd.DataFrame,
    destinations: pd.DataFrame,
    network_pairs: CatchmentPairs,
    straight_pairs: CatchmentPairs,
    network_value: pd.Series,
    catchment: float,
    decay_name: str,
) -> dict[str, Any]:
    """The comparison of one scenario (see the module docstring). ``straight_pairs`` were
    built at the run's largest catchment translated to metres; ``network_value`` is the
    scenario's access by area code."""
    metres = plan.straight_line_m(catchment)
    per_minute = plan.straight_line_m(1.0)
    straight = straight_pairs.within(metres)
    measured = run_measure(
        plan.method,
        straight,
        origins.reindex(straight.origin_ids)["population"],
        destinations["supply"],
        make_decay(decay_name, metres),
    )
    straight_value = pd.Series(
        measured.iloc[:, 0].to_numpy(dtype=float) * plan.scale, index=straight.origin_ids
    )
    network_min = _nearest(network_pairs)
    straight_min = _nearest(straight) / per_minute
    areas: list[dict[str, Any]] = []
    for code in network_value.index:
        on_streets, crow = network_min.get(code, np.nan), straight_min.get(code, np.nan)
        detour = on_streets / crow if np.isfinite(on_streets) and crow > 0 else None
        beyond = bool(np.isfinite(crow) and not np.isfinite(on_streets))
        value, line = float(network_value[code]), float(straight_value.get(code, 0.0))
        areas.append(
            {
                "area_code": str(code),
                "network": _round(value),
                "straight_line": _round(line),
                "difference": _round(value - line),
                "network_min": _round(on_streets),
                "straight_line_min": _round(crow),
                "detour": _round(detour),
                "beyond": beyond,
            }
        )
    large = [a for a in areas if a["beyond"] or (a["detour"] or 0) >= LARGE_DETOUR]
    differences = [a["difference"] for a in areas if a["difference"] is not None]
    return {
        "straight_line_catchment_m": metres,
        "speed_m_per_min": per_minute,
        "mean_difference": _round(float(np.mean(differences))) if differences else None,
        "areas_lower": sum(1 for d in differences if d < -1e-9),
        "areas_higher": sum(1 for d in differences if d > 1e-9),
        "large_detours": len(large),
        "large_detour_from": LARGE_DETOUR,
        "areas": areas,
    }


def _nearest(pairs: CatchmentPairs) -> pd.Series:
    near = nearest(pairs).iloc[:, 0].to_numpy(dtype=float)
    return pd.Series(near, index=pairs.origin_ids)


def _round(value: float | None) -> float | None:
    if value is None or not np.isfinite(value):
        return None
    return round(float(value), 6)
