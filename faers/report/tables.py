"""The report's HTML tables as plain rows for the template: each cell carries its text and a sort key."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from faers.report.figures import STRATUM_LABELS, _fmt, _num, format_p


@dataclass(frozen=True)
class Cell:
    """One table cell: ``text`` is shown, ``key`` sorts (numbers sort numerically in the browser)."""

    text: str
    key: str | float | None = None
    bold: bool = False


@dataclass(frozen=True)
class Table:
    """A table for the template: header and rows of cells; ``sortable`` adds click-to-sort headers."""

    table_id: str
    header: list[str]
    rows: list[list[Cell]]
    sortable: bool = False
    numeric: tuple[int, ...] = ()
    """Indexes of the numeric columns (right-aligned, sorted as numbers)."""


def _interval(estimate: object, lower: object, upper: object) -> Cell:
    """'1.23 (0.98–1.55)'; the estimate alone without bounds, a dash without an estimate."""
    if _num(estimate) is None:
        return Cell("–")
    if _num(lower) is None and _num(upper) is None:
        return Cell(_fmt(estimate), _num(estimate))
    return Cell(f"{_fmt(estimate)} ({_fmt(lower)}–{_fmt(upper)})", _num(estimate))


def signals_table(signals: pl.DataFrame) -> Table:
    """Every PT of the drug (in scope): counts, the four methods with their intervals and flags."""
    rows = []
    ordered = signals.filter(pl.col("in_scope")).sort(["n_methods", "ror"], descending=True, nulls_last=True)
    for row in ordered.iter_rows(named=True):
        flags = " ".join(
            label for label, flag in (("ROR", "ror_signal"), ("PRR", "prr_signal"), ("IC", "ic_signal"),
                                      ("EBGM", "ebgm_signal")) if row[flag]
        )  # fmt: skip
        rows.append(
            [
                Cell(row["pt"], row["pt"], bold=bool(row["positive_all"])),
                Cell(str(row["a"]), row["a"]),
                Cell(_fmt(row["expected"]), _num(row["expected"])),
                _interval(row["ror"], row["ror_lower"], row["ror_upper"]),
                _interval(row["prr"], row["prr_lower"], row["prr_upper"]),
                Cell(_fmt(row["chi2"]), _num(row["chi2"])),
                _interval(row["ic"], row["ic025"], row["ic975"]),
                _interval(row["ebgm"], row["eb05"], row["eb95"]),
                Cell(f"{row['n_methods']} {('· ' + flags) if flags else ''}".strip(), row["n_methods"]),
            ]
        )
        if "indication_bias" in row:
            n = row["n_as_indication"] or 0
            rows[-1].append(Cell(f"yes: {n} report(s)" if row["indication_bias"] else "", n, bold=bool(n)))
    header = ["PT", "a", "E", "ROR (95% CI)", "PRR (95% CI)", "χ²", "IC (IC025–IC975)", "EBGM (EB05–EB95)",
              "Methods positive"]  # fmt: skip
    if "indication_bias" in signals.columns:
        header.append("Also the drug's indication")
    return Table("signals-table", header, rows, sortable=True, numeric=tuple(range(1, len(header))))


TEST_NAMES = {
    "chi2": "Pearson χ²",
    "fisher": "Fisher's exact",
    "mann_whitney": "Mann-Whitney U",
}
"""How each test of the study tables is named in the report."""


def _test_cell(test: object, p_value: object) -> Cell:
    if test is None:
        return Cell("–")
    return Cell(f"{format_p(p_value)} ({TEST_NAMES.get(str(test), str(test))})", _num(p_value))


def sex_within_drug_table(within: pl.DataFrame, pts: list[str]) -> Table:
    """Women vs men among the drug's reports, per PT of the forest plot: counts, ROR (95% CI), test."""
    rows = []
    for row in within.filter(pl.col("pt").is_in(pts)).iter_rows(named=True):
        rows.append(
            [
                Cell(row["pt"], row["pt"]),
                Cell(str(row["female_with_pt"]), row["female_with_pt"]),
                Cell(str(row["male_with_pt"]), row["male_with_pt"]),
                _interval(row["ror_female_vs_male"], row["ror_female_vs_male_lower"], row["ror_female_vs_male_upper"]),
                _test_cell(row["test"], row["p_value"]),
            ]
        )
    header = ["PT", "Women", "Men", "ROR women vs men (95% CI)", "p (test)"]
    return Table("sex-within-drug-table", header, rows, sortable=True, numeric=(1, 2, 3, 4))


SERIOUS_TITLES = {
    "sex": "Sex",
    "age_group": "Age group",
    "age_years": "Age (years)",
    "weight_band": "Weight",
    "weight_kg": "Weight (kg)",
    "reporter": "Reporter",
    "reporter_country": "Reporter country",
}


