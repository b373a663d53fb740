"""The global models of the drivers analysis (private to :mod:`mobilise.analysis.drivers`):
least squares with HC3 standard errors (statsmodels), the spatial dependence of its residuals
(Moran's I and the Lagrange multiplier tests of PySAL spreg) and the spatial lag and error
models (spreg's maximum likelihood estimators)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mobilise.analysis._drivers_words import term_words

__all__ = [
    "ALPHA",
    "LM_TESTS",
    "GlobalModel",
    "Term",
    "fit_ols",
    "fit_spatial",
    "residual_dependence",
    "vifs",
]

ALPHA = 0.05
"""The significance level of every test of the analysis."""
LM_TESTS = {
    "lm_error": ("lme", "LM error"),
    "lm_lag": ("lml", "LM lag"),
    "robust_lm_error": ("rlme", "Robust LM error"),
    "robust_lm_lag": ("rlml", "Robust LM lag"),
    "lm_sarma": ("sarma", "LM SARMA"),
}
"""The Lagrange multiplier tests reported: our key -> (spreg's attribute, its usual name)."""
FULL_ML_MAX_AREAS = 1500
"""Up to this many areas the spatial models use spreg's exact method ("full", eigenvalues of
the weights); above it the sparse LU method, which gives the same estimates far faster."""


@dataclass(frozen=True)
class Term:
    """One coefficient of a global model."""

    name: str  # the column (variable id); "intercept", "rho" or "lambda" for the others
    label: str
    estimate: float
    std_error: float
    statistic: float  # t (least squares) or z (maximum likelihood)
    p_value: float
    ci_lower: float
    ci_upper: float
    standardised: float | None = None  # SD change in the outcome per SD of the variable
    vif: float | None = None
    words: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class GlobalModel:
    """A fitted global model: its terms and how well it fits."""

    kind: str  # "ols", "spatial_lag" or "spatial_error"
    label: str
    terms: list[Term]
    n: int
    r2: float  # pseudo R² (squared correlation of observed and predicted) for the spatial ones
    adj_r2: float | None
    aic: float
    log_likelihood: float
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "terms": [t.to_dict() for t in self.terms]}


def vifs(values: np.ndarray) -> np.ndarray:
    """Variance inflation factors of the columns of ``values`` (with an intercept): the diagonal
    of the inverse of their correlation matrix, which is ``1 / (1 - R²_j)`` of each column
    regressed on the others, as statsmodels' ``variance_inflation_factor`` computes it one
    regression at a time."""
    if values.shape[1] == 1:
        return np.ones(1)
    return np.diag(np.linalg.inv(np.corrcoef(values, rowvar=False)))


def fit_ols(
    frame: pd.DataFrame,
    *,
    outcome: str,
    variables: Sequence[str],
    labels: Mapping[str, str],
    outcome_label: str,
) -> tuple[GlobalModel, np.ndarray, np.ndarray]:
    """Least squares with HC3 standard errors and t intervals (statsmodels); the model, its
    fitted values and its residuals."""
    import statsmodels.api as sm

    y = frame[outcome].to_numpy()
    x = frame[list(variables)].to_numpy()
    fit = sm.OLS(y, sm.add_constant(x, has_constant="add")).fit(cov_type="HC3", use_t=True)
    low, high = np.asarray(fit.conf_int(ALPHA)).T
    scale = x.std(axis=0, ddof=1) / y.std(ddof=1)
    inflation = vifs(x)
    terms = [_term(fit, 0, low, high, "intercept", "Intercept")]
    for i, name in enumerate(variables, start=1):
        term = _term(
            fit,
            i,
            low,
            high,
            name,
            labels.get(name, name),
            standardised=float(fit.params[i] * scale[i - 1]),
            vif=float(inflation[i - 1]),
        )
        terms.append(_with_words(term, outcome_label))
    model = GlobalModel(
        kind="ols",
        label="Least squares (HC3 robust standard errors)",
        terms=terms,
        n=int(fit.nobs),
        r2=float(fit.rsquared),
        adj_r2=float(fit.rsquared_adj),
        aic=float(fit.aic),
        log_likelihood=float(fit.llf),
        details={
            "residual_se": float(np.sqrt(fit.mse_resid)),
            "f_p_value": float(fit.f_pvalue),
            "condition_number": float(fit.condition_number),
        },
    )
    return model, np.asarray(fit.fittedvalues), np.asarray(fit.resid)


