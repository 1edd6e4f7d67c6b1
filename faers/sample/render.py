"""Render reports into FDA's physical lines, per quarter and era, damaging the rows that carry a quirk.

Returns, per table, the physical lines (bytes, without terminators) and how many of them are malformed or
split, so that the writer can both write the member and report its exact shape in truth.json.
"""

from __future__ import annotations

from dataclasses import dataclass

from faers.sample import model, vocab
from faers.sample.layout import TABLES, columns, trailing_dollar
from faers.sample.model import Report
from loaders.quarters import Quarter

_COUNTRY_NAMES = dict(vocab.COUNTRIES)
_ROUTES_FAERS = {"respiratory (inhalation)": "Respiratory (inhalation)"}


@dataclass
class TableLines:
    """The physical data lines of one table file (header excluded) and their damage counts."""

    lines: list[bytes]
    malformed: int = 0
    split_records: int = 0


def _ascii_only(text: str) -> str:
    """FAERS files hold printable ASCII only; FDA replaces anything else with ``?`` (faers_format.md §2)."""
    return "".join(ch if ord(ch) < 128 else "?" for ch in text)


def _encode(fields: list[str], trailing: bool) -> bytes:
    return ("$".join(fields) + ("$" if trailing else "")).encode("latin-1")


SAMPLE_MARKER = "FAERS-SAMPLE"
"""Starts every synthetic DEMO row's reference column (LAERS image, FAERS lit_ref from 2014Q3), so a warehouse can tell
that it was loaded from `faers sample` zips alone (faers.study.scope.is_sample_warehouse)."""


def demo_values(report: Report, quarter: Quarter) -> dict[str, str]:
    """The DEMO row of a report keyed by raw column name, spelt as ``quarter``'s era writes it."""
    if quarter.is_laers:
        return {
            "isr": str(report.primary_id),
            "case": str(report.case_id),
            "i_f_cod": report.i_f_code,
            "foll_seq": report.foll_seq,
            "image": f"{SAMPLE_MARKER}-{report.primary_id}-{report.primary_id % 9 + 1}",
            "event_dt": report.event_dt,
            "mfr_dt": report.mfr_dt,
            "fda_dt": report.fda_dt,
            "rept_cod": report.rept_cod,
            "mfr_num": report.mfr_num,
            "mfr_sndr": report.mfr_sndr,
            "age": report.age,
            "age_cod": report.age_cod,
            "gndr_cod": report.sex,
            "e_sub": report.e_sub,
            "wt": report.wt,
            "wt_cod": report.wt_cod,
            "rept_dt": report.rept_dt,
            "occp_cod": report.occp_cod,
            "death_dt": "",
            "to_mfr": report.to_mfr,
            "confid": report.confid,
            "reporter_country": _COUNTRY_NAMES.get(report.reporter_country, ""),
        }
    return {
        "primaryid": str(report.primary_id),
        "caseid": str(report.case_id),
        "caseversion": str(report.version),
        "i_f_code": report.i_f_code,
        "event_dt": report.event_dt,
        "mfr_dt": report.mfr_dt,
        "init_fda_dt": report.init_fda_dt,
        "fda_dt": report.fda_dt,
        "rept_cod": report.rept_cod,
        "auth_num": report.auth_num,
        "mfr_num": _ascii_only(report.mfr_num),
        "mfr_sndr": _ascii_only(report.mfr_sndr),
        "lit_ref": f"{SAMPLE_MARKER} {report.lit_ref}".strip(),
        "age": report.age,
        "age_cod": report.age_cod,
        "age_grp": report.age_grp,
        "sex": report.sex,
        "gndr_cod": report.sex,
        "e_sub": report.e_sub,
        "wt": report.wt,
        "wt_cod": report.wt_cod,
        "rept_dt": report.rept_dt,
        "to_mfr": report.to_mfr,
        "occp_cod": report.occp_cod,
        "reporter_country": report.reporter_country or "COUNTRY NOT SPECIFIED",
        "occr_country": report.occr_country,
    }


