"""Weibull maximum likelihood for time to onset: recovers known parameters, reads the shape as papers do."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from faers.study.tto import fit_weibull, interpret_shape


@pytest.mark.parametrize(("shape", "scale", "reading"), [(0.6, 40.0, "early failure"), (2.5, 200.0, "wear-out")])
def test_recovers_known_parameters_within_their_intervals(shape: float, scale: float, reading: str) -> None:
    # GIVEN onsets drawn from a known Weibull and recorded in whole days (as FAERS dates give them)
    days = np.floor(stats.weibull_min.rvs(shape, scale=scale, size=3000, random_state=np.random.default_rng(7)))
    fit = fit_weibull(days)
    assert fit is not None and fit.converged and fit.n == 3000
    # THEN the truth lies inside the 95% intervals, which are tight at this size
    assert fit.shape_lower < shape < fit.shape_upper
    assert fit.scale_lower < scale < fit.scale_upper
    assert fit.shape_upper / fit.shape_lower < 1.2
    assert fit.interpretation == reading


def test_agrees_with_the_continuous_fit_on_long_onsets() -> None:
    # Onsets of hundreds of days: day rounding barely matters, so the interval-censored fit must match
    # scipy's continuous MLE on the mid-points.
    rng = np.random.default_rng(3)
    days = np.floor(stats.weibull_min.rvs(1.7, scale=900.0, size=800, random_state=rng))
    fit = fit_weibull(days)
    shape, _, scale = stats.weibull_min.fit(days + 0.5, floc=0)
    assert fit is not None
    assert fit.shape == pytest.approx(shape, rel=5e-3)
    assert fit.scale == pytest.approx(scale, rel=5e-3)


def test_exponential_onsets_read_as_random_failure_and_zero_days_are_fine() -> None:
    days = np.floor(stats.expon.rvs(scale=30.0, size=1500, random_state=np.random.default_rng(11)))
    assert (days == 0).sum() > 20  # many same-day onsets: the continuous density would break here
    fit = fit_weibull(days)
    assert fit is not None
    assert fit.shape_lower < 1 < fit.shape_upper
    assert fit.interpretation == "random failure"


def test_nothing_to_fit_and_bad_input() -> None:
    assert fit_weibull([]) is None
    assert fit_weibull([5, 5, 5]) is None
    with pytest.raises(ValueError, match="whole days >= 0"):
        fit_weibull([1, -2, 3])
    with pytest.raises(ValueError, match="whole days >= 0"):
        fit_weibull([1.5, 2])


def test_interpretation_uses_the_interval() -> None:
    assert interpret_shape(0.8, 0.7, 0.9) == "early failure"
    assert interpret_shape(0.8, 0.6, 1.1) == "random failure"
    assert interpret_shape(1.3, 1.1, 1.5) == "wear-out"
    assert interpret_shape(0.5, math.nan, math.nan) == "early failure"
