"""What the study's SQL cannot do: per-stratum MGPS priors, p-values, Fisher's exact test, Weibull fits."""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb
import numpy as np
import polars as pl
from scipy import stats

from faers import mgps
from faers.study.sql import create_temp_table
from faers.study.tto import fit_weibull

PRIOR_COLUMNS = ("alpha1", "beta1", "alpha2", "beta2", "p")


@dataclass(frozen=True)
class MartPrior:
    """The signals mart's prior (``main.mgps_prior``): values (None when not usable) and its likelihood."""

    values: tuple[float, float, float, float, float] | None
    likelihood: str
    fixed: bool = False


def mart_prior(conn: duckdb.DuckDBPyConnection) -> MartPrior | None:
    """The prior of the signals mart, or None when the mart is absent."""
    try:
        rows = conn.execute(
            "select alpha1, beta1, alpha2, beta2, p, likelihood, is_usable, fixed from mgps_prior"
        ).fetchall()
    except duckdb.CatalogException:
        return None
    if not rows:
        return None
    *values, likelihood, is_usable, fixed = rows[0]
    return MartPrior(tuple(values) if is_usable else None, str(likelihood), bool(fixed))  # type: ignore[arg-type]


def mart_adjustments(conn: duckdb.DuckDBPyConnection) -> tuple[str, str] | None:
    """The adjustments of the E the mart's prior was fitted on: (expected_strata, background_exclude_drugs)
    as mgps_prior records them, ('', '') for the crude E (None without the mart or its columns)."""
    try:
        rows = conn.execute("select expected_strata, background_exclude_drugs from mgps_prior").fetchall()
    except duckdb.Error:
        return None
    return (str(rows[0][0] or ""), str(rows[0][1] or "")) if rows else None


def overall_matches_mart(conn: duckdb.DuckDBPyConnection) -> bool:
    """True when the study's overall background (every drug's cells in the whole population, study_background)
    is exactly the mart's drug_event_cells (same counts, same N): then the overall prior is the mart's.
    """
    try:
        query = "select count(*), sum(a), max(n) from drug_event_cells where a >= 1"
        mart = conn.execute(query).fetchall()[0]
    except duckdb.CatalogException:
        return False
    query = "select count(*), sum(a), max(n) from study_background where stratum_var = 'overall'"
    study = conn.execute(query).fetchall()[0]
    return tuple(mart) == tuple(study)


def fit_stratum_priors(
    conn: duckdb.DuckDBPyConnection,
    likelihood: mgps.Likelihood,
    mart: MartPrior | None,
    fixed: tuple[float, ...] | None = None,
) -> pl.DataFrame:
    """The MGPS prior of every stratum, fitted on all its cells (temp table ``study_background``); written to temp
    table ``study_priors``.

    The fit is the signals mart's own (``faers.mgps.fit_from_relation``, same likelihood): DuckDB groups each
    stratum's cells and margins, so only those aggregates reach Python, never the cells of every drug (the
    same arrays as ``fit_from_cells`` on the stratum's frame, so the same prior). ``mart``: the
    overall stratum takes the mart's prior instead of a refit (when the study population equals the
    mart's). A prior that is not usable (no convergence, or a boundary optimum) is NULL, so that its EBGM,
    EB05 and EB95 are NULL rather than wrong, as in the signals mart. A stratum the fit cannot take (it
    raises ValueError, e.g. too few cells) gets a NULL prior and the reason in ``message``: the other strata
    are still fitted.
    """
    strata = conn.execute(
        "select distinct stratum_var, stratum from study_background"
        if fixed is None  # a fixed prior needs no background: the study's populations are its margins' (and cells')
        else "select stratum_var, stratum from study_margins union select stratum_var, stratum from study_cells"
    ).fetchall()
    rows = []
    for stratum_var, stratum in sorted(strata, key=lambda key: (key[0] != "overall", key)):
        if fixed is not None:
            values, source, usable, message, used = list(fixed), "study file mgps_prior", True, "", "fixed"
        elif stratum_var == "overall" and mart is not None:
            values, source, usable, message = mart.values, "mgps_prior mart", mart.values is not None, ""
            used = mart.likelihood
        else:
            source, used = "fitted", likelihood
            try:
                fit = mgps.fit_from_relation(_stratum_cells(conn, stratum_var, stratum), likelihood=likelihood)
            except ValueError as error:  # a stratum the fit cannot take (e.g. too small): NULL prior, not fatal
                values, usable, message = None, False, f"no fit: {error}"
            else:
                values = fit.prior.as_array().tolist() if fit.usable else None
                usable, message = fit.usable, fit.message
        rows.append(
            {
                "stratum_var": stratum_var,
                "stratum": stratum,
                **dict(zip(PRIOR_COLUMNS, values or [None] * 5, strict=True)),
                "likelihood": used,
                "source": source,
                "is_usable": usable,
                "message": message,
            }
        )
    schema = {"stratum_var": pl.String, "stratum": pl.String} | dict.fromkeys(PRIOR_COLUMNS, pl.Float64)
    schema |= {"likelihood": pl.String, "source": pl.String, "is_usable": pl.Boolean, "message": pl.String}
    priors = pl.DataFrame(rows, schema=schema)
    create_temp_table(conn, "study_priors", priors)
    return priors


