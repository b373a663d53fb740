"""The drivers analysis in words (private to :mod:`mobilise.analysis.drivers`): what each term
of a model says, whether the residuals cluster and which spatial model that points to, and how
a relationship varies across a place. Plain sentences for analysts and boards alike; every one
says "goes with", never "causes"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mobilise.model.presentation import significant

__all__ = ["dependence_words", "fit_words", "local_words", "p_words", "term_words"]

VIF_HIGH = 5.0
"""A variance inflation factor above this: the variable shares much of its information."""
VIF_SEVERE = 10.0


def p_words(p_value: float) -> str:
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"


def term_words(term: Mapping[str, Any], outcome: str, *, alpha: float) -> str:
    """One term of a least-squares model read aloud: direction and size (per standard
    deviation), whether the robust interval excludes no effect, and any collinearity."""
    label, estimate = term["label"], float(term["estimate"])
    standardised = term.get("standardised")
    direction = "higher" if estimate > 0 else "lower"
    size = (
        f"{significant(abs(standardised))} standard deviations {direction}"
        if standardised is not None
        else f"{significant(abs(estimate))} {direction}"
    )
    sentence = (
        f"Areas where {label} is one standard deviation higher have {outcome} on average "
        f"{size}, other things in the model being equal"
    )
    interval = (
        f"95% interval {significant(term['ci_lower'])} to {significant(term['ci_upper'])} per unit"
    )
    if term["p_value"] < alpha:
        sentence += (
            f" ({interval}, {p_words(term['p_value'])}): unlikely to be chance alone, though an "
            "association, not proof of cause."
        )
    else:
        sentence += (
            f", but this could well be chance ({interval} includes no effect, "
            f"{p_words(term['p_value'])})."
        )
    vif = term.get("vif")
    if vif is not None and vif > VIF_HIGH:
        strength = "much" if vif > VIF_SEVERE else "a good deal"
        sentence += (
            f" It shares {strength} of its information with the other variables (variance "
            f"inflation factor {significant(vif)}), so its own effect is hard to separate."
        )
    return sentence


def fit_words(r2: float, n: int, left_out: int) -> str:
    share = significant(100 * r2)
    sentence = (
        f"Together the variables account for {share}% of the differences in the outcome "
        f"between the {n:,} areas used"
    )
    if left_out:
        sentence += f" ({left_out:,} left out for missing values)"
    return sentence + "."


def dependence_words(moran: Mapping[str, Any], lm_tests: Mapping[str, Any], alpha: float) -> str:
    """Whether the residuals cluster, and which model the LM tests point to (Anselin's
    decision rule: the simple tests first, the robust ones when both are significant)."""
    clustered = moran["p_value"] < alpha and moran["i"] > moran["expected"]
    sentence = (
        f"What the variables leave unexplained is clustered in space (Moran's I of the "
        f"residuals {significant(moran['i'])}, {p_words(moran['p_value'])}): neighbouring areas "
        "are alike in ways the model misses, so the least-squares intervals are too narrow."
        if clustered
        else (
            f"What the variables leave unexplained shows no clear clustering in space (Moran's I "
            f"of the residuals {significant(moran['i'])}, {p_words(moran['p_value'])})."
        )
    )
    lag, error = lm_tests["lm_lag"]["p_value"] < alpha, lm_tests["lm_error"]["p_value"] < alpha
    if lag and error:
        robust_lag = lm_tests["robust_lm_lag"]["p_value"]
        robust_error = lm_tests["robust_lm_error"]["p_value"]
        choice = "spatial lag" if robust_lag < robust_error else "spatial error"
        return sentence + (
            f" Both Lagrange multiplier tests are significant; the robust tests favour the "
            f"{choice} model."
        )
    if lag or error:
        choice = "spatial lag" if lag else "spatial error"
        return sentence + f" The Lagrange multiplier tests point to the {choice} model."
    return sentence + " The Lagrange multiplier tests find no need for a spatial model."


def local_words(summary: Mapping[str, Any], outcome: str) -> str:
    """How one variable's local coefficients vary across a place (GWR or MGWR)."""
    label, share = summary["label"], summary["significant_share"]
    positive, negative = summary["significant_positive"], summary["significant_negative"]
    if share == 0:
        return (
            f"{label}: no area shows a link with {outcome} that survives the correction for "
            "testing every area."
        )
    sides = []
    if positive:
        sides.append(f"higher {outcome} in {positive:,}")
    if negative:
        sides.append(f"lower {outcome} in {negative:,}")
    return (
        f"{label}: goes with {' and with '.join(sides)} of the areas "
        f"({significant(100 * share)}% significant after correcting for testing every area); "
        f"local effects range from {significant(summary['min'])} to "
        f"{significant(summary['max'])} (median {significant(summary['median'])})."
    )
