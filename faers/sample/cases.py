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

import numpy as np

from faers.sample import drugnames, model, plants, vocab
from faers.sample.draws import Draws, ymd
from faers.sample.model import Reaction, Report, Sample
from loaders.quarters import Quarter

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


class _Builder(Draws):
    """Holds the random stream and the id counters while the sample is built."""

    def __init__(self, quarters: Sequence[Quarter], n_cases: int, seed: int, drug_noise: str = "basic") -> None:
        super().__init__(random.Random(seed))
        self.seed = seed
        self.drug_noise = drug_noise
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
            fda_dt=ymd(fda_day),
            init_fda_dt=ymd(fda_day),
            event_dt=event_dt,
            mfr_dt=ymd(fda_day - dt.timedelta(days=self.rng.randrange(0, 15))) if mfr_sndr else "",
            rept_dt=ymd(fda_day),
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
                "Smith J, et al. Intrathecal baclofen withdrawal. Neurology. 2012;78:1-5." if self.chance(0.01) else ""
            ),
            foll_seq=self.pick(("", "1", "2", "#1"), (0.88, 0.07, 0.03, 0.02)) if laers else "",
            drugs=drugs,
            reactions=reactions,
            outcomes=outcomes,
            sources=sources,
            age_years=years,
        )
        return report

    def follow_up(self, previous: Report, quarter: Quarter) -> Report:
        report = copy.deepcopy(previous)
        report.quarter = quarter
        report.i_f_code = "F"
        fda_day = self.day_in(quarter)
        report.fda_dt = report.rept_dt = ymd(fda_day)
        if report.mfr_sndr:
            report.mfr_dt = ymd(fda_day - dt.timedelta(days=self.rng.randrange(0, 15)))
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

    def assign_ids(self, report: Report) -> None:
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
        plants.plant_ties(self)
        plants.plant_quirks(self)
        plants.plant_republished(self)
        if self.drug_noise == "realistic":
            self.realistic_drug_names()
        for reports in self.reports.values():
            reports.sort(key=lambda r: (r.primary_id, r.quirk == model.DEMO_DUPLICATED))
        deleted = plants.deleted_lists(self)
        return Sample(
            seed=self.seed,
            quarters=self.quarters,
            n_cases=len(self.case_reports),
            reports=self.reports,
            deleted=deleted,
        )

    def realistic_drug_names(self) -> None:
        """Re-write every drug row's name and prod_ai with the realistic noise of drugnames.py (its own random
        stream, so the rest of the sample is the basic one): a drug row keeps the name its case's first report
        gave it in every later version; a few non-planted rows become combination products; an unknown name's
        ingredient is ''."""
        table = drugnames.ProductTable([d.ingredient for d in vocab.DRUGS])
        rng = np.random.default_rng([self.seed, 20240105])
        groups: dict[tuple[int, int], list[model.DrugRow]] = {}
        first_rows: list[tuple[model.DrugRow, bool]] = []
        for quarter in self.quarters:
            for report in self.reports[quarter]:
                for position, row in enumerate(report.drugs):
                    if row.drugname in vocab.EXTRA_ALIASES:
                        continue
                    key = (report.case_id, position)
                    if key not in groups:
                        groups[key] = []
                        first_rows.append((row, quarter.is_laers))
                    groups[key].append(row)
        product = np.array([table.index(row.ingredient) for row, _ in first_rows], dtype=np.int64)
        intrathecal = np.array([row.route == "intrathecal" for row, _ in first_rows])
        product[intrathecal] = table.intrathecal_baclofen
        free = np.array([row.role != "PS" and row.ingredient not in PS_PLANT_RATES for row, _ in first_rows])
        combination = free & (rng.random(len(first_rows)) < drugnames.COMBINATION_SHARE)
        pick = rng.choice(len(drugnames.COMBINATION_WEIGHTS), len(first_rows), p=drugnames.COMBINATION_WEIGHTS)
        product = np.where(combination, table.first_combination + pick, product)
        laers = np.array([is_laers for _, is_laers in first_rows])
        names = drugnames.noisy_names(table, product, laers, rng)
        keys = [table.keys[i] for i in product]
        for rows, name, prod_ai, key, unknown in zip(
            groups.values(), names.drugname, names.prod_ai, keys, names.unknown, strict=True
        ):
            for row in rows:
                row.drugname, row.prod_ai = name, prod_ai
                row.ingredient = "" if unknown else key

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
            report.init_fda_dt = ymd(init)
            report.event_dt = ymd(init - dt.timedelta(days=self.rng.randrange(1, 60)))
            self.assign_ids(report)
            self.add(report)


def parse_quarters(quarters: Sequence[str] | None) -> list[Quarter]:
    """Parse, de-duplicate check and sort quarter texts (default: DEFAULT_QUARTERS)."""
    texts = list(quarters) if quarters else list(DEFAULT_QUARTERS)
    parsed = [Quarter.parse_published(text) for text in texts]
    if len(set(parsed)) != len(parsed):
        raise ValueError(f"duplicate quarter in {texts}")
    return sorted(parsed)


def build_sample(
    quarters: Sequence[str] | None = None, n_cases: int | None = None, seed: int = 42, drug_noise: str = "basic"
) -> Sample:
    """The default-mode sample, in memory (no files written); ``drug_noise`` in drugnames.NOISE_MODES."""
    n = DEFAULT_N_CASES if n_cases is None else n_cases
    if n < 50:
        raise ValueError(f"n_cases must be at least 50 (got {n})")
    if drug_noise not in drugnames.NOISE_MODES:
        raise ValueError(f"drug noise must be one of {', '.join(drugnames.NOISE_MODES)} (got {drug_noise!r})")
    sample = _Builder(parse_quarters(quarters), n, seed, drug_noise).build()
    sample.drug_noise = drug_noise
    return sample
