"""MGPS prior fit and posterior (faers.mgps) against the golden reference and against first principles."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest
from scipy import special, stats
from threadpoolctl import threadpool_info, threadpool_limits

from faers import mgps
from faers.mgps import fit as fit_module
from faers.mgps import likelihood as likelihood_module
from faers.mgps.cells import _ZERO_CELLS_SQL
from faers.mgps.likelihood import _build_objective, _pack
from faers.mgps.tables import _COUNT_TABLE_LIMIT
from faers.study.stats import fit_stratum_priors

REFERENCE = Path(__file__).resolve().parents[2] / "seeds" / "reference"


@pytest.fixture(scope="module")
def golden() -> pl.DataFrame:
    return pl.read_csv(REFERENCE / "signals_reference.csv")


@pytest.fixture(scope="module")
def reference_priors() -> dict[str, tuple[mgps.Prior, float]]:
    with (REFERENCE / "mgps_priors_reference.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    return {
        row["fit"]: (
            mgps.Prior.from_sequence([float(row[k]) for k in ("alpha1", "beta1", "alpha2", "beta2", "P")]),
            float(row["negLL"]),
        )
        for row in rows
    }


def _dense_margins(n_drug: np.ndarray, n_event: np.ndarray, total: float, nonzero: np.ndarray) -> mgps.Margins:
    """Margins of a dense drugs x events table whose nonzero cells are ``nonzero`` (a boolean matrix)."""
    return mgps.Margins(
        drug=n_drug,
        event=n_event,
        n_total=total,
        cell_drug=np.broadcast_to(n_drug[:, None], nonzero.shape)[nonzero],
        cell_event=np.broadcast_to(n_event[None, :], nonzero.shape)[nonzero],
    )


def _golden_margins(golden: pl.DataFrame) -> mgps.Margins:
    n_drug = golden.group_by("drug").agg((pl.col("a") + pl.col("b")).first())["a"].to_numpy()
    n_event = golden.group_by("event").agg((pl.col("a") + pl.col("c")).first())["a"].to_numpy()
    total = float((golden["a"] + golden["b"] + golden["c"] + golden["d"])[0])
    return mgps.Margins(
        drug=n_drug,
        event=n_event,
        n_total=total,
        cell_drug=(golden["a"] + golden["b"]).to_numpy(),
        cell_event=(golden["a"] + golden["c"]).to_numpy(),
    )


def _heavy_tailed_table(
    *, seed: int, drugs: int, events: int, total: float
) -> tuple[np.ndarray, np.ndarray, mgps.Margins]:
    """(n, E, margins) of a dense drug x event table with Pareto margins and log-normal relative reporting rates
    (sd 2), as on FAERS: the nonzero cells and every cell's margins."""
    rng = np.random.default_rng(seed)
    n_drug = np.ceil(rng.pareto(1.0, drugs) * 20 + 1)
    n_event = np.ceil(rng.pareto(1.0, events) * 10 + 1)
    expected = np.outer(n_drug, n_event) / total
    counts = rng.poisson(np.exp(rng.normal(-1.0, 2.0, expected.shape)) * expected)
    nonzero = counts > 0
    margins = _dense_margins(n_drug, n_event, total, nonzero)
    return counts[nonzero].astype(float), expected[nonzero], margins


