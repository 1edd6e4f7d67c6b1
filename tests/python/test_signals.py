"""Signal statistics: the DuckDB UDFs, the dbt plugin, and the signals marts built from the sample."""

from __future__ import annotations

import math
import shutil
import time
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa
import pytest
import yaml
from scipy import special, stats

from faers import mgps, udfs
from faers.mgps import tables
from loaders.paths import PROJECT_DIR

REFERENCE = Path(__file__).resolve().parents[2] / "seeds" / "reference"


def _contract_columns(model: str) -> list[str]:
    """The columns of a mart's enforced contract, in order (models/marts/signals/_signals__models.yml)."""
    spec = yaml.safe_load((PROJECT_DIR / "models" / "marts" / "signals" / "_signals__models.yml").read_text())
    node = next(m for m in spec["models"] if m["name"] == model)
    assert node["config"]["contract"]["enforced"], model
    return [column["name"] for column in node["columns"]]


Z = 1.959963984540054


# ---------------------------------------------------------------------------------------------- UDFs


@pytest.fixture
def conn() -> duckdb.DuckDBPyConnection:
    return udfs.connect()


def test_gamma_quantile_matches_scipy_and_the_golden_ic_limits(conn) -> None:
    golden = pl.read_csv(REFERENCE / "signals_reference.csv")
    conn.register("golden", golden.to_arrow())
    got = conn.execute(
        "select log2(gamma_quantile(0.025, a + 0.5, E + 0.5)), log2(gamma_quantile(0.975, a + 0.5, E + 0.5)) "
        "from golden"
    ).fetchnumpy()
    values = list(got.values())
    np.testing.assert_allclose(values[0], golden["IC025"].to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(values[1], golden["IC975"].to_numpy(), rtol=1e-9)
    (q,) = conn.execute("select gamma_quantile(0.3, 2.5, 4.0)").fetchone()
    assert q == pytest.approx(stats.gamma.ppf(0.3, 2.5, scale=1 / 4.0), rel=1e-12)


def test_udfs_turn_null_nan_and_poles_into_null(conn) -> None:
    row = conn.execute(
        "select digamma(NULL), digamma(0.0), digamma('nan'::double), gamma_quantile(1.5, 2, 1), "
        "gamma_quantile(0.5, -1, 1), trigamma(1.0), digamma(1.0), "
        "mgps_quantile(0.05, 1, 1, NULL, 1, 1, 1, 0.5), mgps_qn(1, 1, 1, 1, 1, 1, 0.5)"
    ).fetchone()
    assert row[:5] == (None, None, None, None, None)
    assert row[5] == pytest.approx(math.pi**2 / 6, rel=1e-14)
    assert row[6] == pytest.approx(-np.euler_gamma, rel=1e-14)
    assert row[7] is None
    assert row[8] == pytest.approx(0.5, rel=1e-14)  # identical components: Qn = p


def test_mgps_quantile_udf_matches_the_golden_posterior(conn) -> None:
    golden = pl.read_csv(REFERENCE / "signals_reference.csv")
    priors = pl.read_csv(REFERENCE / "mgps_priors_reference.csv").filter(pl.col("fit") == "pvref_trunc_Nstar1")
    conn.register("golden", golden.to_arrow())
    conn.register("priors", priors.to_arrow())
    got = conn.execute(
        "select mgps_quantile(0.05, a, E, alpha1, beta1, alpha2, beta2, P), "
        "mgps_quantile(0.95, a, E, alpha1, beta1, alpha2, beta2, P), "
        "mgps_qn(a, E, alpha1, beta1, alpha2, beta2, P) from golden cross join priors"
    ).fetchnumpy()
    eb05, eb95, qn = got.values()
    np.testing.assert_allclose(eb05, golden["EB05_trunc"].to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(eb95, golden["EB95_trunc"].to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(qn, golden["Qn_trunc"].to_numpy(), rtol=1e-8)


def test_signal_udf_stats_with_one_prior_is_bitwise_the_per_row_computation(monkeypatch) -> None:
    # GIVEN FAERS-like cells (integral counts, a few NULLs) and one prior on every row
    import pyarrow as pa

    rng = np.random.default_rng(17)
    size = 6000
    n = rng.integers(1, 500, size).astype(float)
    e = rng.lognormal(-1.0, 2.0, size)
    n[:3] = np.nan
    prior = [4.18, 0.011, 0.61, 2.78, 0.0027]
    columns = [pa.array(n, mask=np.isnan(n)), pa.array(e)] + [pa.array(np.full(size, v)) for v in prior]
    # WHEN the struct UDF runs with its per-count tables, and with them switched off (the per-row path)
    tabulated = udfs.signal_udf_stats(*columns)
    monkeypatch.setattr(udfs, "_constant", lambda values: None)
    monkeypatch.setattr(tables, "of_counts", lambda function, offset, n, *args: function(offset + n, *args))
    per_row = udfs.signal_udf_stats(*columns)
    # THEN every field is the same to the last bit (NULL where the count is NULL)
    for field in udfs.SIGNAL_UDF_STATS_TYPE.split("(", 1)[1].rstrip(")").split(","):
        name = field.split()[0]
        got, want = (s.field(name).to_numpy(zero_copy_only=False) for s in (tabulated, per_row))
        np.testing.assert_array_equal(got, want)
        assert np.isnan(got[:3]).all() and np.isfinite(got[3:]).all()


def test_the_batch_udf_is_bitwise_the_struct_udf_row_by_row(monkeypatch) -> None:
    # GIVEN lists of (a, expected) of several sizes (one empty, one NULL), each row with its own prior (one NULL:
    # no usable prior), and slices of 500 rows so that one call runs several slices on the thread pool
    monkeypatch.setattr(udfs, "BATCH_SLICE_ROWS", 500)
    rng = np.random.default_rng(23)
    sizes = [1800, 0, 7, 2600, 1]
    priors = [
        [4.18, 0.011, 0.61, 2.78, 0.0027],
        [0.2, 0.1, 2.0, 4.0, 0.3],
        [None] * 5,
        [0.06, 0.0034, 10.6, 14.4, 0.02],
    ]
    priors.append(priors[0])
    conn = duckdb.connect()
    udfs.register(conn)
    rows = []
    for row, (size, prior) in enumerate(zip(sizes, priors, strict=True)):
        counts = [
            {"a": float(a), "expected": float(e)}
            for a, e in zip(rng.integers(1, 300, size), rng.lognormal(-1, 2, size), strict=True)
        ]
        rows.append((row, None if row == 4 else counts, *prior))
    conn.execute(
        f"create table batches (row_id integer, counts {udfs.COUNTS_TYPE}, alpha1 double, beta1 double, "
        "alpha2 double, beta2 double, p double)"
    )
    conn.executemany("insert into batches values (?, ?, ?, ?, ?, ?, ?)", rows)
    # WHEN the batch UDF runs on each list, and the struct UDF on each (a, expected) with its row's prior
    batched = conn.execute(
        "select row_id, unnest(counts) as pair, unnest(signal_udf_stats_batch(counts, alpha1, beta1, alpha2, beta2, p))"
        " as stats from batches"
    ).fetchall()
    (null_list,) = conn.execute(
        "select signal_udf_stats_batch(counts, alpha1, beta1, alpha2, beta2, p) from batches where row_id = 4"
    ).fetchone()
    one_by_one = conn.execute(
        "select row_id, pair, signal_udf_stats(pair.a, pair.expected, alpha1, beta1, alpha2, beta2, p)"
        " from (select row_id, unnest(counts) as pair, alpha1, beta1, alpha2, beta2, p from batches)"
    ).fetchall()
    # THEN every pair comes back with the struct UDF's values of its row to the last bit
    assert len(batched) == sum(sizes[:4]) and null_list is None
    assert sorted(batched, key=repr) == sorted(one_by_one, key=repr)
    assert [stats["eb05"] is None for row, _, stats in batched if row == 2] == [True] * 7
    assert all(stats["eb05"] is not None for row, _, stats in batched if row != 2)


def test_register_is_idempotent_and_vectorised(conn) -> None:
    udfs.register(conn)
    udfs.register(conn)
    (total,) = conn.execute("select sum(digamma(i::double + 1)) from range(100000) t(i)").fetchone()
    assert total == pytest.approx(float(np.sum(special.digamma(np.arange(1, 100001)))), rel=1e-12)


def test_duckdb_threads_call_a_udf_one_at_a_time(monkeypatch) -> None:
    # GIVEN a probe UDF that sleeps (releasing the GIL, as numpy's kernels do) and counts the calls under way
    under_way, most = [0], [0]

    def probe(x: pa.Array) -> pa.Array:
        under_way[0] += 1
        most[0] = max(most[0], under_way[0])
        time.sleep(0.002)
        under_way[0] -= 1
        return x

    monkeypatch.setattr(udfs, "_UDFS", (("probe", probe, ["DOUBLE"]),))
    conn = duckdb.connect()
    conn.execute("set threads = 2")
    conn.execute("create table t as select i::double as x from range(1000000) t(i)")
    udfs.register(conn)
    # WHEN DuckDB's two threads run it over a table of several row groups
    (total,) = conn.execute("select sum(probe(x)) from t").fetchone()
    # THEN every row went through it, and never two calls at once
    assert total == 999999 * 1000000 / 2
    assert most[0] == 1


def test_dbt_plugin_registers_the_udfs() -> None:
    from faers.dbt_plugin import Plugin

    conn = duckdb.connect()
    Plugin("faers.dbt_plugin", {}).configure_connection(conn)
    (value,) = conn.execute("select gamma_quantile(0.5, 1.0, 1.0)").fetchone()
    assert value == pytest.approx(math.log(2), rel=1e-12)


# ------------------------------------------------------------------------------- marts (end to end)


@pytest.fixture(scope="module")
def marts(built_warehouse) -> dict[str, pl.DataFrame]:
    with duckdb.connect(str(built_warehouse.db_path), read_only=True) as db:
        return {
            name: pl.from_arrow(db.sql(f"select * from main.{name}").to_arrow_table())  # type: ignore[misc]
            for name in ("drug_event_cells", "mgps_prior", "signals")
        }


@pytest.mark.slow
def test_cells_match_the_generator_truth(built_warehouse, marts) -> None:
    truth = built_warehouse.truth["signals"]
    cells = marts["drug_event_cells"]
    assert cells["n"].unique().to_list() == [truth["n_reports"]]
    drug_margins = dict(cells.select("drug", "n_drug").unique().iter_rows())
    assert drug_margins == truth["drug_reports"]
    event_margins = dict(cells.select("pt", "n_event").unique().iter_rows())
    assert event_margins == truth["event_reports"]
    counted = {(drug, pt): a for drug, pt, a in cells.select("drug", "pt", "a").iter_rows()}
    for drug, per_pt in truth["cells"].items():
        assert {pt: counted[(drug, pt)] for pt in per_pt} == per_pt
        assert {pt for (d, pt) in counted if d == drug} == set(per_pt)
    assert (cells["a"] + cells["b"] + cells["c"] + cells["d"] == cells["n"]).all()


@pytest.mark.slow
def test_signals_mart_has_the_contract_columns_and_one_usable_prior(marts) -> None:
    assert marts["signals"].columns == _contract_columns("signals")
    for column in ("ror", "prr", "chi2", "ic025", "eb05", "n_methods"):
        assert column in marts["signals"].columns
    prior = marts["mgps_prior"]
    assert prior.height == 1
    assert prior["is_usable"][0] and prior["likelihood"][0] == "full"
    assert marts["signals"].height == marts["drug_event_cells"].height


@pytest.mark.slow
def test_signals_statistics_equal_an_independent_numpy_computation(marts) -> None:
    s = marts["signals"]
    a, b, c, d, e = (s[k].cast(pl.Float64).to_numpy() for k in ("a", "b", "c", "d", "expected"))
    with np.errstate(divide="ignore", invalid="ignore"):
        ror = np.where(b * c > 0, a * d / (b * c), np.nan)
        prr = np.where(c > 0, a / (a + b) / (c / (c + d)), np.nan)
        n = a + b + c + d
        yates = np.maximum(np.abs(a * d - b * c) - n / 2, 0)
        chi2 = n * yates**2 / ((a + b) * (c + d) * (a + c) * (b + d))
        ror_lower = np.exp(np.log(ror) - Z * np.sqrt(1 / a + 1 / b + 1 / c + 1 / d))
    ic025 = np.log2(special.gammaincinv(a + 0.5, 0.025) / (e + 0.5))

    def close(column: str, expected: np.ndarray, rtol: float) -> None:
        got = s[column].to_numpy().astype(float)
        defined = np.isfinite(expected)
        assert np.array_equal(np.isnan(got), ~defined), column  # NULL exactly where undefined
        np.testing.assert_allclose(got[defined], expected[defined], rtol=rtol, err_msg=column)

    close("ror", ror, 1e-12)
    close("ror_lower", ror_lower, 1e-12)
    close("prr", prr, 1e-12)
    close("chi2", chi2, 1e-12)
    close("ic", np.log2((a + 0.5) / (e + 0.5)), 1e-12)
    close("ic025", ic025, 1e-9)
    row = marts["mgps_prior"].row(0, named=True)
    prior = mgps.Prior(row["alpha1"], row["beta1"], row["alpha2"], row["beta2"], row["p"])
    close("ebgm", mgps.ebgm(a, e, prior), 1e-9)
    close("eb05", mgps.posterior_quantile(0.05, a, e, prior), 1e-8)


@pytest.mark.slow
def test_flags_follow_the_default_thresholds_and_planted_signals_are_found(built_warehouse, marts) -> None:
    s = marts["signals"].with_columns(pl.col(pl.Float64).fill_nan(None))
    expected = s.select(
        ror=((pl.col("a") >= 3) & (pl.col("ror_lower") > 1)).fill_null(False),
        prr=((pl.col("a") >= 3) & (pl.col("prr") >= 2) & (pl.col("chi2") >= 4)).fill_null(False),
        ic=(pl.col("ic025") > 0).fill_null(False),
        ebgm=(pl.col("eb05") >= 2).fill_null(False),
    )
    for method in ("ror", "prr", "ic", "ebgm"):
        assert (s[f"{method}_signal"] == expected[method]).all(), method
    assert (s["n_methods"] == sum(expected[m].cast(pl.Int32) for m in ("ror", "prr", "ic", "ebgm"))).all()
    planted = built_warehouse.truth["signals"]["planted_pairs"]
    found = s.filter(pl.col("n_methods") == 4).select("drug", "pt").rows()
    for pair in planted:
        assert (pair["drug"], pair["pt"]) in found, pair


@pytest.mark.slow
def test_given_prior_skips_the_fit_and_an_unusable_prior_publishes_no_ebgm(built_warehouse, tmp_path: Path) -> None:
    from faers.dbt import run_dbt

    db_path = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse.db_path, db_path)
    given = [4.34517277063726, 5.06144832983206, 0.0172037774096705, 0.0581314932419083, 0.889136856024814]
    # GIVEN var mgps_prior WHEN the prior and the signals are rebuilt THEN no fit, and EBGM uses that prior
    run_dbt(["run", "--select", "mgps_prior_fit mgps_prior signals"], db_path=db_path, dbt_vars={"mgps_prior": given})
    with duckdb.connect(str(db_path), read_only=True) as db:
        prior = db.execute("select fixed, is_usable, likelihood, alpha1 from main.mgps_prior").fetchone()
        a, e, ebgm = db.execute("select a, expected, ebgm from main.signals").fetchnumpy().values()
    assert prior == (True, True, "fixed", given[0])
    np.testing.assert_allclose(ebgm, mgps.ebgm(a, e, mgps.Prior.from_sequence(given)), rtol=1e-9)

    # GIVEN a prior marked unusable WHEN signals is rebuilt THEN EBGM is NULL, the flag false, the log warns
    with duckdb.connect(str(db_path)) as db:
        db.execute("update main.mgps_prior set is_usable = false, message = 'test: boundary'")
    # its own log file: the shared logs/dbt.log rotates at 10 MB during a full test run
    run_dbt(["run", "--select", "signals", "--log-path", str(tmp_path)], db_path=db_path)
    with duckdb.connect(str(db_path), read_only=True) as db:
        counts = db.execute(
            "select count(ebgm), count(eb05), count(eb95), count(*) filter (where ebgm_signal), "
            "count(ic025) from main.signals"
        ).fetchone()
    assert counts[:4] == (0, 0, 0, 0)
    assert counts[4] > 0
    log = (tmp_path / "dbt.log").read_text()
    assert "is not usable: test: boundary" in log

    # GIVEN the published-paper variants WHEN signals is rebuilt THEN the mart carries their formulas
    run_dbt(
        ["run", "--select", "signals"],
        db_path=db_path,
        dbt_vars={"ic_variant": "table2", "ebgm_variant": "table2", "chi2_yates": False},
    )
    with duckdb.connect(str(db_path), read_only=True) as db:
        got = db.sql("select a, b, c, d, expected, ic, ic025, ebgm, eb05, chi2 from main.signals").pl()
    a, b, c, d, e = (got[k].cast(pl.Float64).to_numpy() for k in ("a", "b", "c", "d", "expected"))
    se = np.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    np.testing.assert_allclose(got["ebgm"].to_numpy(), a / e, rtol=1e-12)
    np.testing.assert_allclose(got["eb05"].to_numpy(), np.exp(np.log(a / e) - 1.64 * se), rtol=1e-12)
    np.testing.assert_allclose(got["ic"].to_numpy(), np.log2(a / e), rtol=1e-12, atol=1e-15)
    positive = np.log2(a / e) > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        table2_ic025 = np.exp(np.log(np.log2(a / e)) - Z * se)
    np.testing.assert_allclose(got["ic025"].to_numpy()[positive], table2_ic025[positive], rtol=1e-12)
    assert got["ic025"].filter(pl.Series(~positive)).null_count() == int((~positive).sum())
    n = a + b + c + d
    pearson = n * (a * d - b * c) ** 2 / ((a + b) * (c + d) * (a + c) * (b + d))
    np.testing.assert_allclose(got["chi2"].to_numpy(), pearson, rtol=1e-12)
