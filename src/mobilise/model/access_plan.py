"""What an access analysis run asks for: categories, method, catchments, decays and need rules.

A plan is checked in full before anything is computed (every problem at once) and is stored
with the run as plain JSON, so a run can be shown, compared and run again.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from mobilise.errors import Problem, ValidationError
from mobilise.model.asset_vocab import CATEGORIES

__all__ = [
    "CATEGORY_ALIASES",
    "DECAYS",
    "FILE_METHODS",
    "METHODS",
    "TRAVELS",
    "TRAVEL_SPEEDS_KMH",
    "AccessPlan",
    "Method",
    "canonical_category",
]


@dataclass(frozen=True)
class Method:
    """An access measure as a run offers it."""

    name: str
    label: str
    unit: str
    default_decay: str
    uses_demand: bool
    note: str


METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method(
            "count",
            "Assets within reach",
            "assets",
            "none",
            False,
            "How many assets lie within the catchment of the area's population-weighted centre "
            "(straight-line distance).",
        ),
        Method(
            "supply",
            "Supply within reach",
            "assets",
            "none",
            False,
            "The total supply (each asset's capacity, or 1 per asset) within the catchment: "
            "cumulative opportunities.",
        ),
        Method(
            "gravity",
            "Weighted supply within reach (gravity)",
            "weighted assets",
            "gaussian",
            False,
            "Supply within the catchment, each asset weighted down with distance by the decay.",
        ),
        Method(
            "2sfca",
            "Two-step floating catchment (2SFCA)",
            "assets per 1,000 residents",
            "none",
            True,
            "Step 1 shares each asset among the residents within its catchment; step 2 adds up "
            "the shares within reach of each area. Accounts for crowding: an asset many people "
            "can reach counts for less (Luo and Wang 2003).",
        ),
        Method(
            "e2sfca",
            "Enhanced two-step floating catchment (E2SFCA)",
            "assets per 1,000 residents",
            "step",
            True,
            "2SFCA with nearer assets and residents weighted more, by distance bands "
            "(Luo and Qi 2009).",
        ),
        Method(
            "3sfca",
            "Three-step floating catchment (3SFCA)",
            "assets per 1,000 residents",
            "gaussian",
            True,
            "2SFCA where residents split their demand among the assets in reach, nearer ones "
            "more, so no demand is counted twice (Wan, Zou and Sternberg 2012).",
        ),
        Method(
            "bfca",
            "Balanced floating catchment (BFCA)",
            "assets per 1,000 residents",
            "none",
            True,
            "2SFCA with the weights balanced so the supply is shared out exactly once "
            "(Paez, Higgins and Vivona 2019).",
        ),
    )
}

DECAYS: dict[str, str] = {
    "none": "every asset within the catchment counts fully",
    "step": "three distance bands weighted 1, 0.68 and 0.22 (Luo and Qi 2009)",
    "gaussian": "Gaussian, with a width of half the catchment (weight 0.14 at its edge)",
    "exponential": "exponential, falling to 0.05 at the catchment's edge",
    "linear": "linear, from 1 at the area to 0 at the catchment's edge",
    "power": "inverse distance beyond 100 m (1 within 100 m)",
}
"""Decay name -> what it means, for a catchment."""

FILE_METHODS = ("nearest", *METHODS, "fca")
"""The methods on files: the run methods, the distance to the nearest destination and Wang's FCA
ratio."""

CATEGORY_ALIASES = {
    "green_space": "green_blue_space",
    "green": "green_blue_space",
    "parks": "green_blue_space",
    "arts": "arts_culture",
    "culture": "arts_culture",
    "community": "community_space",
    "libraries": "library",
    "sport": "sport_physical_activity",
}

TRAVELS: dict[str, str] = {
    "straight-line": "straight-line distance from the area's population-weighted centre, in metres",
    "walk": "walking on the street network, in minutes",
    "cycle": "cycling on the street network, in minutes",
    "step-free": "step-free (wheelchair or buggy) on the street network, in minutes",
}
"""How a run measures reach: straight-line distance (metres) or travel on a stored street
network (minutes)."""

TRAVEL_SPEEDS_KMH: dict[str, float] = {"walk": 4.8, "cycle": 15.0, "step-free": 4.8}
"""The profiles' speeds, to translate minutes into the straight-line metres they compare with
(20 minutes' walk = 1,600 m)."""

_PER_THOUSAND = 1000.0
_MINUTES = (1.0, 180.0)


def canonical_category(name: str) -> str:
    """A category id from what people type: case, hyphens, spaces and aliases forgiven."""
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    return CATEGORY_ALIASES.get(key, key)


@dataclass(frozen=True)
class AccessPlan:
    """The parameters of an access run.

    ``catchments_m`` and ``decays`` make a sensitivity sweep: every catchment with every decay.
    ``supply`` is ``"count"`` (each asset counts 1) or ``"capacity"`` (each asset's recorded
    capacity; assets without one are left out and reported). High need is the NHS Core20 (the
    most deprived 20% of England by IMD 2019) when ``core20``, and/or the worst
    ``health_worst_fraction`` of the place's areas on ``health_indicator``. Low access is the
    lowest ``low_access_fraction`` of the place's areas (or no asset in reach).
    """

    categories: tuple[str, ...]
    method: str = "e2sfca"
    catchments_m: tuple[float, ...] = (800.0, 1600.0)
    decays: tuple[str, ...] = ()
    supply: str = "count"
    core20: bool = True
    health_indicator: str | None = None
    health_worst_fraction: float = 0.2
    low_access_fraction: float = 0.2
    permutations: int = 999
    seed: int = 20261123
    travel: str = "straight-line"
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        *,
        categories: Sequence[str] | str,
        method: str = "e2sfca",
        catchments_m: Sequence[float] | str | float = (800.0, 1600.0),
        decays: Sequence[str] | str | None = None,
        supply: str = "count",
        core20: bool = True,
        health_indicator: str | None = None,
        health_worst_fraction: float = 0.2,
        low_access_fraction: float = 0.2,
        permutations: int = 999,
        seed: int = 20261123,
        travel: str = "straight-line",
    ) -> AccessPlan:
        """A checked plan from loose input (lists or comma-separated text, aliases allowed).

        ``catchments_m`` holds the run's unit: metres for straight-line travel, minutes on a
        street network (``travel`` walk, cycle or step-free).
        """
        problems: list[Problem] = []
        chosen = _categories(categories, problems)
        travel_key = str(travel).strip().lower().replace("_", "-").replace(" ", "-")
        if travel_key not in TRAVELS:
            problems.append(
                Problem(
                    f"unknown travel {travel!r}; use one of {', '.join(TRAVELS)}", field="travel"
                )
            )
        method_key = str(method).strip().lower()
        if method_key not in METHODS:
            problems.append(
                Problem(
                    f"unknown method {method!r}; use one of {', '.join(METHODS)}", field="method"
                )
            )
        catchments = _catchments(catchments_m, problems, minutes=travel_key in TRAVEL_SPEEDS_KMH)
        decay_names = _decays(decays, method_key, problems)
        if supply not in ("count", "capacity"):
            problems.append(Problem("supply must be 'count' or 'capacity'", field="supply"))
        for label, fraction in (
            ("health_worst_fraction", health_worst_fraction),
            ("low_access_fraction", low_access_fraction),
        ):
            if not 0 < _number(fraction, math.nan) < 1:
                problems.append(Problem(f"{label} must be between 0 and 1", field=label))
        count = _number(permutations, -1.0)
        whole = int(count) if math.isfinite(count) else -1
        if not (whole == 0 or 99 <= whole <= 9999):
            problems.append(
                Problem(
                    "permutations must be 99 to 9,999 (fewer cannot show significance at 5%), "
                    "or 0 to skip the cluster analysis",
                    field="permutations",
                )
            )
        if not core20 and not health_indicator:
            problems.append(
                Problem(
                    "give at least one rule of high need: the Core20 (most deprived 20%) or a "
                    "health indicator",
                    field="health_indicator",
                )
            )
        if problems:
            noun = "problem" if len(problems) == 1 else "problems"
            raise ValidationError(
                f"Cannot plan the access run: {len(problems)} {noun}.", problems=problems
            )
        return cls(
            categories=tuple(chosen),
            method=method_key,
            catchments_m=tuple(sorted(catchments)),
            decays=tuple(dict.fromkeys(decay_names)),
            supply=supply,
            core20=bool(core20),
            health_indicator=health_indicator or None,
            health_worst_fraction=float(health_worst_fraction),
            low_access_fraction=float(low_access_fraction),
            permutations=int(permutations),
            seed=int(seed),
            travel=travel_key,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AccessPlan:
        """The plan stored with a run (as :meth:`to_dict` wrote it)."""
        return cls.build(
            categories=list(data["categories"]),
            method=data["method"],
            catchments_m=list(data["catchments_m"]),
            decays=list(data["decays"]),
            supply=data.get("supply", "count"),
            core20=data.get("core20", True),
            health_indicator=data.get("health_indicator"),
            health_worst_fraction=data.get("health_worst_fraction", 0.2),
            low_access_fraction=data.get("low_access_fraction", 0.2),
            permutations=data.get("permutations", 999),
            seed=data.get("seed", 20261123),
            travel=data.get("travel", "straight-line"),
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["categories"] = list(self.categories)
        data["catchments_m"] = list(self.catchments_m)
        data["decays"] = list(self.decays)
        data["catchment_unit"] = self.catchment_unit
        data.pop("extra")
        return data

    @property
    def on_network(self) -> bool:
        """Whether the run travels on a street network (catchments in minutes)."""
        return self.travel != "straight-line"

    @property
    def catchment_unit(self) -> str:
        """The unit of ``catchments_m`` and of the results' ``catchment_m`` and ``nearest_m``:
        ``m`` (straight line) or ``min`` (on a street network)."""
        return "min" if self.on_network else "m"

    def catchment_words(self, catchment: float) -> str:
        """A catchment in words with its unit: ``800 m`` or ``10 min walk``."""
        if not self.on_network:
            return f"{catchment:,.0f} m"
        return f"{catchment:,.0f} min {self.travel}"

    def straight_line_m(self, catchment: float) -> float:
        """The straight-line metres a network catchment compares with (its minutes at the
        profile's speed: 20 min walk = 1,600 m); a straight-line catchment as it is."""
        if not self.on_network:
            return float(catchment)
        return float(catchment) * TRAVEL_SPEEDS_KMH[self.travel] * 1000.0 / 60.0

    @property
    def scenarios(self) -> list[tuple[str, float, str]]:
        """(category, catchment, decay) of every result the run makes, in order."""
        return [(c, m, d) for c in self.categories for m in self.catchments_m for d in self.decays]

    @property
    def unit(self) -> str:
        """The unit of the values: what is counted (assets, or their capacity), and per 1,000
        residents for the floating catchments."""
        method = METHODS[self.method]
        if self.supply != "capacity" or self.method == "count":
            return method.unit
        return method.unit.replace("assets", "capacity")

    @property
    def scale(self) -> float:
        """Factor from the measure's value to the unit shown (per 1,000 residents for FCA)."""
        return _PER_THOUSAND if METHODS[self.method].uses_demand else 1.0


def _categories(categories: Sequence[str] | str, problems: list[Problem]) -> list[str]:
    """The category ids named (aliases allowed), each once, in the order given."""
    wanted = _split(categories)
    chosen: list[str] = []
    for name in wanted:
        key = canonical_category(name)
        if key not in CATEGORIES:
            problems.append(
                Problem(
                    f"unknown category {name!r}; use one of {', '.join(CATEGORIES)}",
                    field="category",
                )
            )
        elif key not in chosen:
            chosen.append(key)
    if not wanted:
        problems.append(Problem("name at least one asset category", field="category"))
    return chosen


def _catchments(
    catchments_m: Sequence[float] | str | float, problems: list[Problem], *, minutes: bool = False
) -> list[float]:
    """The catchments in metres (or in minutes on a street network), each once."""
    catchments: list[float] = []
    low, high = _MINUTES if minutes else (50.0, 50_000.0)
    what = "a time in minutes" if minutes else "a distance in metres"
    for text in _split(catchments_m):
        try:
            value = float(text)
        except (TypeError, ValueError):
            value = math.nan
        if not (math.isfinite(value) and low <= value <= high):
            problems.append(
                Problem(
                    f"catchment {text!r} must be {what} from {low:,.0f} to {high:,.0f}",
                    field="catchment",
                )
            )
        elif value not in catchments:
            catchments.append(value)
    if not _split(catchments_m):
        unit = "minutes" if minutes else "metres"
        problems.append(Problem(f"give at least one catchment in {unit}", field="catchment"))
    return catchments


def _decays(
    decays: Sequence[str] | str | None, method_key: str, problems: list[Problem]
) -> list[str]:
    """The decays named, else the method's own."""
    decay_names = [d.strip().lower() for d in _split(decays)] if decays else []
    if not decay_names and method_key in METHODS:
        decay_names = [METHODS[method_key].default_decay]
    if method_key in ("count", "supply") and set(decay_names) - {"none"}:
        problems.append(
            Problem(
                f"the {method_key} method counts everything within the catchment and takes "
                "no decay; leave the decay out or use 'gravity' for a weighted count",
                field="decay",
            )
        )
    for name in decay_names:
        if name not in DECAYS:
            problems.append(
                Problem(f"unknown decay {name!r}; use one of {', '.join(DECAYS)}", field="decay")
            )
    return decay_names


def _number(value: object, otherwise: float) -> float:
    """``value`` as a float, or ``otherwise`` when it is not a number."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return otherwise


def _split(value: Sequence[Any] | str | float | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int | float):
        return [str(value)]
    parts: list[str] = []
    for item in value:
        parts.extend(_split(item))
    return parts