def _cells(golden: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return golden["a"].to_numpy().astype(float), golden["E"].to_numpy()


def test_truncated_fit_reaches_the_reference_optimum(golden, reference_priors) -> None:
    # GIVEN the 2,100 golden cells WHEN fitting the zero-truncated likelihood from the default starts
    n, e = _cells(golden)
    fit = mgps.fit_prior(n, e, likelihood="truncated")
    _, reference_nll = reference_priors["pvref_trunc_Nstar1"]
    # THEN the optimum is at least as good as the reference's, to 1e-6, and it is a clean interior fit
    assert fit.neg_log_likelihood <= reference_nll + 1e-6
    assert abs(fit.neg_log_likelihood - reference_nll) < 1e-6
    assert fit.converged and not fit.at_boundary and fit.usable
    reference_prior, _ = reference_priors["pvref_trunc_Nstar1"]
    np.testing.assert_allclose(fit.prior.as_array(), reference_prior.as_array(), rtol=1e-4)


def test_full_fit_reaches_the_reference_optimum(golden, reference_priors) -> None:
    n, e = _cells(golden)
    fit = mgps.fit_prior(n, e, likelihood="full", margins=_golden_margins(golden))
    _, reference_nll = reference_priors["pvref_zero_inclusive"]
    assert abs(fit.neg_log_likelihood - reference_nll) < 1e-6
    assert fit.n_zero_cells == 54 * 137 - 2100
    assert fit.usable


def test_likelihoods_at_the_reference_priors_equal_the_reference_values(golden, reference_priors) -> None:
    n, e = _cells(golden)
    prior, nll = reference_priors["pvref_trunc_Nstar1"]
    assert mgps.neg_log_likelihood(prior, n, e, likelihood="truncated") == pytest.approx(nll, abs=1e-8)
    prior, nll = reference_priors["pvref_zero_inclusive"]
    margins = _golden_margins(golden)
    assert mgps.neg_log_likelihood(prior, n, e, likelihood="full", margins=margins) == pytest.approx(nll, abs=1e-8)


def test_grouped_zero_cells_equal_the_materialised_table() -> None:
    # GIVEN a small drug x event table whose zero cells we can write out one by one
    rng = np.random.default_rng(7)
    n_drug = rng.integers(1, 40, size=12).astype(float)
    n_event = rng.integers(1, 30, size=17).astype(float)
    total = 500.0
    expected = np.outer(n_drug, n_event) / total
    counts = rng.poisson(expected * rng.lognormal(0, 1, expected.shape))
    nonzero = counts > 0
    prior = mgps.Prior(2.0, 1.5, 0.4, 0.3, 0.3)
    margins = _dense_margins(n_drug, n_event, total, nonzero)
    grouped = mgps.neg_log_likelihood(prior, counts[nonzero], expected[nonzero], likelihood="full", margins=margins)

    # WHEN the full likelihood is summed cell by cell from the NB mixture, zero cells included
    def log_nb(alpha: float, beta: float, n: np.ndarray, e: np.ndarray) -> np.ndarray:
        return stats.nbinom.logpmf(n, alpha, beta / (beta + e))

    n_all, e_all = counts.ravel(), expected.ravel()
    brute = -np.sum(
        np.logaddexp(
            math.log(prior.p) + log_nb(prior.alpha1, prior.beta1, n_all, e_all),
            math.log1p(-prior.p) + log_nb(prior.alpha2, prior.beta2, n_all, e_all),
        )
    )
    # THEN grouping the zero cells by margins is exact
    assert grouped == pytest.approx(brute, rel=1e-12)
    assert margins.zero_cells()[1].sum() == (~nonzero).sum()


@pytest.mark.parametrize("likelihood", ["truncated", "full"])
def test_analytic_gradient_matches_finite_differences(golden, likelihood) -> None:
    n, e = _cells(golden)
    margins = _golden_margins(golden) if likelihood == "full" else None
    objective = _build_objective(n, e, likelihood=likelihood, margins=margins, weights=None)
    theta = _pack(mgps.Prior(1.3, 0.7, 0.2, 0.4, 0.35))
    _, grad = objective(theta)
    step = 1e-6
    numeric = np.array(
        [(objective(theta + step * unit)[0] - objective(theta - step * unit)[0]) / (2 * step) for unit in np.eye(5)]
    )
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-4)


def test_weights_are_multiplicities(golden) -> None:
    n, e = _cells(golden)
    doubled = mgps.neg_log_likelihood(mgps.Prior(1, 1, 0.2, 0.3, 0.4), n, e, weights=np.full(n.shape, 2.0))
    single = mgps.neg_log_likelihood(mgps.Prior(1, 1, 0.2, 0.3, 0.4), n, e)
    assert doubled == pytest.approx(2 * single, rel=1e-13)