def serious_characteristics_table(table: pl.DataFrame) -> Table:
    """Table 5: serious and non-serious reports side by side; each variable's test on its title row."""
    rows: list[list[Cell]] = []
    for variable in table["variable"].unique(maintain_order=True).to_list():
        part = table.filter(pl.col("variable") == variable)
        first = part.row(0, named=True)
        title = SERIOUS_TITLES.get(variable, variable.replace("_", " ").capitalize())
        rows.append([Cell(title, bold=True), Cell(""), Cell(""), _test_cell(first["test"], first["p_value"])])
        for row in part.iter_rows(named=True):
            if row["serious_median"] is not None or row["non_serious_median"] is not None:
                cells = [
                    Cell(f"{_fmt(row[f'{g}_median'], 1)} [{_fmt(row[f'{g}_q1'], 1)}–{_fmt(row[f'{g}_q3'], 1)}]"
                         f" (n {row[f'{g}_n']})", _num(row[f"{g}_median"]))
                    for g in ("serious", "non_serious")
                ]  # fmt: skip
            else:
                cells = [
                    Cell(f"{row[f'{g}_n']} ({_fmt(row[f'{g}_percent'], 1)}%)", row[f"{g}_n"])
                    for g in ("serious", "non_serious")
                ]
            level = str(row["level"])
            label = LEVEL_LABELS.get(variable, {}).get(level) or STRATUM_LABELS.get(level, level)
            rows.append([Cell(f"\u2003{label}"), *cells, Cell("")])
    header = ["Characteristic", "Serious n (%) / median [IQR]", "Non-serious n (%) / median [IQR]", "p (test)"]
    return Table("serious-characteristics-table", header, rows, numeric=(1, 2, 3))


def settings_table(settings: pl.DataFrame) -> Table:
    """Every setting the study ran with, and whether the study file or the default set it."""
    rows = [
        [Cell(row["setting"], row["setting"]), Cell(str(row["value"])), Cell(row["source"], row["source"])]
        for row in settings.iter_rows(named=True)
    ]
    return Table("settings-table", ["Setting", "Value", "Set by"], rows, sortable=True)


def co_suspects_table(co_suspects: pl.DataFrame) -> Table:
    """The top co-suspect ingredients of each positive PT (study table co_suspects)."""
    rows = [
        [
            Cell(row["pt"], row["pt"]),
            Cell(str(row["rank"]), float(row["rank"])),
            Cell(row["co_suspect"], row["co_suspect"]),
            Cell(f"{row['reports']:,} of {row['pt_reports']:,}", float(row["reports"])),
            Cell(f"{100 * row['share']:.1f}%", row["share"]),
        ]
        for row in co_suspects.iter_rows(named=True)
    ]
    return Table("co-suspects-table", ["PT", "Rank", "Co-suspect", "Reports with it", "Share"], rows, sortable=True)


VARIABLE_TITLES = {
    "sex": "Sex",
    "age_group": "Age group",
    "weight_band": "Weight",
    "seriousness": "Seriousness",
    "outcome": "Outcome",
    "reporter_country": "Reporter country",
    "occr_country": "Country of occurrence",
    "country": "Country",
    "occp_cod": "Reporter occupation",
    "indication": "Indication (for the drug)",
}
"""Characteristics in the order the table shows them, with their titles."""

LEVEL_LABELS = {
    "occp_cod": {"MD": "physician", "PH": "pharmacist", "OT": "other health professional", "LW": "lawyer",
                 "CN": "consumer", "HP": "health professional"},
    "outcome": {"DE": "death", "LT": "life-threatening", "HO": "hospitalization", "DS": "disability",
                "CA": "congenital anomaly", "RI": "required intervention", "OT": "other serious"},
}  # fmt: skip
"""FAERS code lists (ASC_NTS) shown with their meaning."""


def characteristics_table(characteristics: pl.DataFrame, *, top_levels: int = 10) -> Table:
    """Table 1: n (%) per level for each population side by side, with the missing count per variable.
    Variables with many levels (countries) keep their ``top_levels`` most frequent levels."""
    populations = sorted(characteristics["population"].unique().to_list(), key=lambda p: (p != "all", p))
    header = ["Characteristic", *(f"{_population_title(p)} n (%)" for p in populations)]
    rows: list[list[Cell]] = []
    present = characteristics["variable"].unique().to_list()
    ordered = [v for v in VARIABLE_TITLES if v in present] + sorted(set(present) - set(VARIABLE_TITLES))
    for name in ordered:
        part = characteristics.filter(pl.col("variable") == name)
        levels = (  # a variable without any value has one row of NULL level (its missing count): no level row
            part.filter(pl.col("level").is_not_null())
            .group_by("level", maintain_order=True)
            .agg(pl.col("n").max().alias("rank"))
            .sort("rank", descending=True)
            .head(top_levels)["level"]
            .to_list()
        )
        missing = [part.filter(pl.col("population") == p)["missing"].max() for p in populations]
        rows.append(
            [Cell(VARIABLE_TITLES.get(name, name.replace("_", " ").capitalize()), bold=True)]
            + [Cell(f"missing {m}" if m else "", m) for m in missing]
        )
        for level in _level_order(name, levels):
            label = LEVEL_LABELS.get(name, {}).get(str(level)) or STRATUM_LABELS.get(str(level), str(level))
            cells = [Cell(f"\u2003{label}")]
            for population in populations:
                hit = part.filter((pl.col("population") == population) & (pl.col("level") == level))
                if hit.height:
                    cells.append(Cell(f"{hit['n'][0]} ({_fmt(hit['percent'][0], 1)}%)", hit["n"][0]))
                else:
                    cells.append(Cell("–"))
            rows.append(cells)
    return Table("characteristics-table", header, rows, numeric=tuple(range(1, len(header))))


