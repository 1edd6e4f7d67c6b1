"""The ground truth of a full-size quarter: the rules of truth.py, vectorised over the generator's arrays
(one version per case, no malformed rows)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from faers.sample import vocab
from faers.sample.truth import NOTES, SERIOUS_OUTCOME_CODES, SUSPECT_ROLES, SampleTruth
from loaders.quarters import Quarter

if TYPE_CHECKING:
    from faers.sample.fullsize import FullSizeQuarter


@dataclass
class QuarterTruth:
    """The counts of one full-size quarter that add up across quarters (each quarter's cases are its own),
    with the raw time-to-onset values (medians do not add up)."""

    quarter: Quarter
    n: int
    deleted_ids: list[int]
    kept_primary_ids: np.ndarray
    marts: dict[str, int]
    n_reports: int
    sex: Counter[str]
    drug_reports: Counter[str]
    event_reports: Counter[str]
    baclofen_cells: Counter[str]
    strata: dict[str, Counter[str]]
    tto_days: np.ndarray
    tto_routes: np.ndarray


def quarter_truth(gen: FullSizeQuarter, deleted: list[str]) -> QuarterTruth:
    """The rules of truth.py, vectorised over one quarter (one version per case, no malformed rows)."""
    deleted_ids = sorted({int(x) for x in deleted if x.strip().isdigit()})
    kept = ~np.isin(gen.case_id, deleted_ids)
    n_kept = int(kept.sum())
    drug_kept = kept[gen.drug_report]
    reac_kept = kept[gen.reac_report]
    n_pts = len(gen.pts)
    reac_pairs = np.unique(gen.reac_report[reac_kept].astype(np.int64) * n_pts + gen.reac_pt[reac_kept])
    outc_pairs = np.unique(
        gen.outc_report[kept[gen.outc_report]].astype(np.int64) * 7 + gen.outc_code[kept[gen.outc_report]]
    )
    sex = gen.sex.to_numpy()
    serious_code = np.isin(gen.outc_code, [vocab.OUTCOME_CODES.index(c) for c in SERIOUS_OUTCOME_CODES])
    marts = {
        "dim_case": n_kept,
        "fct_case_drug": int(drug_kept.sum()),
        "fct_case_reaction": len(reac_pairs),
        "fct_case_outcome": len(outc_pairs),
        "fct_case_indication": int(kept[gen.drug_report[gen.indi_rows]].sum()),
        "fct_case_therapy": int(kept[gen.drug_report[gen.ther_rows]].sum()),
        "serious_cases": len(np.unique(gen.outc_report[kept[gen.outc_report] & serious_code])),
        "cases_with_outcome": len(np.unique(gen.outc_report[kept[gen.outc_report]])),
    }
    sex_counts = Counter(
        {
            "F": int((kept & (sex == "F")).sum()),
            "M": int((kept & (sex == "M")).sum()),
            "null": int((kept & ~np.isin(sex, ["F", "M"])).sum()),
        }
    )
    # signals: reports with a PS drug of known name (a PS row named UNKNOWN has no drug) and a PT (every
    # report has a PT); a drug is its product key (a combination is one drug, its sorted ingredients)
    ps = gen.drug_ps & drug_kept & gen.drug_known
    has_ps = np.zeros(gen.n, dtype=bool)
    has_ps[gen.drug_report[ps]] = True
    in_table = has_ps & kept
    report_drug = np.unique(gen.drug_report[ps].astype(np.int64) * len(gen.drug_keys) + gen.drug_idx[ps])
    drug_reports = np.bincount(report_drug % len(gen.drug_keys), minlength=len(gen.drug_keys))
    pair_report = reac_pairs // n_pts
    pair_pt = reac_pairs % n_pts
    in_pairs = in_table[pair_report]
    event_reports = np.bincount(pair_pt[in_pairs], minlength=n_pts)
    baclofen_ps = np.zeros(gen.n, dtype=bool)
    baclofen_ps[gen.drug_report[ps & (gen.drug_idx == gen.drugs.index("baclofen"))]] = True
    cells = np.bincount(pair_pt[in_pairs & baclofen_ps[pair_report]], minlength=n_pts)
    sex_pt = gen.pts.index(vocab.SEX_DIFFERENCE_PT)
    with_pt = np.zeros(gen.n, dtype=bool)
    with_pt[pair_report[pair_pt == sex_pt]] = True

    def stratum(code: str) -> Counter[str]:
        in_sex = in_table & (sex == code)
        return Counter(
            {
                "a": int((in_sex & baclofen_ps & with_pt).sum()),
                "n_drug": int((in_sex & baclofen_ps).sum()),
                "n_event": int((in_sex & with_pt).sum()),
                "n": int(in_sex.sum()),
            }
        )

    # tto: baclofen appears only as PS, one drug row per report, so the earliest valid start per report
    rows = gen.ther_rows
    is_bac = (gen.drug_idx[rows] == gen.drugs.index("baclofen")) & kept[gen.drug_report[rows]]
    report = gen.drug_report[rows]
    full = np.array([len(s) == 8 and not s.endswith("0231") for s in gen.ther_start])
    event_full = gen.event_format[report] == 8
    start_days = np.array(
        [
            (dt.date(int(s[:4]), int(s[4:6]), int(s[6:])) - dt.date(1970, 1, 1)).days if ok else 0
            for s, ok in zip(gen.ther_start, full & is_bac, strict=True)
        ],
        dtype=np.int64,
    )
    tto = gen.event_day[report] - start_days
    ok = is_bac & full & event_full & (tto >= 0)
    routes = np.where(gen.drug_intrathecal[rows], "intrathecal", vocab.DRUG_BY_INGREDIENT["baclofen"].route)
    return QuarterTruth(
        quarter=gen.quarter,
        n=gen.n,
        deleted_ids=deleted_ids,
        kept_primary_ids=gen.primary_id[kept],
        marts=marts,
        n_reports=int(in_table.sum()),
        sex=sex_counts,
        drug_reports=Counter({gen.drug_keys[i]: int(c) for i, c in enumerate(drug_reports) if c}),
        event_reports=Counter({gen.pts[i]: int(c) for i, c in enumerate(event_reports) if c}),
        baclofen_cells=Counter({gen.pts[i]: int(c) for i, c in enumerate(cells) if c}),
        strata={"F": stratum("F"), "M": stratum("M")},
        tto_days=tto[ok],
        tto_routes=routes[ok],
    )


def full_size_truth(
    parts: list[QuarterTruth],
    seed: int,
    files: dict[str, Any],
    planted: dict[str, Any],
) -> SampleTruth:
    """One truth over the quarters of a full-size sample (their cases are disjoint, so counts add up)."""
    marts: Counter[str] = Counter()
    sex: Counter[str] = Counter()
    drug_reports: Counter[str] = Counter()
    event_reports: Counter[str] = Counter()
    cells: Counter[str] = Counter()
    strata: dict[str, Counter[str]] = {"F": Counter(), "M": Counter()}
    for part in parts:
        marts.update(part.marts)
        sex.update(part.sex)
        drug_reports.update(part.drug_reports)
        event_reports.update(part.event_reports)
        cells.update(part.baclofen_cells)
        for code in strata:
            strata[code].update(part.strata[code])
    tto = np.concatenate([p.tto_days for p in parts])
    routes = np.concatenate([p.tto_routes for p in parts])
    tto_truth: dict[str, Any] = {
        "roles": list(SUSPECT_ROLES),
        "n": len(tto),
        "median_days": float(np.median(tto)) if len(tto) else None,
        "by_route": {str(r): float(np.median(tto[routes == r])) for r in sorted(set(routes.tolist()))},
        "n_by_route": {str(r): int((routes == r).sum()) for r in sorted(set(routes.tolist()))},
    }
    primary_ids = np.sort(np.concatenate([p.kept_primary_ids for p in parts]))
    return SampleTruth(
        seed=seed,
        quarters=[str(p.quarter) for p in parts],
        n_cases_generated=sum(p.n for p in parts),
        files=files,
        deleted_case_ids=sorted({i for p in parts for i in p.deleted_ids}),
        dedup={"n_cases": len(primary_ids), "primary_ids": primary_ids.tolist()},
        marts={**{k: marts[k] for k in parts[0].marts}, "sex": {k: sex[k] for k in ("F", "M", "null")}},
        signals={
            "suspect_roles": list(SUSPECT_ROLES),
            "n_reports": sum(p.n_reports for p in parts),
            "drug_reports": dict(sorted(drug_reports.items())),
            "event_reports": dict(sorted(event_reports.items())),
            "cells": {"baclofen": dict(sorted(cells.items()))},
            "planted_positive": list(vocab.BACLOFEN_PLANTED_PTS),
            "planted_pairs": [],
        },
        tto={"baclofen": tto_truth},
        sex_difference={
            "drug": "baclofen",
            "pt": vocab.SEX_DIFFERENCE_PT,
            "stratum": "F",
            "cells": {code: dict(counts) for code, counts in strata.items()},
        },
        planted=planted,
        notes=NOTES,
        mode="full_size",
    )
