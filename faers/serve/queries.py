"""Every SQL statement of the explorer: parameterised (``?``), over the marts and the explorer models.

No statistic is computed here: the numbers come from the marts (signals, drug_event_cells, mgps_prior) and the
explorer models (models/marts/explorer/), which define them once. Identifiers that vary (a sort column) are
taken from fixed allow-lists, never from the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from faers.serve.db import Table, Warehouse

SEARCH_LIMIT = 25
"""Rows per kind (drug, drug_name, pt) on the search page."""
SIMILARITY = 0.85
"""Jaro-Winkler similarity from which a term counts as a match for a typo (as ``faers drugs``)."""
REPORTS_LIMIT = 500
"""Reports listed on a pair page (the CSV has them all)."""
ROWS_SHOWN = 500
"""Signals rows listed on a drug or PT page (sorted and filtered in SQL; the CSV has them all)."""

SIGNAL_COLUMNS = (
    "pt", "soc", "a", "b", "c", "d", "expected", "ror", "ror_lower", "ror_upper", "prr", "prr_lower", "prr_upper",
    "chi2", "ic", "ic025", "ic975", "ebgm", "eb05", "eb95", "ror_signal", "prr_signal", "ic_signal", "ebgm_signal",
    "n_methods",
)  # fmt: skip
SORTABLE = frozenset(SIGNAL_COLUMNS)

_SEARCH_SQL = """
with matches as (
    select
        kind,
        term,
        reports,
        drugs,
        term_key = $q as is_exact,
        contains(term_key, $q) as is_contained,
        jaro_winkler_similarity(term_key, $q) as similarity,
        levenshtein(term_key, $q) as distance
    from main.explorer_search_terms
    where contains(term_key, $q)
        or (
            -- a typo after the first letter: the table is sorted by term_key, so this range is one stretch
            term_key >= $first and term_key < $after
            and (
                jaro_winkler_similarity(term_key, $q) >= $similarity
                or (length($q) >= 4 and abs(length(term_key) - length($q)) <= 2 and levenshtein(term_key, $q) <= 2)
            )
        )
)
select kind, term, reports, drugs, round(similarity, 3) as similarity, distance
from matches
qualify row_number() over (
    partition by kind
    order by is_exact desc, is_contained desc, similarity desc, reports desc, term
) <= $limit
order by kind, is_exact desc, is_contained desc, similarity desc, reports desc, term
"""


def search(warehouse: Warehouse, q: str) -> Table:
    """Drugs, raw drug names and PTs matching ``q``: exact, containing it, or close to it (a typo after the first
    letter: Jaro-Winkler similarity, or an edit distance of at most 2)."""
    key = q.strip().lower()
    first = key[:1]
    params: Any = {
        "q": key,
        "first": first,
        "after": chr(ord(first) + 1) if first else "",
        "similarity": SIMILARITY,
        "limit": SEARCH_LIMIT,
    }
    return warehouse.query("search", _SEARCH_SQL, params)


@dataclass(frozen=True)
class SignalFilter:
    """The drug page's thresholds and order (all optional; from the query string, validated by the app)."""

    min_a: int | None = None
    min_methods: int | None = None
    ror_lower_min: float | None = None
    prr_min: float | None = None
    ic025_min: float | None = None
    eb05_min: float | None = None
    soc: str | None = None
    pt: str | None = None
    sort: str = "n_methods"
    descending: bool = True

    def where(self) -> tuple[str, dict[str, Any]]:
        """The extra WHERE conditions and their parameters."""
        conditions: list[str] = []
        params: dict[str, Any] = {}
        for column, name, operator in (
            ("a", "min_a", ">="),
            ("n_methods", "min_methods", ">="),
            ("ror_lower", "ror_lower_min", ">"),
            ("prr", "prr_min", ">="),
            ("ic025", "ic025_min", ">"),
            ("eb05", "eb05_min", ">="),
        ):
            value = getattr(self, name)
            if value is not None:
                conditions.append(f"signals.{column} {operator} ${name}")
                params[name] = value
        if self.soc:
            conditions.append("signals.soc = $soc")
            params["soc"] = self.soc
        if self.pt:
            conditions.append("contains(lower(signals.pt), $pt)")
            params["pt"] = self.pt.lower()
        return "".join(f" and {c}" for c in conditions), params

    def order_by(self) -> str:
        column = self.sort if self.sort in SORTABLE else "n_methods"
        direction = "desc nulls last" if self.descending else "asc nulls last"
        return f"{column} {direction}, a desc, pt"


def drug_summary(warehouse: Warehouse, drug: str) -> Table:
    return warehouse.query("summary", "select * from main.explorer_drug_summary where drug = ?", [drug])


