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


def test_weibull_columns_fit_each_report_once_and_skip_small_pts() -> None:
    from faers.study.stats import weibull_columns
    from faers.study.tto import fit_weibull

    # report 1 has two PTs: the overall fit counts its onset once
    tto = pl.DataFrame(
        {
            "primary_id": [1, 1, 2, 3, 4, 5],
            "pt": ["A", "B", "A", "A", "B", "A"],
            "tto_days": [1, 1, 5, 30, 2, 0],
        }
    )
    summary = pl.DataFrame({"pt": ["ALL", "A", "B"], "n": [5, 4, 2]})
    out = weibull_columns(tto, summary, min_cases=3)
    overall = fit_weibull([1, 5, 30, 2, 0])
    assert overall is not None
    row = out.row(0, named=True)
    assert row["weibull_shape"] == pytest.approx(overall.shape)
    assert row["weibull_scale_upper"] == pytest.approx(overall.scale_upper)
    assert row["interpretation"] == overall.interpretation
    assert out.row(1, named=True)["weibull_shape"] == pytest.approx(fit_weibull([1, 5, 30, 0]).shape)
    assert out.row(2, named=True)["weibull_shape"] is None  # 2 reports < min_cases
    assert out.columns[:2] == ["pt", "n"]
