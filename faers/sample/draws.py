"""Single random draws of the default generator: demographics, dates, drug rows, therapies, reactions.

Each value is drawn the way the report's era writes it (LAERS pads partial dates to 8 digits).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from faers.sample import vocab
from faers.sample.model import DrugRow, Reaction, Therapy
from loaders.quarters import Quarter


def ymd(day: dt.date) -> str:
    """YYYYMMDD."""
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _quarter_days(quarter: Quarter) -> tuple[dt.date, dt.date]:
    year, month, _ = quarter.first_day()
    start = dt.date(year, month, 1)
    end = dt.date(year + 1, 1, 1) if quarter.q == 4 else dt.date(year, month + 3, 1)
    return start, end - dt.timedelta(days=1)


def age_group(years: float) -> str:
    """dim_case age groups: <18, 18-64, 65-85 (inclusive), >85."""
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
    if len({age_group(y) for y in years}) != 1:
        return False
    return all(not (17 < y < 18 or 64 < y < 65 or 85 < y < 86) for y in years)


class Draws:
    """One ``random.Random`` stream and the draws built on it."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, items: Sequence[str], weights: Sequence[float] | None = None) -> str:
        return self.rng.choices(items, weights=weights)[0] if weights else self.rng.choice(items)

    def day_in(self, quarter: Quarter) -> dt.date:
        start, end = _quarter_days(quarter)
        return start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))

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
            return ymd(day)
        if r < full + (1 - full) * 0.25:
            return f"{day.year:04d}{day.month:02d}01" if laers else f"{day.year:04d}{day.month:02d}"
        if r < full + (1 - full) * 0.45:
            return f"{day.year:04d}0101" if laers else f"{day.year:04d}"
        return ""

    # --- drugs ------------------------------------------------------------------------------------------

    def drugname(self, drug: vocab.Drug, route: str) -> str:
        if drug.ingredient == "baclofen":
            aliases = vocab.INTRATHECAL_BACLOFEN_ALIASES if route == "intrathecal" else vocab.ORAL_BACLOFEN_ALIASES
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
            start_dt = ymd(start)
        elif r < full + month:
            start_dt = f"{start.year:04d}{start.month:02d}" + ("01" if laers else "")
        elif r < full + month + year:
            start_dt = f"{start.year:04d}" + ("0101" if laers else "")
        elif r < full + month + year + junk:
            start_dt = self.pick((f"{start.year:04d}0231", "00000000", f"{start.year:04d}1301"))
        elif r < full + month + year + junk + after:
            start = event + dt.timedelta(days=self.rng.randrange(1, 60))
            start_dt = ymd(start)
        else:
            start_dt = ""
        therapy = Therapy(start_dt=start_dt)
        if start_dt and self.chance(0.4):
            days = self.rng.randrange(1, 300)
            therapy.end_dt = ymd(start + dt.timedelta(days=days))
            if self.chance(0.5):
                therapy.dur, therapy.dur_cod = str(days), "DAY"
        result = [therapy]
        if len(start_dt) == 8 and start_dt.isdigit() and self.chance(0.08):
            restart = start + dt.timedelta(days=self.rng.randrange(30, 200))
            result.append(Therapy(start_dt=ymd(restart)))
        return result

    def reaction(self, pt: str, laers: bool) -> Reaction:
        text = pt.upper() if laers or self.chance(0.04) else pt
        return Reaction(pt=pt, text=text, drug_rec_act=pt if self.chance(0.03) else "")