def drug_signals(
    warehouse: Warehouse, drug: str, signal_filter: SignalFilter, *, limit: int | None = ROWS_SHOWN
) -> Table:
    """The drug's rows of main.signals (every metric and flag), with the PT's SOC, filtered and ordered (the
    first ``limit``; ``Table.total`` counts them all)."""
    conditions, params = signal_filter.where()
    columns = ", ".join(f"signals.{c}" for c in SIGNAL_COLUMNS)
    sql = f"""
        select {columns}
        from main.explorer_signals as signals
        where signals.drug = $drug{conditions}
    """
    return warehouse.query("signals", sql, {"drug": drug, **params}, order_by=signal_filter.order_by(), limit=limit)


def pt_signals(warehouse: Warehouse, pt: str, *, limit: int | None = ROWS_SHOWN) -> Table:
    """Every drug's row of main.signals for one PT, signals first (the first ``limit``)."""
    columns = ", ".join(c for c in SIGNAL_COLUMNS if c not in ("pt", "soc"))
    return warehouse.query(
        "signals",
        f"select drug, {columns} from main.signals where pt = ?",
        [pt],
        order_by="n_methods desc, a desc, drug",
        limit=limit,
    )


def drug_socs(warehouse: Warehouse, drug: str) -> list[str]:
    """The SOCs of the drug's PTs (empty without MedDRA)."""
    table = warehouse.query(
        "socs",
        """
        select distinct soc from main.explorer_signals where drug = ? and soc is not null order by 1
        """,
        [drug],
    )
    return [row[0] for row in table.rows]


def reports_per_year(warehouse: Warehouse, drug: str) -> Table:
    return warehouse.query(
        "reports_per_year",
        "select year, n, n_serious from main.explorer_drug_reports_per_year where drug = ? order by year",
        [drug],
    )


def characteristics(warehouse: Warehouse, drug: str) -> Table:
    return warehouse.query(
        "characteristics",
        """
        select variable, level, n, round(percent, 1) as percent, missing
        from main.explorer_drug_characteristics where drug = ?
        order by case variable when 'sex' then 1 when 'age_group' then 2 when 'weight_band' then 3
            when 'reporter_country' then 4 when 'occp_cod' then 5 when 'outcome' then 6 else 7 end, level_rank
        """,
        [drug],
    )


def pair_signal(warehouse: Warehouse, drug: str, pt: str) -> Table:
    """The pair's row of main.signals with its margins from main.drug_event_cells (explorer_signals)."""
    return warehouse.query("signal", "select * from main.explorer_signals where drug = ? and pt = ?", [drug, pt])


def subgroups(warehouse: Warehouse, drug: str, pt: str) -> Table:
    return warehouse.query(
        "subgroups",
        """
        select subgroup, level, a, b, c, d, expected, ror, ror_lower, ror_upper, prr, prr_lower, prr_upper, chi2, ic
        from main.explorer_subgroup_signals where drug = ? and pt = ?
        order by case subgroup when 'sex' then 1 when 'age_group' then 2 else 3 end, level
        """,
        [drug, pt],
    )


def tto_bins(warehouse: Warehouse, drug: str, pt: str) -> Table:
    return warehouse.query(
        "tto_bins",
        """
        select tto_bin, count(*) as n, min(tto_days) as min_days, max(tto_days) as max_days
        from main.explorer_pair_reports
        where drug = ? and pt = ? and tto_days is not null
        group by tto_bin, tto_bin_order order by tto_bin_order
        """,
        [drug, pt],
    )


def tto_summary(warehouse: Warehouse, drug: str, pt: str) -> Table:
    return warehouse.query(
        "tto_summary",
        """
        select count(tto_days) as n_with_onset, count(*) - count(tto_days) as n_without_onset,
            median(tto_days) as median_days, quantile_cont(tto_days, 0.25) as q1_days,
            quantile_cont(tto_days, 0.75) as q3_days
        from main.explorer_pair_reports where drug = ? and pt = ?
        """,
        [drug, pt],
    )


def pair_reports(warehouse: Warehouse, drug: str, pt: str, *, limit: int | None = REPORTS_LIMIT) -> Table:
    return warehouse.query(
        "reports",
        """
        select case_id, primary_id, quarter, fda_dt, sex, age_years, age_group, seriousness, outcomes,
            reporter_country, occp_cod, tto_days, tto_bin
        from main.explorer_pair_reports where drug = ? and pt = ?
        """,
        [drug, pt],
        order_by="fda_dt desc, primary_id desc",
        limit=limit,
    )


def pair_changes(warehouse: Warehouse, drug: str, pt: str) -> Table | None:
    """The pair's lines of main.signal_changes (written by ``faers update``), None when there is no log."""
    if not warehouse.has("main.signal_changes"):
        return None
    return warehouse.query(
        "changes",
        """
        select build_id, built_at, quarters_added, change, reason, a_before, a_after, n_methods_before,
            n_methods_after, ror_lower_before, ror_lower_after, ic025_before, ic025_after, eb05_before, eb05_after
        from main.signal_changes where drug = ? and pt = ? order by build_id
        """,
        [drug, pt],
    )


