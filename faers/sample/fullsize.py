"""Full-size mode: ONE realistic FAERS (or LAERS) quarter (~400k cases, ~1.5M DRUG rows, ~1.2M REAC rows) for
benchmarks, generated with vectorised numpy and rendered with polars, then zipped deterministically.

Frequencies are skewed like FAERS (Zipf-like over ~5,000 drugs and ~15,000 PTs: the real vocabulary of
``vocab`` first, then systematic INN-like drug names and MedDRA-like PT names). The baclofen plant of the
default sample is kept (at a realistic 0.3% of reports), so the demo's signals also show here. There are no
malformed rows; the layout (member names, header, CRLF/LF, deleted list) is the quarter's own.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from faers.sample import vocab
from faers.sample.cases import BACLOFEN_PT_RATES, INTRATHECAL_SHARE, PS_PLANT_RATES, SEX_PT_RATE_FEMALE
from faers.sample.drugnames import COMBINATION_SHARE, COMBINATION_WEIGHTS, NOISE_MODES, ProductTable, noisy_names
from faers.sample.fullsize_truth import QuarterTruth, full_size_truth, quarter_truth
from faers.sample.layout import (
    TABLES,
    columns,
    deleted_member_path,
    has_bom,
    has_deleted_list,
    header,
    line_terminator,
    member_path,
    trailing_dollar,
)
from faers.sample.render import SAMPLE_MARKER
from faers.sample.synthetic import N_DRUGS, drug_vocabulary, pt_vocabulary
from faers.sample.truth import SampleTruth
from faers.sample.write import BOM, DeterministicZip, MemberStats, check_out_dir
from loaders.quarters import Quarter

FULL_SIZE_QUARTER = "2023Q4"
FULL_SIZE_CASES = 400_000
BACLOFEN_PS_SHARE = 0.003
MEAN_EXTRA_DRUGS = 2.75  # DRUG rows per report = 1 + Poisson(2.75): ~3.75
MEAN_EXTRA_PTS = 2.0  # REAC rows per report = 1 + Poisson(2.0): ~3.0
FAST_DEFLATE = 1  # zlib level 1: ~3x faster than 6 on 400 MB of text, ~35% larger zip
PROFILE_SHARE = 0.3
"""Share of a report's REAC rows drawn from its primary suspect's own PT profile (the rest from the global Zipf):
as in FAERS, each drug is reported with some PTs more than the background, so its relative reporting rates vary
between PTs. Without it every background cell's rate is 1: the MGPS prior of a whole history collapsed to a point
mass (p -> 7e-7, a fit of 59 iterations); with it the prior is interior and FAERS-like (two quarters: a component
of mean ~13 at weight ~3% and one of mean ~0.8), and a history has ~17% fewer drug-event cells."""
PROFILE_SIZE = 40
"""Draws of a drug's PT profile: from the global Zipf (common PTs are in many profiles, rare ones stand out), the
same in every quarter."""
PROFILE_SEED = 20261205

LAERS_ISR_OFFSET = 50_000_000
"""A LAERS quarter's ISR is its case number plus this (ISRs and CASE numbers are distinct numbers)."""

OnStep = Callable[[str], None]


