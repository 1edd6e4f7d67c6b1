"""What the default generator plants after drawing the cases: dedup ties, republished versions, malformed
and odd rows (faers_format.md §10), and the deleted-case lists (§6)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING

from faers.sample import model, vocab
from faers.sample.layout import all_deleted_member_path, deleted_member_path, has_deleted_list
from faers.sample.model import Report
from loaders.quarters import Quarter

if TYPE_CHECKING:
    from faers.sample.cases import _Builder


def _cases_with(b: _Builder, predicate: Callable[[list[Report]], bool]) -> list[list[Report]]:
    return [reports for _, reports in sorted(b.case_reports.items()) if predicate(reports)]


def plant_ties(b: _Builder) -> None:
    """Cases whose two versions share fda_dt, the higher primary id published in the *earlier* quarter:
    FDA's rule (latest fda_dt, then highest primary id) keeps the earlier quarter's row."""
    for laers in (True, False, False):
        candidates = _cases_with(
            b,
            lambda reps, laers=laers: (
                len(reps) == 2 and all(r.quarter.is_laers == laers for r in reps) and all(r.quirk is None for r in reps)
            ),
        )
        if not candidates:
            continue
        early, late = candidates[b.rng.randrange(len(candidates))]
        if laers:
            early.primary_id, late.primary_id = (
                max(early.primary_id, late.primary_id),
                min(early.primary_id, late.primary_id),
            )
        else:
            del b.primary_ids[early.primary_id], b.primary_ids[late.primary_id]
            early.version, late.version = late.version, early.version
            early.i_f_code, late.i_f_code = "F", "I" if late.version == 1 else "F"
            early.primary_id, early.version = b.faers_primary_id(early.case_id, early.version)
            late.primary_id, late.version = b.faers_primary_id(late.case_id, late.version)
        late.fda_dt = late.rept_dt = early.fda_dt
        early.quirk = late.quirk = "tie"


def plant_quirks(b: _Builder) -> None:
    laers_q = [q for q in b.quarters if q.is_laers]
    faers_q = [q for q in b.quarters if not q.is_laers]

    def free(report: Report) -> bool:
        return report.quirk is None and all(d.quirk is None for d in report.drugs)

    def only_version(report: Report) -> bool:
        return len(b.case_reports[report.case_id]) == 1

    def superseded(report: Report) -> bool:
        later = [r for r in b.case_reports[report.case_id] if r.fda_dt > report.fda_dt]
        return bool(later)

    def choose(quarter: Quarter, predicate: Callable[[Report], bool]) -> Report | None:
        candidates = [r for r in b.reports[quarter] if free(r) and predicate(r)]
        return candidates[b.rng.randrange(len(candidates))] if candidates else None

    if laers_q:
        report = choose(laers_q[0], lambda r: only_version(r) and r.mfr_sndr != "")
        if report is not None:
            report.quirk = model.DEMO_DOLLAR_IN_VALUE
            report.mfr_num = f"JP-{report.mfr_num.split('-')[1]}-$E2B{b.rng.randrange(10**9, 10**10)}"
        report = choose(laers_q[-1], superseded)
        if report is not None:
            report.quirk = model.DEMO_SPLIT_LINE
        report = choose(laers_q[-1], lambda r: len(r.drugs) >= 3 and not r.rejected)
        if report is not None:
            for drug, quirk in zip(report.drugs[1:3], (model.DRUG_GLUED_HEAD, model.DRUG_GLUED_TAIL), strict=True):
                drug.quirk, drug.therapies, drug.indications = quirk, [], []
        for quarter in laers_q:
            for _ in range(3):
                report = choose(quarter, lambda r: True)
                if report is not None:
                    drug = report.drugs[-1]
                    drug.quirk, drug.dose_vbm = model.DRUG_CONTROL_BYTE, (drug.dose_vbm or "UNK") + "\x08"
    for quarter in b.quarters[:3]:
        # non-ASCII sender names: latin-1 bytes in LAERS files, "?" in FAERS files
        for name, _ in vocab.MANUFACTURERS[-2:]:
            report = choose(quarter, lambda r: r.mfr_sndr != "")
            if report is not None:
                report.mfr_sndr = name
    first = b.quarters[0]
    # junk numbers (faers_format.md §9): an age that is not a number, a weight above the 635 kg limit
    for age in ("U", "163/6"):
        report = choose(first, lambda r: True)
        if report is not None:
            report.age, report.age_cod, report.age_years, report.age_grp = age, "YR", None, ""
    report = choose(first, lambda r: True)
    if report is not None:
        report.wt, report.wt_cod = "3912", "KG"
    if faers_q:
        modern = [q for q in faers_q if q.at_least(2014, 3)] or faers_q
        report = choose(modern[0], lambda r: len(r.drugs) >= 2)
        if report is not None:
            drug = report.drugs[-1]
            drug.quirk, drug.therapies, drug.indications = model.DRUG_DOLLAR_IN_VALUE, [], []
            drug.dose_vbm = "2.5 MG $ 5 MG ALTERNATING DAYS"
        report = choose(faers_q[len(faers_q) // 2], lambda r: len(r.reactions) >= 2)
        if report is not None:
            report.reactions[-1].quirk = model.REAC_TRUNCATED
            report.quirk = "reac_truncated"
    q4 = Quarter(2012, 4)
    if q4 in b.reports:
        for _ in range(2):
            report = choose(q4, lambda r: r.mfr_sndr != "")
            if report is not None:
                report.quirk = model.DEMO_DUPLICATED
        for _ in range(2):
            report = choose(q4, lambda r: True)
            if report is not None:
                report.quirk = "vitamins"
                vitamins = vocab.DRUG_BY_INGREDIENT["multivitamins"]
                row = b.drug_row(vitamins, "C")
                row.drugname = '"VITAMINS" (NOS)'
                row.seq = len(report.drugs) + 1
                report.drugs.append(row)


def plant_republished(b: _Builder) -> None:
    """A few last versions published again, unchanged, in a later quarter (faers_format.md §4)."""
    modern = [q for q in b.quarters if q.at_least(2014, 3)]
    if len(modern) < 2:
        return
    candidates = _cases_with(
        b,
        lambda reps: (
            reps[-1].quarter in modern[:-1]
            and reps[-1].quirk is None
            and all(d.quirk is None for d in reps[-1].drugs)
            and all(r.quirk is None for r in reps[-1].reactions)
        ),
    )
    b.rng.shuffle(candidates)
    for reports in candidates[:3]:
        last = reports[-1]
        later = [q for q in modern if q > last.quarter]
        again = copy.deepcopy(last)
        again.quarter = b.rng.choice(later)
        last.quirk = again.quirk = "republished"
        b.add(again)


def deleted_lists(b: _Builder) -> dict[Quarter, dict[str, list[str]]]:
    """Deleted-case lists from 2019Q1: real case ids (old and new, one re-reported later), ids matching
    nothing, duplicates, overlap with the previous list, and a leading single-space line."""
    result: dict[Quarter, dict[str, list[str]]] = {}
    previous: list[str] = []
    for quarter in b.quarters:
        if not has_deleted_list(quarter):
            continue
        eligible = sorted(
            case_id
            for case_id, reports in b.case_reports.items()
            if reports[0].quarter <= quarter
            and all(r.quirk is None for r in reports)
            and all(d.quirk is None for r in reports for d in r.drugs)
        )
        n = max(3, len(eligible) // 120)
        ids = [str(c) for c in b.rng.sample(eligible, min(n, len(eligible)))]
        reborn = [c for c in eligible if any(r.quarter > quarter for r in b.case_reports[c])]
        if reborn:
            ids.append(str(b.rng.choice(reborn)))
        ids += [str(b.rng.randrange(10**7, 3 * 10**7)) for _ in range(3)]
        ids += b.rng.sample(ids, 2)
        ids += previous[:2]
        previous = sorted(set(ids))
        lines = [" ", *sorted(ids)]
        members = {deleted_member_path(quarter): lines}
        cumulative = all_deleted_member_path(quarter)
        if cumulative is not None:
            old = sorted(
                c
                for c in b.case_ids
                if all(r.quarter.is_laers for r in b.case_reports.get(c, []))
                and c in b.case_reports
                and all(r.quirk is None for r in b.case_reports[c])
            )
            picked = b.rng.sample(old, min(4, len(old))) if old else []
            members[cumulative] = sorted(
                [str(c) for c in picked] + [str(b.rng.randrange(10**6, 9 * 10**6)) for _ in range(6)]
            )
        result[quarter] = members
    return result