def pair_snapshots(warehouse: Warehouse, drug: str, pt: str) -> Table | None:
    """The pair as it stood before each ``faers update`` build (history.signal_snapshots), None without history."""
    if not (warehouse.has("history.signal_snapshots") and warehouse.has("history.builds")):
        return None
    return warehouse.query(
        "snapshots",
        """
        select builds.build_id, builds.started_at, builds.quarters_before, snapshots.a, snapshots.ror,
            snapshots.ror_lower, snapshots.prr, snapshots.ic025, snapshots.eb05, snapshots.n_methods
        from history.signal_snapshots as snapshots
        inner join history.builds as builds on snapshots.build_id = builds.build_id
        where snapshots.drug = ? and snapshots.pt = ? order by builds.build_id
        """,
        [drug, pt],
    )


def mgps_prior(warehouse: Warehouse) -> Table:
    return warehouse.query("mgps_prior", "select * from main.mgps_prior")


def case_versions(warehouse: Warehouse, case_id: int) -> Table:
    return warehouse.query(
        "versions",
        """
        select primary_id, case_version, i_f_code, era, quarter, line_number, fda_dt, init_fda_dt, rept_cod,
            mfr_sndr, is_kept, reason
        from main.explorer_case_versions where case_id = ?
        order by quarter, fda_dt, primary_id, line_number
        """,
        [case_id],
    )


_CASE_TABLES: dict[str, str] = {
    "case": "select * exclude (case_id) from main.dim_case where primary_id = ?",
    "drugs": """
        select drugs.drug_seq, drugs.role_cod, drugs.drug_name, drugs.prod_ai, drugs.drug, drugs.mapping_source,
            drugs.route, drugs.dose_vbm, drugs.dose_amt, drugs.dose_unit, drugs.dose_form, drugs.dose_freq,
            drugs.dechal, drugs.rechal, drugs.lot_num
        from main.fct_case_drug as drugs where drugs.primary_id = ? order by drugs.drug_seq
    """,
    "therapies": """
        select drug_seq, start_dt, start_dt_raw, end_dt, end_dt_raw, dur, dur_cod
        from main.fct_case_therapy where primary_id = ? order by drug_seq, start_dt
    """,
    "reactions": """
        select pt, reported_term, soc, term_status, drug_rec_act
        from main.fct_case_reaction where primary_id = ? order by pt
    """,
    "outcomes": "select outc_cod from main.fct_case_outcome where primary_id = ? order by outc_cod",
    "indications": """
        select drug_seq, indi_pt from main.fct_case_indication where primary_id = ? order by drug_seq, indi_pt
    """,
    "report_sources": "select rpsr_cod from main.fct_case_report_source where primary_id = ? order by rpsr_cod",
}


def case_tables(warehouse: Warehouse, primary_id: int) -> dict[str, Table]:
    """The kept report's rows of every case mart."""
    return {name: warehouse.query(name, sql, [primary_id]) for name, sql in _CASE_TABLES.items()}


def quarter_loads(warehouse: Warehouse) -> Table:
    if not warehouse.has("raw.load_log"):
        return Table("quarters", [], [])
    return warehouse.query(
        "quarters",
        """
        select quarter, sum(lines_read) as lines_read, sum(rows_loaded) as rows_loaded,
            sum(rows_rejected) as rows_rejected, sum(coalesce(lines_blank, 0)) as lines_blank,
            sum(coalesce(lines_joined, 0)) as lines_joined, max(loaded_at) as loaded_at
        from raw.load_log group by quarter order by quarter
        """,
    )


def builds(warehouse: Warehouse) -> Table:
    if not warehouse.has("audit.builds"):
        return Table("builds", [], [])
    return warehouse.query(
        "builds",
        """
        select build_id, command, selection, status, started_at, finished_at, n_nodes, vars
        from audit.builds order by build_id desc limit 50
        """,
    )


def releases(warehouse: Warehouse) -> Table:
    """The MedDRA and RxNorm releases loaded (schemas meddra and rxnorm), one row each when present."""
    parts = []
    if warehouse.has("meddra.release"):
        parts.append(
            "select 'MedDRA' as dictionary, version::varchar as release, language::varchar as detail, "
            "loaded_at::varchar as loaded_at from meddra.release"
        )
    if warehouse.has("rxnorm.release"):
        parts.append(
            "select 'RxNorm' as dictionary, source_folder::varchar as release, "
            "(rxnconso_rows || ' RXNCONSO rows, ' || rxnrel_rows || ' RXNREL rows') as detail, "
            "loaded_at::varchar as loaded_at from rxnorm.release"
        )
    if not parts:
        return Table("releases", ["dictionary", "release", "detail", "loaded_at"], [])
    return warehouse.query("releases", " union all ".join(parts))
