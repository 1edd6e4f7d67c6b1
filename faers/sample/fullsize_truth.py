"""The ground truth of a full-size quarter: the rules of truth.py, vectorised over the generator's arrays
(one version per case, no malformed rows)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np

from faers.sample import vocab
from faers.sample.layout import Quarter, zip_name
from faers.sample.truth import NOTES, SERIOUS_OUTCOME_CODES, SUSPECT_ROLES, SampleTruth

if TYPE_CHECKING:
    from faers.sample.fullsize import FullSizeQuarter


def full_size_truth(
    gen: FullSizeQuarter,
    quarter: Quarter,
    seed: int,
    stats: dict[str, Any],
    deleted: list[str],
    planted: dict[str, Any],
) -> SampleTruth:
    """The same rules as truth.py, vectorised (one version per case, no malformed rows)."""
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
        "sex": {
            "F": int((kept & (sex == "F")).sum()),
            "M": int((kept & (sex == "M")).sum()),
            "null": int((kept & ~np.isin(sex, ["F", "M"])).sum()),
        },
    }
    # signals: reports with a PS drug and a PT (every report has a PT)
    ps = gen.drug_ps & drug_kept
    has_ps = np.zeros(gen.n, dtype=bool)
    has_ps[gen.drug_report[ps]] = True
    in_table = has_ps & kept
    drug_reports = np.bincount(gen.drug_idx[ps], minlength=len(gen.drugs))
    pair_report = reac_pairs // n_pts
    pair_pt = reac_pairs % n_pts
    in_pairs = in_table[pair_report]
    event_reports = np.bincount(pair_pt[in_pairs], minlength=n_pts)
    baclofen_ps = np.zeros(gen.n, dtype=bool)
    baclofen_ps[gen.drug_report[ps & (gen.drug_idx == gen.drugs.index("baclofen"))]] = True
    cells = np.bincount(pair_pt[in_pairs & baclofen_ps[pair_report]], minlength=n_pts)
    signals = {
        "suspect_roles": list(SUSPECT_ROLES),
        "n_reports": int(in_table.sum()),
        "drug_reports": {gen.drugs[i]: int(c) for i, c in enumerate(drug_reports) if c},
        "event_reports": {gen.pts[i]: int(c) for i, c in enumerate(event_reports) if c},
        "cells": {"baclofen": {gen.pts[i]: int(c) for i, c in enumerate(cells) if c}},
        "planted_positive": list(vocab.BACLOFEN_PLANTED_PTS),
        "planted_pairs": [],
    }
    sex_pt = gen.pts.index(vocab.SEX_DIFFERENCE_PT)

    def stratum(code: str) -> dict[str, int]:
        in_sex = in_table & (sex == code)
        with_pt = np.zeros(gen.n, dtype=bool)
        with_pt[pair_report[pair_pt == sex_pt]] = True
        return {
            "a": int((in_sex & baclofen_ps & with_pt).sum()),
            "n_drug": int((in_sex & baclofen_ps).sum()),
            "n_event": int((in_sex & with_pt).sum()),
            "n": int(in_sex.sum()),
        }

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
        ]
    )
    tto = gen.event_day[report] - start_days
    ok = is_bac & full & event_full & (tto >= 0)
    routes = np.where(gen.drug_intrathecal[rows], "intrathecal", vocab.DRUG_BY_INGREDIENT["baclofen"].route)
    tto_truth: dict[str, Any] = {
        "n": int(ok.sum()),
        "median_days": float(np.median(tto[ok])) if ok.any() else None,
        "by_route": {str(r): float(np.median(tto[ok & (routes == r)])) for r in sorted(set(routes[ok]))},
        "n_by_route": {str(r): int((ok & (routes == r)).sum()) for r in sorted(set(routes[ok]))},
    }
    tto_truth = {"roles": list(SUSPECT_ROLES), **tto_truth}
    return SampleTruth(
        seed=seed,
        quarters=[str(quarter)],
        n_cases_generated=gen.n,
        files={zip_name(quarter): stats},
        deleted_case_ids=deleted_ids,
        dedup={"n_cases": n_kept, "primary_ids": gen.primary_id[kept].tolist()},
        marts=marts,
        signals=signals,
        tto={"baclofen": tto_truth},
        sex_difference={
            "drug": "baclofen",
            "pt": vocab.SEX_DIFFERENCE_PT,
            "stratum": "F",
            "cells": {"F": stratum("F"), "M": stratum("M")},
        },
        planted=planted,
        notes=NOTES,
        mode="full_size",
    )
