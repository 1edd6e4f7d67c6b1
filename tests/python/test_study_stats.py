"""The study's statistics outside SQL: sex x seriousness tests and p-values."""

from __future__ import annotations

import math

import polars as pl
import pytest
from scipy import stats as sps

from faers.study.stats import seriousness_test, two_sided_p


def test_chi_square_when_every_expected_count_is_at_least_five() -> None:
    test, statistic, p_value = seriousness_test(40, 20, 25, 35)
    chi2, p, _, _ = sps.chi2_contingency([[40, 20], [25, 35]], correction=False)
    assert test == "chi2"
    assert statistic == pytest.approx(chi2) and p_value == pytest.approx(p)
    # hand check: N=120, expected serious_female = 60*65/120 = 32.5
    assert statistic == pytest.approx(
        (40 - 32.5) ** 2 / 32.5 + (20 - 27.5) ** 2 / 27.5 + (25 - 32.5) ** 2 / 32.5 + (35 - 27.5) ** 2 / 27.5
    )


def test_fisher_when_an_expected_count_is_below_five() -> None:
    test, statistic, p_value = seriousness_test(8, 1, 2, 7)
    assert test == "fisher"
    assert statistic == pytest.approx(28.0)  # sample odds ratio 8*7 / (1*2)
    assert p_value == pytest.approx(sps.fisher_exact([[8, 1], [2, 7]])[1])


def test_no_test_without_both_sexes_or_both_outcomes() -> None:
    assert seriousness_test(5, 3, 0, 0) == (None, None, None)
    assert seriousness_test(5, 0, 7, 0) == (None, None, None)


def test_two_sided_p() -> None:
    p = two_sided_p(pl.Series("z", [0.0, 1.959963984540054, None, -3.0]))
    assert p[0] == pytest.approx(1.0)
    assert p[1] == pytest.approx(0.05)
    assert p[2] is None
    assert p[3] == pytest.approx(2 * sps.norm.sf(3.0))
    assert not math.isnan(p[3])