@pytest.mark.parametrize(("suffix", "fit"), [("trunc", "pvref_trunc_Nstar1"), ("zero", "pvref_zero_inclusive")])
def test_posterior_matches_the_reference(golden, reference_priors, suffix, fit) -> None:
    n, e = _cells(golden)
    prior, _ = reference_priors[fit]
    np.testing.assert_allclose(mgps.ebgm(n, e, prior), golden[f"EBGM_{suffix}"].to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(
        mgps.posterior_quantile(0.05, n, e, prior), golden[f"EB05_{suffix}"].to_numpy(), rtol=1e-8
    )
    np.testing.assert_allclose(
        mgps.posterior_quantile(0.95, n, e, prior), golden[f"EB95_{suffix}"].to_numpy(), rtol=1e-8
    )
    np.testing.assert_allclose(mgps.posterior_weight(n, e, prior), golden[f"Qn_{suffix}"].to_numpy(), rtol=1e-8)


def test_mixture_quantile_inverts_the_mixture_cdf() -> None:
    rng = np.random.default_rng(11)
    size = 5000
    q = rng.uniform(0, 1, size)
    q[:50] = 1e-16  # a vanishing component: the quantile must still be the dominant one's
    shape1, shape2 = rng.uniform(0.5, 300, size), rng.uniform(0.01, 50, size)
    rate1, rate2 = rng.uniform(0.01, 50, size), rng.uniform(0.01, 50, size)
    for prob in (0.05, 0.5, 0.95):
        x = mgps.mixture_quantile(prob, q, shape1, rate1, shape2, rate2)
        cdf = q * special.gammainc(shape1, rate1 * x) + (1 - q) * special.gammainc(shape2, rate2 * x)
        np.testing.assert_allclose(cdf, prob, atol=1e-10)


def test_mixture_quantile_agrees_with_a_tight_solve() -> None:
    # GIVEN posteriors shaped like FAERS ones: mostly a vanishing first component (Qn ~ 1e-8), some mixed
    rng = np.random.default_rng(5)
    size = 20_000
    n = rng.integers(1, 40, size).astype(float)
    e = rng.lognormal(-1.0, 2.0, size)
    prior = mgps.Prior(4.18, 0.011, 0.61, 2.78, 0.0027)
    q = mgps.posterior_weight(n, e, prior)
    args = (q, prior.alpha1 + n, prior.beta1 + e, prior.alpha2 + n, prior.beta2 + e)
    for prob in (0.05, 0.95):
        # WHEN solved at the default tolerance (early stop after a small Halley step) and far tighter
        x = mgps.mixture_quantile(prob, *args)
        tight = mgps.mixture_quantile(prob, *args, rtol=1e-15, max_iterations=200)
        # THEN they agree far inside the default rtol of 1e-11
        np.testing.assert_allclose(x, tight, rtol=1e-13)


def test_of_counts_is_bitwise_the_direct_call() -> None:
    # GIVEN special functions of (constant + count), as the signal statistics evaluate them
    rng = np.random.default_rng(8)
    counts = rng.integers(0, 3000, 5000).astype(float)
    counts[:20] = rng.integers(_COUNT_TABLE_LIMIT + 1, 10 * _COUNT_TABLE_LIMIT, 20)  # beyond the tables
    cases = [
        (special.gammaln, 4.177404098, ()),
        (special.digamma, 0.6145538651, ()),
        (special.gammaincinv, 0.5, (0.025,)),
        (special.gammaincinv, 0.6145538651, (0.95,)),
    ]
    for function, offset, args in cases:
        # WHEN looked up through the per-count tables (small counts first, so that a table then grows)
        small = mgps.of_counts(function, offset, counts[:100] % 7, *args)
        looked_up = mgps.of_counts(function, offset, counts, *args)
        # THEN the bits of the direct call
        assert np.array_equal(small, function(offset + counts[:100] % 7, *args))
        assert np.array_equal(looked_up, function(offset + counts, *args))
    # AND anything but non-negative integral counts is the direct call (NaN stays NaN)
    for odd in (np.array([1.5, 2.0]), np.array([-1.0, 2.0]), np.array([np.nan, 2.0]), np.array([2.0**40, 3.0])):
        np.testing.assert_array_equal(mgps.of_counts(special.gammaln, 3.5, odd), special.gammaln(3.5 + odd))
    assert np.isnan(mgps.of_counts(special.gammaln, float("nan"), np.array([1.0]))).all()


def test_heavy_tailed_rates_collapse_the_truncated_fit_but_not_the_full_one() -> None:
    # GIVEN a drug x event table with log-normal relative reporting rates (sd 2), as on FAERS
    n, e, margins = _heavy_tailed_table(seed=3, drugs=300, events=800, total=200_000.0)
    # WHEN fitting both likelihoods
    truncated = mgps.fit_prior(n, e, likelihood="truncated")
    full = mgps.fit_prior(n, e, likelihood="full", margins=margins)
    # THEN the truncated optimum has a shape going to 0 and is not usable; the full one is interior
    assert "shape_to_zero" in truncated.boundary
    assert not truncated.usable
    assert "not published" in truncated.message
    assert full.boundary == "" and full.usable


def test_an_optimiser_stopped_early_is_finished_by_newton_steps() -> None:
    # GIVEN the heavy-tailed table, whose L-BFGS-B path needs about 16 iterations to converge
    n, e, margins = _heavy_tailed_table(seed=3, drugs=300, events=800, total=200_000.0)
    start = [(0.2, 0.1, 2.0, 4.0, 1 / 3)]
    best = mgps.fit_prior(n, e, likelihood="full", margins=margins, starts=start)
    # WHEN L-BFGS-B is stopped after 4 iterations (gradient norm ~200)
    early = mgps.fit_prior(n, e, likelihood="full", margins=margins, starts=start, max_iterations=4)
    # THEN the Newton polish reaches the optimum: the negLL a further Newton step could gain is below 1e-6
    assert best.converged and early.converged and early.usable
    assert early.neg_log_likelihood - best.neg_log_likelihood < 1e-6
    np.testing.assert_allclose(early.prior.as_array(), best.prior.as_array(), rtol=1e-3)
    assert "Newton decrement" in early.message


def test_lbfgsb_stops_before_grinding_at_rounding_noise_and_newton_finishes(monkeypatch) -> None:
    # GIVEN a heavy-tailed table of 2,000,000 reports (8,331 nonzero cells), fitted once with L-BFGS-B run to the
    # negLL's rounding noise (ftol 1e-15), counting the likelihood's evaluations
    n, e, margins = _heavy_tailed_table(seed=11, drugs=1000, events=2000, total=2_000_000.0)
    evaluations = [0]
    evaluate = likelihood_module._Objective._evaluate

    def counted(self, theta):
        evaluations[0] += 1
        return evaluate(self, theta)

    monkeypatch.setattr(likelihood_module._Objective, "_evaluate", counted)

    def fit() -> tuple[mgps.PriorFit, int]:
        evaluations[0] = 0
        result = mgps.fit_prior(n, e, likelihood="full", margins=margins, starts=mgps.DEFAULT_STARTS[:1])
        return result, evaluations[0]

    with monkeypatch.context() as grind:
        grind.setattr(fit_module, "LBFGSB_FTOL", 1e-15)
        ground, ground_evaluations = fit()
    # WHEN L-BFGS-B stops at LBFGSB_FTOL and the Newton polish finishes
    fitted, fitted_evaluations = fit()
    # THEN it is as converged (within the Newton tolerance of the ground optimum) with far fewer evaluations
    assert ground.converged and fitted.converged and fitted.usable
    assert fitted.neg_log_likelihood - ground.neg_log_likelihood < mgps.NEWTON_TOLERANCE
    np.testing.assert_allclose(fitted.prior.as_array(), ground.prior.as_array(), rtol=1e-3)
    assert fitted_evaluations < 0.75 * ground_evaluations, (fitted_evaluations, ground_evaluations)


def test_the_fit_holds_blas_to_one_thread_and_gives_the_threads_back(monkeypatch) -> None:
    # GIVEN numpy's and scipy's BLAS on two threads, and the likelihood recording their thread counts when evaluated
    n, e, margins = _heavy_tailed_table(seed=3, drugs=300, events=800, total=200_000.0)
    seen: list[tuple[int, ...]] = []
    evaluate = likelihood_module._Objective._evaluate

    def recorded(self, theta):
        seen.append(_blas_threads())
        return evaluate(self, theta)

    monkeypatch.setattr(likelihood_module._Objective, "_evaluate", recorded)
    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        # WHEN fitting the prior
        fit = mgps.fit_prior(n, e, likelihood="full", margins=margins, starts=mgps.DEFAULT_STARTS[:1])
        after = _blas_threads()
    # THEN every evaluation ran with BLAS on one thread (L-BFGS-B's BLAS calls on 5-vectors: woken OpenBLAS threads
    # spin on the cores the likelihood's blocks need), and the fit gave the caller's threads back
    assert fit.converged and before == after and set(before) == {2}
    assert seen and all(set(threads) == {1} for threads in seen)


def _blas_threads() -> tuple[int, ...]:
    return tuple(library["num_threads"] for library in threadpool_info() if library["user_api"] == "blas")


def test_a_non_overdispersed_component_is_a_usable_point_mass() -> None:
    rng = np.random.default_rng(5)
    e = rng.lognormal(-1, 1, 4000)
    lam = np.where(rng.uniform(size=e.size) < 0.95, 1.0, rng.gamma(2.0, 2.0, e.size))
    n = rng.poisson(lam * e)
    fit = mgps.fit_prior(n[n > 0].astype(float), e[n > 0], likelihood="truncated")
    assert fit.boundary == "point_mass"
    assert fit.usable and fit.at_boundary
    assert min(fit.alpha1, fit.alpha2) > 0.1  # no collapsed shape
    point_mass = max((fit.alpha1, fit.beta1), (fit.alpha2, fit.beta2))
    assert point_mass[0] / point_mass[1] == pytest.approx(1.0, abs=0.1)  # at the background rate 1


def test_fixed_prior_and_var_parsing() -> None:
    assert mgps.parse_prior_setting(None) is None
    assert mgps.parse_prior_setting("None") is None
    assert mgps.parse_prior_setting("[0.2, 0.1, 2, 4, 0.3]") == [0.2, 0.1, 2.0, 4.0, 0.3]
    assert mgps.parse_prior_setting([0.2, 0.1, 2, 4, 0.3]) == [0.2, 0.1, 2.0, 4.0, 0.3]
    with pytest.raises(ValueError, match="5 values"):
        mgps.parse_prior_setting("[1, 2, 3]")
    with pytest.raises(ValueError, match="0 < p < 1"):
        mgps.parse_prior_setting([1, 1, 1, 1, 1.5])
    fit = mgps.fixed_prior([0.2, 0.1, 2, 4, 0.3])
    assert fit.usable and fit.fixed and fit.as_row()["is_usable"]


def test_bad_input_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="n >= 1"):
        mgps.fit_prior(np.array([0.0, 1.0]), np.array([1.0, 1.0]), likelihood="truncated")
    with pytest.raises(ValueError, match="needs margins"):
        mgps.fit_prior(np.array([1.0]), np.array([1.0]), likelihood="full")
    with pytest.raises(ValueError, match="E must be finite"):
        mgps.fit_prior(np.array([1.0]), np.array([0.0]))
    with pytest.raises(ValueError, match="likelihood must be"):
        mgps.fit_prior(np.array([1.0]), np.array([1.0]), likelihood="zero")  # type: ignore[arg-type]


