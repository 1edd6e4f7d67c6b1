"""The ground truth of a sample, computed from the generator's own records (never from the files, never
with the project's SQL) by applying the documented rules:

* FDA dedup: per case_id keep the report with the latest fda_dt, ties -> highest primary_id (LAERS: ISR and
  CASE); then drop every case_id listed in any deleted list. Rejected (malformed) rows do not exist.
* drug = the lower-case active ingredient; PTs compare case-insensitively.
* marts counts, disproportionality cells (suspect roles PS) and time to onset as described in NOTES.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from faers.sample import vocab
from faers.sample.cases import (
    BACLOFEN_PT_RATES,
    INTRATHECAL_SHARE,
    PS_PLANT_RATES,
    SEX_PT_RATE_FEMALE,
)
from faers.sample.draws import age_group
from faers.sample.model import Report, Sample
from faers.sample.write import ZipStats

SUSPECT_ROLES: tuple[str, ...] = ("PS",)
"""dbt var ``suspect_roles``: roles that count a drug in the 2x2 cells and in the time to onset."""
SERIOUS_OUTCOME_CODES: tuple[str, ...] = ("DE", "LT", "HO", "DS")
"""dbt var ``serious_outcome_codes``: the outcomes that make dim_case.is_serious true."""
TTO_DRUG = "baclofen"

NOTES: dict[str, str] = {
    "files": (
        "data_lines = physical lines after the header (deleted lists: all lines, blank included). "
        "malformed = physical lines that must end in raw.rejects (glued records, a $ inside a value, a "
        "line cut short). split_records = records broken over two lines by an embedded line break before "
        "a $; a loader that re-joins them loads one row each, one that does not rejects both fragments. "
        "The split reports are superseded by a later version, so the marts below are the same either way."
    ),
    "dedup": (
        "per case_id the report with the latest fda_dt, ties -> highest primary_id; then every case_id of"
        " any deleted list is dropped. A report whose DEMO row is rejected does not exist. A report "
        "republished unchanged in a later quarter (same primary_id) counts once; join child rows on "
        "(quarter, primary_id)."
    ),
    "fct_case_drug": (
        "one row per loaded DRUG row of a kept report (a drug repeated in one report is two rows with "
        "different drug_seq); rejected DRUG rows are excluded."
    ),
    "drug_rows": (
        "per DRUG row of a kept report (rejected rows excluded): its true drug, 'ingredients' = the sorted "
        "lower-case ingredients joined with '\\' (a combination product: several), '' for an unknown name "
        "(UNKNOWN, NOT REPORTED). A drug in the signals is that same string (a combination is one drug)."
    ),
    "fct_case_reaction": ("distinct (primary_id, lower(pt)) of loaded REAC rows of kept reports."),
    "fct_case_outcome": ("distinct (primary_id, outc_cod) of kept reports."),
    "fct_case_indication": ("one row per INDI row of kept reports (the generator writes no duplicate rows)."),
    "fct_case_therapy": ("one row per THER row of kept reports (several rows per drug = restarts)."),
    "serious_cases": (
        "kept reports with an outcome in SERIOUS_OUTCOME_CODES (DE LT HO DS, the dbt var "
        "serious_outcome_codes); cases_with_outcome: kept reports with any OUTC row."
    ),
    "sex": ("F and M as written; UNK and blank are null."),
    "weight_known": (
        "kept reports whose wt and wt_cod (KG, LBS x 0.45359237, GMS / 1000) give a weight in (0, 635] kg; "
        "a few junk values (a 3,912 kg weight, ages U and 163/6) are planted."
    ),
    "age_group": (
        "from age and age_cod (DEC, YR, MON, WK, DY, HR); groups <18, 18-64, 65-85 (inclusive), >85; ages"
        " are drawn away from the boundaries so that any usual unit constant gives the same group."
    ),
    "signals": (
        "reports = kept reports with >= 1 loaded drug row whose role is in suspect_roles and >= 1 loaded "
        "PT; a = reports with the drug as suspect and the PT; drug_reports = a + b; event_reports = a + "
        "c."
    ),
    "tto": (
        "per kept report and drug, over drug rows whose role is in suspect_roles (any_role: every row): "
        "THER rows with the drug row's drug_seq whose start_dt and the report's event_dt are both full "
        "valid YYYYMMDD dates and tto_days = event_dt - start_dt >= 0; the earliest start per (report, "
        "drug); by_route uses that drug row's route, lower case."
    ),
}


@dataclass
class SampleTruth:
    """What the warehouse built from a sample must show (the content of truth.json)."""

    seed: int
    quarters: list[str]
    n_cases_generated: int
    files: dict[str, dict[str, Any]]
    deleted_case_ids: list[int]
    dedup: dict[str, Any]
    marts: dict[str, Any]
    signals: dict[str, Any]
    tto: dict[str, Any]
    sex_difference: dict[str, Any]
    planted: dict[str, Any]
    notes: dict[str, str]
    mode: str = "default"
    drug_noise: str = "basic"
    drug_rows: dict[str, Any] | None = None
    """Default sample: the truth of every DRUG row of the kept reports (``columns``, ``rows``); the full-size
    path writes it to Parquet files instead (fullsize.DRUG_TRUTH_FILE)."""

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict with the documented keys (shallow: the values are already plain)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def write(self, path: Path) -> None:
        """Write as JSON (stable formatting, so same seed -> same bytes)."""
        path.write_text(json.dumps(self.as_dict(), indent=1, ensure_ascii=True) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> SampleTruth:
        """Read a truth.json written by :meth:`write`."""
        return cls(**json.loads(path.read_text(encoding="utf-8")))


def full_date(text: str) -> dt.date | None:
    """A full, valid YYYYMMDD date, else None (partial, blank or impossible dates)."""
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return None


MAX_WEIGHT_KG = 635.0
"""dbt var ``max_weight_kg``: heavier weights are junk (NULL)."""


def weight_kg(wt: str, wt_cod: str) -> float | None:
    """Weight in kg from WT and WT_COD (KG, LBS, GMS); None if blank, not a number or above the limit."""
    try:
        value = float(wt)
    except ValueError:
        return None
    factor = {"KG": 1.0, "LBS": 0.45359237, "GMS": 0.001}.get(wt_cod)
    if factor is None or not 0 < value * factor <= MAX_WEIGHT_KG:
        return None
    return value * factor


def deleted_ids(sample: Sample) -> set[int]:
    """Every case id named by any deleted list (digits only, blank lines skipped)."""
    return {
        int(line.strip())
        for members in sample.deleted.values()
        for lines in members.values()
        for line in lines
        if line.strip().isdigit()
    }


def kept_reports(sample: Sample) -> list[Report]:
    """FDA dedup of the loadable reports, deleted cases removed; sorted by primary id."""
    best: dict[int, Report] = {}
    for report in sample.all_reports():
        if report.rejected:
            continue
        current = best.get(report.case_id)
        if current is None or (report.fda_dt, report.primary_id) > (current.fda_dt, current.primary_id):
            best[report.case_id] = report
    deleted = deleted_ids(sample)
    return sorted((r for c, r in best.items() if c not in deleted), key=lambda r: r.primary_id)


def report_sets(report: Report) -> tuple[set[str], set[str]]:
    """(suspect drugs, canonical PTs) of a report, rejected rows and unknown drug names excluded."""
    drugs = {d.ingredient for d in report.drugs if not d.rejected and d.role in SUSPECT_ROLES and d.ingredient}
    pts = {r.pt for r in report.reactions if not r.rejected}
    return drugs, pts


def signal_reports(kept: list[Report]) -> list[tuple[Report, set[str], set[str]]]:
    """Kept reports that enter the disproportionality tables, with their drug and PT sets."""
    result = []
    for report in kept:
        drugs, pts = report_sets(report)
        if drugs and pts:
            result.append((report, drugs, pts))
    return result


def _cells(rows: list[tuple[Report, set[str], set[str]]], drug: str) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for _, drugs, pts in rows:
        if drug in drugs:
            counts.update(pts)
    return dict(sorted(counts.items()))


def _stratum(rows: list[tuple[Report, set[str], set[str]]], drug: str, pt: str, sex: str) -> dict[str, int]:
    sub = [(d, p) for r, d, p in rows if r.sex == sex]
    return {
        "a": sum(1 for d, p in sub if drug in d and pt in p),
        "n_drug": sum(1 for d, _ in sub if drug in d),
        "n_event": sum(1 for _, p in sub if pt in p),
        "n": len(sub),
    }


def time_to_onset(kept: list[Report], drug: str, roles: Sequence[str] | None = SUSPECT_ROLES) -> dict[str, Any]:
    """TTO per the rule in NOTES['tto'] over drug rows with a role in ``roles`` (None: any role)."""
    rows: list[tuple[int, str]] = []
    for report in kept:
        event = full_date(report.event_dt)
        if event is None:
            continue
        best: tuple[dt.date, str] | None = None
        for row in report.drugs:
            if row.rejected or row.ingredient != drug or (roles is not None and row.role not in roles):
                continue
            for therapy in row.therapies:
                start = full_date(therapy.start_dt)
                if start is None or start > event:
                    continue
                if best is None or start < best[0]:
                    best = (start, row.route.lower())
        if best is not None:
            rows.append(((event - best[0]).days, best[1]))

    def summary(days: list[int]) -> dict[str, Any]:
        return {"n": len(days), "median_days": float(statistics.median(days)) if days else None}

    by_route: dict[str, list[int]] = defaultdict(list)
    for days, route in rows:
        by_route[route].append(days)
    return {
        "roles": list(roles) if roles is not None else "any",
        "n": len(rows),
        "median_days": float(statistics.median(d for d, _ in rows)) if rows else None,
        "by_route": {route: float(statistics.median(v)) for route, v in sorted(by_route.items())},
        "n_by_route": {route: len(v) for route, v in sorted(by_route.items())},
    }


def compute_truth(sample: Sample, zips: dict[str, ZipStats]) -> SampleTruth:
    """Apply the documented rules to the in-memory records."""
    kept = kept_reports(sample)
    sex_counts = Counter(r.sex if r.sex in ("F", "M") else "null" for r in kept)
    age_counts = Counter("null" if r.age_years is None else age_group(r.age_years) for r in kept)
    marts = {
        "dim_case": len(kept),
        "fct_case_drug": sum(1 for r in kept for d in r.drugs if not d.rejected),
        "fct_case_reaction": sum(len({x.text.lower() for x in r.reactions if not x.rejected}) for r in kept),
        "fct_case_outcome": sum(len(set(r.outcomes)) for r in kept),
        "fct_case_indication": sum(len(d.indications) for r in kept for d in r.drugs),
        "fct_case_therapy": sum(len(d.therapies) for r in kept for d in r.drugs),
        "serious_cases": sum(1 for r in kept if set(r.outcomes) & set(SERIOUS_OUTCOME_CODES)),
        "cases_with_outcome": sum(1 for r in kept if r.outcomes),
        "sex": {"F": sex_counts["F"], "M": sex_counts["M"], "null": sex_counts["null"]},
        "age_group": {g: age_counts[g] for g in ("<18", "18-64", "65-85", ">85", "null")},
        "weight_known": sum(1 for r in kept if weight_kg(r.wt, r.wt_cod) is not None),
    }
    rows = signal_reports(kept)
    drug_reports: Counter[str] = Counter()
    event_reports: Counter[str] = Counter()
    for _, drugs, pts in rows:
        drug_reports.update(drugs)
        event_reports.update(pts)
    planted_drugs = ["baclofen", *dict.fromkeys(d for d, _ in vocab.OTHER_PLANTED_PAIRS)]
    signals = {
        "suspect_roles": list(SUSPECT_ROLES),
        "n_reports": len(rows),
        "drug_reports": dict(sorted(drug_reports.items())),
        "event_reports": dict(sorted(event_reports.items())),
        "cells": {drug: _cells(rows, drug) for drug in planted_drugs},
        "planted_positive": list(vocab.BACLOFEN_PLANTED_PTS),
        "planted_pairs": [{"drug": d, "pt": p} for d, p in vocab.OTHER_PLANTED_PAIRS],
    }
    sex_pt = vocab.SEX_DIFFERENCE_PT
    files: dict[str, dict[str, Any]] = {}
    for name, stats in sorted(zips.items()):
        entry: dict[str, Any] = {table: member.as_dict() for table, member in stats.tables.items()}
        if stats.deleted:
            entry["deleted"] = {
                "members": [m.member for m in stats.deleted],
                "data_lines": sum(m.data_lines for m in stats.deleted),
                "blank_lines": sum(m.blank_lines for m in stats.deleted),
                "malformed": 0,
                "per_member": [m.as_dict() for m in stats.deleted],
            }
        files[name] = entry
    return SampleTruth(
        seed=sample.seed,
        quarters=[str(q) for q in sample.quarters],
        n_cases_generated=sample.n_cases,
        files=files,
        deleted_case_ids=sorted(deleted_ids(sample)),
        dedup={"n_cases": len(kept), "primary_ids": [r.primary_id for r in kept]},
        marts=marts,
        signals=signals,
        tto={TTO_DRUG: {**time_to_onset(kept, TTO_DRUG), "any_role": time_to_onset(kept, TTO_DRUG, None)}},
        sex_difference={
            "drug": "baclofen",
            "pt": sex_pt,
            "stratum": "F",
            "cells": {sex: _stratum(rows, "baclofen", sex_pt, sex) for sex in ("F", "M")},
        },
        planted={
            "ps_rates": dict(PS_PLANT_RATES),
            "intrathecal_share": INTRATHECAL_SHARE,
            "baclofen_pt_rates": {pt: list(rates) for pt, rates in BACLOFEN_PT_RATES.items()},
            "sex_pt_rate_female": SEX_PT_RATE_FEMALE,
        },
        notes=NOTES,
        drug_noise=sample.drug_noise,
        drug_rows={
            "columns": ["primary_id", "drug_seq", "role_cod", "ingredients"],
            "rows": [[r.primary_id, d.seq, d.role, d.ingredient] for r in kept for d in r.drugs if not d.rejected],
        },
    )
