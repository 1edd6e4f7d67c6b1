"""The planted truth is strong enough: an independent numpy/scipy computation of ROR, PRR, IC and EBGM on the
generator's own kept reports flags every planted pair by all four methods and no other baclofen PT by all
four; the sex difference and the intrathecal/oral time to onset are there."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import optimize, special, stats

from faers.sample.cases import build_sample
from faers.sample.truth import kept_reports, signal_reports

Z = 1.959963984540054


def nb_logpmf(n: np.ndarray, alpha: float, beta: float, e: np.ndarray) -> np.ndarray:
    """Negative binomial: Poisson(lambda * E) with lambda ~ Gamma(alpha, rate beta)."""
    return (
        special.gammaln(alpha + n)
        - special.gammaln(alpha)
        - special.gammaln(n + 1)
        + alpha * np.log(beta / (beta + e))
        + n * np.log(e / (beta + e))
    )


def fit_mgps_prior(a: np.ndarray, e: np.ndarray) -> tuple[float, float, float, float, float]:
    """DuMouchel's two-gamma prior by zero-truncated maximum likelihood (best of a few starts)."""

    def nll(theta: np.ndarray) -> float:
        a1, b1, a2, b2 = np.exp(theta[:4])
        p = special.expit(theta[4])
        l1 = nb_logpmf(a, a1, b1, e) - np.log(-np.expm1(nb_logpmf(np.zeros(1), a1, b1, e)))
        l2 = nb_logpmf(a, a2, b2, e) - np.log(-np.expm1(nb_logpmf(np.zeros(1), a2, b2, e)))
        return float(-np.sum(np.logaddexp(np.log(p) + l1, np.log1p(-p) + l2)))

    best = None
    for start in ([0.2, 0.1, 2, 4, 1 / 3], [1, 1, 3, 1, 0.2], [2, 1, 0.5, 0.5, 0.5]):
        x0 = np.r_[np.log(start[:4]), special.logit(start[4])]
        res = optimize.minimize(nll, x0, method="L-BFGS-B", bounds=[(-8.0, 8.0)] * 5)
        if best is None or res.fun < best.fun:
            best = res
    assert best is not None
    a1, b1, a2, b2 = np.exp(best.x[:4])
    return float(a1), float(b1), float(a2), float(b2), float(special.expit(best.x[4]))


def eb05(n: float, e: float, prior: tuple[float, float, float, float, float]) -> float:
    """5% quantile of the posterior gamma mixture."""
    a1, b1, a2, b2, p = prior
    l1 = np.log(p) + nb_logpmf(np.array(n), a1, b1, np.array(e))
    l2 = np.log1p(-p) + nb_logpmf(np.array(n), a2, b2, np.array(e))
    q = float(np.exp(l1 - np.logaddexp(l1, l2)))

    def cdf(x: float) -> float:
        return (
            q * stats.gamma.cdf(x, a1 + n, scale=1 / (b1 + e))
            + (1 - q) * stats.gamma.cdf(x, a2 + n, scale=1 / (b2 + e))
            - 0.05
        )

    hi = 1.0
    while cdf(hi) < 0:
        hi *= 2
    return float(optimize.brentq(cdf, 1e-12, hi))


