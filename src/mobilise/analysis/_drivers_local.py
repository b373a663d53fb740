"""The local models of the drivers analysis (private to :mod:`mobilise.analysis.drivers`):
geographically weighted regression and its multiscale form, by PySAL mgwr.

- Bandwidths are chosen by AICc, by golden section search (mgwr's default) or by an interval
  search over ``[bandwidth_min, bandwidth_max]`` in steps of ``interval``. Adaptive kernels
  count neighbours; fixed ones are distances in the coordinates' units (metres here).
- GWR's variance is the classic one of Fotheringham, Brunsdon and Charlton (2002) and GWR4
  (``sigma2_v1=False``: residual sum of squares over ``n - 2 tr(S) + tr(S'S)``), so results
  match GWR4's output; mgwr's own default divides by ``n - tr(S)``.
- MGWR is fitted on standardised outcome and variables (as mgwr requires), so its local
  coefficients are in standard deviations of the outcome per standard deviation of the
  variable; each variable has its own bandwidth.
- Significance is corrected for testing every area: mgwr's ``filter_tvals`` with the adjusted
  alpha of da Silva and Fotheringham (2016), ``alpha * k / ENP`` (per variable in MGWR).
- mgwr runs single-process here (``n_jobs=1``): a server thread must not fork workers, and the
  results are then the same on every machine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mobilise.analysis._drivers_words import local_words

__all__ = ["LocalModel", "fit_local"]


@dataclass(frozen=True)
class LocalModel:
    """A fitted GWR or MGWR: bandwidths, fit, a summary per term and the local results."""

    kind: str  # "gwr" or "mgwr"
    label: str
    kernel: str
    fixed: bool
    search: str
    bandwidths: dict[str, float]  # term -> bandwidth (one shared by every term in GWR)
    n: int
    aicc: float
    r2: float
    adj_r2: float
    effective_parameters: float
    adjusted_alpha: dict[str, float]  # term -> alpha corrected for multiple tests (at 0.05)
    critical_t: dict[str, float]
    terms: list[dict[str, Any]]  # per term: label, bandwidth, how much is significant, range
    local: pd.DataFrame = field(repr=False)  # by area: local_r2, predicted, residual, per term

    def to_dict(self) -> dict[str, Any]:
        """Everything but the local table (stored by area, see ``local``)."""
        return {
            "kind": self.kind,
            "label": self.label,
            "kernel": self.kernel,
            "fixed": self.fixed,
            "search": self.search,
            "bandwidths": self.bandwidths,
            "n": self.n,
            "aicc": self.aicc,
            "r2": self.r2,
            "adj_r2": self.adj_r2,
            "effective_parameters": self.effective_parameters,
            "adjusted_alpha": self.adjusted_alpha,
            "critical_t": self.critical_t,
            "terms": self.terms,
        }


def fit_local(
    frame: pd.DataFrame,
    *,
    outcome: str,
    variables: Sequence[str],
    labels: Mapping[str, str],
    outcome_label: str,
    coordinates: tuple[str, str],
    multiscale: bool = False,
    kernel: str = "bisquare",
    fixed: bool = False,
    search: str = "golden_section",
    bandwidth_min: float | None = None,
    bandwidth_max: float | None = None,
    interval: float = 0.0,
) -> LocalModel:
    """Fit GWR (or MGWR when ``multiscale``) with the bandwidth chosen by AICc."""
    from mgwr.gwr import GWR, MGWR
    from mgwr.sel_bw import Sel_BW

    coords = frame[list(coordinates)].to_numpy()
    y = frame[[outcome]].to_numpy()
    x = frame[list(variables)].to_numpy()
    names = ["intercept", *variables]
    if multiscale:
        y = (y - y.mean()) / y.std()
        x = (x - x.mean(axis=0)) / x.std(axis=0)
    selector = Sel_BW(coords, y, x, kernel=kernel, fixed=fixed, multi=multiscale, n_jobs=1)
    if multiscale:
        selector.search(
            search_method=search,
            criterion="AICc",
            multi_bw_min=[bandwidth_min],
            multi_bw_max=[bandwidth_max],
            interval=interval,
        )
        results = MGWR(coords, y, x, selector, kernel=kernel, fixed=fixed, n_jobs=1).fit()
        bandwidths = [float(b) for b in selector.bw[0]]
        alphas = np.asarray(results.adj_alpha_j)[:, 1]
        local_r2 = np.full(len(frame), np.nan)  # mgwr has none for several bandwidths
        adj_r2 = float(results.adj_R2)
    else:
        bandwidth = selector.search(
            search_method=search,
            criterion="AICc",
            bw_min=bandwidth_min,
            bw_max=bandwidth_max,
            interval=interval,
        )
        results = GWR(
            coords, y, x, bandwidth, kernel=kernel, fixed=fixed, sigma2_v1=False, n_jobs=1
        ).fit()
        bandwidths = [float(bandwidth)] * len(names)
        alphas = np.full(len(names), float(results.adj_alpha[1]))
        local_r2 = np.asarray(results.localR2).ravel()
        adj_r2 = float(results.adj_R2)
    critical = np.asarray(results.critical_tval(), dtype=float).reshape(-1)
    critical = np.broadcast_to(critical, (len(names),))
    significant = np.asarray(results.filter_tvals()) != 0
    local = _local_table(frame.index, names, results, significant, local_r2)
    terms = _term_summaries(names, labels, results.params, significant, bandwidths)
    shown_outcome = f"{outcome_label} (in standard deviations)" if multiscale else outcome_label
    for term in terms:
        term["words"] = local_words(term, shown_outcome)
    return LocalModel(
        kind="mgwr" if multiscale else "gwr",
        label=(
            "Multiscale geographically weighted regression"
            if multiscale
            else "Geographically weighted regression"
        ),
        kernel=kernel,
        fixed=fixed,
        search=search,
        bandwidths=dict(zip(names, bandwidths, strict=True)),
        n=len(frame),
        aicc=float(results.aicc),
        r2=float(results.R2),
        adj_r2=adj_r2,
        effective_parameters=float(results.ENP),
        adjusted_alpha=dict(zip(names, (float(a) for a in alphas), strict=True)),
        critical_t=dict(zip(names, (float(c) for c in critical), strict=True)),
        terms=terms,
        local=local,
    )


def _local_table(
    index: pd.Index, names: list[str], results: Any, significant: np.ndarray, local_r2: np.ndarray
) -> pd.DataFrame:
    columns: dict[str, Any] = {
        "local_r2": local_r2,
        "predicted": np.asarray(results.predy).ravel(),
        "residual": np.asarray(results.resid_response).ravel(),
    }
    for j, name in enumerate(names):
        columns[f"{name}:estimate"] = results.params[:, j]
        columns[f"{name}:se"] = results.bse[:, j]
        columns[f"{name}:t"] = results.tvalues[:, j]
        columns[f"{name}:significant"] = significant[:, j]
    return pd.DataFrame(columns, index=index)


def _term_summaries(
    names: list[str],
    labels: Mapping[str, str],
    params: np.ndarray,
    significant: np.ndarray,
    bandwidths: list[float],
) -> list[dict[str, Any]]:
    found = []
    for j, name in enumerate(names):
        estimates, marked = params[:, j], significant[:, j]
        found.append(
            {
                "name": name,
                "label": labels.get(name, "Intercept" if name == "intercept" else name),
                "bandwidth": bandwidths[j],
                "min": float(estimates.min()),
                "median": float(np.median(estimates)),
                "max": float(estimates.max()),
                "significant_share": float(marked.mean()),
                "significant_positive": int((marked & (estimates > 0)).sum()),
                "significant_negative": int((marked & (estimates < 0)).sum()),
            }
        )
    return found