def test_fit_stratum_priors_fits_one_prior_per_stratum_and_records_a_failed_one(golden, reference_priors) -> None:
    # GIVEN study_background with the golden table as two strata (their own margins), and a third stratum the
    # fit cannot take (its rows mix two values of N)
    cells = golden.select(
        "drug",
        pl.col("event").alias("pt"),
        "a",
        pl.col("E").alias("expected"),
        (pl.col("a") + pl.col("b")).alias("n_drug"),
        (pl.col("a") + pl.col("c")).alias("n_event"),
        (pl.col("a") + pl.col("b") + pl.col("c") + pl.col("d")).alias("n"),
    )
    broken = cells.head(2).with_columns(n=pl.Series([100, 200]))
    background = pl.concat(
        [cells.with_columns(stratum=pl.lit(sex)) for sex in ("F", "M")] + [broken.with_columns(stratum=pl.lit("U"))]
    ).with_columns(stratum_var=pl.lit("sex"))
    conn = duckdb.connect()
    conn.register("study_background", background.to_arrow())
    for likelihood, reference in (("truncated", "pvref_trunc_Nstar1"), ("full", "pvref_zero_inclusive")):
        # WHEN the study fits every stratum
        priors = fit_stratum_priors(conn, likelihood, None).sort("stratum")
        # THEN each golden stratum gets the reference optimum, and the broken one a NULL prior with the reason
        assert priors["stratum"].to_list() == ["F", "M", "U"]
        assert priors["is_usable"].to_list() == [True, True, False]
        assert priors["source"].to_list() == ["fitted"] * 3
        reference_prior, _ = reference_priors[reference]
        for row in priors.head(2).iter_rows(named=True):
            fitted = [row[k] for k in ("alpha1", "beta1", "alpha2", "beta2", "p")]
            np.testing.assert_allclose(fitted, reference_prior.as_array(), rtol=1e-4)
        failed = priors.row(2, named=True)
        assert failed["alpha1"] is None and failed["p"] is None
        if likelihood == "full":  # the truncated likelihood needs no N: there the two cells just do not converge
            assert failed["message"] == "no fit: cells table mixes 2 values of N: fit each stratum on its own"
        assert conn.execute("select count(*) from study_priors").fetchall() == [(3,)]