def drugs_in_use(n: int) -> int:
    """How many of the vocabulary's drugs a quarter of ``n`` cases draws from: all 5,000 at full size, one per
    80 cases below it (at least 300), so that a small quarter keeps the full-size one's rows per drug (what a
    dictionary learned from the data needs) rather than spreading few rows over 5,000 drugs."""
    return min(N_DRUGS, max(300, n // 80))


def case_id_span(n: int) -> int:
    """Width of the range a quarter of ``n`` cases draws its case numbers from."""
    return max(2 * n, 3_000_000)


@functools.cache
def _product_table() -> ProductTable:
    return ProductTable(drug_vocabulary())


def _zipf_cum(n: int, offset: float, power: float) -> np.ndarray:
    weights = 1.0 / (np.arange(n) + offset) ** power
    cum = np.cumsum(weights)
    return cum / cum[-1]


def _draw(rng: np.random.Generator, cum: np.ndarray, size: int) -> np.ndarray:
    return np.searchsorted(cum, rng.random(size), side="right").clip(0, len(cum) - 1)


def _ymd(days: np.ndarray) -> pl.Series:
    """YYYYMMDD strings from days since 1970-01-01."""
    return pl.Series(days.astype("datetime64[D]")).dt.strftime("%Y%m%d")


def _pick(rng: np.random.Generator, values: Sequence[str], weights: Sequence[float], size: int) -> pl.Series:
    p = np.asarray(weights, dtype=float)
    idx = rng.choice(len(values), size=size, p=p / p.sum())
    return pl.Series(list(values), dtype=pl.Utf8).gather(idx)


def _flag(mask: np.ndarray, yes: str, no: str) -> pl.Series:
    """``yes`` where mask else ``no`` as a polars text column (numpy unicode arrays are slow to convert)."""
    return pl.Series([no, yes], dtype=pl.Utf8).gather(mask.astype(np.int64))


def _keep(values: pl.Series | np.ndarray, mask: np.ndarray) -> pl.Series:
    """``values`` as text where mask, blank elsewhere."""
    series = values if isinstance(values, pl.Series) else pl.Series(values)
    frame = pl.DataFrame({"v": series.cast(pl.Utf8), "m": mask})
    return frame.select(pl.when(pl.col("m")).then(pl.col("v")).otherwise(pl.lit(""))).to_series()


def _replace(series: pl.Series, mask: np.ndarray, value: str) -> pl.Series:
    """``value`` where mask, ``series`` elsewhere."""
    frame = pl.DataFrame({"v": series, "m": mask})
    return frame.select(pl.when(pl.col("m")).then(pl.lit(value)).otherwise(pl.col("v"))).to_series()


def _blank(size: int) -> pl.Series:
    return pl.repeat("", size, eager=True)


def _within(starts_repeated: np.ndarray, total: int) -> np.ndarray:
    """Position (0-based) of each child row within its report."""
    return np.arange(total) - starts_repeated


class FullSizeQuarter:
    """Arrays of one full-size quarter."""

    def __init__(
        self,
        quarter: Quarter,
        n: int,
        seed: int,
        drug_noise: str = "realistic",
        case_base: int | None = None,
        drug_seq_base: int = 0,
    ) -> None:
        self.quarter = quarter
        self.n = n
        self.rng = np.random.default_rng(seed)
        self.noise_rng = np.random.default_rng([seed, quarter.index, 20240105])
        self.profile_rng = np.random.default_rng([seed, quarter.index, PROFILE_SEED])
        self.drug_noise = drug_noise
        self.case_base = case_base
        self.drug_seq_base = drug_seq_base
        self.drugs = drug_vocabulary()
        self.pts = pt_vocabulary()
        self.real = {d.ingredient: d for d in vocab.DRUGS}
        self.table = _product_table()
        self.drug_keys = self.table.keys
        """Truth key of each product index of ``drug_idx``: the ingredient, or a combination's sorted set."""
        self.planted = [self.drugs.index(name) for name in sorted(PS_PLANT_RATES)]
        """Indexes of the default sample's planted drugs: kept out of the background draws and the PT profiles."""
        self.pt_cum = _zipf_cum(len(self.pts), 6.0, 1.1)
        """The global PT distribution (Zipf-like)."""
        profile_draws = _draw(np.random.default_rng(PROFILE_SEED), self.pt_cum, len(self.drug_keys) * PROFILE_SIZE)
        self.profiles = profile_draws.reshape(len(self.drug_keys), PROFILE_SIZE)
        """Each product's PT profile (PT indexes): its reports' PTs come from it at PROFILE_SHARE."""

    # --- reports ------------------------------------------------------------------------------------------

    def reports(self) -> None:
        rng, n, q = self.rng, self.n, self.quarter
        base = 4_000_000 + q.index * 300_000 if self.case_base is None else self.case_base
        offsets = np.sort(rng.permutation(case_id_span(n))[:n])
        case_id = base + offsets
        case_id = np.where(case_id < 10_000_000, case_id + 10_000_000, case_id)
        version = 1 + rng.geometric(0.55, n) - 1
        version = np.where(rng.random(n) < 0.4, 1, version)
        digits = np.floor(np.log10(version)).astype(np.int64) + 1
        # LAERS: the ISR is the report's id (8 digits), unrelated to the case number
        primary_id = case_id + LAERS_ISR_OFFSET if q.is_laers else case_id * 10**digits + version
        order = np.argsort(primary_id, kind="stable")
        self.case_id, self.version, self.primary_id = case_id[order], version[order], primary_id[order]
        year, month, _ = q.first_day()
        q_start = (dt.date(year, month, 1) - dt.date(1970, 1, 1)).days
        self.fda_day = q_start + rng.integers(0, 91, n)
        self.event_day = self.fda_day - rng.integers(1, 730, n)
        self.init_day = np.where(self.version > 1, self.fda_day - rng.integers(30, 1500, n), self.fda_day)
        self.sex = _pick(rng, ("F", "M", "UNK", ""), (0.55, 0.38, 0.03, 0.04), n)
        self.baclofen = rng.random(n) < BACLOFEN_PS_SHARE
        self.intrathecal = self.baclofen & (rng.random(n) < INTRATHECAL_SHARE)
        kind = rng.random(n)
        self.event_format = np.select([kind < 0.62, kind < 0.70, kind < 0.76], [8, 6, 4], 0)
        self.event_format = np.where(self.baclofen & (kind < 0.85), 8, self.event_format)
        if q.is_laers:  # LAERS pads partial dates to 8 digits; this generator writes them blank instead
            self.event_format = np.where(self.event_format == 8, 8, 0)

    def demo_frame(self) -> pl.DataFrame:
        rng, n = self.rng, self.n
        years = np.clip(rng.normal(57, 17, n), 0, 99).round()
        age_known = rng.random(n) < 0.8
        unit = _pick(rng, ("YR", "DEC", "MON", "WK", "DY", "HR"), (0.9, 0.03, 0.03, 0.01, 0.025, 0.005), n)
        unit_np = unit.to_numpy()
        age_value = np.select(
            [unit_np == "DEC", unit_np == "MON", unit_np == "WK", unit_np == "DY", unit_np == "HR"],
            [
                np.clip(years // 10, 1, 9),
                years * 12 + rng.integers(0, 12, n),
                rng.integers(0, 100, n),
                years * 365 + rng.integers(0, 200, n),
                rng.integers(1, 72, n),
            ],
            years,
        ).astype(np.int64)
        weight = np.clip(rng.normal(78, 19, n), 3, 250)
        wt_known = rng.random(n) < 0.35
        lbs = rng.random(n) < 0.15
        event = _ymd(self.event_day)
        event = (
            pl.DataFrame({"e": event, "f": self.event_format})
            .select(
                pl.when(pl.col("f") == 8)
                .then(pl.col("e"))
                .when(pl.col("f") == 6)
                .then(pl.col("e").str.slice(0, 6))
                .when(pl.col("f") == 4)
                .then(pl.col("e").str.slice(0, 4))
                .otherwise(pl.lit(""))
            )
            .to_series()
        )
        countries = [c for c, _ in vocab.COUNTRIES]
        country = _pick(rng, countries, [1 / (i + 1) ** 1.6 for i in range(len(countries))], n)
        rept = _pick(rng, ("EXP", "PER", "DIR", "5DAY", "30DAY"), (0.66, 0.2, 0.13, 0.005, 0.005), n)
        is_dir = (rept == "DIR").to_numpy()
        mfr_names = [m for m, _ in vocab.MANUFACTURERS[:-2]]
        mfr_idx = rng.integers(0, len(mfr_names), n)
        mfr = pl.Series(mfr_names).gather(mfr_idx)
        mfr_codes = pl.Series([c for _, c in vocab.MANUFACTURERS[:-2]]).gather(mfr_idx)
        fda = _ymd(self.fda_day)
        frame = pl.DataFrame(
            {
                "primaryid": self.primary_id,
                "caseid": self.case_id,
                "caseversion": self.version,
                "i_f_code": _flag(self.version > 1, "F", "I"),
                "event_dt": event,
                "mfr_dt": _ymd(self.fda_day - rng.integers(0, 15, self.n)),
                "init_fda_dt": _ymd(self.init_day),
                "fda_dt": fda,
                "rept_cod": rept,
                "auth_num": _blank(n),
                "mfr_num": country
                + "-"
                + mfr_codes
                + "-"
                + fda.str.slice(0, 4)
                + pl.Series(rng.integers(100_000, 1_000_000, n)).cast(pl.Utf8),
                "mfr_sndr": mfr,
                "lit_ref": pl.repeat(SAMPLE_MARKER, n, eager=True),
                "age": _keep(age_value, age_known),
                "age_cod": _keep(unit, age_known),
                "age_grp": _blank(n),
                "sex": self.sex,
                "gndr_cod": self.sex,
                "e_sub": _flag(is_dir, "N", "Y"),
                "wt": _keep(np.where(lbs, weight / 0.45359237, weight).round().astype(np.int64), wt_known),
                "wt_cod": _keep(_flag(lbs, "LBS", "KG"), wt_known),
                "rept_dt": fda,
                "to_mfr": _flag(is_dir, "N", ""),
                "occp_cod": _pick(
                    rng, ("MD", "PH", "OT", "LW", "CN", "HP", ""), (0.2, 0.05, 0.1, 0.02, 0.4, 0.13, 0.1), n
                ),
                "reporter_country": country,
                "occr_country": country,
            }
        )
        frame = frame.with_columns(
            pl.when(pl.Series(is_dir)).then(pl.lit("")).otherwise(pl.col("mfr_num")).alias("mfr_num"),
            pl.when(pl.Series(is_dir)).then(pl.lit("")).otherwise(pl.col("mfr_sndr")).alias("mfr_sndr"),
        )
        return frame

    # --- drugs --------------------------------------------------------------------------------------------

    def drug_frame(self) -> pl.DataFrame:
        rng, n = self.rng, self.n
        k = 1 + rng.poisson(MEAN_EXTRA_DRUGS, n)
        total = int(k.sum())
        report = np.repeat(np.arange(n), k)
        starts = np.repeat(np.cumsum(k) - k, k)
        position = _within(starts, total)
        n_drugs = drugs_in_use(n)
        cum = _zipf_cum(n_drugs, 8.0, 1.05)
        drug = _draw(rng, cum, total)
        background_ok = ~np.isin(drug, self.planted)
        drug = np.where(background_ok, drug, (drug + 7) % n_drugs)
        first = position == 0
        drug = np.where(first & self.baclofen[report], self.drugs.index("baclofen"), drug)
        role_idx = np.where(
            first,
            np.where(rng.random(total) < 0.98, 0, 1),
            1 + rng.choice(3, total, p=[0.25, 0.7, 0.05]),
        )
        role = pl.Series(["PS", "SS", "C", "I"]).gather(role_idx)
        self.drug_seq = position + 1 if not self.quarter.is_laers else self.drug_seq_base + np.arange(total) + 1
        self.drug_intrathecal = first & self.intrathecal[report]
        if self.drug_noise == "realistic":
            combination = ~(first & self.baclofen[report]) & (rng.random(total) < COMBINATION_SHARE)
            pick = rng.choice(len(COMBINATION_WEIGHTS), total, p=COMBINATION_WEIGHTS)
            drug = np.where(combination, self.table.first_combination + pick, drug)
        self.drug_report, self.drug_idx, self.drug_ps, self.drug_role = report, drug, role_idx == 0, role_idx
        drugname, prod_ai, self.drug_known = self._drug_names(drug, total)
        route_of = pl.Series(
            [self.table.products[i].route.capitalize() for i in range(len(self.drug_keys))], dtype=pl.Utf8
        )
        strength = pl.Series([" ".join(p.strength) for p in self.table.products], dtype=pl.Utf8)
        route = _replace(route_of.gather(drug), self.drug_intrathecal, "Intrathecal")
        blank = _blank(total)
        return pl.DataFrame(
            {
                "primaryid": self.primary_id[report],
                "caseid": self.case_id[report],
                "drug_seq": self.drug_seq,
                "role_cod": role,
                "drugname": drugname,
                "prod_ai": prod_ai,
                "val_vbm": _flag(rng.random(total) < 0.9, "1", "2"),
                "route": route,
                "dose_vbm": _replace(strength.gather(drug), rng.random(total) < 0.5, "UNK"),
                "cum_dose_chr": blank,
                "cum_dose_unit": blank,
                "dechal": _pick(rng, ("Y", "N", "U", "D", ""), (0.15, 0.1, 0.35, 0.3, 0.1), total),
                "rechal": _pick(rng, ("Y", "N", "U", "D", ""), (0.05, 0.05, 0.4, 0.35, 0.15), total),
                "lot_num": blank,
                "exp_dt": blank,
                "nda_num": _keep(rng.integers(10_000, 210_000, total), rng.random(total) < 0.3),
                "dose_amt": strength.gather(drug).str.split(" ").list.first(),
                "dose_unit": strength.gather(drug).str.split(" ").list.last(),
                "dose_form": _pick(
                    rng, ("TABLET", "Tablet", "INJECTION", "Capsule", ""), (0.3, 0.2, 0.1, 0.1, 0.3), total
                ),
                "dose_freq": _pick(rng, vocab.DOSE_FREQS, (0.3, 0.15, 0.1, 0.05, 0.05, 0.05, 0.05, 0.25), total),
            }
        )

    def _drug_names(self, drug: np.ndarray, total: int) -> tuple[pl.Series, pl.Series, np.ndarray]:
        """(drugname, prod_ai, known) per drug row, in the sample's drug-noise mode."""
        if self.drug_noise == "realistic":
            product = np.where(self.drug_intrathecal, self.table.intrathecal_baclofen, drug)
            laers = np.full(total, self.quarter.is_laers)
            names = noisy_names(self.table, product, laers, self.noise_rng)
            return names.drugname, names.prod_ai, ~names.unknown
        rng, products = self.rng, self.table.products
        upper = pl.Series([p.generics[0] for p in products], dtype=pl.Utf8)
        brand = pl.Series([p.brands[0] if p.brands else p.generics[0] for p in products], dtype=pl.Utf8)
        # basic: prod_ai is the salt form of a real drug, the bare name of a synthetic one
        salt = pl.Series(
            [p.prod_ai if k in self.real else p.generics[0] for k, p in zip(self.drug_keys, products, strict=True)],
            dtype=pl.Utf8,
        )
        strength = pl.Series([" ".join(p.strength) for p in products], dtype=pl.Utf8)
        use_brand = rng.random(total) < 0.45
        with_dose = rng.random(total) < 0.2
        drugname = (
            pl.DataFrame({"u": upper.gather(drug), "b": brand.gather(drug), "s": strength.gather(drug)})
            .select(
                pl.when(pl.Series(use_brand)).then(pl.col("b")).otherwise(pl.col("u"))
                + pl.when(pl.Series(with_dose)).then(pl.lit(" ") + pl.col("s")).otherwise(pl.lit(""))
            )
            .to_series()
        )
        drugname = _replace(drugname, self.drug_intrathecal, "GABLOFEN")
        prod_ai = _keep(salt.gather(drug), rng.random(total) < 0.97)
        return drugname, prod_ai, np.ones(total, dtype=bool)

    def ther_frame(self) -> pl.DataFrame:
        rng = self.rng
        total = len(self.drug_report)
        is_ps = self.drug_ps
        baclofen_ps = is_ps & self.baclofen[self.drug_report]
        has = rng.random(total) < np.where(baclofen_ps, 0.92, np.where(is_ps, 0.75, 0.3))
        rows = np.flatnonzero(has)
        report = self.drug_report[rows]
        tto = np.where(
            baclofen_ps[rows],
            np.where(self.drug_intrathecal[rows], rng.integers(0, 7, len(rows)), rng.integers(14, 400, len(rows))),
            rng.integers(0, 900, len(rows)),
        )
        kind = rng.random(len(rows))
        after = (kind >= 0.93) & (kind < 0.96)
        start_day = np.where(
            after, self.event_day[report] + rng.integers(1, 60, len(rows)), self.event_day[report] - tto
        )
        start = _ymd(start_day)
        fmt = np.select([kind < 0.77, kind < 0.87, kind < 0.90, kind < 0.93, kind < 0.96], [8, 6, 4, -1, 8], 0)
        fmt = np.where(baclofen_ps[rows] & (kind < 0.9), 8, fmt)
        if self.quarter.is_laers:
            fmt = np.where((fmt == 6) | (fmt == 4), 0, fmt)
        start = (
            pl.DataFrame({"s": start, "f": fmt})
            .select(
                pl.when(pl.col("f") == 8)
                .then(pl.col("s"))
                .when(pl.col("f") == 6)
                .then(pl.col("s").str.slice(0, 6))
                .when(pl.col("f") == 4)
                .then(pl.col("s").str.slice(0, 4))
                .when(pl.col("f") == -1)
                .then(pl.col("s").str.slice(0, 4) + pl.lit("0231"))
                .otherwise(pl.lit(""))
            )
            .to_series()
        )
        self.ther_rows, self.ther_start = rows, start.to_numpy()
        has_end = rng.random(len(rows)) < 0.4
        dur = rng.integers(1, 300, len(rows))
        return pl.DataFrame(
            {
                "primaryid": self.primary_id[report],
                "caseid": self.case_id[report],
                "dsg_drug_seq": self.drug_seq[rows],
                "start_dt": start,
                "end_dt": _keep(_ymd(start_day + dur), has_end & (fmt == 8)),
                "dur": _keep(dur, has_end & (fmt == 8)),
                "dur_cod": _flag(has_end & (fmt == 8), "DAY", ""),
            }
        )

    def indi_frame(self) -> pl.DataFrame:
        rng = self.rng
        total = len(self.drug_report)
        has = rng.random(total) < np.where(self.drug_ps, 0.8, 0.6)
        rows = np.flatnonzero(has)
        generic = list(vocab.GENERIC_INDICATIONS)
        own = pl.Series(
            [
                self.real[d].indications[0] if d in self.real else generic[i % len(generic)]
                for i, d in enumerate(self.drugs)
            ]
            # intrathecal baclofen and the combinations: their first ingredient's
            + [self.real[p.ingredients[0]].indications[0] for p in self.table.products[len(self.drugs) :]]
        )
        report = self.drug_report[rows]
        self.indi_rows = rows
        return pl.DataFrame(
            {
                "primaryid": self.primary_id[report],
                "caseid": self.case_id[report],
                "indi_drug_seq": self.drug_seq[rows],
                "indi_pt": own.gather(self.drug_idx[rows]),
            }
        )

    # --- reactions and outcomes ---------------------------------------------------------------------------

    def reac_frame(self) -> pl.DataFrame:
        rng, n = self.rng, self.n
        m = 1 + rng.poisson(MEAN_EXTRA_PTS, n)
        report = np.repeat(np.arange(n), m)
        pt = _draw(rng, self.pt_cum, int(m.sum()))
        pt = self._profile_pts(report, pt)
        extra_reports, extra_pts = [report], [pt]
        pt_index = {p: i for i, p in enumerate(self.pts)}
        for name, (rate_it, rate_oral) in BACLOFEN_PT_RATES.items():
            rate = np.where(self.intrathecal, rate_it, rate_oral)
            hit = np.flatnonzero(self.baclofen & (rng.random(n) < rate))
            extra_reports.append(hit)
            extra_pts.append(np.full(len(hit), pt_index[name]))
        female = (self.sex == "F").to_numpy()
        hit = np.flatnonzero(self.baclofen & female & (rng.random(n) < SEX_PT_RATE_FEMALE))
        extra_reports.append(hit)
        extra_pts.append(np.full(len(hit), pt_index[vocab.SEX_DIFFERENCE_PT]))
        report = np.concatenate(extra_reports)
        pt = np.concatenate(extra_pts)
        order = np.argsort(report, kind="stable")
        self.reac_report, self.reac_pt = report[order], pt[order]
        names = pl.Series(self.pts)
        text = names.gather(self.reac_pt)
        upper = rng.random(len(order)) < 0.03
        text = (
            pl.DataFrame({"t": text, "m": upper})
            .select(pl.when(pl.col("m")).then(pl.col("t").str.to_uppercase()).otherwise(pl.col("t")))
            .to_series()
        )
        return pl.DataFrame(
            {
                "primaryid": self.primary_id[self.reac_report],
                "caseid": self.case_id[self.reac_report],
                "pt": text,
                "drug_rec_act": _blank(len(order)),
            }
        )

    def _profile_pts(self, report: np.ndarray, pt: np.ndarray) -> np.ndarray:
        """``pt`` with PROFILE_SHARE of the rows of each report redrawn from its primary suspect's profile (its own
        random stream, so every other column is as before). The planted drugs keep the global draw: their
        signals are the planted ones (faers.sample.truth)."""
        primary = np.full(self.n, -1)
        primary[self.drug_report[self.drug_ps]] = self.drug_idx[self.drug_ps]
        drug = primary[report]
        draw = self.profile_rng.random(pt.size) < PROFILE_SHARE
        member = self.profile_rng.integers(0, PROFILE_SIZE, pt.size)
        use = draw & (drug >= 0) & ~np.isin(drug, self.planted)
        return np.where(use, self.profiles[np.maximum(drug, 0), member], pt)

    def outc_frame(self) -> pl.DataFrame:
        rng, n = self.rng, self.n
        count = np.where(rng.random(n) < 0.55, np.where(rng.random(n) < 0.75, 1, 2), 0)
        report = np.repeat(np.arange(n), count)
        code = rng.choice(7, len(report), p=[0.06, 0.06, 0.35, 0.04, 0.02, 0.02, 0.45])
        self.outc_report, self.outc_code = report, code
        return pl.DataFrame(
            {
                "primaryid": self.primary_id[report],
                "caseid": self.case_id[report],
                "outc_cod": pl.Series(list(vocab.OUTCOME_CODES)).gather(code),
            }
        )

    def rpsr_frame(self) -> pl.DataFrame:
        rng, n = self.rng, self.n
        report = np.flatnonzero(rng.random(n) < 0.1)
        return pl.DataFrame(
            {
                "primaryid": self.primary_id[report],
                "caseid": self.case_id[report],
                "rpsr_cod": _pick(
                    rng, vocab.RPSR_CODES, (0.25, 0.1, 0.1, 0.2, 0.2, 0.05, 0.05, 0.02, 0.03), len(report)
                ),
            }
        )

    def deleted_lines(self) -> list[str]:
        rng = self.rng
        picked = rng.choice(self.case_id, size=max(3, self.n // 200), replace=False)
        strangers = rng.integers(1_000_000, 10_000_000, 25)  # below every generated case number
        ids = np.concatenate([picked, strangers, picked[:5]]).astype(str)
        return [" ", *sorted(ids.tolist())]


_SAME_COLUMN: dict[str, str] = {
    "isr": "primaryid",
    "case": "caseid",
    "i_f_cod": "i_f_code",
    "lot_nbr": "lot_num",
    "outc_code": "outc_cod",
}
_COUNTRY_NAMES = dict(vocab.COUNTRIES)


def _era_frame(frame: pl.DataFrame, quarter: Quarter, table: str) -> pl.DataFrame:
    """The columns of ``table`` in ``quarter``'s layout, from a frame built with FAERS's names: LAERS's ISR,
    CASE and global DRUG_SEQ, country names and upper-case PTs, 2012Q4's lot_nbr and outc_code, blanks for
    columns this generator does not fill, and LAERS's trailing empty field."""
    laers = quarter.is_laers
    selected = []
    for name in columns(quarter, table):
        source = _SAME_COLUMN.get(name, name)
        if laers and name == "drug_seq" and table in ("ther", "indi"):
            source = "dsg_drug_seq" if table == "ther" else "indi_drug_seq"
        if source not in frame.columns:
            selected.append(pl.lit("").alias(name))
        elif laers and name == "reporter_country":
            selected.append(pl.col(source).replace_strict(_COUNTRY_NAMES, default="").alias(name))
        elif laers and name == "pt":
            selected.append(pl.col(source).str.to_uppercase().alias(name))
        else:
            selected.append(pl.col(source).alias(name))
    if trailing_dollar(quarter, table):
        selected.append(pl.lit("").alias("_trailing_empty_field"))
    return frame.select(selected)


def _csv_bytes(frame: pl.DataFrame, quarter: Quarter, table: str) -> bytes:
    eol = line_terminator(quarter)
    buffer = io.BytesIO()
    frame.write_csv(
        buffer,
        separator="$",
        quote_style="never",
        include_header=False,
        line_terminator=eol.decode(),
        null_value="",
    )
    head = (BOM if has_bom(quarter, table) else b"") + header(quarter, table).encode("ascii") + eol
    return head + buffer.getvalue()


DRUG_TRUTH_FILE = "drug_truth_{year}q{q}.parquet"
"""Per quarter: the truth of every DRUG row (primary_id = primaryid or ISR, drug_seq, role_cod, ingredients:
the row's true ingredients sorted and joined with ``\\``, empty for an unknown name)."""


def drug_truth_frame(gen: FullSizeQuarter) -> pl.DataFrame:
    """The truth of every DRUG row of a generated quarter (its drug frame must have been built)."""
    keys = pl.Series(gen.drug_keys, dtype=pl.Utf8).gather(gen.drug_idx)
    return pl.DataFrame(
        {
            "quarter": pl.repeat(str(gen.quarter), len(gen.drug_idx), eager=True),
            "primary_id": gen.primary_id[gen.drug_report],
            "drug_seq": gen.drug_seq.astype(np.int64),
            "role_cod": pl.Series(["PS", "SS", "C", "I"]).gather(gen.drug_role),
            "ingredients": keys.scatter(np.flatnonzero(~gen.drug_known), ""),
        }
    )


def _write_quarter(out_dir: Path, gen: FullSizeQuarter, step: OnStep) -> tuple[dict[str, Any], QuarterTruth]:
    quarter = gen.quarter
    gen.reports()
    frames: dict[str, pl.DataFrame] = {"demo": gen.demo_frame()}
    frames["drug"] = gen.drug_frame()
    frames["reac"] = gen.reac_frame()
    frames["outc"] = gen.outc_frame()
    frames["rpsr"] = gen.rpsr_frame()
    frames["ther"] = gen.ther_frame()
    frames["indi"] = gen.indi_frame()
    step(
        f"{quarter}: built {gen.n:,} cases, {frames['drug'].height:,} drug and {frames['reac'].height:,} reaction rows"
    )
    deleted = gen.deleted_lines() if has_deleted_list(quarter) else None
    stats: dict[str, Any] = {}
    with DeterministicZip(out_dir / quarter.zip_name, quarter, compresslevel=FAST_DEFLATE) as archive:
        for table in TABLES:
            frame = frames.pop(table)
            data = _csv_bytes(_era_frame(frame, quarter, table), quarter, table)
            member = member_path(quarter, table)
            archive.write(member, data)
            stats[table] = MemberStats(member=member, data_lines=frame.height, bytes=len(data)).as_dict()
            step(f"wrote {member} ({len(data) / 1e6:.0f} MB)")
            del frame, data
        if deleted is not None:
            member = deleted_member_path(quarter)
            data = "".join(line + "\n" for line in deleted).encode("ascii")
            archive.write(member, data)
            stats["deleted"] = {
                "members": [member],
                "data_lines": len(deleted),
                "blank_lines": 1,
                "malformed": 0,
                "per_member": [
                    MemberStats(member=member, data_lines=len(deleted), blank_lines=1, bytes=len(data)).as_dict()
                ],
            }
    drug_truth = out_dir / DRUG_TRUTH_FILE.format(year=quarter.year, q=quarter.q)
    drug_truth_frame(gen).write_parquet(drug_truth, compression="zstd", statistics=False)
    return stats, quarter_truth(gen, deleted or [])


def generate_full_size(
    out_dir: Path,
    *,
    quarters: Sequence[str] | None = None,
    n_cases: int | None = None,
    seed: int = 42,
    drug_noise: str = "realistic",
    on_step: OnStep | None = None,
) -> SampleTruth:
    """Write full-size quarters (LAERS or FAERS, default 2023Q4), each of ``n_cases`` cases, their truth.json
    and one drug-row truth Parquet file per quarter into ``out_dir``.

    One quarter at a time is held in memory. With several quarters, each draws its cases from its own range
    (no case spans quarters) and its own seed; one quarter alone is what benchmarks/warehouse.py expects.
    """
    texts = list(quarters) if quarters else [FULL_SIZE_QUARTER]
    parsed = [Quarter.parse_published(text) for text in texts]
    if len(set(parsed)) != len(parsed):
        raise ValueError(f"duplicate quarter in {texts}")
    parsed.sort()
    if drug_noise not in NOISE_MODES:
        raise ValueError(f"drug noise must be one of {', '.join(NOISE_MODES)} (got {drug_noise!r})")
    n = FULL_SIZE_CASES if n_cases is None else n_cases
    if n < 1000:
        raise ValueError(f"full-size mode needs at least 1,000 cases (got {n})")

    check_out_dir(out_dir, {q.zip_name for q in parsed})
    step = on_step or (lambda _message: None)
    files: dict[str, Any] = {}
    parts: list[QuarterTruth] = []
    several = len(parsed) > 1
    for k, quarter in enumerate(parsed):
        gen = FullSizeQuarter(
            quarter,
            n,
            seed + 7919 * k,
            drug_noise=drug_noise,
            case_base=10_000_000 + k * case_id_span(n) if several else None,
            drug_seq_base=1_000_000_000 + k * 20_000_000,
        )
        stats, part = _write_quarter(out_dir, gen, step)
        files[quarter.zip_name] = stats
        parts.append(part)
        del gen
    planted = {"baclofen_ps_share": BACLOFEN_PS_SHARE, "intrathecal_share": INTRATHECAL_SHARE}
    truth = full_size_truth(parts, seed, files, planted)
    truth.drug_noise = drug_noise
    truth.write(out_dir / "truth.json")
    return truth
