"""Build the default synthetic sample in memory: cases, their versions across quarters, planted signals,
quirks and deleted-case lists. Deterministic: everything is drawn from one ``random.Random(seed)``.

Planted truth (see truth.py for how it is computed back from the records):

* baclofen as primary suspect (PS) raises the rate of a few nervous-system PTs
  (``vocab.BACLOFEN_PLANTED_PTS``);
  its other PTs come from the same background distribution as every other report;
* intrathecal baclofen starts days before the event, oral baclofen weeks to a year before;
* ``vocab.SEX_DIFFERENCE_PT`` is raised for baclofen in female reports only;
* ``vocab.OTHER_PLANTED_PAIRS``: a few more drug-event pairs.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from itertools import accumulate

from faers.sample import model, vocab
from faers.sample.layout import Quarter, all_deleted_member_path, deleted_member_path, has_deleted_list
from faers.sample.model import DrugRow, Reaction, Report, Sample, Therapy

DEFAULT_QUARTERS: tuple[str, ...] = (
    "2012Q2",
    "2012Q3",
    "2012Q4",
    "2014Q3",
    "2017Q4",
    "2018Q1",
    "2019Q1",
    "2023Q4",
)
"""Both eras and every layout quirk: LAERS (2012Q2-Q3), the 2012Q4 transition, prod_ai/sex (2014Q3),
LF-only (2017Q4), DEMO18Q1_new.txt (2018Q1), the first deleted lists (2019Q1), ASCII/ + DELETE (2023Q4)."""

DEFAULT_N_CASES = 5000

PS_PLANT_RATES: dict[str, float] = {
    "baclofen": 0.085,
    "warfarin": 0.03,
    "metformin": 0.03,
    "clozapine": 0.015,
}
"""Share of cases whose primary suspect is each planted drug."""

BACLOFEN_PT_RATES: dict[str, tuple[float, float]] = {
    "Somnolence": (0.15, 0.15),
    "Encephalopathy": (0.08, 0.07),
    "Coma": (0.09, 0.06),
    "Seizure": (0.09, 0.07),
    "Drug withdrawal syndrome": (0.18, 0.05),
    "Hypotonia": (0.07, 0.07),
}
"""Planted PT -> (rate with intrathecal, rate with oral baclofen as PS)."""

SEX_PT_RATE_FEMALE = 0.18
OTHER_PAIR_RATE = 0.22
INTRATHECAL_SHARE = 0.35

_N_PTS_WEIGHTS = (0.35, 0.27, 0.17, 0.10, 0.06, 0.05)
_OUTCOME_WEIGHTS = (0.06, 0.06, 0.35, 0.04, 0.02, 0.02, 0.45)  # DE LT HO DS CA RI OT
_RPSR_WEIGHTS = (0.25, 0.1, 0.1, 0.2, 0.2, 0.05, 0.05, 0.02, 0.03)
_SERIOUS_PTS = frozenset({"Coma", "Encephalopathy", "Drug withdrawal syndrome", "Seizure"})
_ROUTE_FAERS = {"respiratory (inhalation)": "Respiratory (inhalation)"}


def _ymd(day: dt.date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _quarter_days(quarter: Quarter) -> tuple[dt.date, dt.date]:
    year, month, _ = quarter.first_day()
    start = dt.date(year, month, 1)
    end = dt.date(year + 1, 1, 1) if quarter.q == 4 else dt.date(year, month + 3, 1)
    return start, end - dt.timedelta(days=1)


def _age_group(years: float) -> str:
    if years < 18:
        return "<18"
    if years < 65:
        return "18-64"
    if years <= 85:
        return "65-85"
    return ">85"


# Conversion constants a warehouse may reasonably use; an age is drawn so that all of them agree.
_AGE_FACTORS: dict[str, tuple[float, ...]] = {
    "DEC": (10.0,),
    "YR": (1.0,),
    "MON": (1 / 12,),
    "WK": (7 / 365.25, 1 / 52, 7 / 365),
    "DY": (1 / 365.25, 1 / 365),
    "HR": (1 / 8766, 1 / 8760),
}


def age_years(age: str, age_cod: str) -> float | None:
    """The age in years a written AGE and AGE_COD stand for (None if blank or not a number)."""
    try:
        value = float(age)
    except ValueError:
        return None
    factors = _AGE_FACTORS.get(age_cod)
    return None if factors is None else value * factors[0]


def _unambiguous_age(age: str, age_cod: str) -> bool:
    """True if every conversion constant gives the same age group, away from the group boundaries."""
    value = float(age)
    years = [value * factor for factor in _AGE_FACTORS[age_cod]]
    if len({_age_group(y) for y in years}) != 1:
        return False
    return all(not (17 < y < 18 or 64 < y < 65 or 85 < y < 86) for y in years)


class _Builder:
    """Holds the random stream and the id counters while the sample is built."""

    def __init__(self, quarters: Sequence[Quarter], n_cases: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.quarters = list(quarters)
        self.n_cases = n_cases
        self.case_ids: set[int] = set()
        self.isrs: set[int] = set()
        self.primary_ids: dict[int, int] = {}
        self.laers_drug_seq = 1_004_000_000
        self.reports: dict[Quarter, list[Report]] = {q: [] for q in self.quarters}
        self.case_reports: dict[int, list[Report]] = defaultdict(list)
        drugs = [d for d in vocab.DRUGS if d.ingredient not in PS_PLANT_RATES]
        self.background_drugs = drugs
        self.background_drug_cum = list(accumulate(1 / (rank + 4) ** 0.9 for rank in range(len(drugs))))
        self.all_drugs = list(vocab.DRUGS)
        self.all_drug_cum = list(accumulate(1 / (rank + 4) ** 0.9 for rank in range(len(self.all_drugs))))
        pts = list(vocab.BACKGROUND_PTS)
        self.pts = pts
        self.pt_cum = list(accumulate(1 / (rank + 3) for rank in range(len(pts))))

    # --- small draws -----------------------------------------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, items: Sequence[str], weights: Sequence[float] | None = None) -> str:
        return self.rng.choices(items, weights=weights)[0] if weights else self.rng.choice(items)

    def day_in(self, quarter: Quarter) -> dt.date:
        start, end = _quarter_days(quarter)
        return start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))

    def new_case_id(self, quarter: Quarter) -> int:
        base = 4_000_000 + quarter.index * 150_000
        while True:
            case_id = base + self.rng.randrange(150_000)
            if case_id not in self.case_ids:
                self.case_ids.add(case_id)
                return case_id

    def new_isr(self, quarter: Quarter) -> int:
        base = 4_000_000 + quarter.index * 130_000
        while True:
            isr = base + self.rng.randrange(130_000)
            if isr not in self.isrs:
                self.isrs.add(isr)
                return isr

    def faers_primary_id(self, case_id: int, version: int) -> tuple[int, int]:
        """primaryid = caseid and caseversion concatenated; skip a version whose id another case owns."""
        while True:
            primary_id = int(f"{case_id}{version}")
            owner = self.primary_ids.get(primary_id)
            if owner is None or owner == case_id:
                self.primary_ids[primary_id] = case_id
                return primary_id, version
            version += 1

    # --- demographics ----------------------------------------------------------------------------------

    def draw_age(self) -> tuple[str, str, float | None]:
        if not self.chance(0.82):
            return "", "", None
        band = self.rng.random()
        while True:
            if band < 0.04:
                unit = self.pick(("MON", "WK", "DY", "HR"), (0.4, 0.25, 0.25, 0.1))
                months = self.rng.randrange(0, 24)
                value = {
                    "MON": months,
                    "WK": self.rng.randrange(0, 100),
                    "DY": self.rng.randrange(0, 700),
                    "HR": self.rng.randrange(1, 72),
                }[unit]
                age = str(value)
            elif band < 0.08:
                unit = self.pick(("YR", "MON"), (0.7, 0.3))
                years = self.rng.randrange(2, 17)
                age = str(years if unit == "YR" else years * 12 + self.rng.randrange(12))
            else:
                years = int(min(99, max(18, self.rng.gauss(57, 16))))
                unit = self.pick(("YR", "DEC", "DY", "MON"), (0.88, 0.04, 0.05, 0.03))
                if unit == "YR":
                    age = str(years) if self.chance(0.95) else f"{years}.5"
                elif unit == "DEC":
                    age = str(max(2, min(9, years // 10)))
                elif unit == "DY":
                    age = str(years * 365 + self.rng.randrange(200))
                else:
                    age = str(years * 12 + self.rng.randrange(12))
            if _unambiguous_age(age, unit):
                return age, unit, age_years(age, unit)

    @staticmethod
    def age_grp(years: float | None) -> str:
        if years is None:
            return ""
        for limit, code in ((28 / 365.25, "N"), (2, "I"), (12, "C"), (18, "T"), (65, "A")):
            if years < limit:
                return code
        return "E"

    def draw_weight(self) -> tuple[str, str]:
        if not self.chance(0.35):
            return "", ""
        kg = max(3.0, self.rng.gauss(78, 19))
        if self.chance(0.15):
            return f"{kg / 0.45359237:.0f}", "LBS"
        return (f"{kg:.0f}" if self.chance(0.7) else f"{kg:.1f}"), "KG"

    def written_date(self, day: dt.date, laers: bool, full: float) -> str:
        """A date as a report writes it: full, YYYYMM, YYYY or blank; LAERS pads partial dates to 8 digits."""
        r = self.rng.random()
        if r < full:
            return _ymd(day)
        if r < full + (1 - full) * 0.25:
            return f"{day.year:04d}{day.month:02d}01" if laers else f"{day.year:04d}{day.month:02d}"
        if r < full + (1 - full) * 0.45:
            return f"{day.year:04d}0101" if laers else f"{day.year:04d}"
        return ""

    # --- drugs ------------------------------------------------------------------------------------------

    def drugname(self, drug: vocab.Drug, route: str) -> str:
        if drug.ingredient == "baclofen":
            aliases = (
                vocab.INTRATHECAL_BACLOFEN_ALIASES if route == "intrathecal" else vocab.ORAL_BACLOFEN_ALIASES
            )
            alias = self.pick(aliases)
        else:
            alias = self.pick(drug.brands) if drug.brands and self.chance(0.55) else drug.ingredient.upper()
        amount, unit = drug.strength
        r = self.rng.random()
        if r < 0.25 and unit in ("MG", "MCG", "G", "ML", "IU", "MEQ"):
            name = f"{alias} {amount}{'' if self.chance(0.4) else ' '}{unit}"
            if self.chance(0.4) and route != "intrathecal":
                name += " " + self.pick(vocab.DOSE_FORM_WORDS[:4])
        else:
            name = alias
        if self.chance(0.02):
            name += "."
        return name

    def drug_row(self, drug: vocab.Drug, role: str, route: str | None = None) -> DrugRow:
        route = route or drug.route
        amount, unit = drug.strength
        if drug.ingredient == "baclofen" and route == "intrathecal":
            amount, unit = str(self.rng.choice((50, 100, 150, 200, 300, 400))), "UG/DAY"
        freq = "" if route == "intrathecal" else self.pick(vocab.DOSE_FREQS)
        dose_vbm = self.pick(
            (f"{amount} {unit}, {freq or 'UNK'}", f"{amount} {unit}", "UNK", f"{amount}{unit} DAILY", "")
        )
        prod_ai = "" if self.chance(0.03) else (drug.salt if self.chance(0.6) else drug.ingredient.upper())
        return DrugRow(
            role=role,
            ingredient=drug.ingredient,
            drugname=self.drugname(drug, route),
            prod_ai=prod_ai,
            route=route,
            dose_vbm=dose_vbm,
            cum_dose_chr=f"{self.rng.randrange(1, 9000)}" if self.chance(0.1) else "",
            cum_dose_unit="MG" if self.chance(0.1) else "",
            dechal=self.pick(("Y", "N", "U", "D", ""), (0.15, 0.1, 0.35, 0.3, 0.1)),
            rechal=self.pick(("Y", "N", "U", "D", ""), (0.05, 0.05, 0.4, 0.35, 0.15)),
            lot_num=f"{self.rng.randrange(10**5, 10**6)}A" if self.chance(0.08) else "",
            exp_dt="",
            nda_num=f"{self.rng.randrange(10_000, 210_000):06d}" if self.chance(0.3) else "",
            dose_amt=amount if self.chance(0.6) else "",
            dose_unit=unit if self.chance(0.6) else "",
            dose_form=self.pick(("TABLET", "Tablet", "INJECTION", "Solution for injection", "Capsule", ""))
            if route != "intrathecal"
            else "Injection",
            dose_freq=freq,
            val_vbm="1" if self.chance(0.9) else "2",
        )

    def therapies(self, event: dt.date, laers: bool, tto_days: int, baclofen_ps: bool) -> list[Therapy]:
        start = event - dt.timedelta(days=tto_days)
        r = self.rng.random()
        full, month, year, junk, after = (
            (0.86, 0.04, 0.01, 0.03, 0.04) if baclofen_ps else (0.74, 0.10, 0.06, 0.03, 0.03)
        )
        if r < full:
            start_dt = _ymd(start)
        elif r < full + month:
            start_dt = f"{start.year:04d}{start.month:02d}" + ("01" if laers else "")
        elif r < full + month + year:
            start_dt = f"{start.year:04d}" + ("0101" if laers else "")
        elif r < full + month + year + junk:
            start_dt = self.pick((f"{start.year:04d}0231", "00000000", f"{start.year:04d}1301"))
        elif r < full + month + year + junk + after:
            start = event + dt.timedelta(days=self.rng.randrange(1, 60))
            start_dt = _ymd(start)
        else:
            start_dt = ""
        therapy = Therapy(start_dt=start_dt)
        if start_dt and self.chance(0.4):
            days = self.rng.randrange(1, 300)
            therapy.end_dt = _ymd(start + dt.timedelta(days=days))
            if self.chance(0.5):
                therapy.dur, therapy.dur_cod = str(days), "DAY"
        result = [therapy]
        if len(start_dt) == 8 and start_dt.isdigit() and self.chance(0.08):
            restart = start + dt.timedelta(days=self.rng.randrange(30, 200))
            result.append(Therapy(start_dt=_ymd(restart)))
        return result

    # --- one case ---------------------------------------------------------------------------------------

    def first_report(self, quarter: Quarter, case_id: int) -> Report:
        laers = quarter.is_laers
        fda_day = self.day_in(quarter)
        event_day = fda_day - dt.timedelta(days=self.rng.randrange(1, 730))
        sex = self.pick(("F", "M", "UNK", ""), (0.55, 0.38, 0.03, 0.04))
        age, age_cod, years = self.draw_age()
        wt, wt_cod = self.draw_weight()
        rept_cod = self.pick(vocab.REPT_CODES, (0.66, 0.2, 0.14))
        country = self.pick([c for c, _ in vocab.COUNTRIES], [1 / (i + 1) ** 1.6 for i in range(18)])
        if rept_cod == "DIR":
            mfr_num = mfr_sndr = ""
            to_mfr = self.pick(("N", "Y"))
        else:
            mfr_sndr, mfr_code = vocab.MANUFACTURERS[self.rng.randrange(len(vocab.MANUFACTURERS) - 2)]
            mfr_num = f"{country}-{mfr_code}-{fda_day.year}{self.rng.randrange(10**5, 10**6)}"
            to_mfr = ""

        r = self.rng.random()
        plant = ""
        for ingredient, rate in PS_PLANT_RATES.items():
            if r < rate:
                plant = ingredient
                break
            r -= rate
        if plant:
            ps_drug = vocab.DRUG_BY_INGREDIENT[plant]
        else:
            ps_drug = self.rng.choices(self.background_drugs, cum_weights=self.background_drug_cum)[0]
        route = ps_drug.route
        if plant == "baclofen" and self.chance(INTRATHECAL_SHARE):
            route = "intrathecal"
        baclofen_ps = plant == "baclofen"

        event_full = 0.85 if baclofen_ps else (0.70 if laers else 0.62)
        event_dt = self.written_date(event_day, laers, event_full)
        drugs = [self.drug_row(ps_drug, "PS" if self.chance(0.98) else "SS", route)]
        for _ in range(self.rng.choices((0, 1, 2, 3, 4, 5, 6), (0.2, 0.25, 0.2, 0.15, 0.1, 0.06, 0.04))[0]):
            other = self.rng.choices(self.all_drugs, cum_weights=self.all_drug_cum)[0]
            role = self.pick(("SS", "C", "I"), (0.25, 0.7, 0.05))
            drugs.append(self.drug_row(other, role))
        for position, drug in enumerate(drugs):
            is_ps = position == 0
            if is_ps and baclofen_ps:
                tto = self.rng.randrange(0, 7) if route == "intrathecal" else self.rng.randrange(14, 400)
                if self.chance(0.92):
                    drug.therapies = self.therapies(event_day, laers, tto, True)
            elif self.chance(0.75 if is_ps else 0.35):
                drug.therapies = self.therapies(event_day, laers, self.rng.randrange(0, 900), False)
            spec = vocab.DRUG_BY_INGREDIENT[drug.ingredient]
            if self.chance(0.7 if is_ps else 0.3):
                indications = [self.pick(spec.indications)]
                if self.chance(0.03):
                    extra = self.pick(vocab.GENERIC_INDICATIONS)
                    if extra not in indications:
                        indications.append(extra)
                drug.indications = indications
            elif self.chance(0.1):
                drug.indications = ["Product used for unknown indication"]
        if self.chance(0.05 if baclofen_ps else 0.015):
            # the same drug listed twice (another name, role C, no THER/INDI rows of its own)
            twin = drugs[0] if baclofen_ps or len(drugs) == 1 else drugs[-1]
            drugs.append(self.drug_row(vocab.DRUG_BY_INGREDIENT[twin.ingredient], "C", twin.route))

        n_pts = self.rng.choices(range(1, 7), _N_PTS_WEIGHTS)[0]
        pts: list[str] = []
        while len(pts) < n_pts:
            pt = self.rng.choices(self.pts, cum_weights=self.pt_cum)[0]
            if pt not in pts:
                pts.append(pt)
        if baclofen_ps:
            for pt, (rate_it, rate_oral) in BACLOFEN_PT_RATES.items():
                if pt not in pts and self.chance(rate_it if route == "intrathecal" else rate_oral):
                    pts.append(pt)
            if sex == "F" and vocab.SEX_DIFFERENCE_PT not in pts and self.chance(SEX_PT_RATE_FEMALE):
                pts.append(vocab.SEX_DIFFERENCE_PT)
        for drug_name, pt in vocab.OTHER_PLANTED_PAIRS:
            if plant == drug_name and pt not in pts and self.chance(OTHER_PAIR_RATE):
                pts.append(pt)
        self.rng.shuffle(pts)
        reactions = [self.reaction(pt, laers) for pt in pts]
        if self.chance(0.012):
            twin_pt = reactions[0].pt
            reactions.append(Reaction(pt=twin_pt, text=twin_pt.upper() if self.chance(0.5) else twin_pt))

        serious_p = 0.9 if baclofen_ps and _SERIOUS_PTS & set(pts) else 0.55
        outcomes: list[str] = []
        if self.chance(serious_p):
            for _ in range(self.rng.choices((1, 2), (0.75, 0.25))[0]):
                code = self.rng.choices(vocab.OUTCOME_CODES, _OUTCOME_WEIGHTS)[0]
                if code not in outcomes:
                    outcomes.append(code)
            if self.chance(0.02):
                outcomes.append(outcomes[0])
        sources = [self.rng.choices(vocab.RPSR_CODES, _RPSR_WEIGHTS)[0]] if self.chance(0.18) else []

        report = Report(
            quarter=quarter,
            case_id=case_id,
            primary_id=0,
            version=1,
            i_f_code="I",
            fda_dt=_ymd(fda_day),
            init_fda_dt=_ymd(fda_day),
            event_dt=event_dt,
            mfr_dt=_ymd(fda_day - dt.timedelta(days=self.rng.randrange(0, 15))) if mfr_sndr else "",
            rept_dt=_ymd(fda_day),
            rept_cod=rept_cod,
            mfr_num=mfr_num,
            mfr_sndr=mfr_sndr,
            age=age,
            age_cod=age_cod,
            age_grp=self.age_grp(years) if self.chance(0.5) else "",
            sex=sex,
            e_sub="N" if rept_cod == "DIR" else "Y",
            wt=wt,
            wt_cod=wt_cod,
            to_mfr=to_mfr,
            occp_cod=self.pick(vocab.OCCP_CODES_LAERS if laers else vocab.OCCP_CODES_FAERS),
            reporter_country=country if self.chance(0.93) else "",
            occr_country=country,
            auth_num=f"{country}-BFARM-{self.rng.randrange(10**7, 10**8)}" if self.chance(0.02) else "",
            lit_ref=(
                "Smith J, et al. Intrathecal baclofen withdrawal. Neurology. 2012;78:1-5."
                if self.chance(0.01)
                else ""
            ),
            foll_seq=self.pick(("", "1", "2", "#1"), (0.88, 0.07, 0.03, 0.02)) if laers else "",
            drugs=drugs,
            reactions=reactions,
            outcomes=outcomes,
            sources=sources,
            age_years=years,
        )
        return report

    def reaction(self, pt: str, laers: bool) -> Reaction:
        text = pt.upper() if laers or self.chance(0.04) else pt
        return Reaction(pt=pt, text=text, drug_rec_act=pt if self.chance(0.03) else "")

    def follow_up(self, previous: Report, quarter: Quarter) -> Report:
        report = copy.deepcopy(previous)
        report.quarter = quarter
        report.i_f_code = "F"
        fda_day = self.day_in(quarter)
        report.fda_dt = report.rept_dt = _ymd(fda_day)
        if report.mfr_sndr:
            report.mfr_dt = _ymd(fda_day - dt.timedelta(days=self.rng.randrange(0, 15)))
        report.version = previous.version + (1 if self.chance(0.85) else 2)
        report.foll_seq = str(report.version - 1) if quarter.is_laers and self.chance(0.2) else ""
        if self.chance(0.35):
            pt = self.rng.choices(self.pts, cum_weights=self.pt_cum)[0]
            if pt not in {r.pt for r in report.reactions}:
                report.reactions.append(self.reaction(pt, quarter.is_laers))
        if self.chance(0.2):
            code = self.rng.choices(vocab.OUTCOME_CODES, _OUTCOME_WEIGHTS)[0]
            if code not in report.outcomes:
                report.outcomes.append(code)
        if not report.age and self.chance(0.3):
            report.age, report.age_cod, report.age_years = self.draw_age()
        for reaction in report.reactions:
            if quarter.is_laers:
                reaction.text = reaction.pt.upper()
        return report

    def assign_ids(self, report: Report, case_first_isr: bool = False) -> None:
        """primary id and drug sequence numbers as the report's era writes them."""
        if report.quarter.is_laers:
            report.primary_id = self.new_isr(report.quarter)
            for drug in report.drugs:
                self.laers_drug_seq += self.rng.randrange(1, 40)
                drug.seq = self.laers_drug_seq
        else:
            report.primary_id, report.version = self.faers_primary_id(report.case_id, report.version)
            for position, drug in enumerate(report.drugs, start=1):
                drug.seq = position

    def add(self, report: Report) -> None:
        self.reports[report.quarter].append(report)
        self.case_reports[report.case_id].append(report)

    # --- the whole sample -------------------------------------------------------------------------------

    def build(self) -> Sample:
        n_q = len(self.quarters)
        for _ in range(self.n_cases):
            first = self.rng.randrange(n_q)
            extra = self.rng.choices((0, 1, 2, 3), (0.72, 0.2, 0.06, 0.02))[0]
            later = list(range(first + 1, n_q))
            chosen = sorted(self.rng.sample(later, min(extra, len(later))))
            quarter = self.quarters[first]
            report = self.first_report(quarter, self.new_case_id(quarter))
            if not quarter.is_laers and self.chance(0.1):
                report.version = self.rng.randrange(2, 4)
                report.i_f_code = "F"
            self.assign_ids(report)
            self.add(report)
            for index in chosen:
                report = self.follow_up(report, self.quarters[index])
                self.assign_ids(report)
                self.add(report)
        self.add_migrated_cases()
        self.plant_ties()
        self.plant_quirks()
        self.plant_republished()
        for reports in self.reports.values():
            reports.sort(key=lambda r: (r.primary_id, r.quirk == model.DEMO_DUPLICATED))
        deleted = self.deleted_lists()
        return Sample(
            seed=self.seed,
            quarters=self.quarters,
            n_cases=len(self.case_reports),
            reports=self.reports,
            deleted=deleted,
        )

    def add_migrated_cases(self) -> None:
        """2012Q4 carried old cases re-versioned into FAERS (init_fda_dt 2000-2002, faers_format.md §11)."""
        q4 = Quarter(2012, 4)
        if q4 not in self.reports:
            return
        for _ in range(max(3, self.n_cases // 300)):
            while True:
                case_id = 3_000_000 + self.rng.randrange(900_000)
                if case_id not in self.case_ids:
                    self.case_ids.add(case_id)
                    break
            report = self.first_report(q4, case_id)
            report.version = self.rng.randrange(3, 6)
            report.i_f_code = "F"
            init = dt.date(2000, 1, 1) + dt.timedelta(days=self.rng.randrange(1000))
            report.init_fda_dt = _ymd(init)
            report.event_dt = _ymd(init - dt.timedelta(days=self.rng.randrange(1, 60)))
            self.assign_ids(report)
            self.add(report)

    def _cases_with(self, predicate) -> list[list[Report]]:
        return [reports for _, reports in sorted(self.case_reports.items()) if predicate(reports)]

    def plant_ties(self) -> None:
        """Cases whose two versions share fda_dt, the higher primary id published in the *earlier* quarter:
        FDA's rule (latest fda_dt, then highest primary id) keeps the earlier quarter's row."""
        for laers in (True, False, False):
            candidates = self._cases_with(
                lambda reps, laers=laers: (
                    len(reps) == 2
                    and all(r.quarter.is_laers == laers for r in reps)
                    and all(r.quirk is None for r in reps)
                )
            )
            if not candidates:
                continue
            early, late = candidates[self.rng.randrange(len(candidates))]
            if laers:
                early.primary_id, late.primary_id = (
                    max(early.primary_id, late.primary_id),
                    min(early.primary_id, late.primary_id),
                )
            else:
                del self.primary_ids[early.primary_id], self.primary_ids[late.primary_id]
                early.version, late.version = late.version, early.version
                early.i_f_code, late.i_f_code = "F", "I" if late.version == 1 else "F"
                early.primary_id, early.version = self.faers_primary_id(early.case_id, early.version)
                late.primary_id, late.version = self.faers_primary_id(late.case_id, late.version)
            late.fda_dt = late.rept_dt = early.fda_dt
            early.quirk = late.quirk = "tie"

    def plant_quirks(self) -> None:
        laers_q = [q for q in self.quarters if q.is_laers]
        faers_q = [q for q in self.quarters if not q.is_laers]

        def free(report: Report) -> bool:
            return report.quirk is None and all(d.quirk is None for d in report.drugs)

        def only_version(report: Report) -> bool:
            return len(self.case_reports[report.case_id]) == 1

        def superseded(report: Report) -> bool:
            later = [r for r in self.case_reports[report.case_id] if r.fda_dt > report.fda_dt]
            return bool(later)

        def choose(quarter: Quarter, predicate) -> Report | None:
            candidates = [r for r in self.reports[quarter] if free(r) and predicate(r)]
            return candidates[self.rng.randrange(len(candidates))] if candidates else None

        if laers_q:
            report = choose(laers_q[0], lambda r: only_version(r) and r.mfr_sndr != "")
            if report is not None:
                report.quirk = model.DEMO_DOLLAR_IN_VALUE
                report.mfr_num = f"JP-{report.mfr_num.split('-')[1]}-$E2B{self.rng.randrange(10**9, 10**10)}"
            report = choose(laers_q[-1], superseded)
            if report is not None:
                report.quirk = model.DEMO_SPLIT_LINE
            report = choose(laers_q[-1], lambda r: len(r.drugs) >= 3 and not r.rejected)
            if report is not None:
                for drug, quirk in zip(
                    report.drugs[1:3], (model.DRUG_GLUED_HEAD, model.DRUG_GLUED_TAIL), strict=True
                ):
                    drug.quirk, drug.therapies, drug.indications = quirk, [], []
            for quarter in laers_q:
                for _ in range(3):
                    report = choose(quarter, lambda r: True)
                    if report is not None:
                        drug = report.drugs[-1]
                        drug.quirk, drug.dose_vbm = model.DRUG_CONTROL_BYTE, (drug.dose_vbm or "UNK") + "\x08"
        for quarter in self.quarters[:3]:
            # non-ASCII sender names: latin-1 bytes in LAERS files, "?" in FAERS files
            for name, _ in vocab.MANUFACTURERS[-2:]:
                report = choose(quarter, lambda r: r.mfr_sndr != "")
                if report is not None:
                    report.mfr_sndr = name
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
        if q4 in self.reports:
            for _ in range(2):
                report = choose(q4, lambda r: r.mfr_sndr != "")
                if report is not None:
                    report.quirk = model.DEMO_DUPLICATED
            for _ in range(2):
                report = choose(q4, lambda r: True)
                if report is not None:
                    report.quirk = "vitamins"
                    vitamins = vocab.DRUG_BY_INGREDIENT["multivitamins"]
                    row = self.drug_row(vitamins, "C")
                    row.drugname = '"VITAMINS" (NOS)'
                    row.seq = len(report.drugs) + 1
                    report.drugs.append(row)

    def plant_republished(self) -> None:
        """A few last versions published again, unchanged, in a later quarter (faers_format.md §4)."""
        modern = [q for q in self.quarters if q.at_least(2014, 3)]
        if len(modern) < 2:
            return
        candidates = self._cases_with(
            lambda reps: (
                reps[-1].quarter in modern[:-1]
                and reps[-1].quirk is None
                and all(d.quirk is None for d in reps[-1].drugs)
                and all(r.quirk is None for r in reps[-1].reactions)
            )
        )
        self.rng.shuffle(candidates)
        for reports in candidates[:3]:
            last = reports[-1]
            later = [q for q in modern if q > last.quarter]
            again = copy.deepcopy(last)
            again.quarter = self.rng.choice(later)
            last.quirk = again.quirk = "republished"
            self.add(again)

    def deleted_lists(self) -> dict[Quarter, dict[str, list[str]]]:
        """Deleted-case lists from 2019Q1: real case ids (old and new, one re-reported later), ids matching
        nothing, duplicates, overlap with the previous list, and a leading single-space line."""
        result: dict[Quarter, dict[str, list[str]]] = {}
        previous: list[str] = []
        for quarter in self.quarters:
            if not has_deleted_list(quarter):
                continue
            eligible = sorted(
                case_id
                for case_id, reports in self.case_reports.items()
                if reports[0].quarter <= quarter
                and all(r.quirk is None for r in reports)
                and all(d.quirk is None for r in reports for d in r.drugs)
            )
            n = max(3, len(eligible) // 120)
            ids = [str(c) for c in self.rng.sample(eligible, min(n, len(eligible)))]
            reborn = [c for c in eligible if any(r.quarter > quarter for r in self.case_reports[c])]
            if reborn:
                ids.append(str(self.rng.choice(reborn)))
            ids += [str(self.rng.randrange(10**7, 3 * 10**7)) for _ in range(3)]
            ids += self.rng.sample(ids, 2)
            ids += previous[:2]
            previous = sorted(set(ids))
            lines = [" ", *sorted(ids)]
            members = {deleted_member_path(quarter): lines}
            cumulative = all_deleted_member_path(quarter)
            if cumulative is not None:
                old = sorted(
                    c
                    for c in self.case_ids
                    if all(r.quarter.is_laers for r in self.case_reports.get(c, []))
                    and c in self.case_reports
                    and all(r.quirk is None for r in self.case_reports[c])
                )
                picked = self.rng.sample(old, min(4, len(old))) if old else []
                members[cumulative] = sorted(
                    [str(c) for c in picked] + [str(self.rng.randrange(10**6, 9 * 10**6)) for _ in range(6)]
                )
            result[quarter] = members
        return result


def parse_quarters(quarters: Sequence[str] | None) -> list[Quarter]:
    """Parse, de-duplicate check and sort quarter texts (default: DEFAULT_QUARTERS)."""
    texts = list(quarters) if quarters else list(DEFAULT_QUARTERS)
    parsed = [Quarter.parse(text) for text in texts]
    if len(set(parsed)) != len(parsed):
        raise ValueError(f"duplicate quarter in {texts}")
    return sorted(parsed)


def build_sample(quarters: Sequence[str] | None = None, n_cases: int | None = None, seed: int = 42) -> Sample:
    """The default-mode sample, in memory (no files written)."""
    n = DEFAULT_N_CASES if n_cases is None else n_cases
    if n < 50:
        raise ValueError(f"n_cases must be at least 50 (got {n})")
    return _Builder(parse_quarters(quarters), n, seed).build()