@pytest.mark.parametrize("likelihood", ["full", "truncated"])
def test_fit_stratum_priors_is_each_stratum_frames_fit_to_the_last_bit(likelihood) -> None:
    # GIVEN study_background with three strata of different cells, one of them with a quote in its name
    frames = {
        ("sex", "F"): _random_cells(seed=13),
        ("sex", "M"): _random_cells(seed=21),
        ("age_group", "it's 65+"): _random_cells(seed=34),
    }
    background = pl.concat(
        frame.with_columns(stratum_var=pl.lit(var), stratum=pl.lit(stratum)) for (var, stratum), frame in frames.items()
    )
    conn = duckdb.connect()
    conn.register("study_background", background.to_arrow())
    # WHEN the study fits every stratum (DuckDB groups each stratum's cells)
    priors = fit_stratum_priors(conn, likelihood, None)
    # THEN each prior is exactly the fit of that stratum's cells as a frame, strata in the study's order
    assert list(zip(priors["stratum_var"], priors["stratum"], strict=True)) == sorted(frames)
    for row in priors.iter_rows(named=True):
        fit = mgps.fit_from_cells(frames[(row["stratum_var"], row["stratum"])], likelihood=likelihood)
        fitted = fit.prior.as_array().tolist() if fit.usable else [None] * 5  # an unusable prior is NULL
        assert [row[k] for k in ("alpha1", "beta1", "alpha2", "beta2", "p")] == fitted
        assert (row["is_usable"], row["message"]) == (fit.usable, fit.message)