@pytest.fixture(scope="module")
def table() -> dict[str, Any]:
    """All (drug, pt) cells of the default sample's kept reports, with the four methods' flags."""
    rows = signal_reports(kept_reports(build_sample()))
    n_drug: Counter[str] = Counter()
    n_event: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for _, drugs, pts in rows:
        n_drug.update(drugs)
        n_event.update(pts)
        pairs.update((d, p) for d in drugs for p in pts)
    keys = sorted(pairs)
    a = np.array([pairs[k] for k in keys], dtype=float)
    nd = np.array([n_drug[k[0]] for k in keys], dtype=float)
    ne = np.array([n_event[k[1]] for k in keys], dtype=float)
    n = float(len(rows))
    b, c = nd - a, ne - a
    d = n - nd - ne + a
    e = nd * ne / n
    with np.errstate(divide="ignore", invalid="ignore"):
        ror_lower = np.exp(np.log(a * d / (b * c)) - Z * np.sqrt(1 / a + 1 / b + 1 / c + 1 / d))
        prr = (a / nd) / (c / (c + d))
        chi2 = n * (a * d - b * c) ** 2 / (nd * (c + d) * ne * (b + d))
    ic025 = np.log2(special.gammaincinv(a + 0.5, 0.025) / (e + 0.5))
    prior = fit_mgps_prior(a, e)
    index = {k: i for i, k in enumerate(keys)}

    def methods(drug: str, pt: str) -> dict[str, bool]:
        i = index[(drug, pt)]
        return {
            "ror": bool(ror_lower[i] > 1 and a[i] >= 3),
            "prr": bool(prr[i] >= 2 and chi2[i] >= 4 and a[i] >= 3),
            "ic": bool(ic025[i] > 0),
            "ebgm": eb05(a[i], e[i], prior) >= 2,
        }

    return {
        "rows": rows,
        "keys": keys,
        "a": a,
        "methods": methods,
        "n": n,
        "n_drug": n_drug,
        "n_event": n_event,
    }


@pytest.fixture(scope="module")
def truth(sample_dir: Path) -> dict[str, Any]:
    return json.loads((sample_dir / "truth.json").read_text())


def test_truth_cells_match_the_recomputation(table: dict[str, Any], truth: dict[str, Any]) -> None:
    signals = truth["signals"]
    assert signals["n_reports"] == table["n"]
    assert signals["drug_reports"] == dict(table["n_drug"])
    assert signals["event_reports"] == dict(table["n_event"])
    baclofen = {pt: int(a) for (drug, pt), a in zip(table["keys"], table["a"], strict=True) if drug == "baclofen"}
    assert signals["cells"]["baclofen"] == baclofen


def test_planted_baclofen_pts_are_positive_by_all_four_methods(table: dict[str, Any], truth: dict[str, Any]) -> None:
    planted = truth["signals"]["planted_positive"]
    assert 4 <= len(planted) <= 6
    for pt in planted:
        flags = table["methods"]("baclofen", pt)
        assert all(flags.values()), (pt, flags)
    for pair in truth["signals"]["planted_pairs"]:
        flags = table["methods"](pair["drug"], pair["pt"])
        assert all(flags.values()), (pair, flags)


def test_no_other_baclofen_pt_is_positive_by_all_four(table: dict[str, Any], truth: dict[str, Any]) -> None:
    planted = {*truth["signals"]["planted_positive"], truth["sex_difference"]["pt"]}
    others = [pt for drug, pt in table["keys"] if drug == "baclofen" and pt not in planted]
    assert len(others) > 100, "baclofen has a broad background of PTs"
    flagged = {pt: table["methods"]("baclofen", pt) for pt in others}
    assert [pt for pt, f in flagged.items() if all(f.values())] == []
    # chance disproportionality by a single test happens; it stays rare
    assert sum(1 for f in flagged.values() if f["ror"]) <= 0.1 * len(others)


def test_sex_difference_in_females_only(truth: dict[str, Any]) -> None:
    cells = truth["sex_difference"]["cells"]

    def ror_lower(cell: dict[str, int]) -> float:
        a, b = cell["a"], cell["n_drug"] - cell["a"]
        c = cell["n_event"] - a
        d = cell["n"] - a - b - c
        return float(np.exp(np.log(a * d / (b * c)) - Z * np.sqrt(1 / a + 1 / b + 1 / c + 1 / d))) if a else 0.0

    assert truth["sex_difference"]["stratum"] == "F"
    assert cells["F"]["a"] >= 10 and ror_lower(cells["F"]) > 2
    assert cells["M"]["a"] < 3 or ror_lower(cells["M"]) <= 1


def test_intrathecal_onset_is_short_and_oral_long(truth: dict[str, Any]) -> None:
    tto = truth["tto"]["baclofen"]
    assert tto["n"] >= 100
    assert tto["n_by_route"]["intrathecal"] >= 30 and tto["n_by_route"]["oral"] >= 30
    assert tto["by_route"]["intrathecal"] <= 7
    assert tto["by_route"]["oral"] >= 60