def _stratum_cells(conn: duckdb.DuckDBPyConnection, stratum_var: str, stratum: str) -> duckdb.DuckDBPyRelation:
    """The cells of one stratum of study_background as a DuckDB relation (the fit groups them in SQL)."""
    return conn.sql(
        "select drug, pt, a, expected, n_drug, n_event, n from study_background "
        f"where stratum_var = {_sql_string(stratum_var)} and stratum = {_sql_string(stratum)}"
    )


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def two_sided_p(z: pl.Series) -> pl.Series:
    """Two-sided normal p-value of z statistics (NULL stays NULL)."""
    values = z.cast(pl.Float64).to_numpy()
    return pl.Series(z.name, 2 * stats.norm.sf(np.abs(values)), dtype=pl.Float64).fill_nan(None)


def seriousness_test(
    serious_female: int, non_serious_female: int, serious_male: int, non_serious_male: int
) -> tuple[str | None, float | None, float | None]:
    """Sex x seriousness 2x2 test: (test, statistic, p-value).

    Pearson's chi-square (no continuity correction) when every expected count is >= 5, else Fisher's
    exact test (statistic: the sample odds ratio). (None, None, None) when a margin is zero.
    """
    table = np.array([[serious_female, non_serious_female], [serious_male, non_serious_male]], dtype=float)
    if np.any(table.sum(axis=0) == 0) or np.any(table.sum(axis=1) == 0):
        return None, None, None
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    if np.any(expected < 5):
        odds_ratio, p_value = stats.fisher_exact(table.astype(int))
        return "fisher", _finite(odds_ratio), float(p_value)
    chi2, p_value, _, _ = stats.chi2_contingency(table, correction=False)
    return "chi2", float(chi2), float(p_value)


def with_two_by_two_tests(frame: pl.DataFrame, cells: tuple[str, str, str, str]) -> pl.DataFrame:
    """Add test, statistic and p_value of each row's 2x2 table (columns ``cells`` = a, b, c, d; rows of
    the table (a, b) and (c, d)) by :func:`seriousness_test`: chi-square, or Fisher's exact test when an
    expected count is below 5."""
    results = [seriousness_test(*(row[c] for c in cells)) for row in frame.iter_rows(named=True)]
    return frame.with_columns(
        pl.Series("test", [r[0] for r in results], dtype=pl.String),
        pl.Series("statistic", [r[1] for r in results], dtype=pl.Float64),
        pl.Series("p_value", [r[2] for r in results], dtype=pl.Float64),
    )