def _level_order(variable: str, levels: list[object]) -> list[object]:
    from faers.report.figures import STRATUM_ORDER

    known = STRATUM_ORDER.get(variable)
    if not known:
        return levels
    return [level for level in known if level in levels] + [level for level in levels if level not in known]


def _population_title(population: str) -> str:
    return {"all": "All reports", "scope": "In scope"}.get(population, population)


def subgroup_tests_table(tests: pl.DataFrame, pts: list[str]) -> Table:
    """Every test of difference between strata, for the PTs of the subgroup plot."""
    rows = [
        [
            Cell(pt, pt),
            Cell(STRATUM_TITLES_TEXT.get(var, var), var),
            Cell(f"{STRATUM_LABELS.get(s1, s1)} vs {STRATUM_LABELS.get(s2, s2)}"),
            Cell(_fmt(r1), _num(r1)),
            Cell(_fmt(r2), _num(r2)),
            _interval(ratio, lower, upper),
            Cell(format_p(p), _num(p), bold=(_num(p) or 1.0) < 0.05),
        ]
        for var, s1, s2, pt, r1, r2, ratio, lower, upper, p in tests.filter(
            pl.col("pt").is_in(pts) & pl.col("p_value").is_not_null()
        )
        .sort("pt", "stratum_var")
        .select("stratum_var", "stratum_1", "stratum_2", "pt", "ror_1", "ror_2", "ror_ratio",
                "ror_ratio_lower", "ror_ratio_upper", "p_value")
        .iter_rows()
    ]  # fmt: skip
    return Table(
        "subgroup-tests-table",
        ["PT", "Variable", "Strata", "ROR 1", "ROR 2", "ROR ratio (95% CI)", "p"],
        rows,
        sortable=True,
        numeric=(3, 4, 5, 6),
    )


STRATUM_TITLES_TEXT = {"sex": "sex", "age_group": "age group", "seriousness": "seriousness"}


def seriousness_table(seriousness: pl.DataFrame) -> Table:
    """Serious vs non-serious reports per PT (overall and by sex) with the study's test."""
    rows = []
    for row in seriousness.sort("pt").iter_rows(named=True):
        by_sex = ""
        if "serious_female" in row and row.get("serious_female") is not None:
            by_sex = (
                f"F {row['serious_female']}/{row['non_serious_female']} · "
                f"M {row.get('serious_male')}/{row.get('non_serious_male')}"
            )
        rows.append(
            [
                Cell(row["pt"], row["pt"]),
                Cell(str(row["serious"]), row["serious"]),
                Cell(str(row["non_serious"]), row["non_serious"]),
                Cell(by_sex),
                Cell(str(row["test"] or "")),
                Cell(_fmt(row["statistic"]), _num(row["statistic"])),
                Cell(format_p(row["p_value"]), _num(row["p_value"]), bold=(_num(row["p_value"]) or 1.0) < 0.05),
            ]
        )
    return Table(
        "seriousness-table",
        ["PT", "Serious", "Non-serious", "Serious/non-serious by sex", "Test", "Statistic", "p"],
        rows,
        sortable=True,
        numeric=(1, 2, 5, 6),
    )


def tto_summary_table(summary: pl.DataFrame) -> Table:
    """Time to onset per PT (overall first): n, median (IQR), Weibull shape and scale with intervals."""
    ordered = summary.with_columns(_overall=pl.col("pt") != "ALL").sort("_overall", "pt")
    rows = [
        [
            Cell("all PTs" if row["pt"] == "ALL" else row["pt"], row["pt"], bold=row["pt"] == "ALL"),
            Cell(str(row["n"]), row["n"]),
            Cell(f"{_fmt(row['median'], 0)} ({_fmt(row['q1'], 0)}–{_fmt(row['q3'], 0)})", _num(row["median"])),
            _interval(row["weibull_shape"], row["weibull_shape_lower"], row["weibull_shape_upper"]),
            _interval(row["weibull_scale"], row.get("weibull_scale_lower"), row.get("weibull_scale_upper")),
            Cell(str(row["interpretation"] or "")),
        ]
        for row in ordered.iter_rows(named=True)
    ]
    return Table(
        "tto-table",
        ["PT", "Cases", "Median days (IQR)", "Weibull shape β (95% CI)", "Weibull scale, days (95% CI)",
         "Hazard"],
        rows,
        sortable=True,
        numeric=(1, 2, 3, 4),
    )  # fmt: skip