def _route(route: str, laers: bool) -> str:
    if laers:
        return route.upper()
    return _ROUTES_FAERS.get(route, route.capitalize())


def render_quarter(quarter: Quarter, reports: list[Report]) -> dict[str, TableLines]:
    """Every table of one quarter as physical lines (reports must be in primary-id order)."""
    laers = quarter.is_laers
    cols = {table: columns(quarter, table) for table in TABLES}
    trail = {table: trailing_dollar(quarter, table) for table in TABLES}
    out = {table: TableLines(lines=[]) for table in TABLES}

    def key(report: Report) -> list[str]:
        return [str(report.primary_id)] if laers else [str(report.primary_id), str(report.case_id)]

    for report in reports:
        ids = key(report)
        demo = out["demo"]
        values = demo_values(report, quarter)
        fields = [values[c] for c in cols["demo"]]
        if report.quirk == model.DEMO_SPLIT_LINE:
            cut = cols["demo"].index("age")
            demo.lines.append(_encode(fields[:cut], False))
            demo.lines.append(b"$" + _encode(fields[cut:], trail["demo"]))
            demo.split_records += 1
        else:
            demo.lines.append(_encode(fields, trail["demo"]))
            if report.rejected:
                demo.malformed += 1
        if report.quirk == model.DEMO_DUPLICATED:
            values["mfr_dt"] = str(int(report.mfr_dt) - 1)
            demo.lines.append(_encode([values[c] for c in cols["demo"]], trail["demo"]))

        drug = out["drug"]
        pending = b""
        for row in report.drugs:
            named = {
                "drug_seq": str(row.seq),
                "role_cod": row.role,
                "drugname": row.drugname.upper() if laers else _ascii_only(row.drugname),
                "prod_ai": row.prod_ai,
                "val_vbm": row.val_vbm,
                "route": _route(row.route, laers),
                "dose_vbm": row.dose_vbm,
                "cum_dose_chr": row.cum_dose_chr,
                "cum_dose_unit": row.cum_dose_unit,
                "dechal": row.dechal,
                "rechal": row.rechal,
                "lot_num": row.lot_num,
                "lot_nbr": row.lot_num,
                "exp_dt": row.exp_dt,
                "nda_num": row.nda_num,
                "dose_amt": row.dose_amt,
                "dose_unit": row.dose_unit,
                "dose_form": row.dose_form,
                "dose_freq": row.dose_freq,
            }
            line = _encode(ids + [named[c] for c in cols["drug"][len(ids) :]], trail["drug"])
            if row.quirk == model.DRUG_GLUED_HEAD:
                pending = line
                continue
            if pending:
                line, pending = pending + line, b""
                drug.malformed += 1
            elif row.rejected:
                drug.malformed += 1
            drug.lines.append(line)

        reac = out["reac"]
        for reaction in report.reactions:
            text = reaction.pt.upper() if laers else reaction.text
            fields = [*ids, text] + ([reaction.drug_rec_act] if len(cols["reac"]) == 4 else [])
            if reaction.quirk == model.REAC_TRUNCATED:
                reac.lines.append(_encode(ids, False))
                reac.malformed += 1
            else:
                reac.lines.append(_encode(fields, trail["reac"]))
        out["outc"].lines.extend(_encode([*ids, code], trail["outc"]) for code in report.outcomes)
        out["rpsr"].lines.extend(_encode([*ids, code], trail["rpsr"]) for code in report.sources)
        for row in report.drugs:
            for therapy in row.therapies:
                fields = [*ids, str(row.seq), therapy.start_dt, therapy.end_dt, therapy.dur, therapy.dur_cod]
                out["ther"].lines.append(_encode(fields, trail["ther"]))
            for indication in row.indications:
                text = indication.upper() if laers else indication
                out["indi"].lines.append(_encode([*ids, str(row.seq), text], trail["indi"]))
    return out
