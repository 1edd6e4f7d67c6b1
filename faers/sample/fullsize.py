"""Full-size mode: ONE realistic FAERS quarter (~400k cases, ~1.5M DRUG rows, ~1.2M REAC rows) for
benchmarks, generated with vectorised numpy and rendered with polars, then zipped deterministically.

Frequencies are skewed like FAERS (Zipf-like over ~5,000 drugs and ~15,000 PTs: the real vocabulary of
``vocab`` first, then systematic INN-like drug names and MedDRA-like PT names). The baclofen plant of the
default sample is kept (at a realistic 0.3% of reports), so the demo's signals also show here. There are no
malformed rows; the layout (member names, header, CRLF/LF, deleted list) is the quarter's own.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from faers.sample import vocab
from faers.sample.cases import BACLOFEN_PT_RATES, INTRATHECAL_SHARE, SEX_PT_RATE_FEMALE
from faers.sample.fullsize_truth import full_size_truth
from faers.sample.layout import (
    TABLES,
    Quarter,
    deleted_member_path,
    has_bom,
    has_deleted_list,
    header,
    line_terminator,
    member_path,
    zip_name,
)
from faers.sample.render import SAMPLE_MARKER
from faers.sample.synthetic import drug_vocabulary, pt_vocabulary
from faers.sample.truth import SampleTruth
from faers.sample.write import BOM, DeterministicZip, MemberStats

FULL_SIZE_QUARTER = "2023Q4"
FULL_SIZE_CASES = 400_000
BACLOFEN_PS_SHARE = 0.003
MEAN_EXTRA_DRUGS = 2.75  # DRUG rows per report = 1 + Poisson(2.75): ~3.75
MEAN_EXTRA_PTS = 2.0  # REAC rows per report = 1 + Poisson(2.0): ~3.0
FAST_DEFLATE = 1  # zlib level 1: ~3x faster than 6 on 400 MB of text, ~35% larger zip

OnStep = Callable[[str], None]


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

    def __init__(self, quarter: Quarter, n: int, seed: int) -> None:
        self.quarter = quarter
        self.n = n
        self.rng = np.random.default_rng(seed)
        self.drugs = drug_vocabulary()
        self.pts = pt_vocabulary()
        self.real = {d.ingredient: d for d in vocab.DRUGS}

    # --- reports ------------------------------------------------------------------------------------------

    def reports(self) -> None:
        rng, n, q = self.rng, self.n, self.quarter
        base = 4_000_000 + q.index * 300_000
        offsets = np.sort(rng.permutation(max(2 * n, 3_000_000))[:n])
        case_id = base + offsets
        case_id = np.where(case_id < 10_000_000, case_id + 10_000_000, case_id)
        version = 1 + rng.geometric(0.55, n) - 1
        version = np.where(rng.random(n) < 0.4, 1, version)
        digits = np.floor(np.log10(version)).astype(np.int64) + 1
        primary_id = case_id * 10**digits + version
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
        planted = {"baclofen", "warfarin", "metformin", "clozapine"}
        cum = _zipf_cum(len(self.drugs), 8.0, 1.05)
        drug = _draw(rng, cum, total)
        background_ok = ~np.isin(drug, [self.drugs.index(p) for p in sorted(planted)])
        drug = np.where(background_ok, drug, (drug + 7) % len(self.drugs))
        first = position == 0
        drug = np.where(first & self.baclofen[report], self.drugs.index("baclofen"), drug)
        role_idx = np.where(
            first,
            np.where(rng.random(total) < 0.98, 0, 1),
            1 + rng.choice(3, total, p=[0.25, 0.7, 0.05]),
        )
        role = pl.Series(["PS", "SS", "C", "I"]).gather(role_idx)
        self.drug_report, self.drug_idx, self.drug_ps = report, drug, role_idx == 0
        self.drug_seq = position + 1
        self.drug_intrathecal = first & self.intrathecal[report]
        names = self.drugs
        upper = pl.Series([d.upper() for d in names])
        brand = pl.Series(
            [self.real[d].brands[0] if d in self.real and self.real[d].brands else d.upper() for d in names]
        )
        salt = pl.Series([self.real[d].salt if d in self.real else d.upper() for d in names])
        route_of = pl.Series([self.real[d].route.capitalize() if d in self.real else "Oral" for d in names])
        strength = pl.Series([" ".join(self.real[d].strength) if d in self.real else "10 MG" for d in names])
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
        route = _replace(route_of.gather(drug), self.drug_intrathecal, "Intrathecal")
        blank = _blank(total)
        return pl.DataFrame(
            {
                "primaryid": self.primary_id[report],
                "caseid": self.case_id[report],
                "drug_seq": self.drug_seq,
                "role_cod": role,
                "drugname": drugname,
                "prod_ai": _keep(salt.gather(drug), rng.random(total) < 0.97),
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
        pt = _draw(rng, _zipf_cum(len(self.pts), 6.0, 1.1), int(m.sum()))
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
        strangers = rng.integers(1_000_000, 30_000_000, 25)
        ids = np.concatenate([picked, strangers, picked[:5]]).astype(str)
        return [" ", *sorted(ids.tolist())]


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


def generate_full_size(
    out_dir: Path,
    *,
    quarters: Sequence[str] | None = None,
    n_cases: int | None = None,
    seed: int = 42,
    on_step: OnStep | None = None,
) -> SampleTruth:
    """Write one full-size FAERS quarter and its truth.json into ``out_dir``."""
    texts = list(quarters) if quarters else [FULL_SIZE_QUARTER]
    if len(texts) != 1:
        raise ValueError(f"full-size mode writes exactly one quarter, got {texts}")
    quarter = Quarter.parse(texts[0])
    if quarter.is_laers:
        raise ValueError(f"full-size mode writes a FAERS quarter (2012Q4 or later), got {quarter}")
    n = FULL_SIZE_CASES if n_cases is None else n_cases
    if n < 1000:
        raise ValueError(f"full-size mode needs at least 1,000 cases (got {n})")
    from faers.sample.generate import _check_out_dir

    _check_out_dir(out_dir, {zip_name(quarter)})
    step = on_step or (lambda _message: None)
    gen = FullSizeQuarter(quarter, n, seed)
    gen.reports()
    frames: dict[str, pl.DataFrame] = {"demo": gen.demo_frame()}
    frames["drug"] = gen.drug_frame()
    frames["reac"] = gen.reac_frame()
    frames["outc"] = gen.outc_frame()
    frames["rpsr"] = gen.rpsr_frame()
    frames["ther"] = gen.ther_frame()
    frames["indi"] = gen.indi_frame()
    step(f"built {n:,} cases, {frames['drug'].height:,} drug and {frames['reac'].height:,} reaction rows")
    deleted = gen.deleted_lines() if has_deleted_list(quarter) else None
    stats: dict[str, Any] = {}
    with DeterministicZip(out_dir / zip_name(quarter), quarter, compresslevel=FAST_DEFLATE) as archive:
        for table in TABLES:
            cols = [c.strip().lower() for c in header(quarter, table).split("$")]
            data = _csv_bytes(frames[table].select(cols), quarter, table)
            member = member_path(quarter, table)
            archive.write(member, data)
            stats[table] = MemberStats(member=member, data_lines=frames[table].height, bytes=len(data)).as_dict()
            step(f"wrote {member} ({len(data) / 1e6:.0f} MB)")
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
    planted = {"baclofen_ps_share": BACLOFEN_PS_SHARE, "intrathecal_share": INTRATHECAL_SHARE}
    truth = full_size_truth(gen, quarter, seed, stats, deleted or [], planted)
    truth.write(out_dir / "truth.json")
    return truth
