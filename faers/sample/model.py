"""In-memory records of the synthetic sample: one :class:`Report` per DEMO row, with its child rows.

Values are kept *as written* (date strings, codes) with a few canonical companions (``pt``, ``ingredient``,
``route``) so that the renderer can spell them per era and the ground truth can apply FDA's rules to exactly
what the files hold. A row's ``quirk`` says how the renderer damages it and whether it is rejected.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from loaders.quarters import Quarter

# Row quirks. Rejected ones must end in raw.rejects and do not exist for the warehouse.
DEMO_DOLLAR_IN_VALUE = "dollar_in_value"  # LAERS DEMO: a literal $ inside MFR_NUM (Q-2) -> rejected
DEMO_SPLIT_LINE = "split_line"  # LAERS DEMO: an embedded line break before a $ (Q-3) -> re-joinable
DEMO_DUPLICATED = "duplicated"  # 2012Q4 DEMO: a second row for the primaryid differing in mfr_dt
DRUG_GLUED_HEAD = "glued_head"  # LAERS DRUG: this record and the next share one physical line
DRUG_GLUED_TAIL = "glued_tail"
DRUG_DOLLAR_IN_VALUE = "dollar_in_value"  # FAERS DRUG: a $ inside DOSE_VBM -> one field too many
DRUG_CONTROL_BYTE = "control_byte"  # LAERS DRUG: a 0x08 byte in DOSE_VBM; loaded as is
REAC_TRUNCATED = "truncated"  # FAERS REAC: the line is cut short (too few fields) -> rejected

REJECTED_DEMO = frozenset({DEMO_DOLLAR_IN_VALUE})
REJECTED_DRUG = frozenset({DRUG_GLUED_HEAD, DRUG_GLUED_TAIL, DRUG_DOLLAR_IN_VALUE})
REJECTED_REAC = frozenset({REAC_TRUNCATED})


@dataclass
class Therapy:
    """One THER row: a therapy period of a drug (dates as written: 8, 6 or 4 digits, or junk)."""

    start_dt: str
    end_dt: str = ""
    dur: str = ""
    dur_cod: str = ""


@dataclass
class DrugRow:
    """One DRUG row with its THER and INDI rows."""

    role: str
    ingredient: str
    """The row's true drug: an ingredient, a combination's sorted ingredients joined with '\\', or '' for an
    unknown name (UNKNOWN, NOT REPORTED)."""
    drugname: str
    prod_ai: str
    route: str
    dose_vbm: str = ""
    cum_dose_chr: str = ""
    cum_dose_unit: str = ""
    dechal: str = ""
    rechal: str = ""
    lot_num: str = ""
    exp_dt: str = ""
    nda_num: str = ""
    dose_amt: str = ""
    dose_unit: str = ""
    dose_form: str = ""
    dose_freq: str = ""
    val_vbm: str = "1"
    seq: int = 0
    therapies: list[Therapy] = field(default_factory=list)
    indications: list[str] = field(default_factory=list)
    quirk: str | None = None

    @property
    def rejected(self) -> bool:
        """True if the loader must quarantine this row."""
        return self.quirk in REJECTED_DRUG


@dataclass
class Reaction:
    """One REAC row: the canonical PT and how it is spelt in the file."""

    pt: str
    text: str
    drug_rec_act: str = ""
    quirk: str | None = None

    @property
    def rejected(self) -> bool:
        """True if the loader must quarantine this row."""
        return self.quirk in REJECTED_REAC


@dataclass
class Report:
    """One DEMO row (a case version published in one quarter) with its child rows."""

    quarter: Quarter
    case_id: int
    primary_id: int
    version: int
    i_f_code: str
    fda_dt: str
    init_fda_dt: str
    event_dt: str
    mfr_dt: str
    rept_dt: str
    rept_cod: str
    mfr_num: str
    mfr_sndr: str
    age: str
    age_cod: str
    age_grp: str
    sex: str
    e_sub: str
    wt: str
    wt_cod: str
    to_mfr: str
    occp_cod: str
    reporter_country: str
    occr_country: str
    auth_num: str = ""
    lit_ref: str = ""
    foll_seq: str = ""
    confid: str = ""
    drugs: list[DrugRow] = field(default_factory=list)
    reactions: list[Reaction] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    quirk: str | None = None
    age_years: float | None = None
    """The age in years the written age and unit stand for (None if unknown or junk)."""

    @property
    def rejected(self) -> bool:
        """True if the loader must quarantine this report's DEMO row (the report then does not exist)."""
        return self.quirk in REJECTED_DEMO


@dataclass
class Sample:
    """The whole synthetic sample: reports per quarter and the deleted-case lists."""

    seed: int
    quarters: list[Quarter]
    n_cases: int
    reports: dict[Quarter, list[Report]]
    deleted: dict[Quarter, dict[str, list[str]]]
    """Per quarter, member path -> the list's physical lines (without terminators)."""
    drug_noise: str = "basic"

    def all_reports(self) -> list[Report]:
        """Every report of every quarter, in quarter order."""
        return [report for quarter in self.quarters for report in self.reports[quarter]]