def _random_cells(seed: int = 13) -> pl.DataFrame:
    """A small drug x event table as drug_event_cells has it (nonzero cells, margins on every row)."""
    rng = np.random.default_rng(seed)
    n_drug = rng.integers(1, 60, size=40)
    n_event = rng.integers(1, 40, size=70)
    total = 3000
    expected = np.outer(n_drug, n_event) / total
    counts = rng.poisson(expected * rng.lognormal(0, 1.2, expected.shape))
    i, j = np.nonzero(counts)
    return pl.DataFrame(
        {
            "drug": [f"drug_{k}" for k in i],
            "pt": [f"pt_{k}" for k in j],
            "a": counts[i, j],
            "expected": expected[i, j],
            "n_drug": n_drug[i],
            "n_event": n_event[j],
            "n": np.full(i.size, total),
        }
    )


@pytest.mark.parametrize("likelihood", ["full", "truncated"])
def test_fit_from_relation_equals_fit_from_cells(likelihood) -> None:
    # GIVEN one cells table as a polars frame and as a DuckDB relation

    cells = _random_cells()
    conn = duckdb.connect()
    relation = conn.from_arrow(cells.to_arrow())
    # WHEN both entry points fit it (DuckDB groups the cells and margins for the relation)
    from_frame = mgps.fit_from_cells(cells, likelihood=likelihood)
    from_relation = mgps.fit_from_relation(relation, likelihood=likelihood)
    # THEN the same optimum and the same bookkeeping
    assert from_relation.neg_log_likelihood == pytest.approx(from_frame.neg_log_likelihood, rel=1e-12)
    np.testing.assert_allclose(from_relation.prior.as_array(), from_frame.prior.as_array(), rtol=1e-5)
    assert from_relation.n_cells == from_frame.n_cells == cells.height
    assert from_relation.n_zero_cells == from_frame.n_zero_cells
    if likelihood == "full":
        assert from_relation.n_zero_cells == cells["drug"].n_unique() * cells["pt"].n_unique() - cells.height
    assert mgps.fit_from_relation(relation, fixed=[0.2, 0.1, 2, 4, 0.3]).fixed
    empty = mgps.fit_from_relation(conn.from_arrow(cells.filter(pl.col("a") < 0).to_arrow()))
    assert not empty.usable and "nothing to fit" in empty.message