SERIOUS_CHARACTERISTIC_ORDER = (
    "sex", "age_group", "age_years", "weight_band", "weight_kg", "reporter", "reporter_country",
)  # fmt: skip


def serious_characteristics_p_values(rows: pl.DataFrame) -> pl.DataFrame:
    """Table 5's p-values from the statistics the SQL computed (study_serious_characteristics): chi2 from
    the chi-square distribution with its df, except a 2x2 table with an expected count below 5, which gets
    Fisher's exact test ('fisher'); mann_whitney from the normal z. One p-value per variable, on each of
    its rows."""
    p_values: list[float | None] = []
    tests: list[str | None] = []
    statistics: list[float | None] = []
    by_variable = {key[0]: frame for key, frame in rows.group_by(["variable"])}
    for row in rows.iter_rows(named=True):
        test, statistic, p_value = row["test"], row["statistic"], None
        if test == "chi2" and row["df"] == 1 and row["min_expected"] is not None and row["min_expected"] < 5:
            levels = by_variable[row["variable"]].sort("level")
            table = np.array([levels["serious_n"].to_list(), levels["non_serious_n"].to_list()], dtype=int)
            odds_ratio, p_value = stats.fisher_exact(table)
            test, statistic = "fisher", _finite(odds_ratio)
        elif test == "chi2" and statistic is not None:
            p_value = float(stats.chi2.sf(statistic, row["df"]))
        elif test == "mann_whitney" and row["z"] is not None:
            p_value = float(min(1.0, 2 * stats.norm.sf(row["z"])))
        tests.append(test)
        statistics.append(statistic)
        p_values.append(p_value)
    order = {v: i for i, v in enumerate(SERIOUS_CHARACTERISTIC_ORDER)}
    return (
        rows.with_columns(
            pl.Series("test", tests, dtype=pl.String),
            pl.Series("statistic", statistics, dtype=pl.Float64),
            pl.Series("p_value", p_values, dtype=pl.Float64),
            pl.col("variable").replace_strict(order, default=len(order)).alias("_order"),
        )
        .sort(["_order", pl.col("serious_n") + pl.col("non_serious_n"), "level"], descending=[False, True, False])
        .select(
            "variable", "level", "serious_n", "serious_percent", "non_serious_n", "non_serious_percent",
            "serious_median", "serious_q1", "serious_q3", "non_serious_median", "non_serious_q1",
            "non_serious_q3", "test", "statistic", "df", "p_value",
        )
    )  # fmt: skip


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


WEIBULL_COLUMNS = {
    "weibull_shape": "shape",
    "weibull_shape_lower": "shape_lower",
    "weibull_shape_upper": "shape_upper",
    "weibull_scale": "scale",
    "weibull_scale_lower": "scale_lower",
    "weibull_scale_upper": "scale_upper",
}


def weibull_columns(tto: pl.DataFrame, summary: pl.DataFrame, min_cases: int) -> pl.DataFrame:
    """Add the Weibull fit (shape, scale, 95% CIs, interpretation) to each ``tto_summary`` row.

    'ALL' is fitted on each report once; a PT is fitted from ``min_cases`` reports on (else NULLs).
    """
    rows = []
    for pt in summary["pt"].to_list():
        onsets = tto.unique("primary_id") if pt == "ALL" else tto.filter(pl.col("pt") == pt)
        days = onsets["tto_days"].to_numpy()
        fit = fit_weibull(days) if (pt == "ALL" or days.size >= min_cases) else None
        row: dict[str, object] = {"pt": pt, "interpretation": fit.interpretation if fit else None}
        for column, attribute in WEIBULL_COLUMNS.items():
            value = getattr(fit, attribute) if fit else None
            row[column] = None if value is None or math.isnan(value) else value
        rows.append(row)
    schema = {"pt": pl.String, "interpretation": pl.String} | dict.fromkeys(WEIBULL_COLUMNS, pl.Float64)
    return summary.join(pl.DataFrame(rows, schema=schema), on="pt", how="left")