def _term(
    fit: Any,
    i: int,
    low: np.ndarray,
    high: np.ndarray,
    name: str,
    label: str,
    *,
    standardised: float | None = None,
    vif: float | None = None,
) -> Term:
    return Term(
        name,
        label,
        estimate=float(fit.params[i]),
        std_error=float(fit.bse[i]),
        statistic=float(fit.tvalues[i]),
        p_value=float(fit.pvalues[i]),
        ci_lower=float(low[i]),
        ci_upper=float(high[i]),
        standardised=standardised,
        vif=vif,
    )


def _with_words(term: Term, outcome_label: str) -> Term:
    from dataclasses import replace

    return replace(term, words=term_words(term.to_dict(), outcome_label, alpha=ALPHA))


def residual_dependence(
    frame: pd.DataFrame, *, outcome: str, variables: Sequence[str], weights: Any
) -> dict[str, Any]:
    """Moran's I of the least-squares residuals (with its expectation and variance under the
    regression, Cliff and Ord) and the LM tests, from spreg."""
    import spreg
    from spreg.diagnostics_sp import LMtests, MoranRes

    y = frame[[outcome]].to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # spreg 1.9's notes on pandas' deprecations
        ols = spreg.OLS(y, frame[list(variables)].to_numpy())
    moran = MoranRes(ols, weights, z=True)
    tests = LMtests(ols, weights, tests=[attribute for attribute, _label in LM_TESTS.values()])
    return {
        "moran": {
            "i": float(moran.I),
            "expected": float(moran.eI),
            "z": float(moran.zI),
            "p_value": float(moran.p_norm),
        },
        "lm_tests": {
            key: {
                "label": label,
                "statistic": float(getattr(tests, attribute)[0]),
                "p_value": float(getattr(tests, attribute)[1]),
            }
            for key, (attribute, label) in LM_TESTS.items()
        },
    }


def fit_spatial(
    frame: pd.DataFrame,
    *,
    outcome: str,
    variables: Sequence[str],
    labels: Mapping[str, str],
    weights: Any,
) -> list[GlobalModel]:
    """The spatial lag and spatial error models by maximum likelihood (spreg ``ML_Lag``,
    ``ML_Error``)."""
    from spreg import ML_Error, ML_Lag

    y = frame[[outcome]].to_numpy()
    x = frame[list(variables)].to_numpy()
    method = "full" if len(frame) <= FULL_ML_MAX_AREAS else "LU"
    names = ["intercept", *variables]
    found = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy's sparse efficiency notes, spreg's bounds note
        lag = ML_Lag(y, x, w=weights, method=method)
        error = ML_Error(y, x, w=weights, method=method)
    for kind, label, model, extra in (
        ("spatial_lag", "Spatial lag (maximum likelihood)", lag, "rho"),
        ("spatial_error", "Spatial error (maximum likelihood)", error, "lambda"),
    ):
        terms = []
        for i, name in enumerate([*names, extra]):
            estimate, se = float(model.betas[i][0]), float(model.std_err[i])
            z, p = (float(v) for v in model.z_stat[i])
            terms.append(
                Term(
                    name,
                    labels.get(name, name.capitalize()),
                    estimate,
                    se,
                    z,
                    p,
                    estimate - 1.959963984540054 * se,
                    estimate + 1.959963984540054 * se,
                )
            )
        found.append(
            GlobalModel(
                kind=kind,
                label=label,
                terms=terms,
                n=int(model.n),
                r2=float(model.pr2),
                adj_r2=None,
                aic=float(model.aic),
                log_likelihood=float(model.logll),
                details={extra: float(model.betas[-1][0]), "method": method},
            )
        )
    return found