@pytest.mark.parametrize("seed", [13, 21, 34])
def test_zero_cells_grouped_by_duckdb_are_bitwise_the_numpy_ones(seed) -> None:
    # GIVEN cells whose margins repeat (several drugs/events share a margin, and different margin pairs
    # share a product such as 2 x 6 and 3 x 4)

    cells = _random_cells(seed=seed)
    drug = cells.select("drug", "n_drug").unique()["n_drug"].to_numpy()
    event = cells.select("pt", "n_event").unique()["n_event"].to_numpy()
    margins = mgps.Margins(drug, event, 3000.0, cells["n_drug"].to_numpy(), cells["n_event"].to_numpy())
    # WHEN fit_from_relation's SQL groups the zero cells in DuckDB
    relation = duckdb.connect().from_arrow(cells.to_arrow())
    zeros = relation.query("cells", _ZERO_CELLS_SQL).fetchnumpy()
    # THEN the same E values and counts as Margins.zero_cells, to the last bit and in the same order
    expected, weights = margins.zero_cells()
    assert np.array_equal(np.asarray(zeros["e"]), expected)
    assert np.array_equal(np.asarray(zeros["w"]), weights)
    assert np.asarray(zeros["fewest"]).min() > 0


def test_fit_from_relation_refuses_cells_that_outnumber_their_margins() -> None:
    # GIVEN a cells table listing one (drug, pt) twice: more nonzero cells than drug x pt pairs

    cells = pl.DataFrame(
        {"drug": ["d", "d"], "pt": ["p", "p"], "a": [2, 2], "expected": [0.63, 0.63]}
        | {"n_drug": [7, 7], "n_event": [9, 9], "n": [100, 100]}
    )
    relation = duckdb.connect().from_arrow(cells.to_arrow())
    # THEN the full likelihood is not fitted on it
    with pytest.raises(ValueError, match="more nonzero cells"):
        mgps.fit_from_relation(relation, likelihood="full")


def test_zero_cells_from_grouped_margins_equal_the_per_cell_ones() -> None:
    # GIVEN the nonzero cells one row each, and the same grouped by (n_drug, n_event) with a count
    cells = _random_cells(seed=21)
    drug = cells.select("drug", "n_drug").unique()["n_drug"].to_numpy()
    event = cells.select("pt", "n_event").unique()["n_event"].to_numpy()
    per_cell = mgps.Margins(drug, event, 3000.0, cells["n_drug"].to_numpy(), cells["n_event"].to_numpy())
    pairs = cells.group_by("n_drug", "n_event").len()
    grouped = mgps.Margins(
        drug, event, 3000.0, pairs["n_drug"].to_numpy(), pairs["n_event"].to_numpy(), cell_count=pairs["len"].to_numpy()
    )
    # non-integral margins take the binary-search path instead of the lookup table: same groups
    halves = mgps.Margins(drug + 0.5, event + 0.5, 3000.0, per_cell.cell_drug + 0.5, per_cell.cell_event + 0.5)
    # THEN every representation gives the same zero cells, bitwise
    e1, w1 = per_cell.zero_cells()
    e2, w2 = grouped.zero_cells()
    assert np.array_equal(e1, e2) and np.array_equal(w1, w2)
    assert w1.sum() == drug.size * event.size - cells.height
    assert np.all(np.diff(e1) > 0)  # one group per distinct E
    e3, w3 = halves.zero_cells()
    expected = np.multiply.outer(np.unique(drug + 0.5), np.unique(event + 0.5)).ravel() / 3000.0
    assert set(e3) <= set(expected) and w3.sum() == w1.sum()
    # AND a cell margin that no drug has is refused, on both paths
    for bad in (
        mgps.Margins(drug, event, 3000.0, np.array([10_000.0]), np.array([event[0]])),
        mgps.Margins(drug + 0.5, event + 0.5, 3000.0, np.array([0.25]), np.array([event[0] + 0.5])),
    ):
        with pytest.raises(ValueError, match="not among"):
            bad.zero_cells()


