"""Input checks of the drivers analysis (private to :mod:`mobilise.analysis.drivers`): areas
without a value left out and counted, constant and perfectly collinear variables named, and the
minimum number of areas each model needs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mobilise.analysis._checks import named, raise_if
from mobilise.errors import Problem, ValidationError

__all__ = ["GWR_MIN_AREAS", "Prepared", "gwr_minimum", "prepare"]

GWR_MIN_AREAS = 50
"""Fewest areas a local model (GWR, MGWR) is fitted on, whatever the number of variables."""
_PER_COEFFICIENT = 10  # and at least this many areas per coefficient (intercept included)
_RANK_TOLERANCE = 1e-9  # singular values below this share of the largest count as zero


def gwr_minimum(variables: int) -> int:
    """The fewest areas a GWR with ``variables`` explanatory variables is fitted on.

    mgwr starts an adaptive bandwidth search at ``40 + 2 * coefficients`` neighbours; with fewer
    areas than that there is nothing to search, and a local regression on a handful of areas has
    no power. So: at least :data:`GWR_MIN_AREAS` areas, and 10 per coefficient."""
    return max(GWR_MIN_AREAS, _PER_COEFFICIENT * (variables + 1))


@dataclass(frozen=True)
class Prepared:
    """The areas a model is fitted on (complete cases), and what was left out and why."""

    frame: pd.DataFrame  # indexed by area code: the outcome, the variables, x and y when given
    left_out: dict[str, str] = field(default_factory=dict)  # area code -> reason
    notes: list[str] = field(default_factory=list)


def prepare(
    frame: pd.DataFrame,
    *,
    outcome: str,
    variables: Sequence[str],
    labels: Mapping[str, str],
    coordinates: tuple[str, str] | None = None,
) -> Prepared:
    """Check the table and keep the complete areas; every problem raised at once.

    Areas missing the outcome, a variable or a coordinate are left out and counted (a note names
    the first of them); constant and perfectly collinear variables are refused by name."""
    problems: list[Problem] = []
    columns = [outcome, *variables, *(coordinates or ())]
    _check_names(frame, outcome, variables, columns, problems)
    raise_if(problems, "Cannot fit the drivers model")
    numbers = frame[columns].apply(pd.to_numeric, errors="coerce").astype(float)
    if numbers.index.has_duplicates:
        repeated = numbers.index[numbers.index.duplicated()].unique()
        raise ValidationError(
            f"Each area may appear once; repeated: {named(repeated)}.",
            problems=[Problem("repeated area codes", field="area_code")],
        )
    finite = np.isfinite(numbers.to_numpy())
    left_out: dict[str, str] = {}
    notes: list[str] = []
    for position, column in enumerate(columns):
        missing = numbers.index[~finite[:, position]]
        fresh = [code for code in missing if code not in left_out]
        for code in fresh:
            left_out[code] = f"no value for {labels.get(column, column)}"
        if len(missing):
            notes.append(
                f"{len(missing):,} {_areas(len(missing))} had no value for "
                f"{labels.get(column, column)} and {_were(len(missing))} left out "
                f"({named(list(missing))})."
            )
    kept = numbers[finite.all(axis=1)]
    _check_enough(kept, len(variables), len(numbers), problems)
    raise_if(problems, "Cannot fit the drivers model")
    _check_variation(kept, outcome, variables, labels, problems)
    raise_if(problems, "Cannot fit the drivers model")
    _check_collinear(kept, variables, labels, problems)
    raise_if(problems, "Cannot fit the drivers model")
    return Prepared(frame=kept, left_out=left_out, notes=notes)


def _check_names(
    frame: pd.DataFrame,
    outcome: str,
    variables: Sequence[str],
    columns: list[str],
    problems: list[Problem],
) -> None:
    if not isinstance(frame, pd.DataFrame):
        problems.append(Problem("give a pandas DataFrame indexed by area code", field="frame"))
        return
    if not variables:
        problems.append(Problem("choose at least one explanatory variable", field="variables"))
    if outcome in variables:
        problems.append(
            Problem(f"{outcome!r} is the outcome; it cannot also explain itself", field=outcome)
        )
    repeated = sorted({v for v in variables if list(variables).count(v) > 1})
    if repeated:
        problems.append(Problem(f"variables named twice: {', '.join(repeated)}", field="variables"))
    for column in dict.fromkeys(columns):
        if column not in frame.columns:
            problems.append(Problem(f"no column {column!r} in the table", field=column))


def _check_enough(kept: pd.DataFrame, variables: int, total: int, problems: list[Problem]) -> None:
    # a regression with k coefficients needs more than k areas, and a few more to say anything
    needed = variables + 3
    if len(kept) < needed:
        problems.append(
            Problem(
                f"only {len(kept)} of {total} areas have every value; a model with {variables} "
                f"{'variable' if variables == 1 else 'variables'} needs at least {needed}",
                field="areas",
            )
        )


def _check_variation(
    kept: pd.DataFrame,
    outcome: str,
    variables: Sequence[str],
    labels: Mapping[str, str],
    problems: list[Problem],
) -> None:
    for column in (outcome, *variables):
        values = kept[column].to_numpy()
        if np.ptp(values) == 0:
            what = "outcome" if column == outcome else "variable"
            problems.append(
                Problem(
                    f"the {what} {labels.get(column, column)} has the same value "
                    f"({values[0]:g}) in every area used, so it cannot "
                    + ("vary with anything" if column == outcome else "explain any difference")
                    + "; leave it out",
                    field=column,
                )
            )


def _check_collinear(
    kept: pd.DataFrame, variables: Sequence[str], labels: Mapping[str, str], problems: list[Problem]
) -> None:
    """Name each set of variables of which one is an exact linear combination of the others
    (with the intercept): the null space of the standardised design, from its SVD."""
    values = kept[list(variables)].to_numpy()
    scaled = (values - values.mean(axis=0)) / values.std(axis=0)
    design = np.column_stack([np.ones(len(scaled)), scaled])
    _u, singular, vt = np.linalg.svd(design, full_matrices=False)
    tiny = singular < _RANK_TOLERANCE * singular[0] * max(design.shape)
    for vector in vt[tiny]:
        loading = np.abs(vector[1:])
        members = [variables[int(i)] for i in np.flatnonzero(loading > 1e-6 * loading.max())]
        names = [labels.get(v, v) for v in members]
        problems.append(
            Problem(
                f"{_listed(names)} are perfectly collinear: one is an exact combination of the "
                f"other{'s' if len(names) > 2 else ''}, so their separate effects cannot be "
                "told apart; leave one of them out",
                field=", ".join(members),
            )
        )


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _areas(count: int) -> str:
    return "area" if count == 1 else "areas"


def _were(count: int) -> str:
    return "was" if count == 1 else "were"