def test_the_parallel_objective_is_bitwise_the_serial_one(golden) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from faers.mgps.likelihood import _BLOCK_ROWS, ZeroCells

    # GIVEN the golden cells (one block), and cells and zero-cell groups of several blocks each
    rng = np.random.default_rng(5)
    n_big = rng.geometric(0.4, size=3 * _BLOCK_ROWS + 123).astype(float)
    e_big = rng.gamma(0.5, 2.0, size=n_big.size) + 1e-3
    zeros = ZeroCells(
        expected=np.sort(rng.gamma(0.3, 1.0, size=2 * _BLOCK_ROWS + 7) + 1e-4),
        weights=rng.integers(1, 9, 2 * _BLOCK_ROWS + 7).astype(float),
    )
    objectives = [
        _build_objective(*_cells(golden), likelihood="full", margins=_golden_margins(golden), weights=None),
        _build_objective(n_big, e_big, likelihood="full", margins=zeros, weights=rng.integers(1, 4, n_big.size) * 1.0),
        _build_objective(n_big, e_big, likelihood="truncated", margins=None, weights=None),
    ]
    theta = _pack(mgps.Prior(1.3, 0.7, 0.2, 0.4, 0.35))
    for objective in objectives:
        serial = objective(theta)
        # WHEN the blocks are evaluated on 1, 2 or 3 threads
        for workers in (1, 2, 3):
            objective._recent.clear()  # evaluate again, not from the objective's memory
            with ThreadPoolExecutor(max_workers=workers) as pool:
                objective.pool = pool
                parallel = objective(theta)
            objective.pool = None
            # THEN the value and the gradient are bitwise the serial ones (the shares are added in block order)
            assert parallel[0] == serial[0]
            assert np.array_equal(parallel[1], serial[1])


def test_unit_gamma_quantile_is_bitwise_gammaincinv() -> None:
    rng = np.random.default_rng(2)
    shape = rng.integers(1, 30, size=4000) + 0.37  # repeated shapes: the deduplicated path
    for prob in (np.float64(0.05), np.full(shape.size, 0.95), rng.uniform(0.01, 0.99, shape.size)):
        assert np.array_equal(mgps.unit_gamma_quantile(shape, prob), special.gammaincinv(shape, prob))


def test_mixture_quantile_converges_next_to_a_bracket_end() -> None:
    # GIVEN a posterior whose first component carries all but 2.5e-9 of the weight (a = 6, E = 0.027):
    # the quantile sits a hair below that component's own quantile, the end of the bracket. A Newton
    # step of round-off size there used to be taken for one leaving the bracket, and the bisection that
    # replaced it threw the iterate across the bracket (tens of iterations to come back).
    prior = mgps.Prior(3.7032221237772283, 0.01056804995198759, 0.5709390133078261, 2.4201994456165234, 0.00279013762)
    n, e = np.array([6.0]), np.array([0.027238333333333333])
    q = mgps.posterior_weight(n, e, prior)
    assert 0.999999 < q[0] < 1.0
    shapes = (prior.alpha1 + n, prior.beta1 + e, prior.alpha2 + n, prior.beta2 + e)
    # WHEN the quantile is solved with at most 4 iterations
    x = mgps.mixture_quantile(0.05, q, *shapes, max_iterations=4)
    # THEN it is the root of the mixture cdf to round-off
    cdf = q * special.gammainc(shapes[0], shapes[1] * x) + (1 - q) * special.gammainc(shapes[2], shapes[3] * x)
    assert abs(cdf[0] - 0.05) < 1e-14
    assert x[0] == pytest.approx(mgps.mixture_quantile(0.05, q, *shapes)[0], rel=1e-13)
